/**
 * SessionEvaluator: rates how much a session is worth learning from.
 *
 * Scoring (documented in the README): every signal earns points, corrections and error
 * resolutions 3, preferences, workarounds and conventions 2. A session of one or two human
 * turns is SKIP (nothing found) or POOR. Otherwise: 20+ points EXCELLENT, 3+ GOOD, 2 AVERAGE,
 * no signal but 6+ turns POOR, else SKIP. Points only grow with counts, so more corrections,
 * resolutions or preferences never lower the quality.
 * @module
 */
import { invalidArgument } from '../errors.js';
import { SessionQuality as Q, type SessionQuality } from '../model/quality.js';
import type { Session } from '../model/session.js';
import { detectSignals, type SessionSignals, type Signal } from './signals.js';
import { clip } from './text.js';

/** The seed's evaluation factors. */
export interface EvaluationFactors {
  /** Number of turns (human prompts). */
  interactionCount: number;
  correctionsCount: number;
  errorResolutions: number;
  explicitPreferences: number;
  /** Not in the seed: workarounds found. @default 0 */
  workarounds?: number;
  /** Not in the seed: project conventions found. @default 0 */
  conventions?: number;
}

/** Counts found in a session. */
export interface EvaluationCounts {
  interactions: number;
  corrections: number;
  errorResolutions: number;
  preferences: number;
  workarounds: number;
  conventions: number;
}

/** A full evaluation of one session. */
export interface SessionEvaluation {
  sessionId: string;
  quality: SessionQuality;
  /** Learning points behind the quality (see the module comment). */
  points: number;
  counts: EvaluationCounts;
  /** True when patterns should be extracted at the evaluator's threshold. */
  recommended: boolean;
  /** Sentences a person can check against the transcript. */
  reasons: string[];
  /** Every signal found, in turn order. */
  signals: Signal[];
}

/** Options of {@link SessionEvaluator}. */
export interface SessionEvaluatorOptions {
  /**
   * The lowest quality worth extracting from.
   * @default SessionQuality.GOOD
   */
  minQuality?: SessionQuality;
}

const POINTS = {
  corrections: 3,
  errorResolutions: 3,
  preferences: 2,
  workarounds: 2,
  conventions: 2,
} as const;

/** Rates sessions for learning value. */
export class SessionEvaluator {
  readonly minQuality: SessionQuality;

  constructor(options: SessionEvaluatorOptions = {}) {
    this.minQuality = options.minQuality ?? Q.GOOD;
  }

  /**
   * The quality of a session from its counts (the seed's `evaluate`).
   * Throws INVALID_ARGUMENT for a negative or non-integer count.
   */
  evaluate(factors: EvaluationFactors): SessionQuality {
    const counts = checkCounts(factors);
    return qualityOf(counts, pointsOf(counts));
  }

  /** True when a session of this quality is worth extracting from. */
  shouldExtractPatterns(quality: SessionQuality): boolean {
    return quality.score >= this.minQuality.score;
  }

  /** Extraction priority: 1 (first) for EXCELLENT down to 5 for SKIP. */
  getExtractionPriority(quality: SessionQuality): number {
    return 6 - quality.score;
  }

  /** A full evaluation of a read session: counts, quality, reasons and signals. */
  evaluateSession(
    session: Session,
    signals: SessionSignals = detectSignals(session),
  ): SessionEvaluation {
    const of = (kind: Signal['kind']) => signals.signals.filter((s) => s.kind === kind);
    const groups = {
      corrections: of('correction'),
      errorResolutions: of('error_resolution'),
      preferences: of('preference'),
      workarounds: of('workaround'),
      conventions: of('convention'),
    };
    const counts: EvaluationCounts = {
      interactions: signals.interactionCount,
      corrections: groups.corrections.length,
      errorResolutions: groups.errorResolutions.length,
      preferences: groups.preferences.length,
      workarounds: groups.workarounds.length,
      conventions: groups.conventions.length,
    };
    const points = pointsOf(counts);
    const quality = qualityOf(counts, points);
    const reasons = [
      `${counts.interactions} human ${plural(counts.interactions, 'turn')}`,
      ...describe(groups.corrections, 'correction'),
      ...describe(groups.errorResolutions, 'error resolution'),
      ...describe(groups.preferences, 'stated preference'),
      ...describe(groups.workarounds, 'workaround'),
      ...describe(groups.conventions, 'project convention'),
      `${points} learning points: ${quality.name}`,
    ];
    return {
      sessionId: session.id,
      quality,
      points,
      counts,
      recommended: this.shouldExtractPatterns(quality),
      reasons,
      signals: signals.signals,
    };
  }
}

function checkCounts(f: EvaluationFactors): EvaluationCounts {
  const n = (field: string, value: unknown): number => {
    if (value === undefined) return 0;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      return invalidArgument(field, `must be a non-negative integer, got ${String(value)}`);
    }
    return value;
  };
  return {
    interactions: n('interactionCount', f.interactionCount),
    corrections: n('correctionsCount', f.correctionsCount),
    errorResolutions: n('errorResolutions', f.errorResolutions),
    preferences: n('explicitPreferences', f.explicitPreferences),
    workarounds: n('workarounds', f.workarounds),
    conventions: n('conventions', f.conventions),
  };
}

function pointsOf(c: EvaluationCounts): number {
  return (
    c.corrections * POINTS.corrections +
    c.errorResolutions * POINTS.errorResolutions +
    c.preferences * POINTS.preferences +
    c.workarounds * POINTS.workarounds +
    c.conventions * POINTS.conventions
  );
}

function qualityOf(c: EvaluationCounts, points: number): SessionQuality {
  if (c.interactions <= 2) return points > 0 ? Q.POOR : Q.SKIP;
  if (points >= 20) return Q.EXCELLENT;
  if (points >= 3) return Q.GOOD;
  if (points >= 2) return Q.AVERAGE;
  return c.interactions >= 6 ? Q.POOR : Q.SKIP;
}

function describe(signals: readonly Signal[], noun: string): string[] {
  if (signals.length === 0) return [];
  const shown = signals
    .slice(0, 3)
    .map((s) => `turn ${s.turn} ${JSON.stringify(clip(s.quote, 60))}`)
    .join(', ');
  const more = signals.length > 3 ? `, and ${signals.length - 3} more` : '';
  return [`${signals.length} ${plural(signals.length, noun)}: ${shown}${more}`];
}

function plural(n: number, noun: string): string {
  return n === 1 ? noun : `${noun}s`;
}
