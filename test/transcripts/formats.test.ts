/**
 * Facts about the fixtures, checked by reading each file by hand, that each reader must
 * reproduce.
 */
import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/model/session.js';
import { parseTranscript, sessionFromInteractions } from '../../src/transcripts/index.js';
import { fixtureText } from './fixtures.js';

function read(relative: string): Session[] {
  const name = relative.slice(relative.indexOf('/') + 1);
  return parseTranscript(fixtureText(relative), { sourceName: name }).sessions;
}

function only(relative: string): Session {
  const sessions = read(relative);
  expect(sessions).toHaveLength(1);
  return sessions[0] as Session;
}

function userTexts(session: Session): string[] {
  return session.turns.filter((t) => t.role === 'user').map((t) => t.text);
}

function allText(session: Session): string {
  return session.turns
    .map((t) => [t.text, ...t.toolCalls.map((c) => `${c.input}\n${c.output ?? ''}`)].join('\n'))
    .join('\n');
}

describe('claude-code', () => {
  it('keeps AskUserQuestion answers as answer turns in the cctrace plan-mode session', () => {
    const s = only('claude-code/cctrace-import-export-plan-mode.jsonl');
    expect(s.id).toBe('132b2f66-ee5f-46f6-8904-32d9dc4d36c3');
    expect(s.cwd).toBe('/mnt/c/python/cctrace');
    expect(s.turns[0]?.text).toBe('@claude-code-prompt.md really ULTRATHINK this');
    const answers = s.turns.filter((t) => t.kind === 'answer').map((t) => t.text);
    expect(answers).toEqual([
      'can you explain the modifications needed to test?  is this for the import options?',
      'Yes, run the tests',
    ]);
    expect(s.turns[2]?.kind).toBe('answer');
  });

  it('keeps slash-command arguments and drops sub-agent prompts in the orchestrator session', () => {
    const s = only('claude-code/ccviewer-orchestrator-subagents.jsonl');
    expect(userTexts(s)).toEqual(['@CLAUDE.md を最新の状態にアップデートしてください']);
    // The sub-agent's prompt survives only as the input of the main thread's Task call.
    const texts = s.turns.map((t) => t.text).join('\n');
    expect(texts).not.toContain('Examine the package.json file(s) in /path/to/Demo');
    expect(texts).not.toContain("I'll examine the package.json files in the Demo directory");
    expect(s.injectedDropped).toBe(1);
  });

  it('finds no human text in the /init session, whose only prompts are a command and its body', () => {
    const s = only('claude-code/ccviewer-init-claude-md.jsonl');
    expect(userTexts(s)).toEqual([]);
    expect(s.injectedDropped).toBe(2);
    expect(allText(s)).not.toContain('Please analyze this codebase and create a CLAUDE.md');
  });

  it('pairs the results of parallel tool calls and drops Stop hook feedback', () => {
    const s = only('claude-code/reliability-python-to-rust-port.jsonl');
    const calls = s.turns.flatMap((t) => t.toolCalls);
    expect(calls).toHaveLength(39);
    expect(calls.every((c) => c.output !== undefined)).toBe(true);
    expect(userTexts(s)).toHaveLength(1);
    expect(userTexts(s)[0]).toMatch(/^Port this Python project to Rust\./);
    expect(allText(s)).not.toContain('Stop hook feedback');
  });

  it('drops isSidechain records of the early 1.0.51 session', () => {
    const s = only('claude-code/happy-cli-socket-e2e-early.jsonl');
    expect(userTexts(s)).toEqual([
      'implement what is requested in CLAUDE.md file First get my approval of your highly detailed plan',
    ]);
    expect(s.turns.map((t) => t.text).join('\n')).not.toContain('I need to find the server types');
  });

  it('follows the active branch after a rewind and classifies every kind of user turn', () => {
    const s = only('claude-code/shopfront-cart-cents-rewind.jsonl');
    expect(s.title).toBe('Cart total converted to integer cents');
    expect(s.skipped).toBe(1);
    // attachment, isMeta command body, system-reminder, Stop hook feedback
    expect(s.injectedDropped).toBe(4);
    expect(allText(s)).not.toContain('Decimal.js');
    expect(allText(s)).not.toContain('float money math');
    expect(s.turns.map((t) => (t.role === 'user' ? (t.kind ?? 'prompt') : 'a'))).toEqual([
      'prompt',
      'a',
      'prompt',
      'a',
      'rejection',
      'a',
      'answer',
      'a',
      'interrupt',
      'prompt',
      'a',
    ]);
    expect(s.turns[0]?.text).toBe('the cart total rounding in src/cart/total.ts');
    expect(s.turns[4]?.text).toBe('we use pnpm here, never npm. run pnpm vitest run src/cart');
    expect(s.turns[6]?.text).toBe('formatMoney helper in src/lib/money.ts, never inline toFixed');
    const failing = s.turns[5]?.toolCalls[0];
    expect(failing).toMatchObject({ name: 'Bash', exitCode: 1, isError: true });
    expect(s.turns[3]?.toolCalls.map((c) => c.isError ?? false)).toEqual([false, true]);
  });
});

