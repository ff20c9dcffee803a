import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type StoreConfig } from '../../src/store/open-store.js';
import { type PostgresServer, postgresSkipReason, startPostgres } from '../helpers/postgres.js';
import { expectBuilt, startWorker } from '../helpers/workers.js';

const KILLS = 50;
const USER = 'crash-user';
const skipPostgres = postgresSkipReason();

/** Runs a looping writer, kills it with SIGKILL after `delayMs`, returns the ids it acknowledged. */
function killAfter(store: StoreConfig, prefix: string, delayMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = startWorker({
      mode: 'loop',
      store,
      userId: USER,
      prefix,
      maxPatterns: 1_000_000,
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (timer === undefined && out.startsWith('ready\n')) {
        timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL') {
        reject(new Error(`worker ${prefix} ended without being killed:\n${err}`));
        return;
      }
      // A last line cut short by the kill was not a full acknowledgement.
      const lines = out.split('\n');
      lines.pop();
      resolve(lines.filter((l) => l !== 'ready'));
    });
  });
}

async function crashRepeatedly(store: StoreConfig, label: string): Promise<void> {
  expectBuilt();
  const acknowledged: string[] = [];
  const lost: string[] = [];
  let seed = 12345;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let k = 0; k < KILLS; k++) {
    acknowledged.push(...(await killAfter(store, `k${k}`, 5 + Math.floor(random() * 300))));
    const reader = await openStore(store);
    try {
      const ids = new Set((await reader.listPatterns(USER)).map((p) => p.patternId));
      lost.push(...acknowledged.filter((id) => !ids.has(id) && !lost.includes(id)));
      expect(await reader.check()).toEqual([]);
    } finally {
      await reader.close();
    }
  }
  console.log(
    `[crash] ${label}: ${KILLS} SIGKILLs at random points, ${acknowledged.length} acknowledged saves, ` +
      `${lost.length} lost, store readable and clean after every kill`,
  );
  expect(acknowledged.length).toBeGreaterThan(KILLS);
  expect(lost).toEqual([]);
}

describe('writers killed with SIGKILL', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attune-crash-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged pattern of a file store writer killed 50 times', async () => {
    await crashRepeatedly({ kind: 'file', storageDir: join(dir, 'file') }, 'file');
  }, 600_000);

  it('keeps every acknowledged pattern of a sqlite writer killed 50 times', async () => {
    await crashRepeatedly({ kind: 'sqlite', databaseUrl: join(dir, 'attune.db') }, 'sqlite');
  }, 600_000);

  describe.skipIf(skipPostgres !== undefined)('postgres', () => {
    let server: PostgresServer;
    beforeAll(async () => {
      server = await startPostgres();
    });
    afterAll(() => server?.stop());

    it('keeps every acknowledged pattern of a postgres writer killed 50 times', async () => {
      await crashRepeatedly(
        { kind: 'postgres', databaseUrl: await server.createDatabase() },
        'postgres',
      );
    }, 600_000);
  });
});
