/**
 * Spawning the store writer processes of test/helpers/store-worker.mjs.
 * @module
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { StoreConfig } from '../../src/store/open-store.js';

/** The worker script. */
export const WORKER = fileURLToPath(new URL('./store-worker.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/src/store/open-store.js', import.meta.url));

/** Fails with a clear message when the compiled library the workers import is missing. */
export function expectBuilt(): void {
  expect(
    existsSync(DIST),
    `${DIST} is missing: worker processes import the compiled library; run \`npm run build\` first`,
  ).toBe(true);
}

/** What a worker is asked to do. */
export interface WorkerJob {
  mode: 'save' | 'loop';
  store: StoreConfig;
  userId: string;
  prefix: string;
  count?: number;
  maxPatterns: number;
}

/** Starts a worker. */
export function startWorker(job: WorkerJob): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [WORKER, JSON.stringify(job)], { stdio: 'pipe' });
}

/** Runs a worker to completion; rejects with its stderr when it fails. */
export function runWorker(job: WorkerJob): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = startWorker(job);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`worker ${job.prefix} exited with ${code}:\n${err}`));
    });
  });
}
