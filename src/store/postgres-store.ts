/**
 * The `postgres` store: for teams and services whose patterns outgrow one machine.
 *
 * `pg` is an optional dependency, imported only by {@link createPostgresStore}. The store
 * creates and migrates its own tables (`attune_schema_migrations`, versioned, under a
 * transaction-scoped advisory lock so concurrent starters do not race). Tables are prefixed
 * `attune_` so they can live in a shared database, and `user_id` comes first in every key
 * so they can be partitioned or distributed by user. Schema (version 5):
 *
 * - `attune_patterns`: each pattern's full JSON (what every read decodes), the columns
 *   lists and evictions filter and order by, and `s_head_grams`, the character pairs of
 *   trigger, tags and resolution (GIN index) that serve two-character search terms;
 * - `attune_pattern_search`: a narrow copy of the lower-cased trigger, tags, resolution
 *   and context with confidence and time, one pg_trgm GIN index per field when the
 *   extension can be created (deleted with its pattern by a cascading foreign key);
 * - `attune_pattern_counts`: patterns per user, kept exact by writers;
 * - `attune_skills`.
 *
 * Search is substring `LIKE`/`strpos` over the search table, ranked in SQL by the same
 * field weights as the other stores and exactly as they rank; see
 * {@link PostgresStore.searchPatterns} for how a limited search avoids ranking every match.
 * Every write to a user's patterns runs in one transaction holding that user's advisory
 * lock, so concurrent writers lose nothing and the limit holds.
 * @module
 */
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { AttuneError, ErrorCode } from '../errors.js';
import type { ExtractedPattern } from '../model/pattern.js';
import { type LearnedSkill, skillToJson } from '../model/skill.js';
import { validateUserId } from '../model/user-id.js';
import {
  applySave,
  type ClearResult,
  type ListPatternsOptions,
  type PatternStore,
  type SavePatternsOptions,
  type SavePatternsResult,
  type SearchPatternsOptions,
  type StoreProblem,
  saveResult,
} from './pattern-store.js';
import {
  decodePattern,
  decodeSkill,
  escapeLike,
  excessOf,
  finishSearch,
  type PatternRow,
  searchable,
  sqlSearchTerms,
  toPatternRow,
  wellFormed,
} from './sql-common.js';

/** Options of {@link createPostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` or a libpq key=value string. */
  connectionString: string;
  /**
   * Most connections the pool opens.
   * @default 4
   */
  poolSize?: number;
  /**
   * Fewest matches the planner must expect before a search with a limit tries the tiers of
   * rows that hold its terms in trigger, tags or resolution; below it every match is ranked
   * at once. A tuning knob: answers are the same either way.
   * @default 2000
   */
  tieredSearchFrom?: number;
}

/** First key of every advisory lock this store takes ("attu"). */
const LOCK_NAMESPACE = 0x61747475;
/** Rows per INSERT statement when saving many patterns. */
const BATCH = 500;
/** The search text expression of schema versions 2 to 4's trigram index. */
const SEARCH_TEXT =
  "(s_trigger || E'\\n' || s_context || E'\\n' || s_resolution || E'\\n' || s_tags)";
/**
 * GIN indexes from schema version 5 collect fresh entries in a short pending list and merge
 * them in bulk: inserting each row's few hundred trigrams one by one made saves and loads
 * 5 times slower, and a search reads at most 256 kB of unmerged entries per index.
 */
const GIN_OPTIONS = 'fastupdate = on, gin_pending_list_limit = 256';
/** The searchable fields, each with a trigram index from schema version 5. */
const SEARCH_FIELDS = ['trigger', 'tags', 'resolution', 'context'] as const;

/**
 * Schema versions, oldest first; each runs in the migrating transaction. The trigram
 * indexes are best effort: pg_trgm may not be installable. Exported for upgrade tests.
 */
