/**
 * SQLite schema upgrades and the bookkeeping its triggers do: a version-1 database (FTS5
 * table with its own content, count(*) per save) opens as version 2 with every pattern
 * still found, and the per-user count and the external-content index stay exact through
 * saves, updates, evictions, deletes and clears.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { matchesQuery, searchTerms } from '../../src/store/pattern-store.js';
import { toPatternRow } from '../../src/store/sql-common.js';
import { createSqliteStore } from '../../src/store/sqlite-store.js';
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
      db.exec("INSERT INTO patterns_search (patterns_search) VALUES ('integrity-check')");
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
