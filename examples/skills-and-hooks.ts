/**
 * The seed's learned skills, summary and hooks examples.
 * Run: node dist/examples/skills-and-hooks.js
 * @module
 */
import {
  createSessionEndHandler,
  createSkill,
  HookEvent,
  HookRegistry,
  LearnedSkillsStorage,
  PatternCategory,
} from '../src/index.js';

const storage = new LearnedSkillsStorage();

// Learned skills
const skill = createSkill({
  skillId: 'skill_001',
  name: 'Python Async Best Practices',
  description: 'Patterns for async/await usage',
  category: PatternCategory.PREFERENCE,
  patterns: ['pat_001', 'pat_002', 'pat_003'],
  confidence: 0.85,
});
await storage.saveSkill('user123', skill);

// Skill usage tracking
await storage.recordSkillUsage('user123', 'skill_001');
const skills = await storage.getAllSkills('user123');
const mostUsed = skills.reduce((a, b) => (b.usageCount > a.usageCount ? b : a));
console.log(`Most used skill: ${mostUsed.name} (${mostUsed.usageCount} use)`);

// Learning summary
console.log(JSON.stringify(await storage.getSummary('user123'), null, 2));

// Integration with hooks: the seed's session-end handler
const registry = new HookRegistry();
registry.register({ event: HookEvent.SESSION_END, handler: createSessionEndHandler({ storage }) });
const [result] = await registry.fire(HookEvent.SESSION_END, {
  user_id: 'user123',
  session_id: 'session_456',
  interaction_count: 20,
  corrections_count: 3,
  error_resolutions: 2,
  preferences_count: 1,
  interactions: [
    { role: 'user', content: 'Add the retry helper.' },
    { role: 'assistant', content: 'Added retry() with a fixed 1s delay.' },
    {
      role: 'user',
      content:
        'No, never use a fixed delay. Always use exponential backoff with jitter for retries.',
    },
  ],
});
console.log(`Session end hook: ${JSON.stringify(result?.value)}`);
