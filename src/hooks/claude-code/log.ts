/**
 * The hook log: one line per event worth knowing about (errors, bad input, background
 * learning), never anything on stdout, which belongs to Claude Code.
 *
 * The file is `$ATTUNE_LOG_FILE`, else `$ATTUNE_HOME/hooks.log` (`~/.attune/hooks.log`).
 * When it grows past 1 MB it is renamed to `hooks.log.1` (replacing the previous one), so
 * at most about 2 MB are ever kept. Writing the log never throws.
 * @module
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

type Env = Record<string, string | undefined>;

/** Size at which the log is rotated. */
export const HOOK_LOG_MAX_BYTES = 1024 * 1024;

/** Where hook log lines go: `$ATTUNE_LOG_FILE`, else `$ATTUNE_HOME/hooks.log`. */
export function hookLogPath(env: Env = process.env): string {
  if (env.ATTUNE_LOG_FILE) return resolve(env.ATTUNE_LOG_FILE);
  return join(resolve(env.ATTUNE_HOME || join(homedir(), '.attune')), 'hooks.log');
}

/**
 * Appends one line `<ISO time> pid=<pid> <event> <message>` to the hook log, rotating it
 * first when it is larger than {@link HOOK_LOG_MAX_BYTES}. Newlines in `message` are
 * flattened so that one call is one line. Failures to write are swallowed: a hook must
 * never break the session because its log is unwritable.
 */
export function writeHookLog(event: string, message: string, env: Env = process.env): void {
  const path = hookLogPath(env);
  const line = `${new Date().toISOString()} pid=${process.pid} ${event} ${message.replace(/\s*[\r\n]+\s*/g, ' | ')}\n`;
  try {
    try {
      if (statSync(path).size > HOOK_LOG_MAX_BYTES) renameSync(path, `${path}.1`);
    } catch {
      mkdirSync(dirname(path), { recursive: true });
    }
    appendFileSync(path, line, { mode: 0o600 });
  } catch {
    // Nowhere left to report to; the hook still exits cleanly.
  }
}

/** A one-line description of any thrown value, for the log. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
