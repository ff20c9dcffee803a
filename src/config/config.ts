/**
 * Where the CLI and hooks get the user, the store and their settings from.
 *
 * Each setting: command-line flag, then environment variable, then the config file, then the
 * default. The config file is `$ATTUNE_CONFIG`, else `$ATTUNE_HOME/config.json`
 * (`ATTUNE_HOME` defaults to `~/.attune`). Parsed by hand (no schema library) because the
 * session-start hook reads it on every start.
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { AttuneError, ErrorCode } from '../errors.js';
import { parseQuality } from '../model/quality.js';
import { validateUserId } from '../model/user-id.js';
import type { StoreConfig } from '../store/open-store.js';
import { STORE_KINDS, type StoreKind } from '../store/pattern-store.js';
import {
  checkSamples,
  DEFAULT_EXTRACTOR_SAMPLES,
  REVIEW_MODES,
  type ReviewMode,
} from './extractor-child.js';

/** The settings a config file may hold; every key optional. */
export interface AttuneConfig {
  user?: string;
  store?: StoreKind;
  storageDir?: string;
  databaseUrl?: string;
  maxPatternsPerUser?: number;
  /** Lowest quality learned from automatically: EXCELLENT, GOOD, AVERAGE, POOR or SKIP. */
  minQuality?: string;
  /** Character budget of the context injected at session start. */
  contextBudget?: number;
  /** Patterns injected at session start. */
  contextMaxPatterns?: number;
  /** Model command that extracts instead of the built-in rules (`rules` for the rules). */
  extractor?: string;
  /** Seconds the extractor command may take per session. */
  extractorTimeoutSeconds?: number;
  /** Longest session digest sent to the extractor, in characters (a small model's context). */
  extractorMaxChars?: number;
  /** Whether and how a second model call reviews the first answer (twice the calls). */
  extractorReview?: ReviewMode;
  /** Answers asked of the model per session, their lessons merged (that many times the calls). */
  extractorSamples?: number;
}

/** Flags a command may pass; they win over everything else. */
export interface ConfigFlags {
  user?: string | undefined;
  store?: string | undefined;
  storageDir?: string | undefined;
  databaseUrl?: string | undefined;
}

type Env = Record<string, string | undefined>;

/** The folder for config and logs: `$ATTUNE_HOME` or `~/.attune`. */
export function attuneHome(env: Env = process.env): string {
  return resolve(env.ATTUNE_HOME || join(homedir(), '.attune'));
}

/** The config file path (it need not exist). */
export function configPath(env: Env = process.env): string {
  return resolve(env.ATTUNE_CONFIG || join(attuneHome(env), 'config.json'));
}

/** Reads the config file; a missing file is an empty config, a broken one an error. */
export function loadConfig(env: Env = process.env): AttuneConfig {
  const path = configPath(env);
  if (!existsSync(path)) return {};
  return parseConfig(readConfigObject(path), path);
}

/** The config file's JSON object as written, unknown keys too; a broken file is an error. */
export function readConfigObject(path: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new AttuneError(ErrorCode.INVALID_ARGUMENT, `config file ${path} is not valid JSON`, {
      suggestion: 'Fix or delete it.',
      cause: error,
    });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new AttuneError(
      ErrorCode.INVALID_ARGUMENT,
      `config file ${path} must hold a JSON object`,
    );
  }
  return data as Record<string, unknown>;
}

/**
 * The settings of a config file's object, each checked; `path` names the file in errors and
 * anchors a relative `storageDir`. Keys it does not know are ignored.
 */
