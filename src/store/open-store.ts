/**
 * Opens a store by kind. Drivers of the sqlite and postgres stores are loaded only here,
 * only when chosen.
 * @module
 */
import { join } from 'node:path';
import { AttuneError, ErrorCode } from '../errors.js';
import { FileStore } from './file-store.js';
import { type PatternStore, STORE_KINDS, type StoreKind } from './pattern-store.js';

/** Which store to open and where. */
export interface StoreConfig {
  /** @default 'file' */
  kind?: StoreKind;
  /**
   * File store root; the sqlite store puts `attune.db` here when no `databaseUrl` is given.
   * @default '.empathy/learned_skills'
   */
  storageDir?: string;
  /** SQLite database file, or PostgreSQL connection string (required for postgres). */
  databaseUrl?: string;
  /**
   * How long a writer waits for another one (file lock, SQLite busy timeout) before
   * LOCK_TIMEOUT.
   * @default 30000
   */
  lockTimeoutMs?: number;
}

/** The default root of the file store. */
export const DEFAULT_STORAGE_DIR = '.empathy/learned_skills';

/** The SQLite file used when no `databaseUrl` is given: `<storageDir>/attune.db`. */
export function defaultSqlitePath(storageDir: string = DEFAULT_STORAGE_DIR): string {
  return join(storageDir, 'attune.db');
}

/**
 * Opens the store `config` names. Throws UNKNOWN_STORE listing the valid kinds,
 * STORE_UNAVAILABLE when the driver is not installed or the database cannot be reached,
 * CORRUPT_STORE when the SQLite file is damaged, and INVALID_ARGUMENT when postgres is
 * chosen without a connection string.
 */
export async function openStore(config: StoreConfig = {}): Promise<PatternStore> {
  const kind = config.kind ?? 'file';
  switch (kind) {
    case 'file':
      return new FileStore({
        storageDir: config.storageDir ?? DEFAULT_STORAGE_DIR,
        ...(config.lockTimeoutMs === undefined
          ? {}
          : { lock: { timeoutMs: config.lockTimeoutMs } }),
      });
    case 'sqlite': {
      const { createSqliteStore } = await import('./sqlite-store.js');
      return createSqliteStore({
        path: config.databaseUrl ?? defaultSqlitePath(config.storageDir),
        ...(config.lockTimeoutMs === undefined ? {} : { busyTimeoutMs: config.lockTimeoutMs }),
      });
    }
    case 'postgres': {
      if (!config.databaseUrl) {
        throw new AttuneError(
          ErrorCode.INVALID_ARGUMENT,
          'databaseUrl: the postgres store needs a connection string',
          { suggestion: 'Pass one like postgres://user:password@host:5432/database.' },
        );
      }
      const { createPostgresStore } = await import('./postgres-store.js');
      return createPostgresStore({ connectionString: config.databaseUrl });
    }
    default:
      throw new AttuneError(ErrorCode.UNKNOWN_STORE, `unknown store ${JSON.stringify(kind)}`, {
        suggestion: `Valid stores: ${STORE_KINDS.join(', ')}.`,
      });
  }
}
