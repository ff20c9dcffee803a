/**
 * The `sqlite` store: one database file for every user, for large stores on one machine.
 *
 * better-sqlite3 is an optional dependency, imported only by {@link createSqliteStore}.
 * WAL journal, a busy timeout so concurrent processes wait instead of failing, and
 * `synchronous=FULL` so a save that returned survives a crash. Every key starts with
 * `user_id`. Each pattern is kept as its full JSON (the source of truth every read decodes)
 * next to the columns that index and rank it, among them its lower-cased trigger, context,
 * resolution and tags. Two external-content FTS5 tables with the trigram tokenizer index
 * that text, kept in step by triggers: one over all four fields, a smaller one over trigger
 * and tags that lets a limited search of a common term rank only the rows that can come
 * first. Terms of three or more characters are found through the index as substrings,
 * shorter ones with `instr` (a query of only such terms reads every row of the user). A
 * per-user count, also kept by triggers, spares saves a count(*). Every statement is
 * parameterised; search terms are quoted as FTS5 strings, so FTS syntax in a query is never
 * interpreted.
 * @module
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { AttuneError, ErrorCode } from '../errors.js';
import type { ExtractedPattern } from '../model/pattern.js';
import { type LearnedSkill, skillToJson } from '../model/skill.js';
import { validateUserId } from '../model/user-id.js';
import type {
  ClearResult,
  ListPatternsOptions,
  PatternStore,
  SavePatternsOptions,
  SavePatternsResult,
  SearchPatternsOptions,
  StoreProblem,
} from './pattern-store.js';
import {
  applySave,
  type CandidateStream,
  compareRanked,
  decodePattern,
  decodeSkill,
  excessOf,
  FIELD_BITS,
  finishSearch,
  nextStream,
  type RankedRow,
  saveResult,
  scoreBound,
  searchable,
  sqlSearchTerms,
  toPatternRow,
  trigramsOf,
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
 * Most indexed trigrams a one- or two-character term is expanded into; a term in more is
 * checked on the rows read for the other terms (or on every row, best first).
 */
const MAX_EXPANSION = 400;
/**
 * When the first read of all matches suggests at most this many more, a limited search
 * reads and ranks them all instead of opening more streams.
 */
const FEW_MATCHES = 2000;

/** A candidate row with the score of each term (s0, s1, …). */
type ScoredRow = {
  id: number;
  confidence: number;
  extracted_at: number;
  pattern_id: string;
} & Record<`s${number}`, number>;

/** A stream of the search index, with its FTS5 query and where it stopped. */
interface IndexStream extends CandidateStream {
  match: string;
  /** Key of the last row read. */
  after: bigint;
  /** Rows the next read asks for. */
  batch: number;
}
/** Prepared statements a store keeps; past this the cache starts afresh. */
const MAX_CACHED_STATEMENTS = 64;

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

