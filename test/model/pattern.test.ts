import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AttuneError } from '../../src/errors.js';
import { PatternCategory } from '../../src/model/category.js';
import {
  computePatternId,
  createPattern,
  patternFromJson,
  patternToJson,
  safeParsePatternJson,
} from '../../src/model/pattern.js';
import { validateUserId } from '../../src/model/user-id.js';

describe('pattern ids', () => {
  it('are the first 12 hex characters of sha256 over category:trigger:resolution', () => {
    const expected = createHash('sha256')
      .update('preference:Explaining code:Prefer code examples over prose')
      .digest('hex')
      .slice(0, 12);
    expect(
      computePatternId(
        PatternCategory.PREFERENCE,
        'Explaining code',
        'Prefer code examples over prose',
      ),
    ).toBe(expected);
  });

  it('give the same lesson the same id and a different lesson another', () => {
    const a = createPattern({ category: 'preference', trigger: 'x', resolution: 'y' });
    const b = createPattern({
      category: 'PREFERENCE',
      trigger: 'x',
      resolution: 'y',
      confidence: 0.9,
    });
    const c = createPattern({ category: 'preference', trigger: 'x', resolution: 'z' });
    expect(a.patternId).toBe(b.patternId);
    expect(a.patternId).not.toBe(c.patternId);
  });
});

describe('createPattern rejects bad fields, naming them', () => {
  it.each([
    [{ confidence: 1.5 }, 'confidence'],
    [{ confidence: -0.1 }, 'confidence'],
    [{ confidence: Number.NaN }, 'confidence'],
    [{ category: 'mood' }, 'category'],
    [{ trigger: '' }, 'trigger'],
    [{ resolution: 42 }, 'resolution'],
    [{ tags: [1] }, 'tags'],
    [{ extractedAt: 'yesterday' }, 'extractedAt'],
  ])('%j -> INVALID_ARGUMENT naming %s', (patch, field) => {
    const input = { category: 'preference', trigger: 't', resolution: 'r', ...patch } as Parameters<
      typeof createPattern
    >[0];
    try {
      createPattern(input);
      expect.unreachable('should throw');
    } catch (error) {
      expect(error).toBeInstanceOf(AttuneError);
      expect((error as AttuneError).code).toBe('INVALID_ARGUMENT');
      expect((error as AttuneError).message).toContain(field);
    }
  });
});

describe('JSON form', () => {
  it('round-trips every field', () => {
    const p = createPattern({
      category: 'error_resolution',
      trigger: 'TypeError with None',
      resolution: 'Check for None before accessing attributes',
      context: 'ctx',
      confidence: 0.88,
      tags: ['Python', 'python', 'errors'],
      sourceSession: 's-1',
      extractedAt: '2025-01-02T03:04:05.678Z',
      metadata: { observations: 2, evidence: [{ sessionId: 's-1', turn: 4 }] },
    });
    expect(p.tags).toEqual(['python', 'errors']);
    const json = patternToJson(p);
    expect(Object.keys(json).sort()).toEqual(
      [
        'category',
        'confidence',
        'context',
        'extracted_at',
        'metadata',
        'pattern_id',
        'resolution',
        'source_session',
        'tags',
        'trigger',
      ].sort(),
    );
    expect(json.extracted_at).toBe('2025-01-02T03:04:05.678Z');
    expect(patternFromJson(JSON.parse(JSON.stringify(json)))).toEqual(p);
  });

  it('reads Python dates without a zone and with microseconds as UTC', () => {
    const p = patternFromJson({
      pattern_id: 'abc',
      category: 'preference',
      trigger: 't',
      resolution: 'r',
      confidence: 0.5,
      extracted_at: '2025-11-02T14:03:27.512345',
      source_session: null,
      tags: [],
    });
    expect(p.extractedAt.toISOString()).toBe('2025-11-02T14:03:27.512Z');
    expect(p.sourceSession).toBe('');
    expect(p.metadata).toEqual({});
  });

  it.each([
    [{}, 'pattern_id'],
    [
      { pattern_id: 'a', category: 'nope', trigger: 't', resolution: 'r', confidence: 0.5 },
      'category',
    ],
    [
      { pattern_id: 'a', category: 'preference', trigger: 't', resolution: 'r', confidence: 2 },
      'confidence',
    ],
    [
      { pattern_id: 'a', category: 'preference', trigger: 1, resolution: 'r', confidence: 0.5 },
      'trigger',
    ],
    [[], 'pattern'],
  ])('reports a malformed object %j by field (%s)', (value, field) => {
    const result = safeParsePatternJson(value);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error).toContain(field);
  });
});

describe('user ids', () => {
  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['a/b', 'separator'],
    ['a\\b', 'separator'],
    ['..', '..'],
    ['../etc', 'separator'],
    ['a..b', '..'],
    ['a\u0000b', 'control'],
    ['a\nb', 'control'],
    ['a\u001bb', 'control'],
    ['x'.repeat(129), '128'],
    [' bob', 'white space'],
  ])('rejects %j (%s)', (id, why) => {
    expect(() => validateUserId(id)).toThrowError(AttuneError);
    try {
      validateUserId(id);
    } catch (error) {
      expect((error as AttuneError).code).toBe('INVALID_ARGUMENT');
      expect((error as AttuneError).message).toContain(why === 'empty' ? 'empty' : why);
    }
  });

  it.each([
    'user123',
    'alice@example.com',
    'Bob.Smith',
    'x'.repeat(128),
    'ユーザー',
    "o'brien; drop table",
  ])('keeps %j unchanged', (id) => {
    expect(validateUserId(id)).toBe(id);
  });
});
