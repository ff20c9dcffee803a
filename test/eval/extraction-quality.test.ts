import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type LessonLabel,
  matchLabels,
  parseLabels,
  patternMatchesLabel,
  runExtractionQuality,
} from '../../src/evaluate/extraction-quality.js';
import { createPattern } from '../../src/model/pattern.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

describe('extraction quality on the labelled development set', () => {
  it('keeps overall precision at 0.9 or more and recall at 0.8 or more', async () => {
    const report = await runExtractionQuality({
      transcriptsDir: `${fixtures}transcripts`,
      labelsDir: `${fixtures}eval`,
      // blind-3, blind-4 and blind-6 were written blind but have since been tuned on, so they
      // are held to the targets too; blind-5 and blind-7 to blind-24 are reported by `npm run eval`.
      exclude: [
        'blind-5',
        'blind-7',
        'blind-8',
        'blind-9',
        'blind-10',
        'blind-11',
        'blind-12',
        'blind-13',
        'blind-14',
        'blind-15',
        'blind-16',
        'blind-17',
        'blind-18',
        'blind-19',
        'blind-20',
        'blind-21',
        'blind-22',
        'blind-23',
        'blind-24',
      ],
    });
    expect(report.fixtures.length).toBeGreaterThanOrEqual(12);
    expect(report.overall.labelled).toBeGreaterThan(30);
    expect(report.overall.precision).toBeGreaterThanOrEqual(0.9);
    expect(report.overall.recall).toBeGreaterThanOrEqual(0.8);
    // Ignoring categories can only find more.
    expect(report.overallAnyCategory.recall).toBeGreaterThanOrEqual(report.overall.recall);
    expect(report.overallAnyCategory.precision).toBeGreaterThanOrEqual(report.overall.precision);
  });
});

describe('matching a pattern to a label', () => {
  const label: LessonLabel = {
    id: 'x/timeout',
    category: 'workaround',
    lesson: '`mix run --no-halt` never returns; wrap it as `timeout 60 mix run --no-halt`.',
    match: ['no-halt', 'timeout'],
  };
  const filed = (category: string) =>
    createPattern({
      category,
      trigger: 'When running mix run --no-halt from the shell tool',
      resolution: 'Wrap it in `timeout 60`.',
    });

  it.each([
    ['workaround', true, true],
    ['error_resolution', true, true],
    ['user_correction', false, true],
  ])('a %s pattern matches strictly: %s, in any category: %s', (category, strict, any) => {
    expect(patternMatchesLabel(filed(category), label)).toBe(strict);
    expect(patternMatchesLabel(filed(category), label, true)).toBe(any);
    expect(matchLabels([filed(category)], [label], true)).toHaveLength(1);
  });

  it('still needs every match entry when the category is ignored', () => {
    const other = createPattern({
      category: 'workaround',
      trigger: 't',
      resolution: 'Use timeout.',
    });
    expect(patternMatchesLabel(other, label, true)).toBe(false);
  });
});

describe('parseLabels', () => {
  const label = (match: string[]) =>
    JSON.stringify([{ id: 'a/b', category: 'preference', lesson: 'Use pnpm.', match }]);

  it('reads a label with alternatives', () => {
    expect(parseLabels(label(['pnpm', 'use|prefer']), 'x.labels.json')).toEqual([
      { id: 'a/b', category: 'preference', lesson: 'Use pnpm.', match: ['pnpm', 'use|prefer'] },
    ]);
  });

  it.each([
    ['a stray leading bar', ['| cat']],
    ['a doubled bar', ['pnpm||npm']],
    ['a trailing bar', ['pnpm|']],
  ])('rejects a match entry with %s, which every pattern would contain', (_name, match) => {
    expect(() => parseLabels(label(match), 'x.labels.json')).toThrow(/empty alternative/);
  });

  it('names the file when the JSON is broken', () => {
    expect(() => parseLabels('[{', 'x.labels.json')).toThrow(
      /labels x\.labels\.json: not valid JSON/,
    );
  });
});
