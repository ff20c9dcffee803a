/**
 * The seed's session-end handler, ready to register: evaluate, extract if worthwhile, store.
 * @module
 */
import { SessionEvaluator } from '../evaluate/session-evaluator.js';
import { PatternExtractor } from '../extract/pattern-extractor.js';
import type { Interaction } from '../model/session.js';
import { LearnedSkillsStorage } from '../storage/learned-skills-storage.js';
import type { HookContext, HookHandler } from './hook-registry.js';

/** Options of {@link createSessionEndHandler}. */
export interface SessionEndHandlerOptions {
  storage?: LearnedSkillsStorage;
  evaluator?: SessionEvaluator;
  extractor?: PatternExtractor;
}

/** What the handler returns. */
export interface SessionEndHandlerResult {
  success: true;
  quality: string;
  patternsStored: number;
}

/**
 * A handler for HookEvent.SESSION_END, as in the seed. It reads from its context:
 * `interaction_count`, `corrections_count`, `error_resolutions`, `preferences_count`,
 * `interactions`, `session_id`, `user_id` (camelCase spellings are accepted too).
 */
export function createSessionEndHandler(options: SessionEndHandlerOptions = {}): HookHandler {
  const evaluator = options.evaluator ?? new SessionEvaluator();
  const extractor = options.extractor ?? new PatternExtractor();
  const storage = options.storage ?? new LearnedSkillsStorage();
  return async function evaluateSessionHandler(
    context: HookContext,
  ): Promise<SessionEndHandlerResult> {
    const get = (snake: string, camel: string): unknown => context[snake] ?? context[camel];
    const count = (snake: string, camel: string) => {
      const v = get(snake, camel);
      return typeof v === 'number' ? v : 0;
    };
    const quality = evaluator.evaluate({
      interactionCount: count('interaction_count', 'interactionCount'),
      correctionsCount: count('corrections_count', 'correctionsCount'),
      errorResolutions: count('error_resolutions', 'errorResolutions'),
      explicitPreferences: count('preferences_count', 'preferencesCount'),
    });
    let stored = 0;
    if (evaluator.shouldExtractPatterns(quality)) {
      const interactions = get('interactions', 'interactions');
      const sessionId = get('session_id', 'sessionId');
      const patterns = extractor.extractPatterns({
        interactions: Array.isArray(interactions) ? (interactions as Interaction[]) : [],
        sessionId: typeof sessionId === 'string' ? sessionId : null,
      });
      const userId = get('user_id', 'userId');
      const result = await storage.learnPatterns(String(userId ?? ''), patterns);
      stored = result.created.length + result.reinforced.length;
    }
    return { success: true, quality: quality.name, patternsStored: stored };
  };
}
