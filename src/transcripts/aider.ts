/**
 * Reader for Aider chat history (`.aider.chat.history.md`), which appends many sessions to
 * one file; each `# aider chat started at` line starts a new session.
 *
 * Runs of `#### ` lines are one user message. The bare question Aider repeats after
 * `/ask`, `/code` and `/architect` is removed, and so are the architect's instructions that
 * `/architect` mode passes to the editor model as `#### ` lines (they repeat the previous
 * reply). Commands that only manage the chat (`/add`, `/drop`, `/tokens`, ...) are left out;
 * commands that carry intent (`/undo`, `/run`, `/ask`, `/commit`, ...) stay as user text.
 * Aider's own `> ` lines become tool calls on the assistant turn when they report an edit,
 * a commit, a shell command or an error; in the start-up banner, the model lines and errors
 * become the session's `setup`; the rest of its chatter is ignored.
 * @module
 */
import { isModelSetupLine, type Session, type ToolCall } from '../model/session.js';
import { idFromSource, isOwnInjectedText, SessionBuilder, splitLines } from './shared.js';
import type { ReadOptions, ReadResult, TranscriptReader } from './types.js';

const SESSION_START = '# aider chat started at ';

/** Commands that only manage files, models or the display: no human intent to learn from. */
const HOUSEKEEPING = new Set([
  'add',
  'drop',
  'read-only',
  'ls',
  'tokens',
  'map',
  'map-refresh',
  'help',
  'exit',
  'quit',
  'clear',
  'reset',
  'copy',
  'copy-context',
  'paste',
  'model',
  'models',
  'editor-model',
  'weak-model',
  'settings',
  'chat-mode',
  'multiline-mode',
  'editor',
  'edit',
  'voice',
  'diff',
  'report',
  'save',
  'load',
  'think-tokens',
  'reasoning-effort',
]);

/** Commands whose argument Aider repeats as a bare `#### ` line. */
const REPEATING = new Set(['ask', 'code', 'architect', 'context']);

const ERROR_LINE =
  /\b\w*(?:Error|Exception)\b|^Traceback|did not conform to the edit format|failed to match|^Malformed|^Unable to|^Failed to/;

/** At most this many banner lines are kept as the session's set-up. */
const MAX_SETUP = 8;

const CONFIRM_ANSWER = /\(Y\)es\/\(N\)o[^\n]{0,200}\]: ?\S*$/;

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

interface SessionState {
  builder: SessionBuilder;
  startedAt: string | undefined;
  /** Argument of the last repeating command, to drop its echo. */
  echo: string | undefined;
  /** The error or shell tool call that following `> ` lines continue. */
  error: ToolCall | undefined;
  /** The banner's model lines and start-up errors, before the first message. */
  setup: string[];
}

function newState(startedAt: string | undefined): SessionState {
  return {
    builder: new SessionBuilder(),
    startedAt,
    echo: undefined,
    error: undefined,
    setup: [],
  };
}

function addUserBlock(state: SessionState, lines: readonly string[]): void {
  const text = lines.join('\n').trim();
  if (text === '') return;
  const { builder } = state;
  const flat = normalise(text);
  if (state.echo !== undefined && builder.lastRole() === 'user' && flat === state.echo) {
    state.echo = undefined;
    return;
  }
  state.echo = undefined;
  // Answers to Aider's own confirm prompts, echoed as `#### ` lines.
  if (CONFIRM_ANSWER.test(flat)) return;
  const command = /^\/([\w-]+)/.exec(text)?.[1];
  if (command !== undefined && HOUSEKEEPING.has(command)) return;
  if (command === undefined && flat.length >= 40 && builder.lastRole() === 'assistant') {
    // /architect hands its reply to the editor model as `#### ` lines.
    const previous = normalise(builder.lastAssistantText());
    if (previous.includes(flat.slice(0, 300))) {
      builder.injectedDropped++;
      return;
    }
  }
  if (isOwnInjectedText(text)) {
    builder.injectedDropped++;
    return;
  }
  builder.user(text);
  if (command !== undefined && REPEATING.has(command)) {
    const arg = normalise(flat.slice(command.length + 1));
    if (arg !== '') state.echo = arg;
  }
}

