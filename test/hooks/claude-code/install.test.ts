import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attune, cli, makeWorld, type World } from './helpers.js';

let world: World;
beforeEach(() => {
  world = makeWorld();
});
afterEach(() => rmSync(world.home, { recursive: true, force: true }));

const EXISTING = {
  model: 'opus',
  permissions: { allow: ['Bash(npm test:*)'], deny: [] },
  env: { FOO: 'bar' },
  hooks: {
    SessionStart: [
      { matcher: 'startup', hooks: [{ type: 'command', command: 'cat .claude/notes.md' }] },
    ],
    PreToolUse: [
      { matcher: 'Bash', hooks: [{ type: 'command', command: './check.sh', timeout: 5 }] },
    ],
  },
  statusLine: { type: 'command', command: 'echo hi' },
};

const EVENTS = ['SessionStart', 'UserPromptSubmit', 'PreCompact', 'SessionEnd'];

function settingsPath(scopeDir = join(world.project, '.claude')) {
  return join(scopeDir, 'settings.json');
}
function read(path: string) {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> & {
    hooks: Record<
      string,
      { matcher?: string; hooks: { type: string; command: string; timeout?: number }[] }[]
    >;
  };
}
function writeSettings(path: string, value: unknown) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 4)}\n`);
}

describe('attune hooks install', () => {
  it('adds the four hooks next to existing settings and hooks, and uninstall restores them exactly', () => {
    const path = settingsPath();
    writeSettings(path, EXISTING);
    const install = attune(world, ['hooks', 'install']);
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);

    const after = read(path);
    expect(after.model).toBe('opus');
    expect(after.hooks.PreToolUse).toEqual(EXISTING.hooks.PreToolUse);
    expect(after.hooks.SessionStart?.[0]).toEqual(EXISTING.hooks.SessionStart[0]);
    for (const event of EVENTS) {
      const ours = after.hooks[event]
        ?.flatMap((g) => g.hooks)
        .filter((h) => h.command.endsWith('# attune-learning'));
      expect(ours, event).toHaveLength(1);
      expect(ours?.[0]?.type).toBe('command');
    }
    const hookOf = (event: string) => after.hooks[event]?.at(-1)?.hooks[0]?.command ?? '';
    expect(hookOf('SessionStart')).toMatch(/ hook session-start # attune-learning$/);
    expect(hookOf('UserPromptSubmit')).toMatch(/ hook user-prompt-submit # attune-learning$/);
    expect(hookOf('PreCompact')).toMatch(/ hook pre-compact # attune-learning$/);
    expect(hookOf('SessionEnd')).toMatch(/ hook session-end # attune-learning$/);

    const uninstall = attune(world, ['hooks', 'uninstall']);
    expect(uninstall.code).toBe(0);
    expect(read(path)).toEqual(EXISTING);
  });

  it('changes nothing when run a second time', () => {
    const path = settingsPath();
    writeSettings(path, EXISTING);
    attune(world, ['hooks', 'install']);
    const once = readFileSync(path, 'utf8');
    const evaluate = readFileSync(join(world.project, '.claude/commands/evaluate.md'), 'utf8');
    const second = attune(world, ['hooks', 'install']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('hooks already installed');
    expect(readFileSync(path, 'utf8')).toBe(once);
    expect(readFileSync(join(world.project, '.claude/commands/evaluate.md'), 'utf8')).toBe(
      evaluate,
    );
  });

  it('replaces a stale hook of ours installed with another command prefix', () => {
    attune(world, ['hooks', 'install', '--command', 'npx attune']);
    attune(world, ['hooks', 'install', '--command', 'attune']);
    const commands = Object.values(read(settingsPath()).hooks).flatMap((groups) =>
      groups.flatMap((g) => g.hooks.map((h) => h.command)),
    );
    const expected = ['pre-compact', 'session-end', 'session-start', 'user-prompt-submit'].map(
      (hook) => `attune hook ${hook} # attune-learning`,
    );
    expect(commands.sort()).toEqual(expected);
  });

  it('writes /evaluate and /patterns command files that run the CLI, and removes only those', () => {
    attune(world, ['hooks', 'install', '--command', 'attune']);
    const dir = join(world.project, '.claude/commands');
    const evaluate = readFileSync(join(dir, 'evaluate.md'), 'utf8');
    const patterns = readFileSync(join(dir, 'patterns.md'), 'utf8');
    expect(evaluate).toMatch(
      /^---\ndescription: .+\nargument-hint: "\[--dry-run\] \[--force\]"\nallowed-tools: Bash\(attune evaluate:\*\)\n---\n/,
    );
    expect(evaluate).toContain('$ARGUMENTS');
    expect(patterns).toContain('allowed-tools: Bash(attune patterns:*)');
    for (const form of [
      'attune patterns search QUERY',
      'attune patterns category CATEGORY',
      'attune patterns delete PATTERN_ID',
    ]) {
      expect(patterns).toContain(form);
    }
    writeFileSync(join(dir, 'mine.md'), 'my own command\n');
    attune(world, ['hooks', 'uninstall']);
    expect(existsSync(join(dir, 'evaluate.md'))).toBe(false);
    expect(existsSync(join(dir, 'patterns.md'))).toBe(false);
    expect(readFileSync(join(dir, 'mine.md'), 'utf8')).toBe('my own command\n');
  });

  it('leaves a user-written /evaluate command alone unless --force is given', () => {
    const dir = join(world.project, '.claude/commands');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'evaluate.md'), 'my evaluate\n');
    const r = attune(world, ['hooks', 'install']);
    expect(r.stdout).toContain('skipped');
    expect(readFileSync(join(dir, 'evaluate.md'), 'utf8')).toBe('my evaluate\n');
    attune(world, ['hooks', 'uninstall']);
    expect(readFileSync(join(dir, 'evaluate.md'), 'utf8')).toBe('my evaluate\n');
    attune(world, ['hooks', 'install', '--force']);
    expect(readFileSync(join(dir, 'evaluate.md'), 'utf8')).toContain('attune-learning:injected');
  });

  it('installs into the project root when run from a subfolder', () => {
    const sub = join(world.project, 'src', 'invoice');
    const r = attune(world, ['hooks', 'install', '--json'], undefined, {}, sub);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).settingsPath).toBe(settingsPath());
    expect(existsSync(settingsPath())).toBe(true);
    expect(existsSync(join(sub, '.claude'))).toBe(false);
  });

  it('installs for the user in $CLAUDE_CONFIG_DIR/settings.json and removes the file it created', () => {
    const dir = join(world.home, '.claude');
    const r = attune(world, ['hooks', 'install', '--scope', 'user']);
    expect(r.code).toBe(0);
    expect(Object.keys(read(join(dir, 'settings.json')).hooks).sort()).toEqual([...EVENTS].sort());
    expect(existsSync(join(dir, 'commands', 'patterns.md'))).toBe(true);
    attune(world, ['hooks', 'uninstall', '--scope', 'user']);
    expect(existsSync(join(dir, 'settings.json'))).toBe(false);
    expect(existsSync(join(dir, 'commands'))).toBe(false);
  });

  it('refuses to touch a settings file that is not valid JSON', () => {
    const path = settingsPath();
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '{ "model": "opus", }');
    const r = attune(world, ['hooks', 'install']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not valid JSON');
    expect(readFileSync(path, 'utf8')).toBe('{ "model": "opus", }');
  });

  it('rejects an unknown scope and lists the valid ones', () => {
    const r = attune(world, ['hooks', 'install', '--scope', 'global']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('project, local, user');
  });

  it('calls the CLI as `attune` when the attune on PATH is this program, else by absolute paths', () => {
    const bin = join(world.home, 'bin');
    mkdirSync(bin);
    symlinkSync(cli, join(bin, 'attune'));
    chmodSync(cli, 0o755);
    attune(world, ['hooks', 'install'], undefined, { PATH: `${bin}:${world.env.PATH}` });
    const onPath = read(settingsPath()).hooks.SessionStart?.at(-1)?.hooks[0]?.command;
    expect(onPath).toBe('attune hook session-start # attune-learning');

    attune(world, ['hooks', 'install']);
    const absolute = read(settingsPath()).hooks.SessionStart?.at(-1)?.hooks[0]?.command ?? '';
    expect(absolute).toContain(cli);
    expect(absolute).toContain(process.execPath);
  });

  it('says which extractor the hooks will learn with, and how to set one', () => {
    const rules = attune(world, ['hooks', 'install']);
    expect(rules.code).toBe(0);
    expect(rules.stdout).toContain('lessons are written by the built-in rules');
    expect(rules.stdout).toContain(
      'attune config set extractor "claude -p --output-format json --max-turns 1"',
    );
    expect(rules.stdout).toContain(join(world.home, '.attune', 'config.json'));
    expect(JSON.parse(attune(world, ['hooks', 'status', '--json']).stdout).extractor).toBeNull();

    mkdirSync(join(world.home, '.attune'), { recursive: true });
    writeFileSync(
      join(world.home, '.attune', 'config.json'),
      JSON.stringify({ extractor: 'llm -m gpt-4o-mini' }),
    );
    const text = attune(world, ['hooks', 'status']);
    expect(text.stdout).toContain('lessons are written by: llm -m gpt-4o-mini');
    expect(JSON.parse(attune(world, ['hooks', 'status', '--json']).stdout).extractor).toBe(
      'llm -m gpt-4o-mini',
    );
    // The environment wins over the config file, as it does in the hooks.
    const env = attune(world, ['hooks', 'status', '--json'], '', { ATTUNE_EXTRACTOR: 'rules' });
    expect(JSON.parse(env.stdout).extractor).toBeNull();
  });

  it('installs with a broken config file, and says the hooks cannot learn until it is fixed', () => {
    mkdirSync(join(world.home, '.attune'), { recursive: true });
    writeFileSync(join(world.home, '.attune', 'config.json'), '{"extractor": ');
    const install = attune(world, ['hooks', 'install', '--json']);
    expect(install.code).toBe(0);
    const result = JSON.parse(install.stdout);
    expect(result.extractor).toBeNull();
    expect(result.extractorProblem).toMatch(/config\.json is not valid JSON/);
    expect(read(settingsPath()).hooks.SessionEnd).toHaveLength(1);
    const status = attune(world, ['hooks', 'status']);
    expect(status.stdout).toMatch(
      /^! the hooks cannot learn until this is fixed: .*not valid JSON/m,
    );
  });

  it('reports what is installed', () => {
    attune(world, ['hooks', 'install', '--command', 'attune']);
    const r = attune(world, ['hooks', 'status', '--json']);
    const status = JSON.parse(r.stdout) as { hooks: { event: string }[]; commandFiles: string[] };
    expect(status.hooks.map((h) => h.event).sort()).toEqual([...EVENTS].sort());
    expect(status.commandFiles).toHaveLength(2);
  });
});
