import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSkill, type LearnedSkill } from '../../src/model/skill.js';
import { migrateStore } from '../../src/store/migrate.js';
import { openStore, type StoreConfig } from '../../src/store/open-store.js';
import type { PatternStore, StoreKind } from '../../src/store/pattern-store.js';
import { type PostgresServer, postgresSkipReason, startPostgres } from '../helpers/postgres.js';
import { longText, pattern } from './contract.js';

const skipPostgres = postgresSkipReason();
const CATEGORIES = ['preference', 'workaround', 'project_specific', 'error_resolution'] as const;
const USERS = ['alice', 'O\'Brien"; DROP TABLE attune_patterns; --', '用户😀'];

/** Patterns and skills per user with every field filled in, some at their limits. */
function dataset(): Map<
  string,
  { patterns: ReturnType<typeof pattern>[]; skills: LearnedSkill[] }
> {
  const data = new Map<
    string,
    { patterns: ReturnType<typeof pattern>[]; skills: LearnedSkill[] }
  >();
  USERS.forEach((user, u) => {
    const patterns = Array.from({ length: 40 + u * 30 }, (_, i) =>
      pattern(`${u}-${i}`, {
        confidence: ((i * 13) % 101) / 100,
        at: i * 7.5 + 0.001,
        trigger: `trigger ${i} ${longText(30 + i, i)}`,
        context: i % 3 === 0 ? '' : longText(200, i + 1000),
        resolution: `resolution ${i} “quoted” 'single' \\ ${user}`,
        tags: i % 2 ? ['alpha', `tag-${i % 5}`] : [],
        category: CATEGORIES[i % CATEGORIES.length] ?? 'workaround',
        sourceSession: i % 5 === 0 ? '' : `session-${i}`,
        metadata:
          i % 4 === 2
            ? { project: `/repo/${u}`, observations: i, evidence: [{ sessionId: 's', turn: i }] }
            : {
                nested: { list: [i, 'x', null, { deep: true }] },
                updatedAt: '2025-05-05T05:05:05.555Z',
              },
      }),
    );
    patterns.push(
      pattern(`${u}-huge`, {
        trigger: longText(100_000, u + 7),
        metadata: { blob: longText(5000, u) },
      }),
    );
    const skills = Array.from({ length: 3 + u }, (_, i) =>
      createSkill({
        skillId: `skill-${u}-${i}`,
        name: `Skill ${i} of ${user}`,
        description: longText(100, i),
        category: 'workaround',
        patterns: patterns.slice(0, i + 1).map((p) => p.patternId),
        confidence: 0.1 * (i + 1),
        usageCount: i * 3,
        lastUsed: i % 2 ? new Date(Date.UTC(2025, 1, i + 1, 2, 3, 4, 567)) : null,
        createdAt: new Date(Date.UTC(2024, 11, 31, 23, 59, 59, i)),
        metadata: { from: 'test', i },
      }),
    );
    data.set(user, { patterns, skills });
  });
  return data;
}

async function seed(store: PatternStore): Promise<void> {
  for (const [user, { patterns, skills }] of dataset()) {
    await store.savePatterns(user, patterns, { maxPatterns: Number.POSITIVE_INFINITY });
    for (const s of skills) await store.saveSkill(user, s);
  }
}

async function expectHoldsDataset(store: PatternStore): Promise<void> {
  const byId = <T extends { patternId: string }>(xs: T[]) =>
    [...xs].sort((a, b) => (a.patternId < b.patternId ? -1 : 1));
  expect(await store.listUsers()).toEqual([...USERS].sort());
  for (const [user, { patterns, skills }] of dataset()) {
    expect(byId(await store.listPatterns(user))).toEqual(byId(patterns));
    expect(await store.listSkills(user)).toEqual(skills);
  }
}

describe('migrateStore', () => {
  let dir: string;
  let server: PostgresServer | undefined;
  let n = 0;
  const kinds: StoreKind[] = skipPostgres ? ['file', 'sqlite'] : ['file', 'sqlite', 'postgres'];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attune-migrate-'));
    if (!skipPostgres) server = await startPostgres();
  });
  afterAll(async () => {
    server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function fresh(kind: StoreKind): Promise<PatternStore> {
    n += 1;
    const config: StoreConfig =
      kind === 'file'
        ? { kind, storageDir: join(dir, `file-${n}`) }
        : kind === 'sqlite'
          ? { kind, databaseUrl: join(dir, `db-${n}.sqlite`) }
          : { kind, databaseUrl: await (server as PostgresServer).createDatabase() };
    return openStore(config);
  }

  it('keeps every field through file -> sqlite -> postgres -> file', async () => {
    const chain = [...kinds, 'file' as const];
    const stores = [];
    for (const kind of chain) stores.push(await fresh(kind));
    const [first] = stores;
    if (!first) throw new Error('no stores');
    await seed(first);
    await expectHoldsDataset(first);
    for (let i = 1; i < stores.length; i++) {
      const from = stores[i - 1] as PatternStore;
      const to = stores[i] as PatternStore;
      const result = await migrateStore(from, to, { batchSize: 25 });
      const expected = [...dataset().values()];
      expect(result).toEqual({
        users: USERS.length,
        patterns: expected.reduce((n, d) => n + d.patterns.length, 0),
        skills: expected.reduce((n, d) => n + d.skills.length, 0),
      });
      await expectHoldsDataset(to);
      console.log(
        `[migrate] ${from.kind} -> ${to.kind}: ${JSON.stringify(result)}, every field equal`,
      );
    }
    for (const s of stores) await s.close();
  });

  const pairs = kinds.flatMap((a) => kinds.filter((b) => b !== a).map((b) => [a, b] as const));
  it.each(pairs)(
    'copies everything losslessly from %s to %s, and again without duplicates',
    async (a, b) => {
      const from = await fresh(a);
      const to = await fresh(b);
      await seed(from);
      await migrateStore(from, to);
      await migrateStore(from, to);
      await expectHoldsDataset(to);
      await expectHoldsDataset(from);
      await from.close();
      await to.close();
    },
  );

  it('copies only the users asked for', async () => {
    const from = await fresh('sqlite');
    const to = await fresh('file');
    await seed(from);
    const result = await migrateStore(from, to, { users: ['alice'] });
    expect(result.users).toBe(1);
    expect(await to.listUsers()).toEqual(['alice']);
    await from.close();
    await to.close();
  });
});
