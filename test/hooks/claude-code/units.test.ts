import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CLAUDE_CONTEXT_CAP,
  formatInjectedContext,
  INJECTED_MARKER_COMMENT,
  selectPromptPatterns,
  selectSessionPatterns,
} from '../../../src/hooks/claude-code/context.js';
import { readInjectablePatterns } from '../../../src/hooks/claude-code/fast-store.js';
import { parseHookPayload } from '../../../src/hooks/claude-code/payload.js';
import {
  addOurHooks,
  HOOK_MARKER,
  type JsonObject,
  listOurHooks,
  removeOurHooks,
} from '../../../src/hooks/claude-code/settings.js';
import { createPattern, type ExtractedPattern } from '../../../src/model/pattern.js';
import { patternWorth, promptTerms } from '../../../src/retrieve/worth.js';
import { isOwnInjectedText } from '../../../src/transcripts/shared.js';

function pattern(over: Partial<Parameters<typeof createPattern>[0]> = {}): ExtractedPattern {
  return createPattern({
    category: 'preference',
    trigger: 'Writing tests',
    resolution: 'Use vitest, not jest',
    confidence: 0.8,
    ...over,
  });
}

describe('parseHookPayload', () => {
  const base = {
    session_id: 's-1',
    transcript_path: '/h/.claude/projects/-w/s-1.jsonl',
    cwd: '/w/app',
  };
  const ok: [string, Parameters<typeof parseHookPayload>[1], object][] = [
    [
      'a SessionEnd payload',
      'session-end',
      { ...base, hook_event_name: 'SessionEnd', reason: 'other' },
    ],
    [
      'a PreCompact payload',
      'pre-compact',
      { ...base, hook_event_name: 'PreCompact', trigger: 'auto', custom_instructions: '' },
    ],
    [
      'a SessionStart payload without transcript',
      'session-start',
      { cwd: '/w/app', source: 'startup' },
    ],
    [
      'a prompt payload with unknown extra fields',
      'user-prompt-submit',
      { ...base, prompt: 'hi', effort: { level: 'high' } },
    ],
  ];
  it.each(ok)('accepts %s', (_what, hook, value) => {
    expect(parseHookPayload(JSON.stringify(value), hook).success).toBe(true);
  });

  const bad: [string, Parameters<typeof parseHookPayload>[1], string, RegExp][] = [
    ['text that is not JSON', 'session-end', '{nope', /not JSON/],
    ['null', 'session-start', 'null', /not a JSON object/],
    ['a relative cwd', 'session-start', JSON.stringify({ cwd: 'app' }), /absolute/],
    [
      'a missing session_id',
      'session-end',
      JSON.stringify({ ...base, session_id: undefined }),
      /session_id/,
    ],
    [
      'a relative transcript path',
      'pre-compact',
      JSON.stringify({ ...base, transcript_path: 'x.jsonl' }),
      /absolute/,
    ],
    [
      'a numeric prompt',
      'user-prompt-submit',
      JSON.stringify({ ...base, prompt: 5 }),
      /"prompt" must be a string/,
    ],
    [
      'the wrong event',
      'session-start',
      JSON.stringify({ ...base, hook_event_name: 'Stop' }),
      /handles SessionStart/,
    ],
  ];
  it.each(bad)('rejects %s with a reason', (_what, hook, text, reason) => {
    const r = parseHookPayload(text, hook);
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error).toMatch(reason);
  });
});

