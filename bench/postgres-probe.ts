/**
 * A probe for iterating on the postgres store's search: keeps one cluster (data under
 * `/tmp/h2pg`, port 55432, fsync on) and one loaded database per size alive between runs, so
 * a change to the search code is measured in seconds instead of a five-minute bench.
 *
 * - `load <size> [fast] [pending=<kB>] [noanalyze]`: a fresh `probe_<size>` database with
 *   `makePattern(0..size-1)` saved in batches of 1000 as the bench loads them (with `fast`,
 *   the GIN indexes are dropped for the load and rebuilt after: quicker, but not the bench's
 *   load time; with `pending`, the GIN indexes get pending lists of that size);
 * - `search <size> [check] [auto] [tiers=<n>]`: the bench's 4 query classes × 50 queries
 *   with limit 20 (`tiers` sets `tieredSearchFrom`)
 *   after the same warm-up, p50/p95 per class and pooled, the 5 slowest queries; `check`
 *   compares every answer with an in-memory ranking of all patterns, `auto` has the server
 *   log plans of statements over 10 ms (auto_explain) to `/tmp/h2pg/server.log`;
 * - `saves <size>`: 100 single-pattern saves as the bench times them;
 * - `stop`.
 *
 * Run after `npx tsc -p tsconfig.build.json --outDir .build/h2`:
 * `node .build/h2/bench/postgres-probe.js search 100000 check`.
 * @module
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { ExtractedPattern } from '../src/model/pattern.js';
import { createPostgresStore } from '../src/store/postgres-store.js';
import { finishSearch, sqlSearchTerms } from '../src/store/sql-common.js';
import { findPostgres } from '../test/helpers/postgres.js';
import { makePattern, makeQueries, QUERY_CLASSES } from './stores.js';

const ROOT = '/tmp/h2pg';
const PORT = 55432;
const USER = 'bench-user';
const LIMIT = 20;
const PER_CLASS = 50;

function cluster(): { run: (cmd: string, args: string[]) => string; bin: (n: string) => string } {
  const found = findPostgres();
  if ('reason' in found) throw new Error(found.reason);
  const bin = (name: string) => join(found.binDir, name);
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    const r = spawnSync(file, argv, { encoding: 'utf8', cwd: ROOT });
    if (r.status !== 0) throw new Error(`${cmd} failed:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  if (!existsSync(ROOT)) {
    mkdirSync(ROOT);
    if (asRoot) {
      const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
      chownSync(ROOT, id('-u'), id('-g'));
    }
  }
  return { run, bin };
}

function ensureRunning(): void {
  const { run, bin } = cluster();
  const data = join(ROOT, 'data');
  if (!existsSync(data)) {
    run(bin('initdb'), ['-D', data, '-U', 'attune', '--auth=trust', '-E', 'UTF8', '--locale=C']);
  }
  const status = spawnSync('runuser', [
    '-u',
    'postgres',
    '--',
    bin('pg_ctl'),
    'status',
    '-D',
    data,
  ]);
  if (status.status === 0) return;
  run(bin('pg_ctl'), [
    'start',
    '-w',
    '-D',
    data,
    '-l',
    join(ROOT, 'server.log'),
    '-o',
    `-c listen_addresses=127.0.0.1 -p ${PORT} -k ${ROOT} -c max_connections=200 -c session_preload_libraries=auto_explain`,
  ]);
}

const url = (db: string) => `postgres://attune@127.0.0.1:${PORT}/${db}`;

async function admin<T>(fn: (c: pg.Client) => Promise<T>, db = 'postgres'): Promise<T> {
  const c = new pg.Client({ connectionString: url(db) });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function load(size: number, fast: boolean, flags: readonly string[]): Promise<void> {
  const db = `probe_${size}`;
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${db}`);
    await c.query(`CREATE DATABASE ${db}`);
  });
  const store = await createPostgresStore({ connectionString: url(db) });
  let indexes: { indexname: string; indexdef: string }[] = [];
  if (fast) {
    indexes = await admin(async (c) => {
      const { rows } = await c.query<{ indexname: string; indexdef: string }>(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'attune_patterns' AND indexdef LIKE '%USING gin%'",
      );
      for (const r of rows) await c.query(`DROP INDEX ${r.indexname}`);
      return rows;
    }, db);
  }
  const pending = flags.find((f) => f.startsWith('pending='))?.slice('pending='.length);
  if (pending !== undefined) {
    // Try GIN pending lists of this many kB instead of the schema's fastupdate = off.
    await admin(async (c) => {
      const { rows } = await c.query<{ indexname: string }>(
        "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%USING gin%'",
      );
      for (const r of rows) {
        await c.query(
          `ALTER INDEX ${r.indexname} SET (fastupdate = on, gin_pending_list_limit = ${Number(pending)})`,
        );
      }
    }, db);
  }
  const start = performance.now();
  for (let i = 0; i < size; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, size - i) }, (_, k) => makePattern(i + k));
    await store.savePatterns(USER, batch, { maxPatterns: Number.POSITIVE_INFINITY });
  }
  const loaded = performance.now();
  await admin(async (c) => {
    for (const r of indexes) await c.query(r.indexdef);
    // VACUUM would merge GIN pending lists, which the bench's searches find unmerged.
    if (!flags.includes('noanalyze')) await c.query(fast ? 'VACUUM ANALYZE' : 'ANALYZE');
  }, db);
  await store.close();
  console.log(
    `loaded ${size} in ${((loaded - start) / 1000).toFixed(1)} s` +
      (fast ? ` (+ ${((performance.now() - loaded) / 1000).toFixed(1)} s indexes and vacuum)` : ''),
  );
}

function percentile(sorted: readonly number[], p: number): number {
  const at = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, at)] ?? 0;
}

async function search(
  size: number,
  check: boolean,
  auto: boolean,
  flags: readonly string[],
): Promise<void> {
  const db = `probe_${size}`;
  await admin(async (c) => {
    const settings = auto
      ? [
          "auto_explain.log_min_duration = '10ms'",
          'auto_explain.log_analyze = on',
          'auto_explain.log_buffers = on',
        ]
      : ["auto_explain.log_min_duration = '-1'"];
    for (const s of settings) await c.query(`ALTER DATABASE ${db} SET ${s}`);
  });
  const tiers = flags.find((f) => f.startsWith('tiers='))?.slice('tiers='.length);
  const store = await createPostgresStore({
    connectionString: url(db),
    ...(tiers === undefined ? {} : { tieredSearchFrom: Number(tiers) }),
  });
  const all: ExtractedPattern[] = check
    ? Array.from({ length: size }, (_, i) => makePattern(i))
    : [];
  const pooled: number[] = [];
  const slow: { ms: number; q: string }[] = [];
  let wrong = 0;
  for (const kind of QUERY_CLASSES) {
    const queries = makeQueries(kind, PER_CLASS, size);
    for (const q of queries.slice(0, 10)) await store.searchPatterns(USER, q);
    const times: number[] = [];
    for (const q of queries) {
      const t = performance.now();
      const found = await store.searchPatterns(USER, q, { limit: LIMIT });
      const ms = performance.now() - t;
      times.push(ms);
      slow.push({ ms, q: `${kind}: ${q}` });
      if (check) {
        const { sql, rest } = sqlSearchTerms(q);
        const terms = [...sql, ...rest];
        const want = finishSearch(all, terms, terms, LIMIT).map((p) => p.patternId);
        const got = found.map((p) => p.patternId);
        if (JSON.stringify(want) !== JSON.stringify(got)) {
          wrong++;
          console.log(`WRONG ${kind} ${JSON.stringify(q)}\n  want ${want}\n  got  ${got}`);
        }
      }
    }
    pooled.push(...times);
    times.sort((a, b) => a - b);
    console.log(
      `${kind.padEnd(7)} p50 ${percentile(times, 50).toFixed(2).padStart(7)}  p95 ${percentile(times, 95).toFixed(2).padStart(7)}  max ${percentile(times, 100).toFixed(2).padStart(7)}  over 20 ms: ${times.filter((t) => t > 20).length}`,
    );
  }
  pooled.sort((a, b) => a - b);
  console.log(
    `pooled  p50 ${percentile(pooled, 50).toFixed(2).padStart(7)}  p95 ${percentile(pooled, 95).toFixed(2).padStart(7)}`,
  );
  slow.sort((a, b) => b.ms - a.ms);
  for (const s of slow.slice(0, 5)) console.log(`  ${s.ms.toFixed(1)} ms  ${s.q}`);
  if (check) console.log(wrong === 0 ? 'all answers exact' : `${wrong} WRONG answers`);
  await store.close();
}

async function saves(size: number): Promise<void> {
  const store = await createPostgresStore({ connectionString: url(`probe_${size}`) });
  const t = performance.now();
  for (let i = 0; i < 100; i++) {
    await store.savePatterns(USER, [makePattern(i, 'extra')], { maxPatterns: size + 100 });
  }
  console.log(`saves/s ${(100 / ((performance.now() - t) / 1000)).toFixed(0)}`);
  // The probe's searches check against makePattern(0..size-1) only.
  for (let i = 0; i < 100; i++) await store.deletePattern(USER, `extra${i}`);
  await store.close();
}

const [command, sizeArg, ...flags] = process.argv.slice(2);
const size = Number(sizeArg ?? 100_000);
if (command === 'stop') {
  const { run, bin } = cluster();
  run(bin('pg_ctl'), ['stop', '-m', 'fast', '-D', join(ROOT, 'data')]);
} else {
  ensureRunning();
  if (command === 'load') await load(size, flags.includes('fast'), flags);
  else if (command === 'search')
    await search(size, flags.includes('check'), flags.includes('auto'), flags);
  else if (command === 'saves') await saves(size);
  else
    throw new Error('usage: postgres-probe.js load|search|saves <size> [fast|check|auto] | stop');
}
