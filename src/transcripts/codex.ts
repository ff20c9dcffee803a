/**
 * Reader for Codex CLI rollout JSONL (`~/.codex/sessions/.../rollout-*.jsonl`).
 *
 * Human prompts come only from `event_msg` / `user_message`; `response_item` messages with
 * role `user` or `developer` carry injected context (AGENTS.md, environment) and are
 * dropped. Assistant prose comes from `agent_message` and `output_text`, which Codex logs
 * twice, so duplicates are removed. Tool calls are paired with their outputs by `call_id`,
 * exit codes are read from the output or from `exec_command_end`. `turn_aborted` becomes
 * an interrupt turn; `thread_rolled_back` removes the last `num_turns` prompts and all that
 * followed them.
 * @module
 */
import {
  arr,
  blockText,
  forEachJsonLine,
  idFromSource,
  inputText,
  isOwnInjectedText,
  isRecord,
  type JsonRecord,
  parseExitCode,
  SessionBuilder,
  str,
  tryParseJson,
} from './shared.js';
import type { ReadOptions, ReadResult, TranscriptReader } from './types.js';

/** Starts of role-`user` response items that Codex injects. */
const INJECTED_USER_PREFIXES = ['<', '# AGENTS.md', '# Context from my IDE'];

/** Decodes a function_call `arguments` string into a compact input. */
function argumentsText(args: unknown): string {
  if (typeof args !== 'string') return inputText(args);
  const parsed = tryParseJson(args);
  return parsed.ok ? inputText(parsed.value) : args;
}

/** Output text and exit code of a function_call_output / custom_tool_call_output. */
function outputOf(payload: JsonRecord): { text: string; exitCode: number | undefined } {
  let output: unknown = payload.output;
  if (isRecord(output)) output = output.content ?? output.output;
  let text = typeof output === 'string' ? output : blockText(output);
  let exitCode: number | undefined;
  // Older rollouts and apply_patch wrap the output as {"output": ..., "metadata": {...}}.
  if (text.startsWith('{"output"')) {
    const parsed = tryParseJson(text);
    if (parsed.ok && isRecord(parsed.value)) {
      text = str(parsed.value.output) ?? text;
      const metadata = parsed.value.metadata;
      if (isRecord(metadata) && typeof metadata.exit_code === 'number') {
        exitCode = metadata.exit_code;
      }
    }
  }
  exitCode ??= parseExitCode(text);
  return { text, exitCode };
}

/** Reads a Codex rollout into one session. */
function read(text: string, options: ReadOptions): ReadResult {
  const builder = new SessionBuilder();
  let sessionId: string | undefined;
  let cwd: string | undefined;
  let startedAt: string | undefined;
  /** Turn counts just before each human prompt, for rollbacks. */
  const promptStarts: number[] = [];

  forEachJsonLine(text, builder, (record) => {
    if (!isRecord(record) || !isRecord(record.payload)) {
      builder.skipped++;
      return;
    }
    const payload = record.payload;
    const timestamp = str(record.timestamp);
    const kind = str(payload.type);
    switch (record.type) {
      case 'session_meta':
        sessionId ??= str(payload.id) ?? str(payload.session_id);
        cwd ??= str(payload.cwd);
        startedAt ??= str(payload.timestamp) ?? timestamp;
        return;
      case 'turn_context':
        cwd ??= str(payload.cwd);
        return;
      case 'event_msg':
        onEvent(kind, payload, timestamp);
        return;
      case 'response_item':
        onItem(kind, payload, timestamp);
        return;
      default:
        return;
    }
  });

  function onEvent(kind: string | undefined, payload: JsonRecord, timestamp?: string): void {
    switch (kind) {
      case 'user_message': {
        const message = str(payload.message) ?? '';
        if (isOwnInjectedText(message)) {
          builder.injectedDropped++;
          return;
        }
        if (message.trim() === '') return;
        promptStarts.push(builder.length);
        builder.user(message, 'prompt', timestamp);
        return;
      }
      case 'agent_message':
        builder.assistantText(str(payload.message) ?? '', timestamp, true);
        return;
      case 'exec_command_end': {
        const call = builder.findCall(str(payload.call_id) ?? '');
        if (call === undefined) return;
        if (typeof payload.exit_code === 'number') {
          call.exitCode = payload.exit_code;
          if (payload.exit_code !== 0) call.isError = true;
        }
        if (call.output === undefined) {
          const out = str(payload.aggregated_output) ?? str(payload.stdout);
          if (out !== undefined) call.output = out;
        }
        return;
      }
      case 'patch_apply_end': {
        const call = builder.findCall(str(payload.call_id) ?? '');
        if (call !== undefined && payload.success === false) call.isError = true;
        return;
      }
      case 'turn_aborted':
        builder.user('', 'interrupt', timestamp);
        return;
      case 'thread_rolled_back': {
        const count = typeof payload.num_turns === 'number' ? payload.num_turns : 0;
        if (count <= 0) return;
        const keep = promptStarts.length - Math.min(count, promptStarts.length);
        const cut = promptStarts[keep];
        promptStarts.length = keep;
        if (cut !== undefined) builder.truncateTo(cut);
        return;
      }
      default:
        return;
    }
  }

  function onItem(kind: string | undefined, payload: JsonRecord, timestamp?: string): void {
    switch (kind) {
      case 'message': {
        const role = str(payload.role);
        if (role === 'assistant') {
          for (const block of arr(payload.content)) {
            if (isRecord(block) && typeof block.text === 'string') {
              builder.assistantText(block.text, timestamp, true);
            }
          }
        } else if (role === 'user') {
          const content = blockText(payload.content).trimStart();
          if (INJECTED_USER_PREFIXES.some((p) => content.startsWith(p))) builder.injectedDropped++;
        }
        return;
      }
      case 'function_call':
      case 'custom_tool_call': {
        const id = str(payload.call_id) ?? str(payload.id);
        const input =
          kind === 'function_call' ? argumentsText(payload.arguments) : inputText(payload.input);
        builder.toolCall(
          { name: str(payload.name) ?? 'unknown', input, ...(id === undefined ? {} : { id }) },
          timestamp,
        );
        return;
      }
      case 'local_shell_call': {
        const id = str(payload.call_id) ?? str(payload.id);
        const action = isRecord(payload.action) ? payload.action : {};
        builder.toolCall(
          { name: 'shell', input: inputText(action), ...(id === undefined ? {} : { id }) },
          timestamp,
        );
        return;
      }
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const call = builder.findCall(str(payload.call_id) ?? '');
        if (call === undefined) return;
        const { text, exitCode } = outputOf(payload);
        call.output = text;
        if (exitCode !== undefined) {
          call.exitCode = exitCode;
          if (exitCode !== 0) call.isError = true;
        }
        return;
      }
      default:
        return;
    }
  }

  return {
    sessions: [
      builder.build({
        id: sessionId ?? idFromSource(options.sourceName, 'codex-session'),
        format: 'codex',
        cwd,
        startedAt,
      }),
    ],
  };
}

/** How sure we are that `sample` is a Codex rollout. */
function detect(sample: string): number {
  const first = sample.trimStart();
  if (!first.startsWith('{')) return 0;
  if (!sample.includes('"payload"')) return 0;
  if (sample.includes('"session_meta"')) return 0.97;
  if (/"type":\s*"(?:response_item|event_msg|turn_context)"/.test(sample.slice(0, 4096))) {
    return 0.9;
  }
  return 0;
}

/** The Codex rollout JSONL reader. */
export const codexReader: TranscriptReader = { format: 'codex', detect, read };
