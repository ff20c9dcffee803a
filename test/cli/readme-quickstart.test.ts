import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { root, runCli } from '../helpers/cli.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'attune-readme-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** `npm run demo`'s two commands, exactly as package.json has them, into a fresh store. */
function demo(): string {
  const script = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts
    .demo as string;
  const commands = script.split(' && ').map((c) =>
    c
      .replace(/^node dist\/src\/cli\/main\.js /, '')
      .replaceAll('.empathy/learned_skills', join(home, 'store'))
      .split(' '),
  );
  expect(commands).toHaveLength(2);
  let out = '';
  for (const args of commands) {
    const r = runCli(args, { cwd: root, env: { PATH: process.env.PATH, HOME: home } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    out = r.stdout;
  }
  return out;
}

describe("the README's quick start", () => {
  it('shows patterns that npm run demo prints, in the same order', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const start = readme.indexOf('```\n## Learned Patterns');
    const block = readme.slice(start + 4, readme.indexOf('```', start + 4));
    // Entries are separated by a blank line, or by a line "..." where some are left out.
    const shown = block
      .replaceAll('\n...\n', '\n\n')
      .split('\n\n')
      .slice(1)
      .map((entry) => entry.trim())
      .filter(Boolean);
    expect(shown.length).toBeGreaterThanOrEqual(3);
    const printed = demo();
    let from = 0;
    for (const entry of shown) {
      const at = printed.indexOf(entry, from);
      expect(
        at,
        `README entry not printed by the demo (or out of order):\n${entry}`,
      ).toBeGreaterThanOrEqual(0);
      from = at + entry.length;
    }
  });
});

describe("the README's evaluate --json sample", () => {
  it('has the figures attune evaluate --json prints for that example session', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const start = readme.indexOf('```json\n{\n  "file": "examples/sessions/');
    expect(start).toBeGreaterThan(0);
    const sample = JSON.parse(readme.slice(start + 7, readme.indexOf('```', start + 7)));
    const r = runCli(['evaluate', sample.file, '--json', '--user', 'readme'], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: home, ATTUNE_STORAGE_DIR: join(home, 'store') },
    });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    for (const key of ['quality', 'score', 'points', 'recommended', 'dry_run', 'counts']) {
      expect(out[key], key).toEqual(sample[key]);
    }
    expect(out.reasons[0]).toBe(sample.reasons[0]);
    expect(out.reasons[1].startsWith(sample.reasons[1].split('...')[0])).toBe(true);
    const [first] = sample.patterns;
    expect(out.patterns[0]).toMatchObject({
      category: first.category,
      confidence: first.confidence,
      tags: first.tags,
    });
  });
});
