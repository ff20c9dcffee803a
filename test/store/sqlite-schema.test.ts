/**
 * SQLite schema upgrades and the bookkeeping its triggers do: a version-1 database (FTS5
 * table with its own content, count(*) per save) opens at the latest version (4: one gram
 * index in place of three trigram indexes) with every pattern still found, and the per-user
 * count and the gram index stay exact through saves, updates, evictions, deletes and
 * clears. The gram tokens of a pattern, and limited searches of every kind of term (one
 * character, two, long ones found through their rarest trigrams, several), return exactly
 * the best matches in the full order.
 * @module
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExtractedPattern } from '../../src/model/pattern.js';
import {
  comparePatterns,
  matchesQuery,
  scoreMatch,
  searchTerms,
} from '../../src/store/pattern-store.js';
import { toPatternRow } from '../../src/store/sql-common.js';
import { createSqliteStore, gramTokens } from '../../src/store/sqlite-store.js';
import { seededRandom } from '../helpers/random.js';
import { pattern } from './contract.js';

/** The version-1 schema, as the first release created it. */
const V1_SCHEMA = `
  CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
  INSERT INTO schema_migrations VALUES (1, '2025-01-01T00:00:00.000Z');
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
  CREATE INDEX patterns_best ON patterns (user_id, confidence DESC, extracted_at DESC, pattern_id);
  CREATE VIRTUAL TABLE patterns_search USING fts5(
    trigger, context, resolution, tags, tokenize = 'trigram case_sensitive 1'
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
`;

const corpus = [
  pattern('esm', {
    trigger: 'TypeScript cannot find module in ESM build',
    resolution: 'Add the .js extension to relative imports',
    tags: ['TypeScript', 'esm'],
    confidence: 0.7,
  }),
  pattern('pnpm', {
    trigger: 'User prefers pnpm',
    context: 'said so after npm install failed',
    resolution: 'Use pnpm, never npm or yarn',
    tags: ['package-manager'],
    confidence: 0.9,
  }),
  pattern('docker', {
    trigger: 'Docker build fails on Apple Silicon',
    context: 'Module platform mismatch',
    resolution: 'Pass --platform linux/amd64',
    tags: ['docker'],
    confidence: 0.6,
  }),
];

/**
 * Writes `patterns` of `user` as version 1 did (row, then the FTS row under its rowid),
 * creating the version-1 schema first unless the file has it.
 */
