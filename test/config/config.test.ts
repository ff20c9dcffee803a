import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claudeProjectDir, findLatestClaudeTranscript } from '../../src/config/claude-paths.js';
import {
  findProjectRoot,
  loadConfig,
  resolveExtractor,
  resolveStoreConfig,
  resolveUserId,
} from '../../src/config/config.js';
import { extractWithModel } from '../../src/extract/model-extractor.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attune-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function withConfig(content: object | string) {
  const path = join(dir, 'config.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return { ATTUNE_CONFIG: path };
}

describe('the user id', () => {
  it('comes from --user, then ATTUNE_USER, then the config file, then the OS user', () => {
    const env = { ...withConfig({ user: 'from-config' }), ATTUNE_USER: 'from-env' };
    expect(resolveUserId({ user: 'from-flag' }, env)).toBe('from-flag');
    expect(resolveUserId({}, env)).toBe('from-env');
    expect(resolveUserId({}, { ATTUNE_CONFIG: env.ATTUNE_CONFIG })).toBe('from-config');
    expect(resolveUserId({}, { ATTUNE_CONFIG: join(dir, 'none.json') }).length).toBeGreaterThan(0);
  });

  it('is validated wherever it comes from', () => {
    expect(() => resolveUserId({}, { ...withConfig({ user: '../x' }) })).toThrow(/userId/);
    expect(() =>
      resolveUserId({}, { ATTUNE_USER: 'a\nb', ATTUNE_CONFIG: join(dir, 'none.json') }),
    ).toThrow(/userId/);
  });
});

describe('the store', () => {
  it('defaults to the file store under ~/.empathy/learned_skills', () => {
    expect(resolveStoreConfig({}, { ATTUNE_CONFIG: join(dir, 'none.json') })).toEqual({
      kind: 'file',
      storageDir: join(homedir(), '.empathy', 'learned_skills'),
    });
  });

  it('takes flags over environment over config file', () => {
    const env = { ...withConfig({ store: 'sqlite', storageDir: 'rel', databaseUrl: 'c.db' }) };
    expect(resolveStoreConfig({}, env)).toEqual({
      kind: 'sqlite',
      storageDir: join(dir, 'rel'),
      databaseUrl: 'c.db',
    });
    expect(
      resolveStoreConfig({}, { ...env, ATTUNE_STORE: 'file', ATTUNE_DATABASE_URL: 'e.db' }).kind,
    ).toBe('file');
    expect(
      resolveStoreConfig({ store: 'postgres', databaseUrl: 'postgres://x/y' }, env),
    ).toMatchObject({
      kind: 'postgres',
      databaseUrl: 'postgres://x/y',
    });
  });

  it('rejects an unknown store listing the valid ones, and postgres without a URL', () => {
    expect(() => resolveStoreConfig({ store: 'redis' }, {})).toThrow(/file, sqlite, postgres/);
    expect(() =>
      resolveStoreConfig({ store: 'postgres' }, { ATTUNE_CONFIG: join(dir, 'none.json') }),
    ).toThrow(/connection string/);
  });

  it('reports a broken config file by path', () => {
    const env = withConfig('{ not json');
    expect(() => loadConfig(env)).toThrow(env.ATTUNE_CONFIG);
    expect(() => loadConfig(withConfig({ maxPatternsPerUser: -1 }))).toThrow(/maxPatternsPerUser/);
    expect(() => loadConfig(withConfig({ minQuality: 'GREAT' }))).toThrow(/minQuality/);
    expect(loadConfig(withConfig({ minQuality: 'average' })).minQuality).toBe('AVERAGE');
  });
});

