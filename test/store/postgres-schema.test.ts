/**
 * Upgrades and upkeep of the postgres store's schema: a database left at version 4 by an
 * older attune (search columns, tsvector and trigram indexes on `attune_patterns`) opens at
 * the latest version with every pattern, count, search answer and cascade intact; tables
 * filled in bulk are analyzed before they are searched.
 * @module
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPattern, type ExtractedPattern } from '../../src/model/pattern.js';
import {
  createPostgresStore,
  headGrams,
  POSTGRES_MIGRATIONS,
} from '../../src/store/postgres-store.js';
import { finishSearch, sqlSearchTerms, toPatternRow } from '../../src/store/sql-common.js';
import { type PostgresServer, postgresSkipReason, startPostgres } from '../helpers/postgres.js';

const skip = postgresSkipReason();
const USERS = ['alice', "o'brien"];

function patterns(user: string, n: number): ExtractedPattern[] {
  const words = ['npm', 'docker', 'vitest', 'ci', 'ts', 'cache', 'lockfile', 'src/app/main.ts'];
  return Array.from({ length: n }, (_, i) =>
    createPattern({
      patternId: `${user}-${i}`,
      category: 'workaround',
      trigger: `When ${words[i % words.length]} fails in ${words[(i * 3) % words.length]}`,
      context: `context ${words[(i * 5) % words.length]} ${i}`,
      resolution: `Use ${words[(i * 7) % words.length]} --flag`,
      confidence: (i % 10) / 10,
      tags: i % 3 ? [words[(i + 1) % words.length] ?? 'npm'] : [],
      extractedAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000),
      sourceSession: 's',
      metadata: i % 2 ? { project: '/repo' } : {},
    }),
  );
}

/** Builds schema version 4 and fills it with rows as attune at version 4 wrote them. */
async function makeVersion4(url: string, data: Map<string, ExtractedPattern[]>): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query(
      'CREATE TABLE attune_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    for (const m of POSTGRES_MIGRATIONS.filter((m) => m.version <= 4)) {
      await m.run(c);
      await c.query('INSERT INTO attune_schema_migrations (version) VALUES ($1)', [m.version]);
    }
    for (const [user, ps] of data) {
      for (const p of ps) {
        const r = toPatternRow(p);
        await c.query(
          `INSERT INTO attune_patterns (user_id, pattern_id, category, confidence, extracted_ms,
             project, tags, s_trigger, s_context, s_resolution, s_tags, data, s_head_grams)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13)`,
          [
            user,
            r.patternId,
            r.category,
            r.confidence,
            r.extractedMs,
            r.project,
            JSON.stringify(r.tags),
            r.sTrigger,
            r.sContext,
            r.sResolution,
            r.sTags,
            r.data,
            headGrams(r),
          ],
        );
      }
      await c.query('INSERT INTO attune_pattern_counts (user_id, patterns) VALUES ($1, $2)', [
        user,
        ps.length,
      ]);
    }
    await c.query('COMMIT');
  } finally {
    c.release();
    await pool.end();
  }
}

describe.skipIf(skip !== undefined)('postgres schema upgrades', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.stop());

  it('analyzes the pattern tables before searching them after a bulk load', async () => {
    const url = await server.createDatabase();
    const store = await createPostgresStore({ connectionString: url });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      // Autovacuum must not analyze them first.
      for (const table of ['attune_patterns', 'attune_pattern_search']) {
        await c.query(`ALTER TABLE ${table} SET (autovacuum_enabled = off)`);
      }
      await store.savePatterns('alice', patterns('alice', 3000), { maxPatterns: 10_000 });
      // Statistics counters reach pg_stat_user_tables within a second or so of the commit.
      const changed = async () =>
        Number(
          (
            await c.query<{ n: string }>(
              "SELECT n_mod_since_analyze AS n FROM pg_stat_user_tables WHERE relname = 'attune_pattern_search'",
            )
          ).rows[0]?.n ?? 0,
        );
      for (let i = 0; i < 100 && (await changed()) < 3000; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const analyzed = async () =>
        (
          await c.query<{ relname: string }>(
            "SELECT relname FROM pg_stat_user_tables WHERE relname IN ('attune_patterns', 'attune_pattern_search') AND last_analyze IS NOT NULL ORDER BY relname",
          )
        ).rows.map((r) => r.relname);
      expect(await analyzed()).toEqual([]);
      expect(await store.searchPatterns('alice', 'npm', { limit: 5 })).toHaveLength(5);
      expect(await analyzed()).toEqual(['attune_pattern_search', 'attune_patterns']);
    } finally {
      await c.end();
      await store.close();
    }
  });

  it('opens a version 4 database at the latest version with every pattern and answer intact', async () => {
    const url = await server.createDatabase();
    const data = new Map(USERS.map((u, k) => [u, patterns(u, 150 + k * 50)]));
    await makeVersion4(url, data);
    const store = await createPostgresStore({ connectionString: url, tieredSearchFrom: 0 });
    try {
      for (const [user, ps] of data) {
        expect(await store.countPatterns(user)).toBe(ps.length);
        expect(await store.getPattern(user, `${user}-7`)).toEqual(ps[7]);
        for (const query of ['npm', 'ci', 'ts', 'docker ci', 'src/app/main.ts', 'context 1']) {
          for (const limit of [5, undefined]) {
            const { sql, rest } = sqlSearchTerms(query);
            const terms = [...sql, ...rest];
            const found = await store.searchPatterns(user, query, limit ? { limit } : {});
            expect(
              found.map((p) => p.patternId),
              `${user} ${query} ${limit}`,
            ).toEqual(finishSearch(ps, terms, terms, limit).map((p) => p.patternId));
          }
        }
      }
      // Deletes and evictions reach the search table too.
      expect(await store.deletePattern('alice', 'alice-0')).toBe(true);
      const saved = await store.savePatterns('alice', patterns('alice', 1), { maxPatterns: 100 });
      expect(saved.evicted.length).toBe(50);
      expect(await store.countPatterns('alice')).toBe(100);
      expect(await store.searchPatterns('alice', 'alice-0')).toEqual([]);
    } finally {
      await store.close();
    }
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const version = await c.query<{ v: number }>(
        'SELECT max(version) AS v FROM attune_schema_migrations',
      );
      expect(version.rows[0]?.v).toBe(POSTGRES_MIGRATIONS.at(-1)?.version);
      const orphans = await c.query<{ n: string }>(
        `SELECT count(*) AS n FROM attune_pattern_search s WHERE NOT EXISTS (
           SELECT 1 FROM attune_patterns p
           WHERE p.user_id = s.user_id AND p.pattern_id = s.pattern_id)`,
      );
      expect(orphans.rows[0]?.n).toBe('0');
      const rows = await c.query<{ n: string }>(
        "SELECT count(*) AS n FROM attune_pattern_search WHERE user_id = 'alice'",
      );
      expect(rows.rows[0]?.n).toBe('100');
      const columns = await c.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'attune_patterns'",
      );
      expect(columns.rows.map((r) => r.column_name)).not.toContain('search');
    } finally {
      await c.end();
    }
  });
});
