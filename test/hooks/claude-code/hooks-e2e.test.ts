import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  attune,
  attuneProcessesOf,
  invoicerTranscript,
  isAlive,
  logLines,
  makeWorld,
  payload,
  realTranscripts,
  root,
  type World,
  waitFor,
} from './helpers.js';

const MARKER = '<!-- attune-learning:injected -->';
let world: World;

beforeEach(() => {
  world = makeWorld();
});
afterEach(() => rmSync(world.home, { recursive: true, force: true }));

function sessionEnd(
  transcript: string,
  extra: Record<string, unknown> = {},
  env: Record<string, string> = {},
) {
  return attune(
    world,
    ['hook', 'session-end'],
    payload('SessionEnd', {
      transcript_path: transcript,
      cwd: world.project,
      reason: 'prompt_input_exit',
      ...extra,
    }),
    env,
  );
}

function sessionStart(cwd = world.project) {
  return attune(
    world,
    ['hook', 'session-start'],
    payload('SessionStart', { cwd, source: 'startup', model: 'claude-x' }),
  );
}

function contextOf(stdout: string): string {
  const out = JSON.parse(stdout) as {
    hookSpecificOutput: { hookEventName: string; additionalContext: string };
  };
  expect(out.hookSpecificOutput.hookEventName).toBe('SessionStart');
  return out.hookSpecificOutput.additionalContext;
}

