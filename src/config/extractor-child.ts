/**
 * The environment variable set for the model extractor's command (a module of its own so the
 * hook entry can read it without loading the config code).
 * @module
 */

/**
 * Set in the environment of the model extractor's command. Hooks do nothing when they see
 * it, so a `claude -p` extractor neither learns from nor is given context by its own sessions.
 */
export const EXTRACTOR_CHILD_ENV = 'ATTUNE_EXTRACTOR_CHILD';
