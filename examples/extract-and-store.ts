/**
 * The seed's extraction, storage, retrieval and context-injection examples.
 * Run: node dist/examples/extract-and-store.js
 * @module
 */
import {
  CommandContext,
  type Interaction,
  LearnedSkillsStorage,
  PatternCategory,
  PatternExtractor,
} from '../src/index.js';

const extractor = new PatternExtractor();

// From corrections
const corrections = extractor.extractCorrections(
  [
    {
      original: 'Use eval() to parse the input',
      corrected: 'Use ast.literal_eval() instead',
      reason: 'Security: eval is dangerous',
    },
  ],
  { sessionId: 'session_123' },
);

// From error resolutions
const errors = extractor.extractErrorResolutions(
  [
    {
      error_type: 'TypeError',
      error_message: "'NoneType' object has no attribute 'get'",
      resolution: 'Added null check before accessing attribute',
    },
  ],
  { sessionId: 'session_123' },
);

// Full session extraction
const sessionInteractions: Interaction[] = [
  { role: 'user', content: 'Parse the config file and print the port.' },
  { role: 'assistant', content: 'I used eval() on the file contents and printed config["port"].' },
  {
    role: 'user',
    content: "No, don't use eval. We always use json.loads for config files in this project.",
  },
  { role: 'assistant', content: 'Switched to json.loads.' },
];
const fromSession = extractor.extractPatterns({
  interactions: sessionInteractions,
  preferences: ['Prefer code examples over prose when explaining code'],
  sessionId: 'session_123',
});

// Storing patterns
const storage = new LearnedSkillsStorage({
  storageDir: '.empathy/learned_skills',
  maxPatternsPerUser: 100,
});
const [correction] = corrections;
if (!correction) throw new Error('expected one correction pattern');
const patternId = await storage.savePattern('user123', correction);
const ids = await storage.savePatterns('user123', [...errors, ...fromSession]);
console.log(`Saved ${patternId} and ${ids.length} more`);

// Retrieving patterns
const all = await storage.getAllPatterns('user123');
const errorPatterns = await storage.getPatternsByCategory(
  'user123',
  PatternCategory.ERROR_RESOLUTION,
);
const pythonPatterns = await storage.getPatternsByTag('user123', 'python');
const results = await storage.searchPatterns('user123', 'eval');
console.log(
  `all=${all.length} errors=${errorPatterns.length} python=${pythonPatterns.length} search(eval)=${results.length}`,
);

// Format for context injection
const contextText = await storage.formatPatternsForContext('user123', {
  maxPatterns: 5,
  categories: [PatternCategory.ERROR_RESOLUTION, PatternCategory.PREFERENCE],
});
console.log(contextText);

// With command context
const ctx = new CommandContext({ userId: 'user123', learningStorage: storage });
const patternsText = await ctx.getPatternsForContext({ maxPatterns: 5 });
const relevant = await ctx.searchPatterns('eval');
console.log(
  `context block: ${patternsText.split('\n').length} lines; relevant to eval: ${relevant.length}`,
);

// The commands, in process
console.log(await ctx.run('/patterns'));
