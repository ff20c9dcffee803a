import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, runCli } from '../helpers/cli.js';

let home: string;
let configFile: string;

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    ATTUNE_HOME: join(home, '.attune'),
    ...extra,
  };
}

function attune(args: string[], extra: Record<string, string> = {}) {
  return runCli(args, { cwd: home, env: env(extra) });
}

/** `attune config --json`'s settings, by key. */
function shown(extra: Record<string, string> = {}, args: string[] = []) {
  const out = JSON.parse(attune(['config', '--json', ...args], extra).stdout) as {
    path: string;
    exists: boolean;
    settings: { key: string; value: unknown; source: string }[];
  };
  return { ...out, by: Object.fromEntries(out.settings.map((s) => [s.key, s])) };
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'attune-config-'));
  configFile = join(home, '.attune', 'config.json');
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('attune config', () => {
  it('shows every setting in effect and where it comes from', () => {
    const before = shown();
    expect(before.path).toBe(configFile);
    expect(before.exists).toBe(false);
    expect(before.by.user).toEqual({ key: 'user', value: userInfo().username, source: 'default' });
    expect(before.by.minQuality).toMatchObject({ value: 'POOR', source: 'default' });
    expect(before.by.extractor).toMatchObject({ value: 'rules', source: 'default' });

    mkdirSync(join(home, '.attune'));
    writeFileSync(configFile, JSON.stringify({ user: 'dana', contextBudget: 3000 }));
    const after = shown({ ATTUNE_EXTRACTOR: 'llm -m gpt-4o-mini' }, ['--store', 'sqlite']);
    expect(after.by.user).toMatchObject({ value: 'dana', source: 'config file' });
    expect(after.by.contextBudget).toMatchObject({ value: 3000, source: 'config file' });
    expect(after.by.extractor).toMatchObject({
      value: 'llm -m gpt-4o-mini',
      source: 'ATTUNE_EXTRACTOR',
    });
    expect(after.by.store).toMatchObject({ value: 'sqlite', source: '--store' });

    const text = attune(['config']).stdout;
    expect(text).toContain(`config file: ${configFile}`);
    expect(text).toMatch(/^user\s+dana\s+\(config file\)$/m);
  });

  it('never prints the password of a database URL', () => {
    const r = attune(['config', '--store', 'postgres'], {
      ATTUNE_DATABASE_URL: 'postgres://app:s3cret-pass@db.internal:5432/attune',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('db.internal');
    expect(r.stdout).not.toContain('s3cret-pass');
  });

  it('sets and unsets a key, keeping the keys it does not know', () => {
    mkdirSync(join(home, '.attune'));
    writeFileSync(configFile, JSON.stringify({ team: 'payments', minQuality: 'GOOD' }));
    const set = attune(['config', 'set', 'extractor', 'claude -p --output-format json']);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('extractor = "claude -p --output-format json" (was (not set))');
    expect(attune(['config', 'set', 'contextMaxPatterns', '6']).code).toBe(0);
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).toEqual({
      team: 'payments',
      minQuality: 'GOOD',
      extractor: 'claude -p --output-format json',
      contextMaxPatterns: 6,
    });
    expect(shown().by.contextMaxPatterns).toMatchObject({ value: 6, source: 'config file' });

    const unset = JSON.parse(attune(['config', 'unset', 'minQuality', '--json']).stdout);
    expect(unset).toMatchObject({ key: 'minQuality', before: 'GOOD' });
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).not.toHaveProperty('minQuality');
    expect(shown().by.minQuality).toMatchObject({ value: 'POOR', source: 'default' });
    expect(attune(['config', 'path']).stdout.trim()).toBe(configFile);
    expect(JSON.parse(attune(['config', 'path', '--json']).stdout)).toEqual({
      path: configFile,
      exists: true,
    });
  });

  it('creates the config file and its folder on the first set, readable by the user alone', () => {
    expect(attune(['config', 'set', 'minQuality', 'average']).code).toBe(0);
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).toEqual({ minQuality: 'average' });
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    expect(shown().by.minQuality).toMatchObject({ value: 'AVERAGE', source: 'config file' });
  });

  it.each([
    [['set', 'contextBudget', 'lots'], 1, /takes a whole number/],
    [['set', 'contextBudget', '0'], 1, /"contextBudget" must be a positive integer/],
    [['set', 'store', 'mongodb'], 1, /unknown store "mongodb"/],
    [['set', 'minQuality', 'GREAT'], 1, /"minQuality" must be one of/],
    [['set', 'extractorReview', 'twice'], 1, /extractorReview/],
    [['set', 'user', '../../etc'], 1, /userId: contains a path separator/],
    [['set', 'colour', 'blue'], 2, /unknown config key "colour"[\s\S]*Known keys: user, store/],
  ])('refuses %j and leaves the file as it was', (args, code, message) => {
    mkdirSync(join(home, '.attune'));
    const before = `${JSON.stringify({ contextBudget: 3000 }, null, 2)}\n`;
    writeFileSync(configFile, before);
    const r = attune(['config', ...args]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(readFileSync(configFile, 'utf8')).toBe(before);
  });

  it('refuses to edit a config file that is not valid JSON, and says so', () => {
    mkdirSync(join(home, '.attune'));
    writeFileSync(configFile, '{"extractor": ');
    const r = attune(['config', 'set', 'minQuality', 'GOOD']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`config file ${configFile} is not valid JSON`);
    expect(r.stderr).toContain('Fix or delete it.');
    expect(readFileSync(configFile, 'utf8')).toBe('{"extractor": ');
    expect(attune(['config']).code).toBe(1);
  });

  it('resolves a relative storage folder from where the command runs', () => {
    expect(attune(['config', 'set', 'storageDir', 'patterns']).code).toBe(0);
    expect(JSON.parse(readFileSync(configFile, 'utf8')).storageDir).toBe(join(home, 'patterns'));
    expect(attune(['config', 'set', 'storageDir', '~/notes']).code).toBe(0);
    expect(shown().by.storageDir).toMatchObject({ value: join(home, 'notes') });
  });

  it('loses no change when several processes set keys at once', async () => {
    const keys: Array<[string, string]> = [
      ['contextBudget', '3000'],
      ['contextMaxPatterns', '7'],
      ['maxPatternsPerUser', '250'],
      ['minQuality', 'GOOD'],
      ['extractor', 'llm -m gpt-4o-mini'],
      ['extractorReview', 'verify'],
      ['extractorTimeoutSeconds', '90'],
      ['extractorMaxChars', '30000'],
    ];
    const codes = await Promise.all(
      keys.map(
        ([key, value]) =>
          new Promise<number | null>((done) => {
            const child = spawn(process.execPath, [cli, 'config', 'set', key, value], {
              env: env(),
              stdio: 'ignore',
            });
            child.on('close', done);
          }),
      ),
    );
    expect(codes).toEqual(keys.map(() => 0));
    const file = JSON.parse(readFileSync(configFile, 'utf8'));
    expect(Object.keys(file).sort()).toEqual(keys.map(([k]) => k).sort());
    expect(file.maxPatternsPerUser).toBe(250);
    expect(existsSync(`${configFile}.lock`)).toBe(false);
  });
});
