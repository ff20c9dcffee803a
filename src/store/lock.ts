/**
 * A cross-process lock file: created with O_EXCL, holding the owner's pid and host.
 * A lock whose owner died (same host, pid gone) or that is older than `staleMs` is broken.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { AttuneError, ErrorCode } from '../errors.js';

/** Options of {@link withLock}. */
export interface LockOptions {
  /**
   * Give up after this long.
   * @default 30000
   */
  timeoutMs?: number;
  /**
   * A lock older than this is taken to be left by a crashed owner on another host.
   * @default 60000
   */
  staleMs?: number;
}

const HOST = hostname();

/** Runs `fn` while holding the lock file at `path`; the lock is released even if `fn` throws. */
export async function withLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const token = await acquire(path, options);
  try {
    return await fn();
  } finally {
    await release(path, token);
  }
}

async function acquire(path: string, options: LockOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const staleMs = options.staleMs ?? 60_000;
  const token = `${process.pid} ${HOST} ${Date.now()} ${randomBytes(6).toString('hex')}`;
  const deadline = Date.now() + timeoutMs;
  let wait = 2;
  // The token is written to a private file first and then hard-linked into place, so the
  // lock file is never seen empty: a writer killed between create and write used to leave
  // an empty lock that nobody could prove stale until staleMs had passed.
  const draft = `${path}.${process.pid}-${randomBytes(6).toString('hex')}`;
  await fs.writeFile(draft, token, { flag: 'wx' });
  try {
    for (;;) {
      try {
        await fs.link(draft, path);
        return token;
      } catch (error) {
        if (!isCode(error, 'EEXIST')) throw error;
      }
      await breakIfStale(path, staleMs);
      if (Date.now() > deadline) {
        throw new AttuneError(
          ErrorCode.LOCK_TIMEOUT,
          `could not lock ${path} within ${timeoutMs} ms`,
          {
            suggestion: `Another attune process holds it. If none is running, delete ${path}.`,
          },
        );
      }
      await sleep(wait + Math.random() * wait);
      wait = Math.min(wait * 2, 50);
    }
  } finally {
    await fs.unlink(draft).catch(() => undefined);
  }
}

async function breakIfStale(path: string, staleMs: number): Promise<void> {
  let content: string;
  let mtimeMs: number;
  try {
    content = await fs.readFile(path, 'utf8');
    mtimeMs = (await fs.stat(path)).mtimeMs;
  } catch (error) {
    if (isCode(error, 'ENOENT')) return;
    throw error;
  }
  const [pidText, host] = content.split(' ');
  const pid = Number(pidText);
  // An empty lock (left by an older attune killed between create and write) waits staleMs.
  const ownerDead = host === HOST && Number.isInteger(pid) && pid > 0 && !isAlive(pid);
  if (!ownerDead && Date.now() - mtimeMs < staleMs) return;
  // Move it aside atomically: of several breakers, exactly one gets this file.
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.rename(path, aside);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return;
    throw error;
  }
  const moved = await fs.readFile(aside, 'utf8').catch(() => '');
  if (moved !== content) {
    // We moved a fresh lock taken in between: put it back if nobody holds the path now.
    await fs.link(aside, path).catch(() => undefined);
  }
  await fs.unlink(aside).catch(() => undefined);
}

async function release(path: string, token: string): Promise<void> {
  const content = await fs.readFile(path, 'utf8').catch(() => '');
  if (content === token) await fs.unlink(path).catch(() => undefined);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isCode(error, 'EPERM');
  }
}

/** True when `error` is a Node system error with the given code. */
export function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
