/**
 * Hook costs, measured as whole processes, the way Claude Code runs them.
 *
 * 1. `attune hook session-start` with 100 and 10 000 stored patterns (file store), against
 *    `node -e 0` in the same run: runs are interleaved, medians and the ratio are printed.
 *    Target: at most 1.5x bare Node start-up.
 * 2. `attune hook session-end` learning inline (the whole process, against Claude Code's
 *    1.5 s SessionEnd budget) from the largest real transcripts and from a synthetic 10 MB
 *    one (a dense hand-written session repeated), and the auto mode on the 10 MB one (the
 *    hook returns once the detached learner has started).
 *
 * Run: npm run bench -- hooks (or node dist/bench/hooks.js after a build).
 * @module
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PATTERN_CATEGORIES } from '../src/model/category.js';
import { createPattern, type ExtractedPattern } from '../src/model/pattern.js';
import { FileStore } from '../src/store/file-store.js';
import { findRoot } from './args.js';

const ROOT = findRoot();
const CLI = join(ROOT, 'dist/src/cli/bin.cjs');
const REAL = join(ROOT, 'test/fixtures/transcripts/claude-code');
// Dense in turns and lessons (corrections, a preference, an error fixed): the heavy case.
const DENSE = join(ROOT, 'test/hooks/claude-code/fixtures/invoicer-pnpm-invoice-error.jsonl');

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function timeRun(
  args: string[],
  input: string,
  env: NodeJS.ProcessEnv,
): { ms: number; stdout: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { input, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

function makePatterns(n: number, project: string): ExtractedPattern[] {
  const words = [
    'vitest',
    'pnpm',
    'async',
    'null',
    'retry',
    'docker',
    'cents',
    'lint',
    'schema',
    'cache',
  ];
  return Array.from({ length: n }, (_, i) =>
    createPattern({
      category: PATTERN_CATEGORIES[i % PATTERN_CATEGORIES.length] ?? 'preference',
      trigger: `When working on ${words[i % words.length]} task ${i}`,
      resolution: `Use the ${words[(i * 7) % words.length]} approach number ${i}; it worked in session ${i % 97}.`,
      context: `Observed while fixing issue ${i}`,
      confidence: 0.5 + ((i * 37) % 50) / 100,
      tags: [words[i % words.length] ?? 'misc'],
      extractedAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000),
      sourceSession: `session-${i % 97}`,
      metadata: i % 3 === 0 ? { project } : {},
    }),
  );
}

/**
 * Repeats a real transcript's records (fresh record, message and tool ids) until it holds `bytes`, linked into one
 * parent chain so that the reader's active thread runs through all of them.
 */