export const POSTGRES_MIGRATIONS: readonly {
  version: number;
  run: (c: PoolClient) => Promise<void>;
}[] = [
  {
    version: 1,
    run: async (c) => {
      await c.query(`
        CREATE TABLE attune_patterns (
          user_id text COLLATE "C" NOT NULL,
          pattern_id text COLLATE "C" NOT NULL,
          category text NOT NULL,
          confidence double precision NOT NULL,
          extracted_ms bigint NOT NULL,
          project text,
          tags jsonb NOT NULL,
          s_trigger text NOT NULL,
          s_context text NOT NULL,
          s_resolution text NOT NULL,
          s_tags text NOT NULL,
          data text NOT NULL,
          search tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('simple'::regconfig, left(s_trigger, 16384)), 'A') ||
            setweight(to_tsvector('simple'::regconfig, left(s_tags, 16384)), 'A') ||
            setweight(to_tsvector('simple'::regconfig, left(s_resolution, 16384)), 'B') ||
            setweight(to_tsvector('simple'::regconfig, left(s_context, 16384)), 'C')
          ) STORED,
          PRIMARY KEY (user_id, pattern_id)
        );
        CREATE INDEX attune_patterns_best ON attune_patterns
          (user_id, confidence DESC, extracted_ms DESC, pattern_id);
        CREATE INDEX attune_patterns_search ON attune_patterns USING GIN (search);
        CREATE TABLE attune_skills (
          user_id text COLLATE "C" NOT NULL,
          skill_id text COLLATE "C" NOT NULL,
          seq bigint GENERATED ALWAYS AS IDENTITY,
          data text NOT NULL,
          PRIMARY KEY (user_id, skill_id)
        );
        CREATE INDEX attune_skills_order ON attune_skills (user_id, seq);
      `);
    },
  },
  {
    version: 2,
    run: async (c) => {
      await withTrigrams(c, async () => {
        await c.query(
          `CREATE INDEX attune_patterns_trgm ON attune_patterns USING GIN (${SEARCH_TEXT} gin_trgm_ops)`,
        );
      });
    },
  },
  {
    version: 3,
    // count(*) over a large user costs a heap scan on every save; writers keep this exact
    // under the user's advisory lock, and eviction recounts before deleting anything.
    run: async (c) => {
      await c.query(`
        CREATE TABLE attune_pattern_counts (
          user_id text COLLATE "C" PRIMARY KEY,
          patterns bigint NOT NULL
        );
        INSERT INTO attune_pattern_counts (user_id, patterns)
          SELECT user_id, count(*) FROM attune_patterns GROUP BY user_id;
      `);
    },
  },
  {
    version: 4,
    // Ranked search asks first for the rows that hold a single term in trigger, tags and
    // resolution (or trigger and tags, or either): they score highest, and when enough of
    // them beat the best any other row can score, the rest is never read. Terms of three or
    // more characters find those rows through per-field trigram indexes; one- and
    // two-character terms, which have no trigram, through `s_head_grams`, the distinct
    // character pairs of trigger (prefixed t), tags (g) and resolution (r).
    run: async (c) => {
      // Rows saved before this version get their pairs here, in one linear pass per field.
      const pairs = (col: string, tag: string) => `
        SELECT '${tag}' || ch || lead(ch) OVER (ORDER BY n) AS g
        FROM unnest(regexp_split_to_array(${col}, '')) WITH ORDINALITY AS u(ch, n)`;
      await c.query(`
        ALTER TABLE attune_patterns ADD COLUMN s_head_grams text[] NOT NULL DEFAULT '{}';
        UPDATE attune_patterns SET s_head_grams = (
          SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
            ${pairs('s_trigger', 't')} UNION ALL ${pairs('s_tags', 'g')}
            UNION ALL ${pairs('s_resolution', 'r')}
          ) grams WHERE length(g) = 3
        );
        CREATE INDEX attune_patterns_head_grams ON attune_patterns USING GIN (s_head_grams)
          WITH (fastupdate = off);
      `);
      await withTrigrams(c, async () => {
        for (const field of ['trigger', 'tags', 'resolution']) {
          await c.query(
            `CREATE INDEX attune_patterns_trgm_${field} ON attune_patterns USING GIN (s_${field} gin_trgm_ops) WITH (fastupdate = off)`,
          );
        }
        // A pending list of fresh entries is scanned whole by every search: merge at once.
        await c.query('ALTER INDEX attune_patterns_trgm SET (fastupdate = off)');
      });
    },
  },
  {
    version: 5,
    // Ranking reads the searchable text of thousands of rows; next to the JSON, the
    // tsvector and the character pairs those rows took about 1.8 kB each, so a search
    // touched one heap page per candidate. The text moves to a narrow table of its own
    // (about 400 bytes a row, so a user's rows stay in shared buffers), with one trigram
    // index per field: no false candidates from trigrams that span two fields. The unused
    // tsvector and its index go, which also makes saves cheaper.
    run: async (c) => {
      await c.query(`
        CREATE TABLE attune_pattern_search (
          user_id text COLLATE "C" NOT NULL,
          pattern_id text COLLATE "C" NOT NULL,
          confidence double precision NOT NULL,
          extracted_ms bigint NOT NULL,
          s_trigger text NOT NULL,
          s_tags text NOT NULL,
          s_resolution text NOT NULL,
          s_context text NOT NULL,
          PRIMARY KEY (user_id, pattern_id),
          FOREIGN KEY (user_id, pattern_id) REFERENCES attune_patterns (user_id, pattern_id)
            ON DELETE CASCADE
        );
        INSERT INTO attune_pattern_search (user_id, pattern_id, confidence, extracted_ms,
            s_trigger, s_tags, s_resolution, s_context)
          SELECT user_id, pattern_id, confidence, extracted_ms,
            s_trigger, s_tags, s_resolution, s_context
          FROM attune_patterns;
        CREATE INDEX attune_pattern_search_best ON attune_pattern_search
          (user_id, confidence DESC, extracted_ms DESC, pattern_id);
        DROP INDEX IF EXISTS attune_patterns_search, attune_patterns_trgm,
          attune_patterns_trgm_trigger, attune_patterns_trgm_tags,
          attune_patterns_trgm_resolution;
        ALTER INDEX attune_patterns_head_grams SET (${GIN_OPTIONS});
        ALTER TABLE attune_patterns DROP COLUMN search;
        ALTER TABLE attune_patterns DROP COLUMN s_trigger, DROP COLUMN s_context,
          DROP COLUMN s_resolution, DROP COLUMN s_tags;
      `);
      await withTrigrams(c, async () => {
        for (const field of SEARCH_FIELDS) {
          await c.query(
            `CREATE INDEX attune_pattern_search_${field} ON attune_pattern_search USING GIN (s_${field} gin_trgm_ops) WITH (${GIN_OPTIONS})`,
          );
        }
      });
    },
  },
];

