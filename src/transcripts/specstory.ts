/**
 * Reader for SpecStory markdown exports (`.specstory/history/*.md`), all five header
 * generations (A–E in FORMATS.md).
 *
 * Turns start at italic-bold header lines (`_**User**_`, `_**Assistant (...)**_`,
 * `_**Agent (...)**_`); consecutive agent blocks merge into one reply. Tool activity
 * (`<tool-use>` elements, and the older `<details>` blocks and `Read file:` lines) becomes
 * tool calls; reasoning (`<think>`) is left out. IDE pseudo-turns (`@agent Try Again`,
 * `@agent Continue…`) and sub-agent (`- sidechain`) blocks are dropped.
 * @module
 */

import type { ToolCall } from '../model/session.js';
import {
  idFromSource,
  isOwnInjectedText,
  parseExitCode,
  SessionBuilder,
  splitLines,
} from './shared.js';
import type { ReadOptions, ReadResult, TranscriptReader } from './types.js';

/** The turn-header regex from FORMATS.md 1.2. */
const HEADER = /^_\*\*(User|Assistant|Agent)( - sidechain)?(?: \(([^)]*)\))?\*\*_\s*$/;
const SESSION_COMMENT = /^<!--\s*(.+?) Session (\S+) \(([^)]*)\)\s*-->\s*$/;
const TITLE_WITH_TIME = /^#{1,2} (.*) \(([^)]*)\)\s*$/;
const CLI_TITLE = /^# (\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z?)\s*$/;
const TIMESTAMP = /(\d{4}-\d\d-\d\d)[ T_](\d\d)[:-](\d\d)(?:[:-](\d\d)(\.\d+)?)?Z?/;

const US_TIMESTAMP = /(\d{1,2})\/(\d{1,2})\/(\d{4}),? (\d{1,2}):(\d\d)(?::(\d\d))? ?(AM|PM)?/;

/** `12/7/2024, 9:57:09 PM` (layout A) as local ISO 8601 without a zone. */
function usTimestamp(text: string): string | undefined {
  const m = US_TIMESTAMP.exec(text);
  if (m === null) return undefined;
  let hour = Number(m[4]);
  if (m[7] === 'PM' && hour < 12) hour += 12;
  if (m[7] === 'AM' && hour === 12) hour = 0;
  const pad = (v: string | number | undefined): string => String(v ?? '00').padStart(2, '0');
  return `${m[3]}-${pad(m[1])}-${pad(m[2])}T${pad(hour)}:${pad(m[5])}:${pad(m[6])}`;
}

/** ISO 8601 from the timestamp forms SpecStory writes, when `text` holds one. */
function isoTimestamp(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const m = TIMESTAMP.exec(text);
  if (m === null) return usTimestamp(text);
  const zoned = /Z\b|Z$/.test(text.slice(m.index, m.index + m[0].length + 1));
  const iso = `${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}${m[5] ?? ''}`;
  return zoned ? `${iso}Z` : iso;
}

interface Block {
  role: 'user' | 'assistant';
  sidechain: boolean;
  paren: string | undefined;
  lines: string[];
}

/** Drops trailing `---` separators and blank lines. */
function bodyText(lines: readonly string[]): string {
  let end = lines.length;
  while (end > 0) {
    const line = (lines[end - 1] as string).trim();
    if (line === '' || line === '---') end--;
    else break;
  }
  let start = 0;
  while (start < end && (lines[start] as string).trim() === '') start++;
  return lines.slice(start, end).join('\n');
}

function isRetryPseudoTurn(text: string): boolean {
  const t = text.trim();
  return t === '@agent Try Again' || t.startsWith('@agent Continue') || t.startsWith('@agent 继续');
}

/** Splits the body of a tool-use element into input and output. */
function toolUseCall(name: string, lines: readonly string[]): ToolCall {
  let i = 0;
  // Skip the <summary> line(s), keeping what follows its bullet ("• Run command: npm test").
  while (i < lines.length && !(lines[i] as string).includes('</summary>')) i++;
  const summary = /•\s*(.*?)\s*<\/summary>/.exec(lines[i] ?? '')?.[1];
  i++;
  const inputLines: string[] = [];
  const outputLines: string[] = [];
  let inOutput = false;
  let fences = 0;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    const trimmed = line.trim();
    if (!inOutput) {
      if (trimmed.startsWith('Result:') || trimmed.startsWith('**Result')) {
        inOutput = true;
        continue;
      }
      if (trimmed.startsWith('```')) {
        // A first fenced block with no prose before it is the input (e.g. a bash command).
        const proseBefore = inputLines.some((l) => l.trim() !== '');
        const shellFence = /^```(?:bash|sh|shell|zsh|powershell|console)\s*$/.test(trimmed);
        if (fences === 0 && ((!proseBefore && /^```\w/.test(trimmed)) || shellFence)) {
          fences++;
          i++;
          while (i < lines.length && !(lines[i] as string).trim().startsWith('```')) {
            inputLines.push(lines[i] as string);
            i++;
          }
          continue;
        }
        inOutput = true;
        continue;
      }
      inputLines.push(line);
    } else if (!trimmed.startsWith('```') && !trimmed.startsWith('Additional data:')) {
      outputLines.push(line);
    }
  }
  const call: ToolCall = {
    name,
    input: inputLines
      .map((l) => l.trim())
      .filter((l) => l !== '' && l !== '**Input:**')
      .join('\n'),
  };
  if (!call.input && summary)
    call.input = summary.replace(/^(?:Run command|Running command|Run|Command):\s*/i, '');
  const output = outputLines.join('\n').trim();
  if (output !== '') {
    call.output = output;
    const exitCode = parseExitCode(output);
    if (exitCode !== undefined) {
      call.exitCode = exitCode;
      if (exitCode !== 0) call.isError = true;
    } else if (/^(?:Error|error|ERROR)\b/.test(output)) {
      call.isError = true;
    }
  }
  return call;
}

