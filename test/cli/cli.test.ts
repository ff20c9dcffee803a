import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { root, runCli } from '../helpers/cli.js';

const sessions = join(root, 'examples/sessions');
let home: string;

function attune(args: string[], input?: string) {
  return runCli(args, {
    cwd: home,
    ...(input === undefined ? {} : { input }),
    env: {
      PATH: process.env.PATH,
      HOME: home,
      ATTUNE_HOME: join(home, '.attune'),
      ATTUNE_STORAGE_DIR: join(home, 'store'),
      ATTUNE_USER: 'tester',
    },
  });
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'attune-cli-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('attune evaluate with a model extractor', () => {
  const fake = join(root, 'test/fixtures/extractor/fake-model.mjs');
  const file = join(sessions, 'claude-code-vitest-pnpm.jsonl');

  it('extracts through the command and says so in the JSON', () => {
    const command = `"${process.execPath}" "${fake}" plain`;
    const r = attune(['evaluate', file, '--json', '--dry-run', '--force', '--extractor', command]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.sessions[0]).toMatchObject({
      extractor: 'model',
      extractor_rejected: 0,
      extractor_doubtful: 0,
    });
    expect(out.patterns.length).toBeGreaterThan(0);
    for (const p of out.patterns) expect(p.metadata.extractor).toBe('model');
  });

  it('falls back to the rules with a warning when the command fails', () => {
    const command = `"${process.execPath}" "${fake}" fail`;
    const r = attune(['evaluate', file, '--dry-run', '--force', '--extractor', command]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /! the built-in rules extracted instead of the model: extractor command .* exited with 3: error: model overloaded/,
    );
    const json = JSON.parse(
      attune(['evaluate', file, '--json', '--dry-run', '--force', '--extractor', command]).stdout,
    );
    expect(json.sessions[0].extractor).toBe('rules');
    expect(json.sessions[0].extractor_error).toMatch(/model overloaded/);
  });

  it('--review asks for a second call, and says so when that call fails', () => {
    const command = `"${process.execPath}" "${fake}" review-fail`;
    const args = ['evaluate', file, '--dry-run', '--force', '--extractor', command];
    const plain = JSON.parse(attune([...args, '--json']).stdout);
    expect(plain.sessions[0].extractor_review_error).toBeUndefined();
    const reviewed = JSON.parse(attune([...args, '--json', '--review', 'verify']).stdout);
    expect(reviewed.sessions[0].extractor).toBe('model');
    expect(reviewed.sessions[0].extractor_review_error).toMatch(/context window exceeded/);
    expect(reviewed.patterns.length).toBe(plain.patterns.length);
    const text = attune([...args, '--review', 'complete']);
    expect(text.stdout).toMatch(/! the model's first answer was kept unreviewed: .*exited with 4/);
    const bad = attune([...args, '--review', 'twice']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--review <mode>.*Allowed choices are off, complete, verify/);
  });

  it('doctor --check-extractor sends a sample session and reports the answer or the failure', () => {
    const ok = attune([
      'doctor',
      '--check-extractor',
      '--extractor',
      `"${process.execPath}" "${fake}" plain`,
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /OK: extractor .* answered in [\d.]+ s with 1 lesson, e\.g\. "No, we use vitest/,
    );
    const bad = attune([
      'doctor',
      '--check-extractor',
      '--json',
      '--extractor',
      `"${process.execPath}" "${fake}" garbage`,
    ]);
    expect(bad.code).toBe(1);
    const out = JSON.parse(bad.stdout);
    expect(out.extractor).toMatchObject({ ok: false });
    expect(out.problems[0].problem).toMatch(/holds no lessons JSON/);
    const none = attune(['doctor', '--check-extractor']);
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/no model extractor is configured/);
  });

  it('doctor --check-extractor checks the review call too, when one is configured', () => {
    mkdirSync(join(home, '.attune'), { recursive: true });
    const config = (mode: string) =>
      writeFileSync(
        join(home, '.attune/config.json'),
        JSON.stringify({
          extractor: `"${process.execPath}" "${fake}" ${mode}`,
          extractorReview: 'verify',
        }),
      );
    config('review');
    const ok = attune(['doctor', '--check-extractor']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/answered in [\d.]+ s \(reviewed: verify\) with 1 lesson/);
    config('review-fail');
    const bad = attune(['doctor', '--check-extractor', '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).problems[0].problem).toMatch(
      /review call \(ATTUNE_EXTRACTOR_REVIEW=verify\) failed: .*context window exceeded/,
    );
  });

  it('leaves out a project fact the model doubts and counts it, in evaluate and learn', () => {
    const command = `"${process.execPath}" "${fake}" doubt`;
    const evaluate = (cmd: string, ...more: string[]) =>
      JSON.parse(
        attune(['evaluate', file, '--json', '--dry-run', '--force', '--extractor', cmd, ...more])
          .stdout,
      );
    // Two answers, only the first of which guessed it; and one answer, whose doubted facts go.
    for (const out of [evaluate(command), evaluate(command, '--samples', '1')]) {
      expect(out.sessions[0]).toMatchObject({ extractor: 'model', extractor_doubtful: 1 });
      expect(out.patterns.length).toBeGreaterThan(0);
      expect(JSON.stringify(out.patterns)).not.toContain('install section');
    }
    // Both answers wrote it down: confirmed, so kept, its confidence raised by the agreement.
    const twice = evaluate(`"${process.execPath}" "${fake}" doubt-twice`);
    expect(twice.sessions[0]).toMatchObject({ extractor_doubtful: 0 });
    const kept = twice.patterns.find((p: { resolution: string }) =>
      p.resolution.includes('install section'),
    );
    expect(kept).toMatchObject({ category: 'project_specific' });
    expect(kept.confidence).toBeGreaterThan(0.4);
    const learned = attune(['learn', sessions, '--dry-run', '--extractor', command]);
    expect(learned.code).toBe(0);
    expect(learned.stdout).toMatch(/doubted lessons left out\s+[1-9]/);
    const json = JSON.parse(
      attune(['learn', sessions, '--json', '--dry-run', '--extractor', command]).stdout,
    );
    expect(json.model_doubted_lessons_left_out).toBeGreaterThan(0);
  });

  it('learn names the model failure once in its summary and still learns by the rules', () => {
    const command = `"${process.execPath}" "${fake}" fail`;
    const r = attune(['learn', sessions, '--extractor', command]);
    expect(r.code).toBe(0);
    const warnings = r.stdout.match(/! the built-in rules extracted instead of the model/g) ?? [];
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(r.stdout).toMatch(/model overloaded/);
    const json = JSON.parse(
      attune(['learn', sessions, '--json', '--dry-run', '--extractor', command]).stdout,
    );
    expect(json.extractor).toBe('model');
    expect(json.extractor_errors.some((e: string) => /model overloaded/.test(e))).toBe(true);
    expect(json.patterns_extracted).toBeGreaterThan(0);
  });

  it('learn --jobs asks the model about several sessions at once and stores the same', () => {
    const dir = join(root, 'test/fixtures/transcripts/blind-23/claude-code');
    const log = join(home, 'calls.log');
    const command = `"${process.execPath}" "${fake}" slow "${log}"`;
    const parallel = JSON.parse(
      attune(['learn', dir, '--json', '--force', '--jobs', '3', '--extractor', command]).stdout,
    );
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    // Every call started before the last one ended: at least two were in flight together.
    const calls = new Map<string, { start: number; end: number }>();
    for (const line of lines) {
      const [what, pid, at] = line.split(' ');
      const call = calls.get(pid as string) ?? { start: 0, end: 0 };
      call[what as 'start' | 'end'] = Number(at);
      calls.set(pid as string, call);
    }
    const spans = [...calls.values()].sort((a, b) => a.start - b.start);
    expect(spans.length).toBeGreaterThanOrEqual(3);
    expect(spans.some((s, i) => i > 0 && s.start < (spans[i - 1]?.end ?? 0))).toBe(true);
    // The learning pass took every answer from the cache: no call after the first pass (two
    // answers a session, the default).
    expect(spans.length).toBe(parallel.sessions * 2);
    // And a sequential run in a fresh home learns the same patterns.
    rmSync(join(home, '.attune'), { recursive: true, force: true });
    rmSync(join(home, 'store'), { recursive: true, force: true });
    const sequential = JSON.parse(
      attune(['learn', dir, '--json', '--force', '--extractor', command]).stdout,
    );
    expect(sequential.patterns_new).toBe(parallel.patterns_new);
    expect(parallel.patterns_new).toBeGreaterThan(0);
  });

  it('asks the model for two answers by default and keeps what either found; --samples 1 asks once', () => {
    const command = `"${process.execPath}" "${fake}" sampled`;
    const ask = (...more: string[]) =>
      attune(['evaluate', file, '--json', '--dry-run', '--force', '--extractor', command, ...more]);
    const two = JSON.parse(ask().stdout);
    const once = JSON.parse(ask('--samples', '1').stdout);
    expect(once.patterns.length).toBeGreaterThan(0);
    // The second answer found the rule the first missed.
    type Out = { patterns: { metadata: { evidence: { turn: number }[]; samples?: number } }[] };
    const turns = (o: Out) => o.patterns.map((p) => p.metadata.evidence[0]?.turn).sort();
    expect(turns(two).length).toBeGreaterThan(turns(once).length);
    expect(turns(two)).toEqual(expect.arrayContaining(turns(once)));
    expect((two as Out).patterns.every((p) => p.metadata.samples === 1)).toBe(true);
    const bad = ask('--samples', '9');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--samples must be a whole number of answers from 1 to 5, got 9/);
    const env = attune(['config', 'show', '--json']);
    expect(JSON.stringify(JSON.parse(env.stdout))).toMatch(/extractorSamples/);
  });

  it('uses the built-in rules for --extractor rules', () => {
    const out = JSON.parse(
      attune(['evaluate', file, '--json', '--dry-run', '--force', '--extractor', 'rules']).stdout,
    );
    expect(out.sessions[0].extractor).toBe('rules');
  });
});

