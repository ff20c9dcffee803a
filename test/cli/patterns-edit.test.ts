import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let home: string;

function attune(args: string[], store: 'file' | 'sqlite' = 'file') {
  return runCli(args, {
    cwd: join(home, 'repo'),
    env: {
      PATH: process.env.PATH,
      HOME: home,
      ATTUNE_HOME: join(home, '.attune'),
      ATTUNE_STORAGE_DIR: join(home, 'store'),
      ATTUNE_STORE: store,
      ATTUNE_USER: 'tester',
    },
  });
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'attune-cli-edit-'));
  mkdirSync(join(home, 'repo', '.git'), { recursive: true });
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe.each(['file', 'sqlite'] as const)('attune patterns add and edit (%s store)', (store) => {
  it('stores a stated lesson, changes its wording, and the context block shows the new words', () => {
    const added = attune(
      ['patterns', 'add', '--trigger', 'Installing dependencies', 'Use', 'npm', 'ci.', '--json'],
      store,
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const { id, stored, pattern } = JSON.parse(added.stdout);
    expect(stored).toBe('created');
    expect(pattern).toMatchObject({ category: 'preference', resolution: 'Use npm ci.' });

    const again = attune(
      ['patterns', 'add', '--trigger', 'Installing dependencies', 'Use npm ci.'],
      store,
    );
    expect(again.stdout).toContain(`Reinforced pattern ${id}`);

    const edited = attune(
      [
        'patterns',
        'edit',
        id,
        '--resolution',
        'Use pnpm install --frozen-lockfile.',
        '--tags',
        'pnpm,ci',
      ],
      store,
    );
    expect(edited.stderr).toBe('');
    expect(edited.code).toBe(0);
    expect(edited.stdout).toContain(`Updated pattern ${id}.`);
    const shown = JSON.parse(attune(['patterns', 'show', id, '--json'], store).stdout);
    expect(shown).toMatchObject({
      pattern_id: id,
      resolution: 'Use pnpm install --frozen-lockfile.',
      tags: ['pnpm', 'ci'],
    });
    const context = attune(['context'], store).stdout;
    expect(context).toContain('Use pnpm install --frozen-lockfile.');
    expect(context).not.toContain('npm ci');
  });

  it('redacts a secret before it is stored and says so', () => {
    const key = 'AKIAIOSFODNN7EXAMPLE';
    const r = attune(
      [
        'patterns',
        'add',
        '--category',
        'project_specific',
        '--trigger',
        'Deploying',
        `Export AWS_ACCESS_KEY_ID=${key} first.`,
      ],
      store,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Redacted before storing: aws-access-key.');
    expect(r.stdout).toContain(`Project:     ${join(home, 'repo')}`);
    expect(r.stdout).not.toContain(key);
    const dump = attune(['patterns', 'search', 'Deploying', '--json'], store).stdout;
    expect(dump).not.toContain(key);
  });
});

describe('attune patterns add and edit: bad input', () => {
  it('is a usage error (exit 2) with one clear line, and changes nothing', () => {
    const id = JSON.parse(
      attune(['patterns', 'add', '--trigger', 'Explaining code', 'Prefer examples.', '--json'])
        .stdout,
    ).id;
    const before = readFileSync(join(home, 'store', 'tester', 'patterns.json'), 'utf8');
    const cases: [string[], RegExp][] = [
      [['patterns', 'add', 'Use pnpm.'], /required option '--trigger <when>'/],
      [
        ['patterns', 'add', '--trigger', 't', '--category', 'trivia', 'x'],
        /unknown category "trivia"/,
      ],
      [['patterns', 'edit', id], /nothing to change/],
      [
        ['patterns', 'edit', id, '--confidence', 'high'],
        /confidence: must be a number from 0 to 1/,
      ],
      [['patterns', 'edit', id, '--confidence', ''], /confidence: must be a number from 0 to 1/],
    ];
    for (const [args, message] of cases) {
      const r = attune(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const empty = attune(['patterns', 'edit', id, '--resolution', '  ']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/resolution/);
    const missing = attune(['patterns', 'edit', 'nope', '--resolution', 'x']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no pattern with id "nope"/);
    expect(readFileSync(join(home, 'store', 'tester', 'patterns.json'), 'utf8')).toBe(before);
  });
});
