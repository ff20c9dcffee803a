/**
 * The `sqlite` store: one database file for every user, for large stores on one machine.
 *
 * better-sqlite3 is an optional dependency, imported only by {@link createSqliteStore}.
 * WAL journal, a busy timeout so concurrent processes wait instead of failing, and
 * `synchronous=FULL` so a save that returned survives a crash. Every key starts with
 * `user_id`. Each pattern is kept as its full JSON (the source of truth every read decodes)
 * next to the columns that index and rank it, among them its lower-cased trigger, context,
 * resolution and tags. Search goes through one contentless FTS5 table (schema version 4),
 * `search_grams`, kept in step by triggers: per pattern, the distinct 1-, 2- and
 * 3-character substrings of each field's whitespace-free runs, as tokens tagged with the
 * field, under a rowid that orders each user's rows by confidence (user number, confidence
 * bucket, row id). A query term holds no whitespace, so a one- or two-character term is
 * found exactly by its token and a longer one through its rarest trigrams; every candidate
 * is scored with `instr` on the row, which drops the false ones. A limited search reads
 * candidates best first from a few streams (per term: in trigger and tags, trigger and
 * resolution, …) and stops once no unread row can enter the top (threshold algorithm); a
 * user of at most 2000 patterns, or a search without a limit, is ranked in one statement.
 * The triggers compute the tokens with the SQL function `attune_search_grams`, which every
 * connection of the store registers: a connection without it (the sqlite3 shell) can read
 * and delete patterns but not write them. Saves count their index writes in `search_state`
 * and merge the index into one segment after each quarter of growth, since every search
 * reads every segment. A per-user count, also kept by triggers, spares saves a count(*).
 * Every statement is parameterised; search terms reach FTS5 only as hex tokens, so FTS
 * syntax in a query is never interpreted.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
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
  type CandidateStream,
  compareRanked,
  decodePattern,
  decodeSkill,
  excessOf,
  FIELD_BITS,
  finishSearch,
  type RankedRow,
  type ScoreBound,
  scoreBound,
  searchable,
  sqlSearchTerms,
  toPatternRow,
  wellFormed,
} from './sql-common.js';

type Database = BetterSqlite3.Database;
type DatabaseConstructor = typeof BetterSqlite3;

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** The database file; created with its directory when missing. */
  path: string;
  /**
   * How long a writer waits for another process's transaction before LOCK_TIMEOUT.
   * @default 30000
   */
  busyTimeoutMs?: number;
  /**
   * `full` syncs every commit (a returned save survives power loss); `normal` only
   * survives a crash of the process.
   * @default 'full'
   */
  synchronous?: 'full' | 'normal';
}

/** How much of the database file is memory-mapped (address space, not memory). */
const MMAP_BYTES = 1024 * 1024 * 1024;
/** Page cache per connection, in KiB. */
const CACHE_KIB = 64 * 1024;
/**
 * Most trigrams of a long term a search asks the index for; the term itself is checked on
 * every candidate, so these only need to be rare.
 */
const MAX_TERM_GRAMS = 3;
/** Fewest index writes after which the gram index may be merged (see #compactIndex). */
const COMPACT_MIN_WRITES = 2000;
/**
 * Share of the rows above which a term counts as common: streams are not narrowed by it,
 * since FTS5 pays for every seek into its long doclists, and the rows read are checked anyway.
 */
const COMMON_SHARE = 0.3;
/** Share of the user's rows per unit of confidence a stream not read yet is assumed to hold. */
const UNREAD_SHARE = 0.01;
/** Patterns of a user up to which a limited search ranks every candidate in one statement. */
const SMALL_STORE = 2000;
/** Most trigrams of a term probed one by one; a longer term probes every other one. */
const MAX_PROBES = 8;
/** Rows read of each trigram of a long term to tell how rare it is. */
const PROBE_ROWS = 64;
/**
 * When the first read of all matches suggests at most this many more, a limited search
 * reads and ranks them all instead of opening more streams.
 */
const FEW_MATCHES = 500;

/** The grams that stand for a term in the index, rarest first, and whether it is common. */
interface TermGrams {
  grams: string[];
  /** Probe of the rarest gram: holders found (at most PROBE_ROWS) and the key of the last. */
  found: number;
  reach: bigint;
  /** Even the rarest gram is in so many rows that narrowing a stream by it costs more than it saves. */
  common: boolean;
}

/** A stream of the search index, with its FTS5 query and where it stopped. */
interface IndexStream extends CandidateStream {
  match: string;
  /** The open cursor of the stream, from its first read on. */
  rows?: IterableIterator<{ k: number; id: number }>;
  /** Rows the next read asks for. */
  batch: number;
  /** Rows read so far. */
  read: number;
}
/** Prepared statements a store keeps; past this the cache starts afresh. */
const MAX_CACHED_STATEMENTS = 64;

/**
 * The SQL function, registered on every connection of the store, that gives the gram
 * tokens of a pattern's four searchable fields (see {@link gramTokens}). Triggers call it,
 * so a write from a connection without it fails instead of leaving the index stale.
 */
const GRAMS_FUNCTION = 'attune_search_grams';

/** Field letters of gram tokens, in the order {@link gramTokens} takes the fields. */
const GRAM_FIELDS = ['t', 'g', 'r', 'c'] as const;
type GramField = (typeof GRAM_FIELDS)[number];

/** The hex of a string's UTF-8 bytes: a token body the `ascii` tokenizer keeps whole. */
function hexOf(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}

/**
 * The search tokens of a pattern: for each field (trigger, tags, resolution, context), the
 * distinct substrings of one, two and three code points of its whitespace-free runs, as
 * field letter plus UTF-8 hex, space-separated.
 */
export function gramTokens(fields: readonly string[]): string {
  const out = new Set<string>();
  fields.forEach((text, f) => {
    const letter = GRAM_FIELDS[f];
    if (letter === undefined) return;
    for (const run of wellFormed(text).split(/\s+/)) {
      if (run === '') continue;
      const chars = Array.from(run);
      for (let i = 0; i < chars.length; i++) {
        const a = chars[i] ?? '';
        out.add(letter + hexOf(a));
        const b = chars[i + 1];
        if (b === undefined) continue;
        out.add(letter + hexOf(a + b));
        const c = chars[i + 2];
        if (c !== undefined) out.add(letter + hexOf(a + b + c));
      }
    }
  });
  return [...out].join(' ');
}

/**
 * The search index key of a patterns row (alias `row`): it orders a user's rows by
 * confidence, highest first, in buckets of 1/256. Holds while user numbers stay below 2^23
 * and row ids below 2^32.
 */
