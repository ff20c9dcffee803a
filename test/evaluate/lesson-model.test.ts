import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type LessonModel,
  lessonScore,
  modelWords,
  sentenceScore,
  type UnitContext,
  unitFeatures,
} from '../../src/evaluate/lesson-model.js';
import {
  collectExamples,
  FIX_THRESHOLD,
  fitLessonModel,
} from '../../src/evaluate/lesson-model-train.js';
import { FIX_MODEL, LESSON_MODEL } from '../../src/evaluate/lesson-model-weights.js';
import { detectLessons } from '../../src/evaluate/signals.js';
import type { Session, Turn } from '../../src/model/session.js';

const ctx: UnitContext = {
  afterStop: false,
  corrective: false,
  conventionTurn: false,
  answer: false,
  firstPrompt: false,
  index: 1,
  count: 3,
};

/** A model that takes every sentence it reads, to show what the guards keep out. */
const TAKES_ALL: LessonModel = { bias: 10, threshold: 0.5, weights: {} };
/** A model that takes nothing: the phrase rules alone. */
const TAKES_NONE: LessonModel = { bias: 0, threshold: 2, weights: {} };

function session(userTexts: string[]): Session {
  const turns: Turn[] = [];
  for (const text of userTexts) {
    turns.push({ index: turns.length, role: 'user', text, toolCalls: [] });
    turns.push({ index: turns.length, role: 'assistant', text: 'Done.', toolCalls: [] });
  }
  return { id: 's-model', format: 'interactions', skipped: 0, turns };
}

describe('unitFeatures', () => {
  it.each([
    [
      'pls remember it: the tests only run with java 17 here.',
      ['w:remember', 'f1:pls', 'shape:dash', 'ctx:mid-message'],
    ],
    [
      'never touch `schema.sql` in this service!',
      ['w:never', 'shape:code', 'shape:path', 'shape:negation', 'shape:exclaim'],
    ],
    ['why does it fail on 3.12?', ['shape:question', 'shape:version', 'len:<10']],
    ['we use X, not Y', ['shape:contrast', 'b:we use']],
  ])('describes %j with the features a reader would name', (sentence, expected) => {
    expect(unitFeatures(sentence, ctx)).toEqual(expect.arrayContaining(expected));
  });

  it('adds where the sentence sits in its message', () => {
    const f = unitFeatures('keep it short', {
      ...ctx,
      afterStop: true,
      corrective: true,
      firstPrompt: true,
      index: 0,
      count: 1,
    });
    expect(f).toEqual(
      expect.arrayContaining([
        'ctx:after-stop',
        'ctx:corrective',
        'ctx:first-prompt',
        'ctx:first-sentence',
        'ctx:last-sentence',
        'ctx:short-message',
      ]),
    );
    expect(f).not.toContain('ctx:answer');
  });

  it('reads words in lower case with one kind of apostrophe', () => {
    expect(modelWords('Don’t USE npm-check')).toEqual(["don't", 'use', 'npm-check']);
  });
});

describe('lessonScore', () => {
  it('is the logistic of the bias plus the weights of the features present', () => {
    const model: LessonModel = {
      bias: -1,
      threshold: 0.5,
      weights: { 'w:never': 2, 'w:maybe': -3 },
    };
    expect(lessonScore(['w:never'], model)).toBeCloseTo(1 / (1 + Math.exp(-1)), 10);
    expect(lessonScore(['w:never', 'w:maybe'], model)).toBeCloseTo(1 / (1 + Math.exp(2)), 10);
    expect(lessonScore(['w:unknown'], model)).toBeCloseTo(1 / (1 + Math.exp(1)), 10);
  });

  it.each([
    'pls remember it: the tests only run with java 17 here.',
    'never touch `schema.sql` in this service, not even for a quick fix!',
    'we use pnpm, not npm — the lockfile is pnpm-lock.yaml',
    'ok',
    'why does the build break on 3.12?',
  ])('scores %j the same from the sentence as from its named features', (sentence) => {
    const where = { ...ctx, afterStop: true, index: 0 };
    expect(sentenceScore(sentence, where)).toBeCloseTo(
      lessonScore(unitFeatures(sentence, where)),
      12,
    );
  });

  it('ships a trained model whose threshold lies inside 0..1', () => {
    expect(LESSON_MODEL.threshold).toBeGreaterThan(0);
    expect(LESSON_MODEL.threshold).toBeLessThan(1);
    expect(Object.keys(LESSON_MODEL.weights).length).toBeGreaterThan(100);
  });
});

