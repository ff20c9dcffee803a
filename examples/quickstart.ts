/**
 * The seed's Quick Start, in TypeScript. Run: node dist/examples/quickstart.js
 * (it stores into .empathy/learned_skills under the current folder).
 * @module
 */
import { LearnedSkillsStorage, PatternExtractor, SessionEvaluator } from '../src/index.js';

// Evaluate session quality
const evaluator = new SessionEvaluator();
const quality = evaluator.evaluate({
  interactionCount: 20,
  correctionsCount: 3,
  errorResolutions: 2,
  explicitPreferences: 1,
});
console.log(`Session quality: ${quality.name}`); // GOOD

// Extract patterns
if (evaluator.shouldExtractPatterns(quality)) {
  const extractor = new PatternExtractor();
  const patterns = extractor.extractCorrections(
    [{ original: 'Use eval() to parse the input', corrected: 'Use ast.literal_eval() instead' }],
    { sessionId: 'session_123' },
  );

  // Store patterns
  const storage = new LearnedSkillsStorage();
  const ids = await storage.savePatterns('user123', patterns);
  console.log(`Stored ${ids.length} pattern(s): ${ids.join(', ')}`);
}
