/**
 * Reinforcement: what happens when the same lesson is learned again.
 * @module
 */
import {
  type Evidence,
  type ExtractedPattern,
  MAX_EVIDENCE,
  observationsOf,
} from '../model/pattern.js';

/**
 * Combines a stored pattern with the same lesson learned again. Sightings already recorded
 * (same session and turn) are not counted twice, so learning from one transcript twice
 * (PreCompact, then SessionEnd) changes nothing. Each new sighting adds one observation and
 * raises confidence towards 0.99 by a quarter of the remaining distance.
 */
export function reinforcePattern(
  existing: ExtractedPattern,
  incoming: ExtractedPattern,
  now: Date = new Date(),
): ExtractedPattern {
  const known = evidenceOf(existing);
  const fresh = newEvidence(known, evidenceOf(incoming));
  if (fresh.length === 0 && known.length > 0) return existing;
  const added = Math.max(1, fresh.length === 0 ? observationsOf(incoming) : fresh.length);
  let confidence = Math.max(existing.confidence, incoming.confidence);
  for (let i = 0; i < added; i++) confidence = raisedConfidence(confidence);
  return {
    ...existing,
    confidence: Math.min(0.99, Math.round(confidence * 1000) / 1000),
    tags: [...new Set([...existing.tags, ...incoming.tags])],
    metadata: {
      ...existing.metadata,
      observations: observationsOf(existing) + added,
      evidence: [...known, ...fresh].slice(-MAX_EVIDENCE),
      updatedAt: now.toISOString(),
    },
  };
}

/**
 * The sightings of `incoming` not already in `known`: the same session and turn, or for a
 * sighting without a turn (a lesson stated outright) the same session and time.
 */
export function newEvidence(known: readonly Evidence[], incoming: readonly Evidence[]): Evidence[] {
  const key = (e: Evidence) => `${e.sessionId}#${e.turn ?? e.at ?? ''}`;
  const seen = new Set(known.map(key));
  return incoming.filter((e) => !seen.has(key(e)));
}

/** A confidence raised for one more sign of the same lesson: a quarter of the way to 0.99. */
export function raisedConfidence(confidence: number): number {
  return confidence + (0.99 - confidence) * 0.25;
}

/** The evidence list of a pattern, falling back to its source session. */
export function evidenceOf(pattern: ExtractedPattern): Evidence[] {
  const list = pattern.metadata.evidence;
  if (Array.isArray(list)) {
    return list.filter(
      (e): e is Evidence =>
        typeof e === 'object' && e !== null && typeof (e as Evidence).sessionId === 'string',
    );
  }
  return pattern.sourceSession ? [{ sessionId: pattern.sourceSession }] : [];
}

const STOP = new Set(
  'a an and are as at be by do for from in into is it not of on or the this to use when with you your we our instead always never'.split(
    ' ',
  ),
);

/** Content words of a text, lower-cased, for near-duplicate detection. */
export function contentWords(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}_.-]+/gu) ?? [];
  const clean = words.map((w) => w.replace(/^[.-]+|[.-]+$/g, ''));
  return new Set(clean.filter((w) => w.length > 1 && !STOP.has(w)));
}

/** Jaccard similarity of two word sets (0..1). */
export function similarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * The stored pattern that says the same thing as `incoming` (same category, resolution
 * words at least 80% alike), or undefined.
 */
export function findNearDuplicate(
  incoming: ExtractedPattern,
  candidates: readonly ExtractedPattern[],
): ExtractedPattern | undefined {
  const words = contentWords(incoming.resolution);
  let best: ExtractedPattern | undefined;
  let bestScore = 0.8;
  for (const c of candidates) {
    if (c.category !== incoming.category || c.patternId === incoming.patternId) continue;
    const score = similarity(words, contentWords(c.resolution));
    if (score >= bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}
