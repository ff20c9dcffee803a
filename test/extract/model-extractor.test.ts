import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAttuneError } from '../../src/errors.js';
import {
  earlierContext,
  extractionPrompt,
  extractWithModel,
  mergeSamples,
  parseModelAnswer,
  patternsFromLessons,
  reviewPrompt,
  runExtractorCommand,
  sessionDigest,
  sessionParts,
} from '../../src/extract/model-extractor.js';
import { learnFromSessions, learnFromTranscriptText } from '../../src/learn/learn.js';
import type { Session, ToolCall, Turn } from '../../src/model/session.js';
import { LearnedSkillsStorage } from '../../src/storage/learned-skills-storage.js';

const FAKE = resolve(import.meta.dirname, '../fixtures/extractor/fake-model.mjs');
const model = (mode: string) => `"${process.execPath}" "${FAKE}" ${mode}`;

const FAILING: ToolCall = {
  name: 'Bash',
  input: 'pnpm test',
  output: 'FAIL src/a.test.ts\nError: Cannot find module "./db" from src/a.test.ts',
  isError: true,
};

function session(...list: Array<[Turn['role'], string, ToolCall[]?]>): Session {
  return {
    id: 'sess-1',
    format: 'claude-code',
    skipped: 0,
    turns: list.map(([role, text, toolCalls], index) => ({
      index,
      role,
      text,
      toolCalls: toolCalls ?? [],
    })),
  };
}

const SESSION = session(
  ['user', 'add a retry to the upload client'],
  ['assistant', 'Adding it with axios-retry.'],
  ['user', 'no, never add dependencies for this; always use the fetch wrapper in src/http.ts'],
  ['assistant', 'Understood, using src/http.ts.', [FAILING]],
  ['user', 'thanks'],
);

describe('the answer parser', () => {
  const lessons = [{ category: 'preference', trigger: 't', resolution: 'r' }];
  const json = JSON.stringify({ lessons });
  it.each([
    ['an object with lessons', json],
    ['a bare array', JSON.stringify(lessons)],
    [
      "Claude Code's --output-format json envelope around a fenced block",
      JSON.stringify({ type: 'result', result: `Here you go:\n\`\`\`json\n${json}\n\`\`\`` }),
    ],
    ['an OpenAI chat completion', JSON.stringify({ choices: [{ message: { content: json } }] })],
    ['JSON wrapped in prose', `Sure! ${json} Anything else?`],
  ])('reads %s', (_name, answer) => {
    expect(parseModelAnswer(answer)).toEqual(lessons);
  });

  it.each([
    ['prose', 'I cannot help with that.'],
    ['nothing', ''],
    ['JSON of another shape', '{"answer": 42}'],
  ])('rejects %s with a clear error', (_name, answer) => {
    expect(() => parseModelAnswer(answer)).toThrow(/holds no lessons JSON/);
  });
});

describe('lessons to patterns', () => {
  it('keeps valid lessons as patterns with evidence at the turn the model named', () => {
    const { patterns, rejected } = patternsFromLessons(
      [
        {
          category: 'user_correction',
          trigger: 'When adding an HTTP retry.',
          resolution: 'use the fetch wrapper in src/http.ts instead of adding a dependency',
          context: 'The user rejected axios-retry',
          turn: 2,
          confidence: 0.85,
        },
      ],
      SESSION,
      { now: new Date(0) },
    );
    expect(rejected).toBe(0);
    expect(patterns).toHaveLength(1);
    const p = patterns[0];
    expect(p?.category).toBe('user_correction');
    expect(p?.trigger).toBe('When adding an HTTP retry');
    expect(p?.resolution).toBe(
      'Use the fetch wrapper in src/http.ts instead of adding a dependency.',
    );
    expect(p?.context).toBe('The user rejected axios-retry.');
    expect(p?.confidence).toBe(0.85);
    expect(p?.sourceSession).toBe('sess-1');
    expect(p?.metadata.extractor).toBe('model');
    expect(p?.metadata.evidence).toEqual([
      {
        sessionId: 'sess-1',
        turn: 2,
        quote: 'no, never add dependencies for this; always use the fetch wrapper in src/http.ts',
      },
    ]);
  });

  it.each([
    ['not an object', 'use pnpm'],
    ['an unknown category', { category: 'trivia', trigger: 't', resolution: 'r' }],
    ['no resolution', { category: 'preference', trigger: 't', resolution: '  ' }],
    ['no trigger', { category: 'preference', resolution: 'use pnpm' }],
    [
      'a resolution that was only a secret',
      {
        category: 'preference',
        trigger: 't',
        resolution: 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH',
      },
    ],
  ])('rejects a lesson that is %s', (_name, item) => {
    expect(patternsFromLessons([item], SESSION)).toMatchObject({ patterns: [], rejected: 1 });
  });

  it('redacts secrets the model repeated, in every field', () => {
    const key = 'AKIAIOSFODNN7EXAMPLE';
    const { patterns } = patternsFromLessons(
      [
        {
          category: 'workaround',
          trigger: `When the AWS key ${key} is rejected`,
          resolution: `Export AWS_ACCESS_KEY_ID=${key} before running the deploy.`,
          context: `The key ${key} had expired.`,
        },
      ],
      SESSION,
    );
    const text = JSON.stringify(patterns);
    expect(text).not.toContain(key);
    expect(text).toContain('[REDACTED:');
  });

  it('drops a turn outside the session, clamps confidence and merges repeats', () => {
    const item = { category: 'preference', trigger: 't', resolution: 'Use pnpm.', turn: 99 };
    const { patterns } = patternsFromLessons(
      [
        { ...item, confidence: 3 },
        { ...item, confidence: 0.1 },
      ],
      SESSION,
    );
    expect(patterns).toHaveLength(1);
    expect(patterns[0]?.confidence).toBe(0.9);
    expect(patterns[0]?.metadata.evidence).toEqual([{ sessionId: 'sess-1' }]);
  });

  it('takes at most 20 lessons from one session and cuts long fields to a note', () => {
    const items = Array.from({ length: 25 }, (_, i) => ({
      category: 'project_specific',
      trigger: 'When working here',
      resolution: `Rule ${i}: ${'word '.repeat(200)}`,
    }));
    const { patterns, rejected } = patternsFromLessons(items, SESSION, { project: '/repo' });
    expect(patterns).toHaveLength(20);
    expect(rejected).toBe(5);
    expect(patterns[0]?.resolution.length).toBeLessThanOrEqual(421);
    expect(patterns[0]?.metadata.project).toBe('/repo');
  });

  it('leaves out the project facts the model doubts, and only those', () => {
    const lesson = (category: string, resolution: string, confidence?: number) => ({
      category,
      trigger: 'When working in this repo',
      resolution,
      ...(confidence === undefined ? {} : { confidence }),
    });
    const { patterns, rejected, doubtful } = patternsFromLessons(
      [
        lesson('project_specific', 'Run the API tests with npm run test:api.', 0.55),
        lesson('project_specific', 'Keep migrations in db/migrations, one file per change.', 0.6),
        lesson('project_specific', 'Use the Makefile targets, never call go build directly.'),
        lesson('user_correction', 'Use pnpm, never npm.', 0.5),
        lesson('error_resolution', 'Rebuild better-sqlite3 after a Node upgrade.', 0.4),
      ],
      SESSION,
    );
    expect({ rejected, doubtful }).toEqual({ rejected: 0, doubtful: 1 });
    expect(patterns.map((p) => p.resolution)).toEqual([
      'Keep migrations in db/migrations, one file per change.',
      'Use the Makefile targets, never call go build directly.',
      'Use pnpm, never npm.',
      'Rebuild better-sqlite3 after a Node upgrade.',
    ]);
  });
});

