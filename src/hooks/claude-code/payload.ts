/**
 * The JSON Claude Code writes to a command hook's stdin, parsed once, here.
 *
 * Fields, from Claude Code's hooks reference: every event carries `session_id`,
 * `transcript_path`, `cwd` and `hook_event_name` (most also `permission_mode`);
 * `SessionStart` adds `source` (`startup`, `resume`, `clear`, `compact`) and `model`;
 * `UserPromptSubmit` adds `prompt`; `PreCompact` adds `trigger` (`manual`, `auto`) and
 * `custom_instructions`; `SessionEnd` adds `reason` (`clear`, `resume`, `logout`,
 * `prompt_input_exit`, `bypass_permissions_disabled`, `other`). Unknown fields are ignored,
 * so newer Claude Code versions that add fields keep working.
 *
 * Parsed by hand rather than with zod: the session-start and prompt hooks run on every
 * session and every prompt, and loading zod would cost more than the rest of the hook.
 * @module
 */
import { isAbsolute } from 'node:path';

/** Our hook subcommands and the Claude Code event each one handles. */
export const HOOK_EVENTS = {
  'session-start': 'SessionStart',
  'user-prompt-submit': 'UserPromptSubmit',
  'pre-compact': 'PreCompact',
  'session-end': 'SessionEnd',
} as const;

/** A hook subcommand: `session-start`, `user-prompt-submit`, `pre-compact`, `session-end`. */
export type HookName = keyof typeof HOOK_EVENTS;

/** A Claude Code hook event name handled here. */
export type ClaudeHookEvent = (typeof HOOK_EVENTS)[HookName];

/** True when `value` names one of our hook subcommands. */
export function isHookName(value: string | undefined): value is HookName {
  return value !== undefined && Object.hasOwn(HOOK_EVENTS, value);
}

/** A hook payload after validation; field names in camelCase. */
export interface HookPayload {
  /** Claude Code's session id. */
  sessionId: string;
  /** The session's JSONL transcript, when given. */
  transcriptPath: string | undefined;
  /** Absolute working directory of the session. */
  cwd: string;
  /** `hook_event_name`, when given. */
  hookEventName: string | undefined;
  /** SessionStart: how the session started. */
  source: string | undefined;
  /** UserPromptSubmit: the prompt text. */
  prompt: string | undefined;
  /** SessionEnd: why the session ended. */
  reason: string | undefined;
  /** PreCompact: `manual` or `auto`. */
  trigger: string | undefined;
}

/** Result of {@link parseHookPayload}: the payload, or why it was rejected. */
export type ParseHookPayloadResult =
  | { success: true; data: HookPayload }
  | { success: false; error: string };

/** Upper bound on the stdin we accept; real payloads are a few hundred bytes plus the prompt. */
export const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

/**
 * Parses and checks the stdin of hook `hook`. Requires a JSON object with a string `cwd`
 * that is an absolute path; `session_id` and an absolute `transcript_path` for the
 * learning hooks (`session-end`, `pre-compact`); a string `prompt` for
 * `user-prompt-submit`. A `hook_event_name` that names another event is rejected, since
 * it means the hook was wired to the wrong event. Never throws.
 */
export function parseHookPayload(text: string, hook: HookName): ParseHookPayloadResult {
  if (text.length > MAX_PAYLOAD_BYTES)
    return fail(`payload larger than ${MAX_PAYLOAD_BYTES} bytes`);
  if (text.trim() === '') return fail('empty stdin: expected the hook payload as JSON');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail('stdin is not JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail('payload is not a JSON object');
  }
  const record = raw as Record<string, unknown>;
  const field = (name: string): string | undefined | null => {
    const value = record[name];
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string' ? value : null;
  };
  const names = [
    'session_id',
    'transcript_path',
    'cwd',
    'hook_event_name',
    'source',
    'prompt',
    'reason',
    'trigger',
  ] as const;
  const values: Partial<Record<(typeof names)[number], string>> = {};
  for (const name of names) {
    const value = field(name);
    if (value === null) return fail(`"${name}" must be a string`);
    if (value !== undefined) values[name] = value;
  }
  const expected = HOOK_EVENTS[hook];
  if (values.hook_event_name !== undefined && values.hook_event_name !== expected) {
    return fail(
      `hook_event_name is "${values.hook_event_name}" but this hook handles ${expected}; check the hook's event in settings.json`,
    );
  }
  const cwd = values.cwd;
  if (cwd === undefined || cwd === '') return fail('missing "cwd"');
  if (!isAbsolute(cwd)) return fail(`"cwd" must be an absolute path, got ${JSON.stringify(cwd)}`);
  const learning = hook === 'session-end' || hook === 'pre-compact';
  const sessionId = values.session_id ?? '';
  if (learning && sessionId.trim() === '') return fail('missing "session_id"');
  const transcriptPath = values.transcript_path === '' ? undefined : values.transcript_path;
  if (learning && transcriptPath === undefined) return fail('missing "transcript_path"');
  if (transcriptPath !== undefined && !isAbsolute(transcriptPath)) {
    return fail(
      `"transcript_path" must be an absolute path, got ${JSON.stringify(transcriptPath)}`,
    );
  }
  if (hook === 'user-prompt-submit' && values.prompt === undefined) return fail('missing "prompt"');
  return {
    success: true,
    data: {
      sessionId,
      transcriptPath,
      cwd,
      hookEventName: values.hook_event_name,
      source: values.source,
      prompt: values.prompt,
      reason: values.reason,
      trigger: values.trigger,
    },
  };
}

function fail(error: string): ParseHookPayloadResult {
  return { success: false, error };
}