export function parseConfig(raw: Record<string, unknown>, path: string): AttuneConfig {
  const config: AttuneConfig = {};
  const str = (key: keyof AttuneConfig) => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      throw new AttuneError(
        ErrorCode.INVALID_ARGUMENT,
        `config file ${path}: "${key}" must be a string`,
      );
    }
    return v;
  };
  const num = (key: keyof AttuneConfig) => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new AttuneError(
        ErrorCode.INVALID_ARGUMENT,
        `config file ${path}: "${key}" must be a positive integer`,
      );
    }
    return v;
  };
  const user = str('user');
  if (user !== undefined) config.user = user;
  const store = str('store');
  if (store !== undefined) config.store = parseStoreKind(store, `config file ${path}: "store"`);
  const dir = str('storageDir');
  if (dir !== undefined) config.storageDir = resolve(dirname(path), expandHome(dir));
  const url = str('databaseUrl');
  if (url !== undefined) config.databaseUrl = url;
  const minQuality = str('minQuality');
  if (minQuality !== undefined) {
    try {
      config.minQuality = parseQuality(minQuality).name;
    } catch {
      throw new AttuneError(
        ErrorCode.INVALID_ARGUMENT,
        `config file ${path}: "minQuality" must be one of EXCELLENT, GOOD, AVERAGE, POOR, SKIP`,
      );
    }
  }
  const max = num('maxPatternsPerUser');
  if (max !== undefined) config.maxPatternsPerUser = max;
  const budget = num('contextBudget');
  if (budget !== undefined) config.contextBudget = budget;
  const maxPatterns = num('contextMaxPatterns');
  if (maxPatterns !== undefined) config.contextMaxPatterns = maxPatterns;
  const extractor = str('extractor');
  if (extractor !== undefined) config.extractor = extractor;
  const extractorTimeout = num('extractorTimeoutSeconds');
  if (extractorTimeout !== undefined) config.extractorTimeoutSeconds = extractorTimeout;
  const extractorMaxChars = num('extractorMaxChars');
  if (extractorMaxChars !== undefined) {
    config.extractorMaxChars = checkDigestChars(
      extractorMaxChars,
      `config file ${path}: "extractorMaxChars"`,
    );
  }
  const review = raw.extractorReview;
  if (review !== undefined) {
    config.extractorReview = reviewMode(review, `config file ${path}: "extractorReview"`);
  }
  const samples = num('extractorSamples');
  if (samples !== undefined) {
    config.extractorSamples = checkSamples(samples, `config file ${path}: "extractorSamples"`);
  }
  return config;
}

/** The model extractor to use: its shell command and timeout. */
export interface ExtractorConfig {
  command: string;
  timeoutMs: number;
  /** Answers already given (see `ModelExtractorOptions.cacheDir`); none when caching is off. */
  cacheDir?: string;
  /** Longest session digest in the prompt; the extractor's default (60 000) when unset. */
  maxDigestChars?: number;
  /** Whether and how a second call reviews the first answer. */
  review: ReviewMode;
  /** Answers asked per session, their lessons merged (see `ModelExtractorOptions.samples`). */
  samples: number;
}

/** How the model extractor reviews its first answer when nothing says otherwise. */
export const DEFAULT_EXTRACTOR_REVIEW: ReviewMode = 'off';

/** Smallest and largest digest budgets: below 2 000 nothing useful fits. */
const DIGEST_CHARS = { min: 2_000, max: 2_000_000 };

function checkDigestChars(value: number, what: string): number {
  if (!Number.isInteger(value) || value < DIGEST_CHARS.min || value > DIGEST_CHARS.max) {
    throw new AttuneError(
      ErrorCode.INVALID_ARGUMENT,
      `${what} must be a whole number of characters from ${DIGEST_CHARS.min} to ${DIGEST_CHARS.max}, got ${value}`,
      { suggestion: 'About 4 characters make a token: 60000 (the default) is some 15 000 tokens.' },
    );
  }
  return value;
}

/**
 * The model extractor: `--extractor`, then `ATTUNE_EXTRACTOR`, then the config file's
 * `extractor`; undefined (the built-in rules) when none is set or the chosen one is `rules`.
 * The timeout is `ATTUNE_EXTRACTOR_TIMEOUT` or the config's `extractorTimeoutSeconds`, in
 * seconds, else 180. Answers are cached in `ATTUNE_EXTRACTOR_CACHE` (a folder, or `off`), else
 * `$ATTUNE_HOME/extractor-cache`. The digest budget is `ATTUNE_EXTRACTOR_MAX_CHARS` or the
 * config's `extractorMaxChars`, else the extractor's default. The review (a second call that
 * checks the first answer, and with `complete` adds what it missed) is `ATTUNE_EXTRACTOR_REVIEW`
 * (`off`, `complete` or `verify`), else the config's `extractorReview`, else off. The answers
 * asked per session are `ATTUNE_EXTRACTOR_SAMPLES`, else the config's `extractorSamples`, else 2.
 */