describe('the session digest', () => {
  it('numbers every turn as in the session and shows failing calls with their error line', () => {
    const digest = sessionDigest(SESSION);
    expect(digest).toContain('[0] USER: add a retry to the upload client');
    expect(digest).toContain('[3] ASSISTANT: Understood, using src/http.ts.');
    expect(digest).toMatch(/Bash: pnpm test -> FAILED: .*Cannot find module/);
  });

  it('redacts secrets before anything is sent to the model', () => {
    const token = 'ghp_1234567890abcdefghijklmnopqrstuvwxyzAB';
    const digest = extractionPrompt(session(['user', `push with GITHUB_TOKEN=${token} please`]));
    expect(digest).not.toContain(token);
    expect(digest).toContain('[REDACTED:');
  });

  it("shows an agent's long turn whole when the session fits: every call in order, the end of its prose", () => {
    const calls: ToolCall[] = Array.from({ length: 60 }, (_, i) => ({
      name: 'Bash',
      input: `step-${i}`,
      output: 'ok',
    }));
    const prose = `I will start by reading the code. ${'Then I change things. '.repeat(60)}Done: coverage stays at 100%.`;
    const digest = sessionDigest(session(['user', 'port it to Rust'], ['assistant', prose, calls]));
    const order = [...digest.matchAll(/Bash: step-(\d+) -> ok/g)].map((m) => Number(m[1]));
    expect(order).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(digest).toContain('I will start by reading the code.');
    expect(digest).toContain('Done: coverage stays at 100%.');
    expect(digest).not.toContain('tool calls left out');
  });

  it('keeps every failure and the call after it when a turn has too many calls to show', () => {
    const calls: ToolCall[] = Array.from({ length: 3000 }, (_, i) => ({
      name: 'Bash',
      input: `step-${i} ${'x'.repeat(200)}`,
      ...(i === 1234
        ? { output: 'Error: Cannot find module ./db', isError: true, exitCode: 1 }
        : { output: 'ok' }),
    }));
    const digest = sessionDigest(
      session(['user', 'fix the build'], ['assistant', 'On it.', calls]),
    );
    expect(digest.length).toBeLessThanOrEqual(60_000);
    expect(digest).toMatch(/Bash: step-1234 .*-> FAILED \(exit 1\): .*Cannot find module \.\/db/);
    expect(digest).toMatch(/Bash: step-1235 .*-> ok/);
    const shown = [...digest.matchAll(/Bash: step-(\d+) /g)].map((m) => Number(m[1]));
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
    expect(shown[0]).toBeLessThan(100);
    expect(shown[shown.length - 1]).toBeGreaterThan(2900);
    expect(digest).toMatch(/\(\d+ tool calls left out\)/);
  });

  it('fills the room between two budgets when a session just misses the larger one', () => {
    // Twenty 4,000-character agent turns: too long to show at 3,000 characters a turn (the
    // budget above), and only 30,000 characters at 1,500 (the one below).
    const busy = session(
      ...Array.from({ length: 40 }, (_, i): [Turn['role'], string] =>
        i % 2 === 0
          ? ['user', `step ${i}: go on`]
          : ['assistant', `turn ${i} starts. ${'lorem ipsum dolor '.repeat(220)} turn ${i} ends.`],
      ),
    );
    const digest = sessionDigest(busy);
    expect(digest.length).toBeLessThanOrEqual(60_000);
    expect(digest.length).toBeGreaterThan(45_000);
    const shown = digest.match(/\[1\] ASSISTANT: .*/)?.[0] ?? '';
    expect(shown.length).toBeGreaterThan(2_000);
    expect(shown.length).toBeLessThan(3_000);
    expect(digest).toContain('turn 39 starts.');
    expect(digest).toContain('turn 39 ends.');
    expect(digest).not.toMatch(/turns left out/);
  });

  it('fits a long session into the budget, keeping its start and end', () => {
    const long = session(
      ...Array.from({ length: 400 }, (_, i): [Turn['role'], string] => [
        i % 2 === 0 ? 'user' : 'assistant',
        `turn ${i} ${'lorem ipsum dolor '.repeat(40)}`,
      ]),
    );
    const digest = sessionDigest(long, 20_000);
    expect(digest.length).toBeLessThanOrEqual(20_000);
    expect(digest).toContain('[0] USER: turn 0');
    expect(digest).toContain('[399] ASSISTANT: turn 399');
    expect(digest).toMatch(/\[\.\.\. \d+ turns left out \.\.\.\]/);
  });
});

