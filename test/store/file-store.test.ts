import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPattern } from '../../src/model/pattern.js';
import { FileStore } from '../../src/store/file-store.js';
import { describeStoreContract } from './contract.js';

describeStoreContract('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'attune-file-'));
  return {
    store: new FileStore({ storageDir: join(dir, 'learned_skills') }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

const sample = {
  category: 'preference' as const,
  trigger: 'Installing dependencies',
  context: 'The user asked for pnpm.',
  resolution: 'Use pnpm, not npm.',
  confidence: 0.8,
};

describe('user folders on a file system that ignores case', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attune-file-case-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('records the exact user id that created a folder', async () => {
    const store = new FileStore({ storageDir: dir });
    await store.savePatterns('Alice', [createPattern(sample)], { maxPatterns: 100 });
    expect(await readFile(join(dir, 'Alice', '.owner'), 'utf8')).toBe('Alice\n');
  });

  it('refuses another spelling that lands in the same folder, reading and writing', async () => {
    // What a case-insensitive file system does: "alice" opens the folder "Alice" made.
    const store = new FileStore({ storageDir: dir });
    await mkdir(join(dir, 'alice'), { recursive: true });
    await writeFile(join(dir, 'alice', '.owner'), 'Alice\n');
    await writeFile(join(dir, 'alice', 'patterns.json'), '[]\n');
    const refused = { code: 'INVALID_ARGUMENT', message: expect.stringContaining('"Alice"') };
    await expect(store.listPatterns('alice')).rejects.toMatchObject(refused);
    await expect(
      store.savePatterns('alice', [createPattern(sample)], { maxPatterns: 100 }),
    ).rejects.toMatchObject(refused);
    expect(await readFile(join(dir, 'alice', 'patterns.json'), 'utf8')).toBe('[]\n');
  });

  it('claims a folder made before owners were recorded, for the user who writes to it', async () => {
    const store = new FileStore({ storageDir: dir });
    await mkdir(join(dir, 'bob'), { recursive: true });
    await writeFile(join(dir, 'bob', 'patterns.json'), '[]\n');
    expect(await store.listPatterns('bob')).toEqual([]);
    await store.savePatterns('bob', [createPattern(sample)], { maxPatterns: 100 });
    expect(await readFile(join(dir, 'bob', '.owner'), 'utf8')).toBe('bob\n');
    expect(await store.countPatterns('bob')).toBe(1);
  });

  it('leaves one owner and no temporary claim files when writers claim a folder at once', async () => {
    // Separate stores, as separate processes would be: none has the owner cached.
    const writes = Array.from({ length: 16 }, (_, i) =>
      new FileStore({ storageDir: dir }).savePatterns(
        'carol',
        [createPattern({ ...sample, trigger: `when ${i}` })],
        { maxPatterns: 100 },
      ),
    );
    await expect(Promise.all(writes)).resolves.toHaveLength(16);
    expect(await readFile(join(dir, 'carol', '.owner'), 'utf8')).toBe('carol\n');
    const left = (await readdir(join(dir, 'carol'))).filter((f) => f.startsWith('.owner.'));
    expect(left).toEqual([]);
  });

  it('reads an owner file left empty by a cut-short claim as unclaimed', async () => {
    const store = new FileStore({ storageDir: dir });
    await mkdir(join(dir, 'dave'), { recursive: true });
    await writeFile(join(dir, 'dave', '.owner'), '');
    await store.savePatterns('dave', [createPattern(sample)], { maxPatterns: 100 });
    expect(await store.countPatterns('dave')).toBe(1);
  });
});
