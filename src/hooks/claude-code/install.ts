/**
 * `attune hooks install|uninstall|status`: puts our hooks into Claude Code's settings
 * (`.claude/settings.json` of the project, `.claude/settings.local.json`, or the user's
 * `~/.claude/settings.json`) and the `/evaluate` and `/patterns` command files beside them,
 * and takes exactly those out again.
 *
 * A settings file that is not valid JSON is reported and never written over. Writes are
 * atomic (temp file and rename). Installing twice leaves the files as installing once did.
 * @module
 */
import { constants, promises as fs } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { claudeConfigDir } from '../../config/claude-paths.js';
import { findProjectRoot } from '../../config/config.js';
import { AttuneError, ErrorCode } from '../../errors.js';
import { cliEntryPath } from './background.js';
import { addOurHooks, type JsonObject, listOurHooks, removeOurHooks } from './settings.js';
import { isOurCommandFile, slashCommandFiles } from './slash-commands.js';

type Env = Record<string, string | undefined>;

/** Where to install: the project (shared), the project's local file, or the user. */
export type InstallScope = 'project' | 'local' | 'user';

/** The valid scopes. */
export const INSTALL_SCOPES: readonly InstallScope[] = ['project', 'local', 'user'];

/** Options of {@link installHooks} and {@link uninstallHooks}. */
export interface InstallOptions {
  /** @default 'project' */
  scope?: InstallScope;
  /** Folder inside the project (its git root is used). @default process.cwd() */
  cwd?: string;
  /**
   * How hooks call the CLI. Default: `attune` when the `attune` on PATH is this same
   * program, else the absolute `node` and script paths of this installation.
   */
  command?: string;
  /** Also install the `/evaluate` and `/patterns` command files. @default true */
  slashCommands?: boolean;
  /** Overwrite command files of the same name that we did not write. @default false */
  force?: boolean;
  env?: Env;
}

/** What install or uninstall did. */
export interface InstallResult {
  settingsPath: string;
  /** Whether the settings file was written. */
  settingsChanged: boolean;
  /** Events added (install) or removed (uninstall). */
  events: string[];
  /** Command files written (install) or removed (uninstall). */
  commandFiles: string[];
  /** Command files left alone, with why. */
  skipped: { path: string; reason: string }[];
  /** The CLI prefix the hooks call (install only). */
  command?: string;
}

/** The settings file and command folder of a scope. */
export function installPaths(
  scope: InstallScope,
  cwd: string,
  env: Env = process.env,
): { settingsPath: string; commandsDir: string } {
  if (scope === 'user') {
    const dir = claudeConfigDir(env);
    return { settingsPath: join(dir, 'settings.json'), commandsDir: join(dir, 'commands') };
  }
  const dir = join(findProjectRoot(cwd), '.claude');
  return {
    settingsPath: join(dir, scope === 'local' ? 'settings.local.json' : 'settings.json'),
    commandsDir: join(dir, 'commands'),
  };
}

/** Adds our hooks (and, by default, the slash commands) for `options.scope`. */
export async function installHooks(options: InstallOptions = {}): Promise<InstallResult> {
  const env = options.env ?? process.env;
  const scope = checkScope(options.scope ?? 'project');
  const { settingsPath, commandsDir } = installPaths(scope, options.cwd ?? process.cwd(), env);
  const command = options.command?.trim() || (await defaultCommandPrefix(env));
  const before = await readSettings(settingsPath);
  const change = addOurHooks(before ?? {}, command);
  const settingsChanged = change.added.length > 0;
  if (settingsChanged) await writeJsonFile(settingsPath, change.settings);
  const result: InstallResult = {
    settingsPath,
    settingsChanged,
    events: change.added,
    commandFiles: [],
    skipped: [],
    command,
  };
  if (options.slashCommands === false) return result;
  for (const file of slashCommandFiles(command)) {
    const path = join(commandsDir, file.name);
    const existing = await readText(path);
    if (existing === file.text) continue;
    if (existing !== null && !isOurCommandFile(existing) && !options.force) {
      result.skipped.push({
        path,
        reason: 'a command of that name exists and was not written by attune (use --force)',
      });
      continue;
    }
    await fs.mkdir(commandsDir, { recursive: true });
    await writeFileAtomic(path, file.text);
    result.commandFiles.push(path);
  }
  return result;
}

