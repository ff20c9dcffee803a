/**
 * The phrase bank: single user messages, half of them lasting lessons (corrections,
 * preferences, conventions) and half look-alikes that are not (one-off requests, decisions
 * about the thing at hand, questions, approvals, reversals, bare facts and complaints).
 * Each runs through the real pipeline (`detectSignals` + `extractSessionPatterns`) in a tiny
 * session: the assistant's last action, then the message.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CATEGORY_COMPATIBILITY } from '../../src/evaluate/extraction-quality.js';
import { detectSignals } from '../../src/evaluate/signals.js';
import { extractSessionPatterns } from '../../src/extract/session-extractor.js';
import { PATTERN_CATEGORIES, type PatternCategory } from '../../src/model/category.js';
import type { Session } from '../../src/model/session.js';

const BankSchema = z.array(
  z.object({
    text: z.string().min(1),
    context: z.string().min(1).optional(),
    lesson: z
      .object({
        category: z.enum(PATTERN_CATEGORIES as [PatternCategory, ...PatternCategory[]]),
        must: z.array(z.string().min(1)).min(1),
      })
      .nullable(),
  }),
);
type Entry = z.infer<typeof BankSchema>[number];

const bank = BankSchema.parse(
  JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/phrase-bank.json'), 'utf8')),
);

/** The lowest overall accuracy the rules reach on the bank (measured, not aspirational). */
const MIN_ACCURACY = 0.97;
/** Neither half may lag far behind: a rule set that flags everything fails here. */
const MIN_HALF_ACCURACY = 0.95;

const DEFAULT_CONTEXT = 'I updated the code as you asked.';

function sessionOf(entry: Entry): Session {
  const texts = [
    { role: 'user' as const, text: 'can you help me with this repo' },
    { role: 'assistant' as const, text: entry.context ?? DEFAULT_CONTEXT },
    { role: 'user' as const, text: entry.text },
  ];
  return {
    id: 'phrase-bank',
    format: 'interactions',
    skipped: 0,
    turns: texts.map((t, index) => ({ index, toolCalls: [], ...t })),
  };
}

/** Null when the entry is handled right, otherwise why not. */
function failureOf(entry: Entry): string | null {
  const session = sessionOf(entry);
  const patterns = extractSessionPatterns(session, { now: new Date(0) }, detectSignals(session));
  const said = patterns.map((p) => `${p.category}: ${p.resolution}`).join(' | ') || 'nothing';
  if (entry.lesson === null) return patterns.length === 0 ? null : `false lesson: ${said}`;
  const { category, must } = entry.lesson;
  const hit = patterns.some(
    (p) =>
      CATEGORY_COMPATIBILITY[category].includes(p.category) &&
      must.every((term) =>
        term
          .toLowerCase()
          .split('|')
          .some((alt) => p.resolution.toLowerCase().includes(alt)),
      ),
  );
  return hit ? null : `missed (${must.join(', ')}): ${said}`;
}

describe('phrase bank', () => {
  const results = bank.map((entry) => ({ entry, failure: failureOf(entry) }));
  const accuracy = (rows: typeof results) =>
    rows.filter((r) => r.failure === null).length / Math.max(1, rows.length);
  const lessons = results.filter((r) => r.entry.lesson !== null);
  const others = results.filter((r) => r.entry.lesson === null);
  const report = results
    .filter((r) => r.failure !== null)
    .map((r) => `- ${JSON.stringify(r.entry.text)}: ${r.failure}`)
    .join('\n');
  const summary = `accuracy ${accuracy(results).toFixed(3)} (lessons ${accuracy(lessons).toFixed(3)}, non-lessons ${accuracy(others).toFixed(3)})`;

  it('holds about as many look-alikes as lessons', () => {
    expect(bank.length).toBeGreaterThanOrEqual(200);
    expect(Math.abs(lessons.length - others.length)).toBeLessThan(bank.length / 5);
  });

  it('tells lessons from look-alikes and phrases them with their key terms', () => {
    expect(accuracy(results), `${summary}\n${report}`).toBeGreaterThanOrEqual(MIN_ACCURACY);
  });

  it('reaches the floor on both lessons and look-alikes', () => {
    expect(accuracy(lessons), `${summary}\n${report}`).toBeGreaterThanOrEqual(MIN_HALF_ACCURACY);
    expect(accuracy(others), `${summary}\n${report}`).toBeGreaterThanOrEqual(MIN_HALF_ACCURACY);
  });
});
