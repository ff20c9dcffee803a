import { describe, expect, it } from 'vitest';
import { AttuneError } from '../../src/errors.js';
import { PatternExtractor } from '../../src/extract/pattern-extractor.js';
import { PatternCategory } from '../../src/model/category.js';

const extractor = new PatternExtractor();

describe('PatternExtractor on structured input', () => {
  it("turns the seed's correction into a USER_CORRECTION note", () => {
    const [p, ...rest] = extractor.extractCorrections(
      [
        {
          original: 'Use eval() to parse the input',
          corrected: 'Use ast.literal_eval() instead',
          reason: 'Security: eval is dangerous',
        },
      ],
      { sessionId: 'session_123' },
    );
    expect(rest).toHaveLength(0);
    expect(p?.category).toBe(PatternCategory.USER_CORRECTION);
    expect(p?.trigger).toBe('Before you use eval() to parse the input');
    expect(p?.resolution).toBe('Use ast.literal_eval() instead.');
    expect(p?.context).toContain('Security: eval is dangerous');
    expect(p?.sourceSession).toBe('session_123');
    expect(p?.confidence).toBeGreaterThan(0.7);
    expect(p?.tags).toContain('eval');
    expect(p?.metadata.evidence).toEqual([{ sessionId: 'session_123' }]);
  });

  it("turns the seed's error into an ERROR_RESOLUTION note", () => {
    const [p] = extractor.extractErrorResolutions(
      [
        {
          error_type: 'TypeError',
          error_message: "'NoneType' object has no attribute 'get'",
          resolution: 'Added null check before accessing attribute',
        },
      ],
      { sessionId: 'session_123' },
    );
    expect(p?.category).toBe(PatternCategory.ERROR_RESOLUTION);
    expect(p?.trigger).toBe("TypeError: 'NoneType' object has no attribute 'get'");
    expect(p?.resolution).toBe('Added null check before accessing attribute.');
    expect(p?.tags).toContain('typeerror');
  });

  it('accepts camelCase error fields and string preferences', () => {
    const patterns = extractor.extractPatterns({
      interactions: [],
      errorResolutions: [{ errorType: 'ENOENT', resolution: 'create the folder first' }],
      preferences: [
        'Concise comments only',
        { preference: 'Use pytest, not unittest', category: 'project_specific' },
      ],
      sessionId: 's',
    });
    expect(patterns.map((p) => p.category)).toEqual([
      'error_resolution',
      'preference',
      'project_specific',
    ]);
    expect(patterns[1]?.resolution).toBe('Concise comments only.');
  });

  it('returns the same lesson once', () => {
    const c = { original: 'a', corrected: 'b' };
    expect(extractor.extractPatterns({ corrections: [c, c] })).toHaveLength(1);
  });

  it('never stores a secret that appears in an error message', () => {
    const [p] = extractor.extractErrorResolutions([
      {
        error_type: 'AuthError',
        error_message: `invalid key sk-proj-${'a1B2c3D4e5F6g7H8'.repeat(3)}`,
        resolution: 'Rotate the key',
      },
    ]);
    expect(p?.trigger).not.toContain('a1B2c3D4e5F6g7H8');
    expect(p?.trigger).toContain('[REDACTED:');
  });

  it.each([
    [() => extractor.extractCorrections([{ original: 'x' } as never]), 'corrections[0].corrected'],
    [() => extractor.extractCorrections('nope' as never), 'corrections'],
    [() => extractor.extractErrorResolutions([{ resolution: 'r' }]), 'errors[0]'],
    [
      () => extractor.extractErrorResolutions([{ error_type: 'E', resolution: '' }]),
      'errors[0].resolution',
    ],
    [() => extractor.extractPatterns({ preferences: [{}] }), 'preferences[0]'],
  ])('rejects malformed input with an error naming the field (%#)', (call, field) => {
    expect(call).toThrowError(AttuneError);
    expect(call).toThrowError(field);
  });
});
