/**
 * Where Claude Code keeps a project's session transcripts.
 * @module
 */
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

type Env = Record<string, string | undefined>;

/** `~/.claude` or `$CLAUDE_CONFIG_DIR`. */
export function claudeConfigDir(env: Env = process.env): string {
  return resolve(env.CLAUDE_CONFIG_DIR || join(homedir(), '.claude'));
}

/** `~/.claude/projects/<cwd with every non-alphanumeric character replaced by '-'>`. */
export function claudeProjectDir(cwd: string, env: Env = process.env): string {
  return join(claudeConfigDir(env), 'projects', resolve(cwd).replace(/[^A-Za-z0-9]/g, '-'));
}

/** The newest `<session>.jsonl` of the project at `cwd`, or null when there is none. */
export async function findLatestClaudeTranscript(
  cwd: string,
  env: Env = process.env,
): Promise<string | null> {
  const dir = claudeProjectDir(cwd, env);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return null;
  }
  let best: { path: string; mtime: number } | null = null;
  for (const name of names) {
    if (!name.endsWith('.jsonl') || name.startsWith('agent-')) continue;
    const path = join(dir, name);
    const stat = await fs.stat(path).catch(() => null);
    if (stat?.isFile() && (!best || stat.mtimeMs > best.mtime))
      best = { path, mtime: stat.mtimeMs };
  }
  return best?.path ?? null;
}
