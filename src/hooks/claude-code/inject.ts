/**
 * The injecting hooks: `SessionStart` prints the best patterns for this user and project,
 * `UserPromptSubmit` the few that bear on the prompt. Both print the JSON Claude Code
 * expects (`hookSpecificOutput.additionalContext`), or nothing when nothing qualifies.
 *
 * This runs on every session start and every prompt, so its static imports are only the
 * config resolution; selection, formatting and the store reader are loaded when the
 * context cache misses, and the log only when something goes wrong. No CLI framework, no
 * schema library, no transcript readers, no store write path.
 * @module
 */
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type AttuneConfig,
  attuneHome,
  findProjectRoot,
  loadConfig,
  resolveStoreConfig,
  resolveUserId,
} from '../../config/config.js';
import type { StoreConfig } from '../../store/open-store.js';
import type { PatternStore } from '../../store/pattern-store.js';
import type { InjectablePattern } from './context.js';
import fastStart from './fast-start.cjs';
import type { HookPayload } from './payload.js';

type Env = Record<string, string | undefined>;

/** Defaults of the injected blocks (the config file's `contextBudget` and `contextMaxPatterns` override the session ones). */
export const CONTEXT_DEFAULTS = {
  /** Character budget of the session-start block (Claude Code caps hook output at 10 000). */
  sessionBudget: 4000,
  /** Patterns at most in the session-start block. */
  sessionMaxPatterns: 10,
  /** Character budget of a prompt block. */
  promptBudget: 1500,
  /** Patterns at most in a prompt block. */
  promptMaxPatterns: 3,
  /** Patterns below this confidence are never injected. */
  minConfidence: 0.5,
} as const satisfies Record<string, number>;

/** The resolved user, project and store of one hook run. */
export interface HookIdentity {
  userId: string;
  /** The git root of the session's `cwd`, or `cwd` itself outside git. */
  project: string;
  store: StoreConfig;
  config: AttuneConfig;
}

/**
 * Resolves user, project and store for a session whose working directory is `cwd`, as the
 * CLI does (src/config): `--user`, then `ATTUNE_USER`, then the config file, then the OS
 * user name; the project is the nearest folder above `cwd` holding `.git`, else `cwd`.
 */
export function resolveHookIdentity(cwd: string, user: string | undefined, env: Env): HookIdentity {
  const config = loadConfig(env);
  const userId = resolveUserId(user === undefined ? {} : { user }, env, config);
  const store = resolveStoreConfig({}, env, config);
  return { userId, project: findProjectRoot(cwd), store, config };
}

async function log(event: string, message: string, env: Env): Promise<void> {
  (await import('./log.js')).writeHookLog(event, message, env);
}

/** Options of the injecting hooks; each falls back to the config file, then the default. */
export interface InjectOptions {
  /** User id, as `--user` (wins over `ATTUNE_USER` and the config file). */
  user?: string;
  /** Character budget of the block. */
  budget?: number;
  /** Patterns at most. */
  maxPatterns?: number;
  env?: Env;
}

/** The stdout of the SessionStart hook: the JSON object, or '' when nothing qualifies. */
export async function runSessionStartHook(
  payload: HookPayload,
  options: InjectOptions = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const id = resolveHookIdentity(payload.cwd, options.user, env);
  const output = await sessionStartOutput(id, options, env);
  const plain =
    options.user === undefined && options.budget === undefined && options.maxPatterns === undefined;
  if (plain) await recordFastReplay(id, payload.cwd, output, env);
  return output;
}

/**
 * Leaves the output for bin.cjs's CommonJS fast path (hooks/claude-code/fast-start.cts),
 * keyed by every raw input it came from plus the patterns file's identity, so that the next
 * identical session start is answered without loading any ES module. File store only.
 */
async function recordFastReplay(id: HookIdentity, cwd: string, output: string, env: Env) {
  if ((id.store.kind ?? 'file') !== 'file' || id.store.storageDir === undefined) return;
  try {
    const key = fastStart.sessionStartRequestKey(cwd, env);
    const patterns = join(id.store.storageDir, id.userId, 'patterns.json');
    const path = fastStart.fastRecordPath(key, env);
    const record = { key, patterns, identity: fastStart.fileIdentity(patterns), output };
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(record), { mode: 0o600 });
    renameSync(temp, path);
  } catch (error) {
    await log('session-start', `could not write the fast-path record: ${String(error)}`, env);
  }
}