describe('injected context', () => {
  it('starts with the marker our transcript readers skip', () => {
    const text = formatInjectedContext([pattern()], 'session', 4000);
    expect(text.startsWith(INJECTED_MARKER_COMMENT)).toBe(true);
    expect(isOwnInjectedText(text)).toBe(true);
    expect(text).toContain(
      'User preference. When: Writing tests. Preferred: Use vitest, not jest.',
    );
  });

  it.each([400, 600, 1000, 4000, 50_000])('stays within a budget of %i characters', (budget) => {
    const many = Array.from({ length: 60 }, (_, i) =>
      pattern({ trigger: `Case ${i} ${'x'.repeat(i * 5)}` }),
    );
    const text = formatInjectedContext(many, 'session', budget);
    expect(text.length).toBeLessThanOrEqual(Math.min(budget, CLAUDE_CONTEXT_CAP));
    expect(text.length).toBeGreaterThan(0);
  });

  it('is empty when not even one pattern fits, or there is none', () => {
    expect(formatInjectedContext([pattern()], 'session', 50)).toBe('');
    expect(formatInjectedContext([], 'prompt', 4000)).toBe('');
  });

  it('leaves out patterns below the confidence floor and keeps the best first', () => {
    const weak = pattern({ trigger: 'weak', confidence: 0.3 });
    const strong = pattern({ trigger: 'strong', confidence: 0.9 });
    const seenOften = pattern({ trigger: 'often', confidence: 0.8, metadata: { observations: 4 } });
    const chosen = selectSessionPatterns([weak, strong, seenOften], {
      maxPatterns: 5,
      minConfidence: 0.5,
    });
    expect(chosen.map((p) => p.trigger)).toEqual(['often', 'strong']);
  });

  it('matches a prompt on a trigger term, not on a single word of the resolution', () => {
    const pnpm = pattern({
      category: 'project_specific',
      trigger: 'Installing dependencies with pnpm',
      resolution: 'Never npm',
    });
    const cents = pattern({ trigger: 'Handling money', resolution: 'Integer cents, never floats' });
    expect(
      selectPromptPatterns([pnpm, cents], 'run pnpm install please', {
        maxPatterns: 3,
        minConfidence: 0.5,
      }),
    ).toEqual([pnpm]);
    expect(
      selectPromptPatterns([pnpm, cents], 'convert these floats', {
        maxPatterns: 3,
        minConfidence: 0.5,
      }),
    ).toEqual([]);
  });

  it('drops stop words and short words from a prompt, keeping identifiers', () => {
    expect(promptTerms('why does `pnpm i` fail with ERR_PNPM_LOCKFILE?')).toEqual([
      'pnpm',
      'fail',
      'err_pnpm_lockfile',
    ]);
    expect(promptTerms('a b c')).toEqual([]);
  });

  it.each([
    [1, 0.7],
    [2, 0.75],
    [3, 0.8],
    [9, 0.85],
  ])('weighs a pattern seen %i times at %f', (n, worth) => {
    const p = pattern({ confidence: 0.7, metadata: { observations: n } });
    expect(patternWorth(p)).toBeCloseTo(worth, 10);
  });
});

describe('settings merge', () => {
  const shapes: [string, JsonObject][] = [
    ['an empty file', {}],
    ['settings without hooks', { model: 'opus', env: { A: '1' } }],
    [
      'settings with other hooks on our events',
      {
        hooks: {
          SessionStart: [
            { matcher: 'compact', hooks: [{ type: 'command', command: 'echo reloaded' }] },
          ],
          SessionEnd: [{ hooks: [{ type: 'command', command: 'say bye', timeout: 2 }] }],
          Stop: [{ hooks: [{ type: 'command', command: 'notify' }] }],
        },
      },
    ],
    ['settings with an empty hooks object and other keys after it', { hooks: { Stop: [] }, z: 1 }],
  ];
  it.each(shapes)('adds and removes exactly our hooks from %s', (_what, before) => {
    const added = addOurHooks(before, 'attune');
    expect(added.added).toEqual(['SessionStart', 'UserPromptSubmit', 'PreCompact', 'SessionEnd']);
    expect(listOurHooks(added.settings)).toHaveLength(4);
    expect(addOurHooks(added.settings, 'attune').added).toEqual([]);
    expect(removeOurHooks(added.settings).settings).toEqual(before);
  });

  it('keeps a user handler that shares a group with ours', () => {
    const mixed: JsonObject = {
      hooks: {
        SessionEnd: [
          {
            hooks: [
              { type: 'command', command: 'mine' },
              { type: 'command', command: `old hook session-end ${HOOK_MARKER}` },
            ],
          },
        ],
      },
    };
    expect(removeOurHooks(mixed).settings).toEqual({
      hooks: { SessionEnd: [{ hooks: [{ type: 'command', command: 'mine' }] }] },
    });
  });

  it.each([
    ['hooks that is a list', { hooks: [] }],
    ['an event that is an object', { hooks: { SessionStart: {} } }],
  ])('refuses %s', (_what, settings) => {
    expect(() => addOurHooks(settings, 'attune')).toThrow(/must be/);
  });
});

describe('readInjectablePatterns', () => {
  it('refuses a user id whose folder another spelling owns, and reads its own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attune-fast-'));
    try {
      mkdirSync(join(dir, 'alice'));
      writeFileSync(join(dir, 'alice', '.owner'), 'Alice\n');
      writeFileSync(join(dir, 'alice', 'patterns.json'), '[]\n');
      expect(() => readInjectablePatterns(dir, 'alice', '/p')).toThrow(/shares the folder/);
      writeFileSync(join(dir, 'alice', '.owner'), 'alice\n');
      expect(readInjectablePatterns(dir, 'alice', '/p')).toEqual({ patterns: [], invalid: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