function syntheticTranscript(source: string, bytes: number): string {
  const records = readFileSync(source, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const out: string[] = [];
  let size = 0;
  let last: string | null = null;
  for (let copy = 0; size < bytes; copy++) {
    for (const r of records) {
      const rec: Record<string, unknown> = { ...r };
      if (typeof r.uuid === 'string') {
        rec.uuid = `${r.uuid}-${copy}`;
        rec.parentUuid = last;
        last = rec.uuid as string;
      }
      // Fresh message and tool-call ids too, so that no copy merges into another.
      const line = JSON.stringify(rec).replace(/"(msg_|toolu_|req_)/g, `"$1c${copy}`);
      out.push(line);
      size += line.length + 1;
    }
  }
  return `${out.join('\n')}\n`;
}

/** Prints the figures described in this module's comment. */
export async function benchHooks(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), 'attune-bench-hooks-'));
  try {
    const project = join(dir, 'project');
    mkdirSync(join(project, '.git'), { recursive: true });
    const baseEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      ATTUNE_HOME: join(dir, '.attune'),
      ATTUNE_LOG_FILE: join(dir, 'hooks.log'),
      ATTUNE_USER: 'bench',
    };
    const stores: Record<string, string> = {};
    for (const n of [100, 10_000]) {
      const storageDir = join(dir, `store-${n}`);
      await new FileStore({ storageDir }).savePatterns('bench', makePatterns(n, project), {
        maxPatterns: n,
      });
      stores[n] = storageDir;
    }
    const startPayload = JSON.stringify({
      session_id: 'bench',
      transcript_path: join(dir, 'none.jsonl'),
      cwd: project,
      hook_event_name: 'SessionStart',
      source: 'startup',
    });

    console.log('\n## hooks: session-start as a whole process (file store)');
    const runs = Number(process.env.BENCH_HOOK_RUNS) || 21;
    // warm: the context cache is valid (the usual case: the store did not change since the
    // last session start); cold: a fresh ATTUNE_HOME each run, so patterns.json is parsed.
    const series = ['100 warm', '10000 warm', '100 cold', '10000 cold'];
    const times: Record<string, number[]> = { node: [] };
    const outputChars: Record<string, number> = {};
    for (const name of series) times[name] = [];
    // One warm-up round fills the caches; then interleave so that noise hits every series alike.
    for (let i = -1; i < runs; i++) {
      const bare = timeRun(['-e', '0'], '', baseEnv);
      if (i >= 0) times.node?.push(bare.ms);
      for (const name of series) {
        const [n = '', kind] = name.split(' ');
        const home =
          kind === 'warm' ? join(dir, `.attune-${n}`) : join(dir, `.attune-cold-${n}-${i + 1}`);
        const env = { ...baseEnv, ATTUNE_HOME: home, ATTUNE_STORAGE_DIR: stores[n] };
        const r = timeRun([CLI, 'hook', 'session-start'], startPayload, env);
        if (i >= 0) times[name]?.push(r.ms);
        else outputChars[name] = r.stdout.length;
      }
    }
    const nodeMs = median(times.node ?? []);
    console.log(
      `node -e 0                               median ${nodeMs.toFixed(1)} ms (${runs} runs)`,
    );
    for (const name of series) {
      const ms = median(times[name] ?? []);
      const [n = '', kind] = name.split(' ');
      console.log(
        `hook session-start, ${n.padStart(5)} patterns, ${kind} cache: median ${ms.toFixed(1)} ms  ratio ${(ms / nodeMs).toFixed(2)}x  (output ${outputChars[name]} chars)`,
      );
    }

    console.log('\n## hooks: session-end, whole process, learning inline');
    const largest = readdirSync(REAL)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => join(REAL, f))
      .sort((a, b) => statSync(b).size - statSync(a).size)
      .slice(0, 2);
    const big = join(dir, 'synthetic-10mb.jsonl');
    writeFileSync(big, syntheticTranscript(DENSE, 10 * 1024 * 1024));
    const endRuns = Number(process.env.BENCH_HOOK_END_RUNS) || 5;
    for (const file of [...largest, big]) {
      const endPayload = JSON.stringify({
        session_id: 'bench-end',
        transcript_path: file,
        cwd: project,
        hook_event_name: 'SessionEnd',
        reason: 'other',
      });
      const ms: number[] = [];
      for (let i = 0; i < endRuns; i++) {
        const storageDir = join(dir, `end-store-${i}`);
        const env = { ...baseEnv, ATTUNE_STORAGE_DIR: storageDir, ATTUNE_HOOK_MODE: 'inline' };
        ms.push(timeRun([CLI, 'hook', 'session-end'], endPayload, env).ms);
        rmSync(storageDir, { recursive: true, force: true });
      }
      const kb = Math.round(statSync(file).size / 1024);
      console.log(
        `${file.split('/').pop()} (${kb} KB): median ${median(ms).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms  budget 1500 ms`,
      );
    }
    const autoPayload = JSON.stringify({
      session_id: 'bench-auto',
      transcript_path: big,
      cwd: project,
      hook_event_name: 'SessionEnd',
      reason: 'other',
    });
    const autoMs: number[] = [];
    for (let i = 0; i < endRuns; i++) {
      autoMs.push(
        timeRun([CLI, 'hook', 'session-end'], autoPayload, {
          ...baseEnv,
          ATTUNE_STORAGE_DIR: join(dir, 'auto'),
        }).ms,
      );
    }
    console.log(
      `synthetic 10 MB, auto mode (hook returns after starting the learner): median ${median(autoMs).toFixed(0)} ms`,
    );
    // Let the detached learners finish before the folder goes away.
    const log = join(dir, 'hooks.log');
    const deadline = Date.now() + 120_000;
    const done = () =>
      (readFileSync(log, 'utf8').match(/background learner pid=\d+ done|timed out/g) ?? []).length;
    while (done() < endRuns && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const learned =
      readFileSync(log, 'utf8').match(
        /bench-auto|synthetic-10mb.jsonl: session=\S+ quality=\S+[^\n]*\((\d+) ms\)/g,
      ) ?? [];
    if (learned.length) console.log(`  detached learner, last: ${learned.at(-1)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  await benchHooks();
}