describe('earlier sessions of the same file', () => {
  /** An Aider-like run: when it began, its banner, and its turns. */
  const run = (
    startedAt: string,
    setup: string[],
    ...turns: Array<[Turn['role'], string, ToolCall[]?]>
  ) => ({
    ...session(...turns),
    id: `history@${startedAt}`,
    format: 'aider' as const,
    startedAt,
    setup,
  });
  const BAD_NAME: ToolCall = {
    name: 'aider',
    input: '',
    output:
      'litellm.BadRequestError: OpenrouterException - {"error":{"message":"qwen3-235b-a22b is not a valid model ID","code":400}}',
    isError: true,
  };
  const first = run(
    '2025-06-02T12:02:21',
    ['Model: openrouter/qwen3-235b-a22b with architect edit format'],
    ['user', "what's this dir doing?"],
    ['assistant', '', [BAD_NAME]],
  );
  const second = run(
    '2025-06-02T12:04:48',
    ['Model: openrouter/qwen/qwen3-235b-a22b with architect edit format'],
    ['user', "what's this dir doing?"],
    ['assistant', 'It holds the iterable helpers and their tests.'],
  );

  it('shows the set-up lines of the session in the digest header', () => {
    const digest = sessionDigest(second);
    expect(digest).toContain(
      'setup: Model: openrouter/qwen/qwen3-235b-a22b with architect edit format',
    );
  });

  it('gives one line per earlier session of the day: its model, first request and failure', () => {
    const context = earlierContext(second, [first]);
    expect(context).toMatch(/^earlier sessions in this file, for context only/);
    expect(context).toContain(
      '- 2025-06-02T12:02:21 (Model: openrouter/qwen3-235b-a22b with architect edit format): 2 turns, first request "what\'s this dir doing?"; failed: litellm.BadRequestError: OpenrouterException',
    );
    expect(context).toContain('is not a valid model ID');
    // The prompt holds it before the session's turns.
    const prompt = extractionPrompt(second, undefined, context);
    expect(prompt.indexOf('earlier sessions in this file')).toBeLessThan(
      prompt.indexOf('[0] USER'),
    );
  });

  it('leaves out sessions more than a day older, later ones, and sessions without a start time', () => {
    const old = { ...first, startedAt: '2025-05-30T09:00:00' };
    const later = { ...first, startedAt: '2025-06-02T15:00:00' };
    expect(earlierContext(second, [old, later])).toBe('');
    const { startedAt: _first, ...undated } = first;
    const { startedAt: _second, ...unknownStart } = second;
    expect(earlierContext(unknownStart, [first])).toBe('');
    expect(earlierContext(second, [undated])).toBe('');
  });

  it('keeps the most recent earlier sessions when they do not all fit, oldest first', () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      run(
        `2025-06-02T10:${String(i).padStart(2, '0')}:00`,
        [],
        ['user', `request number ${i} ${'with some words '.repeat(8)}`],
        ['assistant', 'done'],
      ),
    );
    const context = earlierContext({ ...second, startedAt: '2025-06-02T11:00:00' }, many);
    expect(context.length).toBeLessThanOrEqual(2_600);
    const shown = [...context.matchAll(/request number (\d+)/g)].map((m) => Number(m[1]));
    expect(shown.length).toBeGreaterThan(3);
    expect(shown.length).toBeLessThan(40);
    expect(shown[shown.length - 1]).toBe(39);
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
  });

  it('redacts a secret an earlier session held', () => {
    const leaky = run(
      '2025-06-02T12:00:00',
      [],
      ['user', 'use OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD for now'],
      ['assistant', 'ok'],
    );
    const prompt = extractionPrompt(second, undefined, earlierContext(second, [leaky]));
    expect(prompt).not.toContain('sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD');
    expect(prompt).toContain('[REDACTED:');
  });

  it('reaches the model when learning from an Aider history: a failed start, then the run that worked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attune-earlier-'));
    const storage = new LearnedSkillsStorage({ storageDir: join(dir, 'store') });
    try {
      const history = [
        '# aider chat started at 2025-06-02 12:02:21',
        '',
        '> Aider v0.84.0',
        '> Model: openrouter/qwen3-235b-a22b with architect edit format',
        '',
        "#### what's this dir doing?",
        '',
        '> litellm.BadRequestError: OpenrouterException - qwen3-235b-a22b is not a valid model ID',
        '',
        '# aider chat started at 2025-06-02 12:04:48',
        '',
        '> Aider v0.84.0',
        '> Model: openrouter/qwen/qwen3-235b-a22b with architect edit format',
        '',
        "#### what's this dir doing? always answer in short bullet points",
        '',
        'It holds the iterable helpers and their tests.',
        '',
      ].join('\n');
      const log = join(dir, 'prompts');
      const command = `mkdir -p "${log}" && f=$(mktemp "${log}/p.XXXXXX") && cat > "$f" && ${model('plain')} < "$f"`;
      const report = await learnFromTranscriptText(history, {
        storage,
        userId: 'u1',
        force: true,
        dryRun: true,
        sourceName: 'history.md',
        extractor: { command },
      });
      expect(report.sessions.map((s) => s.extractor)).toEqual(['model', 'model']);
      const prompts = readdirSync(log).map((f) => readFileSync(join(log, f), 'utf8'));
      const later = prompts.find((p) => p.includes('history@2025-06-02T12:04:48'));
      expect(later).toContain('setup: Model: openrouter/qwen/qwen3-235b-a22b');
      expect(later).toMatch(
        /- 2025-06-02T12:02:21 \(Model: openrouter\/qwen3-235b-a22b[^)]*\): 2 turns, first request "what's this dir doing\?"; failed: .*not a valid model ID/,
      );
      const earlier = prompts.find((p) => p.includes('history@2025-06-02T12:02:21 (aider)'));
      expect(earlier).not.toContain('earlier sessions in this file');
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the user's language", () => {
  const japanese = session(
    ['user', 'アップロードのリトライを追加してください'],
    ['assistant', '了解しました。'],
    ['user', 'テストも更新してください'],
  );

  it("adds the rules' 'answer in <language>' when the model leaves it out", async () => {
    const { patterns } = await extractWithModel(japanese, { command: model('plain') });
    expect(patterns.map((p) => p.resolution)).toEqual([
      'Answer the user in Japanese, the language they write in.',
    ]);
    expect(patterns[0]?.metadata.extractor).toBeUndefined();
  });

  it('adds nothing when the model already noted the language', async () => {
    const said = session(
      ['user', 'アップロードのリトライを追加してください。always reply in Japanese'],
      ['assistant', '了解しました。'],
      ['user', 'テストも更新してください'],
    );
    const { patterns } = await extractWithModel(said, { command: model('plain') });
    expect(patterns).toHaveLength(1);
    expect(patterns[0]?.metadata.extractor).toBe('model');
  });

  it('adds nothing for a user who writes English', async () => {
    const { patterns } = await extractWithModel(SESSION, { command: model('plain') });
    expect(patterns.every((p) => p.metadata.extractor === 'model')).toBe(true);
  });
});

