/**
 * LearnedSkillsStorage: the seed's storage API, over any {@link PatternStore}.
 * @module
 */
import { AttuneError, ErrorCode, invalidArgument } from '../errors.js';
import { findNearDuplicate, reinforcePattern } from '../extract/merge.js';
import { formatContextBlock } from '../format/format-context.js';
import { editedPattern, type PatternEdit, Redactor } from '../learn/remember.js';
import { PATTERN_CATEGORIES, type PatternCategory, parseCategory } from '../model/category.js';
import { createPattern, type ExtractedPattern } from '../model/pattern.js';
import { createSkill, type LearnedSkill } from '../model/skill.js';
import { validateUserId } from '../model/user-id.js';
import { rankByRelevance, rankPatterns } from '../retrieve/rank.js';
import { AGGREGATED_SKILL_PREFIX, aggregateSkills } from '../skills/aggregate-skills.js';
import { FileStore } from '../store/file-store.js';
import { openStore, type StoreConfig } from '../store/open-store.js';
import type {
  ListPatternsOptions,
  PatternStore,
  SavePatternsResult,
} from '../store/pattern-store.js';

/** Options of {@link LearnedSkillsStorage}. */
/** Patterns a user keeps when `maxPatternsPerUser` is not given. */
export const DEFAULT_MAX_PATTERNS_PER_USER = 100;

export interface LearnedSkillsStorageOptions {
  /**
   * Root of the file store (the seed's default). Ignored when `store` is given.
   * @default '.empathy/learned_skills'
   */
  storageDir?: string;
  /**
   * Per-user pattern limit; beyond it the least valuable pattern goes first (lowest
   * confidence, then oldest), never one just saved.
   * @default 100
   */
  maxPatternsPerUser?: number;
  /** A store instance, or which store to open (`{ kind: 'sqlite', databaseUrl }`). @default file */
  store?: PatternStore | StoreConfig;
}

/** The seed's summary (snake_case keys, as the seed shows them). */
export interface LearningSummary {
  user_id: string;
  total_patterns: number;
  total_skills: number;
  patterns_by_category: Partial<Record<PatternCategory, number>>;
  avg_confidence: number;
  most_used_skill: string | null;
}

/** Options of {@link LearnedSkillsStorage.formatPatternsForContext}. */
export interface FormatPatternsOptions {
  /** @default 5 */
  maxPatterns?: number;
  /** Only these categories (values or names). Default: all. */
  categories?: readonly (PatternCategory | string)[] | null;
  /** Only patterns of this project, plus those of no project. */
  project?: string;
  /** Character budget of the whole block; patterns that do not fit are left out. */
  maxChars?: number;
  /** When given, only patterns relevant to this text, most relevant first. */
  query?: string;
}

/** What {@link LearnedSkillsStorage.learnPatterns} did. */
export interface LearnResult {
  /** Ids of new patterns. */
  created: string[];
  /** Ids of stored patterns that the same lesson reinforced. */
  reinforced: string[];
  /**
   * Ids of stored patterns that already held this very sighting (the same session and turn):
   * learning from one transcript again changes nothing.
   */
  unchanged: string[];
  /** Ids evicted to stay within the per-user limit. */
  evicted: string[];
}

/** Stores and retrieves learned patterns and skills per user. */
export class LearnedSkillsStorage {
  readonly maxPatternsPerUser: number;
  readonly #config: PatternStore | StoreConfig;
  #store: Promise<PatternStore> | undefined;

  constructor(options: LearnedSkillsStorageOptions = {}) {
    const max = options.maxPatternsPerUser ?? DEFAULT_MAX_PATTERNS_PER_USER;
    if (!Number.isInteger(max) || max < 1) {
      invalidArgument('maxPatternsPerUser', `must be a positive integer, got ${String(max)}`);
    }
    this.maxPatternsPerUser = max;
    if (options.store && isStore(options.store)) {
      this.#config = options.store;
    } else {
      const config: StoreConfig = { ...(options.store ?? {}) };
      if (options.storageDir !== undefined && config.storageDir === undefined) {
        config.storageDir = options.storageDir;
      }
      this.#config = config;
    }
  }

