import { describe, expect, it } from 'vitest';
import { detectSignals } from '../../src/evaluate/signals.js';
import { extractSessionPatterns, fitResolution } from '../../src/extract/session-extractor.js';
import type { Session, Turn } from '../../src/model/session.js';

function session(id: string, turns: Array<Partial<Turn> & Pick<Turn, 'role'>>): Session {
  return {
    id,
    format: 'interactions',
    skipped: 0,
    turns: turns.map((t, index) => ({ index, text: '', toolCalls: [], ...t })),
  };
}

const now = new Date('2025-01-01T00:00:00Z');

describe('extractSessionPatterns', () => {
  it('keeps a second rule of one correction as its own pattern when joining would make it too long', () => {
    const s = session('s-two', [
      { role: 'user', text: 'new dag: orders_daily_load, same shape as dags/inventory_daily.py' },
      { role: 'assistant', text: 'Added the DAG with retries=5 and RUN_DAY from datetime.now().' },
      {
        role: 'user',
        text: "no no. two things\n1) RUN_DAY from datetime.now() is wall clock at parse time. always template off the run's logical date ({{ ds }} / data_interval_start), never now(), every dag here has to be backfill-safe\n2) dont override retries in the dag, DEFAULT_ARGS is the one place for that. if 3 isn't enough we change it there for everyone",
      },
    ]);
    const resolutions = extractSessionPatterns(s, { now }).map((p) => p.resolution);
    expect(resolutions).toHaveLength(2);
    expect(resolutions[0]).toContain('logical date');
    expect(resolutions[1]).toContain('DEFAULT_ARGS');
  });

  it('phrases a convention as a clean instruction with trigger, evidence and project', () => {
    const s = session('s1', [
      { role: 'user', text: 'Write a migration that adds archived_at to projects.' },
      { role: 'assistant', text: 'Here is a Knex migration.' },
      { role: 'user', text: 'We use plain SQL migrations in db/migrations, not Knex.' },
    ]);
    const [p, ...rest] = extractSessionPatterns(s, { project: '/w/app', now });
    expect(rest).toEqual([]);
    expect(p).toMatchObject({
      category: 'project_specific',
      resolution: 'Use plain SQL migrations in db/migrations, not Knex.',
      sourceSession: 's1',
      extractedAt: now,
    });
    expect(p?.trigger.length).toBeLessThan(60);
    expect(p?.metadata).toMatchObject({
      observations: 1,
      project: '/w/app',
      evidence: [{ sessionId: 's1', turn: 2 }],
    });
    expect(p?.tags).toContain('sql');
  });

  it('gives the same id to the same lesson from two sessions', () => {
    const turns = [{ role: 'user' as const, text: 'I prefer async/await over promise chains.' }];
    const [a] = extractSessionPatterns(session('s1', turns), { now });
    const [b] = extractSessionPatterns(session('s2', turns), { now });
    expect(a?.patternId).toBeDefined();
    expect(a?.patternId).toBe(b?.patternId);
  });

  it('counts a correction repeated in one session as one pattern with two observations', () => {
    const s = session('s1', [
      { role: 'user', text: 'never use default exports.' },
      { role: 'assistant', text: 'Ok.' },
      { role: 'user', text: 'add a debounce helper' },
      { role: 'assistant', text: 'Added with a default export.' },
      { role: 'user', text: 'Never use default exports!' },
    ]);
    const patterns = extractSessionPatterns(s, { now });
    expect(patterns).toHaveLength(1);
    expect(patterns[0]?.metadata.observations).toBe(2);
    const single = extractSessionPatterns(session('s2', [s.turns[0] as Turn]), { now });
    expect(patterns[0]?.confidence).toBeGreaterThan(single[0]?.confidence ?? 1);
  });

  // A request, then a shell command that fails as `failed` and the next one that works.
  const failedThenWorked = (request: string, failed: [string, string], worked: [string, string]) =>
    session('s1', [
      { role: 'user', text: request },
      {
        role: 'assistant',
        text: '',
        toolCalls: [
          { name: 'Bash', input: failed[0], output: failed[1], exitCode: 127 },
          { name: 'Bash', input: worked[0], output: worked[1], exitCode: 0 },
        ],
      },
    ]);

  it('redacts a secret in a quoted error', () => {
    const key = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghij';
    const s = failedThenWorked(
      'deploy it',
      [
        `curl -H "x-api-key: ${key}" https://api.example.test | jq .`,
        `bash: jq: command not found (key ${key})`,
      ],
      [`curl -H "x-api-key: ${key}" https://api.example.test | python3 -m json.tool`, '{}'],
    );
    const patterns = extractSessionPatterns(s, { now });
    expect(patterns).toHaveLength(1);
    expect(patterns[0]?.category).toBe('workaround');
    expect(patterns[0]?.resolution).toBe('`jq` is not installed here; use `python3` instead.');
    expect(JSON.stringify(patterns)).not.toContain(key);
  });

  it('tells to leave a missing filter out of the pipeline when the command worked without it', () => {
    const s = failedThenWorked(
      'look at the session log',
      [
        'head -5 ~/.claude/projects/demo/session.jsonl | jq .',
        '/bin/bash: line 1: jq: command not found',
      ],
      ['head -3 ~/.claude/projects/demo/session.jsonl', '{"type":"user"}'],
    );
    const patterns = extractSessionPatterns(s, { now });
    expect(patterns.map((p) => p.resolution)).toEqual([
      '`jq` is not installed here; run the command without `| jq`.',
    ]);
  });

  it('extracts nothing from an approval, a one-off task or a question', () => {
    const s = session('s1', [
      { role: 'user', text: 'add a login button to the header' },
      { role: 'assistant', text: 'Added.' },
      { role: 'user', text: 'yes, go ahead' },
      { role: 'assistant', text: 'Done.' },
      { role: 'user', text: 'can you also explain how the router works?' },
    ]);
    expect(extractSessionPatterns(s, { now })).toEqual([]);
  });

  it('returns nothing without rescanning when the given signals are empty', () => {
    const s = session('s1', [{ role: 'user', text: 'We use pnpm, not npm.' }]);
    expect(extractSessionPatterns(s, { now }, { interactionCount: 1, signals: [] })).toEqual([]);
    expect(extractSessionPatterns(s, { now }, detectSignals(s))).toHaveLength(1);
  });

  it('emits nothing for Chinese or Japanese text', () => {
    const s = session('s1', [
      { role: 'user', text: '不要使用 npm，我们用 pnpm。' },
      { role: 'user', text: 'コメントは英語で書いてください。' },
    ]);
    expect(extractSessionPatterns(s, { now })).toEqual([]);
  });

  const bash = (command: string, output: string, exitCode = 0) => ({
    name: 'Bash',
    input: JSON.stringify({ command }),
    output,
    exitCode,
    ...(exitCode !== 0 ? { isError: true } : {}),
  });
  const edit = (file: string, from: string, to: string) => ({
    name: 'Edit',
    input: JSON.stringify({ file_path: file, old_string: from, new_string: to }),
    output: 'The file has been updated.',
  });

  // Failing command -> change -> passing re-run, and the cases that must not give a pattern.
  it.each([
    {
      name: 'a flag that made the re-run pass, as a workaround',
      calls: [
        bash(
          'cargo test',
          'error: failed to get `serde`\n\nCaused by:\n  Could not resolve host: index.crates.io',
          101,
        ),
        bash('cargo test --offline', 'test result: ok. 3 passed'),
      ],
      next: 'thanks',
      want: { category: 'workaround', resolution: 'Run `cargo test` with `--offline`.' },
    },
    {
      name: 'a one-token edit, as an error resolution with a normalised trigger',
      calls: [
        bash(
          'go test ./...',
          '--- FAIL: TestMissing (0.01s)\n    users_test.go:31: got 500, want 404\nFAIL',
          1,
        ),
        edit('/r/store.go', 'errors.Is(err, sql.ErrNoRows)', 'errors.Is(err, pgx.ErrNoRows)'),
        bash('go test ./...', 'ok  \tx/store\t0.2s'),
      ],
      next: 'good, next task',
      want: {
        category: 'error_resolution',
        trigger: '`go test`: TestMissing fails: got 500, want 404',
        resolution: 'Use `pgx.ErrNoRows` instead of `sql.ErrNoRows` in `store.go`.',
      },
    },
    {
      name: 'nothing for the assistant fixing its own typo',
      calls: [
        bash(
          'terraform validate',
          'Error: Reference to undeclared resource aws_s3_bucket.artifact',
          1,
        ),
        edit('/r/main.tf', 'aws_s3_bucket.artifact.id', 'aws_s3_bucket.artifacts.id'),
        bash('terraform validate', 'Success! The configuration is valid.'),
      ],
      next: 'looks good',
      want: undefined,
    },
    {
      name: 'nothing when the user objects to the route taken',
      calls: [
        bash(
          'cargo test',
          'error: failed\n\nCaused by:\n  Could not resolve host: index.crates.io',
          101,
        ),
        bash('cargo test --offline', 'test result: ok. 3 passed'),
      ],
      next: "no, that's not what I asked, fix the issue",
      want: undefined,
    },
    {
      name: 'a fix for a very long error line, with the error cut at a word',
      calls: [
        bash(
          'cargo run',
          `error[E0308]: mismatched types: expected \`${'bevy_transform::components::transform::'.repeat(4)}Transform\`, found \`&mut Ship\``,
          101,
        ),
        edit('/r/src/collision.rs', 'Query<&Transform>', 'Query<&Transform, Without<Ship>>'),
        bash('cargo run', 'Finished dev profile'),
      ],
      next: 'works, thanks',
      want: {
        category: 'error_resolution',
        trigger: expect.stringMatching(/^`cargo run`: error\[E0308\]: mismatched types.{20,140}…$/),
      },
    },
    {
      name: 'nothing when the re-run fails again',
      calls: [
        bash('pytest -q', 'E   ImportError: cannot import name UTC', 1),
        edit('/r/a.py', 'datetime.now(UTC)', 'datetime.now(timezone.utc)'),
        bash('pytest -q', 'E   ImportError: cannot import name timezone', 1),
      ],
      next: 'hmm',
      want: undefined,
    },
  ])('extracts $name', ({ calls, next, want }) => {
    const s = session('tools', [
      { role: 'user', text: 'Make the change and run the tests.' },
      { role: 'assistant', text: 'Running.', toolCalls: calls },
      { role: 'user', text: next },
    ]);
    const fixes = extractSessionPatterns(s, { now }).filter(
      (p) => p.category === 'error_resolution' || p.category === 'workaround',
    );
    if (want === undefined) expect(fixes).toEqual([]);
    else expect(fixes).toMatchObject([want]);
  });

  it('fits a long rule into a note, moving its aside to the context instead of dropping it', () => {
    const s = session('long', [
      { role: 'user', text: 'Add the station lookup.' },
      { role: 'assistant', text: 'Done with Task.async.' },
      {
        role: 'user',
        text: "don't use bare Task.async in the pipeline. in this codebase concurrent work goes through Task.Supervisor.async_stream_nolink under Ingest.TaskSupervisor (that's why it's in the supervision tree)",
      },
    ]);
    const [p] = extractSessionPatterns(s, { now });
    expect(p?.resolution).toBe(
      "Don't use bare Task.async in the pipeline; concurrent work goes through Task.Supervisor.async_stream_nolink under Ingest.TaskSupervisor.",
    );
    expect(p?.resolution.length).toBeLessThanOrEqual(170);
    expect(p?.context).toContain("that's why it's in the supervision tree");
  });

  it.each([
    ['Keep it short.', 'Keep it short.', undefined],
    [
      `Use the gateway client (it retries and signs every request for you) for every payments call; ${'never call the payments API directly '.repeat(3).trim()}; see lib/pay/README.md.`,
      `Use the gateway client for every payments call; ${'never call the payments API directly '.repeat(3).trim()}.`,
      'it retries and signs every request for you; see lib/pay/README.md',
    ],
  ])('fits %j into a note', (text, want, aside) => {
    const fitted = fitResolution(text);
    expect(fitted.text).toBe(want);
    expect(fitted.text.length).toBeLessThanOrEqual(170);
    expect(fitted.aside).toBe(aside);
  });

  it.each([
    ['always var(--color-*) from the tokens, never a hex value in a component', 'Styling the UI'],
    [
      'always keep the refresh tokens in the keychain, never in UserDefaults',
      'Storing secrets and tokens',
    ],
  ])('files %j under %j', (text, trigger) => {
    const s = session('topic', [
      { role: 'user', text: 'Make the header dark.' },
      { role: 'assistant', text: 'Done.' },
      { role: 'user', text },
    ]);
    expect(extractSessionPatterns(s, { now })[0]?.trigger).toBe(trigger);
  });

  it('reuses the lessons detectSignals attached, without listing them in JSON', () => {
    const s = session('reuse', [
      { role: 'user', text: 'Add the endpoint.' },
      { role: 'assistant', text: 'Done.' },
      { role: 'user', text: 'We use ruff for formatting, not black.' },
    ]);
    const signals = detectSignals(s);
    expect(signals.lessons?.length).toBe(1);
    expect(JSON.stringify(signals)).not.toContain('directive');
    const fromSignals = extractSessionPatterns(s, { now }, signals);
    expect(fromSignals).toEqual(extractSessionPatterns(s, { now }));
    expect(fromSignals[0]?.resolution).toBe('Use ruff for formatting, not black.');
  });

  it('names the question asked in the trigger of an answer, and drops a cancelled request', () => {
    const ask = {
      name: 'AskUserQuestion',
      input: JSON.stringify({
        questions: [{ question: 'Where should cents be formatted for display?' }],
      }),
      output: 'User has answered your questions.',
    };
    const s = session('answer', [
      { role: 'user', text: 'Show prices in the cart.' },
      { role: 'assistant', text: 'One question first.', toolCalls: [ask] },
      {
        role: 'user',
        kind: 'answer',
        text: 'formatMoney helper in src/lib/money.ts, never inline toFixed',
      },
      { role: 'assistant', text: 'Done.' },
      { role: 'user', text: "Let's always use Python for the scripts from now on." },
      { role: 'assistant', text: 'Porting.' },
      { role: 'user', text: "Actually, never mind, let's keep bash." },
    ]);
    const patterns = extractSessionPatterns(s, { now });
    expect(patterns.map((p) => [p.trigger, p.resolution])).toEqual([
      [
        'Deciding where cents should be formatted for display',
        'Use the formatMoney helper in src/lib/money.ts; never inline toFixed.',
      ],
    ]);
  });

  // Triggers name what the rule is about, from the rule itself first.
  it.each([
    ['never build SQL strings inline in the handlers', 'Writing SQL queries'],
    ["don't paginate with OFFSET, use keyset pagination on (id)", 'Paginating list endpoints'],
    ['never commit, leave the changes in the working tree', 'Committing changes'],
    ['only ever edit the .py half of a paired jupytext notebook', 'Editing notebooks'],
    ['never use datetime.utcnow(), always datetime.now(timezone.utc)', 'Handling dates and times'],
    ['never use yaml.load, always yaml.safe_load', 'Loading YAML data'],
    ['in this repo nothing reads os.environ directly', 'Reading configuration'],
  ])('gives %j the trigger %j', (text, trigger) => {
    const [p] = extractSessionPatterns(
      session('t', [
        { role: 'user', text: 'add the report' },
        { role: 'assistant', text: 'Done.' },
        { role: 'user', text },
      ]),
      { now },
    );
    expect(p?.trigger).toBe(trigger);
  });

  it('keeps the rejected term and its replacement in a correction', () => {
    const [p, ...rest] = extractSessionPatterns(
      session('dt', [
        { role: 'user', text: 'add a trial_ends_at check' },
        { role: 'assistant', text: 'Used datetime.utcnow().' },
        {
          role: 'user',
          text: 'could you please not use `datetime.utcnow()`? It returns a naive datetime. Please always use `datetime.now(timezone.utc)`.',
        },
      ]),
      { now },
    );
    expect(rest).toEqual([]);
    expect(p?.resolution).toBe(
      "Don't use `datetime.utcnow()`; always use `datetime.now(timezone.utc)`.",
    );
    expect(p?.context).toContain('naive datetime');
  });

  it('reads the quick-start phrasings: a preference made lasting and a convention tail', () => {
    const patterns = extractSessionPatterns(
      session('qs', [
        { role: 'user', text: 'add a test for the discount' },
        { role: 'assistant', text: 'Added.' },
        {
          role: 'user',
          text: "please keep test names as full sentences describing behaviour, e.g. 'applies the discount'. I prefer that everywhere.",
        },
        { role: 'assistant', text: 'Renamed.' },
        {
          role: 'user',
          text: "And put tests next to the source file as *.test.ts, that's the convention in this project.",
        },
      ]),
      { now },
    );
    expect(patterns.map((p) => [p.category, p.resolution])).toEqual([
      [
        'preference',
        "Keep test names as full sentences describing behaviour, e.g. 'applies the discount'.",
      ],
      ['project_specific', 'Put tests next to the source file as *.test.ts.'],
    ]);
  });

  it('writes the user in the third person in a resolution', () => {
    const [p] = extractSessionPatterns(
      session('me', [
        { role: 'user', text: 'tune the training run' },
        { role: 'assistant', text: 'Raised the lr.' },
        { role: 'user', text: 'never change hyperparameters without asking me first' },
      ]),
      { now },
    );
    expect(p?.resolution).toBe('Never change hyperparameters without asking the user first.');
  });
});