/** Patterns and skills of every user in one SQLite database. */
export class SqliteStore implements PatternStore {
  readonly kind = 'sqlite' as const;
  readonly location: string;
  readonly #db: Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
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
        const trigrams = new Set<string>();
        for (const pattern of final.values()) {
          const row = toPatternRow(pattern);
          upsert.run({ ...row, user, tags: JSON.stringify(row.tags) });
          for (const text of [row.sTrigger, row.sTags, row.sResolution, row.sContext]) {
            trigramsOf(text, trigrams);
          }
        }
        // The vocabulary only grows: a trigram no row holds any more costs one empty lookup.
        this.#statement(
          `INSERT OR IGNORE INTO search_trigrams (trigram, head, tail)
           SELECT value, substr(value, 1, 2), substr(value, 2) FROM json_each(?)`,
        ).run(JSON.stringify([...trigrams]));
        const evicted = this.#evict(user, [...final.keys()], options.maxPatterns);
        return saveResult(final, created, updated, evicted);
      });
      return save.immediate();
    });
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
        this.#patternsByIds(
          user,
          // A term of one or two characters has no trigram of its own: the keyed index
          // serves it through the trigrams that contain it.
          (process.env.H1_ALL || terms.some((t) => Array.from(t).length < 3))
            ? this.#rankShort(user, terms, rest.length > 0 ? -1 : limit)
            : this.#rankMatches(user, terms, rest.length > 0 ? -1 : limit),
        ),
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
   * With a limit, a rare term's matches are collected in one pass over the index and only
   * they are ranked. A common single term would have every one of its thousands of matches
   * scored; instead the small trigger-and-tags index is asked first for a tier of rows that
   * score high: every indexed term in both trigger and tags, then in either. A row outside the
   * tier scores at most `bound` (each term is worth at most 9; a term missing from the tier's
   * fields loses at least 3 or 6), plus confidence, at most 1. When the tier's `limit` best
   * all score strictly more than that, they are the answer, in the same order the full query
   * gives; otherwise the next tier, and last the full query, is tried.
   */
  #rankMatches(user: string, terms: readonly string[], limit: number): number[] {
    if (limit === 0) return [];
    // The trigram index finds substrings of three or more characters; shorter terms are
    // tested with instr on the same lower-cased columns of the row.
    const indexed = terms.filter((t) => [...t].length >= 3);
    const params: Record<string, unknown> = { user, limit };
    const where = ['p.user_id = @user'];
    const score: string[] = [];
    terms.forEach((t, i) => {
      params[`t${i}`] = t;
      const has = (col: string) => `(instr(p.s_${col}, @t${i}) > 0)`;
      if ([...t].length < 3) {
        where.push(`(${['trigger', 'context', 'resolution', 'tags'].map(has).join(' OR ')})`);
      }
      score.push(
        `${has('trigger')} * 3 + ${has('tags')} * 3 + ${has('resolution')} * 2 + ${has('context')}`,
      );
    });
    const quoted = indexed.map((t) => `"${t.replaceAll('"', '""')}"`);
    const query = (from: string, match: string) =>
      this.#statement(
        `SELECT p.id, ${score.join(' + ')} + p.confidence AS score
         FROM ${from} WHERE ${[match, ...where].join(' AND ')}
         ORDER BY score DESC, p.confidence DESC, p.extracted_at DESC, p.pattern_id
         LIMIT @limit`,
      ).all(params) as { id: number; score: number }[];
    if (indexed.length === 0) return query('patterns p', 'true').map((r) => r.id);
    params.match = quoted.join(' AND ');
    const all = 'patterns_search s CROSS JOIN patterns p ON p.id = s.rowid';
    if (limit > 0) {
      // Few matches: rank just those rows, found by one pass over the index.
      params.cap = FEW_MATCHES + 1;
      const few = this.#statement(
        `SELECT p.id FROM ${all} WHERE s.patterns_search MATCH @match AND p.user_id = @user
         LIMIT @cap`,
      )
        .pluck()
        .all(params) as number[];
      if (few.length <= FEW_MATCHES) {
        params.ids = JSON.stringify(few);
        const listed = 'json_each(@ids) j CROSS JOIN patterns p ON p.id = j.value';
        return query(listed, 'true').map((r) => r.id);
      }
      // CROSS JOIN keeps the index first: its matches are joined to their rows by rowid.
      const head = 'patterns_head h CROSS JOIN patterns p ON p.id = h.rowid';
      const tiers = [
        {
          match: quoted.map((q) => `{s_trigger}: ${q} AND {s_tags}: ${q}`).join(' AND '),
          bound: 9 * terms.length - 3,
        },
        { match: quoted.join(' AND '), bound: 9 * terms.length - 6 },
      ];
      // With two or more terms the bounds (a row outside still scores up to 9 per other
      // term) are almost never beaten: the tiers would only add work.
      for (const tier of terms.length === 1 ? tiers : []) {
        params.head = tier.match;
        const rows = query(head, 'h.patterns_head MATCH @head');
        const last = rows[rows.length - 1];
        if (rows.length === limit && last && last.score > tier.bound + 1) {
          return rows.map((r) => r.id);
        }
      }
    }
    return query(all, 's.patterns_search MATCH @match').map((r) => r.id);
  }

  /**
   * {@link #rankMatches} for a query with a term of one or two characters, through the
   * keyed index `search_text` (schema version 3), whose short terms are expanded into the
   * indexed trigrams that contain them.
   *
   * Without a limit every match is read from the index and ranked. With one, candidates are
   * read in confidence order from several streams of the index (Fagin's threshold
   * algorithm): every match, and per term the matches that hold it in trigger and tags, in
   * the trigger, in the tags. Each row read is scored exactly; {@link scoreBound} gives the
   * best score a row not read yet can have, and reading stops once the `limit`th best beats
   * it, so a common term ranks the few hundred rows that can come first instead of all its
   * matches. The whole search reads one snapshot.
   */
  #rankShort(user: string, terms: readonly string[], limit: number): number[] {
    if (limit === 0) return [];
    const userNo = (
      this.#statement('SELECT user_no FROM search_users WHERE user_id = ?').get(user) as
        | { user_no: number }
        | undefined
    )?.user_no;
    if (userNo === undefined) return [];
    const exprs = terms.map((t) => this.#termExpression(t));
    if (exprs.includes(null)) return [];
    const indexed = exprs.filter((e) => typeof e === 'string');
    const params: Record<string, unknown> = { user };
    terms.forEach((t, i) => {
      params[`t${i}`] = t;
    });
    const scores = terms.map((_, i) => {
      const has = (col: string) => `(instr(p.s_${col}, @t${i}) > 0)`;
      return `${has('trigger')} * 3 + ${has('tags')} * 3 + ${has('resolution')} * 2 + ${has('context')} AS s${i}`;
    });
    const rank = (rows: ScoredRow[]): RankedRow<number>[] => {
      const out: RankedRow<number>[] = [];
      for (const r of rows) {
        let score = 0;
        let all = true;
        for (let i = 0; i < terms.length; i++) {
          const s = r[`s${i}`] ?? 0;
          if (s === 0) all = false;
          score += s;
        }
        if (all) {
          out.push({
            id: r.id,
            score: score + r.confidence,
            confidence: r.confidence,
            extractedMs: r.extracted_at,
            patternId: r.pattern_id,
          });
        }
      }
      return out;
    };
    const columns = `p.id, p.confidence, p.extracted_at, p.pattern_id, ${scores.join(', ')}`;
    if (indexed.length === 0) {
      // Only terms too short and common to expand: read the user's rows best first.
      return this.#scanRanked(columns, params, rank, terms.length, limit);
    }
    const lo = BigInt(userNo) << 40n;
    const hi = BigInt(userNo + 1) << 40n;
    const scoreRows = (ids: readonly number[]) =>
      rank(
        this.#statement(
          `SELECT ${columns} FROM json_each(@ids) j CROSS JOIN patterns p ON p.id = j.value
           WHERE p.user_id = @user`,
        ).all({ ...params, ids: JSON.stringify(ids) }) as ScoredRow[],
      );
    const all: IndexStream = {
      term: -1,
      fields: 0,
      bound: 1,
      match: indexed.join(' AND '),
      after: lo - 1n,
      batch: 256,
    };
    const streams: IndexStream[] = [all];
    if (limit > 0) {
      // The small trigger and tags indexes give, cheaply, the rows that hold a term there
      // (whatever the other terms: rows without them are dropped once scored).
      const heads = [
        { fields: FIELD_BITS.trigger | FIELD_BITS.tags, spec: null },
        { fields: FIELD_BITS.trigger, spec: '{s_trigger}' },
        { fields: FIELD_BITS.tags, spec: '{s_tags}' },
      ];
      exprs.forEach((e, i) => {
        if (typeof e !== 'string') return;
        for (const h of heads) {
          const own = h.spec === null ? `{s_trigger}: ${e} AND {s_tags}: ${e}` : `${h.spec}: ${e}`;
          const others = exprs.filter((o, j) => j !== i && typeof o === 'string');
          streams.push({
            term: i,
            fields: h.fields,
            bound: 1,
            match: [own, ...others].join(' AND '),
            after: lo - 1n,
            batch: 32,
          });
        }
      });
    }
    const found: RankedRow<number>[] = [];
    const seen = new Set<number>();
    const read = (s: IndexStream, batch: number) => {
      const keys = this.#statement(
        `SELECT rowid >> 32 AS k, rowid & 4294967295 AS id FROM search_text
         WHERE search_text MATCH @match AND rowid > @after AND rowid < @hi
         ORDER BY rowid LIMIT @batch`,
      ).all({ match: s.match, after: s.after, hi, batch }) as { k: number; id: number }[];
      const last = keys[keys.length - 1];
      if (keys.length < batch || !last) s.bound = Number.NEGATIVE_INFINITY;
      else {
        s.after = (BigInt(last.k) << 32n) | BigInt(last.id);
        s.bound = (256 - (last.k & 255)) / 256;
      }
      const fresh: number[] = [];
      for (const { id } of keys) {
        if (!seen.has(id)) {
          seen.add(id);
          fresh.push(id);
        }
      }
      if (fresh.length > 0) found.push(...scoreRows(fresh));
    };
    if (limit < 0) {
      read(all, Number.MAX_SAFE_INTEGER);
      return found.sort(compareRanked).map((r) => r.id);
    }
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
      const s = nextStream(streams, bound);
      if (!s) break;
      if (process.env.ATTUNE_DEBUG_SEARCH) {
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
      s.batch = Math.min(s.batch * 2, 4096);
    }
    return found
      .sort(compareRanked)
      .slice(0, limit)
      .map((r) => r.id);
  }

  /**
   * The FTS5 expression for a term: a quoted phrase for three or more characters, else the
   * indexed trigrams that contain it: null when there is none (nothing matches), undefined
   * when there are too many to ask for (the term is then checked on the rows only).
   */
  #termExpression(term: string): string | null | undefined {
    const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
    const chars = Array.from(wellFormed(term));
    if (chars.length >= 3) return quote(term);
    const rows =
      chars.length === 2
        ? (this.#statement(
            `SELECT trigram FROM search_trigrams WHERE head = @t
             UNION SELECT trigram FROM search_trigrams WHERE tail = @t LIMIT @cap`,
          )
            .pluck()
            .all({ t: term, cap: MAX_EXPANSION + 1 }) as string[])
        : (this.#statement(
            'SELECT trigram FROM search_trigrams WHERE instr(trigram, @t) > 0 LIMIT @cap',
          )
            .pluck()
            .all({ t: term, cap: MAX_EXPANSION + 1 }) as string[]);
    if (rows.length > MAX_EXPANSION) return undefined;
    if (rows.length === 0) return null;
    return `(${rows.map(quote).join(' OR ')})`;
  }

  /**
   * Ranks the user's rows read in confidence order, for queries whose terms the index cannot
   * serve: stops once the `limit`th best beats every term in every field plus the
   * confidence of the next row.
   */
  #scanRanked(
    columns: string,
    params: Record<string, unknown>,
    rank: (rows: ScoredRow[]) => RankedRow<number>[],
    termCount: number,
    limit: number,
  ): number[] {
    const statement = this.#statement(
      `SELECT ${columns} FROM patterns p WHERE p.user_id = @user
       ORDER BY p.confidence DESC, p.extracted_at DESC, p.pattern_id`,
    );
    const found: RankedRow<number>[] = [];
    const most = 9 * termCount;
    for (const row of statement.iterate(params) as IterableIterator<ScoredRow>) {
      if (limit > 0 && found.length >= limit) {
        const kth = found[limit - 1];
        if (kth && kth.score > most + row.confidence) break;
      }
      const [r] = rank([row]);
      if (!r) continue;
      found.push(r);
      if (limit > 0 && found.length > limit) {
        found.sort(compareRanked);
        found.length = limit;
      }
    }
    found.sort(compareRanked);
    return (limit > 0 ? found.slice(0, limit) : found).map((r) => r.id);
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
    const row = this.#db
      .prepare('SELECT patterns FROM pattern_counts WHERE user_id = ?')
      .get(user) as { patterns: number } | undefined;
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
      for (const index of ['patterns_search', 'patterns_head', 'search_text']) {
        try {
          this.#db.exec(`INSERT INTO ${index} (${index}) VALUES ('integrity-check')`);
        } catch (error) {
          problems.push({
            where: `${this.location} (search index ${index})`,
            problem: error instanceof Error ? error.message : String(error),
            fix: `Rebuild the index: sqlite3 '${this.location}' "INSERT INTO ${index} (${index}) VALUES ('rebuild')"`,
          });
        }
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
              fix: `Delete the row (attune forget) or fix its JSON in the data column of ${table}.`,
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
