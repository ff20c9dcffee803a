import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AttuneError } from '../../src/errors.js';
import { PatternCategory } from '../../src/model/category.js';
import { createPattern, type ExtractedPattern } from '../../src/model/pattern.js';
import { createSkill } from '../../src/model/skill.js';
import { LearnedSkillsStorage } from '../../src/storage/learned-skills-storage.js';
import { FileStore } from '../../src/store/file-store.js';

let dir: string;
let storage: LearnedSkillsStorage;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attune-storage-'));
  storage = new LearnedSkillsStorage({ storageDir: dir });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function pattern(over: Partial<Parameters<typeof createPattern>[0]> = {}): ExtractedPattern {
  return createPattern({
    category: 'preference',
    trigger: 'Explaining code',
    resolution: 'Prefer code examples over prose',
    confidence: 0.9,
    ...over,
  });
}

describe('LearnedSkillsStorage defaults', () => {
  it("uses the seed's directory and limit", () => {
    const s = new LearnedSkillsStorage();
    expect(s.maxPatternsPerUser).toBe(100);
  });

  it("writes the seed's layout", async () => {
    await storage.savePattern('user123', pattern());
    await storage.saveSkill(
      'user123',
      createSkill({ skillId: 'skill_001', name: 'S', category: 'preference' }),
    );
    expect(
      readdirSync(join(dir, 'user123'))
        .filter((f) => !f.startsWith('.'))
        .sort(),
    ).toEqual(['patterns.json', 'skills.json']);
  });
});

describe('saving patterns', () => {
  it('updates a pattern with an existing id in place, never keeping a second copy', async () => {
    const first = pattern({ confidence: 0.5, context: 'old' });
    const again = { ...first, confidence: 0.8, context: 'new' };
    expect(await storage.savePattern('u', first)).toBe(first.patternId);
    expect(await storage.savePattern('u', again)).toBe(first.patternId);
    const all = await storage.getAllPatterns('u');
    expect(all).toHaveLength(1);
    expect(all[0]?.context).toBe('new');
    expect(all[0]?.confidence).toBe(0.8);
  });

  it('returns the ids of a batch in order', async () => {
    const ps = [1, 2, 3].map((i) => pattern({ resolution: `r${i}` }));
    expect(await storage.savePatterns('u', ps)).toEqual(ps.map((p) => p.patternId));
  });

  it('evicts the lowest confidence, then the oldest, at the limit, never the one just saved', async () => {
    const small = new LearnedSkillsStorage({ storageDir: dir, maxPatternsPerUser: 3 });
    const old = pattern({
      resolution: 'old',
      confidence: 0.5,
      extractedAt: '2020-01-01T00:00:00Z',
    });
    const young = pattern({
      resolution: 'young',
      confidence: 0.5,
      extractedAt: '2024-01-01T00:00:00Z',
    });
    const strong = pattern({ resolution: 'strong', confidence: 0.9 });
    await small.savePatterns('u', [old, young, strong]);
    const weakest = pattern({ resolution: 'newest but weakest', confidence: 0.1 });
    await small.savePattern('u', weakest);
    const ids = (await small.getAllPatterns('u')).map((p) => p.resolution).sort();
    expect(ids).toEqual(['newest but weakest', 'strong', 'young']);
  });

  it('rejects a malformed pattern naming the field, and writes nothing', async () => {
    const bad = { ...pattern(), confidence: Number.NaN };
    await expect(storage.savePattern('u', bad)).rejects.toThrow(/confidence/);
    const unknown = { ...pattern(), category: 'mood' } as unknown as ExtractedPattern;
    await expect(storage.savePattern('u', unknown)).rejects.toThrow(/category/);
    await expect(storage.savePattern('u', null as unknown as ExtractedPattern)).rejects.toThrow(
      /pattern/,
    );
    expect(existsSync(join(dir, 'u', 'patterns.json'))).toBe(false);
  });

  it.each(['', '../escape', 'a/b', 'a\\b', 'nul\u0000', 'x'.repeat(129)])(
    'rejects the user id %j with INVALID_ARGUMENT and writes nothing',
    async (id) => {
      await expect(storage.savePattern(id, pattern())).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      expect(readdirSync(dir)).toEqual([]);
    },
  );

  it('leaves no temporary files behind', async () => {
    for (let i = 0; i < 5; i++) await storage.savePattern('u', pattern({ resolution: `r${i}` }));
    expect(readdirSync(join(dir, 'u')).sort()).toEqual(['.owner', 'patterns.json']);
  });
});

