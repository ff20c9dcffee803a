/**
 * LearnedSkill: patterns aggregated into a higher-level skill whose use is tracked.
 * @module
 */
import { z } from 'zod';
import { AttuneError, ErrorCode, invalidArgument } from '../errors.js';
import { PATTERN_CATEGORIES, type PatternCategory, parseCategory } from './category.js';
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

const SkillJsonSchema = z.looseObject({
  skill_id: z.string().min(1).max(128),
  name: z.string(),
  description: z.string().nullish(),
  category: z.enum(PATTERN_CATEGORIES as [PatternCategory, ...PatternCategory[]]),
  patterns: z.array(z.string()).nullish(),
  confidence: z.number().min(0).max(1).nullish(),
  usage_count: z.number().int().min(0).nullish(),
  last_used: z.string().nullish(),
  created_at: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});

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
  const parsed = SkillJsonSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'skill';
    return { success: false, error: `${where}: ${issue?.message ?? 'invalid'}` };
  }
  const s = parsed.data;
  const createdAt = s.created_at ? parseIsoDate(s.created_at) : new Date(0);
  const lastUsed = s.last_used ? parseIsoDate(s.last_used) : null;
  if (!createdAt) return { success: false, error: 'created_at: not a valid date' };
  if (lastUsed === undefined) return { success: false, error: 'last_used: not a valid date' };
  return {
    success: true,
    data: {
      skillId: s.skill_id,
      name: s.name,
      description: s.description ?? '',
      category: s.category,
      patterns: s.patterns ?? [],
      confidence: s.confidence ?? 0.5,
      usageCount: s.usage_count ?? 0,
      lastUsed,
      createdAt,
      metadata: s.metadata ?? {},
    },
  };
}

/** Parses a skill from JSON; throws INVALID_ARGUMENT naming the field. */
export function skillFromJson(value: unknown): LearnedSkill {
  const result = safeParseSkillJson(value);
  if (!result.success) throw new AttuneError(ErrorCode.INVALID_ARGUMENT, result.error);
  return result.data;
}