/**
 * Runs `create` with pg_trgm installed, inside a savepoint: where the extension is missing or
 * may not be installed, the savepoint is rolled back and search works without the trigram
 * indexes, by scanning the user's rows.
 */
async function withTrigrams(c: PoolClient, create: () => Promise<void>): Promise<void> {
  await c.query('SAVEPOINT trgm');
  try {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await create();
    await c.query('RELEASE SAVEPOINT trgm');
  } catch {
    await c.query('ROLLBACK TO SAVEPOINT trgm');
  }
}

/**
 * The distinct character pairs of trigger (prefixed `t`), tags (`g`) and resolution (`r`),
 * by code point, as the text reaches the server (lone surrogates become U+FFFD).
 */
export function headGrams(row: Pick<PatternRow, 'sTrigger' | 'sTags' | 'sResolution'>): string[] {
  const out = new Set<string>();
  for (const [tag, text] of [
    ['t', row.sTrigger],
    ['g', row.sTags],
    ['r', row.sResolution],
  ] as const) {
    const chars = Array.from(wellFormed(text));
    for (let i = 0; i + 1 < chars.length; i++) out.add(`${tag}${chars[i]}${chars[i + 1]}`);
  }
  return [...out];
}

/** Most trigrams a term's index condition asks the trigram indexes for. */
const INDEX_TRIGRAMS = 6;

/**
 * A LIKE pattern that every text holding `term` matches, made of at most
 * {@link INDEX_TRIGRAMS} non-overlapping trigrams of the term in its order (`%abc%xyz%`):
 * each trigram costs a posting-list scan, and tiles of every word of the term select
 * nearly as well as all its overlapping trigrams. pg_trgm indexes only letters and digits,
 * so the tiles are cut from runs of `[a-z0-9]`. Undefined when the term's own pattern asks
 * for no more trigrams than that.
 */
export function indexPattern(term: string): string | undefined {
  const tiles: string[] = [];
  let all = 0;
  for (const run of term.match(/[a-z0-9]{3,}/g) ?? []) {
    all += run.length - 2;
    for (let i = 0; i + 3 <= run.length; i += 3) tiles.push(run.slice(i, i + 3));
  }
  if (all <= INDEX_TRIGRAMS || tiles.length === 0) return undefined;
  const step = Math.max(1, tiles.length / INDEX_TRIGRAMS);
  const chosen: string[] = [];
  for (let k = 0; k < INDEX_TRIGRAMS && Math.floor(k * step) < tiles.length; k++) {
    chosen.push(tiles[Math.floor(k * step)] ?? '');
  }
  return `%${chosen.join('%')}%`;
}

/** How often a ranked search looks whether the planner statistics went stale. */
const STATISTICS_CHECK_MS = 10_000;
/** Changed rows since the last ANALYZE that make statistics stale: this many, ... */
const STATISTICS_MIN_CHANGES = 1000;
/** ... and at least this fraction of the table (autovacuum waits for 10 %). */
const STATISTICS_CHANGED_FRACTION = 0.2;

/** The tag of each field's character pairs in `s_head_grams`. */
const GRAM_TAGS: Readonly<Record<string, string>> = { trigger: 't', tags: 'g', resolution: 'r' };

/**
 * The tiers of a one-term search, narrowest first, as filters built by `all` (the term in
 * every field given) and `any` (in at least one), each with `bound`: the most a row outside
 * the tier can score from field weights (trigger 3, tags 3, resolution 2, context 1).
 */
function fieldTiers(
  all: (fields: readonly string[]) => string,
  any: (fields: readonly string[]) => string,
): { where: string; bound: number }[] {
  return [
    // Outside: at best trigger, tags and context.
    { where: all(['trigger', 'tags', 'resolution']), bound: 7 },
    // Outside: at best trigger (or tags), resolution and context.
    { where: all(['trigger', 'tags']), bound: 6 },
    // Outside: at most one of the three, plus context.
    {
      where: `(${all(['trigger', 'tags'])} OR ${all(['trigger', 'resolution'])} OR ${all(['tags', 'resolution'])})`,
      bound: 4,
    },
    // Outside: resolution and context.
    { where: any(['trigger', 'tags']), bound: 3 },
    // Outside: context only.
    { where: any(['trigger', 'tags', 'resolution']), bound: 1 },
  ];
}

/** One tier of one term: the rows holding it in certain fields. */
interface TermTier {
  /** Tables of the filter: the search table `s`, joined to `g` for character pairs. */
  from: string;
  where: string;
  /** Most a row outside the tier scores from this term's field weights. */
  bound: number;
}

