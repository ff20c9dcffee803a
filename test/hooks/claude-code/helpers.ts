/**
 * Helpers of the hook tests: run the built CLI as Claude Code would (payload on stdin,
 * HOME and ATTUNE_* in a temp folder), build payloads, read the hook log.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../../..');
export const cli = join(root, 'dist/src/cli/bin.cjs');
export const realTranscripts = join(root, 'test/fixtures/transcripts/claude-code');
export const invoicerTranscript = join(
  import.meta.dirname,
  'fixtures/invoicer-pnpm-invoice-error.jsonl',
);

/** A temp world: home, store, log, and a git project. */
export interface World {
  home: string;
  store: string;
  log: string;
  project: string;
  env: Record<string, string>;
}

export function makeWorld(extraEnv: Record<string, string> = {}): World {
  const home = mkdtempSync(join(tmpdir(), 'attune-hooks-'));
  const project = join(home, 'work', 'invoicer');
  mkdirSync(join(project, '.git'), { recursive: true });
  mkdirSync(join(project, 'src', 'invoice'), { recursive: true });
  const store = join(home, 'store');
  const log = join(home, '.attune', 'hooks.log');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    ATTUNE_HOME: join(home, '.attune'),
    ATTUNE_STORAGE_DIR: store,
    ATTUNE_USER: 'tester',
    ATTUNE_LOG_FILE: log,
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    ...extraEnv,
  };
  return { home, store, log, project, env };
}

/** Runs `node dist/src/cli/bin.cjs ...args` (the installed entry) with `input` on stdin. */
export function attune(
  world: World,
  args: string[],
  input?: string,
  env: Record<string, string> = {},
  cwd = world.project,
) {
  if (!existsSync(cli))
    throw new Error(`${cli} is missing: run 'npm run build' first (npm test does)`);
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    input: input ?? '',
    encoding: 'utf8',
    env: { ...world.env, ...env },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A hook payload as Claude Code sends it. */
export function payload(event: string, fields: Record<string, unknown>): string {
  return JSON.stringify({
    session_id: 'b3f1c2d4-0000-4000-8000-000000000001',
    transcript_path: '/nonexistent/session.jsonl',
    permission_mode: 'default',
    hook_event_name: event,
    ...fields,
  });
}

/** The hook log's lines ([] when there is no log). */
export function logLines(world: World): string[] {
  if (!existsSync(world.log)) return [];
  return readFileSync(world.log, 'utf8').split('\n').filter(Boolean);
}

/** True while a process with this pid runs (a zombie waiting to be reaped counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
  try {
    // Field 3 of /proc/<pid>/stat is the state; Z is a zombie (exited, not yet reaped).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return !existsSync('/proc');
  }
}

/** Waits until `check` holds, polling; throws after `ms`. */
export async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Pids of live processes running the attune CLI for this world (their environment names
 * its home). Linux only: elsewhere, where there is no /proc, it returns [].
 */
export function attuneProcessesOf(world: World): number[] {
  if (!existsSync('/proc')) return [];
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${name}/environ`, 'utf8');
      if (cmdline.includes(cli) && environ.includes(`HOME=${world.home}`)) found.push(Number(name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}
