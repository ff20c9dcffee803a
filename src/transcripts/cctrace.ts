/**
 * Reader for cctrace markdown exports of Claude Code sessions (`conversation_full.md`).
 *
 * One block per JSONL record, each starting with a `**[YYYY-MM-DD HH:MM:SS]**` line and a
 * `### 👤 User` or `### 🤖 Assistant (<model>)` heading. Consecutive assistant blocks form
 * one reply; `🔧 **Tool Use: X** (ID: …)` blocks become tool calls and the `📊 **Tool
 * Result:**` user blocks that follow are paired with them in order. User text goes through
 * the same injected-text rules as Claude Code JSONL; the expanded body of a slash command,
 * which cctrace prints as a plain user block right after the command wrapper, is dropped.
 * @module
 */
import type { ToolCall } from '../model/session.js';
import { classifyClaudeToolResult, classifyClaudeUserText } from './claude-text.js';
import { idFromSource, parseExitCode, SessionBuilder, splitLines } from './shared.js';
import type { ReadOptions, ReadResult, TranscriptReader } from './types.js';

const STAMP = /^\*\*\[(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\]\*\*\s*$/;
const USER_HEADING = '### 👤 User';
const ASSISTANT_HEADING = '### 🤖 Assistant';
const TOOL_USE = /^🔧 \*\*Tool Use: (.+?)\*\*(?: \(ID: ([^)]+)\))?/;
const TOOL_RESULT = '📊 **Tool Result:**';

interface Block {
  role: 'user' | 'assistant';
  timestamp: string;
  lines: string[];
}

/** Lines between the first and the last fence line, or all lines if there is no fence. */
function fenced(lines: readonly string[]): string {
  let first = -1;
  let last = -1;
  for (let i = 0; i < lines.length; i++) {
    if ((lines[i] as string).startsWith('```')) {
      if (first === -1) first = i;
      last = i;
    }
  }
  if (first === -1) return lines.join('\n').trim();
  if (last === first) return lines.slice(first + 1).join('\n');
  return lines.slice(first + 1, last).join('\n');
}

function blockBody(lines: readonly string[]): string[] {
  let end = lines.length;
  while (end > 0) {
    const l = (lines[end - 1] as string).trim();
    if (l === '' || l === '---') end--;
    else break;
  }
  return lines.slice(0, end);
}

/** Reads one assistant block: prose, tool calls, reasoning left out. */
function addAssistant(builder: SessionBuilder, block: Block, pending: ToolCall[]): void {
  const lines = blockBody(block.lines);
  const prose: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('<details>')) {
      const next = lines[i + 1] ?? '';
      if (line.includes('Internal Reasoning') || next.includes('Internal Reasoning')) {
        while (i < lines.length && !(lines[i] as string).startsWith('</details>')) i++;
        continue;
      }
    }
    const tool = TOOL_USE.exec(line);
    if (tool !== null) {
      const inputLines: string[] = [];
      let j = i + 1;
      while (j < lines.length && (lines[j] as string).trim() === '') j++;
      if (j < lines.length && (lines[j] as string).startsWith('```')) {
        for (j++; j < lines.length && !(lines[j] as string).startsWith('```'); j++) {
          inputLines.push(lines[j] as string);
        }
        i = j;
      }
      const call: ToolCall = { name: tool[1] ?? 'unknown', input: inputLines.join('\n').trim() };
      if (tool[2] !== undefined) call.id = tool[2];
      pending.push(builder.toolCall(call, block.timestamp));
      continue;
    }
    prose.push(line);
  }
  builder.assistantText(prose.join('\n'), block.timestamp);
}

/** Reads a cctrace export into one session. */
function read(text: string, options: ReadOptions): ReadResult {
  const builder = new SessionBuilder();
  const lines = splitLines(text);
  let sessionId: string | undefined;
  let cwd: string | undefined;
  let startedAt: string | undefined;
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('**[')) {
      const stamp = STAMP.exec(line);
      if (stamp !== null) {
        let j = i + 1;
        while (j < lines.length && (lines[j] as string).trim() === '') j++;
        const heading = lines[j] ?? '';
        const role = heading.startsWith(USER_HEADING)
          ? 'user'
          : heading.startsWith(ASSISTANT_HEADING)
            ? 'assistant'
            : undefined;
        if (role !== undefined) {
          current = { role, timestamp: `${stamp[1]}T${stamp[2]}Z`, lines: [] };
          blocks.push(current);
          i = j;
          continue;
        }
      }
    }
    if (current !== undefined) {
      current.lines.push(line);
      continue;
    }
    if (line.startsWith('**Session ID:**')) sessionId = line.slice(15).replace(/`/g, '').trim();
    else if (line.startsWith('**Project:**')) cwd = line.slice(12).replace(/`/g, '').trim();
    else if (line.startsWith('**Start Time:**')) startedAt = line.slice(15).trim();
  }
  const last = blocks[blocks.length - 1];
  if (last !== undefined && !last.lines.some((l) => l.trim() === '---')) builder.truncated = true;

  /** Tool calls of the current reply still waiting for their result, in order. */
  let pending: ToolCall[] = [];
  let afterCommand = false;
  for (const block of blocks) {
    if (block.role === 'assistant') {
      if (builder.lastRole() !== 'assistant') pending = [];
      addAssistant(builder, block, pending);
      afterCommand = false;
      continue;
    }
    const lines = blockBody(block.lines);
    const resultAt = lines.findIndex((l) => l.startsWith(TOOL_RESULT));
    if (resultAt !== -1) {
      const output = fenced(lines.slice(resultAt + 1));
      const call = pending.shift();
      const human = classifyClaudeToolResult(output);
      if (call !== undefined) {
        call.output = output;
        const exitCode = parseExitCode(output);
        if (exitCode !== undefined) call.exitCode = exitCode;
        if (human.kind === 'rejection' || (exitCode ?? 0) !== 0) call.isError = true;
      }
      if (human.kind === 'answer') builder.user(human.text, 'answer', block.timestamp);
      else if (human.kind === 'rejection') builder.user(human.reason, 'rejection', block.timestamp);
      continue;
    }
    const classified = classifyClaudeUserText(lines.join('\n'));
    const wasAfterCommand = afterCommand;
    afterCommand = false;
    switch (classified.kind) {
      case 'prompt':
        if (wasAfterCommand) builder.injectedDropped++;
        else builder.user(classified.text, 'prompt', block.timestamp);
        break;
      case 'interrupt':
        builder.user('', 'interrupt', block.timestamp);
        break;
      case 'command':
        if (classified.args !== '') builder.user(classified.args, 'prompt', block.timestamp);
        else builder.injectedDropped++;
        afterCommand = true;
        break;
      case 'injected':
        builder.injectedDropped++;
        break;
    }
  }
  return {
    sessions: [
      builder.build({
        id: sessionId ?? idFromSource(options.sourceName, 'cctrace-session'),
        format: 'cctrace',
        cwd,
        startedAt,
      }),
    ],
  };
}

/** How sure we are that `sample` is a cctrace markdown export. */
function detect(sample: string): number {
  if (sample.trimStart().startsWith('# Claude Code Session Export')) return 0.99;
  if (sample.includes(USER_HEADING) && sample.includes(ASSISTANT_HEADING)) return 0.7;
  return 0;
}

/** The cctrace markdown export reader. */
export const cctraceReader: TranscriptReader = { format: 'cctrace', detect, read };
