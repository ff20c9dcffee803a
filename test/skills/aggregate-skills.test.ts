import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPattern } from '../../src/model/pattern.js';
import { aggregateSkills } from '../../src/skills/aggregate-skills.js';
import { LearnedSkillsStorage } from '../../src/storage/learned-skills-storage.js';

const p = (resolution: string, tags: string[], category = 'preference', confidence = 0.8) =>
  createPattern({ category, trigger: 'Writing code', resolution, tags, confidence });

describe('aggregateSkills', () => {
  it('makes a skill of a tag shared by three patterns, not of one shared by two', () => {
    const patterns = [
      p('Use async/await.', ['python', 'async'], 'preference', 0.9),
      p('Use asyncio.gather for fan-out.', ['python', 'async'], 'code_pattern', 0.7),
      p('Never block the event loop.', ['python', 'async'], 'user_correction', 0.8),
      p('Use pytest.', ['python', 'testing']),
    ];
    const skills = aggregateSkills(patterns);
    expect(skills.map((s) => s.name)).toEqual(['Async practices', 'Python practices']);
    const python = skills[1];
    expect(python?.patterns).toHaveLength(4);
    expect(python?.confidence).toBe(0.8);
    expect(skills[0]?.patterns).toHaveLength(3);
    expect(skills[0]?.category).toBe('user_correction'); // a three-way tie goes to the first in category order
    expect(aggregateSkills(patterns, [], { minPatterns: 5 })).toEqual([]);
  });
});

describe('skills in storage', () => {
  it('refreshes aggregated skills after learning and tracks their use when patterns are injected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attune-skills-'));
    try {
      const storage = new LearnedSkillsStorage({ storageDir: dir });
      const patterns = [
        'Use vitest.',
        'Name tests as sentences.',
        'Keep tests next to source.',
      ].map((r) => p(r, ['testing']));
      await storage.learnPatterns('u', patterns);
      const [skill] = await storage.refreshSkills('u');
      expect(skill?.name).toBe('Testing practices');
      expect(await storage.recordPatternUse('u', [patterns[0]?.patternId ?? ''])).toEqual([
        skill?.skillId,
      ]);
      await storage.refreshSkills('u');
      expect((await storage.getSkill('u', skill?.skillId ?? ''))?.usageCount).toBe(1);
      expect((await storage.getSummary('u')).most_used_skill).toBe('Testing practices');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