describe('attune evaluate', () => {
  it('prints exactly one JSON object with quality, score, counts, reasons and on-disk patterns', () => {
    const r = attune(['evaluate', join(sessions, 'claude-code-vitest-pnpm.jsonl'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.quality).toMatch(/^(EXCELLENT|GOOD|AVERAGE|POOR|SKIP)$/);
    expect(out.score).toBeGreaterThanOrEqual(1);
    expect(typeof out.recommended).toBe('boolean');
    expect(out.counts).toHaveProperty('corrections');
    expect(out.counts.interactions).toBeGreaterThan(0);
    expect(Array.isArray(out.reasons)).toBe(true);
    for (const p of out.patterns) {
      expect(Object.keys(p)).toEqual(
        expect.arrayContaining([
          'pattern_id',
          'category',
          'trigger',
          'context',
          'resolution',
          'confidence',
          'tags',
        ]),
      );
    }
  });

  it('stores what it extracts unless --dry-run', () => {
    const file = join(sessions, 'openai-yaml-settings.json');
    const dry = JSON.parse(attune(['evaluate', file, '--json', '--dry-run', '--force']).stdout);
    expect(dry.dry_run).toBe(true);
    expect(existsSync(join(home, 'store/tester/patterns.json'))).toBe(false);
    const real = JSON.parse(attune(['evaluate', file, '--json', '--force']).stdout);
    if (real.patterns.length > 0) {
      const stored = JSON.parse(readFileSync(join(home, 'store/tester/patterns.json'), 'utf8'));
      expect(stored.length).toBeGreaterThan(0);
    }
  });

  it('reads stdin with -', () => {
    const text = readFileSync(join(sessions, 'openai-yaml-settings.json'), 'utf8');
    const r = attune(['evaluate', '-', '--json', '--dry-run'], text);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).counts.interactions).toBeGreaterThan(0);
  });

  it('prints a readable report without --json', () => {
    const r = attune(['evaluate', join(sessions, 'openai-yaml-settings.json'), '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Session quality: (EXCELLENT|GOOD|AVERAGE|POOR|SKIP)/);
  });

  it('fails with one clear line and exit 1 for a missing file or an unknown format', () => {
    const missing = attune(['evaluate', join(home, 'nope.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.split('\n')[0]).toMatch(/^attune: .*nope\.jsonl/);
    expect(missing.stderr).not.toMatch(/\bat .*\.js:\d+/);
    writeFileSync(join(home, 'x.txt'), 'just some words\nnothing like a transcript\n');
    const unknown = attune(['evaluate', join(home, 'x.txt')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/claude-code/);
    const badFormat = attune(['evaluate', join(home, 'x.txt'), '--format', 'word']);
    expect(badFormat.code).toBe(1);
    expect(badFormat.stderr).toMatch(/specstory/);
  });

  it('rejects a hostile user id without writing anything', () => {
    const r = attune([
      'evaluate',
      join(sessions, 'openai-yaml-settings.json'),
      '--user',
      '../../etc',
      '--force',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/userId/);
    expect(existsSync(join(home, 'store'))).toBe(false);
  });
});

describe('attune learn, patterns and context', () => {
  it('learns a folder, then shows, searches, deletes and injects what it learned', () => {
    const learned = attune(['learn', sessions, '--force']);
    expect(learned.code).toBe(0);
    expect(learned.stdout).toMatch(/Learned from \d+ sessions in \d+ files/);
    expect(learned.stdout).toMatch(/patterns new\s+\d+/);

    const summary = JSON.parse(attune(['patterns', '--json']).stdout);
    expect(summary.user_id).toBe('tester');
    expect(summary.total_patterns).toBeGreaterThan(0);

    // The same folder again: every pattern already known, none new or reinforced.
    expect(attune(['learn', sessions, '--force']).stdout).toMatch(
      /0 new and 0 reinforced patterns \(\d+ already known\)\./,
    );
    const relearned = JSON.parse(attune(['learn', sessions, '--force', '--json']).stdout);
    expect(relearned).toMatchObject({ patterns_new: 0, patterns_reinforced: 0 });
    expect(relearned.patterns_already_known).toBe(summary.total_patterns);

    const all = JSON.parse(attune(['patterns', 'category', 'user_correction', '--json']).stdout);
    const found = JSON.parse(attune(['patterns', 'search', 'pnpm', '--json']).stdout);
    expect(Array.isArray(all)).toBe(true);
    expect(Array.isArray(found)).toBe(true);

    const context = attune(['context', '--all-projects', '--max', '3']);
    expect(context.code).toBe(0);
    expect(context.stdout).toMatch(
      /^## Learned Patterns\n\n\*\*\[[A-Z_]+\]\*\* Confidence: \d\.\d\d\nWhen: .+\nDo: .+/,
    );
    expect(context.stdout.match(/\*\*\[/g)?.length ?? 0).toBeLessThanOrEqual(3);

    const first = JSON.parse(attune(['context', '--all-projects', '--json']).stdout).patterns[0];
    const shown = attune(['patterns', 'show', first.pattern_id]);
    expect(shown.stdout).toContain(first.pattern_id);
    expect(attune(['patterns', 'delete', first.pattern_id]).code).toBe(0);
    const again = attune(['patterns', 'delete', first.pattern_id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no pattern/);
  });

  it('reports files it cannot read in the summary and goes on', () => {
    writeFileSync(join(home, 'garbage.jsonl'), Buffer.from([0, 1, 2, 3, 255, 254, 0, 0]));
    const r = attune(['learn', home, sessions, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.files_skipped.map((s: { file: string }) => s.file)).toContain(
      join(home, 'garbage.jsonl'),
    );
    expect(out.sessions).toBeGreaterThan(0);
  });

  it('prints nothing for context when nothing is stored', () => {
    const r = attune(['context']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });
});

describe('usage', () => {
  it.each([
    'evaluate',
    'learn',
    'patterns',
    'patterns search',
    'patterns category',
    'patterns show',
    'patterns delete',
    'context',
    'skills',
    'rules',
    'mcp',
    'migrate',
    'doctor',
    'config',
    'config show',
    'config set',
    'config unset',
    'config path',
    'hooks install',
    'hooks uninstall',
    'hooks status',
    'hook session-start',
    'hook session-end',
  ])('%s --help shows an example', (cmd) => {
    const r = attune([...cmd.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Example/);
  });

  it('exits 2 on an unknown command or option, 1 on a bad category', () => {
    expect(attune(['frobnicate']).code).toBe(2);
    expect(attune(['context', '--bogus']).code).toBe(2);
    expect(attune(['context', '--max', 'many']).code).toBe(2);
    const bad = attune(['patterns', 'category', 'mood']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/preference/);
  });

  it('takes the user from --user over ATTUNE_USER', () => {
    attune(['learn', sessions, '--force', '--user', 'someone-else']);
    expect(existsSync(join(home, 'store/someone-else'))).toBe(true);
  });
});

describe('the config file', () => {
  it('learns from a short session with one correction by default, and minQuality raises the bar', () => {
    writeFileSync(
      join(home, 'one-pref.json'),
      JSON.stringify([
        { role: 'user', content: 'Write a function that slugifies titles.' },
        { role: 'assistant', content: 'def slugify(title): ...' },
        { role: 'user', content: 'I prefer type hints on every public function.' },
        { role: 'assistant', content: 'Added type hints.' },
        { role: 'user', content: 'Now add a docstring.' },
      ]),
    );
    writeFileSync(
      join(home, 'one-fix.json'),
      JSON.stringify([
        { role: 'user', content: 'add a lint script to package.json' },
        { role: 'assistant', content: 'Added it and ran npm install eslint.' },
        {
          role: 'user',
          content: 'no, we use pnpm in this repo, never npm. use pnpm add -D eslint',
        },
        { role: 'assistant', content: 'Switched to pnpm add -D eslint.' },
      ]),
    );
    const evaluate = (file: string) =>
      JSON.parse(attune(['evaluate', join(home, file), '--json', '--dry-run']).stdout);
    const fix = evaluate('one-fix.json');
    expect(fix.quality).toBe('POOR');
    expect(fix.recommended).toBe(true);
    expect(fix.patterns.map((p: { resolution: string }) => p.resolution).join(' ')).toMatch(/pnpm/);
    const pref = evaluate('one-pref.json');
    expect(pref.recommended).toBe(true);
    expect(pref.patterns.length).toBeGreaterThan(0);

    mkdirSync(join(home, '.attune'), { recursive: true });
    writeFileSync(join(home, '.attune/config.json'), JSON.stringify({ minQuality: 'GOOD' }));
    for (const [file, before] of [
      ['one-fix.json', fix],
      ['one-pref.json', pref],
    ] as const) {
      const strict = evaluate(file);
      expect(strict.quality).toBe(before.quality);
      expect(strict.recommended).toBe(false);
      expect(strict.patterns).toEqual([]);
    }
  });
});
