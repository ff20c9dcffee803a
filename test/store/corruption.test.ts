import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AttuneError, ErrorCode } from '../../src/errors.js';
import { createSkill } from '../../src/model/skill.js';
import { FileStore } from '../../src/store/file-store.js';
import { openStore } from '../../src/store/open-store.js';
import type { PatternStore } from '../../src/store/pattern-store.js';
import { pattern } from './contract.js';

const USER = 'alice';
const KEEP_ALL = { maxPatterns: 1000 };
const skill = createSkill({ skillId: 's1', name: 'S', category: 'workaround' });

async function expectCorrupt(promise: Promise<unknown>, naming: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected CORRUPT_STORE').toBeInstanceOf(AttuneError);
  expect((error as AttuneError).code).toBe(ErrorCode.CORRUPT_STORE);
  expect((error as AttuneError).message).toContain(naming);
}

const damaged: [string, (valid: string) => string][] = [
  ['truncated', (valid) => valid.slice(0, Math.floor(valid.length / 2))],
  ['garbage', () => '\u0000\u0001PK\u0003\u0004 not json at all \uFFFD'],
  ['an object instead of an array', () => '{"patterns": []}'],
  ['wrong-shaped entries', () => '[{"pattern_id": 5, "category": "nope"}]'],
  ['an empty file', () => ''],
];

describe('file store with a damaged file', () => {
  let dir: string;
  let store: FileStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attune-corrupt-'));
    store = new FileStore({ storageDir: dir });
    await store.savePatterns(USER, [pattern('a'), pattern('b')], KEEP_ALL);
    await store.saveSkill(USER, skill);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(damaged)(
    'reports a %s patterns.json as CORRUPT_STORE naming it and never writes over it',
    async (_what, damage) => {
      const file = join(dir, USER, 'patterns.json');
      const bytes = Buffer.from(damage(await readFile(file, 'utf8')));
      await writeFile(file, bytes);
      const attempts: (() => Promise<unknown>)[] = [
        () => store.listPatterns(USER),
        () => store.searchPatterns(USER, 'trigger'),
        () => store.getPattern(USER, 'a'),
        () => store.countPatterns(USER),
        () => store.savePatterns(USER, [pattern('c')], KEEP_ALL),
        () => store.savePatterns(USER, [pattern('a')], KEEP_ALL),
        () => store.deletePattern(USER, 'a'),
        () => store.clearUser(USER),
      ];
      for (const attempt of attempts) await expectCorrupt(attempt(), file);
      expect(await readFile(file)).toEqual(bytes);
      expect((await store.listSkills(USER)).map((s) => s.skillId)).toEqual(['s1']);
      const problems = await store.check();
      expect(problems.map((p) => p.where)).toEqual([file]);
      expect(problems[0]?.fix).toContain('.corrupt');
    },
  );

  it.each(damaged)(
    'reports a %s skills.json as CORRUPT_STORE naming it and never writes over it',
    async (_what, damage) => {
      const file = join(dir, USER, 'skills.json');
      const bytes = Buffer.from(damage(await readFile(file, 'utf8')));
      await writeFile(file, bytes);
      const attempts: (() => Promise<unknown>)[] = [
        () => store.listSkills(USER),
        () => store.getSkill(USER, 's1'),
        () => store.saveSkill(USER, { ...skill, skillId: 's2' }),
        () => store.recordSkillUsage(USER, 's1', new Date()),
        () => store.deleteSkill(USER, 's1'),
        () => store.clearUser(USER),
      ];
      for (const attempt of attempts) await expectCorrupt(attempt(), file);
      expect(await readFile(file)).toEqual(bytes);
      expect(await store.countPatterns(USER)).toBe(2);
      expect((await store.check()).map((p) => p.where)).toEqual([file]);
    },
  );
});

describe('sqlite store with a damaged database', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attune-corrupt-db-'));
    path = join(dir, 'attune.db');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a file that is not a database with CORRUPT_STORE naming it, leaving its bytes', async () => {
    const bytes = Buffer.from(`${'garbage that is not sqlite '.repeat(200)}`);
    await writeFile(path, bytes);
    await expectCorrupt(openStore({ kind: 'sqlite', databaseUrl: path }), path);
    expect(await readFile(path)).toEqual(bytes);
  });

  it('reports a truncated database as CORRUPT_STORE naming it, at open or at first read', async () => {
    const store = await openStore({ kind: 'sqlite', databaseUrl: path });
    const many = Array.from({ length: 300 }, (_, i) =>
      pattern(`p${i}`, { context: 'padding '.repeat(200), confidence: (i % 100) / 100 }),
    );
    await store.savePatterns(USER, many, KEEP_ALL);
    await store.close();
    const size = (await readFile(path)).length;
    await truncate(path, Math.floor(size / 3));
    let reopened: PatternStore | undefined;
    const error = await (async () => {
      reopened = await openStore({ kind: 'sqlite', databaseUrl: path });
      await reopened.listPatterns(USER);
      await reopened.searchPatterns(USER, 'padding');
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AttuneError);
    expect((error as AttuneError).code).toBe(ErrorCode.CORRUPT_STORE);
    expect((error as AttuneError).message).toContain(path);
    if (reopened) {
      expect((await reopened.check()).length).toBeGreaterThan(0);
      await reopened.close();
    }
  });

  it('reports a row whose JSON was damaged by hand, naming the file, user and id', async () => {
    const store = await openStore({ kind: 'sqlite', databaseUrl: path });
    await store.savePatterns(USER, [pattern('good'), pattern('bad')], KEEP_ALL);
    const raw = new BetterSqlite3(path);
    raw.prepare("UPDATE patterns SET data = '{\"pattern_id\": ' WHERE pattern_id = 'bad'").run();
    raw.close();
    await expectCorrupt(store.listPatterns(USER), path);
    await expectCorrupt(store.getPattern(USER, 'bad'), '"bad"');
    expect((await store.getPattern(USER, 'good'))?.patternId).toBe('good');
    const problems = await store.check();
    expect(problems).toHaveLength(1);
    expect(problems[0]?.where).toContain('"bad"');
    await store.close();
  });
});