function writeV1(path: string, user: string, patterns: typeof corpus, create = true): void {
  const db = new BetterSqlite3(path);
  if (create) db.exec(V1_SCHEMA);
  const insert = db.prepare(
    `INSERT INTO patterns (user_id, pattern_id, category, confidence, extracted_at, project, tags, data)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const index = db.prepare(
    'INSERT INTO patterns_search (rowid, trigger, context, resolution, tags) VALUES (?, ?, ?, ?, ?)',
  );
  for (const p of patterns) {
    const r = toPatternRow(p);
    const { lastInsertRowid } = insert.run(
      user,
      r.patternId,
      r.category,
      r.confidence,
      r.extractedMs,
      r.project,
      JSON.stringify(r.tags),
      r.data,
    );
    index.run(lastInsertRowid, r.sTrigger, r.sContext, r.sResolution, r.sTags);
  }
  db.close();
}

/** The counts and index contents straight from the file, bypassing the store. */
function inspect(path: string): {
  counts: Record<string, number>;
  actual: Record<string, number>;
  indexOk: boolean;
} {
  const db = new BetterSqlite3(path);
  try {
    const counts = Object.fromEntries(
      (
        db.prepare('SELECT user_id, patterns FROM pattern_counts').all() as {
          user_id: string;
          patterns: number;
        }[]
      ).map((r) => [r.user_id, r.patterns]),
    );
    const actual = Object.fromEntries(
      (
        db.prepare('SELECT user_id, count(*) AS n FROM patterns GROUP BY user_id').all() as {
          user_id: string;
          n: number;
        }[]
      ).map((r) => [r.user_id, r.n]),
    );
    let indexOk = true;
    try {
      db.exec("INSERT INTO search_grams (search_grams) VALUES ('integrity-check')");
    } catch {
      indexOk = false;
    }
    return { counts, actual, indexOk };
  } finally {
    db.close();
  }
}

describe('sqlite schema', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attune-sqlite-schema-'));
    path = join(dir, 'attune.db');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('upgrades a version-1 database: every pattern is still found, counted and checked clean', async () => {
    writeV1(path, 'alice', corpus);
    writeV1(path, 'bob', [pattern('bob-only', { trigger: 'docker compose for bob' })], false);
    const store = await createSqliteStore({ path });
    try {
      for (const query of ['silicon', 'TYPESCRIPT', 'docker', 'npm', '.j', 'module']) {
        const expected = corpus
          .filter((p) => matchesQuery(p, searchTerms(query)))
          .map((p) => p.patternId);
        const found = (await store.searchPatterns('alice', query)).map((p) => p.patternId);
        expect(found.sort()).toEqual(expected.sort());
      }
      expect(await store.countPatterns('alice')).toBe(3);
      expect(await store.countPatterns('bob')).toBe(1);
      expect(await store.check()).toEqual([]);
      const result = await store.savePatterns('alice', [pattern('new', { confidence: 0.95 })], {
        maxPatterns: 3,
      });
      expect(result.evicted).toEqual(['docker']);
      expect(await store.searchPatterns('alice', 'silicon')).toEqual([]);
    } finally {
      await store.close();
    }
    const after = inspect(path);
    expect(after.counts).toEqual(after.actual);
    expect(after.indexOk).toBe(true);
    const db = new BetterSqlite3(path);
    try {
      const version = db.prepare('SELECT max(version) AS v FROM schema_migrations').get();
      expect(version).toEqual({ v: 4 });
      const tables = db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE '%search%'")
        .pluck()
        .all();
      expect(tables).toContain('search_grams');
      for (const gone of ['patterns_search', 'patterns_head', 'search_text', 'search_trigrams']) {
        expect(tables).not.toContain(gone);
      }
    } finally {
      db.close();
    }
  });

  it('upgrades a version-3 database written by that release: search, counts and writes work, and only the gram index is left', async () => {
    const fixture = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/sqlite-v3.db');
    await copyFile(fixture, path);
    const store = await createSqliteStore({ path });
    try {
      const cases: { user: string; query: string; expected: string[] }[] = [
        { user: 'alice', query: 'docker', expected: ['docker'] },
        { user: 'alice', query: 'npm', expected: ['pnpm'] },
        { user: 'alice', query: 'ci', expected: ['ci'] }, // "silicon" holds "ic", not "ci"
        { user: 'alice', query: 'MODULE', expected: ['esm', 'docker'] },
        { user: 'alice', query: 'vitest ci', expected: ['ci'] },
        { user: 'alice', query: 'j', expected: ['ci', 'esm'] },
        { user: 'bob', query: 'docker', expected: ['bob-only'] },
        { user: 'bob', query: 'pnpm', expected: [] },
      ];
      for (const { user, query, expected } of cases) {
        for (const options of [{}, { limit: 1 }]) {
          const found = (await store.searchPatterns(user, query, options)).map((p) => p.patternId);
          const want = 'limit' in options ? expected.slice(0, 1) : expected;
          expect(found, `${user} ${query} ${JSON.stringify(options)}`).toEqual(want);
        }
      }
      expect(await store.countPatterns('alice')).toBe(4);
      expect(await store.check()).toEqual([]);
      await store.savePatterns('alice', [pattern('new', { trigger: 'Kafka consumer lag' })], {
        maxPatterns: 10,
      });
      expect((await store.searchPatterns('alice', 'kafka')).map((p) => p.patternId)).toEqual([
        'new',
      ]);
    } finally {
      await store.close();
    }
    const db = new BetterSqlite3(path);
    try {
      expect(db.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: 4 });
      const tables = db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
        .pluck()
        .all();
      for (const gone of ['patterns_search', 'patterns_head', 'search_text', 'search_trigrams']) {
        expect(tables).not.toContain(gone);
      }
    } finally {
      db.close();
    }
  });

  it('rebuilds an emptied gram index from the patterns table, after which every pattern is found again', async () => {
    const store = await createSqliteStore({ path });
    try {
      await store.savePatterns('alice', corpus, { maxPatterns: 10 });
      await store.savePatterns('bob', corpus.slice(0, 1), { maxPatterns: 10 });
      const raw = new BetterSqlite3(path);
      raw.exec("INSERT INTO search_grams (search_grams) VALUES ('delete-all')");
      raw.close();
      expect(await store.searchPatterns('alice', 'docker')).toEqual([]);
      await store.rebuildSearchIndex();
      expect((await store.searchPatterns('alice', 'docker')).map((p) => p.patternId)).toEqual([
        'docker',
      ]);
      expect((await store.searchPatterns('bob', 'esm')).map((p) => p.patternId)).toEqual(['esm']);
      expect(await store.check()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('refuses to write a pattern from a connection that lacks the gram function, instead of leaving the index stale', async () => {
    const store = await createSqliteStore({ path });
    await store.savePatterns('alice', corpus, { maxPatterns: 10 });
    await store.close();
    const db = new BetterSqlite3(path);
    try {
      expect(() =>
        db.prepare("UPDATE patterns SET s_trigger = 'changed' WHERE pattern_id = 'pnpm'").run(),
      ).toThrow(/attune_search_grams/);
      // Rows can still be deleted by hand: the index entry goes with them.
      db.prepare("DELETE FROM patterns WHERE pattern_id = 'pnpm'").run();
    } finally {
      db.close();
    }
    const reopened = await createSqliteStore({ path });
    try {
      expect(await reopened.searchPatterns('alice', 'pnpm')).toEqual([]);
      expect(await reopened.check()).toEqual([]);
    } finally {
      await reopened.close();
    }
  });

  it('keeps the per-user count and the search index exact through every kind of write', async () => {
    const store = await createSqliteStore({ path });
    try {
      await store.savePatterns('alice', corpus, { maxPatterns: 10 });
      await store.savePatterns('bob', corpus, { maxPatterns: 10 });
      // An update in place changes the indexed text: the old words must stop matching.
      await store.savePatterns(
        'alice',
        [pattern('docker', { trigger: 'Podman rootless networking', confidence: 0.6 })],
        { maxPatterns: 10 },
      );
      expect(await store.searchPatterns('alice', 'silicon')).toEqual([]);
      expect((await store.searchPatterns('alice', 'podman')).map((p) => p.patternId)).toEqual([
        'docker',
      ]);
      const many = Array.from({ length: 12 }, (_, i) => pattern(`extra${i}`, { confidence: 0.1 }));
      const { evicted } = await store.savePatterns('alice', many, { maxPatterns: 5 });
      expect(evicted).toHaveLength(10);
      expect(await store.countPatterns('alice')).toBe(5);
      expect(await store.deletePattern('bob', 'pnpm')).toBe(true);
      expect(await store.countPatterns('bob')).toBe(2);
      expect(await store.clearUser('bob')).toEqual({ patterns: 2, skills: 0 });
      expect(await store.countPatterns('bob')).toBe(0);
      expect(await store.searchPatterns('bob', 'docker')).toEqual([]);
      expect(await store.check()).toEqual([]);
    } finally {
      await store.close();
    }
    const after = inspect(path);
    expect(after.counts.alice).toBe(5);
    expect(after.counts.bob ?? 0).toBe(0);
    expect(after.actual.alice).toBe(5);
    expect(after.indexOk).toBe(true);
  });
});

/**
 * 3000 patterns in which each of a few terms lands in each field with its own odds, so
 * that every field combination and every tie of score plus confidence occurs, with more
 * matches than a limited search ranks in one pass.
 */
function rankingCorpus(): ExtractedPattern[] {
  const r = seededRandom(7);
  // Odds of each term in trigger, tags, resolution and context.
  const odds: { term: string; in: [number, number, number, number] }[] = [
    { term: 'docker', in: [0.3, 0.3, 0.5, 0.5] }, // many in trigger and tags: the first tier
    { term: 'kafka', in: [0.25, 0.05, 0.1, 0.6] }, // few in trigger and tags: the second tier
    { term: 'nginx', in: [0.02, 0.02, 0.05, 0.9] }, // mostly in the context: the full ranking
  ];
  const confidences = [0, 0.5, 0.99, 1];
  return Array.from({ length: 3000 }, (_, i) => {
    const field = (k: 0 | 1 | 2 | 3) =>
      odds
        .filter((o) => r() < o.in[k])
        .map((o) => (r() < 0.5 ? o.term : `X${o.term.toUpperCase()}y`))
        .join(' ');
    const tags = odds.filter((o) => r() < o.in[1]).map((o) => o.term);
    return pattern(`r${String(i).padStart(5, '0')}`, {
      trigger: `when ${field(0)} breaks`,
      tags: [...tags, 'misc'],
      resolution: `fix ${field(2)}`,
      context: `seen ${field(3)}`,
      confidence: r() < 0.5 ? (confidences[Math.floor(r() * 4)] ?? 0) : Math.round(r() * 100) / 100,
      at: Math.floor(r() * 50),
    });
  });
}

describe('gramTokens', () => {
  const cases: { name: string; fields: string[]; has: string[]; lacks: string[] }[] = [
    {
      name: 'writes each 1-, 2- and 3-character substring as field letter plus UTF-8 hex',
      fields: ['tsc', '', '', ''],
      has: ['t74', 't73', 't63', 't7473', 't7363', 't747363'],
      lacks: ['g74', 'r74', 'c74'],
    },
    {
      name: 'keeps fields apart: trigger t, tags g, resolution r, context c',
      fields: ['a', 'b', 'c', 'd'],
      has: ['t61', 'g62', 'r63', 'c64'],
      lacks: ['t62', 'g61'],
    },
    {
      name: 'never spans whitespace, which no query term can hold',
      fields: ['ab cd\tef', '', '', ''],
      has: ['t6162', 't6364', 't6566'],
      lacks: ['t6220', 't2063', 't6263'],
    },
    {
      name: 'counts by code point, so a character outside the BMP is one character',
      fields: ['a😀b', '', '', ''],
      has: ['t61f09f9880', 't61f09f988062', 'tf09f9880'],
      lacks: [],
    },
    {
      name: 'turns a lone surrogate into U+FFFD, as SQLite stores it',
      fields: ['a\uD800', '', '', ''],
      has: ['t61efbfbd'],
      lacks: [],
    },
  ];
  it.each(cases)('$name', ({ fields, has, lacks }) => {
    const tokens = new Set(gramTokens(fields).split(' '));
    for (const t of has) expect(tokens, t).toContain(t);
    for (const t of lacks) expect(tokens, t).not.toContain(t);
  });
});

describe('sqlite ranked search', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attune-sqlite-rank-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('drops a row whose field holds every trigram of a long term but not the term', async () => {
    const store = await createSqliteStore({ path: join(dir, 'attune.db') });
    try {
      await store.savePatterns(
        'alice',
        [
          // "abcdefgh": abc bcd cde def efg fgh, all present, never in one run.
          pattern('scattered', { context: 'abcd bcdef defgh', confidence: 0.9 }),
          pattern('whole', { context: 'xxabcdefghxx', confidence: 0.1 }),
        ],
        { maxPatterns: 10 },
      );
      for (const limit of [undefined, 1, 20]) {
        const found = await store.searchPatterns('alice', 'abcdefgh', limit ? { limit } : {});
        expect(found.map((p) => p.patternId)).toEqual(['whole']);
      }
    } finally {
      await store.close();
    }
  });

  it('returns, for every limit, the best matches in the order of the full ranking', async () => {
    const all = rankingCorpus();
    const store = await createSqliteStore({ path: join(dir, 'attune.db') });
    try {
      await store.savePatterns('alice', all, { maxPatterns: 10_000 });
      const queries = [
        'docker',
        'kafka',
        'nginx',
        'KAFKA',
        'docker nginx',
        'ka',
        'misc',
        'k', // one character: its own token
        'xkafkay', // more trigrams than a search asks for: the rarest are probed
        'xnginxy docker',
        'ng ka', // two short terms
        'en when', // a short term with a long one
        '"kafka', // FTS syntax is taken literally
        'zzzz', // a trigram no row holds
      ];
      for (const query of queries) {
        const terms = searchTerms(query);
        const expected = all
          .filter((p) => matchesQuery(p, terms))
          .map((p) => ({ p, score: scoreMatch(p, terms) }))
          .sort((a, b) => b.score - a.score || comparePatterns(a.p, b.p))
          .map((x) => x.p.patternId);
        for (const limit of [1, 5, 20, 100]) {
          const found = await store.searchPatterns('alice', query, { limit });
          expect(
            found.map((p) => p.patternId),
            `${query} limit ${limit}`,
          ).toEqual(expected.slice(0, limit));
        }
      }
    } finally {
      await store.close();
    }
  });
});
