/**
 * Pattern categories: the seed's five plus two of our own.
 * @module
 */
import { invalidArgument } from '../errors.js';

/** What kind of lesson a pattern holds. Values are the lowercase ids written to disk. */
export const PatternCategory = {
  ERROR_RESOLUTION: 'error_resolution',
  USER_CORRECTION: 'user_correction',
  WORKAROUND: 'workaround',
  PREFERENCE: 'preference',
  PROJECT_SPECIFIC: 'project_specific',
  DEBUGGING_TECHNIQUE: 'debugging_technique',
  CODE_PATTERN: 'code_pattern',
} as const;
export type PatternCategory = (typeof PatternCategory)[keyof typeof PatternCategory];

/** Every category value, in declaration order. */
export const PATTERN_CATEGORIES: readonly PatternCategory[] = Object.values(PatternCategory);

/** The upper-case name of a category, as shown in the context block (`ERROR_RESOLUTION`). */
export function categoryName(category: PatternCategory): string {
  return category.toUpperCase();
}

/** True when `value` is a category value. */
export function isPatternCategory(value: unknown): value is PatternCategory {
  return typeof value === 'string' && (PATTERN_CATEGORIES as readonly string[]).includes(value);
}

/**
 * Parses a category from its value (`preference`) or name (`PREFERENCE`, `Preference`),
 * also accepting `-` for `_`. Throws INVALID_ARGUMENT listing the valid ones.
 */
export function parseCategory(value: string, field = 'category'): PatternCategory {
  const normal = value.trim().toLowerCase().replace(/-/g, '_');
  if (isPatternCategory(normal)) return normal;
  return invalidArgument(
    field,
    `unknown category ${JSON.stringify(value)}; valid categories: ${PATTERN_CATEGORIES.join(', ')}`,
  );
}
