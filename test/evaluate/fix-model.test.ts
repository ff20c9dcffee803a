import { describe, expect, it } from 'vitest';
import { detectModelFixes, type FixUnit } from '../../src/evaluate/fix-model.js';
import type { LessonModel } from '../../src/evaluate/lesson-model.js';
import { detectLessons, type Lesson, type SessionSignals } from '../../src/evaluate/signals.js';
import { extractSessionPatterns } from '../../src/extract/session-extractor.js';
import type { Session, ToolCall, Turn } from '../../src/model/session.js';

/** A model that takes the first sentence it reads after each error. */
const TAKES_ALL: LessonModel = { bias: 10, threshold: 0.5, weights: {} };
/** A model that takes nothing. */
const TAKES_NONE: LessonModel = { bias: 0, threshold: 2, weights: {} };

const FAILING: ToolCall = {
  name: 'Bash',
  input: 'pnpm --filter billing test',
  output:
    'Error: @prisma/client did not initialize yet. Please run "prisma generate" and try to import it again.\n    at new PrismaClient (node_modules/.prisma/client/index.js:3:11)',
  isError: true,
};
const PASSING: ToolCall = {
  name: 'Bash',
  input: 'pnpm --filter billing test',
  output: 'Test Files  4 passed (4)\n     Tests  31 passed (31)',
  isError: false,
};

function user(text: string, kind?: Turn['kind']): Omit<Turn, 'index'> {
  return kind ? { role: 'user', text, kind, toolCalls: [] } : { role: 'user', text, toolCalls: [] };
}
function assistant(text: string, ...toolCalls: ToolCall[]): Omit<Turn, 'index'> {
  return { role: 'assistant', text, toolCalls };
}
function turns(...list: Array<Omit<Turn, 'index'>>): Turn[] {
  return list.map((t, index) => ({ ...t, index }));
}

const EXPLAINED = [
  user('add the tenant id to invoices and run the billing tests'),
  assistant('Running the billing tests first.', FAILING),
  assistant(
    'The billing tests import `@ledgerly/db` from `dist/`, not the freshly generated client. I will run `pnpm --filter @ledgerly/db generate` and then build the db package before the tests.',
    PASSING,
  ),
  user('great, that works now. commit it'),
];

