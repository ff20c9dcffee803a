/**
 * Constants of the model extractor that the hooks need (a module of its own so the
 * hook entry can read it without loading the config code).
 * @module
 */
import { AttuneError, ErrorCode } from '../errors.js';

/**
 * Set in the environment of the model extractor's command. Hooks do nothing when they see
 * it, so a `claude -p` extractor neither learns from nor is given context by its own sessions.
 */
export const EXTRACTOR_CHILD_ENV = 'ATTUNE_EXTRACTOR_CHILD';

/**
 * Most prompts one session is sent to the model extractor in (a long session goes in parts);
 * a session that would need more is shortened to fit one. Bounds a session's model calls, and
 * so how long the background learner may wait for them.
 */
export const EXTRACTOR_MAX_PARTS = 6;

/**
 * Whether and how the model's first answer is reviewed in a second call: `complete` checks the
 * draft and adds the lessons it missed; `verify` only checks it.
 */
export type ReviewMode = 'off' | 'complete' | 'verify';

/** Every {@link ReviewMode}, for parsing and messages. */
export const REVIEW_MODES: readonly ReviewMode[] = ['off', 'complete', 'verify'];

/**
 * Answers asked of the model per session when nothing says otherwise: two answers found the
 * lessons one misses (the 18 real sessions, any category: 90.6% / 76.9% with one answer,
 * 92.0% / 81.5% with two, which also judge the lessons the model doubts), at twice the calls.
 */
export const DEFAULT_EXTRACTOR_SAMPLES = 2;
/** The most answers a session's model extraction may ask for (`samples`). */
export const MAX_EXTRACTOR_SAMPLES = 5;

/** `value` as a number of answers to ask for; INVALID_ARGUMENT naming `what` otherwise. */
export function checkSamples(value: number, what: string): number {
  if (Number.isInteger(value) && value >= 1 && value <= MAX_EXTRACTOR_SAMPLES) return value;
  throw new AttuneError(
    ErrorCode.INVALID_ARGUMENT,
    `${what} must be a whole number of answers from 1 to ${MAX_EXTRACTOR_SAMPLES}, got ${value}`,
    { suggestion: '2 (the default) finds more lessons at twice the model calls; 1 asks once.' },
  );
}
