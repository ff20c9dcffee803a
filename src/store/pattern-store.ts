/**
 * The PatternStore interface every backend (file, sqlite, postgres) implements, and the
 * pure helpers they share. Stores validate nothing about users beyond `validateUserId`:
 * callers hand them validated patterns.
 * @module
 */
import type { PatternCategory } from '../model/category.js';
import type { ExtractedPattern } from '../model/pattern.js';
import type { LearnedSkill } from '../model/skill.js';

/** Backend ids. */
export const STORE_KINDS = ['file', 'sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** Combines the stored pattern with an incoming one that has the same id. */
export type PatternMerge = (
  existing: ExtractedPattern,
  incoming: ExtractedPattern,
) => ExtractedPattern;

/** Options of {@link PatternStore.savePatterns}. */
export interface SavePatternsOptions {
  /** Per-user limit; beyond it the least valuable patterns are evicted. */
  maxPatterns: number;
  /** How to combine a pattern with the stored one of the same id. Default: replace. */
  merge?: PatternMerge;
}

/** What {@link PatternStore.savePatterns} did. */
export interface SavePatternsResult {
  /** Ids of the patterns saved, in input order (duplicates in the input collapse). */
  saved: string[];
  /** Of those, the ids that were new. */
  created: string[];
  /**
   * Of those, the ids that already existed and were updated in place (not those a merge kept
   * as they were).
   */
  updated: string[];
  /** Ids removed to stay within the limit. */
  evicted: string[];
}

/** Filters of {@link PatternStore.listPatterns}; all of them must hold. */
export interface ListPatternsOptions {
  /** Keep only these categories. */
  categories?: readonly PatternCategory[];
  /** Keep only patterns with this tag (case-insensitive). */
  tag?: string;
  /**
   * Keep patterns of this project plus patterns of no project (`metadata.project` unset).
   * Undefined keeps everything.
   */
  project?: string;
  /** Best first (confidence, then most recent) and at most this many. */
  limit?: number;
}

/** Options of {@link PatternStore.searchPatterns}. */
export interface SearchPatternsOptions {
  limit?: number;
}

/** What {@link PatternStore.clearUser} removed. */
export interface ClearResult {
  patterns: number;
  skills: number;
}

/** A problem found by {@link PatternStore.check}. */
export interface StoreProblem {
  /** The file, table or user the problem is in. */
  where: string;
  problem: string;
  /** How to recover. */
  fix: string;
}

/**
 * A place where patterns and skills are kept, per user.
 *
 * Contract (the shared suite in `test/store/contract.ts` checks it):
 * - ids are unique per user; saving an existing id updates it in place;
 * - after a save the user holds at most `maxPatterns` patterns: the excess goes lowest
 *   confidence first, then oldest `extractedAt`, never one saved by that call unless the
 *   call alone holds more than the limit (then its weakest go);
 * - `searchPatterns` matches when every whitespace-separated term of the query occurs,
 *   case-insensitively, in trigger, context, resolution or tags; best match first;
 * - `listPatterns` without a limit returns every matching pattern, best first
 *   (confidence descending, then `extractedAt` descending);
 * - reads of a corrupt store throw CORRUPT_STORE naming it, and no write ever replaces it;
 * - concurrent writers (threads or processes) lose nothing.
 */
export interface PatternStore {
  readonly kind: StoreKind;
  /** A human-readable location (directory, database file, connection without password). */
  readonly location: string;

  savePatterns(
    userId: string,
    patterns: readonly ExtractedPattern[],
    options: SavePatternsOptions,
  ): Promise<SavePatternsResult>;
  getPattern(userId: string, patternId: string): Promise<ExtractedPattern | null>;
  listPatterns(userId: string, options?: ListPatternsOptions): Promise<ExtractedPattern[]>;
  searchPatterns(
    userId: string,
    query: string,
    options?: SearchPatternsOptions,
  ): Promise<ExtractedPattern[]>;
  countPatterns(userId: string): Promise<number>;
  deletePattern(userId: string, patternId: string): Promise<boolean>;

  saveSkill(userId: string, skill: LearnedSkill): Promise<string>;
  getSkill(userId: string, skillId: string): Promise<LearnedSkill | null>;
  listSkills(userId: string): Promise<LearnedSkill[]>;
  /** Adds one use at `at`; false when there is no such skill. */
  recordSkillUsage(userId: string, skillId: string, at: Date): Promise<boolean>;
  deleteSkill(userId: string, skillId: string): Promise<boolean>;

  /** Removes everything of one user. */
  clearUser(userId: string): Promise<ClearResult>;
  /** Every user with at least one pattern or skill, sorted. */
  listUsers(): Promise<string[]>;
  /** Looks for corrupt or unreadable data without changing anything. */
  check(): Promise<StoreProblem[]>;
  close(): Promise<void>;
}

/** Best first: confidence descending, then newest first, then id for a stable order. */
export function comparePatterns(a: ExtractedPattern, b: ExtractedPattern): number {
  return (
    b.confidence - a.confidence ||
    b.extractedAt.getTime() - a.extractedAt.getTime() ||
    a.patternId.localeCompare(b.patternId)
  );
}

/**
 * Which ids to evict so that `patterns` fits in `max`: lowest confidence first, then oldest,
 * sparing `protectedIds` unless they alone exceed the limit.
 */
export function chooseEvictions(
  patterns: readonly ExtractedPattern[],
  max: number,
  protectedIds: ReadonlySet<string>,
): string[] {
  const excess = patterns.length - max;
  if (excess <= 0) return [];
  const weakestFirst = (a: ExtractedPattern, b: ExtractedPattern) =>
    a.confidence - b.confidence ||
    a.extractedAt.getTime() - b.extractedAt.getTime() ||
    a.patternId.localeCompare(b.patternId);
  const others = patterns.filter((p) => !protectedIds.has(p.patternId)).sort(weakestFirst);
  const mine = patterns.filter((p) => protectedIds.has(p.patternId)).sort(weakestFirst);
  return [...others, ...mine].slice(0, excess).map((p) => p.patternId);
}

/** Splits a search query into lower-case terms. */
export function searchTerms(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

/** True when every term occurs in trigger, context, resolution or tags (case-insensitive). */
export function matchesQuery(pattern: ExtractedPattern, terms: readonly string[]): boolean {
  if (terms.length === 0) return false;
  const haystack =
    `${pattern.trigger}\n${pattern.context}\n${pattern.resolution}\n${pattern.tags.join(' ')}`.toLowerCase();
  return terms.every((t) => haystack.includes(t));
}

/**
 * A relevance score for in-memory search: term hits weighted by field (trigger and tags
 * count most), plus confidence as a tie-breaker.
 */
export function scoreMatch(pattern: ExtractedPattern, terms: readonly string[]): number {
  const trigger = pattern.trigger.toLowerCase();
  const resolution = pattern.resolution.toLowerCase();
  const context = pattern.context.toLowerCase();
  const tags = pattern.tags.join(' ').toLowerCase();
  let score = 0;
  for (const t of terms) {
    if (trigger.includes(t)) score += 3;
    if (tags.includes(t)) score += 3;
    if (resolution.includes(t)) score += 2;
    if (context.includes(t)) score += 1;
  }
  return score + pattern.confidence;
}

/** True when the pattern passes every filter of `options`. */
export function matchesListOptions(
  pattern: ExtractedPattern,
  options: ListPatternsOptions,
): boolean {
  if (options.categories && !options.categories.includes(pattern.category)) return false;
  if (options.tag !== undefined) {
    const tag = options.tag.toLowerCase();
    if (!pattern.tags.some((t) => t.toLowerCase() === tag)) return false;
  }
  if (options.project !== undefined) {
    const project = pattern.metadata.project;
    if (typeof project === 'string' && project !== options.project) return false;
  }
  return true;
}

/**
 * Applies one save call to the patterns it touches, in input order: a duplicate id in the
 * input merges with the earlier one. `existing` holds the stored versions of the ids that
 * already exist. Every store saves through it.
 */
export function applySave(
  incoming: readonly ExtractedPattern[],
  existing: ReadonlyMap<string, ExtractedPattern>,
  merge: PatternMerge | undefined,
): { final: Map<string, ExtractedPattern>; created: string[]; updated: string[] } {
  const final = new Map<string, ExtractedPattern>();
  const created: string[] = [];
  const updated: string[] = [];
  for (const pattern of incoming) {
    const id = pattern.patternId;
    const before = final.get(id) ?? existing.get(id);
    if (before === undefined) {
      final.set(id, pattern);
      created.push(id);
    } else {
      const after = merge ? merge(before, pattern) : pattern;
      final.set(id, after);
      // A merge that kept the stored pattern as it was (a sighting already recorded) is no
      // update.
      if (after !== before && !created.includes(id) && !updated.includes(id)) updated.push(id);
    }
  }
  return { final, created, updated };
}

/** The result of a save once `evicted` is known: evicted ids leave saved, created, updated. */
export function saveResult(
  final: ReadonlyMap<string, ExtractedPattern>,
  created: readonly string[],
  updated: readonly string[],
  evicted: readonly string[],
): SavePatternsResult {
  const gone = new Set(evicted);
  return {
    saved: [...final.keys()].filter((id) => !gone.has(id)),
    created: created.filter((id) => !gone.has(id)),
    updated: updated.filter((id) => !gone.has(id)),
    evicted: [...evicted],
  };
}
