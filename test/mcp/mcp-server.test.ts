/**
 * The MCP server end to end: a real MCP client (the SDK's Client over StdioClientTransport)
 * spawns the built CLI, `node dist/src/cli/main.js mcp`, with HOME, the store and the user
 * pointed at a temporary folder. `npm test` builds before vitest runs.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMcpServer, LearnedSkillsStorage } from '../../src/index.js';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/src/cli/main.js');
const sessions = join(root, 'examples/sessions');

function requireBuild(): void {
  for (const file of [cli, join(root, 'dist/src/mcp/server.js')]) {
    if (!existsSync(file)) {
      throw new Error(`${file} is missing: run 'npm run build' first (npm test does)`);
    }
  }
}

function testEnv(home: string, user = 'tester'): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    ATTUNE_HOME: join(home, '.attune'),
    ATTUNE_STORAGE_DIR: join(home, 'store'),
    ATTUNE_USER: user,
  };
}

/** A running `attune mcp` subprocess and the client connected to it. */
interface Served {
  home: string;
  client: Client;
  stderr: () => string;
  call: (name: string, args?: Record<string, unknown>) => Promise<CallToolResult>;
  close: () => Promise<void>;
}

/** Starts `attune mcp` in a fresh home; with `repo`, in a git repository inside it. */
async function serve(options: { repo?: boolean } = {}): Promise<Served> {
  requireBuild();
  const home = mkdtempSync(join(tmpdir(), 'attune-mcp-'));
  const cwd = options.repo ? join(home, 'repo') : home;
  if (options.repo) mkdirSync(join(cwd, '.git'), { recursive: true });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli, 'mcp'],
    cwd,
    env: testEnv(home),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'attune-test', version: '0.0.0' });
  await client.connect(transport);
  return {
    home,
    client,
    stderr: () => stderr,
    call: async (name, args = {}) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: async () => {
      await client.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The text of a result's content. */
function text(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** Every file under `dir`, as text. */
function readTree(dir: string): string {
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .map((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? readTree(path) : readFileSync(path, 'utf8');
    })
    .join('\n');
}

interface PatternOut {
  id: string;
  category: string;
  trigger: string;
  resolution: string;
  confidence: number;
  tags: string[];
  project?: string;
}

describe('attune mcp: tools', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('lists the nine tools, each with a description and an object input schema', async () => {
    const { tools } = await s.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'delete_pattern',
      'edit_pattern',
      'get_learned_context',
      'get_pattern',
      'learn_from_transcript',
      'learning_summary',
      'list_patterns',
      'remember',
      'search_patterns',
    ]);
    for (const tool of tools) {
      expect(tool.description?.length ?? 0).toBeGreaterThan(40);
      expect(tool.inputSchema.type).toBe('object');
    }
    const search = tools.find((t) => t.name === 'search_patterns');
    expect(search?.inputSchema.required).toEqual(['query']);
    expect(search?.annotations?.readOnlyHint).toBe(true);
    expect(tools.find((t) => t.name === 'delete_pattern')?.annotations?.destructiveHint).toBe(true);
  });

  it('says nothing is learned yet when the store is empty', async () => {
    const r = await s.call('get_learned_context');
    expect(r.isError).toBeFalsy();
    expect(text(r)).toMatch(/Nothing has been learned/);
    expect(r.structuredContent).toEqual({ context: '', pattern_ids: [] });
    const summary = await s.call('learning_summary');
    expect(summary.structuredContent).toMatchObject({ user_id: 'tester', total_patterns: 0 });
  });

  it('remembers a lesson that search, list, get and the context block then show, until it is deleted', async () => {
    const remembered = await s.call('remember', {
      category: 'preference',
      trigger: 'Installing dependencies in this repository',
      resolution: 'Use pnpm install, never npm install',
      tags: ['pnpm', 'Install'],
    });
    expect(remembered.isError).toBeFalsy();
    const id = (remembered.structuredContent as { id: string }).id;
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(text(remembered)).toContain(id);

    const found = await s.call('search_patterns', { query: 'pnpm install' });
    const patterns = (found.structuredContent as { patterns: PatternOut[] }).patterns;
    expect(patterns.map((p) => p.id)).toEqual([id]);
    expect(patterns[0]).toMatchObject({
      category: 'preference',
      resolution: 'Use pnpm install, never npm install',
      confidence: 0.9,
      tags: ['pnpm', 'install'],
    });
    expect(text(found)).toContain('Use pnpm install, never npm install');

    const listed = await s.call('list_patterns', { category: 'preference' });
    expect(
      (listed.structuredContent as { patterns: PatternOut[] }).patterns.map((p) => p.id),
    ).toContain(id);
    const got = await s.call('get_pattern', { pattern_id: id });
    expect((got.structuredContent as { pattern: PatternOut }).pattern.trigger).toBe(
      'Installing dependencies in this repository',
    );

    const context = await s.call('get_learned_context', { query: 'install dependencies' });
    expect(text(context)).toContain('## Learned Patterns');
    expect(text(context)).toContain('Do: Use pnpm install, never npm install');
    expect((context.structuredContent as { pattern_ids: string[] }).pattern_ids).toEqual([id]);

    // The user says the lesson is out of date: reworded in place, its secret redacted.
    const edited = await s.call('edit_pattern', {
      pattern_id: id,
      resolution: 'Use pnpm 9 with NPM_TOKEN=npm_a8Kq2Lm9Xv4Rt7Yp3Wz6Nb1Cd5Fg0Hj2Sx8Qe, never npm',
      confidence: 0.95,
    });
    expect(edited.isError).toBeFalsy();
    const view = (edited.structuredContent as { pattern: PatternOut; redacted: string[] }).pattern;
    expect(view).toMatchObject({
      id,
      trigger: 'Installing dependencies in this repository',
      confidence: 0.95,
    });
    expect(view.resolution).toMatch(/^Use pnpm 9 with NPM_TOKEN=\[REDACTED:[a-z-]+\], never npm$/);
    expect((edited.structuredContent as { redacted: string[] }).redacted.length).toBe(1);
    expect(text(edited)).toMatch(/Redacted before storing/);
    const reread = await s.call('get_pattern', { pattern_id: id });
    expect(JSON.stringify(reread.structuredContent)).not.toContain('npm_a8Kq2');
    expect((reread.structuredContent as { pattern: PatternOut }).pattern.resolution).toBe(
      view.resolution,
    );

    const deleted = await s.call('delete_pattern', { pattern_id: id });
    expect(deleted.isError).toBeFalsy();
    expect(deleted.structuredContent).toEqual({ deleted: id });
    const after = await s.call('search_patterns', { query: 'pnpm' });
    expect((after.structuredContent as { total: number }).total).toBe(0);
    expect(text(after)).toMatch(/No learned pattern matches/);
    const again = await s.call('delete_pattern', { pattern_id: id });
    expect(again.isError).toBe(true);
    expect(text(again)).toMatch(/NOT_FOUND.*no pattern with id/);
  });

  it('reinforces a lesson remembered twice instead of storing a copy', async () => {
    const lesson = {
      category: 'user_correction',
      trigger: 'Writing database tests',
      resolution: 'Use the real test database, do not mock it',
    };
    const first = await s.call('remember', lesson);
    const second = await s.call('remember', lesson);
    expect(first.structuredContent).toMatchObject({ stored: 'created' });
    expect(second.structuredContent).toMatchObject({
      stored: 'reinforced',
      id: (first.structuredContent as { id: string }).id,
    });
    const found = await s.call('search_patterns', { query: 'mock database' });
    expect((found.structuredContent as { total: number }).total).toBe(1);
    // Told twice, so seen twice.
    expect(text(found)).toMatch(/seen 2x/);
  });

  it('keeps a project convention to its project', async () => {
    const r = await s.call('remember', {
      category: 'project_specific',
      trigger: 'Running the tests of the billing service',
      resolution: 'Run make test-billing, which starts the fake payment gateway first',
      project: '/repos/billing',
    });
    const id = (r.structuredContent as { id: string }).id;
    const ids = async (args: Record<string, unknown>) =>
      (
        (await s.call('get_learned_context', { max_patterns: 20, ...args })).structuredContent as {
          pattern_ids: string[];
        }
      ).pattern_ids;
    expect(await ids({ project: '/repos/billing' })).toContain(id);
    expect(await ids({ project: '/repos/website' })).not.toContain(id);
    // Started outside a git repository, the server has no project of its own: all are shown.
    expect(await ids({})).toContain(id);
  });

  it('serves the context block as the attune://context resource', async () => {
    const { resources } = await s.client.listResources();
    expect(resources.map((r) => r.uri)).toContain('attune://context');
    const read = await s.client.readResource({ uri: 'attune://context' });
    const first = read.contents[0];
    expect(first && 'text' in first ? first.text : '').toContain('## Learned Patterns');
  });

  // A malformed call gets an error result naming the problem; the server keeps serving.
  it.each([
    ['search_patterns', {}, /query/],
    ['search_patterns', { query: '   ' }, /query must not be empty/],
    ['search_patterns', { query: 'x', limit: 0 }, /limit/],
    ['list_patterns', { category: 'nonsense' }, /expected one of .*"preference"/],
    ['get_learned_context', { max_patterns: 99 }, /max_patterns/],
    ['get_learned_context', { categories: ['gossip'] }, /categories/],
    ['remember', { category: 'preference', trigger: 'x' }, /resolution/],
    ['remember', { category: 'opinion', trigger: 'x', resolution: 'y' }, /category/],
    ['get_pattern', { pattern_id: '../../../etc/passwd' }, /NOT_FOUND.*no pattern with id/],
    ['get_pattern', { pattern_id: 42 }, /pattern_id/],
    ['delete_pattern', { pattern_id: 'no-such-pattern' }, /search_patterns or list_patterns/],
    ['edit_pattern', { pattern_id: 'no-such-pattern', resolution: 'x' }, /NOT_FOUND/],
    ['edit_pattern', { pattern_id: 'no-such-pattern' }, /INVALID_ARGUMENT.*nothing to change/],
    ['edit_pattern', { pattern_id: 'abc', resolution: '  ' }, /resolution must not be empty/],
    ['edit_pattern', { pattern_id: 'abc', confidence: 2 }, /confidence/],
    ['learn_from_transcript', {}, /exactly one of path .* or text/],
    ['learn_from_transcript', { path: 'a.jsonl', text: 'b' }, /exactly one of path/],
    ['learn_from_transcript', { path: 'missing/session.jsonl' }, /missing\/session\.jsonl/],
    ['learn_from_transcript', { text: '{}', format: 'word' }, /format/],
    ['no_such_tool', {}, /no_such_tool not found/],
  ] as const)('%s %j is an error result', async (name, args, message) => {
    const r = await s.call(name, args);
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(message);
    const still = await s.call('learning_summary');
    expect(still.isError).toBeFalsy();
  });
});

