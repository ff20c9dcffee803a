/**
 * Who and where a hook runs for: the user id and the project (git root of the session's
 * `cwd`), and the store to open. Resolution is the CLI's (src/config): `--user`, then
 * `ATTUNE_USER`, then the config file, then the OS user name.
 * @module
 */
import {
  type AttuneConfig,
  findProjectRoot,
  loadConfig,
  resolveStoreConfig,
  resolveUserId,
} from '../../config/config.js';
import type { StoreConfig } from '../../store/open-store.js';
import type { PatternStore } from '../../store/pattern-store.js';

type Env = Record<string, string | undefined>;

/** The resolved user, project and store of one hook run. */
export interface HookIdentity {
  userId: string;
  /** The git root of the session's `cwd`, or `cwd` itself outside git. */
  project: string;
  store: StoreConfig;
  config: AttuneConfig;
}

/** Resolves user, project and store for a session whose working directory is `cwd`. */
export function resolveHookIdentity(cwd: string, user: string | undefined, env: Env): HookIdentity {
  const config = loadConfig(env);
  const userId = resolveUserId(user === undefined ? {} : { user }, env, config);
  const store = resolveStoreConfig({}, env, config);
  return { userId, project: findProjectRoot(cwd), store, config };
}

/** Opens the store, loading its module (and any database driver) only now. */
export async function openHookStore(store: StoreConfig): Promise<PatternStore> {
  const { openStore } = await import('../../store/open-store.js');
  return openStore(store);
}
