/**
 * SQLite search probe: the search latency of `bench/stores.ts` (limit 20, 50 queries per
 * class, the same synthetic patterns and queries) on a database kept between runs, so a
 * change to the search can be measured in seconds instead of reloading 100 000 patterns.
 * Each query runs `reps` times and keeps its fastest run, which filters out the pauses a
 * machine shared with other work adds; both wall time and this process's CPU time are
 * reported, per class and pooled, with the slowest queries of each class.
 *
 * Run after a build: `node dist/bench/sqlite-probe.js <db-path> [patterns] [reps]`. A
 * missing database is created and loaded first (in batches of 1000, synchronous=NORMAL);
 * an existing one is used as it is, so delete it after a schema change.
 * @module
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createSqliteStore } from '../src/store/sqlite-store.js';
import { makePattern, makeQueries, QUERY_CLASSES } from './stores.js';

const USER = 'bench-user';
const QUERIES_PER_CLASS = 50;
const LIMIT = 20;

/** One timed query: its fastest wall and CPU time over the repetitions. */
interface Timed {
  query: string;
  wallMs: number;
  cpuMs: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const at = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, at)] ?? 0;
}

/** Loads the probe database when missing, then times every query class; prints a report. */
export async function probeSqliteSearch(path: string, size: number, reps: number): Promise<void> {
  const fresh = !existsSync(path);
  const store = await createSqliteStore({ path, synchronous: 'normal' });
  try {
    if (fresh) {
      const start = performance.now();
      for (let i = 0; i < size; i += 1000) {
        const batch = Array.from({ length: Math.min(1000, size - i) }, (_, k) =>
          makePattern(i + k),
        );
        await store.savePatterns(USER, batch, { maxPatterns: Number.POSITIVE_INFINITY });
      }
      console.log(
        `loaded ${size} patterns in ${((performance.now() - start) / 1000).toFixed(1)} s`,
      );
    }
    const pooled: Timed[] = [];
    for (const kind of QUERY_CLASSES) {
      const queries = makeQueries(kind, QUERIES_PER_CLASS, size);
      for (const q of queries.slice(0, 10)) await store.searchPatterns(USER, q, { limit: LIMIT });
      const timed: Timed[] = [];
      for (const query of queries) {
        let wallMs = Number.POSITIVE_INFINITY;
        let cpuMs = Number.POSITIVE_INFINITY;
        for (let r = 0; r < reps; r++) {
          const cpu = process.cpuUsage();
          const start = performance.now();
          await store.searchPatterns(USER, query, { limit: LIMIT });
          wallMs = Math.min(wallMs, performance.now() - start);
          const used = process.cpuUsage(cpu);
          cpuMs = Math.min(cpuMs, (used.user + used.system) / 1000);
        }
        timed.push({ query, wallMs, cpuMs });
      }
      pooled.push(...timed);
      report(kind, timed, 3);
    }
    report('pooled', pooled, 0);
  } finally {
    await store.close();
  }
}

function report(label: string, timed: readonly Timed[], worst: number): void {
  const wall = timed.map((t) => t.wallMs).sort((a, b) => a - b);
  const cpu = timed.map((t) => t.cpuMs).sort((a, b) => a - b);
  const slowest = [...timed]
    .sort((a, b) => b.wallMs - a.wallMs)
    .slice(0, worst)
    .map((t) => `${t.query}=${t.wallMs.toFixed(1)}`);
  console.log(
    `${label.padEnd(6)} wall p50 ${percentile(wall, 50).toFixed(2)} p95 ${percentile(wall, 95).toFixed(2)}` +
      ` | cpu p50 ${percentile(cpu, 50).toFixed(2)} p95 ${percentile(cpu, 95).toFixed(2)}` +
      ` | over 10 ms: ${wall.filter((w) => w > 10).length}` +
      (slowest.length > 0 ? ` | slowest: ${slowest.join(' | ')}` : ''),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [path, size = '100000', reps = '3'] = process.argv.slice(2);
  if (!path || !Number.isInteger(Number(size)) || !Number.isInteger(Number(reps))) {
    throw new Error('usage: sqlite-probe.js <db-path> [patterns] [reps]');
  }
  await probeSqliteSearch(path, Number(size), Number(reps));
}