describe('attune mcp: started in a git repository', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve({ repo: true });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('stores a project convention under that repository and shows it only there', async () => {
    const r = await s.call('remember', {
      category: 'project_specific',
      trigger: 'Adding a database migration here',
      resolution: 'Generate it with make migration NAME=...; never write the SQL file by hand',
    });
    const id = (r.structuredContent as { id: string }).id;
    const got = await s.call('get_pattern', { pattern_id: id });
    const repo = realpathSync(join(s.home, 'repo'));
    expect((got.structuredContent as { pattern: PatternOut }).pattern.project).toBe(repo);
    const ids = async (args: Record<string, unknown>) =>
      (
        (await s.call('get_learned_context', args)).structuredContent as {
          pattern_ids: string[];
        }
      ).pattern_ids;
    expect(await ids({})).toEqual([id]);
    expect(await ids({ project: '/somewhere/else' })).toEqual([]);
  });
});

describe('attune mcp: learning', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('evaluates a transcript on a dry run and stores nothing', async () => {
    const r = await s.call('learn_from_transcript', {
      path: join(sessions, 'openai-yaml-settings.json'),
      dry_run: true,
    });
    expect(r.isError).toBeFalsy();
    const out = r.structuredContent as {
      dry_run: boolean;
      sessions: { quality: string; patterns: PatternOut[]; created: string[] }[];
    };
    expect(out.dry_run).toBe(true);
    expect(out.sessions[0]?.patterns.length).toBeGreaterThan(0);
    expect(out.sessions[0]?.created).toEqual([]);
    expect(text(r)).toMatch(/dry run, nothing stored/);
    const summary = await s.call('learning_summary');
    expect(summary.structuredContent).toMatchObject({ total_patterns: 0 });
  });

  it('learns from a transcript file: quality, counts, reasons, and the patterns it stored', async () => {
    const r = await s.call('learn_from_transcript', {
      path: join(sessions, 'openai-yaml-settings.json'),
    });
    expect(r.isError).toBeFalsy();
    const session = (
      r.structuredContent as {
        sessions: {
          format: string;
          quality: string;
          counts: Record<string, number>;
          reasons: string[];
          patterns: PatternOut[];
          created: string[];
        }[];
      }
    ).sessions[0];
    expect(session?.format).toBe('openai');
    expect(session?.quality).toMatch(/^(EXCELLENT|GOOD|AVERAGE|POOR|SKIP)$/);
    expect(session?.counts.corrections).toBeGreaterThan(0);
    expect(session?.reasons.length).toBeGreaterThan(0);
    expect(session?.created.length).toBeGreaterThan(0);
    expect(text(r)).toMatch(/Session .* quality/);

    const found = await s.call('search_patterns', { query: 'yaml' });
    const ids = (found.structuredContent as { patterns: PatternOut[] }).patterns.map((p) => p.id);
    expect(ids.some((id) => session?.created.includes(id))).toBe(true);
    const context = await s.call('get_learned_context', { query: 'loading a yaml file' });
    expect(text(context)).toMatch(/safe_load/);
  });

  it('reinforces rather than duplicates when the same transcript comes again as text', async () => {
    const before = (await s.call('learning_summary')).structuredContent as {
      total_patterns: number;
    };
    const r = await s.call('learn_from_transcript', {
      text: readFileSync(join(sessions, 'openai-yaml-settings.json'), 'utf8'),
    });
    const session = (
      r.structuredContent as {
        sessions: { created: string[]; reinforced: string[]; unchanged: string[] }[];
      }
    ).sessions[0];
    expect(session?.created).toEqual([]);
    // Read from a file first and as text now, it is another sighting: reinforced.
    expect(session?.reinforced.length).toBeGreaterThan(0);
    expect(session?.unchanged).toEqual([]);
    // The same text once more adds nothing: already known.
    const again = await s.call('learn_from_transcript', {
      text: readFileSync(join(sessions, 'openai-yaml-settings.json'), 'utf8'),
    });
    expect(text(again)).toMatch(/0 new, 0 reinforced, [1-9]\d* already known/);
    const after = (await s.call('learning_summary')).structuredContent as {
      total_patterns: number;
    };
    expect(after.total_patterns).toBe(before.total_patterns);
  });
});

