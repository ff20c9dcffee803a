/**
 * The PatternStore contract: one suite every store's test file runs unchanged.
 * @module
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AttuneError, ErrorCode } from '../../src/errors.js';
import type { PatternCategory } from '../../src/model/category.js';
import { createPattern, type ExtractedPattern, MAX_FIELD_LENGTH } from '../../src/model/pattern.js';
import { createSkill } from '../../src/model/skill.js';
import {
  type ListPatternsOptions,
  matchesListOptions,
  matchesQuery,
  type PatternStore,
  searchTerms,
} from '../../src/store/pattern-store.js';

/** A fresh, empty store and how to dispose of it. */
export interface StoreHandle {
  store: PatternStore;
  cleanup(): Promise<void>;
}

const USER = 'alice';
const KEEP_ALL = { maxPatterns: 1_000_000 };
const T0 = Date.parse('2025-01-01T00:00:00.000Z');

/** A pattern with sensible defaults; `at` is minutes after a fixed instant. */
export function pattern(
  id: string,
  fields: {
    confidence?: number;
    at?: number;
    trigger?: string;
    context?: string;
    resolution?: string;
    tags?: string[];
    category?: PatternCategory;
    metadata?: Record<string, unknown>;
    sourceSession?: string;
  } = {},
): ExtractedPattern {
  return createPattern({
    patternId: id,
    category: fields.category ?? 'error_resolution',
    trigger: fields.trigger ?? `trigger of ${id}`,
    context: fields.context ?? '',
    resolution: fields.resolution ?? `resolution of ${id}`,
    confidence: fields.confidence ?? 0.5,
    tags: fields.tags ?? [],
    extractedAt: new Date(T0 + (fields.at ?? 0) * 60_000),
    sourceSession: fields.sourceSession ?? 'session-1',
    metadata: fields.metadata ?? {},
  });
}

const ids = (ps: readonly ExtractedPattern[]) => ps.map((p) => p.patternId);

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<AttuneError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AttuneError);
  expect((error as AttuneError).code).toBe(code);
  return error as AttuneError;
}

/** Text of `n` characters from a seeded generator, mixing ASCII, accents, CJK and emoji. */
export function longText(n: number, seed: number): string {
  const alphabet = [
    ...'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789 .,;:\'"%_*-()[]{}<>\\/',
    'é',
    'ß',
    'Ω',
    '中',
    '文',
    '😀',
    '\t',
    '\n',
  ];
  let x = seed >>> 0 || 1;
  const out: string[] = [];
  let length = 0;
  while (length < n) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const c = alphabet[x % alphabet.length] ?? 'a';
    if (length + c.length > n) break;
    out.push(c);
    length += c.length;
  }
  return out.join('').padEnd(n, 'z');
}

