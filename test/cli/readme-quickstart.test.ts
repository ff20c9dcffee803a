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