/** A set of rows ranked as one: the union of `arms`, each a filter over its tables. */
interface Tier {
  arms: { from: string; where: string }[];
  /** Most a row outside every arm scores from field weights. */
  bound: number;
}

/**
 * Which tiers of each term a query of two terms tries, by index in {@link fieldTiers}: rows
 * holding either term in two of trigger, tags and resolution.
 */
const MULTI_TERM_TIERS = [2] as const;

/**
 * The tiers a ranked search tries before ranking every match, narrowest first. One term:
 * its own tiers, whose rows all match. Several terms: the matches (`match`, a filter that
 * needs no index) that are in tier `i` of some term; a row in none of them scores at most
 * the sum of the terms' bounds. None when a term has no tiers (one character), since its
 * bound would be its whole weight.
 */
function tiersOf(termTiers: readonly (TermTier[] | undefined)[], match: string): Tier[] {
  if (termTiers.length === 1) {
    return (termTiers[0] ?? []).map((t) => ({ arms: [t], bound: t.bound }));
  }
  const all = termTiers.filter((t) => t !== undefined);
  // With three terms or more the bound, a sum of weak bounds, seldom decides.
  if (all.length < termTiers.length || all.length > 2) return [];
  return MULTI_TERM_TIERS.map((i) => {
    const chosen = all.map((tiers) => tiers[i]).filter((t) => t !== undefined);
    return {
      arms: chosen.map((t) => ({ from: t.from, where: `${t.where} AND ${match}` })),
      bound: chosen.reduce((sum, t) => sum + t.bound, 0),
    };
  });
}

/** Opens the PostgreSQL store, creating or migrating its tables. */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const pg = await loadDriver();
  const location = redactConnectionString(options.connectionString);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 4,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const store = new PostgresStore(pool, location, options.tieredSearchFrom ?? 2000);
  try {
    await store.migrate();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return store;
}

async function loadDriver(): Promise<{ Pool: typeof Pool }> {
  try {
    const mod = await import('pg');
    return mod.default;
  } catch (error) {
    throw new AttuneError(
      ErrorCode.STORE_UNAVAILABLE,
      `the postgres store needs the pg package, which could not be loaded (${String(error)})`,
      { suggestion: 'Run `npm install pg`.', cause: error },
    );
  }
}

/**
 * The connection string without its password, for messages and `location`: URL passwords
 * and libpq `password=` pairs are replaced by `***`.
 */
export function redactConnectionString(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') {
      if (url.password) url.password = '***';
      for (const key of [...url.searchParams.keys()]) {
        if (/^pass(word)?$/i.test(key)) url.searchParams.set(key, '***');
      }
      return url.toString();
    }
  } catch {
    // Not a URL: a key=value string.
  }
  return connectionString.replace(
    /(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/gi,
    (_m, key: string) => `${key}***`,
  );
}

/** Patterns and skills of every user in PostgreSQL tables. */
export class PostgresStore implements PatternStore {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly #pool: Pool;
  readonly #tieredSearchFrom: number;
  /** When the planner statistics were last looked at, in epoch milliseconds. */
  #statisticsCheckedAt = 0;
  #closed = false;

  /** Use {@link createPostgresStore}, which loads the driver and migrates the schema. */
  constructor(pool: Pool, location: string, tieredSearchFrom = 2000) {
    this.#pool = pool;
    this.location = location;
    this.#tieredSearchFrom = tieredSearchFrom;
  }

