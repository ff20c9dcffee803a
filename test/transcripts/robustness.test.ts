/**
 * Readers never crash on bad input: empty, binary, cut, corrupted and very large files.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttuneError, isAttuneError } from '../../src/errors.js';
import { TRANSCRIPT_FORMATS } from '../../src/model/session.js';
import { detectFormat, parseTranscript, readTranscriptFile } from '../../src/transcripts/index.js';
import { seededRandom } from '../helpers/random.js';
import { fixtureText, loadFixtures } from './fixtures.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attune-transcripts-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('empty and unknown input', () => {
  it.each(['', '   \n\n', '\ufeff'])('gives no sessions for blank text %j', (text) => {
    expect(parseTranscript(text).sessions).toEqual([]);
    for (const format of TRANSCRIPT_FORMATS) {
      expect(parseTranscript(text, { format }).sessions).toEqual([]);
    }
  });

  it('reads an empty file as no sessions', async () => {
    const path = join(dir, 'empty.jsonl');
    await writeFile(path, '');
    expect((await readTranscriptFile(path)).sessions).toEqual([]);
  });

  it('rejects an unknown format name and lists the known ones', () => {
    const error = thrown(() => parseTranscript('{}', { format: 'cursor' }));
    expect(isAttuneError(error, 'UNKNOWN_FORMAT')).toBe(true);
    expect((error as AttuneError).message).toContain('"cursor"');
    for (const format of TRANSCRIPT_FORMATS) {
      expect((error as AttuneError).suggestion).toContain(format);
    }
  });

  it.each([
    'hello, this is just a note to self',
    '<html><body>not a transcript</body></html>',
    '{"name":"package","version":"1.0.0"}',
  ])('fails detection with UNKNOWN_FORMAT for %j', (text) => {
    const error = thrown(() => detectFormat(text));
    expect(isAttuneError(error, 'UNKNOWN_FORMAT')).toBe(true);
    expect((error as AttuneError).suggestion).toContain('claude-code');
  });

  it('refuses a binary file with INVALID_ARGUMENT', async () => {
    const path = join(dir, 'image.png');
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 256;
    await writeFile(path, bytes);
    await expect(readTranscriptFile(path)).rejects.toMatchObject({
      name: 'AttuneError',
      code: 'INVALID_ARGUMENT',
    });
  });

  it('reports a missing file as NOT_FOUND and a bad --format before reading', async () => {
    await expect(readTranscriptFile(join(dir, 'nope.jsonl'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      readTranscriptFile(join(dir, 'nope.jsonl'), { format: 'x' }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_FORMAT' });
  });

  it('reads a fixture file from disk with its format detected and its name as source', async () => {
    const path = join(dir, 'weatherbot.md');
    await writeFile(path, fixtureText('aider/weatherbot-flask-sessions.md'));
    const { sessions } = await readTranscriptFile(path);
    expect(sessions.map((s) => s.id)).toEqual([
      'weatherbot@2025-05-12T18:02:41',
      'weatherbot@2025-05-13T09:15:07',
    ]);
  });
});

describe('files cut part-way', () => {
  it.each([
    ['claude-code', 'claude-code/shopfront-cart-cents-rewind.jsonl'],
    ['codex', 'codex/ledgerline-csv-import.jsonl'],
  ])('marks a %s file whose last line is cut as truncated', (format, relative) => {
    const text = fixtureText(relative);
    const whole = parseTranscript(text, { format }).sessions[0];
    const cut = text.slice(0, text.length - 40);
    const session = parseTranscript(cut, { format }).sessions[0];
    expect(whole?.truncated).toBeUndefined();
    expect(session?.truncated).toBe(true);
    expect(session?.skipped).toBe(whole?.skipped);
    expect(session?.turns.length).toBeGreaterThan(0);
  });

  it('marks a JSON message array cut mid-element as truncated and keeps the complete ones', () => {
    const text = fixtureText('openai/tally-invoice-endpoint.json');
    const session = parseTranscript(text.slice(0, Math.floor(text.length / 2)), {
      format: 'openai',
    }).sessions[0];
    expect(session?.truncated).toBe(true);
    expect(session?.turns[0]?.text).toBe(
      'Add an endpoint GET /v1/invoices/{id} that returns the invoice as JSON.',
    );
  });

  it('marks a SpecStory export cut inside a tool-use element as truncated', () => {
    const text = fixtureText('specstory/munsellspace-taskmaster-claude-code.md');
    const at = text.indexOf('</details></tool-use>');
    const session = parseTranscript(text.slice(0, at), { format: 'specstory' }).sessions[0];
    expect(session?.truncated).toBe(true);
  });
});

/** Overwrites, deletes and duplicates random spans of the text. */
function corrupt(text: string, seed: number): string {
  const next = seededRandom(seed);
  const chars = [...text.slice(0, 200_000)];
  const edits = 5 + Math.floor(next() * 40);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * chars.length);
    const kind = next();
    if (kind < 0.4) chars[at] = String.fromCharCode(Math.floor(next() * 0x3000));
    else if (kind < 0.7) chars.splice(at, Math.floor(next() * 300));
    else chars.splice(at, 0, ...chars.slice(at, at + Math.floor(next() * 200)));
  }
  return chars.join('');
}

describe('random corruption', () => {
  const fixtures = loadFixtures();
  it.each(fixtures.map((f) => [`${f.format}/${f.name}`, f] as const))(
    'never throws anything but AttuneError on corrupted %s',
    (_, fixture) => {
      for (let seed = 1; seed <= 12; seed++) {
        const text = corrupt(fixture.text, seed * 7 + fixture.name.length);
        expect(() => parseTranscript(text, { format: fixture.format })).not.toThrow();
        const error = thrown(() => parseTranscript(text));
        if (error !== undefined) expect(error).toBeInstanceOf(AttuneError);
      }
    },
  );
});

describe('large files', () => {
  it('reads a 100 MB Claude Code JSONL file and counts its turns', async () => {
    const path = join(dir, 'big.jsonl');
    const out = createWriteStream(path);
    const padding = 'x'.repeat(3800);
    let bytes = 0;
    let exchanges = 0;
    let parent: string | null = null;
    while (bytes < 100 * 1024 * 1024) {
      const n = exchanges++;
      const records = [
        {
          type: 'user',
          uuid: `u${n}`,
          parentUuid: parent,
          sessionId: 'big',
          timestamp: '2025-01-01T00:00:00.000Z',
          message: { role: 'user', content: `run step ${n}` },
        },
        {
          type: 'assistant',
          uuid: `a${n}`,
          parentUuid: `u${n}`,
          sessionId: 'big',
          message: {
            id: `m${n}`,
            role: 'assistant',
            content: [{ type: 'tool_use', id: `t${n}`, name: 'Bash', input: { command: 'ls' } }],
          },
        },
        {
          type: 'user',
          uuid: `r${n}`,
          parentUuid: `a${n}`,
          sessionId: 'big',
          message: {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: `t${n}`, content: padding }],
          },
        },
      ];
      parent = `r${n}`;
      const chunk = `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
      bytes += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const { sessions } = await readTranscriptFile(path);
    const session = sessions[0];
    expect(session?.turns).toHaveLength(exchanges * 2);
    expect(session?.turns[session.turns.length - 1]?.toolCalls[0]?.output).toBe(padding);
    expect(session?.skipped).toBe(0);
  });
});
