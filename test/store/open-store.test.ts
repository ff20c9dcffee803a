import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttuneError, ErrorCode } from '../../src/errors.js';
import { defaultSqlitePath, openStore, type StoreConfig } from '../../src/store/open-store.js';
import type { StoreKind } from '../../src/store/pattern-store.js';
import { redactConnectionString } from '../../src/store/postgres-store.js';
import { type PostgresServer, postgresSkipReason, startPostgres } from '../helpers/postgres.js';

const skipPostgres = postgresSkipReason();

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (e: unknown) => (e instanceof AttuneError ? e.code : String(e)),
  );
}

describe('openStore', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attune-open-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('opens a sqlite store at <storageDir>/attune.db when no databaseUrl is given', async () => {
    const store = await openStore({ kind: 'sqlite', storageDir: dir });
    expect(store.kind).toBe('sqlite');
    expect(store.location).toBe(resolve(dir, 'attune.db'));
    expect(defaultSqlitePath(dir)).toBe(join(dir, 'attune.db'));
    await store.close();
  });

  it('opens a file store at storageDir', async () => {
    const store = await openStore({ storageDir: dir });
    expect(store.kind).toBe('file');
    expect(store.location).toBe(resolve(dir));
  });

  it.each<[string, StoreConfig, string]>([
    ['an unknown kind', { kind: 'mongo' as StoreKind }, ErrorCode.UNKNOWN_STORE],
    ['postgres without a connection string', { kind: 'postgres' }, ErrorCode.INVALID_ARGUMENT],
    [
      'postgres with nothing listening',
      { kind: 'postgres', databaseUrl: 'postgres://u:pw@127.0.0.1:1/db' },
      ErrorCode.STORE_UNAVAILABLE,
    ],
  ])('refuses %s with a clear code', async (_what, config, code) => {
    expect(await codeOf(openStore(config))).toBe(code);
  });

  it.each([
    [
      'postgres://attune:s3cret@db.example.com:5432/app',
      'postgres://attune:***@db.example.com:5432/app',
    ],
    [
      'postgresql://u:p%40ss@h/db?sslmode=require&password=x',
      'postgresql://u:***@h/db?sslmode=require&password=***',
    ],
    ['postgres://u@h/db', 'postgres://u@h/db'],
    ["host=h user=u password='a b' dbname=d", 'host=h user=u password=*** dbname=d'],
    ['host=h password=secret dbname=d', 'host=h password=*** dbname=d'],
  ])('shows %s as %s', (input, shown) => {
    expect(redactConnectionString(input)).toBe(shown);
  });

  describe.skipIf(skipPostgres !== undefined)('postgres', () => {
    let server: PostgresServer;
    beforeAll(async () => {
      server = await startPostgres();
    });
    afterAll(() => server?.stop());

    it('never shows the password in location, and two starters migrate without racing', async () => {
      const url = (await server.createDatabase()).replace('attune@', 'attune:hunter2@');
      const [a, b] = await Promise.all([
        openStore({ kind: 'postgres', databaseUrl: url }),
        openStore({ kind: 'postgres', databaseUrl: url }),
      ]);
      expect(a.location).not.toContain('hunter2');
      expect(a.location).toContain('***');
      expect(await a.listUsers()).toEqual([]);
      await a.close();
      await b.close();
    });
  });
});