/**
 * Computes the session-start output for `id` and stores it in the context cache, so that
 * the next session start after a store write finds it warm. Called by the learning hooks
 * after they wrote to the store.
 */
export async function refreshSessionStartCache(
  id: HookIdentity,
  env: Env = process.env,
  fastReplayCwd?: string,
): Promise<void> {
  const output = await sessionStartOutput(id, {}, env);
  // Only for an identity resolved as a plain `attune hook session-start` resolves it (no
  // --user): the fast path serves exactly those calls.
  if (fastReplayCwd !== undefined) await recordFastReplay(id, fastReplayCwd, output, env);
}

async function sessionStartOutput(
  id: HookIdentity,
  options: InjectOptions,
  env: Env,
): Promise<string> {
  const maxPatterns =
    options.maxPatterns ?? id.config.contextMaxPatterns ?? CONTEXT_DEFAULTS.sessionMaxPatterns;
  const budget = options.budget ?? id.config.contextBudget ?? CONTEXT_DEFAULTS.sessionBudget;
  if (maxPatterns === 0) return '';
  const compute = async () => {
    const { formatInjectedContext, selectSessionPatterns } = await import('./context.js');
    // Over-fetch so that observation counts can reorder near ties.
    const candidates = await loadPatterns(id, maxPatterns * 4, env);
    const chosen = selectSessionPatterns(candidates, {
      maxPatterns,
      minConfidence: CONTEXT_DEFAULTS.minConfidence,
    });
    return hookOutput('SessionStart', formatInjectedContext(chosen, 'session', budget));
  };
  if ((id.store.kind ?? 'file') !== 'file' || id.store.storageDir === undefined) return compute();
  return cachedSessionOutput(id, `${maxPatterns}:${budget}`, env, compute);
}

/** Bumped whenever the selection or the wording of the session block changes. */
const CACHE_VERSION = 1;

/**
 * The session-start output for the file store, cached under `$ATTUNE_HOME/cache/` and
 * keyed by the identity of `patterns.json` (size, mtime, inode: every store write replaces
 * the file), so that a session start with thousands of stored patterns reads one small
 * file instead of parsing them all. Any cache failure falls back to computing.
 */
async function cachedSessionOutput(
  id: HookIdentity,
  settings: string,
  env: Env,
  compute: () => Promise<string>,
): Promise<string> {
  const file = join(id.store.storageDir ?? '', id.userId, 'patterns.json');
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) return '';
  const scope = `${CACHE_VERSION}\n${id.store.storageDir}\n${id.userId}\n${id.project}\n${settings}`;
  const key = `${scope}\n${stat.size}:${stat.mtimeMs}:${stat.ino}`;
  const dir = join(attuneHome(env), 'cache');
  const path = join(dir, `session-start-${hash(scope)}.json`);
  try {
    const cached = JSON.parse(readFileSync(path, 'utf8')) as {
      key?: unknown;
      output?: unknown;
    };
    if (cached.key === key && typeof cached.output === 'string') return cached.output;
  } catch {
    // No cache yet, or an unreadable one: compute and rewrite it.
  }
  const output = await compute();
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ key, output }), { mode: 0o600 });
    renameSync(temp, path);
  } catch (error) {
    await log('session-start', `could not write the context cache ${path}: ${String(error)}`, env);
  }
  return output;
}

