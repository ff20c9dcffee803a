/**
 * Store benchmark: saves per second, search and `listPatterns({ limit: 5 })` latency
 * (median and p95) and peak memory, for each store at 100, 10 000 and 100 000 patterns of one
 * user. PostgreSQL runs on a throwaway local cluster (fsync on) when its binaries exist.
 * The file store stops at 10 000: every call reads and parses the user's whole JSON file, so
 * 100 000 patterns (about 60 MB) cost seconds per call and say nothing new.
 *
 * The patterns are synthetic but shaped like real lessons ("When running vitest in a
 * monorepo" → "use --root"): English prose, tool names, nouns of software work, code
 * identifiers, paths, error codes and flags, each list drawn with a Zipf-like law, so some
 * words are in a third of the patterns and most in a handful. Searches are reported by
 * query class (common word, rare identifier, several words, two-letter term), with a limit
 * of 20 as UI callers pass and without a limit. Peak RSS counts the pages of a
 * memory-mapped SQLite file that were touched (shared page cache, not heap).
 *
 * Run: `npm run bench -- stores`, or `node dist/bench/stores.js [sizes...] [file|sqlite|postgres...]`
 * after a build (an unknown argument is an error).
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PATTERN_CATEGORIES } from '../src/model/category.js';
import { createPattern, type ExtractedPattern } from '../src/model/pattern.js';
import { openStore, type StoreConfig } from '../src/store/open-store.js';
import { type PatternStore, STORE_KINDS, type StoreKind } from '../src/store/pattern-store.js';
import { findPostgres, type PostgresServer, startPostgres } from '../test/helpers/postgres.js';

/** One line of the result table. */
export interface StoreBenchRow {
  store: StoreKind;
  patterns: number;
  /** Single-pattern `savePatterns` calls per second at this size. */
  savesPerSecond: number;
  /** Search with a limit of {@link SEARCH_LIMIT}, over every query class. */
  searchMedianMs: number;
  searchP95Ms: number;
  /** Search without a limit, over every query class. */
  searchAllMedianMs: number;
  searchAllP95Ms: number;
  listMedianMs: number;
  listP95Ms: number;
  /** Highest resident set size of this process so far, in MB. */
  peakRssMb: number;
  /** Time to load the patterns in batches of 1000, in seconds. */
  loadSeconds: number;
}

const USER = 'bench-user';
const SAVES = 100;
/** Searches per query class with {@link SEARCH_LIMIT}, as UI-facing callers pass it. */
const QUERIES_PER_CLASS = 50;
const SEARCH_LIMIT = 20;
/** Searches per query class without a limit (every match decoded: slow for common terms). */
const UNLIMITED_PER_CLASS = 10;
const LISTS = 200;
const DEFAULT_SIZES = [100, 10_000, 100_000];
const FILE_STORE_MAX = 10_000;

/** A seeded generator (mulberry32) so every store sees the same data and queries. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Words drawn with a Zipf–Mandelbrot law: the word of rank k (from 1) has weight
 * 1 / (k + q)^s, so the first few are frequent and the tail is rare, as in real text. The
 * offset q flattens the head of a short list: with it the most frequent noun is about 0.7 %
 * of all words, as a topical word is in English, instead of one word in twenty.
 */
class Zipf {
  readonly #words: readonly string[];
  readonly #cumulative: number[] = [];

  constructor(words: readonly string[], q: number, s = 1.05) {
    this.#words = words;
    let total = 0;
    for (let k = 1; k <= words.length; k++) {
      total += 1 / (k + q) ** s;
      this.#cumulative.push(total);
    }
    for (let k = 0; k < this.#cumulative.length; k++) {
      this.#cumulative[k] = (this.#cumulative[k] ?? 0) / total;
    }
  }

  /** The word of rank `rank` (0 is the most frequent). */
  at(rank: number): string {
    return this.#words[Math.min(rank, this.#words.length - 1)] ?? '';
  }

