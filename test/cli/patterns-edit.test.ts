import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let home: string;

/** `attune ...args` in a git checkout at ~/repo, as `user`, on the given store. */
function as(user: string, args: string[], store: 'file' | 'sqlite' = 'file') {
  return runCli(args, {
    cwd: join(home, 'repo'),
    env: {
      PATH: process.env.PATH,
      HOME: home,
      ATTUNE_HOME: join(home, '.attune'),
      ATTUNE_STORAGE_DIR: join(home, 'store'),
      ATTUNE_STORE: store,
      ATTUNE_USER: user,
    },
  });
}

function attune(args: string[], store: 'file' | 'sqlite' = 'file') {
  return as('tester', args, store);
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
    // Stated twice, so seen twice, and surer for it.
    const twice = JSON.parse(attune(['patterns', 'show', id, '--json'], store).stdout);
    expect(twice.metadata.observations).toBe(2);
    expect(twice.confidence).toBeGreaterThan(pattern.confidence);

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

describe('attune patterns export and import', () => {
  it("moves one user's lessons to another store and re-homes a colleague's project conventions", () => {
    as('ann', ['patterns', 'add', '--trigger', 'Explaining code', 'Prefer examples.']);
    as('ann', [
      'patterns',
      'add',
      '--category',
      'project_specific',
      '--project',
      '/home/ann/app',
      '--trigger',
      'Running the tests',
      'Run pnpm test -- --run.',
    ]);
    const exported = as('ann', ['patterns', 'export']);
    expect(exported.code).toBe(0);
    const file = join(home, 'lessons.json');
    writeFileSync(file, exported.stdout);
    expect(JSON.parse(exported.stdout).patterns).toHaveLength(2);

    const dry = as('bob', ['patterns', 'import', file, '--dry-run'], 'sqlite');
    expect(dry.stdout).toContain('2 patterns in');
    expect(JSON.parse(as('bob', ['patterns', '--json'], 'sqlite').stdout).total_patterns).toBe(0);

    const imported = as('bob', ['patterns', 'import', file, '--project', '.', '--json'], 'sqlite');
    expect(imported.stderr).toBe('');
    expect(JSON.parse(imported.stdout)).toMatchObject({ patterns: 2, redacted: [] });
    expect(JSON.parse(imported.stdout).created).toHaveLength(2);
    const conventions = JSON.parse(
      as('bob', ['patterns', 'category', 'project_specific', '--json'], 'sqlite').stdout,
    );
    expect(conventions[0].metadata.project).toBe(join(home, 'repo'));
    // The same file again neither copies what is stored nor counts its sightings twice.
    const again = as('bob', ['patterns', 'import', file], 'sqlite');
    expect(again.stdout).toMatch(/0 new, 0 reinforced \(already stored\), 2 unchanged/);
    expect(JSON.parse(as('bob', ['patterns', '--json'], 'sqlite').stdout).total_patterns).toBe(2);
  });

  it('imports nothing from a file with one bad pattern, and redacts a hand-added secret', () => {
    const good = JSON.parse(
      as('ann', ['patterns', 'add', '--trigger', 'Explaining code', 'Prefer examples.', '--json'])
        .stdout,
    ).pattern;
    const bad = join(home, 'bad.json');
    writeFileSync(bad, JSON.stringify([good, { ...good, pattern_id: 'x', category: 'trivia' }]));
    const r = as('bob', ['patterns', 'import', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1 of 2 patterns are malformed, so none was imported: patterns\[1\]/);
    expect(JSON.parse(as('bob', ['patterns', '--json']).stdout).total_patterns).toBe(0);

    const key = 'AKIAIOSFODNN7EXAMPLE';
    const secret = join(home, 'secret.json');
    writeFileSync(secret, JSON.stringify([{ ...good, context: `deploy key ${key}` }]));
    const ok = as('bob', ['patterns', 'import', secret]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Redacted before storing: aws-access-key.');
    expect(readFileSync(join(home, 'store', 'bob', 'patterns.json'), 'utf8')).not.toContain(key);
  });
});