describe('attune mcp: secrets', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve();
  });
  afterAll(async () => {
    await s?.close();
  });

  // Each row is a different lesson, so that none reinforces another.
  it.each([
    [
      'resolution',
      'github-token',
      'ghp_Q7mZ2kP9xL4vN8cR1tY6wB3jH5fD0sA2eG7u',
      'Publishing the package to the GitHub registry',
      'Authenticate npm with the deploy token',
    ],
    [
      'context',
      'aws-access-key',
      'AKIAZ7Q2J4K8M3N5P6R1',
      'Uploading build artefacts to S3',
      'Use the artefacts bucket in eu-west-1',
    ],
    [
      'trigger',
      'password',
      'postgres://app:Vb7rT2qLm9xK@db.internal/prod',
      'Connecting to the reporting database',
      'Go through the bastion host first',
    ],
  ] as const)(
    'redacts a %s holding a %s before storing it',
    async (field, type, secret, trigger, resolution) => {
      const lesson: Record<string, string> = { category: 'workaround', trigger, resolution };
      lesson[field] = `${lesson[field] ?? ''} with ${secret}`;
      const r = await s.call('remember', lesson);
      expect(r.isError).toBeFalsy();
      expect((r.structuredContent as { redacted: string[] }).redacted).toContain(type);
      const id = (r.structuredContent as { id: string }).id;
      const got = await s.call('get_pattern', { pattern_id: id });
      expect(JSON.stringify(got)).toContain(`[REDACTED:${type}]`);
      const onDisk = readTree(join(s.home, 'store'));
      expect(onDisk).toContain(id);
      expect(onDisk).not.toContain(secret.includes('://') ? 'Vb7rT2qLm9xK' : secret);
      expect(s.stderr()).not.toContain(secret);
    },
  );
});