/** Tool call for an older `<details><summary>Edit file: x</summary>` block. */
function detailsCall(summary: string, lines: readonly string[]): ToolCall {
  const clean = summary.replace(/\*\*/g, '').trim();
  const colon = clean.indexOf(':');
  const bullet = clean.indexOf('•');
  const cut = colon !== -1 ? colon : bullet;
  const name = (cut === -1 ? clean : clean.slice(0, cut)).trim();
  const input = (cut === -1 ? '' : clean.slice(cut + 1)).trim();
  const call: ToolCall = { name: name === '' ? 'details' : name, input };
  const output = lines.join('\n').trim();
  if (output !== '') call.output = output;
  return call;
}

function addAssistantBlock(builder: SessionBuilder, block: Block, timestamp?: string): boolean {
  const text: string[] = [];
  const lines = block.lines;
  let open = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const trimmed = line.trimStart();
    if (trimmed.startsWith('<think>')) {
      // Reasoning, not something the assistant said.
      while (i < lines.length && !(lines[i] as string).includes('</think>')) i++;
      if (i >= lines.length) open = true;
      continue;
    }
    if (trimmed.startsWith('<tool-use')) {
      const name = /data-tool-name="([^"]*)"/.exec(trimmed)?.[1] ?? 'unknown';
      const body: string[] = [];
      let closed = false;
      for (; i < lines.length; i++) {
        const l = lines[i] as string;
        if (l.includes('</tool-use>')) {
          closed = true;
          break;
        }
        body.push(l);
      }
      if (!closed) open = true;
      flushText(builder, text, timestamp);
      const call = builder.toolCall(toolUseCall(name, body), timestamp);
      // CLI exports sometimes print the result as a bare fence right after the element.
      let j = i + 1;
      while (j < lines.length && (lines[j] as string).trim() === '') j++;
      if (closed && call.output === undefined && (lines[j] as string | undefined) === '```') {
        const output: string[] = [];
        for (j++; j < lines.length && (lines[j] as string).trim() !== '```'; j++) {
          output.push(lines[j] as string);
        }
        call.output = output.join('\n').trim();
        i = j;
      }
      continue;
    }
    if (trimmed.startsWith('<details')) {
      const summaryMatch = /<summary>(.*?)<\/summary>/.exec(trimmed);
      let summary = summaryMatch?.[1];
      const body: string[] = [];
      let closed = trimmed.includes('</details>');
      for (i++; !closed && i < lines.length; i++) {
        const l = lines[i] as string;
        if (summary === undefined) {
          const m = /<summary>(.*?)<\/summary>/.exec(l);
          if (m !== null) {
            summary = m[1] ?? '';
            continue;
          }
        }
        if (l.includes('</details>')) {
          closed = true;
          break;
        }
        body.push(l);
      }
      if (!closed) open = true;
      flushText(builder, text, timestamp);
      builder.toolCall(detailsCall(summary ?? '', body), timestamp);
      continue;
    }
    // Older Cursor exports print a terminal run as a shell fence (the command) and, right after
    // it, a bare fence (what the terminal showed). A shell fence with prose after it is only a
    // suggestion, and stays text.
    const run = SHELL_FENCE.test(trimmed) ? terminalRun(lines, i) : undefined;
    if (run) {
      flushText(builder, text, timestamp);
      builder.toolCall(run.call, timestamp);
      i = run.end;
      continue;
    }
    if (line.startsWith('Read file: ')) {
      flushText(builder, text, timestamp);
      builder.toolCall({ name: 'Read file', input: line.slice(11).trim() }, timestamp);
      continue;
    }
    text.push(line);
  }
  flushText(builder, text, timestamp);
  return open;
}

