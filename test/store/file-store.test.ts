import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../../src/store/file-store.js';
import { describeStoreContract } from './contract.js';

describeStoreContract('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'attune-file-'));
  return {
    store: new FileStore({ storageDir: join(dir, 'learned_skills') }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