describe('the model extractor', () => {
  it('comes from the flag, then ATTUNE_EXTRACTOR, then the config file; rules means none', () => {
    const env = withConfig({ extractor: 'llm -m gpt', extractorTimeoutSeconds: 30 });
    const home = { ...env, ATTUNE_HOME: join(dir, 'home') };
    expect(resolveExtractor(undefined, home)).toEqual({
      command: 'llm -m gpt',
      timeoutMs: 30_000,
      cacheDir: join(dir, 'home', 'extractor-cache'),
      review: 'off',
      samples: 2,
    });
    expect(resolveExtractor(undefined, { ...home, ATTUNE_EXTRACTOR: 'claude -p' })).toMatchObject({
      command: 'claude -p',
      timeoutMs: 30_000,
    });
    expect(
      resolveExtractor(undefined, { ...home, ATTUNE_EXTRACTOR_CACHE: 'off' })?.cacheDir,
    ).toBeUndefined();
    expect(
      resolveExtractor(undefined, { ...home, ATTUNE_EXTRACTOR_CACHE: join(dir, 'c') })?.cacheDir,
    ).toBe(join(dir, 'c'));
    expect(resolveExtractor('my-model', { ...env, ATTUNE_EXTRACTOR: 'claude -p' })?.command).toBe(
      'my-model',
    );
    expect(resolveExtractor('rules', env)).toBeUndefined();
    expect(resolveExtractor(undefined, { ATTUNE_CONFIG: join(dir, 'none.json') })).toBeUndefined();
    expect(resolveExtractor(undefined, { ...env, ATTUNE_EXTRACTOR_TIMEOUT: '5' })?.timeoutMs).toBe(
      5000,
    );
  });

  it('rejects a bad timeout and a non-string command, naming them', () => {
    const env = withConfig({ extractor: 'claude -p' });
    expect(() => resolveExtractor(undefined, { ...env, ATTUNE_EXTRACTOR_TIMEOUT: 'soon' })).toThrow(
      /ATTUNE_EXTRACTOR_TIMEOUT/,
    );
    expect(() => loadConfig(withConfig({ extractor: ['claude'] }))).toThrow(/"extractor"/);
    expect(() => loadConfig(withConfig({ extractorTimeoutSeconds: 0 }))).toThrow(
      /extractorTimeoutSeconds/,
    );
  });
});

describe("the extractor's digest budget", () => {
  it('comes from ATTUNE_EXTRACTOR_MAX_CHARS, then the config file, else the default', () => {
    const env = withConfig({ extractor: 'ollama run llama3', extractorMaxChars: 20_000 });
    expect(resolveExtractor(undefined, env)?.maxDigestChars).toBe(20_000);
    expect(
      resolveExtractor(undefined, { ...env, ATTUNE_EXTRACTOR_MAX_CHARS: '8000' })?.maxDigestChars,
    ).toBe(8000);
    expect(
      resolveExtractor(undefined, withConfig({ extractor: 'claude -p' }))?.maxDigestChars,
    ).toBeUndefined();
  });

  it('rejects a budget too small to hold a session, or not a number, naming where it came from', () => {
    const env = withConfig({ extractor: 'claude -p' });
    expect(() =>
      resolveExtractor(undefined, { ...env, ATTUNE_EXTRACTOR_MAX_CHARS: 'lots' }),
    ).toThrow(/ATTUNE_EXTRACTOR_MAX_CHARS must be a whole number of characters from 2000/);
    expect(() =>
      resolveExtractor(undefined, { ...env, ATTUNE_EXTRACTOR_MAX_CHARS: '500' }),
    ).toThrow(/got 500/);
    expect(() => loadConfig(withConfig({ extractorMaxChars: 100 }))).toThrow(/"extractorMaxChars"/);
  });

  it('bounds the prompt the extractor command is sent', async () => {
    const long = {
      id: 'long',
      format: 'claude-code' as const,
      skipped: 0,
      turns: Array.from({ length: 300 }, (_, i) => ({
        index: i,
        role: (i % 2 === 0 ? 'user' : 'assistant') as 'user' | 'assistant',
        text: `turn ${i} ${'words of the session '.repeat(30)}`,
        toolCalls: [],
      })),
    };
    const log = join(dir, 'prompts');
    mkdirSync(log);
    const command = `cat > "$(mktemp "${log}/p.XXXXXX")"; echo '{"lessons": []}'`;
    const extractor = resolveExtractor(undefined, {
      ...withConfig({ extractor: command }),
      ATTUNE_EXTRACTOR_MAX_CHARS: '8000',
      ATTUNE_EXTRACTOR_CACHE: 'off',
      ATTUNE_EXTRACTOR_REVIEW: 'complete',
      ATTUNE_EXTRACTOR_SAMPLES: '1',
    });
    if (!extractor) throw new Error('no extractor');
    await extractWithModel(long, extractor);
    // The first call and its review: each one's session and draft within the budget.
    const prompts = readdirSync(log).map((f) => readFileSync(join(log, f), 'utf8'));
    expect(prompts).toHaveLength(2);
    for (const prompt of prompts) {
      const digest = prompt.slice(prompt.indexOf('<session>'), prompt.indexOf('</session>'));
      const draft = prompt.includes('<draft>')
        ? prompt.slice(prompt.indexOf('<draft>'), prompt.indexOf('</draft>'))
        : '';
      expect(digest.length + draft.length).toBeLessThan(8100);
      expect(digest).toMatch(/turns left out/);
    }
  });
});