function searchKey(row: string): string {
  return `(((SELECT user_no FROM search_users WHERE user_id = ${row}.user_id) << 40)
    | ((255 - max(0, min(255, CAST(${row}.confidence * 256 AS INTEGER)))) << 32) | ${row}.id)`;
}

/** Schema versions, applied in order inside one IMMEDIATE transaction each. */
const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE patterns (
        id INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL,
        pattern_id TEXT NOT NULL,
        category TEXT NOT NULL,
        confidence REAL NOT NULL,
        extracted_at INTEGER NOT NULL,
        project TEXT,
        tags TEXT NOT NULL,
        data TEXT NOT NULL,
        UNIQUE (user_id, pattern_id)
      );
      CREATE INDEX patterns_best ON patterns
        (user_id, confidence DESC, extracted_at DESC, pattern_id);
      CREATE VIRTUAL TABLE patterns_search USING fts5(
        trigger, context, resolution, tags,
        tokenize = 'trigram case_sensitive 1'
      );
      CREATE TRIGGER patterns_deleted AFTER DELETE ON patterns BEGIN
        DELETE FROM patterns_search WHERE rowid = old.id;
      END;
      CREATE TABLE skills (
        id INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL,
        skill_id TEXT NOT NULL,
        data TEXT NOT NULL,
        UNIQUE (user_id, skill_id)
      );
    `,
  },
  {
    // The lower-cased text moves into the patterns row (ranking reads it through the rowid
    // join, not through FTS5's own content table), the index becomes external-content and
    // triggers keep it in step with every insert, update and delete. A second, small index
    // over trigger and tags alone lets a limited search rank only the rows that can be
    // best (see #rankMatches). A per-user count kept by triggers replaces count(*) over the
    // user's rows on every save.
    version: 2,
    sql: `
      ALTER TABLE patterns ADD COLUMN s_trigger TEXT NOT NULL DEFAULT '';
      ALTER TABLE patterns ADD COLUMN s_context TEXT NOT NULL DEFAULT '';
      ALTER TABLE patterns ADD COLUMN s_resolution TEXT NOT NULL DEFAULT '';
      ALTER TABLE patterns ADD COLUMN s_tags TEXT NOT NULL DEFAULT '';
      UPDATE patterns SET (s_trigger, s_context, s_resolution, s_tags) = (
        SELECT trigger, context, resolution, tags FROM patterns_search
        WHERE patterns_search.rowid = patterns.id
      ) WHERE id IN (SELECT rowid FROM patterns_search);
      DROP TRIGGER patterns_deleted;
      DROP TABLE patterns_search;
      CREATE VIRTUAL TABLE patterns_search USING fts5(
        s_trigger, s_context, s_resolution, s_tags,
        content = 'patterns', content_rowid = 'id',
        tokenize = 'trigram case_sensitive 1'
      );
      INSERT INTO patterns_search (patterns_search) VALUES ('rebuild');
      CREATE VIRTUAL TABLE patterns_head USING fts5(
        s_trigger, s_tags,
        content = 'patterns', content_rowid = 'id',
        tokenize = 'trigram case_sensitive 1'
      );
      INSERT INTO patterns_head (patterns_head) VALUES ('rebuild');
      CREATE TRIGGER patterns_indexed AFTER INSERT ON patterns BEGIN
        INSERT INTO patterns_search (rowid, s_trigger, s_context, s_resolution, s_tags)
          VALUES (new.id, new.s_trigger, new.s_context, new.s_resolution, new.s_tags);
        INSERT INTO patterns_head (rowid, s_trigger, s_tags)
          VALUES (new.id, new.s_trigger, new.s_tags);
      END;
      CREATE TRIGGER patterns_unindexed AFTER DELETE ON patterns BEGIN
        INSERT INTO patterns_search (patterns_search, rowid, s_trigger, s_context, s_resolution, s_tags)
          VALUES ('delete', old.id, old.s_trigger, old.s_context, old.s_resolution, old.s_tags);
        INSERT INTO patterns_head (patterns_head, rowid, s_trigger, s_tags)
          VALUES ('delete', old.id, old.s_trigger, old.s_tags);
      END;
      CREATE TRIGGER patterns_reindexed
      AFTER UPDATE OF s_trigger, s_context, s_resolution, s_tags ON patterns BEGIN
        INSERT INTO patterns_search (patterns_search, rowid, s_trigger, s_context, s_resolution, s_tags)
          VALUES ('delete', old.id, old.s_trigger, old.s_context, old.s_resolution, old.s_tags);
        INSERT INTO patterns_search (rowid, s_trigger, s_context, s_resolution, s_tags)
          VALUES (new.id, new.s_trigger, new.s_context, new.s_resolution, new.s_tags);
        INSERT INTO patterns_head (patterns_head, rowid, s_trigger, s_tags)
          VALUES ('delete', old.id, old.s_trigger, old.s_tags);
        INSERT INTO patterns_head (rowid, s_trigger, s_tags)
          VALUES (new.id, new.s_trigger, new.s_tags);
      END;
      CREATE TABLE pattern_counts (
        user_id TEXT PRIMARY KEY,
        patterns INTEGER NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO pattern_counts (user_id, patterns)
        SELECT user_id, count(*) FROM patterns GROUP BY user_id;
      CREATE TRIGGER patterns_counted AFTER INSERT ON patterns BEGIN
        INSERT INTO pattern_counts (user_id, patterns) VALUES (new.user_id, 1)
          ON CONFLICT (user_id) DO UPDATE SET patterns = patterns + 1;
      END;
      CREATE TRIGGER patterns_uncounted AFTER DELETE ON patterns BEGIN
        UPDATE pattern_counts SET patterns = patterns - 1 WHERE user_id = old.user_id;
      END;
    `,
  },
  {
    // Ranked search reads candidates in confidence order and stops once no unread row can
    // beat the best it has (see #rankMatches). One contentless FTS5 table over the four
    // padded fields, whose rowid is a key that orders each user's rows by confidence:
    // user number << 40 | (255 - confidence bucket of 1/256) << 32 | patterns.id. Column
    // filters give the rows that hold a term in given fields, in that order. Fields are
    // indexed with a space on each side, so every occurrence of a one- or two-character term
    // lies in some trigram; the trigram vocabulary lets such a term be expanded into the
    // indexed trigrams that contain it.
    version: 3,
    sql: `
      CREATE TABLE search_users (
        user_no INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL UNIQUE
      );
      INSERT INTO search_users (user_id) SELECT DISTINCT user_id FROM patterns ORDER BY user_id;
      CREATE VIRTUAL TABLE search_text USING fts5(
        s_trigger, s_tags, s_resolution, s_context,
        content = '', contentless_delete = 1,
        tokenize = 'trigram case_sensitive 1'
      );
      INSERT INTO search_text (rowid, s_trigger, s_tags, s_resolution, s_context)
        SELECT ${searchKey('p')}, ' ' || p.s_trigger || ' ', ' ' || p.s_tags || ' ',
          ' ' || p.s_resolution || ' ', ' ' || p.s_context || ' '
        FROM patterns p;
      CREATE TABLE search_trigrams (
        trigram TEXT PRIMARY KEY,
        head TEXT NOT NULL,
        tail TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX search_trigrams_head ON search_trigrams (head);
      CREATE INDEX search_trigrams_tail ON search_trigrams (tail);
      CREATE VIRTUAL TABLE temp.search_vocab USING fts5vocab(main, search_text, 'row');
      INSERT OR IGNORE INTO search_trigrams (trigram, head, tail)
        SELECT term, substr(term, 1, 2), substr(term, 2) FROM temp.search_vocab;
      DROP TABLE temp.search_vocab;
      CREATE TRIGGER patterns_keyed AFTER INSERT ON patterns BEGIN
        INSERT OR IGNORE INTO search_users (user_id) VALUES (new.user_id);
        INSERT INTO search_text (rowid, s_trigger, s_tags, s_resolution, s_context)
          VALUES (${searchKey('new')}, ' ' || new.s_trigger || ' ', ' ' || new.s_tags || ' ',
            ' ' || new.s_resolution || ' ', ' ' || new.s_context || ' ');
      END;
      CREATE TRIGGER patterns_unkeyed AFTER DELETE ON patterns BEGIN
        DELETE FROM search_text WHERE rowid = ${searchKey('old')};
      END;
      CREATE TRIGGER patterns_rekeyed
      AFTER UPDATE OF s_trigger, s_tags, s_resolution, s_context, confidence ON patterns
      WHEN old.s_trigger IS NOT new.s_trigger OR old.s_tags IS NOT new.s_tags
        OR old.s_resolution IS NOT new.s_resolution OR old.s_context IS NOT new.s_context
        OR ${searchKey('old')} <> ${searchKey('new')}
      BEGIN
        DELETE FROM search_text WHERE rowid = ${searchKey('old')};
        INSERT INTO search_text (rowid, s_trigger, s_tags, s_resolution, s_context)
          VALUES (${searchKey('new')}, ' ' || new.s_trigger || ' ', ' ' || new.s_tags || ' ',
            ' ' || new.s_resolution || ' ', ' ' || new.s_context || ' ');
      END;
    `,
  },
  {
    // One contentless FTS5 table replaces the three trigram indexes: per pattern, the
    // distinct 1-, 2- and 3-character substrings of each field's whitespace-free runs, each
    // written as a token of its field letter and its UTF-8 bytes in hex (\`t747363\` is "tsc"
    // in the trigger). detail=none keeps only which rows hold a token, in the order of the
    // confidence key (see searchKey), so a stream of rows best first is one doclist read.
    // A query term never holds whitespace, so it is a substring of a field only inside one
    // run: a one- or two-character term is found exactly by its own token, a longer one by
    // its rarest trigrams, and every candidate is checked with instr when it is scored.
    version: 4,
    sql: `
      DROP TRIGGER patterns_indexed;
      DROP TRIGGER patterns_unindexed;
      DROP TRIGGER patterns_reindexed;
      DROP TABLE patterns_search;
      DROP TABLE patterns_head;
      DROP TRIGGER patterns_keyed;
      DROP TRIGGER patterns_unkeyed;
      DROP TRIGGER patterns_rekeyed;
      DROP TABLE search_text;
      DROP TABLE search_trigrams;
      CREATE VIRTUAL TABLE search_grams USING fts5(
        grams, content = '', contentless_delete = 1, detail = none, tokenize = 'ascii'
      );
      INSERT INTO search_grams (rowid, grams)
        SELECT ${searchKey('p')}, ${GRAMS_FUNCTION}(p.s_trigger, p.s_tags, p.s_resolution, p.s_context)
        FROM patterns p;
      INSERT INTO search_grams (search_grams) VALUES ('optimize');
      CREATE TABLE search_state (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO search_state (name, value) VALUES ('written_since_optimize', 0);
      CREATE TRIGGER patterns_keyed AFTER INSERT ON patterns BEGIN
        INSERT OR IGNORE INTO search_users (user_id) VALUES (new.user_id);
        INSERT INTO search_grams (rowid, grams) VALUES (${searchKey('new')},
          ${GRAMS_FUNCTION}(new.s_trigger, new.s_tags, new.s_resolution, new.s_context));
      END;
      CREATE TRIGGER patterns_unkeyed AFTER DELETE ON patterns BEGIN
        DELETE FROM search_grams WHERE rowid = ${searchKey('old')};
      END;
      CREATE TRIGGER patterns_rekeyed
      AFTER UPDATE OF s_trigger, s_tags, s_resolution, s_context, confidence ON patterns
      WHEN old.s_trigger IS NOT new.s_trigger OR old.s_tags IS NOT new.s_tags
        OR old.s_resolution IS NOT new.s_resolution OR old.s_context IS NOT new.s_context
        OR ${searchKey('old')} <> ${searchKey('new')}
      BEGIN
        DELETE FROM search_grams WHERE rowid = ${searchKey('old')};
        INSERT INTO search_grams (rowid, grams) VALUES (${searchKey('new')},
          ${GRAMS_FUNCTION}(new.s_trigger, new.s_tags, new.s_resolution, new.s_context));
      END;
    `,
  },
];

/** Opens (creating or migrating) the SQLite store at `options.path`. */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const Driver = await loadDriver();
  const path = resolve(options.path);
  let db: Database | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    db = new Driver(path, { timeout: options.busyTimeoutMs ?? 30_000 });
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    // Searches read many rows: map the file instead of copying pages through read(), keep
    // more of it cached, and sort in memory.
    db.pragma(`mmap_size = ${MMAP_BYTES}`);
    db.pragma(`cache_size = -${CACHE_KIB}`);
    db.pragma('temp_store = MEMORY');
    db.function(GRAMS_FUNCTION, { deterministic: true }, (t, g, r, c) =>
      gramTokens([t, g, r, c].map((f) => (typeof f === 'string' ? f : ''))),
    );
    migrate(db, path);
    return new SqliteStore(db, path);
  } catch (error) {
    db?.close();
    throw translate(error, path);
  }
}

async function loadDriver(): Promise<DatabaseConstructor> {
  try {
    const mod = await import('better-sqlite3');
    return mod.default;
  } catch (error) {
    throw new AttuneError(
      ErrorCode.STORE_UNAVAILABLE,
      `the sqlite store needs the better-sqlite3 package, which could not be loaded (${String(error)})`,
      { suggestion: 'Run `npm install better-sqlite3` (version 12).', cause: error },
    );
  }
}

function migrate(db: Database, path: string): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
  );
  const apply = db.transaction(() => {
    const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as {
      v: number | null;
    };
    const current = row.v ?? 0;
    const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
    if (current > latest) {
      throw new AttuneError(
        ErrorCode.STORE_UNAVAILABLE,
        `${path} has schema version ${current}; this attune knows up to ${latest}`,
        { suggestion: 'Upgrade attune-learning to open this database.' },
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(
        m.version,
        new Date().toISOString(),
      );
    }
  });
  apply.immediate();
}

/** Turns driver errors into AttuneErrors naming the database file. */
function translate(error: unknown, path: string): unknown {
  if (error instanceof AttuneError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code === 'SQLITE_CORRUPT_VTAB') {
    return new AttuneError(ErrorCode.CORRUPT_STORE, `corrupt database ${path}: ${message}`, {
      suggestion: `Move it aside (mv '${path}' '${path}.corrupt') and restore a backup or start afresh; attune never overwrites it. Run 'attune doctor' for details.`,
      cause: error,
    });
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) {
    return new AttuneError(ErrorCode.LOCK_TIMEOUT, `database ${path} stayed locked: ${message}`, {
      suggestion: 'Another process holds a long transaction; retry, or raise busyTimeoutMs.',
      cause: error,
    });
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    return new AttuneError(ErrorCode.STORE_UNAVAILABLE, `database ${path}: ${message}`, {
      suggestion: 'Check that the file and its directory are readable and writable.',
      cause: error,
    });
  }
  if (/bindings|NODE_MODULE_VERSION|invalid ELF/i.test(message)) {
    return new AttuneError(
      ErrorCode.STORE_UNAVAILABLE,
      `better-sqlite3 is installed but its native module does not load: ${message}`,
      { suggestion: 'Run `npm rebuild better-sqlite3` (or `npm install better-sqlite3`).' },
    );
  }
  return error;
}

/**
 * The stream to read next: of those that cap the best unread row (bound at least its
 * confidence, fields within the ones that row holds the term in), the one that has held the
 * fewest rows per unit of confidence so far (`unread` for a stream not read yet), so that
 * the bound falls for the least reading; the most specific on a tie.
 */
function pickStream(
  streams: readonly IndexStream[],
  bound: ScoreBound,
  unread: number,
): IndexStream | undefined {
  let chosen: IndexStream | undefined;
  let density = Number.POSITIVE_INFINITY;
  let specificity = -1;
  for (const s of streams) {
    if (s.bound === Number.NEGATIVE_INFINITY || s.bound < bound.confidence) continue;
    if (s.term !== -1 && (s.fields & ~(bound.fields[s.term] ?? 0)) !== 0) continue;
    const d = s.read === 0 ? unread : s.read / Math.max(1e-3, 1 - s.bound);
    const k = s.term === -1 ? 0 : bitCount(s.fields);
    if (d < density || (d === density && k > specificity)) {
      chosen = s;
      density = d;
      specificity = k;
    }
  }
  return chosen;
}

function bitCount(mask: number): number {
  let n = 0;
  for (let m = mask; m; m &= m - 1) n++;
  return n;
}

/** Patterns and skills of every user in one SQLite database. */
export class SqliteStore implements PatternStore {
  readonly kind = 'sqlite' as const;
  readonly location: string;
  readonly #db: Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  /** Statements of {@link #cursorStatement}, by stream number. */
  readonly #cursors: BetterSqlite3.Statement[] = [];
  #closed = false;

  /** Use {@link createSqliteStore}, which loads the driver and migrates the schema. */
  constructor(db: Database, path: string) {
    this.#db = db;
    this.location = path;
  }

  async savePatterns(
    userId: string,
    patterns: readonly ExtractedPattern[],
    options: SavePatternsOptions,
  ): Promise<SavePatternsResult> {
    const user = validateUserId(userId);
    return this.#run(() => {
      const db = this.#db;
      const select = db.prepare('SELECT data FROM patterns WHERE user_id = ? AND pattern_id = ?');
      // Triggers keep the search index and the per-user count in step with this row.
      const upsert = db.prepare(
        `INSERT INTO patterns (user_id, pattern_id, category, confidence, extracted_at, project,
           tags, data, s_trigger, s_context, s_resolution, s_tags)
         VALUES (@user, @patternId, @category, @confidence, @extractedMs, @project,
           @tags, @data, @sTrigger, @sContext, @sResolution, @sTags)
         ON CONFLICT (user_id, pattern_id) DO UPDATE SET
           category = excluded.category, confidence = excluded.confidence,
           extracted_at = excluded.extracted_at, project = excluded.project,
           tags = excluded.tags, data = excluded.data, s_trigger = excluded.s_trigger,
           s_context = excluded.s_context, s_resolution = excluded.s_resolution,
           s_tags = excluded.s_tags`,
      );
      const save = db.transaction(() => {
        const existing = new Map<string, ExtractedPattern>();
        for (const p of patterns) {
          if (existing.has(p.patternId)) continue;
          const row = select.get(user, p.patternId) as { data: string } | undefined;
          if (row)
            existing.set(p.patternId, decodePattern(row.data, this.#where(user, p.patternId)));
        }
        const { final, created, updated } = applySave(patterns, existing, options.merge);
        for (const pattern of final.values()) {
          const row = toPatternRow(pattern);
          upsert.run({ ...row, user, tags: JSON.stringify(row.tags) });
        }
        const evicted = this.#evict(user, [...final.keys()], options.maxPatterns);
        this.#compactIndex(final.size + evicted.length);
        return saveResult(final, created, updated, evicted);
      });
      return save.immediate();
    });
  }

  /**
   * Counts `written` index writes and, once the writes since the last merge reach a quarter
   * of all patterns (and at least {@link COMPACT_MIN_WRITES}), merges the gram index into
   * one segment. Every search reads each segment of the index, so many small segments
   * (one per save, merged only in groups) cost most searches several times what one does;
   * merging after each quarter of growth costs a few times the index size in total.
   */
  #compactIndex(written: number): void {
    const since =
      (
        this.#statement(
          `UPDATE search_state SET value = value + ? WHERE name = 'written_since_optimize'
           RETURNING value`,
        ).get(written) as { value: number } | undefined
      )?.value ?? 0;
    if (since < COMPACT_MIN_WRITES) return;
    const total =
      (
        this.#statement('SELECT sum(patterns) AS n FROM pattern_counts').get() as {
          n: number | null;
        }
      ).n ?? 0;
    if (since * 4 < total) return;
    this.#db.exec("INSERT INTO search_grams (search_grams) VALUES ('optimize')");
    this.#statement(
      "UPDATE search_state SET value = 0 WHERE name = 'written_since_optimize'",
    ).run();
  }

  #evict(user: string, saved: readonly string[], max: number): string[] {
    const excess = excessOf(this.#count(user), max);
    if (excess === 0) return [];
    const victims = this.#db
      .prepare(
        `SELECT pattern_id FROM patterns WHERE user_id = ?
         ORDER BY pattern_id IN (SELECT value FROM json_each(?)), confidence, extracted_at, pattern_id
         LIMIT ?`,
      )
      .all(user, JSON.stringify(saved), excess) as { pattern_id: string }[];
    const remove = this.#db.prepare('DELETE FROM patterns WHERE user_id = ? AND pattern_id = ?');
    for (const v of victims) remove.run(user, v.pattern_id);
    return victims.map((v) => v.pattern_id);
  }

  async getPattern(userId: string, patternId: string): Promise<ExtractedPattern | null> {
    const user = validateUserId(userId);
    return this.#run(() => {
      const row = this.#db
        .prepare('SELECT data FROM patterns WHERE user_id = ? AND pattern_id = ?')
        .get(user, patternId) as { data: string } | undefined;
      return row ? decodePattern(row.data, this.#where(user, patternId)) : null;
    });
  }

  async listPatterns(
    userId: string,
    options: ListPatternsOptions = {},
  ): Promise<ExtractedPattern[]> {
    const user = validateUserId(userId);
    return this.#run(() => {
      const where = ['user_id = @user'];
      const params: Record<string, unknown> = { user, limit: -1 };
      if (options.categories) {
        where.push('category IN (SELECT value FROM json_each(@categories))');
        params.categories = JSON.stringify(options.categories);
      }
      if (options.tag !== undefined) {
        where.push('EXISTS (SELECT 1 FROM json_each(patterns.tags) WHERE value = @tag)');
        params.tag = searchable(options.tag);
      }
      if (options.project !== undefined) {
        where.push('(project IS NULL OR project = @project)');
        params.project = options.project;
      }
      if (options.limit !== undefined) params.limit = Math.max(0, Math.floor(options.limit));
      const rows = this.#db
        .prepare(
          `SELECT pattern_id, data FROM patterns WHERE ${where.join(' AND ')}
           ORDER BY confidence DESC, extracted_at DESC, pattern_id LIMIT @limit`,
        )
        .all(params) as { pattern_id: string; data: string }[];
      return rows.map((r) => decodePattern(r.data, this.#where(user, r.pattern_id)));
    });
  }

  async searchPatterns(
    userId: string,
    query: string,
    options: SearchPatternsOptions = {},
  ): Promise<ExtractedPattern[]> {
    const user = validateUserId(userId);
    const { sql: terms, rest } = sqlSearchTerms(query);
    if (terms.length === 0) return [];
    const limit = options.limit === undefined ? -1 : Math.max(0, Math.floor(options.limit));
    return this.#run(() => {
      // One read transaction: every read of the index and the rows sees one snapshot.
      const found = this.#db.transaction(() =>
        this.#patternsByIds(user, this.#rank(user, terms, rest.length > 0 ? -1 : limit)),
      )();
      return rest.length > 0
        ? finishSearch(found, [...terms, ...rest], rest, options.limit)
        : found;
    });
  }

  /**
   * Row ids of the user's patterns that hold every term, best first: field-weighted hits
   * (trigger and tags 3, resolution 2, context 1) plus confidence, then confidence, newest,
   * id. Only ids and the columns that rank travel through the sort; JSON is decoded later,
   * for the rows returned.
   *
   * Candidates come from the gram index `search_grams` (schema version 4), read in
   * confidence order. Without a limit every candidate is ranked in one statement. With one,
   * they are read from several streams (Fagin's threshold algorithm), each an open FTS5
   * cursor: every candidate, and per term the rows that hold it in trigger and tags, trigger
   * and resolution, trigger and context, tags and resolution, tags and context, the
   * trigger, the tags (each also holding the other uncommon terms somewhere). Each row read
   * is scored exactly with instr, which also drops candidates whose grams match but not the
   * term; {@link scoreBound} gives the best score a row not read yet can have, and reading
   * stops once the `limit`th best beats it, so a common term ranks the few hundred rows that
   * can come first instead of all its matches. Cursors stay open across other statements,
   * so the search runs in unsafe mode (better-sqlite3's name for allowing that) and closes
   * them before it returns; every read is inside one read transaction.
   */
  #rank(user: string, terms: readonly string[], limit: number): number[] {
    const cursors: IterableIterator<unknown>[] = [];
    this.#db.unsafeMode(true);
    try {
      return this.#rankWith(user, terms, limit, cursors);
    } finally {
      for (const c of cursors) c.return?.();
      this.#db.unsafeMode(false);
    }
  }

  /**
   * A prepared statement that reads one stream of the gram index in key order from its
   * start; one per stream number, since a statement serves one open cursor at a time.
   */
  #cursorStatement(n: number): BetterSqlite3.Statement {
    let statement = this.#cursors[n];
    if (!statement) {
      statement = this.#db.prepare(
        `SELECT rowid >> 32 AS k, rowid & 4294967295 AS id FROM search_grams
         WHERE search_grams MATCH @match AND rowid > @lo AND rowid < @hi ORDER BY rowid`,
      );
      this.#cursors[n] = statement;
    }
    return statement;
  }

  /** {@link #rank}, with the cursors it opens pushed onto `cursors` for the caller to close. */
  #rankWith(
    user: string,
    terms: readonly string[],
    limit: number,
    cursors: IterableIterator<unknown>[],
  ): number[] {
    if (limit === 0) return [];
    const userNo = (
      this.#statement('SELECT user_no FROM search_users WHERE user_id = ?').get(user) as
        | { user_no: number }
        | undefined
    )?.user_no;
    if (userNo === undefined) return [];
    const lo = BigInt(userNo) << 40n;
    const hi = BigInt(userNo + 1) << 40n;
    const count = this.#count(user);
    // A small store, or a search for every match, ranks all candidates in one statement;
    // its terms ask for all their grams, without probing which are rare.
    const whole = limit < 0 || count <= SMALL_STORE;
    const probed: TermGrams[] = [];
    for (const t of terms) {
      const g = this.#termGrams(t, lo, hi, !whole);
      if (g === null) return [];
      probed.push(g);
    }
    const grams = probed.map((g) => g.grams);
    // Terms that narrow a stream: the uncommon ones, or else the rarest (FTS5 needs one).
    const narrowing = terms.flatMap((_, i) => (probed[i]?.common ? [] : [i]));
    if (narrowing.length === 0) {
      let rarest = 0;
      probed.forEach((g, i) => {
        const r = probed[rarest];
        if (r && (g.found < r.found || (g.found === r.found && g.reach > r.reach))) rarest = i;
      });
      narrowing.push(rarest);
    }
    const inField = (i: number, f: GramField) =>
      `(${(grams[i] ?? []).map((g) => f + g).join(' AND ')})`;
    const anywhere = (i: number) => `(${GRAM_FIELDS.map((f) => inField(i, f)).join(' OR ')})`;
    const params: Record<string, unknown> = { user };
    terms.forEach((t, i) => {
      params[`t${i}`] = t;
    });
    const scores = terms.map((_, i) => {
      const has = (col: string) => `(instr(p.s_${col}, @t${i}) > 0)`;
      return `${has('trigger')} * 3 + ${has('tags')} * 3 + ${has('resolution')} * 2 + ${has('context')} AS s${i}`;
    });
    const columns = `p.id, p.confidence, p.extracted_at, p.pattern_id, ${scores.join(', ')}`;
    const matched = terms.map((_, i) => `s${i} > 0`).join(' AND ');
    const total = terms.map((_, i) => `s${i}`).join(' + ');
    // Scores the rows with these ids; only those that hold every term come back, as
    // [id, confidence, extracted_at, pattern_id, field score]. The LIMIT keeps the subquery
    // whole, so each instr runs once.
    const scoring = this.#statement(
      `SELECT id, confidence, extracted_at, pattern_id, ${total} FROM (
         SELECT ${columns} FROM json_each(@ids) j CROSS JOIN patterns p ON p.id = j.value
         WHERE p.user_id = @user LIMIT -1)
       WHERE ${matched}`,
    ).raw(true);
    const scoreRows = (ids: readonly number[]): RankedRow<number>[] => {
      params.ids = JSON.stringify(ids);
      const rows = scoring.all(params) as [number, number, number, string, number][];
      return rows.map(([id, confidence, extractedMs, patternId, score]) => ({
        id,
        score: score + confidence,
        confidence,
        extractedMs,
        patternId,
      }));
    };
    const debug = process.env.ATTUNE_DEBUG_SEARCH !== undefined;
    const all: IndexStream = {
      term: -1,
      fields: 0,
      bound: 1,
      match: narrowing.map((i) => anywhere(i)).join(' AND '),
      batch: 64,
      read: 0,
    };
    const streams: IndexStream[] = [all];
    if (limit > 0) {
      const { trigger: T, tags: G, resolution: R, context: C } = FIELD_BITS;
      const heads: { fields: number; own: readonly GramField[] }[] = [
        { fields: T | G, own: ['t', 'g'] },
        { fields: T | R, own: ['t', 'r'] },
        { fields: T | C, own: ['t', 'c'] },
        { fields: G | R, own: ['g', 'r'] },
        { fields: G | C, own: ['g', 'c'] },
        { fields: T, own: ['t'] },
        { fields: G, own: ['g'] },
      ];
      terms.forEach((_, i) => {
        // A stream asks for the term's rarest gram in its own fields and for the rarest gram
        // of each other uncommon term anywhere: every gram more multiplies the doclists FTS5
        // walks, and the rows read are checked anyway.
        const others = narrowing.flatMap((j) =>
          j === i ? [] : [`(${GRAM_FIELDS.map((f) => f + (grams[j]?.[0] ?? '')).join(' OR ')})`],
        );
        for (const h of heads) {
          streams.push({
            term: i,
            fields: h.fields,
            bound: 1,
            match: [...h.own.map((f) => `(${f}${grams[i]?.[0]})`), ...others].join(' AND '),
            batch: 16,
            read: 0,
          });
        }
      });
    }
    const found: RankedRow<number>[] = [];
    const seen = new Set<number>();
    const read = (s: IndexStream, batch: number) => {
      // Each stream keeps its cursor open between reads (unsafe mode, see #withCursors),
      // so a read continues where the last one stopped instead of seeking again.
      if (!s.rows) {
        s.rows = this.#cursorStatement(streams.indexOf(s)).iterate({
          match: s.match,
          lo,
          hi,
        }) as IterableIterator<{ k: number; id: number }>;
        cursors.push(s.rows);
      }
      const keys: { k: number; id: number }[] = [];
      while (keys.length < batch) {
        const next = s.rows.next();
        if (next.done) break;
        keys.push(next.value);
      }
      s.read += keys.length;
      const last = keys[keys.length - 1];
      if (keys.length < batch || !last) s.bound = Number.NEGATIVE_INFINITY;
      else s.bound = (256 - (last.k & 255)) / 256;
      const fresh: number[] = [];
      for (const { id } of keys) {
        if (!seen.has(id)) {
          seen.add(id);
          fresh.push(id);
        }
      }
      if (fresh.length > 0) found.push(...scoreRows(fresh));
      if (debug) console.error('  keys', keys.length, 'scored', fresh.length);
    };
    if (whole) {
      // Every match, ranked by SQLite: only the ids of the matches travel back. The inner
      // LIMIT keeps the subquery whole, so each score is computed once.
      return this.#statement(
        `SELECT id FROM (
           SELECT ${columns} FROM search_grams s CROSS JOIN patterns p
             ON p.id = (s.rowid & 4294967295)
           WHERE s.search_grams MATCH @match AND s.rowid > @lo AND s.rowid < @hi
           LIMIT -1)
         WHERE ${terms.map((_, i) => `s${i} > 0`).join(' AND ')}
         ORDER BY ${terms.map((_, i) => `s${i}`).join(' + ')} + confidence DESC,
           confidence DESC, extracted_at DESC, pattern_id
         LIMIT @limit`,
      )
        .pluck()
        .all({
          ...params,
          match: terms.map((_, i) => anywhere(i)).join(' AND '),
          lo,
          hi,
          limit,
        }) as number[];
    }
    // A stream not read yet is taken to hold 1% of the user's rows per unit of confidence:
    // one already read and sparser is read on first, one denser gives way to it.
    const unreadDensity = Math.max(1, count * UNREAD_SHARE);
    const best: RankedRow<number>[] = [];
    for (;;) {
      const bound = scoreBound(terms.length, streams);
      if (bound === undefined) break;
      if (found.length >= limit) {
        // Keep only the best `limit`: rows below them never come back.
        best.push(...found.splice(0));
        best.sort(compareRanked);
        best.length = Math.min(best.length, limit);
        found.push(...best.splice(0));
        const kth = found[limit - 1];
        if (kth && kth.score > bound.score) break;
      }
      // The stream of all matches first: for a rare query one read finds them all. When
      // it suggests few more matches than it gave, reading them all in one go costs less
      // than several streams.
      if (all.bound === 1) {
        read(all, all.batch);
        const left = all.bound > 0 ? (all.batch * all.bound) / Math.max(1e-3, 1 - all.bound) : 0;
        if (left > 0 && left <= FEW_MATCHES) read(all, Number.MAX_SAFE_INTEGER);
        continue;
      }
      const s = pickStream(streams, bound, unreadDensity);
      if (!s) break;
      if (debug) {
        console.error(
          'read',
          s.term,
          s.fields,
          s.batch,
          s.bound.toFixed(3),
          bound.score.toFixed(3),
          found.length,
        );
      }
      read(s, s.batch);
      s.batch = Math.min(s.batch * 2, 64);
    }
    return found
      .sort(compareRanked)
      .slice(0, limit)
      .map((r) => r.id);
  }

  /**
   * The gram bodies (UTF-8 hex, without field letter) whose tokens a row must hold for the
   * term to be in a field: the term itself when it has one or two characters, else its
   * trigrams. When `probing`, only the rarest (at most {@link MAX_TERM_GRAMS}, or one per
   * four characters), found by reading the first rows of each, and whether the term is
   * common; null when a probed gram is in none of the user's rows (nothing matches).
   */
  #termGrams(term: string, lo: bigint, hi: bigint, probing: boolean): TermGrams | null {
    const chars = Array.from(wellFormed(term));
    // Each distinct gram with the position of its first occurrence: the term itself when
    // it is short, else its trigrams.
    const candidates = new Map<string, number>();
    if (chars.length < 3) candidates.set(hexOf(chars.join('')), 0);
    for (let i = 0; i + 3 <= chars.length; i++) {
      const gram = hexOf(`${chars[i]}${chars[i + 1]}${chars[i + 2]}`);
      if (!candidates.has(gram)) candidates.set(gram, i);
    }
    if (!probing) return { grams: [...candidates.keys()], common: false, found: 0, reach: 0n };
    // How far into the user's rows the first PROBE_ROWS holders of a gram reach: the
    // fewer holders or the further they reach, the rarer the gram.
    const probe = this.#statement(
      `SELECT count(*) AS n, max(rowid) AS k FROM (
         SELECT rowid FROM search_grams WHERE search_grams MATCH @match
           AND rowid > @lo AND rowid < @hi ORDER BY rowid LIMIT ${PROBE_ROWS})`,
    ).safeIntegers(true);
    const rarity: { gram: string; at: number; n: number; k: bigint }[] = [];
    // A long term probes every other trigram: enough to find rare ones that do not overlap.
    const stride = candidates.size > MAX_PROBES ? 2 : 1;
    for (const [gram, at] of candidates) {
      if (at % stride !== 0 && at !== chars.length - 3) continue;
      const match = `(${GRAM_FIELDS.map((f) => f + gram).join(' OR ')})`;
      const row = probe.get({ match, lo, hi }) as { n: bigint; k: bigint | null };
      if (row.n === 0n) return null;
      rarity.push({ gram, at, n: Number(row.n), k: row.k ?? 0n });
    }
    rarity.sort((a, b) => a.n - b.n || (a.k > b.k ? -1 : a.k < b.k ? 1 : 0));
    // Rare trigrams that do not overlap first: overlapping ones tend to come from one
    // common word, so together they select hardly fewer rows than one of them.
    const most = Math.max(MAX_TERM_GRAMS, Math.ceil(chars.length / 4));
    const chosen: typeof rarity = [];
    for (const r of rarity) {
      if (chosen.length < most && chosen.every((c) => Math.abs(c.at - r.at) >= 3)) {
        chosen.push(r);
      }
    }
    for (const r of rarity) {
      if (chosen.length < most && !chosen.includes(r)) chosen.push(r);
    }
    // Common when even the rarest gram is in at least COMMON_SHARE of the rows it reached
    // over (counted up to a cap, so the test costs little).
    const rarest = rarity[0];
    let common = false;
    if (rarest && rarest.n === PROBE_ROWS) {
      const cap = Math.ceil(PROBE_ROWS / COMMON_SHARE);
      const rows = this.#statement(
        `SELECT count(*) AS n FROM (
           SELECT 1 FROM search_grams WHERE rowid > @lo AND rowid <= @k LIMIT @cap)`,
      ).get({ lo, k: rarest.k, cap }) as { n: number };
      common = rows.n < cap;
    }
    return {
      grams: chosen.map((r) => r.gram),
      common,
      found: rarest?.n ?? 0,
      reach: rarest?.k ?? 0n,
    };
  }

  /** Decodes the user's patterns with these row ids, in the order given. */
  #patternsByIds(user: string, ids: readonly number[]): ExtractedPattern[] {
    if (ids.length === 0) return [];
    const rows = this.#statement(
      'SELECT id, pattern_id, data FROM patterns WHERE id IN (SELECT value FROM json_each(?))',
    ).all(JSON.stringify(ids)) as { id: number; pattern_id: string; data: string }[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const out: ExtractedPattern[] = [];
    for (const id of ids) {
      const row = byId.get(id);
      if (row) out.push(decodePattern(row.data, this.#where(user, row.pattern_id)));
    }
    return out;
  }

  /** A prepared statement for `sql`, reused across calls (search builds a few shapes). */
  #statement(sql: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      if (this.#statements.size >= MAX_CACHED_STATEMENTS) this.#statements.clear();
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async countPatterns(userId: string): Promise<number> {
    const user = validateUserId(userId);
    return this.#run(() => this.#count(user));
  }

  /** The user's pattern count, kept by triggers on every insert and delete. */
  #count(user: string): number {
    const row = this.#statement('SELECT patterns FROM pattern_counts WHERE user_id = ?').get(
      user,
    ) as { patterns: number } | undefined;
    return row?.patterns ?? 0;
  }

  async deletePattern(userId: string, patternId: string): Promise<boolean> {
    const user = validateUserId(userId);
    return this.#run(
      () =>
        this.#db
          .prepare('DELETE FROM patterns WHERE user_id = ? AND pattern_id = ?')
          .run(user, patternId).changes > 0,
    );
  }

  async saveSkill(userId: string, skill: LearnedSkill): Promise<string> {
    const user = validateUserId(userId);
    return this.#run(() => {
      this.#db
        .prepare(
          `INSERT INTO skills (user_id, skill_id, data) VALUES (?, ?, ?)
           ON CONFLICT (user_id, skill_id) DO UPDATE SET data = excluded.data`,
        )
        .run(user, skill.skillId, JSON.stringify(skillToJson(skill)));
      return skill.skillId;
    });
  }

  async getSkill(userId: string, skillId: string): Promise<LearnedSkill | null> {
    const user = validateUserId(userId);
    return this.#run(() => {
      const row = this.#db
        .prepare('SELECT data FROM skills WHERE user_id = ? AND skill_id = ?')
        .get(user, skillId) as { data: string } | undefined;
      return row ? decodeSkill(row.data, this.#where(user, skillId, 'skills')) : null;
    });
  }

  async listSkills(userId: string): Promise<LearnedSkill[]> {
    const user = validateUserId(userId);
    return this.#run(() => {
      const rows = this.#db
        .prepare('SELECT skill_id, data FROM skills WHERE user_id = ? ORDER BY id')
        .all(user) as { skill_id: string; data: string }[];
      return rows.map((r) => decodeSkill(r.data, this.#where(user, r.skill_id, 'skills')));
    });
  }

  async recordSkillUsage(userId: string, skillId: string, at: Date): Promise<boolean> {
    const user = validateUserId(userId);
    return this.#run(() => {
      const record = this.#db.transaction(() => {
        const row = this.#db
          .prepare('SELECT data FROM skills WHERE user_id = ? AND skill_id = ?')
          .get(user, skillId) as { data: string } | undefined;
        if (!row) return false;
        const skill = decodeSkill(row.data, this.#where(user, skillId, 'skills'));
        skill.usageCount += 1;
        skill.lastUsed = at;
        this.#db
          .prepare('UPDATE skills SET data = ? WHERE user_id = ? AND skill_id = ?')
          .run(JSON.stringify(skillToJson(skill)), user, skillId);
        return true;
      });
      return record.immediate();
    });
  }

  async deleteSkill(userId: string, skillId: string): Promise<boolean> {
    const user = validateUserId(userId);
    return this.#run(
      () =>
        this.#db.prepare('DELETE FROM skills WHERE user_id = ? AND skill_id = ?').run(user, skillId)
          .changes > 0,
    );
  }

  async clearUser(userId: string): Promise<ClearResult> {
    const user = validateUserId(userId);
    return this.#run(() => {
      const clear = this.#db.transaction(() => ({
        patterns: this.#db.prepare('DELETE FROM patterns WHERE user_id = ?').run(user).changes,
        skills: this.#db.prepare('DELETE FROM skills WHERE user_id = ?').run(user).changes,
      }));
      return clear.immediate();
    });
  }

  async listUsers(): Promise<string[]> {
    return this.#run(() => {
      const rows = this.#db
        .prepare('SELECT DISTINCT user_id FROM patterns UNION SELECT DISTINCT user_id FROM skills')
        .all() as { user_id: string }[];
      return rows.map((r) => r.user_id).sort();
    });
  }

  async check(): Promise<StoreProblem[]> {
    const problems: StoreProblem[] = [];
    const fixFile = `Restore ${this.location} from a backup, or run \`sqlite3 '${this.location}' .recover\` into a new file and point attune at it.`;
    try {
      const rows = this.#db.prepare('PRAGMA integrity_check').all() as {
        integrity_check: string;
      }[];
      for (const r of rows) {
        if (r.integrity_check !== 'ok') {
          problems.push({ where: this.location, problem: r.integrity_check, fix: fixFile });
        }
      }
      try {
        this.#db.exec("INSERT INTO search_grams (search_grams) VALUES ('integrity-check')");
      } catch (error) {
        problems.push({
          where: `${this.location} (search index search_grams)`,
          problem: error instanceof Error ? error.message : String(error),
          fix: 'Rebuild it from the patterns table: attune doctor --store sqlite --rebuild-index (SqliteStore.rebuildSearchIndex(); sqlite3 alone cannot, the grams are computed by attune), or restore a backup.',
        });
      }
      for (const [table, idColumn, decode] of [
        ['patterns', 'pattern_id', decodePattern],
        ['skills', 'skill_id', decodeSkill],
      ] as const) {
        const rows = this.#db
          .prepare(`SELECT user_id, ${idColumn} AS id, data FROM ${table}`)
          .iterate() as IterableIterator<{ user_id: string; id: string; data: string }>;
        for (const row of rows) {
          const where = this.#where(row.user_id, row.id, table);
          try {
            decode(row.data, where);
          } catch (error) {
            if (!(error instanceof AttuneError)) throw error;
            problems.push({
              where,
              problem: error.message,
              fix:
                table === 'patterns'
                  ? `Delete it (attune patterns delete ${row.id} --user ${row.user_id} --store sqlite) or fix its JSON in the data column of ${table}.`
                  : `Delete the row or fix its JSON in the data column of ${table}.`,
            });
          }
        }
      }
    } catch (error) {
      const e = translate(error, this.location);
      if (!(e instanceof AttuneError)) throw e;
      problems.push({ where: this.location, problem: e.message, fix: fixFile });
    }
    return problems;
  }

  /**
   * Rebuilds the gram index from the patterns table (every user), for an index that
   * `check` reports damaged: empties it, indexes every row again and merges it into one
   * segment, in one write transaction.
   */
  async rebuildSearchIndex(): Promise<void> {
    return this.#run(() => {
      const rebuild = this.#db.transaction(() => {
        this.#db.exec(`
          INSERT INTO search_grams (search_grams) VALUES ('delete-all');
          INSERT INTO search_grams (rowid, grams)
            SELECT ${searchKey('p')}, ${GRAMS_FUNCTION}(p.s_trigger, p.s_tags, p.s_resolution, p.s_context)
            FROM patterns p;
          INSERT INTO search_grams (search_grams) VALUES ('optimize');
          UPDATE search_state SET value = 0 WHERE name = 'written_since_optimize';
        `);
      });
      rebuild.immediate();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #where(user: string, id: string, table = 'patterns'): string {
    return `${this.location} (${table}, user ${JSON.stringify(user)}, id ${JSON.stringify(id)})`;
  }

  #run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(translate(error, this.location));
    }
  }
}