export function resolveExtractor(
  flag: string | undefined,
  env: Env = process.env,
  config?: AttuneConfig,
): ExtractorConfig | undefined {
  const file = config ?? loadConfig(env);
  const command = (flag ?? (env.ATTUNE_EXTRACTOR || undefined) ?? file.extractor ?? '').trim();
  if (command === '' || command === 'rules') return undefined;
  const text = env.ATTUNE_EXTRACTOR_TIMEOUT;
  let seconds = file.extractorTimeoutSeconds ?? 180;
  if (text) {
    seconds = Number(text);
    if (!Number.isInteger(seconds) || seconds < 1) {
      throw new AttuneError(
        ErrorCode.INVALID_ARGUMENT,
        `ATTUNE_EXTRACTOR_TIMEOUT must be a positive whole number of seconds, got ${JSON.stringify(text)}`,
      );
    }
  }
  const out: ExtractorConfig = {
    command,
    timeoutMs: seconds * 1000,
    review:
      (env.ATTUNE_EXTRACTOR_REVIEW
        ? reviewMode(env.ATTUNE_EXTRACTOR_REVIEW, 'ATTUNE_EXTRACTOR_REVIEW')
        : undefined) ??
      file.extractorReview ??
      DEFAULT_EXTRACTOR_REVIEW,
    samples: env.ATTUNE_EXTRACTOR_SAMPLES
      ? checkSamples(Number(env.ATTUNE_EXTRACTOR_SAMPLES), 'ATTUNE_EXTRACTOR_SAMPLES')
      : (file.extractorSamples ?? DEFAULT_EXTRACTOR_SAMPLES),
  };
  const chars = env.ATTUNE_EXTRACTOR_MAX_CHARS;
  if (chars) out.maxDigestChars = checkDigestChars(Number(chars), 'ATTUNE_EXTRACTOR_MAX_CHARS');
  else if (file.extractorMaxChars !== undefined) out.maxDigestChars = file.extractorMaxChars;
  const cache = env.ATTUNE_EXTRACTOR_CACHE;
  if (cache !== 'off') out.cacheDir = resolve(cache || join(attuneHome(env), 'extractor-cache'));
  return out;
}

/** A review mode from the environment or the config file, naming the valid ones on error. */
function reviewMode(value: unknown, what: string): ReviewMode {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (REVIEW_MODES.includes(text as ReviewMode)) return text as ReviewMode;
  throw new AttuneError(
    ErrorCode.INVALID_ARGUMENT,
    `${what} must be one of ${REVIEW_MODES.join(', ')}, got ${JSON.stringify(value)}`,
    {
      suggestion:
        'complete adds the lessons the first answer missed (more found, more wrong); verify keeps only what the session shows (fewer wrong, fewer found).',
    },
  );
}

/** Parses a store kind, listing the valid ones on error. */
export function parseStoreKind(value: string, field = 'store'): StoreKind {
  if ((STORE_KINDS as readonly string[]).includes(value)) return value as StoreKind;
  throw new AttuneError(
    ErrorCode.UNKNOWN_STORE,
    `${field}: unknown store ${JSON.stringify(value)}; valid stores: ${STORE_KINDS.join(', ')}`,
  );
}

/**
 * The user id: `--user`, then `ATTUNE_USER`, then the config file's `user`, then the OS
 * user name. Validated; throws INVALID_ARGUMENT for a hostile id.
 */
export function resolveUserId(
  flags: ConfigFlags = {},
  env: Env = process.env,
  config?: AttuneConfig,
): string {
  const chosen =
    flags.user ?? (env.ATTUNE_USER || undefined) ?? (config ?? loadConfig(env)).user ?? osUser(env);
  return validateUserId(chosen);
}

function osUser(env: Env): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER || env.USERNAME || 'default';
  }
}

/**
 * The store: kind from `--store`, `ATTUNE_STORE`, the config file, else `file`; its place
 * from `--database-url`/`ATTUNE_DATABASE_URL`/config (sqlite file or PostgreSQL URL) and
 * `--storage-dir`/`ATTUNE_STORAGE_DIR`/config, else `~/.empathy/learned_skills`.
 */
export function resolveStoreConfig(
  flags: ConfigFlags = {},
  env: Env = process.env,
  config?: AttuneConfig,
): StoreConfig {
  const file = config ?? loadConfig(env);
  const kindText = flags.store ?? (env.ATTUNE_STORE || undefined) ?? file.store ?? 'file';
  const kind = parseStoreKind(kindText, flags.store ? '--store' : 'store');
  const storageDir = resolve(
    expandHome(
      flags.storageDir ??
        (env.ATTUNE_STORAGE_DIR || undefined) ??
        file.storageDir ??
        join(homedir(), '.empathy', 'learned_skills'),
    ),
  );
  const databaseUrl =
    flags.databaseUrl ?? (env.ATTUNE_DATABASE_URL || undefined) ?? file.databaseUrl;
  const out: StoreConfig = { kind, storageDir };
  if (databaseUrl !== undefined) out.databaseUrl = databaseUrl;
  if (kind === 'postgres' && databaseUrl === undefined) {
    throw new AttuneError(
      ErrorCode.INVALID_ARGUMENT,
      'the postgres store needs a connection string',
      {
        suggestion: 'Pass --database-url postgres://user@host/db or set ATTUNE_DATABASE_URL.',
      },
    );
  }
  return out;
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/**
 * The project a folder belongs to: the nearest ancestor holding `.git` (a folder, or a file
 * for worktrees and submodules), else the folder itself.
 */
export function findProjectRoot(cwd: string): string {
  const start = resolve(cwd);
  let dir = start;
  for (;;) {
    try {
      statSync(join(dir, '.git'));
      return dir;
    } catch {
      // not here; go up
    }
    const parent = dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
}