// 120 turns of about 1 000 characters; every 20th user turn states a rule.
const long = session(
  ...Array.from({ length: 120 }, (_, i): [Turn['role'], string] =>
    i % 2 === 0
      ? [
          'user',
          i % 20 === 0 ? `always run make lint-${i} before committing` : `go on with step ${i}`,
        ]
      : ['assistant', `step ${i} ${'done and checked again, '.repeat(40)}`],
  ),
);

describe('a session too long for one prompt', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'attune-parts-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is sent in consecutive parts that cover every turn, when one prompt would lose its middle', () => {
    expect(sessionParts(SESSION)).toEqual([{ from: 0, to: SESSION.turns.length }]);
    // It fits when every turn is cut short: one prompt, shortened.
    expect(sessionParts(long, 20_000)).toEqual([{ from: 0, to: 120 }]);
    expect(sessionDigest(long, 10_000)).not.toMatch(/turns left out/);
    const parts = sessionParts(long, 9_000);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0]?.from).toBe(0);
    expect(parts[parts.length - 1]?.to).toBe(120);
    for (let k = 1; k < parts.length; k++) expect(parts[k]?.from).toBe(parts[k - 1]?.to);
  });

  it('goes in one prompt, its middle left out, when it would need more than six parts', () => {
    expect(sessionParts(long, 5_000)).toEqual([{ from: 0, to: 120 }]);
    expect(sessionDigest(long, 5_000).length).toBeLessThanOrEqual(5_000);
  });

  it('asks the model part by part, telling each part what the earlier ones taught', async () => {
    const log = join(dir, 'prompts');
    const command = `mkdir -p "${log}" && f=$(mktemp "${log}/p.XXXXXX") && cat > "$f" && ${model('plain')} < "$f"`;
    const { patterns } = await extractWithModel(long, {
      samples: 1,
      command,
      maxDigestChars: 9_000,
    });
    const prompts = readdirSync(log).map((f) => readFileSync(join(log, f), 'utf8'));
    const parts = sessionParts(long, 9_000);
    expect(prompts).toHaveLength(parts.length);
    const second = prompts.find((p) => p.includes(`part 2 of ${parts.length} of a long session`));
    expect(second).toContain('Lessons already written down from the earlier parts');
    expect(second).toContain('always run make lint-0 before committing');
    // Every rule of every part, its evidence the turn's number in the whole session.
    expect(
      patterns.map((p) => p.metadata.evidence?.[0]?.turn).sort((a, b) => Number(a) - Number(b)),
    ).toEqual([0, 20, 40, 60, 80, 100]);
  });

  it('fails as a whole when one part fails, and asks only that part again next time', async () => {
    const cacheDir = join(dir, 'cache');
    const log = join(dir, 'calls');
    // Fails on the second part while the file `down` exists.
    const down = join(dir, 'down');
    const command = `p=$(cat); echo x >> "${log}"; case "$p" in *"part 2 of"*) [ -e "${down}" ] && exit 3;; esac; printf '%s' "$p" | ${model('plain')}`;
    writeFileSync(down, '');
    await expect(
      extractWithModel(long, { samples: 1, command, maxDigestChars: 9_000, cacheDir }),
    ).rejects.toThrow(/exited with 3/);
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
    rmSync(down);
    const { patterns } = await extractWithModel(long, {
      samples: 1,
      command,
      maxDigestChars: 9_000,
      cacheDir,
    });
    const parts = sessionParts(long, 9_000).length;
    // Part 1 came from the cache: one call per remaining part.
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toHaveLength(2 + parts - 1);
    expect(patterns.length).toBeGreaterThan(0);
  });

  it('asks nothing again when every part is in the cache', async () => {
    const cacheDir = join(dir, 'cache');
    const log = join(dir, 'calls');
    const command = `echo x >> "${log}"; ${model('plain')}`;
    const first = await extractWithModel(long, {
      samples: 1,
      command,
      maxDigestChars: 9_000,
      cacheDir,
    });
    const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
    const again = await extractWithModel(long, {
      samples: 1,
      command,
      maxDigestChars: 9_000,
      cacheDir,
    });
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toHaveLength(calls);
    expect(again.patterns.map((p) => p.patternId)).toEqual(first.patterns.map((p) => p.patternId));
  });
});

