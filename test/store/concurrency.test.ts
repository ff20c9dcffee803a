import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type StoreConfig } from '../../src/store/open-store.js';
import { type PostgresServer, postgresSkipReason, startPostgres } from '../helpers/postgres.js';
import { expectBuilt, runWorker } from '../helpers/workers.js';

const PROCESSES = 8;
const PER_PROCESS = 200;
const USER = 'shared-user';
const skipPostgres = postgresSkipReason();

async function hammer(store: StoreConfig, label: string): Promise<void> {
  expectBuilt();
  const started = performance.now();
  const outputs = await Promise.all(
    Array.from({ length: PROCESSES }, (_, w) =>
      runWorker({
        mode: 'save',
        store: { ...store, lockTimeoutMs: 300_000 },
        userId: USER,
        prefix: `w${w}`,
        count: PER_PROCESS,
        maxPatterns: 100_000,
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  expect(outputs.every((o) => o.trim() === 'done')).toBe(true);
  const reader = await openStore(store);
  try {
    const ids = new Set((await reader.listPatterns(USER)).map((p) => p.patternId));
    const missing: string[] = [];
    for (let w = 0; w < PROCESSES; w++) {
      for (let i = 0; i < PER_PROCESS; i++) if (!ids.has(`w${w}-${i}`)) missing.push(`w${w}-${i}`);
    }
    const total = PROCESSES * PER_PROCESS;
    console.log(
      `[concurrency] ${label}: ${PROCESSES} processes x ${PER_PROCESS} saves = ${total} saves in ${seconds.toFixed(1)} s ` +
        `(${(total / seconds).toFixed(0)} saves/s), stored ${ids.size}, lost ${missing.length}`,
    );
    expect(missing).toEqual([]);
    expect(await reader.countPatterns(USER)).toBe(total);
    expect(await reader.check()).toEqual([]);
  } finally {
    await reader.close();
  }
}

describe('concurrent writer processes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attune-concurrency-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loses no pattern when 8 processes save 200 each into one file store user at once', async () => {
    await hammer({ kind: 'file', storageDir: join(dir, 'file') }, 'file');
  }, 600_000);

  it('loses no pattern when 8 processes save 200 each into one sqlite user at once', async () => {
    await hammer({ kind: 'sqlite', databaseUrl: join(dir, 'attune.db') }, 'sqlite');
  }, 600_000);

  describe.skipIf(skipPostgres !== undefined)('postgres', () => {
    let server: PostgresServer;
    beforeAll(async () => {
      server = await startPostgres();
    });
    afterAll(() => server?.stop());

    it('loses no pattern when 8 processes save 200 each into one postgres user at once', async () => {
      await hammer({ kind: 'postgres', databaseUrl: await server.createDatabase() }, 'postgres');
    }, 600_000);
  });
});
