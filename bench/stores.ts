/**
 * Store benchmark: saves per second, search and `listPatterns({ limit: 5 })` latency
 * (median and p95) and peak memory, for each store at 100, 10 000 and 100 000 patterns of one
 * user. PostgreSQL runs on a throwaway local cluster (fsync on) when its binaries exist.
 * The file store stops at 10 000: every call reads and parses the user's whole JSON file, so
 * 100 000 patterns (about 60 MB) cost seconds per call and say nothing new.
 *
 * Run: `npm run bench -- stores`, or `node dist/bench/stores.js [sizes...] [file|sqlite|postgres...]`
 * after a build.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PATTERN_CATEGORIES } from '../src/model/category.js';
import { createPattern, type ExtractedPattern } from '../src/model/pattern.js';
import { openStore, type StoreConfig } from '../src/store/open-store.js';
import type { PatternStore, StoreKind } from '../src/store/pattern-store.js';
import { findPostgres, type PostgresServer, startPostgres } from '../test/helpers/postgres.js';

/** One line of the result table. */
export interface StoreBenchRow {
  store: StoreKind;
  patterns: number;
  /** Single-pattern `savePatterns` calls per second at this size. */
  savesPerSecond: number;
  searchMedianMs: number;
  searchP95Ms: number;
  listMedianMs: number;
  listP95Ms: number;
  /** Highest resident set size of this process so far, in MB. */
  peakRssMb: number;
  /** Time to load the patterns in batches of 1000, in seconds. */
  loadSeconds: number;
}

const USER = 'bench-user';
const SAVES = 100;
const QUERIES = 200;
const DEFAULT_SIZES = [100, 10_000, 100_000];
const FILE_STORE_MAX = 10_000;

/** A seeded generator so every store sees the same data and queries. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ti', 'sa', 'po', 'de', 'gu', 'vi', 'zo', 'ba'];
const random = rng(42);
const VOCABULARY = Array.from({ length: 3000 }, (_, i) => {
  let w = '';
  for (let n = 0; n < 3; n++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
  return `${w}${i}`;
});
const word = (r: () => number) => VOCABULARY[Math.floor(r() * VOCABULARY.length)] ?? 'word';
const words = (r: () => number, n: number) => Array.from({ length: n }, () => word(r)).join(' ');

function makePattern(i: number, prefix = 'p'): ExtractedPattern {
  const r = rng(i + 1);
  return createPattern({
    patternId: `${prefix}${i}`,
    category: PATTERN_CATEGORIES[i % PATTERN_CATEGORIES.length] ?? 'workaround',
    trigger: `When ${words(r, 8)}`,
    context: words(r, 20),
    resolution: `Do ${words(r, 12)}`,
    confidence: Math.round(r() * 100) / 100,
    tags: [word(r), word(r)],
    extractedAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000),
    sourceSession: `session-${i % 500}`,
    metadata: { observations: 1 + (i % 4) },
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const at = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, at)] ?? 0;
}

let peakRss = 0;
function sampleRss(): void {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}

async function time(times: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
    if (i % 10 === 0) sampleRss();
  }
  return out.sort((a, b) => a - b);
}

async function benchOne(
  kind: StoreKind,
  config: StoreConfig,
  size: number,
): Promise<StoreBenchRow> {
  const store: PatternStore = await openStore(config);
  try {
    const loadStart = performance.now();
    for (let i = 0; i < size; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, size - i) }, (_, k) => makePattern(i + k));
      await store.savePatterns(USER, batch, { maxPatterns: Number.POSITIVE_INFINITY });
      sampleRss();
    }
    const loadSeconds = (performance.now() - loadStart) / 1000;
    const saves = await time(SAVES, (i) =>
      store.savePatterns(USER, [makePattern(i, 'extra')], { maxPatterns: size + SAVES }),
    );
    const q = rng(7);
    const queries = Array.from({ length: QUERIES }, (_, i) =>
      i % 2 ? word(q) : `${word(q)} ${word(q).slice(0, 5)}`,
    );
    const search = await time(QUERIES, (i) =>
      store.searchPatterns(USER, queries[i] ?? '', { limit: 10 }),
    );
    const list = await time(QUERIES, () => store.listPatterns(USER, { limit: 5 }));
    const savesTotal = saves.reduce((a, b) => a + b, 0) / 1000;
    return {
      store: kind,
      patterns: size,
      savesPerSecond: Math.round(SAVES / savesTotal),
      searchMedianMs: percentile(search, 50),
      searchP95Ms: percentile(search, 95),
      listMedianMs: percentile(list, 50),
      listP95Ms: percentile(list, 95),
      peakRssMb: Math.round(peakRss / 2 ** 20),
      loadSeconds,
    };
  } finally {
    await store.close();
  }
}

function printTable(rows: readonly StoreBenchRow[]): void {
  const head = [
    'store',
    'patterns',
    'saves/s',
    'search p50 ms',
    'search p95 ms',
    'list5 p50 ms',
    'list5 p95 ms',
    'peak rss MB',
    'load s',
  ];
  const body = rows.map((r) => [
    r.store,
    String(r.patterns),
    String(r.savesPerSecond),
    r.searchMedianMs.toFixed(2),
    r.searchP95Ms.toFixed(2),
    r.listMedianMs.toFixed(2),
    r.listP95Ms.toFixed(2),
    String(r.peakRssMb),
    r.loadSeconds.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  console.log(line(head));
  for (const b of body) console.log(line(b));
}

/** Runs the store benchmark and prints a table; returns its rows. */
export async function benchStores(
  sizes: readonly number[] = DEFAULT_SIZES,
  kinds: readonly StoreKind[] = ['file', 'sqlite', 'postgres'],
): Promise<StoreBenchRow[]> {
  console.log(
    `\n== stores: one user; ${SAVES} single-pattern saves, ${QUERIES} searches (limit 10) and ` +
      `${QUERIES} listPatterns(limit 5) per size ==`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'attune-bench-stores-'));
  const rows: StoreBenchRow[] = [];
  let server: PostgresServer | undefined;
  try {
    const found = kinds.includes('postgres') ? findPostgres() : { reason: 'not asked for' };
    if ('reason' in found) console.log(`postgres skipped: ${found.reason}`);
    else server = await startPostgres({ fast: false });
    for (const size of sizes) {
      if (size <= FILE_STORE_MAX && kinds.includes('file')) {
        rows.push(
          await benchOne('file', { kind: 'file', storageDir: join(dir, `file-${size}`) }, size),
        );
      }
      if (kinds.includes('sqlite')) {
        rows.push(
          await benchOne(
            'sqlite',
            { kind: 'sqlite', databaseUrl: join(dir, `db-${size}.sqlite`) },
            size,
          ),
        );
      }
      if (server) {
        const url = await server.createDatabase(`bench_${size}`);
        rows.push(await benchOne('postgres', { kind: 'postgres', databaseUrl: url }, size));
      }
      console.log(`  done: ${size} patterns`);
    }
  } finally {
    server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
  printTable(rows);
  console.log(
    'targets: sqlite search p95 < 10 ms at 100 000; postgres < 20 ms; file store < 2 ms at 100. ' +
      'saves/s: fsync on every save (file store, sqlite synchronous=FULL, postgres fsync on).',
  );
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const sizes = args.map(Number).filter((n) => n > 0);
  const kinds = args.filter((a): a is StoreKind => ['file', 'sqlite', 'postgres'].includes(a));
  await benchStores(sizes.length > 0 ? sizes : DEFAULT_SIZES, kinds.length > 0 ? kinds : undefined);
}
