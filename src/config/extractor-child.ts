/**
 * Constants of the model extractor that the hooks need (a module of its own so the
 * hook entry can read it without loading the config code).
 * @module
 */

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