describe('the review call', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'attune-review-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const REVIEWED = session(
    ['user', 'set up the release script'],
    ['assistant', 'Done.'],
    ['user', "don't bump the version just this once, the tag exists"],
    ['assistant', 'Left the version alone.'],
    ['user', 'releases must be signed with the team key in ops/keys; always run make check first'],
    ['assistant', 'Signed and checked.'],
  );

  /** The command, logging every prompt it gets to `prompts/`. */
  const logged = (mode: string) => {
    const log = join(dir, 'prompts');
    return `mkdir -p "${log}" && f=$(mktemp "${log}/p.XXXXXX") && cat > "$f" && ${model(mode)} < "$f"`;
  };
  const prompts = () => {
    const log = join(dir, 'prompts');
    return readdirSync(log).map((f) => readFileSync(join(log, f), 'utf8'));
  };

  const SIGNED =
    'Releases must be signed with the team key in ops/keys; always run make check first.';
  /** Category and resolution of each pattern of REVIEWED reviewed in `mode`; the review worked. */
  const reviewed = async (mode: 'complete' | 'verify') => {
    const { patterns, reviewError } = await extractWithModel(REVIEWED, {
      samples: 1,
      command: logged('review'),
      review: mode,
    });
    expect(reviewError).toBeUndefined();
    return patterns.map((p) => [p.category, p.resolution]);
  };

  it('checks and completes the first answer: drops what the review drops, adds what it adds', async () => {
    const plain = await extractWithModel(REVIEWED, { samples: 1, command: model('plain') });
    expect(plain.patterns.map((p) => p.resolution)).toEqual([
      "Don't bump the version just this once, the tag exists.",
      'Releases must be signed with the team key in ops/keys; always run make check first.',
    ]);
    expect(await reviewed('complete')).toEqual([
      ['preference', SIGNED],
      ['project_specific', SIGNED],
    ]);
    // Two calls: the first answer, then the session with that answer as a numbered draft.
    const review = prompts().find((p) => p.includes('<draft>'));
    expect(prompts()).toHaveLength(2);
    expect(review).toContain('[4] USER: releases must be signed');
    expect(review).toMatch(/^1\. \{"category":"preference".*just this once/m);
    expect(review).toMatch(/^2\. \{"category":"preference".*must be signed/m);
    expect(review).toContain('add every lesson the draft missed');
  });

  it('in verify mode only checks the first answer: drops what the review drops, adds nothing', async () => {
    expect(await reviewed('verify')).toEqual([['preference', SIGNED]]);
    const review = prompts().find((p) => p.includes('<draft>'));
    expect(prompts()).toHaveLength(2);
    expect(review).toMatch(/^1\. \{"category":"preference".*just this once/m);
    expect(review).toContain('Do not add lessons the draft lacks.');
    expect(review).not.toContain('add every lesson the draft missed');
  });

  it('does not ask to verify an empty first answer', async () => {
    const quiet = session(['user', 'what does this function return?'], ['assistant', 'A list.']);
    const { patterns } = await extractWithModel(quiet, {
      samples: 1,
      command: logged('review'),
      review: 'verify',
    });
    expect(patterns).toEqual([]);
    expect(prompts()).toHaveLength(1);
  });

  it("asks once when the review is 'off'", async () => {
    const { patterns } = await extractWithModel(REVIEWED, {
      samples: 1,
      command: logged('review'),
      review: 'off',
    });
    expect(prompts()).toHaveLength(1);
    expect(patterns).toHaveLength(2);
  });

  it('keeps the first answer, and says why, when the review call fails', async () => {
    const { patterns, reviewError } = await extractWithModel(REVIEWED, {
      samples: 1,
      command: model('review-fail'),
      review: 'complete',
    });
    expect(reviewError).toMatch(/exited with 4: error: context window exceeded/);
    expect(patterns).toHaveLength(2);
  });

  it('asks nothing again when both answers are in the cache', async () => {
    const cacheDir = join(dir, 'cache');
    const command = logged('review');
    const first = await extractWithModel(REVIEWED, {
      samples: 1,
      command,
      review: 'complete',
      cacheDir,
    });
    const again = await extractWithModel(REVIEWED, {
      samples: 1,
      command,
      review: 'complete',
      cacheDir,
    });
    expect(prompts()).toHaveLength(2);
    expect(again.patterns.map((p) => p.patternId)).toEqual(first.patterns.map((p) => p.patternId));
  });

  it('sends no secret the first answer repeated, and stays within the digest budget', () => {
    const key = `sk-ant-api03-${'a1B2c3D4e5F6g7H8i9J0'.repeat(4)}`;
    const draft = [
      {
        category: 'workaround',
        trigger: 'When calling the API',
        resolution: `Use the key ${key}.`,
      },
      'not a lesson',
      { category: 'preference', trigger: 'x'.repeat(5_000), resolution: 'Keep it short.' },
    ];
    const prompt = reviewPrompt(long, 9_000, draft, 'verify');
    expect(prompt).not.toContain(key);
    expect(prompt).toContain('[REDACTED:anthropic-api-key]');
    expect(prompt).not.toContain('not a lesson');
    const digest = prompt.slice(prompt.indexOf('<session>'), prompt.indexOf('</session>'));
    const listed = prompt.slice(prompt.indexOf('<draft>'), prompt.indexOf('</draft>'));
    // Fields cut to a note's length; draft and digest together within the budget.
    expect(listed.length).toBeLessThan(1_000);
    expect(digest.length + listed.length).toBeLessThanOrEqual(9_000 + 40);
  });

  it('reviews each part of a long session on its own', async () => {
    const { patterns } = await extractWithModel(long, {
      samples: 1,
      command: logged('review'),
      maxDigestChars: 9_000,
      review: 'complete',
    });
    const parts = sessionParts(long, 9_000).length;
    const reviews = prompts().filter((p) => p.includes('<draft>'));
    expect(reviews).toHaveLength(parts);
    expect(reviews.filter((p) => /part 2 of \d+ of a long session/.test(p))).toHaveLength(1);
    expect(patterns.length).toBe(6);
  });
});

describe('the extractor command', () => {
  it.each(['plain', 'envelope', 'openai', 'prose'])(
    'turns the answer of a %s model into patterns',
    async (mode) => {
      const { patterns } = await extractWithModel(SESSION, { command: model(mode) });
      expect(patterns.map((p) => p.resolution)).toEqual([
        'No, never add dependencies for this; always use the fetch wrapper in src/http.ts.',
      ]);
      expect(patterns[0]?.metadata.evidence).toMatchObject([{ turn: 2 }]);
    },
  );

  it('reports a failing command with its last stderr line', async () => {
    const error = await runExtractorCommand(model('fail'), 'x', { timeoutMs: 10_000 }).catch(
      (e: unknown) => e,
    );
    expect(isAttuneError(error, 'IO')).toBe(true);
    expect((error as Error).message).toMatch(/exited with 3: error: model overloaded, try later/);
  });

  it('kills a command that takes too long', async () => {
    const started = Date.now();
    const error = await runExtractorCommand(model('sleep'), 'x', { timeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/timed out after 0 s/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('reports a command that does not exist', async () => {
    const error = await runExtractorCommand('attune-no-such-model-xyz', 'x', {
      timeoutMs: 10_000,
    }).catch((e: unknown) => e);
    expect(isAttuneError(error, 'IO')).toBe(true);
    expect((error as Error).message).toContain('attune-no-such-model-xyz');
  });

  it('does not mind a command that never reads the prompt', async () => {
    const big = 'x'.repeat(2_000_000);
    await expect(
      runExtractorCommand(model('ignore-stdin'), big, { timeoutMs: 10_000 }),
    ).resolves.toBe('{"lessons": []}');
  });

  it('rejects an answer without lessons JSON', async () => {
    await expect(extractWithModel(SESSION, { command: model('garbage') })).rejects.toThrow(
      /holds no lessons JSON: "I cannot help with that\."/,
    );
  });

  it('answers the same session from its cache, without running the command again', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'attune-cache-'));
    try {
      const first = await extractWithModel(SESSION, { command: model('plain'), cacheDir });
      // The same command now fails: the answer must come from the cache.
      const failing = { ...process.env, FAKE_MODEL_MODE: 'fail' };
      const again = await extractWithModel(SESSION, {
        command: model('plain'),
        cacheDir,
        env: failing,
      });
      expect(again.patterns.map((p) => p.patternId)).toEqual(
        first.patterns.map((p) => p.patternId),
      );
      // Another session is not in the cache.
      const other = session(['user', 'never use var in this codebase']);
      await expect(
        extractWithModel(other, { command: model('plain'), cacheDir, env: failing }),
      ).rejects.toThrow(/model overloaded/);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('keeps no secret in its cache and recovers from a damaged cache file', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'attune-cache-'));
    try {
      const key = 'AKIAIOSFODNN7EXAMPLE';
      const leaky = session(['user', `always export AWS_ACCESS_KEY_ID=${key} first`]);
      // The digest is redacted, so even an echoing model cannot return the key; check the
      // stored file all the same.
      await extractWithModel(leaky, { samples: 1, command: model('plain'), cacheDir });
      const { readdirSync, readFileSync, writeFileSync } = await import('node:fs');
      const files = readdirSync(cacheDir);
      expect(files).toHaveLength(1);
      const path = join(cacheDir, files[0] as string);
      expect(readFileSync(path, 'utf8')).not.toContain(key);
      writeFileSync(path, '{not json');
      const again = await extractWithModel(leaky, {
        samples: 1,
        command: model('plain'),
        cacheDir,
      });
      expect(again.patterns).toHaveLength(1);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toHaveLength(1);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it("runs in a folder of its own, not the project's", async () => {
    const { patterns } = await extractWithModel(SESSION, { command: model('cwd') });
    expect(patterns[0]?.resolution).toBe(`Cwd=${join(tmpdir(), 'attune-extractor')}.`);
  });

  it('marks its environment so hooks in the model session stand aside', async () => {
    const { patterns } = await extractWithModel(SESSION, { command: model('env') });
    // And numbers each answer asked for (two by default).
    expect(patterns.map((p) => p.resolution)).toEqual(['Child=1 sample=1.', 'Child=1 sample=2.']);
  });
});

describe('learning with a model extractor', () => {
  let dir: string;
  let storage: LearnedSkillsStorage;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'attune-model-'));
    storage = new LearnedSkillsStorage({ storageDir: dir });
  });
  afterEach(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores the model's patterns", async () => {
    const [report] = await learnFromSessions([SESSION], {
      storage,
      userId: 'u1',
      force: true,
      extractor: { command: model('plain') },
    });
    expect(report?.extractor).toBe('model');
    expect(report?.created).toHaveLength(1);
    const stored = await storage.getAllPatterns('u1');
    expect(stored.map((p) => p.metadata.extractor)).toEqual(['model']);
  });

  it('extracts from sessions rated POOR by default, with a model or the rules, unless minQuality says otherwise', async () => {
    const poor = session(
      ['user', 'always use the fetch wrapper in src/http.ts for HTTP calls'],
      ['assistant', 'Noted.'],
    );
    const withModel = await learnFromSessions([poor], {
      storage,
      userId: 'u1',
      dryRun: true,
      extractor: { command: model('plain') },
    });
    const rules = await learnFromSessions([poor], { storage, userId: 'u1', dryRun: true });
    expect(withModel[0]?.evaluation.quality.name).toBe('POOR');
    expect(withModel[0]?.extracted).toBe(true);
    expect(rules[0]?.extracted).toBe(true);
    expect(rules[0]?.patterns.map((p) => p.resolution).join(' ')).toMatch(/src\/http\.ts/);
    const strict = await learnFromSessions([poor], {
      storage,
      userId: 'u1',
      dryRun: true,
      minQuality: 'GOOD',
    });
    expect(strict[0]?.extracted).toBe(false);
    // Nothing found in a short session: SKIP, never extracted.
    const idle = session(['user', 'thanks, that is all'], ['assistant', 'You are welcome.']);
    const skipped = await learnFromSessions([idle], { storage, userId: 'u1', dryRun: true });
    expect(skipped[0]?.evaluation.quality.name).toBe('SKIP');
    expect(skipped[0]?.extracted).toBe(false);
  });

  it('falls back to the rules when the command fails, and does not try it again', async () => {
    const second = { ...SESSION, id: 'sess-2' };
    const reports = await learnFromSessions([SESSION, second], {
      storage,
      userId: 'u1',
      force: true,
      dryRun: true,
      extractor: { command: model('fail') },
    });
    expect(reports.map((r) => r.extractor)).toEqual(['rules', 'rules']);
    expect(reports[0]?.extractorError).toMatch(/model overloaded/);
    expect(reports[1]?.extractorError).toMatch(/^not tried again after: .*model overloaded/);
    // The rules still learned the correction.
    expect(reports[0]?.patterns.length).toBeGreaterThan(0);
  });
});