describe('learning patterns', () => {
  it('reinforces the same lesson instead of adding a copy', async () => {
    const a = pattern({
      confidence: 0.7,
      metadata: { observations: 1, evidence: [{ sessionId: 's1', turn: 3 }] },
    });
    const b = { ...a, metadata: { observations: 1, evidence: [{ sessionId: 's2', turn: 8 }] } };
    expect((await storage.learnPatterns('u', [a])).created).toEqual([a.patternId]);
    expect((await storage.learnPatterns('u', [b])).reinforced).toEqual([a.patternId]);
    const [stored] = await storage.getAllPatterns('u');
    expect(stored?.metadata.observations).toBe(2);
    expect(stored?.confidence).toBeGreaterThan(0.7);
    expect(stored?.metadata.evidence).toEqual([
      { sessionId: 's1', turn: 3 },
      { sessionId: 's2', turn: 8 },
    ]);
  });

  it('does not count the same sighting twice', async () => {
    const a = pattern({ metadata: { observations: 1, evidence: [{ sessionId: 's1', turn: 3 }] } });
    await storage.learnPatterns('u', [a]);
    // Reported as already known: neither new nor reinforced.
    expect(await storage.learnPatterns('u', [a])).toEqual({
      created: [],
      reinforced: [],
      unchanged: [a.patternId],
      evicted: [],
    });
    const [stored] = await storage.getAllPatterns('u');
    expect(stored?.metadata.observations).toBe(1);
    expect(stored?.confidence).toBe(a.confidence);
  });

  it('merges a near-duplicate wording into the stored pattern', async () => {
    const a = pattern({
      category: 'user_correction',
      trigger: 'Installing packages',
      resolution: 'Use pnpm, not npm, to install packages.',
    });
    const b = pattern({
      category: 'user_correction',
      trigger: 'Adding a dependency',
      resolution: 'Use pnpm not npm to install packages',
    });
    await storage.learnPatterns('u', [a]);
    const result = await storage.learnPatterns('u', [b]);
    expect(result.reinforced).toEqual([a.patternId]);
    expect(await storage.getAllPatterns('u')).toHaveLength(1);
  });
});

describe('editing patterns', () => {
  const seen = (sessionId: string) => ({ observations: 1, evidence: [{ sessionId, turn: 2 }] });

  it('changes the wording, keeps the id and the history, and later sightings of the old wording reinforce it', async () => {
    const a = pattern({ resolution: 'Use npm ci in CI', metadata: seen('s1') });
    await storage.learnPatterns('u', [a]);
    const done = await storage.updatePattern('u', a.patternId, {
      resolution: 'Use pnpm install --frozen-lockfile in CI.',
      tags: ['pnpm', 'ci'],
    });
    expect(done?.redacted).toEqual([]);
    expect(done?.pattern).toMatchObject({
      patternId: a.patternId,
      trigger: a.trigger,
      resolution: 'Use pnpm install --frozen-lockfile in CI.',
      tags: ['pnpm', 'ci'],
      confidence: a.confidence,
    });
    expect(done?.pattern.metadata.editedAt).toEqual(expect.any(String));
    // The same lesson seen again, in its old words, in another session.
    await storage.learnPatterns('u', [{ ...a, metadata: seen('s2') }]);
    const all = await storage.getAllPatterns('u');
    expect(all).toHaveLength(1);
    expect(all[0]?.resolution).toBe('Use pnpm install --frozen-lockfile in CI.');
    expect(all[0]?.metadata.observations).toBe(2);
  });

  it('redacts secrets in the new text and says which kinds', async () => {
    const a = pattern();
    await storage.savePattern('u', a);
    const key = 'AKIAIOSFODNN7EXAMPLE';
    const done = await storage.updatePattern('u', a.patternId, {
      context: `The deploy used ${key}.`,
    });
    expect(done?.redacted).toEqual(['aws-access-key']);
    expect(JSON.stringify(await storage.getAllPatterns('u'))).not.toContain(key);
    expect(readFileSync(join(dir, 'u', 'patterns.json'), 'utf8')).not.toContain(key);
  });

  it('returns null for an unknown id and rejects an empty resolution, changing nothing', async () => {
    const a = pattern();
    await storage.savePattern('u', a);
    expect(await storage.updatePattern('u', 'nope', { resolution: 'x' })).toBeNull();
    await expect(storage.updatePattern('u', a.patternId, { resolution: '  ' })).rejects.toThrow(
      /resolution/,
    );
    await expect(storage.updatePattern('u', a.patternId, { confidence: 2 })).rejects.toThrow(
      /confidence/,
    );
    expect(await storage.getAllPatterns('u')).toEqual([a]);
  });

  it('loses no sighting recorded by another process between reading and writing the edit', async () => {
    const a = pattern({ metadata: seen('s1') });
    const other = new LearnedSkillsStorage({ storageDir: dir });
    await other.learnPatterns('u', [a]);
    // A store whose read lets another process reinforce the pattern before the edit is written.
    let raced = false;
    class RacingStore extends FileStore {
      override async getPattern(userId: string, id: string) {
        const found = await super.getPattern(userId, id);
        if (!raced) await other.learnPatterns('u', [{ ...a, metadata: seen('s2') }]);
        raced = true;
        return found;
      }
    }
    const racing = new LearnedSkillsStorage({ store: new RacingStore({ storageDir: dir }) });
    const done = await racing.updatePattern('u', a.patternId, { trigger: 'When explaining code' });
    expect(done?.pattern.trigger).toBe('When explaining code');
    const [stored] = await other.getAllPatterns('u');
    expect(stored?.trigger).toBe('When explaining code');
    expect(stored?.metadata.observations).toBe(2);
  });
});

