/**
 * The postgres store's tiered search: with a limit, one or two terms are answered from the
 * rows holding them in trigger, tags and resolution when those provably hold the best
 * matches, and long terms ask the trigram indexes for a few of their trigrams. These tests
 * build corpora where the tiers do and do not decide, and check every answer, with and
 * without tiers, against a plain ranking of all patterns.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPattern, type ExtractedPattern } from '../../src/model/pattern.js';
import {
  createPostgresStore,
  indexPattern,
  type PostgresStore,
} from '../../src/store/postgres-store.js';
import { finishSearch, sqlSearchTerms } from '../../src/store/sql-common.js';
import { type PostgresServer, postgresSkipReason, startPostgres } from '../helpers/postgres.js';
import { seededRandom } from '../helpers/random.js';

const skip = postgresSkipReason();
const USER = 'tiers';

const WORDS = ['npm', 'docker', 'vitest', 'ci', 'vm', 'tsc', 'cache', 'lockfile', 'ts', 'x'];

function corpus(size: number, seed: number): ExtractedPattern[] {
  const r = seededRandom(seed);
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

/** Whether a LIKE pattern of plain pieces between `%` matches `text`. */
function likeMatches(pattern: string, text: string): boolean {
  let at = 0;
  for (const piece of pattern.split('%').filter(Boolean)) {
    const found = text.indexOf(piece, at);
    if (found < 0) return false;
    at = found + piece.length;
  }
  return true;
}

describe('indexPattern', () => {
  it.each([
    ['test', undefined],
    ['vitest', undefined],
    ['typescript', '%typ%esc%rip%'],
    ['src/config/stream.ts', '%src%con%fig%str%eam%'],
    ['deletesocketprofile', '%del%ete%soc%ket%pro%fil%'],
    ['err_module_not_found', '%err%mod%ule%not%fou%'],
    ['c++', undefined],
    ['a.b/c_d%e', undefined],
    ['über-große', undefined],
  ])('asks the index for few trigrams of %j: %j', (term, pattern) => {
    expect(indexPattern(term)).toBe(pattern);
  });

  it('gives a pattern every text holding the term matches, of at most 6 plain trigrams', () => {
    const r = seededRandom(7);
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789/._-%\\ é';
    for (let n = 0; n < 500; n++) {
      const term = Array.from(
        { length: 3 + Math.floor(r() * 30) },
        () => alphabet[Math.floor(r() * alphabet.length)],
      ).join('');
      const pattern = indexPattern(term);
      if (pattern === undefined) continue;
      const pieces = pattern.split('%').filter(Boolean);
      expect(pieces.length).toBeLessThanOrEqual(6);
      for (const piece of pieces) expect(piece).toMatch(/^[a-z0-9]{3}$/);
      expect(likeMatches(pattern, `x ${term} y`), term).toBe(true);
    }
  });
});

describe.skipIf(skip !== undefined)('postgres tiered search', () => {
  let server: PostgresServer;
  let store: PostgresStore;
  let tiered: PostgresStore;
  beforeAll(async () => {
    server = await startPostgres();
    const url = await server.createDatabase();
    store = await createPostgresStore({ connectionString: url });
    // The same data, always through the tiers (small corpora would skip them).
    tiered = await createPostgresStore({ connectionString: url, tieredSearchFrom: 0 });
  });
  afterAll(async () => {
    await store?.close();
    await tiered?.close();
    server?.stop();
  });

  const QUERIES = [
    ...WORDS,
    'npm docker',
    'vm ci',
    'ts npm',
    'ci vm',
    'cache lockfile',
    'npm x',
    'docker ts vm',
    'zzz',
    'Ts',
    'zzz npm',
  ];

  it.each([
    ['many strong matches, so the first tier decides', 600, 1],
    ['few strong matches, so later tiers or the full query decide', 40, 2],
    ['a mix of both', 3000, 4],
  ])('gives the same answers as a full ranking with %s', async (_what, size, seed) => {
    await store.clearUser(USER);
    const all = corpus(size, seed);
    await store.savePatterns(USER, all, { maxPatterns: Number.POSITIVE_INFINITY });
    for (const query of QUERIES) {
      for (const limit of [1, 5, 20, undefined]) {
        const want = expected(all, query, limit);
        for (const s of [store, tiered]) {
          const found = await s.searchPatterns(USER, query, limit === undefined ? {} : { limit });
          expect(
            found.map((p) => p.patternId),
            `${query} limit ${limit}`,
          ).toEqual(want);
        }
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
    await tiered.savePatterns(USER, moved, { maxPatterns: Number.POSITIVE_INFINITY });
    const now = [...moved, ...all.slice(100)];
    for (const query of ['npm', 'vm', 'ci', 'docker', 'npm ci', 'cache docker']) {
      for (const s of [store, tiered]) {
        const found = await s.searchPatterns(USER, query, { limit: 10 });
        expect(found.map((p) => p.patternId)).toEqual(expected(now, query, 10));
      }
    }
  });
});
