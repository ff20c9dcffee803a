/**
 * Reader for OpenAI-style chat message arrays: a JSON array of
 * `{role, content, tool_calls, tool_call_id}`, an object `{messages: [...]}`, or the same
 * messages one per line (JSONL). System and developer messages are dropped; content may be
 * a string or an array of parts. Tool messages are paired with the assistant's
 * `tool_calls` by id (legacy `function_call` / role `function` too).
 * @module
 */
import { z } from 'zod';
import { scanJsonArray } from './json-scan.js';
import {
  blockText,
  forEachJsonLine,
  idFromSource,
  isOwnInjectedText,
  isRecord,
  parseExitCode,
  SessionBuilder,
  str,
  tryParseJson,
} from './shared.js';
import type { ReadOptions, ReadResult, TranscriptReader } from './types.js';

const ContentSchema = z.union([
  z.string(),
  z.array(z.union([z.string(), z.looseObject({ type: z.string().optional() })])),
  z.null(),
]);

const ToolCallSchema = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  function: z
    .looseObject({ name: z.string().optional(), arguments: z.unknown().optional() })
    .optional(),
});

const MessageSchema = z.looseObject({
  role: z.string(),
  content: ContentSchema.optional(),
  name: z.string().optional(),
  tool_calls: z.array(ToolCallSchema).nullish(),
  tool_call_id: z.string().optional(),
  function_call: z
    .looseObject({ name: z.string().optional(), arguments: z.unknown().optional() })
    .nullish(),
  timestamp: z.string().optional(),
  created_at: z.string().optional(),
});
type Message = z.infer<typeof MessageSchema>;

function argumentsText(args: unknown): string {
  if (typeof args === 'string') {
    const parsed = tryParseJson(args);
    if (parsed.ok && isRecord(parsed.value)) {
      const command = parsed.value.command ?? parsed.value.cmd;
      if (typeof command === 'string') return command;
    }
    return args;
  }
  if (args === undefined) return '';
  return JSON.stringify(args);
}

const ERROR_START = /^\s*(?:error|Error|ERROR)\b|^\s*\{\s*"error"/;

function addMessage(builder: SessionBuilder, message: Message, state: { lastLegacy?: string }) {
  const timestamp = message.timestamp ?? message.created_at;
  const text = blockText(message.content ?? '');
  switch (message.role) {
    case 'user':
    case 'human':
      if (isOwnInjectedText(text)) builder.injectedDropped++;
      else builder.user(text, 'prompt', timestamp);
      return;
    case 'assistant':
    case 'ai': {
      builder.assistantText(text, timestamp);
      for (const call of message.tool_calls ?? []) {
        builder.toolCall(
          {
            name: call.function?.name ?? call.type ?? 'unknown',
            input: argumentsText(call.function?.arguments),
            ...(call.id === undefined ? {} : { id: call.id }),
          },
          timestamp,
        );
      }
      if (message.function_call) {
        const id = `function:${builder.length}:${message.function_call.name ?? ''}`;
        state.lastLegacy = id;
        builder.toolCall(
          {
            name: message.function_call.name ?? 'unknown',
            input: argumentsText(message.function_call.arguments),
            id,
          },
          timestamp,
        );
      }
      return;
    }
    case 'tool':
    case 'function': {
      const id = message.tool_call_id ?? state.lastLegacy;
      const call = id === undefined ? undefined : builder.findCall(id);
      if (call === undefined) return;
      call.output = text;
      const exitCode = parseExitCode(text);
      if (exitCode !== undefined) call.exitCode = exitCode;
      if ((exitCode ?? 0) !== 0 || ERROR_START.test(text.slice(0, 200))) call.isError = true;
      return;
    }
    default:
      // system, developer and unknown roles carry no conversation turns.
      return;
  }
}

/** Reads an OpenAI-style message list into one session. */
function read(text: string, options: ReadOptions): ReadResult {
  const builder = new SessionBuilder();
  const state: { lastLegacy?: string } = {};
  let sessionId: string | undefined;
  const onValue = (value: unknown): void => {
    const parsed = MessageSchema.safeParse(value);
    if (parsed.success) addMessage(builder, parsed.data, state);
    else builder.skipped++;
  };
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    const scan = scanJsonArray(trimmed, onValue);
    builder.skipped += scan.skipped;
    if (scan.truncated) builder.truncated = true;
  } else {
    const whole = tryParseJson(trimmed);
    if (whole.ok && isRecord(whole.value) && Array.isArray(whole.value.messages)) {
      sessionId = str(whole.value.id) ?? str(whole.value.session_id);
      for (const message of whole.value.messages) onValue(message);
    } else if (!whole.ok && trimmed.startsWith('{') && trimmed.includes('"messages"')) {
      // A damaged or cut wrapper object: still read the messages array element by element.
      const key = trimmed.indexOf('"messages"');
      const scan = scanJsonArray(trimmed.slice(trimmed.indexOf('[', key)), onValue);
      builder.skipped += scan.skipped;
      if (scan.truncated) builder.truncated = true;
    } else {
      forEachJsonLine(text, builder, onValue);
    }
  }
  return {
    sessions: [
      builder.build({
        id: sessionId ?? idFromSource(options.sourceName, 'openai-session'),
        format: 'openai',
      }),
    ],
  };
}

/** How sure we are that `sample` is an OpenAI-style message list. */
function detect(sample: string): number {
  const head = sample.trimStart();
  if (!head.startsWith('[') && !head.startsWith('{')) return 0;
  const hasRole = /"role"\s*:\s*"(?:user|assistant|system|tool|developer)"/.test(head);
  if (!hasRole || !head.includes('"content"')) return 0;
  if (head.includes('"parentUuid"') || head.includes('"payload"')) return 0;
  if (head.includes('"tool_calls"') || head.includes('"tool_call_id"')) return 0.9;
  if (head.startsWith('{"messages"') || /^\{\s*"messages"/.test(head)) return 0.85;
  return 0.8;
}

/** The OpenAI message-array reader. */
export const openaiReader: TranscriptReader = { format: 'openai', detect, read };
