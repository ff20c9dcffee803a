import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandContext, splitArgs } from '../../src/commands/command-context.js';
import { createPattern } from '../../src/model/pattern.js';
import { LearnedSkillsStorage } from '../../src/storage/learned-skills-storage.js';

let dir: string;
let storage: LearnedSkillsStorage;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attune-cmd-'));
  storage = new LearnedSkillsStorage({ storageDir: dir });
  await storage.savePatterns('user123', [
    createPattern({
      category: 'preference',
      trigger: 'Writing async code',
      resolution: 'Prefer async/await over callbacks.',
      confidence: 0.9,
    }),
    createPattern({
      category: 'error_resolution',
      trigger: 'ECONNREFUSED on :5432',
      resolution: 'Start PostgreSQL before the tests.',
      confidence: 0.8,
    }),
  ]);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('CommandContext', () => {
  it('gives the context block and searches, as in the seed', async () => {
    const ctx = new CommandContext({ userId: 'user123', learningStorage: storage });
    expect(await ctx.getPatternsForContext({ maxPatterns: 5 })).toMatch(
      /^## Learned Patterns\n\n\*\*\[PREFERENCE\]\*\* Confidence: 0\.90/,
    );
    expect((await ctx.searchPatterns('ASYNC')).map((p) => p.category)).toEqual(['preference']);
  });

  it('runs /patterns and its subcommands', async () => {
    const ctx = new CommandContext({ userId: 'user123', learningStorage: storage });
    expect(await ctx.run('/patterns')).toContain('Patterns:        2');
    expect(await ctx.run('/patterns search async')).toContain('Prefer async/await');
    expect(await ctx.run('/patterns category error_resolution')).toContain('Start PostgreSQL');
    const [p] = await storage.searchPatterns('user123', 'postgresql');
    expect(await ctx.run(`/patterns show ${p?.patternId}`)).toContain('ECONNREFUSED');
    expect(await ctx.run(`/patterns delete ${p?.patternId}`)).toBe(
      `Deleted pattern ${p?.patternId}.`,
    );
    await expect(ctx.run(`/patterns delete ${p?.patternId}`)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(ctx.run('/patterns category mood')).rejects.toThrow(/category/);
    await expect(ctx.run('/patterns frobnicate')).rejects.toMatchObject({ code: 'USAGE' });
    await expect(ctx.run('/nope')).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('runs /evaluate on the current session with --dry-run and --force', async () => {
    const interactions = [
      { role: 'user', content: 'Set up the test runner.' },
      { role: 'assistant', content: 'Installed jest and added a jest.config.js.' },
      { role: 'user', content: "No, we use vitest in this repo, not jest. Please don't add jest." },
      { role: 'assistant', content: 'Removed jest and added vitest.' },
      { role: 'user', content: 'Also, I prefer short commit messages in the imperative mood.' },
    ];
    const ctx = new CommandContext({ userId: 'u2', learningStorage: storage, interactions });
    const dry = await ctx.run('/evaluate --dry-run --force');
    expect(dry).toMatch(/Session quality: [A-Z]+/);
    expect(dry).toContain('Dry run: nothing stored.');
    expect(await storage.getAllPatterns('u2')).toEqual([]);
    const real = await ctx.run('/evaluate --force');
    expect(real).toMatch(/Stored: \d+ new/);
    await expect(ctx.run('/evaluate --bogus')).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('splits quoted arguments', () => {
    expect(splitArgs(`/patterns search "two words" 'x y'`)).toEqual([
      '/patterns',
      'search',
      'two words',
      'x y',
    ]);
  });
});
