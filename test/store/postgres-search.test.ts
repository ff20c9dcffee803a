/**
 * The postgres store's tiered search: with a limit, a single term is answered from the rows
 * holding it in trigger, tags and resolution when they provably hold the best matches. These
 * tests build corpora where the tiers do and do not decide, and check every answer against a
 * plain ranking of all patterns.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPattern, type ExtractedPattern } from '../../src/model/pattern.js';
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres-store.js';
import { finishSearch, sqlSearchTerms } from '../../src/store/sql-common.js';
import { type PostgresServer, postgresSkipReason, startPostgres } from '../helpers/postgres.js';

const skip = postgresSkipReason();
const USER = 'tiers';

/** A seeded generator so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const WORDS = ['npm', 'docker', 'vitest', 'ci', 'vm', 'tsc', 'cache', 'lockfile', 'ts', 'x'];

function corpus(size: number, seed: number): ExtractedPattern[] {
  const r = rng(seed);
  const words = (n: number) =>
    Array.from({ length: n }, () => WORDS[Math.floor(r() * r() * WORDS.length)] ?? 'npm').join(' ');
  return Array.from({ length: size }, (_, i) =>
    createPattern({
      patternId: `p${i}`,
      category: 'workaround',
      trigger: `When ${words(1 + Math.floor(r() * 3))}`,
      context: words(Math.floor(r() * 6)),
      resolution: `Use ${words(Math.floor(r() * 3))}`,
      // Few distinct confidences and times make ties that the id must break.
      confidence: Math.floor(r() * 5) / 4,
      tags: r() < 0.5 ? [words(1)] : [],
      extractedAt: new Date(Date.UTC(2025, 0, 1) + Math.floor(r() * 3) * 60_000),
      sourceSession: 's',
    }),
  );
}

/** The ranking every store must give: all patterns filtered and ranked in memory. */
function expected(all: readonly ExtractedPattern[], query: string, limit?: number): string[] {
  const { sql, rest } = sqlSearchTerms(query);
  const terms = [...sql, ...rest];
  return finishSearch(all, terms, terms, limit).map((p) => p.patternId);
}

describe.skipIf(skip !== undefined)('postgres tiered search', () => {
  let server: PostgresServer;
  let store: PostgresStore;
  beforeAll(async () => {
    server = await startPostgres();
    store = await createPostgresStore({ connectionString: await server.createDatabase() });
  });
  afterAll(async () => {
    await store?.close();
    server?.stop();
  });

  it.each([
    ['many strong matches, so the first tier decides', 600, 1],
    ['few strong matches, so later tiers or the full query decide', 40, 2],
  ])('gives the same answers as a full ranking with %s', async (_what, size, seed) => {
    await store.clearUser(USER);
    const all = corpus(size, seed);
    await store.savePatterns(USER, all, { maxPatterns: Number.POSITIVE_INFINITY });
    for (const query of [...WORDS, 'npm docker', 'vm ci', 'ts npm', 'zzz', 'Ts']) {
      for (const limit of [1, 5, 20, undefined]) {
        const found = await store.searchPatterns(USER, query, limit === undefined ? {} : { limit });
        expect(
          found.map((p) => p.patternId),
          `${query} limit ${limit}`,
        ).toEqual(expected(all, query, limit));
      }
    }
  });

  it('keeps the tiers right after updates move a term between fields', async () => {
    await store.clearUser(USER);
    const all = corpus(300, 3);
    await store.savePatterns(USER, all, { maxPatterns: Number.POSITIVE_INFINITY });
    const moved = all.slice(0, 100).map((p) => ({
      ...p,
      trigger: p.context,
      context: p.trigger,
      tags: [],
    }));
    await store.savePatterns(USER, moved, { maxPatterns: Number.POSITIVE_INFINITY });
    const now = [...moved, ...all.slice(100)];
    for (const query of ['npm', 'vm', 'ci', 'docker']) {
      const found = await store.searchPatterns(USER, query, { limit: 10 });
      expect(found.map((p) => p.patternId)).toEqual(expected(now, query, 10));
    }
  });
});
