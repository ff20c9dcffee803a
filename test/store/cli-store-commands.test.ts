import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSkill } from '../../src/model/skill.js';
import { FileStore } from '../../src/store/file-store.js';
import { openStore } from '../../src/store/open-store.js';
import { runCli } from '../helpers/cli.js';
import { pattern } from './contract.js';

let home: string;

function attune(args: string[]) {
  return runCli(args, {
    cwd: home,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      ATTUNE_HOME: join(home, '.attune'),
      ATTUNE_STORAGE_DIR: join(home, 'store'),
      ATTUNE_USER: 'tester',
    },
  });
}

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'attune-cli-store-'));
  const store = new FileStore({ storageDir: join(home, 'store') });
  await store.savePatterns('tester', [pattern('a'), pattern('b')], { maxPatterns: 100 });
  await store.savePatterns('other', [pattern('c')], { maxPatterns: 100 });
  await store.saveSkill('tester', createSkill({ skillId: 's', name: 'S', category: 'workaround' }));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('attune migrate', () => {
  it('copies the file store into <storage-dir>/attune.db and back into another folder', async () => {
    const toSqlite = attune(['migrate', '--from', 'file', '--to', 'sqlite', '--json']);
    expect(toSqlite.stderr).toBe('');
    expect(toSqlite.code).toBe(0);
    expect(JSON.parse(toSqlite.stdout)).toMatchObject({ users: 2, patterns: 3, skills: 1 });
    const db = await openStore({ kind: 'sqlite', databaseUrl: join(home, 'store', 'attune.db') });
    expect(await db.countPatterns('tester')).toBe(2);
    await db.close();

    const back = attune([
      'migrate',
      '--from',
      'sqlite',
      '--to',
      'file',
      '--to-dir',
      join(home, 'copy'),
    ]);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('Copied 3 patterns and 1 skills of 2 users');
    const copy = JSON.parse(readFileSync(join(home, 'copy', 'tester', 'patterns.json'), 'utf8'));
    expect(copy.map((p: { pattern_id: string }) => p.pattern_id).sort()).toEqual(['a', 'b']);
  });

  it.each([
    [['migrate', '--from', 'file', '--to', 'file'], 'same store'],
    [['migrate', '--from', 'file', '--to', 'mongo'], 'valid stores: file, sqlite, postgres'],
    [['migrate', '--from', 'file', '--to', 'postgres'], '--to-url'],
  ])('refuses %j with a message naming the problem', (args, message) => {
    const r = attune(args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
  });
});

describe('attune doctor', () => {
  it('reports a healthy store and exits 0', () => {
    const r = attune(['doctor']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no problems found');
  });

  it('names each corrupt file with its fix and exits 1', () => {
    const file = join(home, 'store', 'tester', 'patterns.json');
    writeFileSync(file, '[{"pattern_id": ');
    const r = attune(['doctor', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0].where).toBe(file);
    expect(report.problems[0].fix).toContain('.corrupt');
    expect(readFileSync(file, 'utf8')).toBe('[{"pattern_id": ');
  });

  it('rebuilds the sqlite search index with --rebuild-index, and search still answers', async () => {
    const db = join(home, 'attune.db');
    const store = await openStore({ kind: 'sqlite', databaseUrl: db });
    await store.savePatterns('tester', [pattern('a'), pattern('b')], { maxPatterns: 100 });
    await store.close();
    const r = attune(['doctor', '--store', 'sqlite', '--database-url', db, '--rebuild-index']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Rebuilt the search index');
    const reopened = await openStore({ kind: 'sqlite', databaseUrl: db });
    try {
      const found = await reopened.searchPatterns('tester', pattern('a').trigger);
      expect(found.map((p) => p.patternId)).toContain(pattern('a').patternId);
    } finally {
      await reopened.close();
    }
  });

  it('refuses --rebuild-index on a store without a search index', () => {
    const r = attune(['doctor', '--rebuild-index']);
    expect(r.code).toBe(1);
    expect(r.stderr + r.stdout).toContain('applies to the sqlite store');
  });

  it('reports a sqlite file that is not a database and exits 1', () => {
    const db = join(home, 'broken.db');
    writeFileSync(db, 'not a database '.repeat(100));
    const r = attune(['doctor', '--store', 'sqlite', '--database-url', db]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(db);
    expect(r.stdout).toContain('fix:');
  });
});
