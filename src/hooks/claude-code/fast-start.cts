/**
 * The session-start fast path, in CommonJS so that a warm session start loads no ES module
 * at all. It only replays output the full hook computed earlier for exactly the same inputs:
 * the full path (inject.ts) records `{ key, patterns file identity, output }` under
 * `$ATTUNE_HOME/cache/fast-*.json`, keyed by {@link sessionStartRequestKey}; this file
 * recomputes the key from the raw inputs (environment, config file identity, OS user,
 * project root) and prints the recorded output when the key and the patterns file are
 * unchanged. Anything else, including any error, returns null and the full path runs.
 * @module
 */
import fs = require('node:fs');
import os = require('node:os');
import path = require('node:path');

const { fstatSync, readFileSync, readSync, statSync } = fs;
const { homedir, userInfo } = os;
const { dirname, isAbsolute, join, resolve } = path;

type Env = Record<string, string | undefined>;

/** Bumped when the key or the record format changes. */
const FAST_VERSION = 1;

/** What the full path records for the fast path. */
interface FastRecord {
  key: string;
  /** The patterns.json the output was computed from, and its `size:mtimeMs:ino`. */
  patterns: string;
  identity: string;
  output: string;
}

/** `size:mtimeMs:ino` of a file, or null when it does not exist. */
function fileIdentity(path: string): string | null {
  const s = statSync(path, { throwIfNoEntry: false });
  return s ? `${s.size}:${s.mtimeMs}:${s.ino}` : null;
}

/** The nearest ancestor of `cwd` holding `.git`, else `cwd` (as config.ts's findProjectRoot). */
function projectRootOf(cwd: string): string {
  const start = resolve(cwd);
  let dir = start;
  for (;;) {
    if (statSync(join(dir, '.git'), { throwIfNoEntry: false })) return dir;
    const parent = dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
}

/**
 * Every raw input that decides the session-start output besides the store's content: the
 * attune environment variables, the config file's identity, home and OS user, the project.
 */
function sessionStartRequestKey(cwd: string, env: Env = process.env): string {
  const home = resolve(env.ATTUNE_HOME || join(homedir(), '.attune'));
  const config = resolve(env.ATTUNE_CONFIG || join(home, 'config.json'));
  let user = '';
  try {
    user = userInfo().username;
  } catch {
    user = env.USER ?? '';
  }
  return JSON.stringify([
    FAST_VERSION,
    projectRootOf(cwd),
    env.ATTUNE_USER ?? null,
    env.ATTUNE_STORE ?? null,
    env.ATTUNE_STORAGE_DIR ?? null,
    env.ATTUNE_DATABASE_URL ?? null,
    home,
    config,
    fileIdentity(config),
    homedir(),
    user,
  ]);
}

/** Where the record for `key` lives. */
function fastRecordPath(key: string, env: Env = process.env): string {
  const home = resolve(env.ATTUNE_HOME || join(homedir(), '.attune'));
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return join(home, 'cache', `fast-${(h >>> 0).toString(16).padStart(8, '0')}.json`);
}

/**
 * The recorded session-start output for this payload, or null when the full hook must run
 * (no record, anything changed, a payload it does not understand, any error).
 */
function replaySessionStart(payloadText: string, env: Env = process.env): string | null {
  try {
    const payload = JSON.parse(payloadText) as { hook_event_name?: unknown; cwd?: unknown };
    if (payload.hook_event_name !== 'SessionStart') return null;
    if (typeof payload.cwd !== 'string' || !isAbsolute(payload.cwd)) return null;
    const key = sessionStartRequestKey(payload.cwd, env);
    const record = JSON.parse(
      readFileSync(fastRecordPath(key, env), 'utf8'),
    ) as Partial<FastRecord>;
    if (record.key !== key || typeof record.output !== 'string') return null;
    if (typeof record.patterns !== 'string' || fileIdentity(record.patterns) !== record.identity) {
      return null;
    }
    return record.output;
  } catch {
    return null;
  }
}

/**
 * Reads all of stdin synchronously when it is a pipe or a file (null for a terminal or on
 * an error), waiting at most `timeoutMs` for a writer that does not close it.
 */
function readStdinSync(timeoutMs = 10_000): string | null {
  try {
    const s = fstatSync(0);
    if (!s.isFIFO() && !s.isFile() && !s.isSocket()) return null;
    const chunks: Buffer[] = [];
    const buffer = Buffer.alloc(65536);
    const deadline = Date.now() + timeoutMs;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
      let n: number;
      try {
        n = readSync(0, buffer, 0, buffer.length, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EOF') break;
        if (code !== 'EAGAIN' || Date.now() > deadline) throw error;
        Atomics.wait(pause, 0, 0, 2);
        continue;
      }
      if (n === 0) break;
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch {
    return null;
  }
}

export = {
  fastRecordPath,
  fileIdentity,
  projectRootOf,
  readStdinSync,
  replaySessionStart,
  sessionStartRequestKey,
};