/** A shell prompt: "PS C:\\repo> ", "host:repo user$ ". */
const PROMPT = /^(?:PS [A-Za-z]:\\[^>]*>|[\w.@-]+:\S*(?: [\w.-]+)?[$#])\s*/;
const SHELL_FENCE = /^```(?:bash|sh|shell|zsh|powershell|pwsh|console|cmd)\s*$/;

/**
 * A shell fence at `start` followed, with only blank lines between, by a bare fence: one
 * terminal run. The output loses the prompt line that echoes the command.
 */
function terminalRun(
  lines: readonly string[],
  start: number,
): { call: ToolCall; end: number } | undefined {
  let i = start + 1;
  const command: string[] = [];
  for (; i < lines.length && !(lines[i] as string).trim().startsWith('```'); i++)
    command.push(lines[i] as string);
  if (i >= lines.length) return undefined;
  let j = i + 1;
  while (j < lines.length && (lines[j] as string).trim() === '') j++;
  if ((lines[j] as string | undefined)?.trim() !== '```') return undefined;
  const output: string[] = [];
  for (j++; j < lines.length && (lines[j] as string).trim() !== '```'; j++)
    output.push(lines[j] as string);
  if (j >= lines.length) return undefined;
  const input = command
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n');
  if (!input) return undefined;
  // "PS C:\\repo> cmd", "user:repo user$ cmd": the prompt and the echoed command.
  const commands = new Set(command.map((l) => l.trim()));
  const shown = output.filter((l) => {
    const prompt = PROMPT.exec(l);
    if (!prompt) return true;
    const rest = l.slice(prompt[0].length).trim();
    return rest !== '' && !commands.has(rest);
  });
  const call: ToolCall = { name: 'run_terminal_cmd', input };
  const out = shown.join('\n').trim();
  if (out) call.output = out;
  return { call, end: j };
}

function flushText(builder: SessionBuilder, text: string[], timestamp?: string): void {
  if (text.length === 0) return;
  builder.assistantText(bodyText(text), timestamp);
  text.length = 0;
}

/** Reads a SpecStory export into one session. */
function read(text: string, options: ReadOptions): ReadResult {
  const builder = new SessionBuilder();
  const lines = splitLines(text);
  let sessionId: string | undefined;
  let title: string | undefined;
  let startedAt: string | undefined;
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (const line of lines) {
    if (line.startsWith('_**')) {
      const m = HEADER.exec(line);
      if (m !== null) {
        current = {
          role: m[1] === 'User' ? 'user' : 'assistant',
          sidechain: m[2] !== undefined,
          paren: m[3],
          lines: [],
        };
        blocks.push(current);
        continue;
      }
    }
    if (current !== undefined) {
      current.lines.push(line);
      continue;
    }
    // Header lines before the first turn; long lines cannot be headers.
    if (line.length > 2000) continue;
    const session = SESSION_COMMENT.exec(line);
    if (session !== null) {
      sessionId ??= session[2];
      startedAt ??= isoTimestamp(session[3]);
      continue;
    }
    const cli = CLI_TITLE.exec(line);
    if (cli !== null) {
      startedAt ??= isoTimestamp(cli[1]);
      continue;
    }
    const titled = TITLE_WITH_TIME.exec(line);
    if (titled !== null && titled[1] !== 'SpecStory') {
      title ??= titled[1];
      startedAt ??= isoTimestamp(titled[2]);
      continue;
    }
    if (line.startsWith('# ') && title === undefined) title = line.slice(2).trim();
  }

  for (const block of blocks) {
    if (block.sidechain) continue;
    if (block.role === 'user') {
      const body = bodyText(block.lines);
      const timestamp = isoTimestamp(block.paren);
      if (body.trim() === '') continue;
      if (isRetryPseudoTurn(body) || isOwnInjectedText(body)) {
        builder.injectedDropped++;
      } else if (body.trim().startsWith('[Request interrupted by user')) {
        builder.user('', 'interrupt', timestamp);
      } else {
        builder.user(body, 'prompt', timestamp);
      }
    } else if (addAssistantBlock(builder, block, isoTimestamp(block.paren))) {
      builder.truncated = true;
    }
  }

  return {
    sessions: [
      builder.build({
        id: sessionId ?? idFromSource(options.sourceName, 'specstory-session'),
        format: 'specstory',
        title,
        startedAt,
      }),
    ],
  };
}

/** How sure we are that `sample` is a SpecStory export. */
function detect(sample: string): number {
  const head = sample.trimStart().slice(0, 400);
  if (head.startsWith('<!-- Generated by SpecStory') || head.startsWith('## SpecStory'))
    return 0.99;
  if (/^_\*\*(?:User|Assistant|Agent)(?: \([^)\n]*\))?\*\*_\s*$/m.test(sample)) return 0.75;
  return 0;
}

/** The SpecStory markdown reader. */
export const specstoryReader: TranscriptReader = { format: 'specstory', detect, read };