describe('the learning loop', () => {
  it('learns at session end and injects the lesson at the next session start', () => {
    const end = sessionEnd(invoicerTranscript);
    expect(end).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(
      logLines(world).some(
        (l) => l.includes('session-end learned from') && l.includes('quality=GOOD'),
      ),
    ).toBe(true);

    const start = sessionStart();
    expect(start.code).toBe(0);
    const context = contextOf(start.stdout);
    expect(context.startsWith(MARKER)).toBe(true);
    expect(context).toContain('pnpm');
    expect(context).toContain('integer cents');
    expect(context.length).toBeLessThanOrEqual(4000);
  });

  it('injects a project convention only in its project, and a preference everywhere', () => {
    sessionEnd(invoicerTranscript, { cwd: join(world.project, 'src', 'invoice') });
    const here = contextOf(sessionStart(join(world.project, 'src')).stdout);
    expect(here).toMatch(/pnpm here[,;] never npm/i);

    const elsewhere = join(world.home, 'work', 'other');
    mkdirSync(join(elsewhere, '.git'), { recursive: true });
    const there = contextOf(sessionStart(elsewhere).stdout);
    expect(there).not.toMatch(/pnpm here[,;] never npm/i);
    expect(there).toContain('integer cents');
  });

  it('reflects a change to the store at the next session start', () => {
    sessionEnd(invoicerTranscript);
    expect(contextOf(sessionStart().stdout)).toContain('never npm');
    const stored = JSON.parse(
      readFileSync(join(world.store, 'tester', 'patterns.json'), 'utf8'),
    ) as {
      pattern_id: string;
      resolution: string;
    }[];
    const pnpm = stored.find((p) => p.resolution.includes('never npm'));
    expect(pnpm).toBeDefined();
    expect(attune(world, ['patterns', 'delete', pnpm?.pattern_id ?? '']).code).toBe(0);
    const after = contextOf(sessionStart().stdout);
    expect(after).not.toContain('never npm');
    expect(after).toContain('integer cents');
  });

  it('keeps the injected block within the configured character budget', () => {
    sessionEnd(invoicerTranscript);
    const full = contextOf(sessionStart().stdout);
    mkdirSync(join(world.home, '.attune'), { recursive: true });
    const budget = full.length - 1;
    writeFileSync(
      join(world.home, '.attune', 'config.json'),
      JSON.stringify({ contextBudget: budget }),
    );
    const cut = contextOf(sessionStart().stdout);
    expect(cut.length).toBeLessThanOrEqual(budget);
    expect(cut.length).toBeGreaterThan(0);
  });

  it('prints nothing at session start when nothing has been learned', () => {
    expect(sessionStart()).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('injects only the patterns that bear on the submitted prompt', () => {
    sessionEnd(invoicerTranscript);
    const prompt = (text: string) =>
      attune(
        world,
        ['hook', 'user-prompt-submit'],
        payload('UserPromptSubmit', { cwd: world.project, prompt: text }),
      );

    const related = prompt('Before you finish, should I install dependencies with npm or pnpm?');
    expect(related.code).toBe(0);
    const out = JSON.parse(related.stdout) as {
      hookSpecificOutput: { hookEventName: string; additionalContext: string };
    };
    expect(out.hookSpecificOutput.hookEventName).toBe('UserPromptSubmit');
    expect(out.hookSpecificOutput.additionalContext).toContain(MARKER);
    expect(out.hookSpecificOutput.additionalContext).toContain('pnpm');
    expect(out.hookSpecificOutput.additionalContext).not.toContain('integer cents');

    expect(prompt('write a haiku about autumn leaves')).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('does not inject the same note twice into one session, but does into the next', () => {
    sessionEnd(invoicerTranscript);
    const ask = (session: string) =>
      attune(
        world,
        ['hook', 'user-prompt-submit'],
        payload('UserPromptSubmit', {
          cwd: world.project,
          prompt: 'should I install dependencies with npm or pnpm?',
          session_id: session,
        }),
      );
    const first = ask('session-one');
    expect(first.stdout).toContain('pnpm');
    // Same session, same question: the note is in its context already.
    expect(ask('session-one')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(ask('session-two').stdout).toContain('pnpm');
  });

  it('does not count a session twice when PreCompact and SessionEnd both learn from it', () => {
    attune(
      world,
      ['hook', 'pre-compact'],
      payload('PreCompact', {
        transcript_path: invoicerTranscript,
        cwd: world.project,
        trigger: 'auto',
        custom_instructions: '',
      }),
    );
    const once = contextOf(sessionStart().stdout);
    sessionEnd(invoicerTranscript);
    expect(contextOf(sessionStart().stdout)).toBe(once);
  });

  it.each(readdirSync(realTranscripts).filter((f) => f.endsWith('.jsonl')))(
    'handles the real transcript %s at session end without output or error',
    (file) => {
      const r = sessionEnd(join(realTranscripts, file));
      expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
      const lines = logLines(world);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`learned from ${join(realTranscripts, file)}`);
    },
  );
});

describe('a model extractor in the hooks', () => {
  const fake = join(root, 'test/fixtures/extractor/fake-model.mjs');

  it('runs the configured model in the detached learner, never in the hook itself', async () => {
    const env = { ATTUNE_EXTRACTOR: `"${process.execPath}" "${fake}" plain` };
    expect(sessionEnd(invoicerTranscript, {}, env)).toEqual({ code: 0, stdout: '', stderr: '' });
    const started = logLines(world).find((l) => l.includes('background learner started pid='));
    expect(started).toBeDefined();
    const pid = Number(/started pid=(\d+)/.exec(started ?? '')?.[1]);
    await waitFor(
      () => logLines(world).some((l) => l.includes(`pid=${pid} done`)),
      60_000,
      'the learner to finish',
    );
    expect(logLines(world).some((l) => l.includes('by=model'))).toBe(true);
  });

  it("does nothing inside the model's own session", () => {
    sessionEnd(invoicerTranscript);
    const child = { ATTUNE_EXTRACTOR_CHILD: '1' };
    expect(sessionStart().stdout).not.toBe('');
    const start = attune(
      world,
      ['hook', 'session-start'],
      payload('SessionStart', { cwd: world.project, source: 'startup' }),
      child,
    );
    expect(start).toEqual({ code: 0, stdout: '', stderr: '' });
    const before = logLines(world).length;
    expect(sessionEnd(invoicerTranscript, {}, child)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(logLines(world).length).toBe(before);
  });
});

describe('the background learner', () => {
  it('learns in a detached child that logs its pid and leaves no process behind', async () => {
    const end = sessionEnd(invoicerTranscript, {}, { ATTUNE_HOOK_MODE: 'background' });
    expect(end).toEqual({ code: 0, stdout: '', stderr: '' });
    const started = logLines(world).find((l) => l.includes('background learner started pid='));
    expect(started).toBeDefined();
    const pid = Number(/started pid=(\d+)/.exec(started ?? '')?.[1]);
    expect(pid).toBeGreaterThan(0);

    await waitFor(
      () => logLines(world).some((l) => l.includes(`pid=${pid} done`)),
      60_000,
      'the learner to finish',
    );
    await waitFor(() => !isAlive(pid), 10_000, `pid ${pid} to exit`);
    expect(logLines(world).some((l) => l.includes(` pid=${pid} session-end learned from`))).toBe(
      true,
    );
    expect(attuneProcessesOf(world)).toEqual([]);
    expect(contextOf(sessionStart().stdout)).toContain('pnpm');
  });

  it('kills itself after its time bound, even while waiting for the store lock', async () => {
    // A live process (this test) holds the user's lock, so the learner can only wait.
    const userDir = join(world.store, 'tester');
    mkdirSync(userDir, { recursive: true });
    writeFileSync(join(userDir, '.lock'), `${process.pid} ${hostname()} ${Date.now()} test`);
    const end = sessionEnd(
      invoicerTranscript,
      {},
      { ATTUNE_HOOK_MODE: 'background', ATTUNE_HOOK_WORKER_TIMEOUT: '1' },
    );
    expect(end.code).toBe(0);
    const pid = Number(/started pid=(\d+)/.exec(logLines(world).join('\n'))?.[1]);
    await waitFor(
      () => logLines(world).some((l) => l.includes('timed out after 1000 ms; killed')),
      60_000,
      'the watchdog',
    );
    await waitFor(() => !isAlive(pid), 10_000, `pid ${pid} to exit`);
    expect(logLines(world).some((l) => l.includes(`pid=${pid} done`))).toBe(false);
    expect(attuneProcessesOf(world)).toEqual([]);
    expect(statSync(join(userDir, '.lock')).isFile()).toBe(true);
  });
});

describe('bad input never breaks the session', () => {
  const binary = () => {
    const path = join(world.home, 'binary.jsonl');
    writeFileSync(path, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    return path;
  };
  const cases: [string, string, () => string][] = [
    ['session-end', 'stdin that is not JSON', () => 'this is not json {'],
    ['session-end', 'empty stdin', () => ''],
    ['session-end', 'a JSON array', () => '[1,2,3]'],
    [
      'session-end',
      'a payload without cwd',
      () => JSON.stringify({ session_id: 's', transcript_path: invoicerTranscript }),
    ],
    [
      'session-end',
      'a relative cwd',
      () => payload('SessionEnd', { cwd: 'relative/dir', transcript_path: invoicerTranscript }),
    ],
    [
      'session-end',
      'a payload without transcript_path',
      () => JSON.stringify({ session_id: 's', cwd: world.project }),
    ],
    [
      'session-end',
      'a transcript that does not exist',
      () =>
        payload('SessionEnd', {
          cwd: world.project,
          transcript_path: join(world.home, 'gone.jsonl'),
        }),
    ],
    [
      'session-end',
      'a transcript that is a directory',
      () => payload('SessionEnd', { cwd: world.project, transcript_path: world.home }),
    ],
    [
      'session-end',
      'a binary transcript',
      () => payload('SessionEnd', { cwd: world.project, transcript_path: binary() }),
    ],
    [
      'session-end',
      'a session_id that is a number',
      () => payload('SessionEnd', { cwd: world.project, session_id: 42 }),
    ],
    ['pre-compact', 'stdin that is not JSON', () => '\u0000\u0001garbage'],
    ['session-start', 'stdin that is not JSON', () => 'nope'],
    [
      'session-start',
      'the payload of another event',
      () => payload('SessionEnd', { cwd: world.project }),
    ],
    [
      'user-prompt-submit',
      'a payload without prompt',
      () => payload('UserPromptSubmit', { cwd: world.project }),
    ],
    ['bogus-event', 'an unknown hook name', () => payload('SessionStart', { cwd: world.project })],
  ];
  it.each(cases)('%s with %s exits 0, prints nothing and logs one line', (hook, _what, input) => {
    const r = attune(world, ['hook', hook], input());
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(logLines(world)).toHaveLength(1);
  });

  it('writes the log where ATTUNE_LOG_FILE says, and rotates it past 1 MB', () => {
    mkdirSync(join(world.home, '.attune'), { recursive: true });
    writeFileSync(world.log, `${'x'.repeat(1024 * 1024 + 10)}\n`);
    attune(world, ['hook', 'session-end'], 'not json');
    expect(logLines(world)).toHaveLength(1);
    expect(statSync(`${world.log}.1`).size).toBeGreaterThan(1024 * 1024);
  });

  it('logs to ~/.attune/hooks.log when ATTUNE_LOG_FILE is not set', () => {
    const { ATTUNE_LOG_FILE: _, ATTUNE_HOME: __, ...env } = world.env;
    world.env = env;
    attune(world, ['hook', 'session-start'], 'not json');
    world.log = join(world.home, '.attune', 'hooks.log');
    expect(logLines(world)[0]).toMatch(/pid=\d+ session-start bad payload: stdin is not JSON/);
  });
});

describe('the session-start fast path (bin.cjs)', () => {
  /** Marks the fast-path record so that a replay of it can be told apart from a fresh run. */
  function markRecord(): string {
    const cache = join(world.home, '.attune', 'cache');
    const records = readdirSync(cache)
      .filter((f) => f.startsWith('fast-'))
      .map((f) => join(cache, f))
      .filter((f) =>
        (JSON.parse(readFileSync(f, 'utf8')) as { key: string }).key.includes(
          JSON.stringify(world.project),
        ),
      );
    expect(records).toHaveLength(1);
    const path = records[0] ?? '';
    const record = JSON.parse(readFileSync(path, 'utf8')) as { output: string };
    record.output = record.output.replace('integer cents', 'integer cents (replayed)');
    writeFileSync(path, JSON.stringify(record));
    return record.output;
  }

  it('answers a repeated session start from the record the full hook left, unchanged', () => {
    sessionEnd(invoicerTranscript);
    const first = sessionStart();
    const cache = join(world.home, '.attune', 'cache');
    const [name] = readdirSync(cache).filter((f) => f.startsWith('fast-'));
    const record = JSON.parse(readFileSync(join(cache, name ?? ''), 'utf8')) as { output: string };
    expect(`${record.output}\n`).toBe(first.stdout);
    const marked = markRecord();
    expect(sessionStart().stdout).toBe(`${marked}\n`);
  });

  it('leaves the record at session end, so the next session start is already fast', () => {
    sessionEnd(invoicerTranscript);
    const marked = markRecord();
    expect(sessionStart().stdout).toBe(`${marked}\n`);
    expect(marked).toContain('never npm');
  });

  it('leaves no record at session end for a user given with --user', () => {
    attune(
      world,
      ['hook', 'session-end', '--user', 'someone-else'],
      payload('SessionEnd', {
        transcript_path: invoicerTranscript,
        cwd: world.project,
        reason: 'other',
      }),
    );
    const cache = join(world.home, '.attune', 'cache');
    const records = readdirSync(cache).filter((f) => f.startsWith('fast-'));
    expect(records).toEqual([]);
  });

  it('runs the full hook again once the store, the config file or the project changes', () => {
    sessionEnd(invoicerTranscript);
    sessionStart();
    markRecord();
    const elsewhere = join(world.home, 'work', 'other');
    mkdirSync(join(elsewhere, '.git'), { recursive: true });
    expect(sessionStart(elsewhere).stdout).not.toContain('(replayed)');

    const stored = JSON.parse(
      readFileSync(join(world.store, 'tester', 'patterns.json'), 'utf8'),
    ) as {
      pattern_id: string;
    }[];
    expect(attune(world, ['patterns', 'delete', stored[0]?.pattern_id ?? '']).code).toBe(0);
    expect(sessionStart().stdout).not.toContain('(replayed)');

    markRecord();
    mkdirSync(join(world.home, '.attune'), { recursive: true });
    writeFileSync(
      join(world.home, '.attune', 'config.json'),
      JSON.stringify({ contextMaxPatterns: 2 }),
    );
    const fresh = contextOf(sessionStart().stdout);
    expect(fresh).not.toContain('(replayed)');
    expect(fresh.split('\n- ').length - 1).toBeLessThanOrEqual(2);
  });
});
