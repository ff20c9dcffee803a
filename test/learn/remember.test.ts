import { describe, expect, it } from 'vitest';
import {
  editedPattern,
  REMEMBERED_CONFIDENCE,
  rememberedPattern,
} from '../../src/learn/remember.js';

describe('a lesson stated outright', () => {
  it('becomes a confident pattern tagged by what it is about when no tags are given', () => {
    const { pattern, redacted } = rememberedPattern({
      category: 'preference',
      trigger: ' Installing dependencies ',
      resolution: 'Use pnpm, never npm.',
      source: 'cli',
    });
    expect(redacted).toEqual([]);
    expect(pattern).toMatchObject({
      category: 'preference',
      trigger: 'Installing dependencies',
      resolution: 'Use pnpm, never npm.',
      context: '',
      confidence: REMEMBERED_CONFIDENCE,
      sourceSession: 'cli',
      metadata: { source: 'cli' },
    });
    expect(pattern.tags).toContain('pnpm');
    expect(pattern.metadata.project).toBeUndefined();
  });

  it('keeps given tags, and the project only for a project convention', () => {
    const lesson = {
      trigger: 'Running the tests',
      resolution: 'Run pnpm test -- --run.',
      tags: ['vitest'],
      project: '/repo',
      source: 'cli',
    };
    const convention = rememberedPattern({ ...lesson, category: 'project_specific' }).pattern;
    expect(convention.tags).toEqual(['vitest']);
    expect(convention.metadata.project).toBe('/repo');
    const preference = rememberedPattern({ ...lesson, category: 'preference' }).pattern;
    expect(preference.metadata.project).toBeUndefined();
  });

  it('redacts every field and names each kind of secret once', () => {
    const token = 'ghp_1234567890abcdefghijklmnopqrstuvwxyzAB';
    const { pattern, redacted } = rememberedPattern({
      category: 'workaround',
      trigger: `When ${token} is rejected`,
      resolution: `Export GITHUB_TOKEN=${token} again.`,
      context: 'postgres://app:s3cr3tpass@db.internal:5432/app failed too.',
      tags: [token],
      source: 'mcp-remember',
    });
    const text = JSON.stringify(pattern);
    expect(text).not.toContain(token);
    expect(text).not.toContain('s3cr3tpass');
    expect(new Set(redacted).size).toBe(redacted.length);
    expect(redacted).toContain('github-token');
  });

  it('rejects an empty resolution or an unknown category', () => {
    const base = { trigger: 't', resolution: 'r', source: 'cli' };
    expect(() => rememberedPattern({ ...base, category: 'preference', resolution: ' ' })).toThrow(
      /resolution/,
    );
    expect(() => rememberedPattern({ ...base, category: 'trivia' })).toThrow(/category/);
  });
});

describe('an edited pattern', () => {
  const { pattern } = rememberedPattern({
    category: 'preference',
    trigger: 'Installing dependencies',
    resolution: 'Use pnpm, never npm.',
    source: 'cli',
  });

  it('keeps its id, category and history and changes only what was asked', () => {
    const before = {
      ...pattern,
      metadata: { ...pattern.metadata, observations: 3, evidence: [{ sessionId: 's1' }] },
    };
    const at = new Date('2026-11-24T10:00:00Z');
    const after = editedPattern(before, { resolution: 'Use pnpm 9.' }, undefined, at);
    expect(after).toMatchObject({
      patternId: pattern.patternId,
      category: 'preference',
      trigger: 'Installing dependencies',
      resolution: 'Use pnpm 9.',
      tags: pattern.tags,
      confidence: REMEMBERED_CONFIDENCE,
    });
    expect(after.metadata).toMatchObject({
      observations: 3,
      evidence: [{ sessionId: 's1' }],
      editedAt: at.toISOString(),
    });
  });

  it('takes an empty tag list and a new confidence, and rejects one outside 0..1', () => {
    expect(editedPattern(pattern, { tags: [], confidence: 0.4 })).toMatchObject({
      tags: [],
      confidence: 0.4,
    });
    expect(() => editedPattern(pattern, { confidence: 1.5 })).toThrow(/confidence/);
  });
});
