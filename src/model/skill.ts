/**
 * LearnedSkill: patterns aggregated into a higher-level skill whose use is tracked.
 * @module
 */
import { AttuneError, ErrorCode, invalidArgument } from '../errors.js';
import { isPatternCategory, type PatternCategory, parseCategory } from './category.js';
import { checkConfidence, parseIsoDate } from './pattern.js';

/** A named group of patterns with usage tracking. */
export interface LearnedSkill {
  skillId: string;
  name: string;
  description: string;
  category: PatternCategory;
  /** Ids of the patterns this skill is made of. */
  patterns: string[];
  confidence: number;
  usageCount: number;
  lastUsed: Date | null;
  createdAt: Date;
  metadata: Record<string, unknown>;
}

/** Input of {@link createSkill}. */
export interface CreateSkillInput {
  skillId: string;
  name: string;
  description?: string;
  category: PatternCategory | string;
  patterns?: readonly string[];
  confidence?: number;
  usageCount?: number;
  lastUsed?: Date | null;
  createdAt?: Date;
  metadata?: Record<string, unknown>;
}

/** Builds a validated skill. Throws INVALID_ARGUMENT naming the field that is wrong. */
export function createSkill(input: CreateSkillInput): LearnedSkill {
  if (typeof input.skillId !== 'string' || !input.skillId.trim() || input.skillId.length > 128) {
    invalidArgument('skillId', 'must be a non-empty string of at most 128 characters');
  }
  if (typeof input.name !== 'string' || !input.name.trim()) {
    invalidArgument('name', 'must not be empty');
  }
  const usageCount = input.usageCount ?? 0;
  if (!Number.isInteger(usageCount) || usageCount < 0) {
    invalidArgument('usageCount', 'must be a non-negative integer');
  }
  return {
    skillId: input.skillId,
    name: input.name,
    description: input.description ?? '',
    category: parseCategory(String(input.category)),
    patterns: [...(input.patterns ?? [])],
    confidence: checkConfidence(input.confidence ?? 0.5),
    usageCount,
    lastUsed: input.lastUsed ?? null,
    createdAt: input.createdAt ?? new Date(),
    metadata: { ...(input.metadata ?? {}) },
  };
}

/** The on-disk JSON shape of a skill (snake_case, as the Python original writes it). */
export interface SkillJson {
  skill_id: string;
  name: string;
  description: string;
  category: string;
  patterns: string[];
  confidence: number;
  usage_count: number;
  last_used: string | null;
  created_at: string;
  metadata: Record<string, unknown>;
  [extra: string]: unknown;
}

/** Serialises a skill to its on-disk JSON shape. */
export function skillToJson(skill: LearnedSkill): SkillJson {
  return {
    skill_id: skill.skillId,
    name: skill.name,
    description: skill.description,
    category: skill.category,
    patterns: [...skill.patterns],
    confidence: skill.confidence,
    usage_count: skill.usageCount,
    last_used: skill.lastUsed ? skill.lastUsed.toISOString() : null,
    created_at: skill.createdAt.toISOString(),
    metadata: { ...skill.metadata },
  };
}

/** Parses a skill from JSON without throwing. */
export function safeParseSkillJson(
  value: unknown,
): { success: true; data: LearnedSkill } | { success: false; error: string } {
  const fail = (error: string) => ({ success: false as const, error });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('skill: expected an object');
  }
  const s = value as Record<string, unknown>;
  if (typeof s.skill_id !== 'string' || !s.skill_id || s.skill_id.length > 128) {
    return fail('skill_id: expected a non-empty string of at most 128 characters');
  }
  if (typeof s.name !== 'string') return fail('name: expected a string');
  if (!isPatternCategory(s.category)) {
    return fail(`category: unknown category ${JSON.stringify(s.category)}`);
  }
  if (s.description != null && typeof s.description !== 'string') {
    return fail('description: expected a string');
  }
  const patterns = s.patterns ?? [];
  if (!Array.isArray(patterns) || patterns.some((x) => typeof x !== 'string')) {
    return fail('patterns: expected an array of strings');
  }
  const confidence = s.confidence ?? 0.5;
  if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1)) {
    return fail('confidence: expected a number from 0 to 1');
  }
  const usage = s.usage_count ?? 0;
  if (typeof usage !== 'number' || !Number.isInteger(usage) || usage < 0) {
    return fail('usage_count: expected a non-negative integer');
  }
  const metadata = s.metadata ?? {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    return fail('metadata: expected an object');
  }
  const createdAt = typeof s.created_at === 'string' ? parseIsoDate(s.created_at) : new Date(0);
  const lastUsed = typeof s.last_used === 'string' ? parseIsoDate(s.last_used) : null;
  if (!createdAt) return fail('created_at: not a valid date');
  if (lastUsed === undefined) return fail('last_used: not a valid date');
  return {
    success: true,
    data: {
      skillId: s.skill_id,
      name: s.name,
      description: (s.description as string | null | undefined) ?? '',
      category: s.category,
      patterns: patterns as string[],
      confidence,
      usageCount: usage,
      lastUsed,
      createdAt,
      metadata: metadata as Record<string, unknown>,
    },
  };
}

/** Parses a skill from JSON; throws INVALID_ARGUMENT naming the field. */
export function skillFromJson(value: unknown): LearnedSkill {
  const result = safeParseSkillJson(value);
  if (!result.success) throw new AttuneError(ErrorCode.INVALID_ARGUMENT, result.error);
  return result.data;
}
