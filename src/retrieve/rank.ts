/**
 * Ranking of stored patterns for injection: how much a pattern is worth showing now.
 * @module
 */
import { type ExtractedPattern, observationsOf } from '../model/pattern.js';
import { matchesQuery, searchTerms } from '../store/pattern-store.js';

/**
 * The worth of a pattern regardless of the task: confidence, nudged up by repeated
 * observations (a lesson learned three times matters more than one seen once).
 */
export function patternWorth(pattern: ExtractedPattern): number {
  const seen = observationsOf(pattern);
  return pattern.confidence + Math.min(0.15, 0.05 * (seen - 1));
}

/** Sorts best first by {@link patternWorth}, then newest. Returns a new array. */
export function rankPatterns(patterns: readonly ExtractedPattern[]): ExtractedPattern[] {
  return [...patterns].sort(
    (a, b) =>
      patternWorth(b) - patternWorth(a) ||
      b.extractedAt.getTime() - a.extractedAt.getTime() ||
      a.patternId.localeCompare(b.patternId),
  );
}

const STOP = new Set(
  (
    'a about above after again all also am an and any are as at be because been before being ' +
    'below between both but by can could did do does doing down during each few for from ' +
    'further get had has have having he her here hers him his how i if in into is it its itself ' +
    'just let lets like make me more most my need no nor not now of off on once only or other ' +
    'our out over own please same she should so some such than that the their them then there ' +
    'these they this those through to too under until up us use very want was we were what ' +
    'when where which while who why will with would you your'
  ).split(' '),
);

/** The words of a prompt worth matching on: lower-case, no stop words, 3+ characters. */
export function promptTerms(prompt: string): string[] {
  const words = prompt.toLowerCase().match(/[\p{L}\p{N}_#+.-]+/gu) ?? [];
  const terms = new Set<string>();
  for (const w of words) {
    const t = w.replace(/^[.-]+|[.-]+$/g, '');
    if (t.length >= 3 && !STOP.has(t)) terms.add(t);
  }
  return [...terms];
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