describe('attune mcp: the process', () => {
  it('writes only JSON-RPC on stdout and exits once stdin ends and every request is answered', () => {
    requireBuild();
    const home = mkdtempSync(join(tmpdir(), 'attune-mcp-raw-'));
    try {
      const messages = [
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 'pipe', version: '0' },
          },
        },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        {
          jsonrpc: '2.0',
          id: 2,
          method: 'tools/call',
          params: {
            name: 'learn_from_transcript',
            arguments: { path: join(sessions, 'claude-code-vitest-pnpm.jsonl') },
          },
        },
        {
          jsonrpc: '2.0',
          id: 3,
          method: 'tools/call',
          params: { name: 'search_patterns', arguments: {} },
        },
      ];
      const r = spawnSync(process.execPath, [cli, 'mcp'], {
        cwd: home,
        env: testEnv(home),
        input: `${messages.map((m) => JSON.stringify(m)).join('\n')}\n`,
        encoding: 'utf8',
      });
      expect(r.status).toBe(0);
      const lines = r.stdout.split('\n').filter((l) => l.length > 0);
      const replies = lines.map((l) => JSON.parse(l) as { jsonrpc: string; id: number });
      for (const reply of replies) expect(reply.jsonrpc).toBe('2.0');
      expect(replies.map((m) => m.id).sort()).toEqual([1, 2, 3]);
      expect(r.stderr).toMatch(/attune mcp: serving user tester/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it.each([['../../etc'], ['a/b'], ['..']])(
    'refuses to start for the hostile user id %j, with a readable message and nothing on stdout',
    (user) => {
      requireBuild();
      const home = mkdtempSync(join(tmpdir(), 'attune-mcp-user-'));
      try {
        const r = spawnSync(process.execPath, [cli, 'mcp'], {
          cwd: home,
          env: testEnv(home, user),
          input: '',
          encoding: 'utf8',
        });
        expect(r.status).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(/^attune: userId: /);
        expect(existsSync(join(home, 'store'))).toBe(false);
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    },
  );

  it('rejects a hostile user id when the server is created in-process', () => {
    const storage = new LearnedSkillsStorage({ storageDir: join(tmpdir(), 'never-used') });
    expect(() => createMcpServer({ storage, userId: '../other-user' })).toThrow(/userId/);
  });
});