/** Runs the shared contract against the store `makeStore` opens, fresh for every test. */
export function describeStoreContract(name: string, makeStore: () => Promise<StoreHandle>): void {
  describe(`${name} store contract`, () => {
    let handle: StoreHandle;
    let store: PatternStore;
    beforeEach(async () => {
      handle = await makeStore();
      store = handle.store;
    });
    afterEach(async () => {
      await handle.cleanup();
    });

    describe('saving', () => {
      it('updates a pattern with an existing id in place instead of adding one', async () => {
        await store.savePatterns(USER, [pattern('a', { resolution: 'old' })], KEEP_ALL);
        const result = await store.savePatterns(
          USER,
          [pattern('a', { resolution: 'new', confidence: 0.9 })],
          KEEP_ALL,
        );
        expect(result).toEqual({ saved: ['a'], created: [], updated: ['a'], evicted: [] });
        expect(await store.countPatterns(USER)).toBe(1);
        const stored = await store.getPattern(USER, 'a');
        expect(stored?.resolution).toBe('new');
        expect(stored?.confidence).toBe(0.9);
      });

      it('reports created and updated ids in input order and collapses duplicates', async () => {
        await store.savePatterns(USER, [pattern('b')], KEEP_ALL);
        const result = await store.savePatterns(
          USER,
          [pattern('c'), pattern('b'), pattern('a'), pattern('c')],
          KEEP_ALL,
        );
        expect(result).toEqual({
          saved: ['c', 'b', 'a'],
          created: ['c', 'a'],
          updated: ['b'],
          evicted: [],
        });
        expect(await store.countPatterns(USER)).toBe(3);
      });

      it('keeps every field of a pattern, metadata included, exactly as saved', async () => {
        const rich = pattern('rich', {
          confidence: 0.123456789,
          at: 12345.678,
          trigger: 'When “tsc” says TS2307 — can’t find module 中文 😀',
          context: 'line one\nline two\twith tab and "quotes" and \\ backslash',
          resolution: "Add the '.js' extension; O'Reilly's rule",
          tags: ['typescript', 'esm', 'c++', 'ünïcode'],
          category: 'project_specific',
          sourceSession: 'sess-ß-42',
          metadata: {
            observations: 3,
            project: '/home/alice/project',
            updatedAt: '2025-02-03T04:05:06.789Z',
            evidence: [
              { sessionId: 's1', turn: 4, quote: 'no, use pnpm', at: '2025-01-01T00:00:00Z' },
              { sessionId: 's2' },
            ],
            nested: { deep: [1, 2.5, null, true, { x: 'y' }], empty: {} },
            negative: -0.25,
          },
        });
        await store.savePatterns(USER, [rich], KEEP_ALL);
        expect(await store.getPattern(USER, 'rich')).toEqual(rich);
        expect(await store.listPatterns(USER)).toEqual([rich]);
      });

      it('returns null and false for ids that do not exist', async () => {
        expect(await store.getPattern(USER, 'missing')).toBeNull();
        expect(await store.deletePattern(USER, 'missing')).toBe(false);
        expect(await store.countPatterns(USER)).toBe(0);
        expect(await store.listPatterns(USER)).toEqual([]);
      });

      it('deletes one pattern and leaves the others', async () => {
        await store.savePatterns(USER, [pattern('a'), pattern('b')], KEEP_ALL);
        expect(await store.deletePattern(USER, 'a')).toBe(true);
        expect(ids(await store.listPatterns(USER))).toEqual(['b']);
        expect(await store.searchPatterns(USER, 'trigger')).toHaveLength(1);
      });

      it('merges with the stored pattern through the merge callback', async () => {
        await store.savePatterns(
          USER,
          [pattern('a', { confidence: 0.4, tags: ['old'], metadata: { observations: 1 } })],
          KEEP_ALL,
        );
        const seen: [number, number][] = [];
        await store.savePatterns(
          USER,
          [pattern('a', { confidence: 0.6, tags: ['new'], metadata: { observations: 1 } })],
          {
            ...KEEP_ALL,
            merge: (existing, incoming) => {
              seen.push([existing.confidence, incoming.confidence]);
              return {
                ...incoming,
                confidence: Math.max(existing.confidence, incoming.confidence) + 0.1,
                tags: [...existing.tags, ...incoming.tags],
                metadata: { observations: 2 },
              };
            },
          },
        );
        expect(seen).toEqual([[0.4, 0.6]]);
        const merged = await store.getPattern(USER, 'a');
        expect(merged?.confidence).toBeCloseTo(0.7, 10);
        expect(merged?.tags).toEqual(['old', 'new']);
        expect(merged?.metadata).toEqual({ observations: 2 });
        expect(await store.listPatterns(USER, { tag: 'old' })).toHaveLength(1);
      });

      it('counts a merge that keeps the stored pattern as it was as saved, not updated', async () => {
        await store.savePatterns(USER, [pattern('a', { resolution: 'kept' })], KEEP_ALL);
        const result = await store.savePatterns(
          USER,
          [pattern('a', { resolution: 'ignored' }), pattern('b')],
          { ...KEEP_ALL, merge: (existing) => existing },
        );
        expect(result).toEqual({ saved: ['a', 'b'], created: ['b'], updated: [], evicted: [] });
        expect((await store.getPattern(USER, 'a'))?.resolution).toBe('kept');
      });

      it('does not call the merge callback for a new id', async () => {
        let calls = 0;
        await store.savePatterns(USER, [pattern('a')], {
          ...KEEP_ALL,
          merge: (_e, i) => {
            calls += 1;
            return i;
          },
        });
        expect(calls).toBe(0);
      });
    });

    describe('eviction at the limit', () => {
      it('evicts the lowest confidence first, then the oldest', async () => {
        await store.savePatterns(
          USER,
          [
            pattern('strong', { confidence: 0.9, at: 1 }),
            pattern('weak-new', { confidence: 0.2, at: 5 }),
            pattern('weak-old', { confidence: 0.2, at: 1 }),
            pattern('middle', { confidence: 0.5, at: 0 }),
          ],
          KEEP_ALL,
        );
        const first = await store.savePatterns(USER, [pattern('x', { confidence: 0.6 })], {
          maxPatterns: 4,
        });
        expect(first.evicted).toEqual(['weak-old']);
        const second = await store.savePatterns(USER, [pattern('y', { confidence: 0.6 })], {
          maxPatterns: 3,
        });
        expect(second.evicted.sort()).toEqual(['middle', 'weak-new']);
        expect(ids(await store.listPatterns(USER)).sort()).toEqual(['strong', 'x', 'y']);
      });

      it('never evicts a pattern saved by the same call, even the weakest', async () => {
        await store.savePatterns(
          USER,
          [pattern('a', { confidence: 0.8 }), pattern('b', { confidence: 0.7 })],
          KEEP_ALL,
        );
        const result = await store.savePatterns(USER, [pattern('tiny', { confidence: 0.01 })], {
          maxPatterns: 2,
        });
        expect(result).toEqual({ saved: ['tiny'], created: ['tiny'], updated: [], evicted: ['b'] });
        expect(ids(await store.listPatterns(USER))).toEqual(['a', 'tiny']);
      });

      it('evicts the weakest of the call itself when the call alone exceeds the limit', async () => {
        await store.savePatterns(USER, [pattern('old', { confidence: 1 })], KEEP_ALL);
        const result = await store.savePatterns(
          USER,
          [
            pattern('p1', { confidence: 0.3 }),
            pattern('p2', { confidence: 0.1 }),
            pattern('p3', { confidence: 0.2 }),
          ],
          { maxPatterns: 2 },
        );
        expect(result.evicted.sort()).toEqual(['old', 'p2']);
        expect(result.saved).toEqual(['p1', 'p3']);
        expect(result.created).toEqual(['p1', 'p3']);
        expect(await store.countPatterns(USER)).toBe(2);
      });

      it('counts the limit per user', async () => {
        await store.savePatterns('bob', [pattern('b1'), pattern('b2')], KEEP_ALL);
        const result = await store.savePatterns(USER, [pattern('a1'), pattern('a2')], {
          maxPatterns: 2,
        });
        expect(result.evicted).toEqual([]);
        expect(await store.countPatterns('bob')).toBe(2);
      });
    });

    describe('search', () => {
      const corpus = () => [
        pattern('esm', {
          trigger: 'TypeScript cannot find module in ESM build',
          resolution: 'Add the .js extension to relative imports',
          tags: ['typescript', 'esm'],
          confidence: 0.7,
        }),
        pattern('pnpm', {
          trigger: 'User prefers pnpm',
          context: 'said so after npm install failed',
          resolution: 'Use pnpm, never npm or yarn',
          tags: ['package-manager'],
          confidence: 0.9,
          category: 'preference',
        }),
        pattern('docker', {
          trigger: 'Docker build fails on Apple Silicon',
          context: 'Module platform mismatch',
          resolution: 'Pass --platform linux/amd64',
          tags: ['docker'],
          confidence: 0.6,
          category: 'workaround',
          sourceSession: 'module-session',
          metadata: { note: 'pnpm everywhere', project: 'docker' },
        }),
      ];

      it.each([
        ['a word of the trigger', 'silicon', ['docker']],
        ['a term in any letter case', 'TYPESCRIPT', ['esm']],
        ['a substring of a word', 'scrip', ['esm']],
        ['a term only in the context', 'failed', ['pnpm']],
        ['a term only in the resolution', 'amd64', ['docker']],
        ['a term only in the tags', 'package-manager', ['pnpm']],
        ['two terms in different fields', 'docker linux/amd64', ['docker']],
        ['a short term of one letter', 'q', []],
        ['a short term of two letters', '.j', ['esm']],
      ])('finds patterns by %s', async (_what, query, expected) => {
        await store.savePatterns(USER, corpus(), KEEP_ALL);
        expect(ids(await store.searchPatterns(USER, query)).sort()).toEqual([...expected].sort());
      });

      it('requires every term to occur', async () => {
        await store.savePatterns(USER, corpus(), KEEP_ALL);
        expect(ids(await store.searchPatterns(USER, 'pnpm yarn'))).toEqual(['pnpm']);
        expect(await store.searchPatterns(USER, 'pnpm docker')).toEqual([]);
      });

      it('ignores category, source session and metadata', async () => {
        await store.savePatterns(USER, corpus(), KEEP_ALL);
        expect(await store.searchPatterns(USER, 'workaround')).toEqual([]);
        expect(await store.searchPatterns(USER, 'module-session')).toEqual([]);
        expect(ids(await store.searchPatterns(USER, 'everywhere'))).toEqual([]);
      });

      it('matches "module" in both the trigger and the context, trigger first', async () => {
        await store.savePatterns(USER, corpus(), KEEP_ALL);
        expect(ids(await store.searchPatterns(USER, 'module'))).toEqual(['esm', 'docker']);
      });

      it('returns an empty list for an empty or blank query', async () => {
        await store.savePatterns(USER, corpus(), KEEP_ALL);
        expect(await store.searchPatterns(USER, '')).toEqual([]);
        expect(await store.searchPatterns(USER, '  \n\t ')).toEqual([]);
      });

      it('ranks a match in trigger and tags above a match only in the context', async () => {
        await store.savePatterns(
          USER,
          [
            pattern('context-only', {
              trigger: 'alpha beta gamma',
              context: 'vitest hangs forever',
              resolution: 'one two three',
              confidence: 0.9,
            }),
            pattern('trigger-and-tag', {
              trigger: 'vitest hangs forever',
              context: 'alpha beta gamma',
              resolution: 'one two three',
              tags: ['vitest'],
              confidence: 0.5,
            }),
          ],
          KEEP_ALL,
        );
        expect(ids(await store.searchPatterns(USER, 'vitest'))).toEqual([
          'trigger-and-tag',
          'context-only',
        ]);
      });

      it('ranks the higher confidence first among equally good matches, and honours limit', async () => {
        await store.savePatterns(
          USER,
          [0.3, 0.9, 0.6].map((c) =>
            pattern(`c${c}`, { trigger: 'flaky network test', confidence: c }),
          ),
          KEEP_ALL,
        );
        expect(ids(await store.searchPatterns(USER, 'flaky'))).toEqual(['c0.9', 'c0.6', 'c0.3']);
        expect(ids(await store.searchPatterns(USER, 'flaky', { limit: 2 }))).toEqual([
          'c0.9',
          'c0.6',
        ]);
      });

      const hostile = [
        "'; DROP TABLE patterns; --",
        '%',
        '_',
        '"',
        '""',
        'NEAR(',
        'NEAR(a b)',
        '*',
        'a*',
        'OR',
        'AND',
        'NOT',
        '-',
        '-docker',
        '^',
        'col:value',
        'trigger:docker',
        '{trigger context}: docker',
        '(',
        ')',
        '\\',
        '%_%',
        '100%',
        'snake_case',
        'say "hi"',
        '$1',
        '?',
        ':name',
        '@name',
        "O'Brien",
        "E'\\n'",
        '\u0000',
        '中文 😀',
      ];
      it.each(hostile)('treats the hostile query %j as plain text', async (query) => {
        const all = [
          ...corpus(),
          pattern('percent', { trigger: 'I am 100% sure', tags: ['%'] }),
          pattern('snake', { trigger: 'use snake_case names', context: 'a_b' }),
          pattern('quotes', {
            trigger: 'say "hi" to O\'Brien',
            resolution: "'; DROP TABLE patterns; -- is not a command here",
          }),
          pattern('syntax', {
            trigger: 'NEAR( OR AND NOT - * ^ col:value trigger:docker',
            context: "{trigger context}: docker ( ) \\ $1 ? :name @name E'\\n'",
          }),
          pattern('unicode', { trigger: '中文 😀 text', context: 'nul\u0000byte' }),
        ];
        await store.savePatterns(USER, all, KEEP_ALL);
        const expected = all.filter((p) => matchesQuery(p, searchTerms(query)));
        const found = await store.searchPatterns(USER, query);
        expect(ids(found).sort()).toEqual(ids(expected).sort());
        expect(await store.countPatterns(USER)).toBe(all.length);
        expect(await store.getPattern(USER, 'quotes')).toEqual(all[5]);
      });
    });

    describe('listing', () => {
      const set = () => [
        pattern('pref-old', { category: 'preference', confidence: 0.8, at: 1, tags: ['Style'] }),
        pattern('pref-new', { category: 'preference', confidence: 0.8, at: 2, tags: ['style'] }),
        pattern('proj-a', {
          category: 'project_specific',
          confidence: 0.95,
          metadata: { project: 'alpha' },
        }),
        pattern('proj-b', {
          category: 'project_specific',
          confidence: 0.7,
          metadata: { project: 'beta' },
          tags: ['style', 'db'],
        }),
        pattern('err', { category: 'error_resolution', confidence: 0.4, tags: ['db'] }),
        pattern('odd-project', { confidence: 0.1, metadata: { project: 42 } }),
      ];

      it('returns every pattern best first: confidence, then newest', async () => {
        await store.savePatterns(USER, set(), KEEP_ALL);
        expect(ids(await store.listPatterns(USER))).toEqual([
          'proj-a',
          'pref-new',
          'pref-old',
          'proj-b',
          'err',
          'odd-project',
        ]);
      });

      it.each<[string, ListPatternsOptions]>([
        ['categories', { categories: ['preference', 'error_resolution'] }],
        ['an empty category list', { categories: [] }],
        ['a tag in another letter case', { tag: 'STYLE' }],
        ['a tag no pattern has', { tag: 'nope' }],
        ['a project, keeping patterns of no project', { project: 'alpha' }],
        ['a project nobody has', { project: 'gamma' }],
        ['a limit', { limit: 2 }],
        ['a limit of zero', { limit: 0 }],
        ['every filter at once', { categories: ['project_specific'], tag: 'db', project: 'beta' }],
        ['filters and a limit', { categories: ['preference', 'project_specific'], limit: 3 }],
      ])('filters by %s', async (_what, options) => {
        const all = set();
        await store.savePatterns(USER, all, KEEP_ALL);
        const expected = ids(
          [...all]
            .filter((p) => matchesListOptions(p, options))
            .sort(
              (a, b) =>
                b.confidence - a.confidence ||
                b.extractedAt.getTime() - a.extractedAt.getTime() ||
                a.patternId.localeCompare(b.patternId),
            ),
        ).slice(0, options.limit ?? Number.POSITIVE_INFINITY);
        expect(ids(await store.listPatterns(USER, options))).toEqual(expected);
      });
    });

    describe('skills', () => {
      const skill = (id: string, extra: Partial<Parameters<typeof createSkill>[0]> = {}) =>
        createSkill({
          skillId: id,
          name: `Skill ${id}`,
          description: 'How to fix ESM imports',
          category: 'error_resolution',
          patterns: ['p1', 'p2'],
          confidence: 0.75,
          createdAt: new Date(T0),
          metadata: { source: 'aggregate', n: [1, 2] },
          ...extra,
        });

      it('saves, reads, lists in saving order, updates in place and deletes skills', async () => {
        const a = skill('a');
        const b = skill('b', { lastUsed: new Date(T0 + 1000), usageCount: 4 });
        expect(await store.saveSkill(USER, a)).toBe('a');
        await store.saveSkill(USER, b);
        expect(await store.getSkill(USER, 'a')).toEqual(a);
        expect(await store.listSkills(USER)).toEqual([a, b]);
        const renamed = { ...a, name: 'Renamed' };
        await store.saveSkill(USER, renamed);
        expect(await store.listSkills(USER)).toEqual([renamed, b]);
        expect(await store.deleteSkill(USER, 'a')).toBe(true);
        expect(await store.deleteSkill(USER, 'a')).toBe(false);
        expect(await store.listSkills(USER)).toEqual([b]);
        expect(await store.getSkill(USER, 'a')).toBeNull();
      });

      it('records each use of a skill with its time', async () => {
        await store.saveSkill(USER, skill('a'));
        const at1 = new Date(T0 + 60_000);
        const at2 = new Date(T0 + 120_000);
        expect(await store.recordSkillUsage(USER, 'a', at1)).toBe(true);
        expect(await store.recordSkillUsage(USER, 'a', at2)).toBe(true);
        const used = await store.getSkill(USER, 'a');
        expect(used?.usageCount).toBe(2);
        expect(used?.lastUsed).toEqual(at2);
        expect(await store.recordSkillUsage(USER, 'missing', at1)).toBe(false);
        expect(await store.recordSkillUsage('bob', 'a', at1)).toBe(false);
      });
    });

    describe('users', () => {
      it('clears one user and reports how many patterns and skills went', async () => {
        await store.savePatterns(USER, [pattern('a'), pattern('b')], KEEP_ALL);
        await store.saveSkill(
          USER,
          createSkill({ skillId: 's', name: 'S', category: 'workaround' }),
        );
        await store.savePatterns('bob', [pattern('a')], KEEP_ALL);
        expect(await store.clearUser(USER)).toEqual({ patterns: 2, skills: 1 });
        expect(await store.countPatterns(USER)).toBe(0);
        expect(await store.listSkills(USER)).toEqual([]);
        expect(await store.searchPatterns(USER, 'trigger')).toEqual([]);
        expect(await store.countPatterns('bob')).toBe(1);
        expect(await store.clearUser(USER)).toEqual({ patterns: 0, skills: 0 });
        expect(await store.listUsers()).toEqual(['bob']);
      });

      it('lists users with a pattern or a skill, sorted', async () => {
        expect(await store.listUsers()).toEqual([]);
        await store.savePatterns('zed', [pattern('a')], KEEP_ALL);
        await store.saveSkill(
          'amy',
          createSkill({ skillId: 's', name: 'S', category: 'workaround' }),
        );
        await store.savePatterns('Bob', [pattern('a')], KEEP_ALL);
        expect(await store.listUsers()).toEqual(['Bob', 'amy', 'zed']);
      });

      it('keeps users apart: same ids, deletes, searches and limits', async () => {
        await store.savePatterns(USER, [pattern('same', { resolution: 'alice way' })], KEEP_ALL);
        await store.savePatterns('bob', [pattern('same', { resolution: 'bob way' })], KEEP_ALL);
        expect((await store.getPattern(USER, 'same'))?.resolution).toBe('alice way');
        expect((await store.getPattern('bob', 'same'))?.resolution).toBe('bob way');
        expect(ids(await store.searchPatterns(USER, 'bob'))).toEqual([]);
        await store.deletePattern(USER, 'same');
        expect(await store.getPattern('bob', 'same')).not.toBeNull();
      });

      it.each([
        'O\'Brien"; DROP TABLE patterns; --',
        "Robert'); DELETE FROM skills WHERE ('1'='1",
        '%_*?[]{}$1:name@host',
        '用户@例え.jp 😀',
        'Zoë Ünïcödé',
        'a b',
      ])('stores the user id %j verbatim', async (user) => {
        await store.savePatterns(user, [pattern('a')], KEEP_ALL);
        await store.saveSkill(
          user,
          createSkill({ skillId: 's', name: 'S', category: 'workaround' }),
        );
        await store.savePatterns('other', [pattern('b')], KEEP_ALL);
        expect(await store.listUsers()).toEqual(['other', user].sort());
        expect(ids(await store.listPatterns(user))).toEqual(['a']);
        expect(await store.countPatterns('other')).toBe(1);
        expect(await store.clearUser(user)).toEqual({ patterns: 1, skills: 1 });
        expect(await store.listUsers()).toEqual(['other']);
      });

      const invalid = [
        ['path traversal', '../evil'],
        ['a bare parent', '..'],
        ['a dot', '.'],
        ['a slash', 'a/b'],
        ['a backslash', 'a\\b'],
        ['a NUL', 'a\u0000b'],
        ['a newline', 'a\nb'],
        ['an escape character', 'a\u001bb'],
        ['the empty string', ''],
        ['only spaces', '   '],
        ['129 characters', 'x'.repeat(129)],
      ];
      it.each(invalid)('rejects a user id with %s and writes nothing', async (_what, user) => {
        const skill = createSkill({ skillId: 's', name: 'S', category: 'workaround' });
        const calls: (() => Promise<unknown>)[] = [
          () => store.savePatterns(user, [pattern('a')], KEEP_ALL),
          () => store.saveSkill(user, skill),
          () => store.recordSkillUsage(user, 's', new Date()),
          () => store.deletePattern(user, 'a'),
          () => store.deleteSkill(user, 's'),
          () => store.clearUser(user),
          () => store.getPattern(user, 'a'),
          () => store.listPatterns(user),
          () => store.searchPatterns(user, 'a'),
          () => store.countPatterns(user),
          () => store.listSkills(user),
          () => store.getSkill(user, 's'),
        ];
        for (const call of calls) await expectCode(call(), ErrorCode.INVALID_ARGUMENT);
        expect(await store.listUsers()).toEqual([]);
      });
    });

    describe('large input', () => {
      it('keeps 100 000-character strings in every field and finds them by a 100 000-character query', async () => {
        const n = MAX_FIELD_LENGTH;
        const big = createPattern({
          patternId: 'big',
          category: 'workaround',
          trigger: longText(n, 1),
          context: longText(n, 2),
          resolution: longText(n, 3),
          tags: [longText(n, 4).replace(/\s/g, '-')],
          extractedAt: new Date(T0),
          sourceSession: longText(n, 5),
          metadata: { blob: longText(n, 6), project: longText(n, 7) },
        });
        await store.savePatterns(USER, [big, pattern('small')], KEEP_ALL);
        expect(await store.getPattern(USER, 'big')).toEqual(big);
        const word = big.resolution.split(/\s+/).sort((a, b) => b.length - a.length)[0] ?? '';
        expect(word.length).toBeGreaterThan(2);
        expect(ids(await store.searchPatterns(USER, word))).toEqual(['big']);
        const tag = big.tags[0] ?? '';
        expect(tag.length).toBeGreaterThan(90_000);
        expect(ids(await store.searchPatterns(USER, tag))).toEqual(['big']);
        expect(await store.searchPatterns(USER, `${tag}!`)).toEqual([]);
        expect(ids(await store.listPatterns(USER, { tag }))).toEqual(['big']);
        expect(ids(await store.listPatterns(USER, { project: 'x' }))).toEqual(['small']);
        expect(await store.searchPatterns(USER, longText(n, 99))).toEqual([]);
      });
    });
  });
}
