import { describe, expect, it } from 'vitest';
import { SessionEvaluator } from '../../src/evaluate/session-evaluator.js';
import { SessionQuality } from '../../src/model/quality.js';

const evaluator = new SessionEvaluator();

describe('SessionEvaluator.evaluate', () => {
  it("rates the seed's example (20, 3, 2, 1) GOOD", () => {
    const quality = evaluator.evaluate({
      interactionCount: 20,
      correctionsCount: 3,
      errorResolutions: 2,
      explicitPreferences: 1,
    });
    expect(quality.name).toBe('GOOD');
    expect(quality.score).toBe(4);
    expect(quality).toBe(SessionQuality.GOOD);
  });

  it.each([
    [0, 0, 0, 0, 'SKIP'],
    [1, 0, 0, 0, 'SKIP'],
    [2, 0, 0, 0, 'SKIP'],
    [1, 1, 0, 0, 'POOR'],
    [2, 3, 3, 3, 'POOR'],
    [4, 0, 0, 0, 'SKIP'],
    [10, 0, 0, 0, 'POOR'],
    [10, 0, 0, 1, 'AVERAGE'],
    [10, 1, 0, 0, 'GOOD'],
    [30, 4, 2, 1, 'EXCELLENT'],
    [40, 5, 5, 5, 'EXCELLENT'],
  ])(
    'interactions %i, corrections %i, resolutions %i, preferences %i -> %s',
    (i, c, e, p, name) => {
      expect(
        evaluator.evaluate({
          interactionCount: i,
          correctionsCount: c,
          errorResolutions: e,
          explicitPreferences: p,
        }).name,
      ).toBe(name);
    },
  );

  it('never lowers the quality when corrections, resolutions or preferences grow', () => {
    for (let i = 0; i <= 12; i++) {
      for (let c = 0; c <= 5; c++) {
        for (let e = 0; e <= 5; e++) {
          for (let p = 0; p <= 5; p++) {
            const base = evaluator.evaluate({
              interactionCount: i,
              correctionsCount: c,
              errorResolutions: e,
              explicitPreferences: p,
            }).score;
            for (const more of [
              {
                interactionCount: i,
                correctionsCount: c + 1,
                errorResolutions: e,
                explicitPreferences: p,
              },
              {
                interactionCount: i,
                correctionsCount: c,
                errorResolutions: e + 1,
                explicitPreferences: p,
              },
              {
                interactionCount: i,
                correctionsCount: c,
                errorResolutions: e,
                explicitPreferences: p + 1,
              },
            ]) {
              expect(evaluator.evaluate(more).score).toBeGreaterThanOrEqual(base);
            }
          }
        }
      }
    }
  });

  it('rates every session of one or two turns SKIP or POOR', () => {
    for (const i of [0, 1, 2]) {
      for (const c of [0, 1, 10]) {
        const q = evaluator.evaluate({
          interactionCount: i,
          correctionsCount: c,
          errorResolutions: c,
          explicitPreferences: c,
        });
        expect(['SKIP', 'POOR']).toContain(q.name);
      }
    }
  });

  it.each([-1, 1.5, Number.NaN])('rejects the count %s naming the field', (bad) => {
    expect(() =>
      evaluator.evaluate({
        interactionCount: 5,
        correctionsCount: bad,
        errorResolutions: 0,
        explicitPreferences: 0,
      }),
    ).toThrow(/correctionsCount/);
  });
});

describe('extraction decisions', () => {
  it('extracts from GOOD and EXCELLENT sessions by default', () => {
    expect(evaluator.shouldExtractPatterns(SessionQuality.EXCELLENT)).toBe(true);
    expect(evaluator.shouldExtractPatterns(SessionQuality.GOOD)).toBe(true);
    expect(evaluator.shouldExtractPatterns(SessionQuality.AVERAGE)).toBe(false);
    expect(evaluator.shouldExtractPatterns(SessionQuality.SKIP)).toBe(false);
  });

  it('honours a configured threshold', () => {
    const lenient = new SessionEvaluator({ minQuality: SessionQuality.AVERAGE });
    expect(lenient.shouldExtractPatterns(SessionQuality.AVERAGE)).toBe(true);
    expect(lenient.shouldExtractPatterns(SessionQuality.POOR)).toBe(false);
  });

  it('gives better sessions a more urgent priority', () => {
    const priorities = [
      SessionQuality.EXCELLENT,
      SessionQuality.GOOD,
      SessionQuality.AVERAGE,
      SessionQuality.POOR,
      SessionQuality.SKIP,
    ].map((q) => evaluator.getExtractionPriority(q));
    expect(priorities).toEqual([1, 2, 3, 4, 5]);
  });
});
