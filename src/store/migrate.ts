/**
 * Copies every user's patterns and skills from one store to another, losslessly.
 * @module
 */
import type { PatternStore } from './pattern-store.js';

/** Options of {@link migrateStore}. */
export interface MigrateStoreOptions {
  /** Only these users. Default: every user of the source. */
  users?: readonly string[];
  /**
   * Patterns per save call into the target.
   * @default 1000
   */
  batchSize?: number;
  /** Called after each user is copied. */
  onUser?: (progress: { userId: string; patterns: number; skills: number }) => void;
}

/** What {@link migrateStore} copied. */
export interface MigrateStoreResult {
  users: number;
  patterns: number;
  skills: number;
}

/**
 * Copies every pattern and skill of every user (or of `options.users`) from `from` to `to`.
 * Same ids are replaced in the target, nothing is evicted (the per-user limit is lifted for
 * the copy), skills keep their order. The source is only read. Safe to run again: a second
 * run rewrites the same rows.
 */
export async function migrateStore(
  from: PatternStore,
  to: PatternStore,
  options: MigrateStoreOptions = {},
): Promise<MigrateStoreResult> {
  const batchSize = Math.max(1, options.batchSize ?? 1000);
  const users = options.users ?? (await from.listUsers());
  const result: MigrateStoreResult = { users: 0, patterns: 0, skills: 0 };
  for (const userId of users) {
    const patterns = await from.listPatterns(userId);
    for (let i = 0; i < patterns.length; i += batchSize) {
      await to.savePatterns(userId, patterns.slice(i, i + batchSize), {
        maxPatterns: Number.POSITIVE_INFINITY,
      });
    }
    const skills = await from.listSkills(userId);
    for (const skill of skills) await to.saveSkill(userId, skill);
    result.users += 1;
    result.patterns += patterns.length;
    result.skills += skills.length;
    options.onUser?.({ userId, patterns: patterns.length, skills: skills.length });
  }
  return result;
}
