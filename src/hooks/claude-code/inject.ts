/**
 * The injecting hooks: `SessionStart` prints the best patterns for this user and project,
 * `UserPromptSubmit` the few that bear on the prompt. Both print the JSON Claude Code
 * expects (`hookSpecificOutput.additionalContext`), or nothing when nothing qualifies.
 *
 * This runs on every session start and every prompt, so it loads only the file store,
 * the model and the ranking helpers: no CLI framework, no schema library, no transcript
 * readers.
 * @module
 */
import {
  CONTEXT_DEFAULTS,
  formatInjectedContext,
  selectPromptPatterns,
  selectSessionPatterns,
} from './context.js';
import { openHookStore, resolveHookIdentity } from './identity.js';
import type { HookPayload } from './payload.js';

type Env = Record<string, string | undefined>;

/** Options of the injecting hooks; each falls back to the config file, then the default. */
export interface InjectOptions {
  /** User id, as `--user` (wins over `ATTUNE_USER` and the config file). */
  user?: string;
  /** Character budget of the block. */
  budget?: number;
  /** Patterns at most. */
  maxPatterns?: number;
  env?: Env;
}

/** The stdout of the SessionStart hook: the JSON object, or '' when nothing qualifies. */
export async function runSessionStartHook(
  payload: HookPayload,
  options: InjectOptions = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const id = resolveHookIdentity(payload.cwd, options.user, env);
  const maxPatterns =
    options.maxPatterns ?? id.config.contextMaxPatterns ?? CONTEXT_DEFAULTS.sessionMaxPatterns;
  const budget = options.budget ?? id.config.contextBudget ?? CONTEXT_DEFAULTS.sessionBudget;
  if (maxPatterns === 0) return '';
  const store = await openHookStore(id.store);
  try {
    // Over-fetch so that observation counts can reorder near ties.
    const candidates = await store.listPatterns(id.userId, {
      project: id.project,
      limit: maxPatterns * 4,
    });
    const chosen = selectSessionPatterns(candidates, {
      maxPatterns,
      minConfidence: CONTEXT_DEFAULTS.minConfidence,
    });
    return hookOutput('SessionStart', formatInjectedContext(chosen, 'session', budget));
  } finally {
    await store.close();
  }
}

/** The stdout of the UserPromptSubmit hook: the JSON object, or '' when nothing bears on it. */
export async function runUserPromptSubmitHook(
  payload: HookPayload,
  options: InjectOptions = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const prompt = payload.prompt ?? '';
  if (prompt.trim() === '') return '';
  const id = resolveHookIdentity(payload.cwd, options.user, env);
  const maxPatterns = options.maxPatterns ?? CONTEXT_DEFAULTS.promptMaxPatterns;
  const budget = options.budget ?? CONTEXT_DEFAULTS.promptBudget;
  if (maxPatterns === 0) return '';
  const store = await openHookStore(id.store);
  try {
    const candidates = await store.listPatterns(id.userId, { project: id.project, limit: 5000 });
    const chosen = selectPromptPatterns(candidates, prompt, {
      maxPatterns,
      minConfidence: CONTEXT_DEFAULTS.minConfidence,
    });
    return hookOutput('UserPromptSubmit', formatInjectedContext(chosen, 'prompt', budget));
  } finally {
    await store.close();
  }
}

/** `{"hookSpecificOutput":{"hookEventName":..,"additionalContext":..}}`, or '' for no context. */
export function hookOutput(event: 'SessionStart' | 'UserPromptSubmit', context: string): string {
  if (context === '') return '';
  return JSON.stringify({
    hookSpecificOutput: { hookEventName: event, additionalContext: context },
  });
}
