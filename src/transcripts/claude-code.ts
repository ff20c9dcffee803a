/**
 * Reader for Claude Code session JSONL (`~/.claude/projects/<cwd>/<session>.jsonl`).
 *
 * The active thread is rebuilt by walking `parentUuid` back from the last record, so
 * branches left by rewinds and edits are dropped. Tool results of parallel tool calls hang
 * off sibling records; they are kept when their `tool_use_id` belongs to a call on the
 * active thread. Sub-agent (`isSidechain`) records, meta records, attachments and injected
 * text are dropped; interrupts, AskUserQuestion answers and rejected tool calls become user
 * turns of kind `interrupt`, `answer` and `rejection`.
 * @module
 */
import { classifyClaudeToolResult, classifyClaudeUserText } from './claude-text.js';
import {
  arr,
  blockText,
  forEachJsonLine,
  idFromSource,
  inputText,
  isRecord,
  type JsonRecord,
  parseExitCode,
  SessionBuilder,
  str,
} from './shared.js';
import type { ReadOptions, ReadResult, TranscriptReader } from './types.js';

const KNOWN_TYPES = new Set([
  'user',
  'assistant',
  'system',
  'attachment',
  'summary',
  'file-history-snapshot',
  'queue-operation',
  'progress',
]);

/** One record of the file, reduced to what the reader needs. */
interface Entry {
  order: number;
  type: string;
  uuid: string | undefined;
  parent: string | undefined;
  sidechain: boolean;
  meta: boolean;
  compactSummary: boolean;
  timestamp: string | undefined;
  content: unknown;
  answers: JsonRecord | undefined;
}

function toEntry(record: JsonRecord, order: number): Entry {
  const message = isRecord(record.message) ? record.message : undefined;
  const parent = str(record.parentUuid) ?? str(record.logicalParentUuid);
  const toolUseResult = isRecord(record.toolUseResult) ? record.toolUseResult : undefined;
  return {
    order,
    type: str(record.type) ?? '',
    uuid: str(record.uuid),
    parent,
    sidechain: record.isSidechain === true,
    meta: record.isMeta === true,
    compactSummary: record.isCompactSummary === true,
    timestamp: str(record.timestamp),
    content: message?.content,
    answers:
      toolUseResult !== undefined && isRecord(toolUseResult.answers)
        ? toolUseResult.answers
        : undefined,
  };
}

/** Marks the entries on the thread that ends at the last main-thread record. */
function activeThread(entries: readonly Entry[]): Set<Entry> {
  const threaded = entries.filter((e) => e.uuid !== undefined && !e.sidechain);
  const byId = new Map<string, Entry>();
  const position = new Map<Entry, number>();
  threaded.forEach((e, i) => {
    byId.set(e.uuid as string, e);
    position.set(e, i);
  });
  const active = new Set<Entry>();
  let current: Entry | undefined = threaded[threaded.length - 1];
  while (current !== undefined && !active.has(current)) {
    active.add(current);
    const parent: Entry | undefined =
      current.parent === undefined ? undefined : byId.get(current.parent);
    if (parent !== undefined) {
      current = parent;
    } else {
      // No parent in the file: a root after compaction, a lost line, or an export that
      // drops parent links. Rewinds always attach to an earlier record, so carry on with
      // the record written just before rather than losing the start of the session.
      const at: number = position.get(current) ?? 0;
      current = at > 0 ? threaded[at - 1] : undefined;
    }
  }
  // Parallel tool calls: each result is a child of its own tool_use record, so all but
  // one hang off the thread. Keep results whose call is on the thread.
  const activeCalls = new Set<string>();
  for (const e of active) {
    if (e.type !== 'assistant') continue;
    for (const block of arr(e.content)) {
      if (isRecord(block) && block.type === 'tool_use' && typeof block.id === 'string') {
        activeCalls.add(block.id);
      }
    }
  }
  for (const e of threaded) {
    if (active.has(e) || e.type !== 'user' || !Array.isArray(e.content)) continue;
    const results = e.content.filter((b) => isRecord(b) && b.type === 'tool_result');
    if (
      results.length > 0 &&
      results.every((b) => isRecord(b) && activeCalls.has(str(b.tool_use_id) ?? ''))
    ) {
      active.add(e);
    }
  }
  return active;
}

function addUserText(builder: SessionBuilder, raw: string, timestamp: string | undefined): void {
  const classified = classifyClaudeUserText(raw);
  switch (classified.kind) {
    case 'prompt':
      builder.user(classified.text, 'prompt', timestamp);
      return;
    case 'interrupt':
      builder.user('', 'interrupt', timestamp);
      return;
    case 'command':
      if (classified.args !== '') builder.user(classified.args, 'prompt', timestamp);
      else builder.injectedDropped++;
      return;
    case 'injected':
      builder.injectedDropped++;
      return;
  }
}

