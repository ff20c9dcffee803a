import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/learn/remember.js';
import { exportPatterns, parsePatternsFile, redactPattern } from '../../src/learn/transfer.js';
import { createPattern, patternToJson } from '../../src/model/pattern.js';

const a = createPattern({
  category: 'project_specific',
  trigger: 'Running the tests',
  resolution: 'Run pnpm test -- --run.',
  confidence: 0.8,
  tags: ['vitest'],
  sourceSession: 's1',
  extractedAt: new Date('2026-11-01T00:00:00Z'),
  metadata: { observations: 2, project: '/home/ann/app', evidence: [{ sessionId: 's1', turn: 3 }] },
});
const b = createPattern({
  category: 'preference',
  trigger: 'Explaining code',
  resolution: 'Prefer examples over prose.',
  confidence: 0.7,
  extractedAt: new Date('2026-11-02T00:00:00Z'),
});

describe('an export file', () => {
  it('round-trips every field of every pattern', () => {
    const file = exportPatterns('ann', [a, b], new Date('2026-11-24T00:00:00Z'));
    expect(file).toMatchObject({ format: 'attune-patterns', version: 1, user: 'ann' });
    const back = parsePatternsFile(JSON.stringify(file), 'f.json');
    expect(back).toEqual({ patterns: [a, b], redacted: [] });
  });

  it("also reads a store's patterns.json and evaluate --json's output", () => {
    const list = [a, b].map(patternToJson);
    expect(parsePatternsFile(JSON.stringify(list), 'patterns.json').patterns).toEqual([a, b]);
    const evaluated = { quality: 'GOOD', patterns: list };
    expect(parsePatternsFile(JSON.stringify(evaluated), 'out.json').patterns).toHaveLength(2);
  });

  it.each([
    ['not JSON', '{"patterns": [', /f\.json is not JSON: /],
    ['no patterns array', '{"lessons": []}', /f\.json holds no patterns array/],
    [
      'one malformed pattern among good ones',
      JSON.stringify([patternToJson(a), { ...patternToJson(b), confidence: 7 }]),
      /1 of 2 patterns are malformed, so none was imported: patterns\[1\]\.confidence/,
    ],
  ])('is refused whole when it is %s, in one line', (_name, text, message) => {
    let error: unknown;
    try {
      parsePatternsFile(text, 'f.json');
    } catch (e) {
      error = e;
    }
    expect(String((error as Error).message)).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('has the secrets of a hand-edited file redacted, evidence quotes too', () => {
    const key = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH';
    const edited = {
      ...patternToJson(a),
      context: `Uses ANTHROPIC_API_KEY=${key}`,
      metadata: { evidence: [{ sessionId: 's1', quote: `my key is ${key}` }] },
    };
    const { patterns, redacted } = parsePatternsFile(JSON.stringify([edited]), 'f.json');
    expect(JSON.stringify(patterns)).not.toContain(key);
    expect(redacted.length).toBeGreaterThan(0);
  });
});

describe('redactPattern', () => {
  it('leaves a clean pattern as it was', () => {
    expect(redactPattern(a, new Redactor())).toEqual(a);
  });
});
