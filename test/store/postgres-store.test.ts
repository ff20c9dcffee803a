import { afterAll, beforeAll, describe } from 'vitest';
import { createPostgresStore } from '../../src/store/postgres-store.js';
import { type PostgresServer, postgresSkipReason, startPostgres } from '../helpers/postgres.js';
import { describeStoreContract } from './contract.js';

const skip = postgresSkipReason();

describe.skipIf(skip !== undefined)('postgres (throwaway cluster)', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(() => server?.stop());

  describeStoreContract('postgres', async () => {
    const store = await createPostgresStore({ connectionString: await server.createDatabase() });
    return { store, cleanup: () => store.close() };
  });
});