describe('claude-code thread links', () => {
  const record = (uuid: string, parentUuid: string | null, type: string, content: string) =>
    JSON.stringify({ type, uuid, parentUuid, sessionId: 's', message: { role: type, content } });

  it('keeps earlier records when later ones have no parent link (compaction, exports)', () => {
    const text = [
      record('u1', null, 'user', 'first question'),
      record('a1', null, 'assistant', 'first answer'),
      record('u2', null, 'user', 'second question'),
      record('a2', 'u2', 'assistant', 'second answer'),
    ].join('\n');
    const s = parseTranscript(text, { format: 'claude-code' }).sessions[0];
    expect(s?.turns.map((t) => t.text)).toEqual([
      'first question',
      'first answer',
      'second question',
      'second answer',
    ]);
  });

  it('drops the branch a rewind left behind', () => {
    const text = [
      record('u1', null, 'user', 'question'),
      record('a1', 'u1', 'assistant', 'answer'),
      record('u2', 'a1', 'user', 'abandoned follow-up'),
      record('a2', 'u2', 'assistant', 'abandoned answer'),
      record('u3', 'a1', 'user', 'edited follow-up'),
      record('a3', 'u3', 'assistant', 'final answer'),
    ].join('\n');
    const s = parseTranscript(text, { format: 'claude-code' }).sessions[0];
    expect(s?.turns.map((t) => t.text)).toEqual([
      'question',
      'answer',
      'edited follow-up',
      'final answer',
    ]);
  });
});