  draw(r: () => number): string {
    const x = r();
    let lo = 0;
    let hi = this.#cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#cumulative[mid] ?? 1) < x) lo = mid + 1;
      else hi = mid;
    }
    return this.#words[lo] ?? '';
  }
}

const list = (text: string) => text.trim().split(/\s+/);

/** English function words and common prose, most frequent first. */
const PROSE = new Zipf(
  list(`
  the to a in of and is for it with that when not on this be from after but was by as are
  or if only then so no all at also each one its before an into than which because every
  again still same other there first just should instead any both while until without
  between through about over under more most some these those does did was were has have
  had can could would will must need needs needed make makes made keep keeps kept use
  uses used work works worked fail fails failed break breaks broke show shows showed
  call calls called return returns returned read reads write writes wrote change changes
  changed add adds added remove removes removed find finds found start starts started
  stop stops stopped wait waits try tries tried give gives gave take takes took know
  knows see sees seem seems user users said says asked wanted prefers likes hates expects
  correct wrong right broken missing empty stale slow fast large small old new whole
  silently always never sometimes usually often rarely locally globally remotely
  clean dirty partial full twice once later earlier sooner faster slower better worse
  `),
  1.5,
);

/** Tools, libraries and platforms, most mentioned first. */
const TOOLS = new Zipf(
  list(`
  npm git typescript node docker vitest python pnpm react eslint jest yarn webpack vite
  postgres tsc prettier biome pytest github kubernetes kubectl nginx redis sqlite bash
  cargo rust go golang java gradle maven terraform ansible helm aws gcloud azure
  nextjs express fastify prisma drizzle sequelize mongoose mongodb mysql mariadb
  django flask fastapi poetry pipenv uv ruff mypy black isort tox nox conda
  babel swc esbuild rollup parcel turbo nx lerna changesets storybook playwright
  cypress puppeteer selenium mocha chai sinon ava tap deno bun zod yup ajv
  graphql apollo trpc grpc protobuf kafka rabbitmq celery airflow spark pandas numpy
  pydantic sqlalchemy alembic flyway liquibase vault consul nomad packer vagrant
  systemd cron journald launchd homebrew apt dnf pacman nix asdf nvm volta corepack
  tailwind sass postcss stylelint svelte vue angular solid astro remix gatsby nuxt
  electron tauri capacitor expo xcode android gradlew cmake make ninja bazel meson
  clang gcc llvm valgrind gdb lldb strace perf wireshark curl wget openssl ssh
  `),
  6,
);

/** Nouns of software work, most frequent first. */
const NOUNS = new Zipf(
  list(`
  test tests error build file module import config package install command script
  function type path version dependency server request response cache branch commit
  project workspace monorepo container image database query migration schema table
  index lockfile environment variable port process thread worker job pipeline deploy
  release tag changelog readme license token secret key certificate header cookie
  session timeout retry connection socket stream buffer encoding locale timezone
  snapshot fixture mock stub spy coverage report log warning stack trace exception
  signal memory leak heap profile benchmark flag option argument parameter endpoint
  route handler middleware plugin loader transform bundle chunk sourcemap alias
  symlink permission owner group mount volume network proxy firewall registry mirror
  artifact manifest checksum hash signature binary wheel tarball archive patch diff
  merge rebase conflict hook lint format style rule override fallback default
  callback promise generator iterator decorator annotation interface class enum
  generic union tuple record map set queue stack tree graph node edge cursor offset
  `),
  8,
);

const NOUN_LIST = Array.from({ length: 200 }, (_, k) => NOUNS.at(k));

const GERUNDS = new Zipf(
  list(`
  running building installing importing testing deploying upgrading publishing debugging
  migrating bundling linting formatting compiling starting restarting rebasing merging
  releasing caching mocking profiling seeding rolling scaffolding vendoring signing
  `),
  2,
);

const PLACES = new Zipf(
  list(`
  monorepo workspace container ci pipeline worktree submodule devcontainer codespace
  sandbox staging production laptop vm cluster pod lambda edge runtime browser terminal
  `),
  2,
);