describe('several answers to one session', () => {
  const RULES = session(
    ['user', 'always run make lint before committing'],
    ['assistant', 'Will do.'],
    ['user', 'never push to main directly, open a pull request'],
    ['assistant', 'Understood.'],
    ['user', "don't add dependencies without asking me first"],
  );
  const lesson = (turn: number, resolution: string, extra: Record<string, unknown> = {}) => ({
    category: 'preference',
    trigger: 'When writing code for this user',
    resolution,
    turn,
    confidence: 0.7,
    ...extra,
  });
  const extraction = (items: unknown[]) => patternsFromLessons(items, RULES, { now: new Date(0) });

  it('keeps every lesson any answer found, once, and raises the confidence of those both found', () => {
    const first = extraction([
      lesson(0, 'Run make lint before committing.'),
      lesson(2, 'Open a pull request instead of pushing to main.'),
    ]);
    const second = extraction([
      lesson(0, 'Always run `make lint` before each commit.', { confidence: 0.8 }),
      lesson(4, 'Ask before adding a dependency.'),
    ]);
    const { patterns } = mergeSamples([first, second]);
    expect(patterns.map((p) => [p.resolution, p.metadata.samples, p.confidence])).toEqual([
      // The first wording, confidence raised from the higher of the two (0.8) for agreeing.
      ['Run make lint before committing.', 2, 0.85],
      ['Open a pull request instead of pushing to main.', 1, 0.7],
      ['Ask before adding a dependency.', 1, 0.7],
    ]);
  });

  it('keeps apart lessons of one turn that differ in category or in what they say', () => {
    const first = extraction([lesson(2, 'Open a pull request instead of pushing to main.')]);
    const second = extraction([
      lesson(2, 'Open a pull request rather than pushing to main.', {
        category: 'user_correction',
      }),
      lesson(2, 'Keep the CHANGELOG in Keep a Changelog format.'),
    ]);
    const { patterns } = mergeSamples([first, second]);
    expect(patterns).toHaveLength(3);
    expect(patterns.every((p) => p.metadata.samples === 1)).toBe(true);
  });

  it('matches each earlier lesson with at most one later one, and counts what was left out', () => {
    const first = extraction([
      lesson(0, 'Run make lint before committing.'),
      {
        category: 'project_specific',
        trigger: 'x',
        resolution: 'A doubted fact.',
        confidence: 0.3,
      },
      { category: 'nonsense', trigger: 'x', resolution: 'y' },
    ]);
    const second = extraction([
      lesson(0, 'Run make lint before every commit.'),
      lesson(0, 'Run make lint before you commit anything.'),
      {
        category: 'project_specific',
        trigger: 'x',
        resolution: 'Another doubted.',
        confidence: 0.4,
      },
    ]);
    const merged = mergeSamples([first, second]);
    expect(merged.patterns.map((p) => p.metadata.samples)).toEqual([2, 1]);
    expect(merged).toMatchObject({ rejected: 1, doubtful: 1 });
    // One answer is passed through as it is.
    expect(mergeSamples([first])).toEqual(first);
    expect(mergeSamples([])).toEqual({ patterns: [], rejected: 0, doubtful: 0 });
  });

  it('takes lessons cited at different turns for one when their words are alike, citing both', () => {
    const first = extraction([lesson(0, 'Run make lint before every commit.')]);
    const second = extraction([
      // Another turn, and words a quarter alike (under 30%): another lesson.
      lesson(2, 'Never commit before asking the user.'),
      // The user repeated it later, and this answer cited the repetition (half alike).
      lesson(4, 'Run make lint before each commit, as the user said again.'),
    ]);
    const { patterns } = mergeSamples([first, second]);
    expect(patterns.map((p) => [p.resolution, p.metadata.samples])).toEqual([
      ['Run make lint before every commit.', 2],
      ['Never commit before asking the user.', 1],
    ]);
    expect(patterns[0]?.metadata.evidence?.map((e) => e.turn)).toEqual([0, 4]);
  });

  it('keeps a lesson the model doubted only when another answer found it too', () => {
    // Asked as one of several answers, the doubted lessons are kept and named for the merge.
    const confirming = (items: unknown[]) =>
      patternsFromLessons(items, RULES, { now: new Date(0), confirm: true });
    const fact = { category: 'project_specific', confidence: 0.4 };
    const first = confirming([
      lesson(0, 'Run make lint before committing.', fact),
      lesson(4, 'Ask before adding a dependency.', { confidence: 0.45 }),
      lesson(2, 'Open a pull request instead of pushing to main.'),
    ]);
    expect(first.patterns).toHaveLength(3);
    expect(first.doubtful).toBe(0);
    expect(first.doubted?.size).toBe(2);
    const second = confirming([lesson(0, 'Run make lint before each commit.', fact)]);
    const merged = mergeSamples([first, second]);
    expect(merged.patterns.map((p) => [p.resolution, p.metadata.samples, p.confidence])).toEqual([
      // Both answers doubted it, and both wrote it down: kept, the agreement raising it.
      ['Run make lint before committing.', 2, 0.55],
      // Sure of it, though only one answer found it: kept.
      ['Open a pull request instead of pushing to main.', 1, 0.7],
    ]);
    // The doubted guess no other answer made is left out and counted.
    expect(merged.doubtful).toBe(1);
    // Asked once, a doubted project fact is left out, and other doubted lessons stay.
    const once = extraction([
      lesson(0, 'Run make lint before committing.', fact),
      lesson(4, 'Ask before adding a dependency.', { confidence: 0.45 }),
    ]);
    expect(once.patterns.map((p) => p.resolution)).toEqual(['Ask before adding a dependency.']);
    expect(once).toMatchObject({ doubtful: 1 });
    expect(once.doubted).toBeUndefined();
  });

  it('asks the command once per answer, numbering them, and caches each answer apart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attune-samples-'));
    try {
      const log = join(dir, 'calls');
      const cacheDir = join(dir, 'cache');
      const command = `echo "$ATTUNE_EXTRACTOR_SAMPLE" >> "${log}"; ${model('sampled')}`;
      const { patterns } = await extractWithModel(RULES, { command, cacheDir, samples: 2 });
      expect(readFileSync(log, 'utf8')).toBe('1\n2\n');
      // The first answer missed the last rule, the second the first: together, all three.
      expect(patterns.map((p) => [p.metadata.evidence?.[0]?.turn, p.metadata.samples])).toEqual([
        [0, 1],
        [2, 2],
        [4, 1],
      ]);
      expect(readdirSync(cacheDir).filter((f) => f.endsWith('.json'))).toHaveLength(2);
      const again = await extractWithModel(RULES, { command, cacheDir, samples: 2 });
      expect(readFileSync(log, 'utf8')).toBe('1\n2\n');
      expect(again.patterns.map((p) => [p.patternId, p.confidence])).toEqual(
        patterns.map((p) => [p.patternId, p.confidence]),
      );
      // One answer asks once, and finds only what that answer found.
      const once = await extractWithModel(RULES, { command: model('sampled'), samples: 1 });
      expect(once.patterns.map((p) => p.metadata.evidence?.[0]?.turn)).toEqual([0, 2]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a number of answers that is not a whole number from 1 to 5', async () => {
    for (const samples of [0, 6, 1.5]) {
      await expect(extractWithModel(RULES, { command: model('plain'), samples })).rejects.toThrow(
        /samples must be a whole number of answers from 1 to 5/,
      );
    }
  });
});
