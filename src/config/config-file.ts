/**
 * Editing the config file: `attune config set KEY VALUE` and `unset KEY`.
 *
 * A change is checked exactly as the file is read (see {@link parseConfig}) before anything is
 * written, keys the file holds that attune does not know are kept, and the file is replaced
 * atomically under a lock, so a crash or a second writer never leaves it half written or loses
 * the other's change.
 * @module
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { AttuneError, ErrorCode } from '../errors.js';
import { validateUserId } from '../model/user-id.js';
import { withLock } from '../store/lock.js';
import { type AttuneConfig, configPath, parseConfig, readConfigObject } from './config.js';

type Env = Record<string, string | undefined>;

/** What a config key holds, and the environment variable that wins over it (if any). */
interface KeySpec {
  readonly kind: 'string' | 'number';
  readonly env?: string;
}

/** Every key of the config file. */
export const CONFIG_KEYS: { readonly [K in keyof Required<AttuneConfig>]: KeySpec } = {
  user: { kind: 'string', env: 'ATTUNE_USER' },
  store: { kind: 'string', env: 'ATTUNE_STORE' },
  storageDir: { kind: 'string', env: 'ATTUNE_STORAGE_DIR' },
  databaseUrl: { kind: 'string', env: 'ATTUNE_DATABASE_URL' },
  maxPatternsPerUser: { kind: 'number' },
  minQuality: { kind: 'string' },
  contextBudget: { kind: 'number' },
  contextMaxPatterns: { kind: 'number' },
  extractor: { kind: 'string', env: 'ATTUNE_EXTRACTOR' },
  extractorTimeoutSeconds: { kind: 'number', env: 'ATTUNE_EXTRACTOR_TIMEOUT' },
  extractorMaxChars: { kind: 'number', env: 'ATTUNE_EXTRACTOR_MAX_CHARS' },
  extractorReview: { kind: 'string', env: 'ATTUNE_EXTRACTOR_REVIEW' },
  extractorSamples: { kind: 'number', env: 'ATTUNE_EXTRACTOR_SAMPLES' },
};

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** `key` as a config key; a usage error listing the keys otherwise. */
export function configKey(key: string): ConfigKey {
  if (Object.hasOwn(CONFIG_KEYS, key)) return key as ConfigKey;
  throw new AttuneError(ErrorCode.USAGE, `unknown config key ${JSON.stringify(key)}`, {
    suggestion: `Known keys: ${Object.keys(CONFIG_KEYS).join(', ')}.`,
  });
}

/** What a change did: the file, and the key's value before and after (undefined: not set). */
export interface ConfigChange {
  path: string;
  key: ConfigKey;
  before: unknown;
  after: unknown;
}

/**
 * Sets `key` to `value` in the config file (`undefined` removes it), creating the file and its
 * folder when missing. Throws INVALID_ARGUMENT, and writes nothing, when the key is unknown,
 * the value is not one the key takes, or the file is not valid JSON.
 */
export async function setConfigValue(
  key: string,
  value: string | undefined,
  env: Env = process.env,
): Promise<ConfigChange> {
  const name = configKey(key);
  const path = configPath(env);
  const typed = value === undefined ? undefined : typedValue(name, value);
  mkdirSync(dirname(path), { recursive: true });
  return withLock(`${path}.lock`, async () => {
    const existed = existsSync(path);
    const raw = existed ? readConfigObject(path) : {};
    const before = raw[name];
    const next = { ...raw };
    if (typed === undefined) delete next[name];
    else next[name] = typed;
    parseConfig(next, path);
    // A new file is the user's alone: it may come to hold a database password. An existing
    // one keeps its mode.
    if (before !== typed)
      await writeFileAtomic(
        path,
        `${JSON.stringify(next, null, 2)}\n`,
        existed ? {} : { mode: 0o600 },
      );
    return { path, key: name, before, after: typed };
  });
}

function typedValue(key: ConfigKey, value: string): string | number {
  // Checked here, not only when used: a bad id would make every later command fail.
  if (key === 'user') return validateUserId(value);
  // Typed on the command line, a relative folder means from here, not from the config file.
  if (key === 'storageDir' && !/^~(?:[\\/]|$)/.test(value)) return resolve(value);
  if (CONFIG_KEYS[key].kind === 'string') return value;
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isInteger(n)) {
    throw new AttuneError(
      ErrorCode.INVALID_ARGUMENT,
      `config key "${key}" takes a whole number, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}