const ERRORS = new Zipf(
  list(`
  ERR_MODULE_NOT_FOUND ENOENT EADDRINUSE ECONNREFUSED EACCES EPERM ETIMEDOUT EEXIST
  ERR_REQUIRE_ESM TS2307 TS2345 TS7016 TS18048 ERESOLVE ELIFECYCLE E401 E403 E404
  SIGKILL SIGSEGV OOMKilled ImagePullBackOff CrashLoopBackOff ModuleNotFoundError
  ImportError KeyError TypeError ReferenceError SyntaxError RangeError ValueError
  AttributeError IndentationError UnicodeDecodeError ConnectionResetError
  `),
  3,
);

const FLAGS = new Zipf(
  list(`
  --root --watch --force --no-cache --frozen-lockfile --legacy-peer-deps --verbose
  --dry-run --config --project --filter --workspace --save-exact --platform --rebuild
  --experimental-vm-modules --max-old-space-size --inspect --coverage --bail
  --reporter --runInBand --threads --pool --ci --prune --all --recursive --depth
  --no-verify --ff-only --rebase --tags --single-branch --shallow-since --strict
  `),
  3,
);

const VERBS = list(
  'load parse read write build make get set fetch resolve create update delete check validate render format compute',
);

/** A code identifier: the product of two Zipf draws makes a long tail of rare names. */
function identifier(r: () => number): string {
  const verb = VERBS[Math.floor(r() * r() * VERBS.length)] ?? 'get';
  const noun = NOUNS.draw(r);
  const second = r() < 0.5 ? pick(r, NOUN_LIST) : '';
  const cap = (w: string) => (w ? w[0]?.toUpperCase() + w.slice(1) : '');
  return `${verb}${cap(noun)}${cap(second)}`;
}

function filePath(r: () => number): string {
  const dir = NOUNS.draw(r);
  const ext = ['ts', 'js', 'json', 'py', 'yaml', 'toml', 'md'][Math.floor(r() * r() * 7)];
  return r() < 0.5 ? `src/${dir}/${NOUNS.draw(r)}.${ext}` : `${dir}/${identifier(r)}.${ext}`;
}

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)] as T;
}

/** Prose of `n` words, with tools, nouns and now and then an identifier, path or error. */
function sentence(r: () => number, n: number): string {
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const x = r();
    if (x < 0.5) out.push(PROSE.draw(r));
    else if (x < 0.72) out.push(NOUNS.draw(r));
    else if (x < 0.86) out.push(TOOLS.draw(r));
    else if (x < 0.92) out.push(identifier(r));
    else if (x < 0.96) out.push(filePath(r));
    else if (x < 0.98) out.push(ERRORS.draw(r));
    else out.push(FLAGS.draw(r));
  }
  return out.join(' ');
}

function trigger(r: () => number): string {
  const tool = TOOLS.draw(r);
  switch (Math.floor(r() * 6)) {
    case 0:
      return `When ${GERUNDS.draw(r)} ${tool} in a ${PLACES.draw(r)}`;
    case 1:
      return `${tool} fails with ${ERRORS.draw(r)} after ${GERUNDS.draw(r)} the ${NOUNS.draw(r)}`;
    case 2:
      return `User prefers ${tool} over ${TOOLS.draw(r)} for ${NOUNS.draw(r)} ${NOUNS.draw(r)}`;
    case 3:
      return `${identifier(r)} returns the wrong ${NOUNS.draw(r)} when ${sentence(r, 5)}`;
    case 4:
      return `${tool} ${NOUNS.draw(r)} is ${PROSE.draw(r)} ${PROSE.draw(r)} in ${filePath(r)}`;
    default:
      return `When ${sentence(r, 6 + Math.floor(r() * 6))}`;
  }
}