function addHarnessLine(state: SessionState, line: string): void {
  const { builder } = state;
  if (builder.length === 0) {
    // The start-up banner: the models in use and any error (a missing read-only file, a
    // bad model name) matter to what follows; the rest is chatter.
    const setup = isModelSetupLine(line) || ERROR_LINE.test(line);
    if (setup && state.setup.length < MAX_SETUP && !state.setup.includes(line)) {
      state.setup.push(line);
    }
    return;
  }
  const applied = /^Applied edit to (.+)$/.exec(line);
  if (applied?.[1] !== undefined) {
    state.error = undefined;
    builder.toolCall({ name: 'edit', input: applied[1] });
    return;
  }
  const commit = /^Commit ([0-9a-f]{7,40}) (.+)$/.exec(line);
  if (commit?.[1] !== undefined && commit[2] !== undefined) {
    state.error = undefined;
    builder.toolCall({ name: 'commit', input: commit[2], id: commit[1] });
    return;
  }
  const running = /^Running (.+)$/.exec(line);
  if (running?.[1] !== undefined && builder.lastRole() === 'assistant') {
    // What the command prints follows as `> ` lines and continues this call.
    state.error = builder.toolCall({ name: 'shell', input: running[1] });
    return;
  }
  if (/^(?:Add (?:\S+ tokens of )?command output|Added \d+ lines? of output)/.test(line)) return;
  if (ERROR_LINE.test(line)) {
    if (state.error !== undefined) {
      state.error.output =
        state.error.output === undefined ? line : `${state.error.output}\n${line}`;
      state.error.isError = true;
      return;
    }
    state.error = builder.toolCall({ name: 'aider', input: '', output: line, isError: true });
    return;
  }
  if (state.error !== undefined && line !== '') {
    state.error.output = state.error.output === undefined ? line : `${state.error.output}\n${line}`;
  }
}

/** Assistant prose without Aider's `<thinking-content-…>` sections. */
function assistantProse(lines: readonly string[]): string {
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('<thinking-content-')) {
      while (i < lines.length && !(lines[i] as string).startsWith('</thinking-content-')) i++;
      continue;
    }
    kept.push(line);
  }
  return kept.join('\n').trim();
}

/** Reads an Aider history file into one session per `# aider chat started at` line. */
function read(text: string, options: ReadOptions): ReadResult {
  const base = idFromSource(options.sourceName, 'aider');
  const finished: Session[] = [];
  let state = newState(undefined);
  let userLines: string[] = [];
  let replyLines: string[] = [];

  const flushUser = (): void => {
    if (userLines.length === 0) return;
    addUserBlock(state, userLines);
    userLines = [];
  };
  const flushReply = (): void => {
    if (replyLines.length === 0) return;
    const prose = assistantProse(replyLines);
    replyLines = [];
    if (prose === '' || state.builder.length === 0) return;
    state.error = undefined;
    state.builder.assistantText(prose);
  };
  const finishSession = (): void => {
    flushUser();
    flushReply();
    const session = state.builder.build({
      id: state.startedAt === undefined ? base : `${base}@${state.startedAt}`,
      format: 'aider',
      startedAt: state.startedAt,
      setup: state.setup,
    });
    if (session.turns.length > 0) finished.push(session);
  };

  for (const raw of splitLines(text)) {
    if (raw.startsWith(SESSION_START)) {
      finishSession();
      const stamp = raw.slice(SESSION_START.length).trim();
      const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)/.exec(stamp);
      state = newState(m === null ? undefined : `${m[1]}T${m[2]}`);
      continue;
    }
    const line = raw.trimEnd();
    if (line === '####' || line.startsWith('#### ')) {
      flushReply();
      state.error = undefined;
      userLines.push(line.slice(5));
      continue;
    }
    flushUser();
    if (line === '>' || line.startsWith('> ')) {
      flushReply();
      addHarnessLine(state, line.slice(2).trim());
      continue;
    }
    if (line === '' && replyLines.length === 0) continue;
    replyLines.push(raw);
  }
  finishSession();
  return { sessions: finished };
}

/** How sure we are that `sample` is an Aider chat history. */
function detect(sample: string): number {
  if (sample.includes(SESSION_START)) return 0.97;
  const userLines = (sample.match(/^#### \S/gm) ?? []).length;
  const harness = /^> (?:Aider v|Applied edit to |Tokens: )/m.test(sample);
  if (userLines > 0 && harness) return 0.8;
  return 0;
}

/** The Aider chat history reader. */
export const aiderReader: TranscriptReader = { format: 'aider', detect, read };
