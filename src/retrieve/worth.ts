/**
 * How much a pattern is worth showing, and which words of a prompt to match on. No value
 * imports: the session-start hook loads this on every start.
 * @module
 */

/** The fields worth and relevance are computed from. */
export interface WeighablePattern {
  confidence: number;
  metadata: { observations?: unknown };
}

/** How many times a pattern was seen (`metadata.observations`, at least 1). */
export function observationCount(pattern: WeighablePattern): number {
  const n = pattern.metadata.observations;
  return typeof n === 'number' && Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
}

/**
 * The worth of a pattern regardless of the task: confidence, nudged up by repeated
 * observations (a lesson learned three times matters more than one seen once).
 */
export function patternWorth(pattern: WeighablePattern): number {
  return pattern.confidence + Math.min(0.15, 0.05 * (observationCount(pattern) - 1));
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
