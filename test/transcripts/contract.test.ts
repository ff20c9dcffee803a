/**
 * The contract every transcript reader meets, run over every fixture of its format.
 */
import { describe, expect, it } from 'vitest';
import { TRANSCRIPT_FORMATS } from '../../src/model/session.js';
import { detectFormat, parseTranscript, TRANSCRIPT_READERS } from '../../src/transcripts/index.js';
import { loadFixtures } from './fixtures.js';

const fixtures = loadFixtures();

/** Inserts a line of junk after the first line of a line-based file. */
function withJunkLine(text: string): string {
  const at = text.indexOf('\n') + 1;
  return `${text.slice(0, at)}{"this is": not json\n${text.slice(at)}`;
}

/** Inserts a junk element after the first element of a JSON array file. */
function withJunkElement(text: string): string {
  const open = text.indexOf('[');
  return `${text.slice(0, open + 1)} nonsense, ${text.slice(open + 1)}`;
}

const INJECTED_IN_USER_TEXT = [
  'attune-learning:injected',
  '<system-reminder>',
  '<command-name>',
  '<local-command-stdout>',
  'Base directory for this skill:',
  'Stop hook feedback:',
  '# AGENTS.md instructions',
  '<environment_context>',
];

describe('every format has a reader and fixtures', () => {
  it.each(TRANSCRIPT_FORMATS)('has a reader and at least one fixture for %s', (format) => {
    expect(TRANSCRIPT_READERS[format].format).toBe(format);
    expect(fixtures.some((f) => f.format === format)).toBe(true);
  });
});

describe.each(TRANSCRIPT_FORMATS)('reader contract: %s', (format) => {
  const reader = TRANSCRIPT_READERS[format];
  const own = fixtures.filter((f) => f.format === format);
  const others = fixtures.filter((f) => f.format !== format);

  it.each(own.map((f) => [f.name, f] as const))('detects its own fixture %s', (_, fixture) => {
    expect(reader.detect(fixture.text.slice(0, 65536))).toBeGreaterThanOrEqual(0.5);
    expect(detectFormat(fixture.text)).toBe(format);
  });

  it('scores every other format’s fixtures below their own reader', () => {
    for (const fixture of others) {
      const sample = fixture.text.slice(0, 65536);
      const mine = reader.detect(sample);
      const theirs = TRANSCRIPT_READERS[fixture.format].detect(sample);
      expect(mine, `${format} on ${fixture.format}/${fixture.name}`).toBeLessThan(theirs);
    }
  });

  it.each(own.map((f) => [f.name, f] as const))(
    'reads %s into ordered, well-formed turns without injected text',
    (name, fixture) => {
      const { sessions } = reader.read(fixture.text, { sourceName: name });
      expect(sessions.length).toBeGreaterThan(0);
      for (const session of sessions) {
        expect(session.format).toBe(format);
        expect(session.id).not.toBe('');
        expect(session.turns.length).toBeGreaterThan(0);
        expect(session.skipped).toBeGreaterThanOrEqual(0);
        session.turns.forEach((turn, i) => {
          expect(turn.index).toBe(i);
          expect(['user', 'assistant']).toContain(turn.role);
          expect(Array.isArray(turn.toolCalls)).toBe(true);
          if (turn.timestamp !== undefined) {
            expect(Number.isNaN(Date.parse(turn.timestamp)), turn.timestamp).toBe(false);
          }
          if (turn.role === 'assistant') {
            expect(turn.kind).toBeUndefined();
            expect(turn.text !== '' || turn.toolCalls.length > 0).toBe(true);
          } else {
            expect(turn.toolCalls).toEqual([]);
            if (turn.kind === 'interrupt') expect(turn.text).toBe('');
            if (turn.kind === undefined) expect(turn.text.trim()).not.toBe('');
            for (const marker of INJECTED_IN_USER_TEXT) {
              expect(turn.text, `turn ${i} of ${name}`).not.toContain(marker);
            }
            expect(turn.text.startsWith('## Learned Patterns')).toBe(false);
          }
          for (const call of turn.toolCalls) {
            expect(call.name).not.toBe('');
            expect(typeof call.input).toBe('string');
          }
        });
      }
    },
  );

  const lineBased = format === 'claude-code' || format === 'codex';
  const arrayBased = format === 'openai' || format === 'interactions';
  it.runIf(lineBased || arrayBased)('counts a malformed record in skipped and reads on', () => {
    const fixture = own[0];
    if (fixture === undefined) throw new Error('no fixture');
    const clean = reader.read(fixture.text, {}).sessions[0];
    const broken = lineBased ? withJunkLine(fixture.text) : withJunkElement(fixture.text);
    const dirty = reader.read(broken, {}).sessions[0];
    expect(dirty?.skipped).toBe((clean?.skipped ?? 0) + 1);
    expect(dirty?.turns.length).toBe(clean?.turns.length);
  });

  it.each(own.map((f) => [f.name, f] as const))(
    'gives the same result through parseTranscript for %s',
    (name, fixture) => {
      const direct = reader.read(fixture.text, { sourceName: name });
      expect(parseTranscript(fixture.text, { sourceName: name })).toEqual(direct);
    },
  );
});