  /** The store behind this storage, opened on first use. */
  store(): Promise<PatternStore> {
    if (!this.#store) {
      const config = this.#config;
      this.#store = isStore(config)
        ? Promise.resolve(config)
        : (config.kind ?? 'file') === 'file'
          ? Promise.resolve(
              new FileStore(
                config.storageDir === undefined ? {} : { storageDir: config.storageDir },
              ),
            )
          : openStore(config);
      // A failed open is retried on the next call rather than cached.
      this.#store.catch(() => {
        this.#store = undefined;
      });
    }
    return this.#store;
  }

  // Patterns

  /** Saves one pattern (updating it in place when its id exists) and returns its id. */
  async savePattern(userId: string, pattern: ExtractedPattern): Promise<string> {
    const [id] = await this.savePatterns(userId, [pattern]);
    if (id === undefined) {
      throw new AttuneError(ErrorCode.INVALID_ARGUMENT, 'pattern was not kept: per-user limit');
    }
    return id;
  }

  /** Saves several patterns; returns the ids kept, in order. */
  async savePatterns(userId: string, patterns: readonly ExtractedPattern[]): Promise<string[]> {
    const result = await this.#save(userId, patterns, false);
    return result.saved;
  }

  /**
   * Saves what a session taught: a pattern whose id, or whose wording (near duplicate),
   * is already stored reinforces that pattern (observations, confidence, evidence) instead
   * of adding a copy.
   */
  async learnPatterns(userId: string, patterns: readonly ExtractedPattern[]): Promise<LearnResult> {
    validateUserId(userId);
    const checked = patterns.map(checkPattern);
    if (checked.length === 0) return { created: [], reinforced: [], unchanged: [], evicted: [] };
    const store = await this.store();
    const categories = [...new Set(checked.map((p) => p.category))];
    const existing = await store.listPatterns(userId, { categories, limit: 5000 });
    const aligned = checked.map((p) => {
      if (existing.some((e) => e.patternId === p.patternId)) return p;
      const twin = findNearDuplicate(p, existing);
      return twin
        ? { ...p, patternId: twin.patternId, trigger: twin.trigger, resolution: twin.resolution }
        : p;
    });
    const result = await this.#save(userId, aligned, true);
    const touched = new Set([...result.created, ...result.updated]);
    return {
      created: result.created,
      reinforced: result.updated,
      unchanged: result.saved.filter((id) => !touched.has(id)),
      evicted: result.evicted,
    };
  }

  async #save(
    userId: string,
    patterns: readonly ExtractedPattern[],
    reinforce: boolean,
  ): Promise<SavePatternsResult> {
    validateUserId(userId);
    if (!Array.isArray(patterns)) invalidArgument('patterns', 'must be an array');
    const checked = patterns.map(checkPattern);
    const store = await this.store();
    return store.savePatterns(userId, checked, {
      maxPatterns: this.maxPatternsPerUser,
      ...(reinforce
        ? { merge: (a: ExtractedPattern, b: ExtractedPattern) => reinforcePattern(a, b) }
        : {}),
    });
  }

  /** One pattern, or null. */
  async getPattern(userId: string, patternId: string): Promise<ExtractedPattern | null> {
    return (await this.store()).getPattern(validateUserId(userId), patternId);
  }

  /** Every pattern of the user, best first. */
  async getAllPatterns(
    userId: string,
    options: ListPatternsOptions = {},
  ): Promise<ExtractedPattern[]> {
    return (await this.store()).listPatterns(validateUserId(userId), options);
  }

  /** Patterns of one category (value or name), best first. */
  async getPatternsByCategory(
    userId: string,
    category: PatternCategory | string,
  ): Promise<ExtractedPattern[]> {
    const c = parseCategory(String(category));
    return (await this.store()).listPatterns(validateUserId(userId), { categories: [c] });
  }

  /** Patterns with a tag (case-insensitive), best first. */
  async getPatternsByTag(userId: string, tag: string): Promise<ExtractedPattern[]> {
    if (typeof tag !== 'string' || !tag.trim()) invalidArgument('tag', 'must not be empty');
    return (await this.store()).listPatterns(validateUserId(userId), { tag: tag.trim() });
  }

  /**
   * Patterns containing every word of `query`, case-insensitively, in trigger, context,
   * resolution or tags; best match first. An empty query finds nothing.
   */
  async searchPatterns(userId: string, query: string): Promise<ExtractedPattern[]> {
    if (typeof query !== 'string') invalidArgument('query', 'must be a string');
    return (await this.store()).searchPatterns(validateUserId(userId), query);
  }

  /**
   * Changes a stored pattern's wording, tags or confidence (see {@link editedPattern}: its id,
   * evidence and observations are kept, secrets in the new texts redacted) and returns it, or
   * null when there is no such pattern. The change is applied to the pattern as stored at the
   * moment of writing, so a sighting recorded meanwhile by another process is not lost.
   */
  async updatePattern(
    userId: string,
    patternId: string,
    edit: PatternEdit,
  ): Promise<{ pattern: ExtractedPattern; redacted: string[] } | null> {
    const current = await this.getPattern(userId, patternId);
    if (!current) return null;
    const redactor = new Redactor();
    const now = new Date();
    // What is written: the edit of the pattern as read, or, when another process changed it
    // meanwhile, the edit of the pattern as stored at the moment of writing.
    let written = editedPattern(current, edit, redactor, now);
    await (await this.store()).savePatterns(userId, [written], {
      maxPatterns: this.maxPatternsPerUser,
      merge: (stored) => {
        written = editedPattern(stored, edit, new Redactor(), now);
        return written;
      },
    });
    return { pattern: written, redacted: redactor.found };
  }

  /** Deletes a pattern; false when there was none. */
  async deletePattern(userId: string, patternId: string): Promise<boolean> {
    return (await this.store()).deletePattern(validateUserId(userId), patternId);
  }

  // Skills

  /** Saves a skill (updating it in place when its id exists); returns its id. */
  async saveSkill(userId: string, skill: LearnedSkill): Promise<string> {
    validateUserId(userId);
    return (await this.store()).saveSkill(userId, createSkill(skill));
  }

  async getSkill(userId: string, skillId: string): Promise<LearnedSkill | null> {
    return (await this.store()).getSkill(validateUserId(userId), skillId);
  }

  async getAllSkills(userId: string): Promise<LearnedSkill[]> {
    return (await this.store()).listSkills(validateUserId(userId));
  }

  /** Adds one use to a skill and sets its last-used time. Throws NOT_FOUND for an unknown id. */
  async recordSkillUsage(userId: string, skillId: string): Promise<void> {
    const found = await (await this.store()).recordSkillUsage(
      validateUserId(userId),
      skillId,
      new Date(),
    );
    if (!found) {
      throw new AttuneError(
        ErrorCode.NOT_FOUND,
        `no skill ${JSON.stringify(skillId)} for user ${userId}`,
      );
    }
  }

  /**
   * Rebuilds the skills aggregated from the user's patterns (a tag shared by 3 or more
   * patterns is a skill), keeping their usage counts; hand-made skills are left alone.
   * Returns the aggregated skills.
   */
  async refreshSkills(userId: string): Promise<LearnedSkill[]> {
    validateUserId(userId);
    const store = await this.store();
    const [patterns, skills] = await Promise.all([
      store.listPatterns(userId),
      store.listSkills(userId),
    ]);
    const next = aggregateSkills(patterns, skills);
    const keep = new Set(next.map((s) => s.skillId));
    for (const s of skills) {
      if (s.skillId.startsWith(AGGREGATED_SKILL_PREFIX) && !keep.has(s.skillId))
        await store.deleteSkill(userId, s.skillId);
    }
    for (const s of next) await store.saveSkill(userId, s);
    return next;
  }

  /** Records one use of every skill that holds one of `patternIds` (for injected patterns). */
  async recordPatternUse(userId: string, patternIds: readonly string[]): Promise<string[]> {
    validateUserId(userId);
    const ids = new Set(patternIds);
    const store = await this.store();
    const used: string[] = [];
    for (const s of await store.listSkills(userId)) {
      if (
        s.patterns.some((p) => ids.has(p)) &&
        (await store.recordSkillUsage(userId, s.skillId, new Date()))
      ) {
        used.push(s.skillId);
      }
    }
    return used;
  }

  // Utilities

  /** The seed's summary of what a user has learned. */
  async getSummary(userId: string): Promise<LearningSummary> {
    validateUserId(userId);
    const store = await this.store();
    const [patterns, skills] = await Promise.all([
      store.listPatterns(userId),
      store.listSkills(userId),
    ]);
    const byCategory: Partial<Record<PatternCategory, number>> = {};
    for (const c of PATTERN_CATEGORIES) {
      const n = patterns.filter((p) => p.category === c).length;
      if (n > 0) byCategory[c] = n;
    }
    const total = patterns.reduce((sum, p) => sum + p.confidence, 0);
    const mostUsed = skills.reduce<LearnedSkill | null>(
      (best, s) => (best === null || s.usageCount > best.usageCount ? s : best),
      null,
    );
    return {
      user_id: userId,
      total_patterns: patterns.length,
      total_skills: skills.length,
      patterns_by_category: byCategory,
      avg_confidence: patterns.length ? Math.round((total / patterns.length) * 100) / 100 : 0,
      most_used_skill: mostUsed && mostUsed.usageCount > 0 ? mostUsed.name : null,
    };
  }

  /**
   * The seed's context block (`## Learned Patterns` ...), best patterns first, at most
   * `maxPatterns`, only `categories` when given. Empty string when nothing qualifies.
   */
  async formatPatternsForContext(
    userId: string,
    options: FormatPatternsOptions = {},
  ): Promise<string> {
    const patterns = await this.selectPatterns(userId, options);
    return formatContextBlock(
      patterns,
      options.maxChars === undefined ? {} : { maxChars: options.maxChars },
    );
  }

  /** The patterns {@link formatPatternsForContext} would show, in order. */
  async selectPatterns(
    userId: string,
    options: FormatPatternsOptions = {},
  ): Promise<ExtractedPattern[]> {
    validateUserId(userId);
    const max = options.maxPatterns ?? 5;
    if (!Number.isInteger(max) || max < 0)
      invalidArgument('maxPatterns', 'must be a non-negative integer');
    if (max === 0) return [];
    const list: ListPatternsOptions = {};
    if (options.categories)
      list.categories = options.categories.map((c) => parseCategory(String(c)));
    if (options.project !== undefined) list.project = options.project;
    const store = await this.store();
    if (options.query !== undefined) {
      const candidates = await store.listPatterns(userId, { ...list, limit: 2000 });
      return rankByRelevance(candidates, options.query).slice(0, max);
    }
    // Fetch a little more than needed so that observation counts can reorder near ties.
    const candidates = await store.listPatterns(userId, { ...list, limit: max * 4 });
    return rankPatterns(candidates).slice(0, max);
  }

  /** Removes every pattern and skill of the user; returns how many were removed. */
  async clearUserData(userId: string): Promise<number> {
    const removed = await (await this.store()).clearUser(validateUserId(userId));
    return removed.patterns + removed.skills;
  }

  /** Closes the store (database connections). */
  async close(): Promise<void> {
    if (this.#store) await (await this.#store).close();
  }
}

function isStore(value: PatternStore | StoreConfig): value is PatternStore {
  return typeof (value as PatternStore).savePatterns === 'function';
}

function checkPattern(value: unknown, index: number): ExtractedPattern {
  if (typeof value !== 'object' || value === null) {
    return invalidArgument(`patterns[${index}]`, 'must be a pattern object');
  }
  const p = value as Partial<ExtractedPattern>;
  try {
    const input: Parameters<typeof createPattern>[0] = {
      category: p.category as string,
      trigger: p.trigger as string,
      resolution: p.resolution as string,
      context: p.context ?? '',
      confidence: p.confidence as number,
      tags: p.tags ?? [],
      extractedAt: p.extractedAt ?? new Date(),
      sourceSession: p.sourceSession ?? '',
      metadata: p.metadata ?? {},
    };
    if (p.patternId !== undefined) input.patternId = p.patternId;
    return createPattern(input);
  } catch (error) {
    if (error instanceof AttuneError) {
      throw new AttuneError(error.code, `pattern ${index}: ${error.message}`);
    }
    throw error;
  }
}