describe('codex', () => {
  const s = only('codex/ledgerline-csv-import.jsonl');

  it('takes prompts from user_message only and drops AGENTS.md and environment context', () => {
    expect(s.id).toBe('019a4f2c-7d1e-7b30-9c55-3e1f0a2b6c41');
    expect(s.cwd).toBe('/home/mara/src/ledgerline');
    expect(s.injectedDropped).toBe(3);
    expect(allText(s)).not.toContain('AGENTS.md instructions');
  });

  it('turns turn_aborted into an interrupt followed by the correction', () => {
    expect(s.turns[2]).toMatchObject({ role: 'user', kind: 'interrupt', text: '' });
    expect(s.turns[3]?.text).toBe(
      'no, use pnpm not npm, this is a pnpm workspace. and delete the package-lock.json you just created',
    );
  });

  it('drops the rolled-back prompt and its work', () => {
    expect(allText(s)).not.toContain('skip the header row automatically');
    expect(s.turns[5]?.text).toMatch(/^Actually, don't guess the header\./);
    expect(s.turns).toHaveLength(7);
  });

  it('pairs calls with outputs and reads exit codes, apply_patch failures included', () => {
    const calls = s.turns.flatMap((t) => t.toolCalls);
    const failedTest = calls.find((c) => c.input === 'pnpm vitest run src/import' && c.isError);
    expect(failedTest?.exitCode).toBe(1);
    expect(failedTest?.output).toContain('TypeError: Cannot read properties of undefined');
    const patches = calls.filter((c) => c.name === 'apply_patch');
    expect(patches.filter((c) => c.isError).map((c) => c.exitCode)).toEqual([1]);
    expect(calls.every((c) => c.output !== undefined)).toBe(true);
  });

  it('does not repeat assistant text logged both as agent_message and output_text', () => {
    const reply = s.turns[1]?.text ?? '';
    expect(reply.split("I'll look at the CSV import code").length).toBe(2);
  });
});

describe('specstory', () => {
  it('reads the CLI layout (E): session id, tool calls with exit codes, interrupt', () => {
    const s = only('specstory/munsellspace-taskmaster-claude-code.md');
    expect(s.id).toBe('0c56ec44-573e-4087-9413-650d54e1f1b3');
    expect(s.startedAt).toBe('2025-12-06T19:04:39Z');
    const interrupt = s.turns.findIndex((t) => t.kind === 'interrupt');
    expect(interrupt).toBeGreaterThan(0);
    expect(s.turns[interrupt + 1]?.text).toMatch(/^Do not reinit task-master/);
    const calls = s.turns.flatMap((t) => t.toolCalls);
    expect(calls.some((c) => c.name === 'Bash' && c.exitCode === 1 && c.isError)).toBe(true);
    expect(allText(s)).not.toContain('Thought Process');
    // consecutive agent blocks are one reply: roles alternate
    s.turns.forEach((t, i) => {
      if (i > 0 && t.role === 'assistant') expect(s.turns[i - 1]?.role).toBe('user');
    });
  });

  it('reads the oldest layout (A) with its US-style date', () => {
    const s = only('specstory/process-xbrl-negative-values-python.md');
    expect(s.startedAt).toBe('2024-10-16T22:22:51');
    expect(s.turns[2]?.text).toBe('you only made changes to the comments in @cell.py');
    // 98 user headers, 7 of them with an empty body (image-only prompts).
    expect(userTexts(s)).toHaveLength(91);
  });

  it('reads layout B with per-turn-less headers and keeps the user pushback', () => {
    const s = only('specstory/polychrome-undo-redo-typeerror.md');
    expect(s.turns[6]?.text).toBe(
      "mmmm, so now there's no snapshot made with space at all. How is that better?",
    );
    expect(userTexts(s)).toHaveLength(23);
  });

  it('keeps user text containing --- separators in one turn (layout B, timestamped users)', () => {
    const s = only('specstory/chef-chopsky-e2e-llm-nondeterminism.md');
    expect(s.title).toBe('Fixing failing end-to-end tests');
    expect(userTexts(s)).toHaveLength(5);
    expect(s.turns[0]?.timestamp).toBe('2025-09-19T15:02:00Z');
    expect(s.turns.flatMap((t) => t.toolCalls).some((c) => c.name === 'Edit file')).toBe(true);
  });

  it('turns old-layout Read file lines and details blocks into tool calls', () => {
    const s = only('specstory/minsky-bun-cli-setup.md');
    expect(s.turns[6]?.text).toBe('the rules should be cursor rules');
    const names = new Set(s.turns.flatMap((t) => t.toolCalls.map((c) => c.name)));
    expect(names.has('Read file')).toBe(true);
    expect(names.has('Listed current directory')).toBe(true);
  });

  it('takes a command from the tool summary when the element has no input block', () => {
    const text = [
      '<!-- Generated by SpecStory, Markdown v2.1.0 -->',
      '',
      '_**User (2026-10-01 09:00Z)**_',
      '',
      'start a worker',
      '',
      '---',
      '',
      '_**Agent (claude-4-sonnet)**_',
      '',
      '<tool-use data-tool-type="shell" data-tool-name="run_terminal_cmd"><details>',
      '<summary>Tool use: **run_terminal_cmd** • Run command: php bin/console messenger:consume async</summary>',
      '',
      '```',
      '[OK] Consuming messages from transport "async".',
      '```',
      '</details></tool-use>',
      '',
    ].join('\n');
    const [s] = parseTranscript(text, { sourceName: 'x.md' }).sessions;
    const call = s?.turns.flatMap((t) => t.toolCalls)[0];
    expect(call).toMatchObject({
      name: 'run_terminal_cmd',
      input: 'php bin/console messenger:consume async',
      output: '[OK] Consuming messages from transport "async".',
    });
  });

  it('turns an old-layout shell fence with the terminal output after it into a run', () => {
    const s = only('specstory/minsky-bun-cli-setup.md');
    const runs = s.turns.flatMap((t) => t.toolCalls).filter((c) => c.name === 'run_terminal_cmd');
    const add = runs.find((c) => c.input === 'bun add commander');
    // The prompt line echoing the command is gone; what the terminal printed stays.
    expect(add?.output).toMatch(/^bun add v1\.2\.9[\s\S]*installed commander@13\.1\.0/);
    expect(add?.output).not.toContain('edobry$ bun add');
    // `bun run start` followed by prose is a suggestion, not a run.
    expect(runs.some((c) => c.input === 'bun run start')).toBe(false);
    expect(allText(s)).toContain('bun run start');
  });
});

describe('aider', () => {
  it('splits the monochromatic history into sessions and ignores confirm-prompt answers', () => {
    const sessions = read('aider/monochromatic-conventions.md');
    expect(sessions.length).toBeGreaterThan(10);
    for (const s of sessions) {
      expect(s.id.startsWith('monochromatic-conventions@2025-06-02T')).toBe(true);
      expect(userTexts(s).some((t) => t.includes('(Y)es/(N)o'))).toBe(false);
    }
    const undo = sessions.find((s) => s.startedAt === '2025-06-02T14:15:20');
    expect(userTexts(undo as Session).slice(0, 2)).toEqual([
      '/undo',
      'In CONVENTIONS.md , reorder the lists. DO NOT CHANGE the contents.',
    ]);
  });

  it("keeps the banner's model lines and start-up errors as the session's set-up", () => {
    const sessions = read('aider/monochromatic-conventions.md');
    const at = (time: string) => sessions.find((s) => s.startedAt === `2025-06-02T${time}`);
    expect(at('11:49:34')?.setup).toEqual(['Model: qwen3-235b-a22b with editor-diff edit format']);
    expect(at('13:02:14')?.setup).toEqual([
      expect.stringMatching(
        /^Error: Read-only file .*packages\\module\\es\\CONVENTIONS\.md does not exist\. Skipping\.$/,
      ),
      'Main model: gemini/gemini-2.5-pro-preview-05-06 with editor-diff-fenced edit format',
      'Weak model: gemini/gemini-2.5-flash-preview-04-17',
    ]);
    // The rest of the banner is chatter.
    for (const s of sessions) {
      for (const line of s.setup ?? []) expect(line).not.toMatch(/^(?:Aider v|Git repo|Repo-map)/);
    }
  });

  it('removes the /ask echo, keeps /undo and the correction after it', () => {
    const [first] = read('aider/weatherbot-flask-sessions.md');
    const s = first as Session;
    expect(userTexts(s)).toEqual([
      '/ask why does /forecast return 500 when the city has a space in it?',
      'ok fix it',
      '/run pytest -q',
      expect.stringMatching(/^here is the failure:\n\nFAILED tests\/test_forecast\.py/),
      '/undo',
      "don't touch the tests to make them pass. the upstream API really needs %20, use urllib.parse.quote on the city instead of params=",
    ]);
    expect(s.turns[3]?.toolCalls.map((c) => c.name)).toEqual(['edit', 'commit']);
  });

  it('drops architect instructions handed to the editor and attaches shell errors', () => {
    const sessions = read('aider/weatherbot-flask-sessions.md');
    const s = sessions[1] as Session;
    expect(s.injectedDropped).toBe(1);
    expect(userTexts(s)).toHaveLength(3);
    expect(userTexts(s).some((t) => t.startsWith('To add a 10-minute cache'))).toBe(false);
    const shell = s.turns.flatMap((t) => t.toolCalls).find((c) => c.name === 'shell');
    expect(shell).toMatchObject({ input: 'flask --app weatherbot run', isError: true });
    expect(shell?.output).toContain('Connection refused');
  });
});

describe('cctrace', () => {
  const s = only('cctrace/cctrace-session-export-md.md');

  it('reads the header and the rejection, interrupt and preference that follow', () => {
    expect(s.id).toBe('f33cdb42-0a41-40d4-91eb-c89c109af38a');
    expect(s.cwd).toBe('/mnt/c/python/cctrace');
    expect(s.turns[2]?.kind).toBe('rejection');
    expect(s.turns[3]?.kind).toBe('interrupt');
    // The export keeps the DEL characters the user typed before the text.
    expect(s.turns[4]?.text).toMatch(
      /^\x7f*i would prefer for this to be something that can be run on command in an existing chat/,
    );
  });

  it('drops slash-command wrappers and the command body cctrace prints after them', () => {
    expect(allText(s)).not.toContain('<command-name>');
    expect(userTexts(s).some((t) => t.startsWith('Export the current Claude Code session'))).toBe(
      false,
    );
  });

  it('pairs tool results with tool uses in order', () => {
    const first = s.turns[1]?.toolCalls[0];
    expect(first?.name).toBe('WebFetch');
    expect(first?.id).toBe('toolu_01UoMw6EsMnxNmC7Ng2kbHsm');
    expect(first?.output).toMatch(/^Based on the provided documentation/);
  });
});

describe('openai', () => {
  it('drops system messages and pairs tool messages by id', () => {
    const s = only('openai/tally-invoice-endpoint.json');
    expect(s.id).toBe('tally-invoice-endpoint');
    expect(allText(s)).not.toContain('You are a senior Go engineer');
    expect(userTexts(s)[1]).toBe(
      'We don\'t use gorilla/mux here, it\'s chi everywhere. Use chi.URLParam(r, "id").',
    );
    const build = s.turns.flatMap((t) => t.toolCalls).find((c) => c.input === 'go build ./...');
    expect(build).toMatchObject({ exitCode: 1, isError: true });
    expect(build?.output).toContain('undefined: mux');
  });

  it('reads a {messages} wrapper with its id and drops our own injected patterns', () => {
    const s = only('openai/knex-to-sql-migration.json');
    expect(s.id).toBe('chat-7f3a1c');
    expect(s.injectedDropped).toBe(1);
    expect(userTexts(s)).toHaveLength(2);
    expect(allText(s)).not.toContain('British English');
  });
});

describe('interactions', () => {
  it('reads user_input/assistant_response pairs as alternating turns', () => {
    const s = only('interactions/debounce-helper.json');
    expect(s.turns.map((t) => t.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(s.turns[4]?.text).toMatch(/^It fails in the browser: ReferenceError/);
  });

  it('reads every shape in one file and counts the unknown object', () => {
    const s = only('interactions/makefile-tabs.json');
    expect(s.id).toBe('seed-demo-42');
    expect(s.skipped).toBe(1);
    expect(userTexts(s)).toEqual([
      'Use tabs, not spaces, in the Makefile.',
      'make test fails with: Makefile:12: *** missing separator.  Stop.',
      'Also keep the targets sorted alphabetically.',
      "ok that's all for now",
    ]);
  });

  it.each([
    [{ role: 'user', content: 'a' }, 'user'],
    [{ role: 'user', text: 'a' }, 'user'],
    [{ user: 'a', assistant: 'b' }, 'user,assistant'],
    [{ user_input: 'a', assistant_response: 'b' }, 'user,assistant'],
    [{ userInput: 'a', assistantResponse: 'b' }, 'user,assistant'],
    [{ role: 'assistant', content: 'b' }, 'assistant'],
  ])('builds turns from the interaction shape %j', (interaction, roles) => {
    const s = sessionFromInteractions([interaction], 's-1');
    expect(s.id).toBe('s-1');
    expect(s.format).toBe('interactions');
    expect(s.turns.map((t) => t.role).join(',')).toBe(roles);
  });

  it('leaves out interactions that carry our injected marker', () => {
    const s = sessionFromInteractions([
      { role: 'user', content: '<!-- attune-learning:injected --> use pnpm' },
      { role: 'user', content: '## Learned Patterns\n- x' },
      { role: 'user', content: 'real question' },
    ]);
    expect(userTexts(s)).toEqual(['real question']);
    expect(s.injectedDropped).toBe(2);
  });
});