function resolution(r: () => number): string {
  const tool = TOOLS.draw(r);
  switch (Math.floor(r() * 5)) {
    case 0:
      return `use ${FLAGS.draw(r)}`;
    case 1:
      return `Run \`${tool} ${NOUNS.draw(r)} ${FLAGS.draw(r)}\` before ${GERUNDS.draw(r)}`;
    case 2:
      return `Import ${identifier(r)} from '${filePath(r)}' instead of ${identifier(r)}`;
    case 3:
      return `Set ${NOUNS.draw(r).toUpperCase()}_${NOUNS.draw(r).toUpperCase()} in ${filePath(r)}, then ${sentence(r, 8)}`;
    default:
      return `${sentence(r, 10 + Math.floor(r() * 15))}`;
  }
}

/** The `i`th synthetic pattern; the same on every run. */
export function makePattern(i: number, prefix = 'p'): ExtractedPattern {
  const r = rng(0x9e3779b9 ^ Math.imul(i + 1, 2654435761));
  const tags = new Set([TOOLS.draw(r), NOUNS.draw(r)]);
  if (r() < 0.3) tags.add(PLACES.draw(r));
  return createPattern({
    patternId: `${prefix}${i}`,
    category: PATTERN_CATEGORIES[i % PATTERN_CATEGORIES.length] ?? 'workaround',
    trigger: trigger(r),
    context: sentence(r, 12 + Math.floor(r() * 30)),
    resolution: resolution(r),
    confidence: Math.round(r() * 100) / 100,
    tags: [...tags],
    extractedAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000),
    sourceSession: `session-${i % 500}`,
    metadata: { observations: 1 + (i % 4) },
  });
}

/** Kinds of search query the bench reports apart. */
export const QUERY_CLASSES = ['common', 'rare', 'multi', 'short'] as const;
export type QueryClass = (typeof QUERY_CLASSES)[number];

const QUERY_CLASS_HELP: Record<QueryClass, string> = {
  common: 'one frequent word (npm, test, error, docker…)',
  rare: 'one code identifier or path taken from a stored pattern',
  multi: '2–3 words: from one pattern, or a tool and a place drawn at random',
  short: 'one term of two letters (ci, db, ts…), which no trigram index can serve',
};