/** Removes exactly what {@link installHooks} added for `options.scope`. */
export async function uninstallHooks(options: InstallOptions = {}): Promise<InstallResult> {
  const env = options.env ?? process.env;
  const scope = checkScope(options.scope ?? 'project');
  const { settingsPath, commandsDir } = installPaths(scope, options.cwd ?? process.cwd(), env);
  const before = await readSettings(settingsPath);
  const change = before === null ? null : removeOurHooks(before);
  const settingsChanged = change !== null && change.removed.length > 0;
  if (change && settingsChanged) {
    // A file that held only our hooks was most likely created by install: remove it too.
    if (Object.keys(change.settings).length === 0) await fs.unlink(settingsPath);
    else await writeJsonFile(settingsPath, change.settings);
  }
  const result: InstallResult = {
    settingsPath,
    settingsChanged,
    events: change?.removed ?? [],
    commandFiles: [],
    skipped: [],
  };
  if (options.slashCommands === false) return result;
  for (const file of slashCommandFiles('attune')) {
    const path = join(commandsDir, file.name);
    const existing = await readText(path);
    if (existing === null) continue;
    if (!isOurCommandFile(existing)) {
      result.skipped.push({ path, reason: 'not written by attune' });
      continue;
    }
    await fs.unlink(path);
    result.commandFiles.push(path);
  }
  // Leave no empty commands folder behind that install created.
  await fs.rmdir(commandsDir).catch(() => undefined);
  return result;
}

/** What is installed for a scope: our hook commands and command files. */
export async function hooksStatus(options: InstallOptions = {}): Promise<{
  settingsPath: string;
  hooks: { event: string; command: string }[];
  commandFiles: string[];
}> {
  const env = options.env ?? process.env;
  const scope = checkScope(options.scope ?? 'project');
  const { settingsPath, commandsDir } = installPaths(scope, options.cwd ?? process.cwd(), env);
  const settings = await readSettings(settingsPath);
  const commandFiles: string[] = [];
  for (const file of slashCommandFiles('attune')) {
    const path = join(commandsDir, file.name);
    const text = await readText(path);
    if (text !== null && isOurCommandFile(text)) commandFiles.push(path);
  }
  return { settingsPath, hooks: settings ? listOurHooks(settings) : [], commandFiles };
}

/**
 * `attune` when the first `attune` on PATH resolves to this program's entry script;
 * otherwise `"<node>" "<script>"`, which works whatever PATH the hook gets.
 */
export async function defaultCommandPrefix(env: Env = process.env): Promise<string> {
  const entry = cliEntryPath();
  const entryReal = await fs.realpath(entry).catch(() => resolve(entry));
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, process.platform === 'win32' ? 'attune.cmd' : 'attune');
    try {
      await fs.access(candidate, constants.X_OK);
    } catch {
      continue;
    }
    const real = await fs.realpath(candidate).catch(() => candidate);
    return real === entryReal ? 'attune' : quoteCommand(process.execPath, entryReal);
  }
  return quoteCommand(process.execPath, entryReal);
}

function quoteCommand(...parts: string[]): string {
  return parts
    .map((p) => (/^[\w./:@+-]+$/.test(p) ? p : `"${p.replace(/(["\\$`])/g, '\\$1')}"`))
    .join(' ');
}

function checkScope(scope: string): InstallScope {
  if ((INSTALL_SCOPES as readonly string[]).includes(scope)) return scope as InstallScope;
  throw new AttuneError(ErrorCode.USAGE, `unknown scope ${JSON.stringify(scope)}`, {
    suggestion: `Valid scopes: ${INSTALL_SCOPES.join(', ')}.`,
  });
}

/** The settings object, or null when the file does not exist. Throws on invalid JSON. */
async function readSettings(path: string): Promise<JsonObject | null> {
  const text = await readText(path);
  if (text === null) return null;
  if (text.trim() === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new AttuneError(
      ErrorCode.INVALID_ARGUMENT,
      `${path} is not valid JSON; it was left untouched`,
      {
        suggestion: 'Fix the file by hand, then run the command again.',
        cause: error,
      },
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new AttuneError(
      ErrorCode.INVALID_ARGUMENT,
      `${path} must hold a JSON object; it was left untouched`,
    );
  }
  return data as JsonObject;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return null;
    throw error;
  }
}

async function writeJsonFile(path: string, data: JsonObject): Promise<void> {
  await fs.mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`);
}