describe('retrieving patterns', () => {
  beforeEach(async () => {
    await storage.savePatterns('user123', [
      pattern({
        category: 'error_resolution',
        trigger: '"TypeError with None"',
        resolution: 'Check for None before accessing attributes',
        confidence: 0.88,
        tags: ['python'],
      }),
      pattern({
        category: 'preference',
        trigger: 'Explaining code',
        resolution: 'Prefer code examples over prose',
        confidence: 0.92,
        tags: ['style'],
      }),
      pattern({
        category: 'user_correction',
        trigger: 'Writing ASYNC code',
        resolution: 'Prefer async/await over callbacks',
        confidence: 0.7,
        tags: ['javascript'],
      }),
    ]);
  });

  it('filters by category value or name, and by tag case-insensitively', async () => {
    expect(
      (await storage.getPatternsByCategory('user123', PatternCategory.ERROR_RESOLUTION)).map(
        (p) => p.confidence,
      ),
    ).toEqual([0.88]);
    expect(await storage.getPatternsByCategory('user123', 'PREFERENCE')).toHaveLength(1);
    expect(await storage.getPatternsByTag('user123', 'PYTHON')).toHaveLength(1);
    await expect(storage.getPatternsByCategory('user123', 'mood')).rejects.toThrow(/category/);
  });

  it('searches trigger, context, resolution and tags case-insensitively', async () => {
    expect((await storage.searchPatterns('user123', 'async')).map((p) => p.trigger)).toEqual([
      'Writing ASYNC code',
    ]);
    expect(await storage.searchPatterns('user123', 'JAVASCRIPT')).toHaveLength(1);
    expect(await storage.searchPatterns('user123', 'none attributes')).toHaveLength(1);
    expect(await storage.searchPatterns('user123', 'nothing-like-this')).toEqual([]);
    expect(await storage.searchPatterns('user123', '')).toEqual([]);
  });

  it("prints the seed's context block, best first", async () => {
    const text = await storage.formatPatternsForContext('user123', {
      maxPatterns: 5,
      categories: [PatternCategory.ERROR_RESOLUTION, PatternCategory.PREFERENCE],
    });
    expect(text).toBe(
      [
        '## Learned Patterns',
        '',
        '**[PREFERENCE]** Confidence: 0.92',
        'When: Explaining code',
        'Do: Prefer code examples over prose',
        '',
        '**[ERROR_RESOLUTION]** Confidence: 0.88',
        'When: "TypeError with None"',
        'Do: Check for None before accessing attributes',
      ].join('\n'),
    );
  });

  it('honours maxPatterns and gives an empty string when nothing qualifies', async () => {
    const one = await storage.formatPatternsForContext('user123', { maxPatterns: 1 });
    expect(one.match(/\*\*\[/g)).toHaveLength(1);
    expect(await storage.formatPatternsForContext('nobody')).toBe('');
    expect(await storage.formatPatternsForContext('user123', { categories: ['workaround'] })).toBe(
      '',
    );
    expect(await storage.formatPatternsForContext('user123', { maxChars: 10 })).toBe('');
  });

  it("summarises with the seed's fields", async () => {
    await storage.saveSkill(
      'user123',
      createSkill({ skillId: 's1', name: 'Python Async Best Practices', category: 'preference' }),
    );
    await storage.recordSkillUsage('user123', 's1');
    expect(await storage.getSummary('user123')).toEqual({
      user_id: 'user123',
      total_patterns: 3,
      total_skills: 1,
      patterns_by_category: { error_resolution: 1, user_correction: 1, preference: 1 },
      avg_confidence: 0.83,
      most_used_skill: 'Python Async Best Practices',
    });
  });

  it('deletes one pattern and clears a user, returning what was removed', async () => {
    const [first] = await storage.getAllPatterns('user123');
    expect(await storage.deletePattern('user123', first?.patternId ?? '')).toBe(true);
    expect(await storage.deletePattern('user123', 'missing')).toBe(false);
    await storage.saveSkill(
      'user123',
      createSkill({ skillId: 's1', name: 'S', category: 'preference' }),
    );
    expect(await storage.clearUserData('user123')).toBe(3);
    expect(await storage.getAllPatterns('user123')).toEqual([]);
    expect(await storage.clearUserData('user123')).toBe(0);
  });
});

describe('skills', () => {
  it("saves, reads and tracks usage as in the seed's example", async () => {
    const skill = createSkill({
      skillId: 'skill_001',
      name: 'Python Async Best Practices',
      description: 'Patterns for async/await usage',
      category: PatternCategory.PREFERENCE,
      patterns: ['pat_001', 'pat_002', 'pat_003'],
      confidence: 0.85,
    });
    expect(await storage.saveSkill('user123', skill)).toBe('skill_001');
    await storage.recordSkillUsage('user123', 'skill_001');
    await storage.recordSkillUsage('user123', 'skill_001');
    const [stored] = await storage.getAllSkills('user123');
    expect(stored?.usageCount).toBe(2);
    expect(stored?.lastUsed).toBeInstanceOf(Date);
    expect((await storage.getSkill('user123', 'skill_001'))?.patterns).toEqual([
      'pat_001',
      'pat_002',
      'pat_003',
    ]);
    await expect(storage.recordSkillUsage('user123', 'nope')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('a corrupt store', () => {
  it.each([
    ['truncated', '[{"pattern_id": "a", "categ'],
    ['garbage', '\u0000\u0001 not json'],
    ['not an array', '{"patterns": []}'],
    [
      'a bad entry',
      '[{"pattern_id": "a", "category": "preference", "trigger": "t", "resolution": "r", "confidence": 7}]',
    ],
  ])(
    'reports a %s patterns.json as CORRUPT_STORE naming the file, and never replaces it',
    async (_, content) => {
      const file = join(dir, 'u', 'patterns.json');
      await storage.savePattern('u', pattern());
      writeFileSync(file, content);
      for (const op of [
        () => storage.getAllPatterns('u'),
        () => storage.savePattern('u', pattern({ resolution: 'other' })),
        () => storage.deletePattern('u', 'a'),
        () => storage.clearUserData('u'),
        () => storage.formatPatternsForContext('u'),
      ]) {
        const error = await op().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(AttuneError);
        expect((error as AttuneError).code).toBe('CORRUPT_STORE');
        expect((error as AttuneError).message).toContain(file);
        expect(readFileSync(file, 'utf8')).toBe(content);
      }
    },
  );
});

describe('stores written by the Python original', () => {
  it('are read correctly and written back identically', async () => {
    cpSync(join(import.meta.dirname, '../fixtures/python-store'), dir, { recursive: true });
    const patterns = await storage.getAllPatterns('user123');
    expect(patterns.map((p) => p.patternId)).toEqual(['0f9e8d7c6b5a', 'a1b2c3d4e5f6']);
    const err = patterns[1];
    expect(err?.extractedAt.toISOString()).toBe('2025-11-02T14:03:27.512Z');
    expect(err?.metadata).toEqual({ error_type: 'TypeError' });
    const [skill] = await storage.getAllSkills('user123');
    expect(skill?.usageCount).toBe(3);
    expect(skill?.lastUsed?.toISOString()).toBe('2025-11-04T10:15:00.250Z');

    // Rewrite through our store and read back: every field survives.
    const other = mkdtempSync(join(tmpdir(), 'attune-rt-'));
    try {
      const copy = new LearnedSkillsStorage({ storageDir: other });
      await copy.savePatterns('user123', patterns);
      await copy.saveSkill(
        'user123',
        skill ?? createSkill({ skillId: 'x', name: 'x', category: 'preference' }),
      );
      expect(await copy.getAllPatterns('user123')).toEqual(patterns);
      expect(await copy.getAllSkills('user123')).toEqual([skill]);
      const raw = JSON.parse(readFileSync(join(other, 'user123', 'patterns.json'), 'utf8'));
      expect(raw[0]).toHaveProperty('pattern_id');
      expect(raw[0]).toHaveProperty('extracted_at');
      expect(raw[0]).toHaveProperty('source_session');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
