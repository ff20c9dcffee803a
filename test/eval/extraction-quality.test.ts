import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runExtractionQuality } from '../../src/evaluate/extraction-quality.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

describe('extraction quality on the labelled development set', () => {
  it('keeps overall precision at 0.9 or more and recall at 0.8 or more', async () => {
    const report = await runExtractionQuality({
      transcriptsDir: `${fixtures}transcripts`,
      labelsDir: `${fixtures}eval`,
      // blind-3 and blind-4 were written blind but have since been tuned on, so they are held
      // to the targets too; blind-5, blind-6 and blind-7 are measuring sets, reported by `npm run eval`.
      exclude: ['blind-5', 'blind-6', 'blind-7'],
    });
    expect(report.fixtures.length).toBeGreaterThanOrEqual(12);
    expect(report.overall.labelled).toBeGreaterThan(30);
    expect(report.overall.precision).toBeGreaterThanOrEqual(0.9);
    expect(report.overall.recall).toBeGreaterThanOrEqual(0.8);
  });
});