describe('detectModelFixes', () => {
  it('pairs the error with the sentence the model scores highest', () => {
    const lessons: Lesson[] = [];
    const weights = { 'w:generate': 3, 'w:build': 1, 'w:freshly': 1.5 };
    detectModelFixes(turns(...EXPLAINED), lessons, {
      model: { bias: -1, threshold: 0.5, weights },
    });
    expect(lessons).toHaveLength(1);
    const [lesson] = lessons as [Lesson];
    expect(lesson.kind).toBe('error_resolution');
    expect(lesson.turn).toBe(1);
    expect(lesson.fromModel).toBe(true);
    expect(lesson.error).toContain('did not initialize yet');
    // "I will run …" becomes an instruction; the diagnosis beside it is kept as the reason.
    expect(lesson.fix).toBe(
      'Run `pnpm --filter @ledgerly/db generate` and then build the db package before the tests.',
    );
    expect(lesson.cause).toContain('not the freshly generated client');
  });

  it('learns nothing with a model that takes nothing', () => {
    const lessons: Lesson[] = [];
    detectModelFixes(turns(...EXPLAINED), lessons, { model: TAKES_NONE });
    expect(lessons).toEqual([]);
  });

  it.each([
    ['the user stops the assistant', [user('', 'interrupt')]],
    ['the user objects', [user("no, don't touch the db package, the build is someone else's")]],
    ['the error comes back', [assistant('Running them again.', FAILING), user('still broken')]],
  ])('learns nothing from a fix when %s', (_name, after) => {
    const lessons: Lesson[] = [];
    const list = turns(
      EXPLAINED[0] as Turn,
      EXPLAINED[1] as Turn,
      assistant(
        'I will run `pnpm --filter @ledgerly/db generate` and then build the db package before the tests.',
      ),
      ...after,
    );
    detectModelFixes(list, lessons, { model: TAKES_ALL });
    expect(lessons).toEqual([]);
  });

  it('leaves an error the rules already learned from to the rules', () => {
    const rule: Lesson = {
      kind: 'error_resolution',
      turn: 1,
      quote: 'did not initialize yet',
      strength: 0.65,
      error: 'did not initialize yet',
      fix: 'Run `prisma generate`.',
    };
    const lessons = [rule];
    detectModelFixes(turns(...EXPLAINED), lessons, { model: TAKES_ALL });
    expect(lessons).toEqual([rule]);
  });

  it('reads a pasted error, and calls an outside cause a workaround', () => {
    const lessons: Lesson[] = [];
    detectModelFixes(
      turns(
        user(
          'pip install fails on the CI runner:\nERROR: Could not install packages: Could not resolve host: pypi.org',
        ),
        assistant(
          'The runners have no network access, so install from the wheelhouse with `pip install --no-index --find-links wheels/ -r requirements.txt`.',
        ),
        user('ok that works'),
      ),
      lessons,
      { model: TAKES_ALL },
    );
    expect(lessons).toHaveLength(1);
    expect(lessons[0]?.kind).toBe('workaround');
    expect(lessons[0]?.turn).toBe(0);
  });

  it('reports every sentence it reads, with where it sits, for training', () => {
    const units: FixUnit[] = [];
    detectModelFixes(turns(...EXPLAINED), [], { model: TAKES_NONE, onUnit: (u) => units.push(u) });
    expect(units.map((u) => u.turn)).toEqual([1, 2, 2]);
    expect(units.every((u) => u.error.includes('did not initialize yet'))).toBe(true);
    const fix = units.find((u) => u.text.startsWith('I will run')) as FixUnit;
    expect(fix.features).toEqual(
      expect.arrayContaining([
        'ctx:tool-failure',
        'ctx:next-turn',
        'ctx:run-passes',
        'ctx:user-confirms',
        'ctx:action',
        'ctx:shares-error',
        'ctx:last-sentence',
      ]),
    );
    expect(fix.features).not.toContain('ctx:error-again');
  });

  it('never reads sentences before any error or long after one', () => {
    const units: FixUnit[] = [];
    const quiet = Array.from({ length: 12 }, (_, k) =>
      assistant(`Step ${k}: reading the invoice module and its tests carefully.`),
    );
    detectModelFixes(
      turns(
        assistant('Looking at the repository layout before changing anything.'),
        ...EXPLAINED.slice(0, 2),
        ...quiet,
      ),
      [],
      { model: TAKES_NONE, onUnit: (u) => units.push(u) },
    );
    expect(units.some((u) => u.text.startsWith('Looking at'))).toBe(false);
    expect(Math.max(...units.map((u) => u.turn))).toBe(2 + 10);
  });

  it('keeps secrets out of the lesson', () => {
    const lessons: Lesson[] = [];
    detectModelFixes(
      turns(
        assistant('Calling the API.', {
          name: 'Bash',
          input: 'curl -f https://api.example.com/v1/charges',
          output: 'curl: (22) The requested URL returned error: 401\nError: unauthorized',
          isError: true,
        }),
        assistant(
          'The request needs the key in a header: set `Authorization: Bearer sk-live-4eC39HqLyjWDarjtT1zdp7dc8aBcDeFgHiJk` on the curl call.',
        ),
      ),
      lessons,
      { model: TAKES_ALL },
    );
    expect(lessons).toHaveLength(1);
    expect(JSON.stringify(lessons)).not.toContain('4eC39HqLyjWDarjtT1zdp7dc');
  });
});

describe('fix model lessons in sessions', () => {
  const session = (list: Turn[]): Session => ({
    id: 's-fix',
    format: 'interactions',
    skipped: 0,
    turns: list,
  });

  it('never repeat a lesson the error rules found', () => {
    const { lessons } = detectLessons(session(turns(...EXPLAINED)), { fixModel: TAKES_ALL });
    const fixes = lessons.filter((l) => l.kind === 'error_resolution');
    expect(fixes).toHaveLength(1);
    expect(fixes[0]?.fromModel).toBeUndefined();
  });

  it('become error resolutions that say where they were read', () => {
    const s = session(
      turns(
        EXPLAINED[0] as Turn,
        EXPLAINED[1] as Turn,
        assistant(
          'The billing tests import `@ledgerly/db` from `dist/`. I will run `pnpm --filter @ledgerly/db generate` before `pnpm --filter @ledgerly/db build`.',
        ),
        user('thanks. next: the dashboard filter'),
      ),
    );
    const fixModel: LessonModel = { bias: -1, threshold: 0.5, weights: { 'ctx:action': 3 } };
    const { interactionCount, lessons } = detectLessons(s, { fixModel });
    expect(lessons.filter((l) => l.fromModel)).toHaveLength(1);
    const signals: SessionSignals = {
      interactionCount,
      signals: lessons.map(({ kind, turn, quote, strength }) => ({ kind, turn, quote, strength })),
      lessons,
    };
    const patterns = extractSessionPatterns(s, {}, signals);
    const pattern = patterns.find((p) => p.context.startsWith("Read from the assistant's"));
    expect(pattern?.category).toBe('error_resolution');
    expect(pattern?.trigger).toContain('did not initialize yet');
    expect(pattern?.resolution).toContain('pnpm --filter @ledgerly/db generate');
  });
});
