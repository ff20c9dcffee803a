/**
 * Ranking of stored patterns for injection: how much a pattern is worth showing now.
 * @module
 */
import type { ExtractedPattern } from '../model/pattern.js';
import { matchesQuery, searchTerms } from '../store/pattern-store.js';
import { patternWorth, promptTerms } from './worth.js';

export { patternWorth, promptTerms } from './worth.js';

/** Sorts best first by {@link patternWorth}, then newest. Returns a new array. */
export function rankPatterns(patterns: readonly ExtractedPattern[]): ExtractedPattern[] {
  return [...patterns].sort(
    (a, b) =>
      patternWorth(b) - patternWorth(a) ||
      b.extractedAt.getTime() - a.extractedAt.getTime() ||
      a.patternId.localeCompare(b.patternId),
  );
}

/**
 * Patterns relevant to `prompt`, best first: each scores the number of prompt terms it
 * contains (trigger and tags weigh double), times its worth. Patterns that share no term
 * with the prompt are left out.
 */
export function rankByRelevance(
  patterns: readonly ExtractedPattern[],
  prompt: string,
): ExtractedPattern[] {
  const terms = promptTerms(prompt);
  if (terms.length === 0) return [];
  const scored: { p: ExtractedPattern; score: number }[] = [];
  for (const p of patterns) {
    const trigger = `${p.trigger} ${p.tags.join(' ')}`.toLowerCase();
    const body = `${p.resolution} ${p.context}`.toLowerCase();
    let hits = 0;
    for (const t of terms) {
      if (trigger.includes(t)) hits += 2;
      else if (body.includes(t)) hits += 1;
    }
    if (hits > 0) scored.push({ p, score: hits * patternWorth(p) });
  }
  return scored.sort((a, b) => b.score - a.score).map((s) => s.p);
}

/** True when every term of `query` occurs in the pattern (the stores' search contract). */
export function matchesSearch(pattern: ExtractedPattern, query: string): boolean {
  return matchesQuery(pattern, searchTerms(query));
}