/** FNV-1a, 32 bits, as hex: a short file name for a cache scope (collisions only cost a miss). */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The stdout of the UserPromptSubmit hook: the JSON object, or '' when nothing bears on it. */
export async function runUserPromptSubmitHook(
  payload: HookPayload,
  options: InjectOptions = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const prompt = payload.prompt ?? '';
  if (prompt.trim() === '') return '';
  const id = resolveHookIdentity(payload.cwd, options.user, env);
  const maxPatterns = options.maxPatterns ?? CONTEXT_DEFAULTS.promptMaxPatterns;
  const budget = options.budget ?? CONTEXT_DEFAULTS.promptBudget;
  if (maxPatterns === 0) return '';
  const { formatInjectedContext, selectPromptPatterns } = await import('./context.js');
  const candidates = await loadPatterns(id, 5000, env);
  // A note injected earlier in this session is in the context already: not again.
  const shown = injectedEarlier(payload.sessionId, env);
  const chosen = selectPromptPatterns(
    shown.size > 0 ? candidates.filter((p) => !shown.has(p.patternId)) : candidates,
    prompt,
    { maxPatterns, minConfidence: CONTEXT_DEFAULTS.minConfidence },
  );
  const output = hookOutput('UserPromptSubmit', formatInjectedContext(chosen, 'prompt', budget));
  if (output !== '') await rememberInjected(payload.sessionId, shown, chosen, env);
  return output;
}

/** How long the record of what a session was shown is kept. */
const INJECTED_TTL_MS = 3 * 24 * 60 * 60 * 1000;

/** The file recording the pattern ids injected into one session's prompts. */
function injectedFile(sessionId: string, env: Env): string {
  const dir = join(attuneHome(env), 'cache');
  return join(dir, `injected-${hash(sessionId)}.json`);
}

/** The pattern ids injected earlier in this session (empty when unknown or unreadable). */
function injectedEarlier(sessionId: string, env: Env): Set<string> {
  if (sessionId === '') return new Set();
  try {
    const data = JSON.parse(readFileSync(injectedFile(sessionId, env), 'utf8')) as {
      session?: unknown;
      ids?: unknown;
    };
    if (data.session !== sessionId || !Array.isArray(data.ids)) return new Set();
    return new Set(data.ids.filter((x): x is string => typeof x === 'string'));
  } catch {
    return new Set();
  }
}

/**
 * Adds what was injected now to the session's record; on a session's first record, prunes
 * other sessions' old ones.
 */
async function rememberInjected(
  sessionId: string,
  earlier: ReadonlySet<string>,
  chosen: readonly InjectablePattern[],
  env: Env,
): Promise<void> {
  if (sessionId === '') return;
  const path = injectedFile(sessionId, env);
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const ids = [...new Set([...earlier, ...chosen.map((p) => p.patternId)])];
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ session: sessionId, ids }), { mode: 0o600 });
    renameSync(temp, path);
    // Old sessions' records are swept once per session, not on every prompt.
    if (earlier.size > 0) return;
    const now = Date.now();
    for (const name of readdirSync(dirname(path))) {
      if (!name.startsWith('injected-') || join(dirname(path), name) === path) continue;
      const other = join(dirname(path), name);
      const stat = statSync(other, { throwIfNoEntry: false });
      if (stat && now - stat.mtimeMs > INJECTED_TTL_MS) rmSync(other, { force: true });
    }
  } catch (error) {
    await log('inject', `could not record the injected patterns in ${path}: ${String(error)}`, env);
  }
}

/**
 * The patterns that apply in the identity's project. The file store is read directly
 * (fast-store.ts); other stores through their PatternStore, at most `limit` of them.
 */
async function loadPatterns(
  id: HookIdentity,
  limit: number,
  env: Env,
): Promise<InjectablePattern[]> {
  if ((id.store.kind ?? 'file') === 'file' && id.store.storageDir !== undefined) {
    const { readInjectablePatterns } = await import('./fast-store.js');
    const read = readInjectablePatterns(id.store.storageDir, id.userId, id.project);
    if (read.invalid > 0)
      await log('inject', `skipped ${read.invalid} invalid patterns of ${id.userId}`, env);
    return read.patterns;
  }
  // Other stores through their PatternStore, loading its module (and driver) only now.
  const { openStore } = await import('../../store/open-store.js');
  const store: PatternStore = await openStore(id.store);
  try {
    return await store.listPatterns(id.userId, { project: id.project, limit });
  } finally {
    await store.close();
  }
}

/** `{"hookSpecificOutput":{"hookEventName":..,"additionalContext":..}}`, or '' for no context. */
export function hookOutput(event: 'SessionStart' | 'UserPromptSubmit', context: string): string {
  if (context === '') return '';
  return JSON.stringify({
    hookSpecificOutput: { hookEventName: event, additionalContext: context },
  });
}