describe('detectLessons with the lesson model', () => {
  const stated = 'pls remember it: the tests only run with java 17 here.';

  it('takes a lesson the phrase rules miss, and only when the model scores it high enough', () => {
    const s = session(['set up the nightly job', stated]);
    const withModel = detectLessons(s).lessons;
    const rulesOnly = detectLessons(s, { model: TAKES_NONE }).lessons;
    expect(rulesOnly.some((l) => /java 17/.test(l.quote))).toBe(false);
    const taken = withModel.find((l) => /java 17/.test(l.quote));
    expect(taken?.kind).toBe('convention');
    expect(taken?.directive?.instruction).toBe('The tests only run with java 17 here.');
  });

  it.each([
    ['a request for the work at hand', 'can you write me the logging bit for the consumer'],
    ['the next task', 'next: the dashboard wants the late buckets as rows'],
    ['a retraction', "never mind, I'll ask Ines, she has the dashboards for that"],
    ['an error report', 'It fails in the browser: ReferenceError: process is not defined'],
    ['an observation with no rule', 'in dev I sometimes see this warning, no idea why'],
    ['a scope of this one change', "we're not downgrading anything in this PR"],
    ['a question', 'should the retries live in the worker or the queue?'],
    ['a limit to the moment', "don't change anything yet, just explain what the bug is"],
    ['a diagnosis', 'the cache is never invalidated, that is the bug'],
    ['a report of how things stand', 'all tests in this repo are failing since the merge'],
    ['a token handed over', 'also here is the token for the staging API, in case you need it'],
  ])('never takes %s, whatever the model says', (_what, text) => {
    const lessons = detectLessons(session([text]), { model: TAKES_ALL }).lessons;
    expect(lessons).toEqual([]);
  });

  it('makes a lesson next to a limit of the environment a workaround', () => {
    const text = 'the sandbox never has network, keep using the offline flag for cargo here';
    const lessons = detectLessons(session([text]), { model: TAKES_ALL }).lessons;
    expect(lessons.map((l) => l.kind)).toEqual(['workaround']);
  });

  it('reports every sentence it reads, and whether the rules left it to the model', () => {
    const seen: Array<{ text: string; offered: boolean; rule: boolean }> = [];
    detectLessons(session(['Never commit directly to main.', stated]), {
      model: TAKES_NONE,
      onUnit: (u) => seen.push({ text: u.text, offered: u.offered, rule: u.rule }),
    });
    expect(seen).toEqual([
      { text: 'Never commit directly to main.', offered: false, rule: true },
      { text: stated, offered: true, rule: false },
    ]);
  });
});

describe('the shipped weights', () => {
  it('are exactly what npm run train fits on the labelled fixtures in the repository', {
    timeout: 120_000,
  }, async () => {
    const fixtures = join(import.meta.dirname, '../fixtures');
    const sets = await collectExamples({
      transcriptsDir: join(fixtures, 'transcripts'),
      labelsDir: join(fixtures, 'eval'),
    });
    expect(sets.lessons.filter((e) => e.positive).length).toBeGreaterThan(100);
    expect(sets.fixes.filter((e) => e.positive).length).toBeGreaterThan(50);
    const stale =
      'src/evaluate/lesson-model-weights.ts is stale: run `npm run train` after changing fixtures, labels, phrase rules or features';
    expect(fitLessonModel(sets.lessons), stale).toEqual(LESSON_MODEL);
    expect(fitLessonModel(sets.fixes, { threshold: FIX_THRESHOLD }), stale).toEqual(FIX_MODEL);
  });
});

describe('npm run train', () => {
  const root = join(import.meta.dirname, '../..');
  const trainer = join(root, 'dist/bench/train-lesson-model.js');
  const dir = mkdtempSync(join(tmpdir(), 'attune-train-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!existsSync(trainer))(
    'trains on labelled fixtures and writes a loadable model',
    async () => {
      const transcripts = join(dir, 'transcripts');
      const labels = join(dir, 'labels');
      mkdirSync(labels, { recursive: true });
      const sets: Array<[string, string, string[]]> = [
        [
          'set-a',
          'jobs',
          ['please add the export job', 'always run the linter before pushing here'],
        ],
        [
          'set-b',
          'notes',
          ['fix the date parsing', 'we keep all migrations in db/migrate, never elsewhere'],
        ],
        [
          'set-c',
          'docs',
          ['update the readme', 'always write docs in british english in this repo'],
        ],
      ];
      for (const [set, name, texts] of sets) {
        mkdirSync(join(transcripts, set, 'openai'), { recursive: true });
        const messages = texts.flatMap((t) => [
          { role: 'user', content: t },
          { role: 'assistant', content: 'Done.' },
        ]);
        writeFileSync(join(transcripts, set, 'openai', `${name}.json`), JSON.stringify(messages));
        const rule = texts[1] ?? '';
        const keyword = rule.split(' ').find((w) => w.length > 6) ?? rule;
        writeFileSync(
          join(labels, `${name}.labels.json`),
          JSON.stringify([
            { id: `${name}/rule`, category: 'preference', lesson: rule, match: [keyword] },
          ]),
        );
      }
      const out = join(dir, 'weights.js');
      const result = spawnSync(
        process.execPath,
        [
          trainer,
          '--transcripts',
          transcripts,
          '--labels',
          labels,
          '--out',
          out,
          '--min-sessions',
          '1',
        ],
        { encoding: 'utf8' },
      );
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/sentences \(\d+ positive\)/);
      expect(readFileSync(out, 'utf8')).toContain('export const LESSON_MODEL');
      const { LESSON_MODEL: trained } = (await import(out)) as { LESSON_MODEL: LessonModel };
      expect(trained.threshold).toBe(0.5);
      expect(Object.keys(trained.weights).length).toBeGreaterThan(0);
    },
  );
});