  /** Creates or upgrades the tables; safe to run from many processes at once. */
  async migrate(): Promise<void> {
    await this.#tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK_NAMESPACE]);
      await c.query(
        'CREATE TABLE IF NOT EXISTS attune_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const { rows } = await c.query<{ v: number | null }>(
        'SELECT max(version) AS v FROM attune_schema_migrations',
      );
      const current = rows[0]?.v ?? 0;
      const latest = POSTGRES_MIGRATIONS[POSTGRES_MIGRATIONS.length - 1]?.version ?? 0;
      if (current > latest) {
        throw new AttuneError(
          ErrorCode.STORE_UNAVAILABLE,
          `${this.location} has schema version ${current}; this attune knows up to ${latest}`,
          { suggestion: 'Upgrade attune-learning to use this database.' },
        );
      }
      for (const m of POSTGRES_MIGRATIONS) {
        if (m.version <= current) continue;
        await m.run(c);
        await c.query('INSERT INTO attune_schema_migrations (version) VALUES ($1)', [m.version]);
      }
    });
  }

  async savePatterns(
    userId: string,
    patterns: readonly ExtractedPattern[],
    options: SavePatternsOptions,
  ): Promise<SavePatternsResult> {
    const user = validateUserId(userId);
    const rowsOf = (ps: Iterable<ExtractedPattern>) => [...ps].map(toPatternRow);
    return this.#tx(async (c) => {
      await this.#lockUser(c, user);
      const ids = [...new Set(patterns.map((p) => p.patternId))];
      const existing = new Map<string, ExtractedPattern>();
      for (let i = 0; i < ids.length; i += BATCH) {
        const { rows } = await c.query<{ pattern_id: string; data: string }>(
          'SELECT pattern_id, data FROM attune_patterns WHERE user_id = $1 AND pattern_id = ANY($2::text[]) FOR UPDATE',
          [user, ids.slice(i, i + BATCH)],
        );
        for (const r of rows) {
          existing.set(r.pattern_id, decodePattern(r.data, this.#where(user, r.pattern_id)));
        }
      }
      const { final, created, updated } = applySave(patterns, existing, options.merge);
      const rows = rowsOf(final.values());
      for (let i = 0; i < rows.length; i += BATCH) {
        await this.#upsert(c, user, rows.slice(i, i + BATCH));
      }
      const evicted = await this.#evict(
        c,
        user,
        [...final.keys()],
        created.length,
        options.maxPatterns,
      );
      return saveResult(final, created, updated, evicted);
    });
  }

  async #upsert(c: PoolClient, user: string, rows: readonly PatternRow[]): Promise<void> {
    const col = <K extends keyof PatternRow>(k: K) => rows.map((r) => r[k]);
    await c.query(
      `INSERT INTO attune_patterns (user_id, pattern_id, category, confidence, extracted_ms,
         project, tags, data, s_head_grams)
       SELECT $1, u.pattern_id, u.category, u.confidence, u.extracted_ms, u.project,
         u.tags::jsonb, u.data, ARRAY(SELECT jsonb_array_elements_text(u.head_grams::jsonb))
       FROM unnest($2::text[], $3::text[], $4::float8[], $5::int8[], $6::text[], $7::text[],
         $8::text[], $9::text[])
         AS u(pattern_id, category, confidence, extracted_ms, project, tags, data, head_grams)
       ON CONFLICT (user_id, pattern_id) DO UPDATE SET
         category = excluded.category, confidence = excluded.confidence,
         extracted_ms = excluded.extracted_ms, project = excluded.project, tags = excluded.tags,
         data = excluded.data, s_head_grams = excluded.s_head_grams`,
      [
        user,
        col('patternId'),
        col('category'),
        col('confidence'),
        col('extractedMs'),
        col('project'),
        rows.map((r) => JSON.stringify(r.tags)),
        col('data'),
        rows.map((r) => JSON.stringify(headGrams(r))),
      ],
    );
    await c.query(
      `INSERT INTO attune_pattern_search (user_id, pattern_id, confidence, extracted_ms,
         s_trigger, s_tags, s_resolution, s_context)
       SELECT $1, u.* FROM unnest($2::text[], $3::float8[], $4::int8[], $5::text[], $6::text[],
         $7::text[], $8::text[]) AS u
       ON CONFLICT (user_id, pattern_id) DO UPDATE SET
         confidence = excluded.confidence, extracted_ms = excluded.extracted_ms,
         s_trigger = excluded.s_trigger, s_tags = excluded.s_tags,
         s_resolution = excluded.s_resolution, s_context = excluded.s_context`,
      [
        user,
        col('patternId'),
        col('confidence'),
        col('extractedMs'),
        col('sTrigger'),
        col('sTags'),
        col('sResolution'),
        col('sContext'),
      ],
    );
  }

  async #evict(
    c: PoolClient,
    user: string,
    saved: string[],
    added: number,
    max: number,
  ): Promise<string[]> {
    const { rows: counted } = await c.query<{ patterns: string }>(
      `INSERT INTO attune_pattern_counts (user_id, patterns) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET patterns = attune_pattern_counts.patterns + $2
       RETURNING patterns`,
      [user, added],
    );
    if (excessOf(Number(counted[0]?.patterns ?? 0), max) === 0) return [];
    const { rows } = await c.query<{ n: string }>(
      'SELECT count(*) AS n FROM attune_patterns WHERE user_id = $1',
      [user],
    );
    const total = Number(rows[0]?.n ?? 0);
    const excess = excessOf(total, max);
    await c.query('UPDATE attune_pattern_counts SET patterns = $2 WHERE user_id = $1', [
      user,
      total - excess,
    ]);
    if (excess === 0) return [];
    const { rows: gone } = await c.query<{ pattern_id: string }>(
      `DELETE FROM attune_patterns WHERE user_id = $1 AND pattern_id IN (
         SELECT pattern_id FROM attune_patterns WHERE user_id = $1
         ORDER BY pattern_id = ANY($2::text[]), confidence, extracted_ms, pattern_id
         LIMIT $3)
       RETURNING pattern_id`,
      [user, saved, excess],
    );
    return gone.map((r) => r.pattern_id).sort();
  }

  async getPattern(userId: string, patternId: string): Promise<ExtractedPattern | null> {
    const user = validateUserId(userId);
    const rows = await this.#query<{ data: string }>(
      'SELECT data FROM attune_patterns WHERE user_id = $1 AND pattern_id = $2',
      [user, patternId],
    );
    const row = rows[0];
    return row ? decodePattern(row.data, this.#where(user, patternId)) : null;
  }

  async listPatterns(
    userId: string,
    options: ListPatternsOptions = {},
  ): Promise<ExtractedPattern[]> {
    const user = validateUserId(userId);
    const params: unknown[] = [user];
    const where = ['user_id = $1'];
    if (options.categories) {
      params.push([...options.categories]);
      where.push(`category = ANY($${params.length}::text[])`);
    }
    if (options.tag !== undefined) {
      params.push(searchable(options.tag));
      where.push(`tags ? $${params.length}`);
    }
    if (options.project !== undefined) {
      params.push(options.project);
      where.push(`(project IS NULL OR project = $${params.length})`);
    }
    params.push(options.limit === undefined ? null : Math.max(0, Math.floor(options.limit)));
    const rows = await this.#query<{ pattern_id: string; data: string }>(
      `SELECT pattern_id, data FROM attune_patterns WHERE ${where.join(' AND ')}
       ORDER BY confidence DESC, extracted_ms DESC, pattern_id LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => decodePattern(r.data, this.#where(user, r.pattern_id)));
  }

  /**
   * Matches of every term, best first: field-weighted hits (trigger and tags 3, resolution 2,
   * context 1) plus confidence, then confidence, newest, id. The score is computed in SQL
   * over the narrow search table, and only the rows returned are joined to their JSON.
   *
   * With a limit, a single term is first asked of tiers of rows that hold it in trigger,
   * tags and resolution; in trigger and tags; in two of the three; in trigger or tags; in
   * any of the three (per-field trigram indexes, or `s_head_grams` for a two-character
   * term). A row outside a tier scores at most the tier's `bound` plus its confidence (at
   * most 1), so when the tier's `limit`th best scores more than `bound + 1` the tier's best
   * are the answer, in the order the full query gives. Two terms are asked of the matches
   * holding either of them in two of trigger, tags and resolution, bounded by the sum of
   * the two terms' bounds. Otherwise the full query ranks every match. Tiers are tried only
   * when the planner expects many matches (`tieredSearchFrom`): a few hundred are ranked
   * faster at once. A long term asks the trigram indexes for a few trigrams of its words
   * ({@link indexPattern}) and `strpos` checks the whole term.
   */
  async searchPatterns(
    userId: string,
    query: string,
    options: SearchPatternsOptions = {},
  ): Promise<ExtractedPattern[]> {
    const user = validateUserId(userId);
    const { sql: terms, rest } = sqlSearchTerms(query);
    if (terms.length === 0) return [];
    const limit = options.limit === undefined ? null : Math.max(0, Math.floor(options.limit));
    const rankLimit = rest.length > 0 ? null : limit;
    if (rankLimit === 0) return [];
    const params: unknown[] = [user];
    const where: string[] = [];
    const score: string[] = [];
    // Per term, its tiers (undefined for a one-character term, which has no index).
    const termTiers: (TermTier[] | undefined)[] = [];
    const exact: string[] = [];
    for (const t of terms) {
      params.push(t);
      const term = `$${params.length}`;
      const has = (field: string) => `strpos(s.s_${field}, ${term}) > 0`;
      exact.push(`(${SEARCH_FIELDS.map(has).join(' OR ')})`);
      score.push(
        `(${has('trigger')})::int * 3 + (${has('tags')})::int * 3 + (${has('resolution')})::int * 2 + (${has('context')})::int`,
      );
      const length = Array.from(wellFormed(t)).length;
      if (length >= 3) {
        // LIKE lets the planner use the per-field trigram indexes. A long term's LIKE keeps
        // only a few of its trigrams (each costs a posting-list scan); strpos then checks
        // the whole term on the few rows that hold them.
        const reduced = indexPattern(t);
        params.push(reduced ?? `%${escapeLike(t)}%`);
        const pattern = `$${params.length}`;
        const like = (field: string) =>
          reduced === undefined
            ? `s.s_${field} LIKE ${pattern} ESCAPE '\\'`
            : `(s.s_${field} LIKE ${pattern} ESCAPE '\\' AND ${has(field)})`;
        where.push(`(${SEARCH_FIELDS.map(like).join(' OR ')})`);
        termTiers.push(
          fieldTiers(
            (fields) => fields.map(like).join(' AND '),
            (fields) => `(${fields.map(like).join(' OR ')})`,
          ).map((tier) => ({ from: 'attune_pattern_search s', ...tier })),
        );
      } else {
        where.push(`(${SEARCH_FIELDS.map(has).join(' OR ')})`);
        const grams = (op: string, fields: readonly string[]) =>
          `g.s_head_grams ${op} ARRAY[${fields.map((f) => `'${GRAM_TAGS[f]}' || ${term}`).join(', ')}]`;
        termTiers.push(
          length !== 2
            ? undefined
            : fieldTiers(
                (fields) => grams('@>', fields),
                (fields) => grams('&&', fields),
              ).map((tier) => ({
                from: `attune_patterns g JOIN attune_pattern_search s
                  ON s.user_id = g.user_id AND s.pattern_id = g.pattern_id`,
                where: `g.user_id = $1 AND ${tier.where}`,
                bound: tier.bound,
              })),
        );
      }
    }
    let tiers = tiersOf(termTiers, exact.join(' AND '));
    params.push(rankLimit);
    const order = 'ORDER BY score DESC, confidence DESC, extracted_ms DESC, pattern_id';
    // The best of a union are among the best of each arm.
    const ranked = (arms: readonly { from: string; where: string }[]) =>
      this.#query<{ pattern_id: string; data: string; score: number }>(
        `SELECT r.pattern_id, p.data, r.score FROM (
           SELECT * FROM (${arms
             .map(
               (arm) => `(SELECT s.pattern_id, ${score.join(' + ')} + s.confidence AS score,
                 s.confidence, s.extracted_ms
               FROM ${arm.from} WHERE s.user_id = $1 AND ${arm.where}
               ${order} LIMIT $${params.length})`,
             )
             .join(' UNION ')}) u
           ${order} LIMIT $${params.length}
         ) r JOIN attune_patterns p ON p.user_id = $1 AND p.pattern_id = r.pattern_id
         ORDER BY r.score DESC, r.confidence DESC, r.extracted_ms DESC, r.pattern_id`,
        params,
      );
    const decode = (rows: { pattern_id: string; data: string }[]) =>
      rows.map((r) => decodePattern(r.data, this.#where(user, r.pattern_id)));
    await this.#freshStatistics();
    if (rankLimit !== null && tiers.length > 0 && this.#tieredSearchFrom > 0) {
      // Tiers pay off when the matches are many; a few hundred are ranked faster at once.
      const plan = await this.#query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
        `EXPLAIN (FORMAT JSON) SELECT ${score.join(' + ')} FROM attune_pattern_search s
         WHERE s.user_id = $1 AND ${where.join(' AND ')}`,
        params.slice(0, -1),
      );
      const estimate = plan[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? Number.POSITIVE_INFINITY;
      if (estimate < this.#tieredSearchFrom) tiers = [];
    }
    if (rankLimit !== null) {
      for (const tier of tiers) {
        const rows = await ranked(tier.arms);
        const last = rows[rows.length - 1];
        if (rows.length === rankLimit && last && Number(last.score) > tier.bound + 1) {
          return decode(rows);
        }
      }
    }
    const found = decode(
      await ranked([{ from: 'attune_pattern_search s', where: where.join(' AND ') }]),
    );
    return rest.length > 0 ? finishSearch(found, [...terms, ...rest], rest, options.limit) : found;
  }

  async countPatterns(userId: string): Promise<number> {
    const user = validateUserId(userId);
    const rows = await this.#query<{ n: string }>(
      'SELECT count(*) AS n FROM attune_patterns WHERE user_id = $1',
      [user],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async deletePattern(userId: string, patternId: string): Promise<boolean> {
    const user = validateUserId(userId);
    return this.#tx(async (c) => {
      await this.#lockUser(c, user);
      const r = await c.query(
        'DELETE FROM attune_patterns WHERE user_id = $1 AND pattern_id = $2',
        [user, patternId],
      );
      const deleted = r.rowCount ?? 0;
      if (deleted > 0) {
        await c.query(
          'UPDATE attune_pattern_counts SET patterns = patterns - $2 WHERE user_id = $1',
          [user, deleted],
        );
      }
      return deleted > 0;
    });
  }

  async saveSkill(userId: string, skill: LearnedSkill): Promise<string> {
    const user = validateUserId(userId);
    await this.#query(
      `INSERT INTO attune_skills (user_id, skill_id, data) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, skill_id) DO UPDATE SET data = excluded.data`,
      [user, skill.skillId, JSON.stringify(skillToJson(skill))],
    );
    return skill.skillId;
  }

  async getSkill(userId: string, skillId: string): Promise<LearnedSkill | null> {
    const user = validateUserId(userId);
    const rows = await this.#query<{ data: string }>(
      'SELECT data FROM attune_skills WHERE user_id = $1 AND skill_id = $2',
      [user, skillId],
    );
    const row = rows[0];
    return row ? decodeSkill(row.data, this.#where(user, skillId, 'attune_skills')) : null;
  }

  async listSkills(userId: string): Promise<LearnedSkill[]> {
    const user = validateUserId(userId);
    const rows = await this.#query<{ skill_id: string; data: string }>(
      'SELECT skill_id, data FROM attune_skills WHERE user_id = $1 ORDER BY seq',
      [user],
    );
    return rows.map((r) => decodeSkill(r.data, this.#where(user, r.skill_id, 'attune_skills')));
  }

  async recordSkillUsage(userId: string, skillId: string, at: Date): Promise<boolean> {
    const user = validateUserId(userId);
    return this.#tx(async (c) => {
      const { rows } = await c.query<{ data: string }>(
        'SELECT data FROM attune_skills WHERE user_id = $1 AND skill_id = $2 FOR UPDATE',
        [user, skillId],
      );
      const row = rows[0];
      if (!row) return false;
      const skill = decodeSkill(row.data, this.#where(user, skillId, 'attune_skills'));
      skill.usageCount += 1;
      skill.lastUsed = at;
      await c.query('UPDATE attune_skills SET data = $3 WHERE user_id = $1 AND skill_id = $2', [
        user,
        skillId,
        JSON.stringify(skillToJson(skill)),
      ]);
      return true;
    });
  }

  async deleteSkill(userId: string, skillId: string): Promise<boolean> {
    const user = validateUserId(userId);
    const r = await this.#pool
      .query('DELETE FROM attune_skills WHERE user_id = $1 AND skill_id = $2', [user, skillId])
      .catch((error: unknown) => {
        throw this.#translate(error);
      });
    return (r.rowCount ?? 0) > 0;
  }

  async clearUser(userId: string): Promise<ClearResult> {
    const user = validateUserId(userId);
    return this.#tx(async (c) => {
      await this.#lockUser(c, user);
      const p = await c.query('DELETE FROM attune_patterns WHERE user_id = $1', [user]);
      const s = await c.query('DELETE FROM attune_skills WHERE user_id = $1', [user]);
      await c.query('DELETE FROM attune_pattern_counts WHERE user_id = $1', [user]);
      return { patterns: p.rowCount ?? 0, skills: s.rowCount ?? 0 };
    });
  }

  async listUsers(): Promise<string[]> {
    const rows = await this.#query<{ user_id: string }>(
      'SELECT DISTINCT user_id FROM attune_patterns UNION SELECT DISTINCT user_id FROM attune_skills',
    );
    return rows.map((r) => r.user_id).sort();
  }

  async check(): Promise<StoreProblem[]> {
    const problems: StoreProblem[] = [];
    try {
      for (const [table, idColumn, decode] of [
        ['attune_patterns', 'pattern_id', decodePattern],
        ['attune_skills', 'skill_id', decodeSkill],
      ] as const) {
        const rows = await this.#query<{ user_id: string; id: string; data: string }>(
          `SELECT user_id, ${idColumn} AS id, data FROM ${table}`,
        );
        for (const row of rows) {
          const where = this.#where(row.user_id, row.id, table);
          try {
            decode(row.data, where);
          } catch (error) {
            if (!(error instanceof AttuneError)) throw error;
            problems.push({
              where,
              problem: error.message,
              fix: `Delete the row or fix its JSON in the data column of ${table}.`,
            });
          }
        }
      }
    } catch (error) {
      if (!(error instanceof AttuneError)) throw error;
      problems.push({
        where: this.location,
        problem: error.message,
        fix:
          error.suggestion ?? 'Check that the server is running and the user may read the tables.',
      });
    }
    return problems;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  /**
   * Analyzes the pattern tables when they changed much since their planner statistics
   * were taken (at most once every {@link STATISTICS_CHECK_MS}). Ranked search trusts the
   * planner twice: its estimate decides between tiers and ranking every match, and its
   * plans for tiers need column statistics. Autovacuum keeps them fresh in time, but a
   * bulk load searched at once would otherwise be planned blind (100 ms searches instead
   * of 10). Best effort: a lock held by a concurrent ANALYZE or VACUUM, or a role that
   * does not own the tables, leaves it to autovacuum.
   */
  async #freshStatistics(): Promise<void> {
    const now = Date.now();
    if (now - this.#statisticsCheckedAt < STATISTICS_CHECK_MS) return;
    this.#statisticsCheckedAt = now;
    const rows = await this.#query<{ stale: boolean | null }>(
      `SELECT bool_or(c.reltuples < 0 OR s.n_mod_since_analyze > greatest($1, $2 * c.reltuples))
         AS stale
       FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
       WHERE c.oid IN ('attune_pattern_search'::regclass, 'attune_patterns'::regclass)`,
      [STATISTICS_MIN_CHANGES, STATISTICS_CHANGED_FRACTION],
    );
    if (!rows[0]?.stale) return;
    await this.#tx(async (c) => {
      await c.query("SET LOCAL lock_timeout = '100ms'");
      await c.query('ANALYZE attune_pattern_search, attune_patterns');
    }).catch(() => undefined);
  }

  /** Serialises writers of one user across every connection and process. */
  async #lockUser(c: PoolClient, user: string): Promise<void> {
    await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_NAMESPACE, user]);
  }

  #where(user: string, id: string, table = 'attune_patterns'): string {
    return `${this.location} (${table}, user ${JSON.stringify(user)}, id ${JSON.stringify(id)})`;
  }

  async #query<R extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    try {
      return (await this.#pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw this.#translate(error);
    }
  }

  async #tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw this.#translate(error);
    }
    let broken: unknown;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((e: unknown) => {
        broken = e;
      });
      throw this.#translate(error);
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  #translate(error: unknown): unknown {
    if (error instanceof AttuneError) return error;
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown } | null)?.code;
    if (code === '55P03' || code === '40P01') {
      return new AttuneError(ErrorCode.LOCK_TIMEOUT, `${this.location}: ${message}`, {
        cause: error,
      });
    }
    const unavailable =
      typeof code !== 'string' ||
      /^(08|28|3D|53|57)/.test(code) ||
      /^E[A-Z]+$/.test(code) ||
      this.#closed;
    if (unavailable) {
      return new AttuneError(
        ErrorCode.STORE_UNAVAILABLE,
        `cannot use PostgreSQL at ${this.location}: ${message}`,
        {
          suggestion:
            'Check that the server is running, the database exists and the connection string is right.',
          cause: error,
        },
      );
    }
    return error;
  }
}