describe("the extractor's answers per session", () => {
  it('come from ATTUNE_EXTRACTOR_SAMPLES, then the config file, else two', () => {
    const env = withConfig({ extractor: 'claude -p', extractorSamples: 3 });
    expect(resolveExtractor(undefined, env)?.samples).toBe(3);
    expect(resolveExtractor(undefined, { ...env, ATTUNE_EXTRACTOR_SAMPLES: '1' })?.samples).toBe(1);
    expect(resolveExtractor(undefined, withConfig({ extractor: 'claude -p' }))?.samples).toBe(2);
  });

  it('reject a count that is not a whole number from 1 to 5, naming where it came from', () => {
    const env = withConfig({ extractor: 'claude -p' });
    for (const bad of ['0', '6', 'two', '1.5']) {
      expect(() => resolveExtractor(undefined, { ...env, ATTUNE_EXTRACTOR_SAMPLES: bad })).toThrow(
        /ATTUNE_EXTRACTOR_SAMPLES must be a whole number of answers from 1 to 5/,
      );
    }
    expect(() => loadConfig(withConfig({ extractor: 'claude -p', extractorSamples: 9 }))).toThrow(
      /"extractorSamples" must be a whole number of answers from 1 to 5, got 9/,
    );
  });
});

describe("the extractor's review", () => {
  it('is off unless ATTUNE_EXTRACTOR_REVIEW or the config file turns it on', () => {
    const env = withConfig({ extractor: 'claude -p' });
    expect(resolveExtractor(undefined, env)?.review).toBe('off');
    expect(
      resolveExtractor(undefined, { ...env, ATTUNE_EXTRACTOR_REVIEW: ' Verify ' })?.review,
    ).toBe('verify');
    const on = withConfig({ extractor: 'claude -p', extractorReview: 'complete' });
    expect(resolveExtractor(undefined, on)?.review).toBe('complete');
    expect(resolveExtractor(undefined, { ...on, ATTUNE_EXTRACTOR_REVIEW: 'off' })?.review).toBe(
      'off',
    );
  });

  it('rejects a mode it does not know, naming the modes and where it came from', () => {
    const env = withConfig({ extractor: 'claude -p' });
    expect(() => resolveExtractor(undefined, { ...env, ATTUNE_EXTRACTOR_REVIEW: 'on' })).toThrow(
      /ATTUNE_EXTRACTOR_REVIEW must be one of off, complete, verify, got "on"/,
    );
    expect(() => loadConfig(withConfig({ extractorReview: true }))).toThrow(
      /"extractorReview" must be one of off, complete, verify, got true/,
    );
  });
});

describe('projects and transcripts', () => {
  it('finds the git root of a folder, or keeps the folder', () => {
    mkdirSync(join(dir, 'repo/.git'), { recursive: true });
    mkdirSync(join(dir, 'repo/src/deep'), { recursive: true });
    mkdirSync(join(dir, 'loose'));
    expect(findProjectRoot(join(dir, 'repo/src/deep'))).toBe(join(dir, 'repo'));
    expect(findProjectRoot(join(dir, 'loose'))).toBe(join(dir, 'loose'));
  });

  it('finds the newest Claude Code transcript of a project', async () => {
    const env = { CLAUDE_CONFIG_DIR: join(dir, 'claude') };
    const project = '/w/my_app';
    expect(claudeProjectDir(project, env)).toBe(join(dir, 'claude/projects/-w-my-app'));
    expect(await findLatestClaudeTranscript(project, env)).toBeNull();
    mkdirSync(claudeProjectDir(project, env), { recursive: true });
    const older = join(claudeProjectDir(project, env), 'a.jsonl');
    const newer = join(claudeProjectDir(project, env), 'b.jsonl');
    writeFileSync(older, '{}\n');
    writeFileSync(newer, '{}\n');
    const { utimesSync } = await import('node:fs');
    utimesSync(older, new Date(2020, 1, 1), new Date(2020, 1, 1));
    expect(await findLatestClaudeTranscript(project, env)).toBe(newer);
  });
});
