/**
 * The built `attune` CLI run as a real subprocess, for the tests that drive it end to end.
 * `npm test` builds before vitest runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root. */
export const root = resolve(import.meta.dirname, '../..');
/** The built CLI entry. */
export const cli = join(root, 'dist/src/cli/main.js');

/** What a run printed and how it exited. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node dist/src/cli/main.js ...args` in `cwd` with exactly `env` (nothing inherited), and
 * `input` on stdin. Throws when the CLI has not been built.
 */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined>; input?: string },
): CliRun {
  if (!existsSync(cli))
    throw new Error(`${cli} is missing: run 'npm run build' first (npm test does)`);
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf8',
    env: options.env,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
