import { describe, expect, it } from 'vitest';
import { detectSignals } from '../../src/evaluate/signals.js';
import { extractSessionPatterns } from '../../src/extract/session-extractor.js';
import type { Session, Turn } from '../../src/model/session.js';

function session(id: string, turns: Array<Partial<Turn> & Pick<Turn, 'role'>>): Session {
  return {
    id,
    format: 'interactions',
    skipped: 0,
    turns: turns.map((t, index) => ({ index, text: '', toolCalls: [], ...t })),
  };
}

const now = new Date('2025-01-01T00:00:00Z');

describe('extractSessionPatterns', () => {
  it('phrases a convention as a clean instruction with trigger, evidence and project', () => {
    const s = session('s1', [
      { role: 'user', text: 'Write a migration that adds archived_at to projects.' },
      { role: 'assistant', text: 'Here is a Knex migration.' },
      { role: 'user', text: 'We use plain SQL migrations in db/migrations, not Knex.' },
    ]);
    const [p, ...rest] = extractSessionPatterns(s, { project: '/w/app', now });
    expect(rest).toEqual([]);
    expect(p).toMatchObject({
      category: 'project_specific',
      resolution: 'Use plain SQL migrations in db/migrations, not Knex.',
      sourceSession: 's1',
      extractedAt: now,
    });
    expect(p?.trigger.length).toBeLessThan(60);
    expect(p?.metadata).toMatchObject({
      observations: 1,
      project: '/w/app',
      evidence: [{ sessionId: 's1', turn: 2 }],
    });
    expect(p?.tags).toContain('sql');
  });

  it('gives the same id to the same lesson from two sessions', () => {
    const turns = [{ role: 'user' as const, text: 'I prefer async/await over promise chains.' }];
    const [a] = extractSessionPatterns(session('s1', turns), { now });
    const [b] = extractSessionPatterns(session('s2', turns), { now });
    expect(a?.patternId).toBeDefined();
    expect(a?.patternId).toBe(b?.patternId);
  });

  it('counts a correction repeated in one session as one pattern with two observations', () => {
    const s = session('s1', [
      { role: 'user', text: 'never use default exports.' },
      { role: 'assistant', text: 'Ok.' },
      { role: 'user', text: 'add a debounce helper' },
      { role: 'assistant', text: 'Added with a default export.' },
      { role: 'user', text: 'Never use default exports!' },
    ]);
    const patterns = extractSessionPatterns(s, { now });
    expect(patterns).toHaveLength(1);
    expect(patterns[0]?.metadata.observations).toBe(2);
    const single = extractSessionPatterns(session('s2', [s.turns[0] as Turn]), { now });
    expect(patterns[0]?.confidence).toBeGreaterThan(single[0]?.confidence ?? 1);
  });

  it('redacts a secret in a quoted error', () => {
    const key = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghij';
    const s = session('s1', [
      { role: 'user', text: 'deploy it' },
      {
        role: 'assistant',
        text: '',
        toolCalls: [
          {
            name: 'Bash',
            input: `curl -H "x-api-key: ${key}" https://api.example.test | jq .`,
            output: `bash: jq: command not found (key ${key})`,
            exitCode: 127,
          },
          {
            name: 'Bash',
            input: `curl -H "x-api-key: ${key}" https://api.example.test | python3 -m json.tool`,
            output: '{}',
            exitCode: 0,
          },
        ],
      },
    ]);
    const patterns = extractSessionPatterns(s, { now });
    expect(patterns).toHaveLength(1);
    expect(patterns[0]?.category).toBe('workaround');
    expect(patterns[0]?.resolution).toBe('jq is not installed here; use python3 instead.');
    expect(JSON.stringify(patterns)).not.toContain(key);
  });

  it('extracts nothing from an approval, a one-off task or a question', () => {
    const s = session('s1', [
      { role: 'user', text: 'add a login button to the header' },
      { role: 'assistant', text: 'Added.' },
      { role: 'user', text: 'yes, go ahead' },
      { role: 'assistant', text: 'Done.' },
      { role: 'user', text: 'can you also explain how the router works?' },
    ]);
    expect(extractSessionPatterns(s, { now })).toEqual([]);
  });

  it('returns nothing without rescanning when the given signals are empty', () => {
    const s = session('s1', [{ role: 'user', text: 'We use pnpm, not npm.' }]);
    expect(extractSessionPatterns(s, { now }, { interactionCount: 1, signals: [] })).toEqual([]);
    expect(extractSessionPatterns(s, { now }, detectSignals(s))).toHaveLength(1);
  });

  it('emits nothing for Chinese or Japanese text', () => {
    const s = session('s1', [
      { role: 'user', text: '不要使用 npm，我们用 pnpm。' },
      { role: 'user', text: 'コメントは英語で書いてください。' },
    ]);
    expect(extractSessionPatterns(s, { now })).toEqual([]);
  });
});
