/**
 * Session quality: how much a session is worth learning from.
 * @module
 */
import { invalidArgument } from '../errors.js';

/** One quality level: its name and score (5 best, 1 worst). */
export interface SessionQualityLevel {
  readonly name: 'EXCELLENT' | 'GOOD' | 'AVERAGE' | 'POOR' | 'SKIP';
  readonly score: 5 | 4 | 3 | 2 | 1;
  readonly description: string;
}

/** The seed's quality table. Compare levels by `score`. */
export const SessionQuality = {
  EXCELLENT: {
    name: 'EXCELLENT',
    score: 5,
    description: 'Rich with corrections, resolutions, insights',
  },
  GOOD: { name: 'GOOD', score: 4, description: 'Contains valuable patterns' },
  AVERAGE: { name: 'AVERAGE', score: 3, description: 'Standard session, few patterns' },
  POOR: { name: 'POOR', score: 2, description: 'Minimal learning value' },
  SKIP: { name: 'SKIP', score: 1, description: 'Not suitable for learning' },
} as const satisfies Record<string, SessionQualityLevel>;
export type SessionQuality = (typeof SessionQuality)[keyof typeof SessionQuality];
export type SessionQualityName = SessionQuality['name'];

/** Every level, best first. */
export const SESSION_QUALITIES: readonly SessionQuality[] = [
  SessionQuality.EXCELLENT,
  SessionQuality.GOOD,
  SessionQuality.AVERAGE,
  SessionQuality.POOR,
  SessionQuality.SKIP,
];

/** The level with the given score (1..5). Throws INVALID_ARGUMENT otherwise. */
export function qualityFromScore(score: number): SessionQuality {
  const found = SESSION_QUALITIES.find((q) => q.score === score);
  return found ?? invalidArgument('score', `expected an integer 1..5, got ${score}`);
}

/** The level with the given name, case-insensitive. Throws INVALID_ARGUMENT otherwise. */
export function parseQuality(name: string): SessionQuality {
  const found = SESSION_QUALITIES.find((q) => q.name === name.trim().toUpperCase());
  return (
    found ??
    invalidArgument(
      'quality',
      `unknown quality ${JSON.stringify(name)}`,
      `Valid: ${SESSION_QUALITIES.map((q) => q.name).join(', ')}.`,
    )
  );
}