/** The words of a text that a person could type as a search term. */
function termsOf(text: string): string[] {
  return text
    .split(/[\s'`,]+/)
    .map((w) => w.replace(/[.:]+$/, ''))
    .filter((w) => w.length >= 3);
}

/**
 * `count` queries of one class for a store of `size` patterns, the same for every store.
 * Rare and multi queries come from patterns that exist at that size, so they match.
 */
export function makeQueries(kind: QueryClass, count: number, size: number): string[] {
  const r = rng(1000 + QUERY_CLASSES.indexOf(kind));
  const from = () => makePattern(Math.floor(r() * size));
  const short = ['ci', 'db', 'ts', 'js', 'vm', 'go', 'ui', 'id', 'io', 'os'];
  return Array.from({ length: count }, (_, i) => {
    switch (kind) {
      case 'common':
        return r() < 0.5 ? TOOLS.at(i % 8) : NOUNS.at(i % 10);
      case 'rare': {
        const p = from();
        const words = termsOf(`${p.trigger} ${p.context} ${p.resolution}`);
        const code = words.filter((w) => /[a-z][A-Z]|\/|_/.test(w));
        const pool = code.length > 0 ? code : words;
        return pool[Math.floor(r() * pool.length)] ?? 'missing';
      }
      case 'multi': {
        if (i % 2) return `${TOOLS.draw(r)} ${PLACES.draw(r)}`;
        const words = [...new Set(termsOf(from().trigger.toLowerCase()))];
        const n = 2 + Math.floor(r() * 2);
        const chosen: string[] = [];
        while (chosen.length < Math.min(n, words.length)) {
          const w = words.splice(Math.floor(r() * words.length), 1)[0];
          if (w) chosen.push(w);
        }
        return chosen.join(' ');
      }
      default:
        return short[i % short.length] ?? 'ci';
    }
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

/** Search latency of one query class at one size. */
export interface SearchClassRow {
  store: StoreKind;
  patterns: number;
  kind: QueryClass;
  /** Median number of patterns a query of this class matches. */
  matchesMedian: number;
  limitedMedianMs: number;
  limitedP95Ms: number;
  allMedianMs: number;
  allP95Ms: number;
}

async function benchSearch(
  store: PatternStore,
  kind: StoreKind,
  size: number,
): Promise<{ limited: number[]; all: number[]; classes: SearchClassRow[] }> {
  const limited: number[] = [];
  const all: number[] = [];
  const classes: SearchClassRow[] = [];
  for (const queryClass of QUERY_CLASSES) {
    const queries = makeQueries(queryClass, QUERIES_PER_CLASS, size);
    // One untimed pass per class warms the page cache the same way for every store.
    const counts: number[] = [];
    for (const q of queries.slice(0, UNLIMITED_PER_CLASS)) {
      counts.push((await store.searchPatterns(USER, q)).length);
    }
    const withLimit = await time(queries.length, (i) =>
      store.searchPatterns(USER, queries[i] ?? '', { limit: SEARCH_LIMIT }),
    );
    const unlimited = await time(UNLIMITED_PER_CLASS, (i) =>
      store.searchPatterns(USER, queries[i] ?? ''),
    );
    limited.push(...withLimit);
    all.push(...unlimited);
    classes.push({
      store: kind,
      patterns: size,
      kind: queryClass,
      matchesMedian: percentile(
        counts.sort((a, b) => a - b),
        50,
      ),
      limitedMedianMs: percentile(withLimit, 50),
      limitedP95Ms: percentile(withLimit, 95),
      allMedianMs: percentile(unlimited, 50),
      allP95Ms: percentile(unlimited, 95),
    });
  }
  return {
    limited: limited.sort((a, b) => a - b),
    all: all.sort((a, b) => a - b),
    classes,
  };
}

async function benchOne(
  kind: StoreKind,
  config: StoreConfig,
  size: number,
): Promise<{ row: StoreBenchRow; classes: SearchClassRow[] }> {
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
    const search = await benchSearch(store, kind, size);
    const list = await time(LISTS, () => store.listPatterns(USER, { limit: 5 }));
    const savesTotal = saves.reduce((a, b) => a + b, 0) / 1000;
    return {
      row: {
        store: kind,
        patterns: size,
        savesPerSecond: Math.round(SAVES / savesTotal),
        searchMedianMs: percentile(search.limited, 50),
        searchP95Ms: percentile(search.limited, 95),
        searchAllMedianMs: percentile(search.all, 50),
        searchAllP95Ms: percentile(search.all, 95),
        listMedianMs: percentile(list, 50),
        listP95Ms: percentile(list, 95),
        peakRssMb: Math.round(peakRss / 2 ** 20),
        loadSeconds,
      },
      classes: search.classes,
    };
  } finally {
    await store.close();
  }
}

function printTable(head: readonly string[], body: readonly string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  console.log(line(head));
  for (const b of body) console.log(line(b));
}

function printRows(rows: readonly StoreBenchRow[]): void {
  printTable(
    [
      'store',
      'patterns',
      'saves/s',
      `search${SEARCH_LIMIT} p50 ms`,
      `search${SEARCH_LIMIT} p95 ms`,
      'search-all p50 ms',
      'search-all p95 ms',
      'list5 p50 ms',
      'list5 p95 ms',
      'peak rss MB',
      'load s',
    ],
    rows.map((r) => [
      r.store,
      String(r.patterns),
      String(r.savesPerSecond),
      r.searchMedianMs.toFixed(2),
      r.searchP95Ms.toFixed(2),
      r.searchAllMedianMs.toFixed(2),
      r.searchAllP95Ms.toFixed(2),
      r.listMedianMs.toFixed(2),
      r.listP95Ms.toFixed(2),
      String(r.peakRssMb),
      r.loadSeconds.toFixed(1),
    ]),
  );
}

function printClasses(rows: readonly SearchClassRow[]): void {
  printTable(
    [
      'store',
      'patterns',
      'queries',
      'matches p50',
      `limit${SEARCH_LIMIT} p50 ms`,
      `limit${SEARCH_LIMIT} p95 ms`,
      'all p50 ms',
      'all p95 ms',
    ],
    rows.map((r) => [
      r.store,
      String(r.patterns),
      r.kind,
      String(r.matchesMedian),
      r.limitedMedianMs.toFixed(2),
      r.limitedP95Ms.toFixed(2),
      r.allMedianMs.toFixed(2),
      r.allP95Ms.toFixed(2),
    ]),
  );
}

/** Runs the store benchmark and prints a table; returns its rows. */
export async function benchStores(
  sizes: readonly number[] = DEFAULT_SIZES,
  kinds: readonly StoreKind[] = STORE_KINDS,
): Promise<StoreBenchRow[]> {
  console.log(
    `\n== stores: one user; ${SAVES} single-pattern saves; per query class ${QUERIES_PER_CLASS} ` +
      `searches with limit ${SEARCH_LIMIT} and ${UNLIMITED_PER_CLASS} without; ${LISTS} ` +
      `listPatterns(limit 5) per size ==`,
  );
  for (const c of QUERY_CLASSES) console.log(`  ${c}: ${QUERY_CLASS_HELP[c]}`);
  const dir = await mkdtemp(join(tmpdir(), 'attune-bench-stores-'));
  const rows: StoreBenchRow[] = [];
  const classes: SearchClassRow[] = [];
  let server: PostgresServer | undefined;
  try {
    const found = kinds.includes('postgres') ? findPostgres() : { reason: 'not asked for' };
    if ('reason' in found) console.log(`postgres skipped: ${found.reason}`);
    else server = await startPostgres({ fast: false });
    for (const size of sizes) {
      const configs: [StoreKind, () => Promise<StoreConfig>][] = [];
      if (size <= FILE_STORE_MAX && kinds.includes('file')) {
        configs.push([
          'file',
          async () => ({ kind: 'file', storageDir: join(dir, `file-${size}`) }),
        ]);
      }
      if (kinds.includes('sqlite')) {
        configs.push([
          'sqlite',
          async () => ({ kind: 'sqlite', databaseUrl: join(dir, `db-${size}.sqlite`) }),
        ]);
      }
      if (server) {
        const s = server;
        configs.push([
          'postgres',
          async () => ({ kind: 'postgres', databaseUrl: await s.createDatabase(`bench_${size}`) }),
        ]);
      }
      for (const [kind, config] of configs) {
        const result = await benchOne(kind, await config(), size);
        rows.push(result.row);
        classes.push(...result.classes);
      }
      console.log(`  done: ${size} patterns`);
    }
  } finally {
    server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
  printRows(rows);
  console.log('\nsearch latency by query class:');
  printClasses(classes);
  console.log(
    `targets: sqlite search${SEARCH_LIMIT} p95 < 10 ms at 100 000; postgres < 20 ms; file store < 2 ms at 100. ` +
      'search-all returns every match (no limit). saves/s: fsync on every save (file store, ' +
      'sqlite synchronous=FULL, postgres fsync on).',
  );
  return rows;
}

/** Parses `[sizes...] [file|sqlite|postgres...]`; anything else is an error. */
export function parseArgs(args: readonly string[]): { sizes: number[]; kinds: StoreKind[] } {
  const sizes: number[] = [];
  const kinds: StoreKind[] = [];
  for (const arg of args) {
    const kind = STORE_KINDS.find((k) => k === arg);
    const size = Number(arg.replaceAll('_', ''));
    if (kind) kinds.push(kind);
    else if (Number.isInteger(size) && size > 0) sizes.push(size);
    else {
      throw new Error(
        `bench/stores: unknown argument ${JSON.stringify(arg)}; usage: stores.js [sizes...] [${STORE_KINDS.join('|')}...]`,
      );
    }
  }
  return {
    sizes: sizes.length > 0 ? sizes : [...DEFAULT_SIZES],
    kinds: kinds.length > 0 ? kinds : [...STORE_KINDS],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { sizes, kinds } = parseArgs(process.argv.slice(2));
  await benchStores(sizes, kinds);
}
