/**
 * Helpers the transcript readers share: a session builder that numbers turns and pairs
 * tool results, line splitting, narrowing of untrusted JSON values, and the rules that
 * recognise text injected by harnesses (ours included) so it never becomes a user turn.
 *
 * Readers narrow parsed JSON with the small guards below instead of zod: they run once
 * per record on files of 100 MB and more, and only a handful of fields are ever read.
 * @module
 */
import type { Session, ToolCall, TranscriptFormat, Turn, UserTurnKind } from '../model/session.js';

/** The marker our own hook output carries; text containing it is never learned from. */
export const INJECTED_MARKER = 'attune-learning:injected';

/** True when `text` is context we injected ourselves (marker or learned-patterns block). */
export function isOwnInjectedText(text: string): boolean {
  return text.includes(INJECTED_MARKER) || text.trimStart().startsWith('## Learned Patterns');
}

/** A plain JSON object. */
export type JsonRecord = Record<string, unknown>;

/** Narrows `value` to a plain object. */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` when it is a string, else undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `value` when it is an array, else an empty one. */
export function arr(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Parses one JSON value; undefined when it is not valid JSON. */
export function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Splits text into lines (LF or CRLF) in one linear pass. A trailing newline does not
 * produce an empty last line.
 */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
  }
  return lines;
}

/** Removes a leading byte-order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Compact text for a tool input: strings as they are, anything else as JSON. */
export function inputText(input: unknown): string {
  if (typeof input === 'string') return input;
  if (input === undefined || input === null) return '';
  if (isRecord(input)) {
    const command = input.command ?? input.cmd;
    if (typeof command === 'string') return command;
    if (Array.isArray(command) && command.every((c) => typeof c === 'string')) {
      return command.join(' ');
    }
  }
  try {
    return JSON.stringify(input);
  } catch {
    return '';
  }
}

/**
 * Finds an exit code stated near the start of tool output: `Exit code: 1`, `Exit code 1`,
 * `Process exited with code 1`. Looks only at the first 400 characters.
 */
export function parseExitCode(output: string): number | undefined {
  const head = output.slice(0, 400);
  const match = /(?:^|\n)\s*(?:Exit code:?|Process exited with code) (-?\d{1,4})\b/.exec(head);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Joins the `text` of text-like content blocks (`text`, `input_text`, `output_text`). */
export function blockText(content: unknown): string {
  if (typeof content === 'string') return content;
  const parts: string[] = [];
  for (const block of arr(content)) {
    if (typeof block === 'string') parts.push(block);
    else if (isRecord(block) && typeof block.text === 'string') parts.push(block.text);
  }
  return parts.join('\n');
}

/** The last path segment of a file name, without directories. */
export function baseName(name: string): string {
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  return slash >= 0 ? name.slice(slash + 1) : name;
}

/** A session id from the file name when the transcript has none. */
export function idFromSource(sourceName: string | undefined, fallback: string): string {
  if (sourceName === undefined || sourceName === '') return fallback;
  const base = baseName(sourceName);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

interface TurnDraft {
  role: 'user' | 'assistant';
  parts: string[];
  kind?: UserTurnKind;
  toolCalls: ToolCall[];
  timestamp?: string;
  seen?: Set<string>;
}

/**
 * Collects turns in order. Assistant text and tool calls go into the current assistant
 * turn (a new one starts after any user turn), so consecutive assistant records become one
 * reply. Tool calls with ids can be looked up to attach their results.
 */
export class SessionBuilder {
  private readonly drafts: TurnDraft[] = [];
  private readonly callsById = new Map<string, ToolCall>();
  skipped = 0;
  injectedDropped = 0;
  truncated = false;

  /** Number of turns so far. */
  get length(): number {
    return this.drafts.length;
  }

  /** Adds a user turn. Empty prompts are ignored; interrupts may be empty. */
  user(text: string, kind: UserTurnKind = 'prompt', timestamp?: string): void {
    const trimmed = text.trim();
    if (trimmed === '' && kind !== 'interrupt' && kind !== 'rejection') return;
    const draft: TurnDraft = { role: 'user', parts: [trimmed], toolCalls: [] };
    if (kind !== 'prompt') draft.kind = kind;
    if (timestamp !== undefined) draft.timestamp = timestamp;
    this.drafts.push(draft);
  }

  /** The current assistant turn, started if the last turn is not one. */
  private assistant(timestamp: string | undefined): TurnDraft {
    const last = this.drafts[this.drafts.length - 1];
    if (last !== undefined && last.role === 'assistant') return last;
    const draft: TurnDraft = { role: 'assistant', parts: [], toolCalls: [] };
    if (timestamp !== undefined) draft.timestamp = timestamp;
    this.drafts.push(draft);
    return draft;
  }

  /**
   * Appends prose to the current assistant reply. With `dedupe`, text identical to a part
   * already in this reply is left out (formats that log the same message twice).
   */
  assistantText(text: string, timestamp?: string, dedupe = false): void {
    const trimmed = text.trim();
    if (trimmed === '') return;
    const draft = this.assistant(timestamp);
    if (dedupe) {
      draft.seen ??= new Set(draft.parts);
      if (draft.seen.has(trimmed)) return;
      draft.seen.add(trimmed);
    }
    draft.parts.push(trimmed);
  }

  /** Adds a tool call to the current assistant reply and returns it for later results. */
  toolCall(call: ToolCall, timestamp?: string): ToolCall {
    const draft = this.assistant(timestamp);
    draft.toolCalls.push(call);
    if (call.id !== undefined) this.callsById.set(call.id, call);
    return call;
  }

  /** The tool call with this id, if one was added. */
  findCall(id: string): ToolCall | undefined {
    return this.callsById.get(id);
  }

  /** The text of the last turn when it is an assistant turn, else ''. */
  lastAssistantText(): string {
    const last = this.drafts[this.drafts.length - 1];
    return last?.role === 'assistant' ? last.parts.join('\n\n') : '';
  }

  /** The role of the last turn. */
  lastRole(): 'user' | 'assistant' | undefined {
    return this.drafts[this.drafts.length - 1]?.role;
  }

  /** The tool calls of the last turn when it is an assistant turn. */
  lastToolCalls(): ToolCall[] {
    const last = this.drafts[this.drafts.length - 1];
    return last?.role === 'assistant' ? last.toolCalls : [];
  }

  /** Drops every turn from `length` on (used by rollbacks). */
  truncateTo(length: number): void {
    if (length < this.drafts.length) this.drafts.length = Math.max(0, length);
  }

  /** The finished session. */
  build(meta: {
    id: string;
    format: TranscriptFormat;
    cwd?: string | undefined;
    title?: string | undefined;
    startedAt?: string | undefined;
    setup?: readonly string[] | undefined;
  }): Session {
    const turns: Turn[] = [];
    for (const draft of this.drafts) {
      const text = draft.parts.join('\n\n');
      if (draft.role === 'assistant' && text === '' && draft.toolCalls.length === 0) continue;
      const turn: Turn = {
        index: turns.length,
        role: draft.role,
        text,
        toolCalls: draft.toolCalls,
      };
      if (draft.kind !== undefined) turn.kind = draft.kind;
      if (draft.timestamp !== undefined) turn.timestamp = draft.timestamp;
      turns.push(turn);
    }
    const session: Session = {
      id: meta.id,
      format: meta.format,
      turns,
      skipped: this.skipped,
      injectedDropped: this.injectedDropped,
    };
    if (meta.cwd !== undefined) session.cwd = meta.cwd;
    if (meta.title !== undefined) session.title = meta.title;
    if (meta.startedAt !== undefined) session.startedAt = meta.startedAt;
    if (meta.setup !== undefined && meta.setup.length > 0) session.setup = [...meta.setup];
    if (this.truncated) session.truncated = true;
    return session;
  }
}

/**
 * Reads JSON Lines: calls `onRecord` for each parsed line. Lines that are not JSON are
 * counted in `builder.skipped`; an unparsable last line with no newline after it marks the
 * file truncated instead.
 */
export function forEachJsonLine(
  text: string,
  builder: SessionBuilder,
  onRecord: (record: unknown, lineIndex: number) => void,
): void {
  const endsWithNewline = text.endsWith('\n');
  let start = 0;
  let lineIndex = 0;
  const length = text.length;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = length;
    let line = text.slice(start, end);
    const isLast = end >= length || (end === length - 1 && endsWithNewline);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') {
      lineIndex++;
      continue;
    }
    const parsed = tryParseJson(line);
    if (parsed.ok) onRecord(parsed.value, lineIndex);
    else if (isLast && !endsWithNewline) builder.truncated = true;
    else builder.skipped++;
    lineIndex++;
  }
}

/**
 * Cuts the spans `<tag ...>…</tag>` of the given tag names out of `text` in a linear scan.
 * Returns the remaining text and how many spans were removed.
 */
export function stripTaggedSpans(
  text: string,
  tags: readonly string[],
): { text: string; removed: number } {
  if (!text.includes('<')) return { text, removed: 0 };
  let result = text;
  let removed = 0;
  for (const tag of tags) {
    const open = `<${tag}`;
    if (!result.includes(open)) continue;
    const close = `</${tag}>`;
    let out = '';
    let pos = 0;
    for (;;) {
      const at = result.indexOf(open, pos);
      if (at === -1) break;
      const after = result.charAt(at + open.length);
      if (after !== '>' && after !== ' ' && after !== '\n') {
        out += result.slice(pos, at + open.length);
        pos = at + open.length;
        continue;
      }
      const end = result.indexOf(close, at);
      out += result.slice(pos, at);
      removed++;
      if (end === -1) {
        pos = result.length;
        break;
      }
      pos = end + close.length;
    }
    result = out + result.slice(pos);
  }
  return { text: result, removed };
}
