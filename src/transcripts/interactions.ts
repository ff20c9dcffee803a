/**
 * Reader for the seed's interaction objects: a JSON array (or `{interactions: [...]}`)
 * whose elements are any of `{role, content}`, `{role, text}`, `{user, assistant}`,
 * `{user_input, assistant_response}` or `{userInput, assistantResponse}`. Also exports
 * {@link sessionFromInteractions} for callers that already hold the objects in memory.
 * @module
 */
import type { Interaction, Session } from '../model/session.js';
import { scanJsonArray } from './json-scan.js';
import {
  blockText,
  idFromSource,
  isOwnInjectedText,
  isRecord,
  SessionBuilder,
  str,
  tryParseJson,
} from './shared.js';
import type { ReadOptions, ReadResult, TranscriptReader } from './types.js';

const USER_KEYS = ['user', 'user_input', 'userInput'] as const;
const ASSISTANT_KEYS = ['assistant', 'assistant_response', 'assistantResponse'] as const;
const USER_ROLES = new Set(['user', 'human']);
const ASSISTANT_ROLES = new Set(['assistant', 'ai', 'model', 'bot']);

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return blockText(value);
  return undefined;
}

function addUser(builder: SessionBuilder, text: string, timestamp?: string): void {
  if (isOwnInjectedText(text)) builder.injectedDropped++;
  else builder.user(text, 'prompt', timestamp);
}

/** Adds one interaction object; returns false when it has none of the known shapes. */
function addInteraction(builder: SessionBuilder, item: unknown): boolean {
  if (!isRecord(item)) return false;
  const timestamp = str(item.timestamp);
  const role = str(item.role);
  if (role !== undefined) {
    const text = textOf(item.content) ?? textOf(item.text);
    if (text === undefined) return false;
    if (USER_ROLES.has(role)) addUser(builder, text, timestamp);
    else if (ASSISTANT_ROLES.has(role)) builder.assistantText(text, timestamp);
    // system and other roles are not conversation turns
    return true;
  }
  const userKey = USER_KEYS.find((k) => item[k] !== undefined);
  const assistantKey = ASSISTANT_KEYS.find((k) => item[k] !== undefined);
  if (userKey === undefined && assistantKey === undefined) return false;
  const user = userKey === undefined ? undefined : textOf(item[userKey]);
  const assistant = assistantKey === undefined ? undefined : textOf(item[assistantKey]);
  if (user === undefined && assistant === undefined) return false;
  if (user !== undefined) addUser(builder, user, timestamp);
  if (assistant !== undefined) builder.assistantText(assistant, timestamp);
  return true;
}

/**
 * Builds a session from the seed's interaction objects, in order. Objects of no known
 * shape are counted in `skipped`.
 */
export function sessionFromInteractions(
  interactions: readonly Interaction[],
  sessionId = 'interactions',
): Session {
  const builder = new SessionBuilder();
  for (const item of interactions) {
    if (!addInteraction(builder, item)) builder.skipped++;
  }
  return builder.build({ id: sessionId, format: 'interactions' });
}

/** Reads a JSON file of interaction objects into one session. */
function read(text: string, options: ReadOptions): ReadResult {
  const builder = new SessionBuilder();
  let sessionId: string | undefined;
  const onValue = (value: unknown): void => {
    if (!addInteraction(builder, value)) builder.skipped++;
  };
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    const scan = scanJsonArray(trimmed, onValue);
    builder.skipped += scan.skipped;
    if (scan.truncated) builder.truncated = true;
  } else {
    const whole = tryParseJson(trimmed);
    if (whole.ok && isRecord(whole.value) && Array.isArray(whole.value.interactions)) {
      sessionId = str(whole.value.session_id) ?? str(whole.value.sessionId);
      for (const item of whole.value.interactions) onValue(item);
    } else if (trimmed !== '') {
      builder.skipped++;
    }
  }
  return {
    sessions: [
      builder.build({
        id: sessionId ?? idFromSource(options.sourceName, 'interactions'),
        format: 'interactions',
      }),
    ],
  };
}

/** How sure we are that `sample` holds interaction objects. */
function detect(sample: string): number {
  const head = sample.trimStart();
  if (!head.startsWith('[') && !head.startsWith('{')) return 0;
  if (/"(?:user_input|userInput|assistant_response|assistantResponse)"\s*:/.test(head)) return 0.9;
  if (/^\{\s*"interactions"\s*:/.test(head)) return 0.9;
  if (/"user"\s*:\s*"/.test(head) && /"assistant"\s*:\s*"/.test(head)) return 0.85;
  if (/"role"\s*:/.test(head) && /"text"\s*:/.test(head) && !head.includes('"content"')) {
    return 0.75;
  }
  if (/"role"\s*:/.test(head) && head.includes('"content"')) return 0.5;
  return 0;
}

/** The interaction-objects reader. */
export const interactionsReader: TranscriptReader = { format: 'interactions', detect, read };
