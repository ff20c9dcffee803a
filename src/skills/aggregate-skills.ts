/**
 * Aggregation of patterns into learned skills: a topic (tag) that several patterns share
 * becomes a skill, whose use is tracked when its patterns are injected.
 * @module
 */
import { PATTERN_CATEGORIES, type PatternCategory } from '../model/category.js';
import type { ExtractedPattern } from '../model/pattern.js';
import { createSkill, type LearnedSkill } from '../model/skill.js';

/** Options of {@link aggregateSkills}. */
export interface AggregateSkillsOptions {
  /** Patterns a tag needs before it becomes a skill. @default 3 */
  minPatterns?: number;
  now?: Date;
}

/** Prefix of the ids of skills made by aggregation (hand-made skills keep theirs). */
export const AGGREGATED_SKILL_PREFIX = 'skill_auto_';

/**
 * Skills for every tag shared by at least `minPatterns` patterns. A skill's category is the
 * most common category of its patterns, its confidence their mean; an existing skill with
 * the same id keeps its usage count, last use and creation time.
 */
export function aggregateSkills(
  patterns: readonly ExtractedPattern[],
  existing: readonly LearnedSkill[] = [],
  options: AggregateSkillsOptions = {},
): LearnedSkill[] {
  const min = options.minPatterns ?? 3;
  const byTag = new Map<string, ExtractedPattern[]>();
  for (const p of patterns) {
    for (const tag of p.tags) {
      const list = byTag.get(tag) ?? [];
      list.push(p);
      byTag.set(tag, list);
    }
  }
  const previous = new Map(existing.map((s) => [s.skillId, s]));
  const skills: LearnedSkill[] = [];
  for (const [tag, members] of [...byTag].sort(([a], [b]) => a.localeCompare(b))) {
    if (members.length < min) continue;
    const skillId = `${AGGREGATED_SKILL_PREFIX}${tag.replace(/[^a-z0-9#+.-]/g, '_')}`;
    const old = previous.get(skillId);
    const counts = new Map<PatternCategory, number>();
    for (const m of members) counts.set(m.category, (counts.get(m.category) ?? 0) + 1);
    const category =
      [...counts].sort(
        (a, b) =>
          b[1] - a[1] || PATTERN_CATEGORIES.indexOf(a[0]) - PATTERN_CATEGORIES.indexOf(b[0]),
      )[0]?.[0] ?? 'preference';
    const confidence = members.reduce((n, m) => n + m.confidence, 0) / members.length;
    skills.push(
      createSkill({
        skillId,
        name: `${titleCase(tag)} practices`,
        description: `${members.length} learned patterns about ${tag}`,
        category,
        patterns: members.map((m) => m.patternId),
        confidence: Math.round(confidence * 100) / 100,
        usageCount: old?.usageCount ?? 0,
        lastUsed: old?.lastUsed ?? null,
        createdAt: old?.createdAt ?? options.now ?? new Date(),
        metadata: { ...(old?.metadata ?? {}), tag, aggregated: true },
      }),
    );
  }
  return skills;
}

function titleCase(tag: string): string {
  return tag.length <= 3 ? tag.toUpperCase() : tag[0]?.toUpperCase() + tag.slice(1);
}