function addToolResult(builder: SessionBuilder, block: JsonRecord, entry: Entry): void {
  const id = str(block.tool_use_id);
  const output = blockText(block.content);
  const call = id === undefined ? undefined : builder.findCall(id);
  const human = classifyClaudeToolResult(output, entry.answers);
  if (call !== undefined) {
    call.output = output;
    const exitCode = parseExitCode(output);
    if (exitCode !== undefined) call.exitCode = exitCode;
    if (block.is_error === true || human.kind === 'rejection' || (exitCode ?? 0) !== 0) {
      call.isError = true;
    }
  }
  if (human.kind === 'answer') builder.user(human.text, 'answer', entry.timestamp);
  else if (human.kind === 'rejection') builder.user(human.reason, 'rejection', entry.timestamp);
}

function addUser(builder: SessionBuilder, entry: Entry): void {
  if (entry.meta || entry.compactSummary) {
    builder.injectedDropped++;
    return;
  }
  if (typeof entry.content === 'string') {
    addUserText(builder, entry.content, entry.timestamp);
    return;
  }
  if (!Array.isArray(entry.content)) {
    builder.skipped++;
    return;
  }
  for (const block of entry.content) {
    if (!isRecord(block)) continue;
    if (block.type === 'tool_result') addToolResult(builder, block, entry);
    else if (block.type === 'text' && typeof block.text === 'string') {
      addUserText(builder, block.text, entry.timestamp);
    }
  }
}

function addAssistant(builder: SessionBuilder, entry: Entry): void {
  if (typeof entry.content === 'string') {
    builder.assistantText(entry.content, entry.timestamp);
    return;
  }
  for (const block of arr(entry.content)) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') {
      builder.assistantText(block.text, entry.timestamp);
    } else if (block.type === 'tool_use') {
      const id = str(block.id);
      builder.toolCall(
        {
          name: str(block.name) ?? 'unknown',
          input: inputText(block.input),
          ...(id === undefined ? {} : { id }),
        },
        entry.timestamp,
      );
    }
  }
}

/** Reads Claude Code JSONL into one session. */
function read(text: string, options: ReadOptions): ReadResult {
  const builder = new SessionBuilder();
  const entries: Entry[] = [];
  let sessionId: string | undefined;
  let cwd: string | undefined;
  let title: string | undefined;
  let startedAt: string | undefined;
  forEachJsonLine(text, builder, (record) => {
    if (!isRecord(record)) {
      builder.skipped++;
      return;
    }
    const type = str(record.type);
    if (type === 'summary') title ??= str(record.summary);
    else if (type === 'custom-title') title = str(record.customTitle) ?? title;
    else if (type === 'ai-title') title ??= str(record.aiTitle) ?? str(record.title);
    if (type === undefined || record.isSidechain === true) {
      if (type === undefined) builder.skipped++;
      return;
    }
    if (!KNOWN_TYPES.has(type) && record.uuid === undefined) return;
    if (type === 'user' || type === 'assistant') {
      sessionId ??= str(record.sessionId);
      cwd ??= str(record.cwd);
      startedAt ??= str(record.timestamp);
    }
    entries.push(toEntry(record, entries.length));
  });
  const active = activeThread(entries);
  for (const entry of entries) {
    if (!active.has(entry)) continue;
    if (entry.type === 'user') addUser(builder, entry);
    else if (entry.type === 'assistant') addAssistant(builder, entry);
    else if (entry.type === 'attachment') builder.injectedDropped++;
  }
  return {
    sessions: [
      builder.build({
        id: sessionId ?? idFromSource(options.sourceName, 'claude-code-session'),
        format: 'claude-code',
        cwd,
        title,
        startedAt,
      }),
    ],
  };
}

/** How sure we are that `sample` is Claude Code JSONL. */
function detect(sample: string): number {
  const first = sample.trimStart();
  if (!first.startsWith('{')) return 0;
  const line = first.slice(0, first.indexOf('\n') === -1 ? first.length : first.indexOf('\n'));
  if (line.includes('"payload"') && line.includes('"timestamp"')) return 0;
  const hasThread = sample.includes('"parentUuid"') || sample.includes('"leafUuid"');
  const hasSession = sample.includes('"sessionId"');
  if (hasThread && hasSession) return 0.95;
  if (hasThread || (hasSession && sample.includes('"type":"user"'))) return 0.7;
  return 0;
}

/** The Claude Code JSONL reader. */
export const claudeCodeReader: TranscriptReader = { format: 'claude-code', detect, read };
