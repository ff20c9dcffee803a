/**
 * The normalised session every transcript reader produces and every later step reads.
 * @module
 */

/** Format ids, used by `--format` and in `Session.format`. */
export const TRANSCRIPT_FORMATS = [
  'claude-code',
  'codex',
  'specstory',
  'aider',
  'cctrace',
  'openai',
  'interactions',
] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

/** One tool call made by the assistant, with its result when the transcript has it. */
export interface ToolCall {
  /** The agent's own tool name: `Bash`, `exec_command`, `apply_patch`, `read_file`, ... */
  name: string;
  /** The input, as compact text (a command line, a file path, JSON). */
  input: string;
  /** The result text, when known. */
  output?: string;
  /** True when the tool reported failure (is_error, non-zero exit code, rejected call). */
  isError?: boolean;
  exitCode?: number;
  id?: string;
}

/**
 * What a user turn is, beyond typed text:
 * - `prompt`: text the human typed (the default);
 * - `answer`: the human's answer to an assistant's question tool (AskUserQuestion);
 * - `interrupt`: the human stopped the assistant (text is empty);
 * - `rejection`: the human rejected a tool call (text holds any reason they gave).
 */
export type UserTurnKind = 'prompt' | 'answer' | 'interrupt' | 'rejection';

/** One turn of the conversation. Injected text (hooks, AGENTS.md, skills) is never a turn. */
export interface Turn {
  /** Position in `Session.turns`, from 0. */
  index: number;
  role: 'user' | 'assistant';
  /** The prose of the turn (for users: what they typed; for assistants: what they said). */
  text: string;
  /** User turns only; missing means `prompt`. */
  kind?: UserTurnKind;
  /** Assistant turns: the tools called in this turn, results paired. */
  toolCalls: ToolCall[];
  /** ISO 8601, when the transcript has one. */
  timestamp?: string;
}

/** One session, read from any format. */
export interface Session {
  /** The transcript's session id, or a name derived from the file. */
  id: string;
  format: TranscriptFormat;
  turns: Turn[];
  /** Working directory, when the transcript says. */
  cwd?: string;
  title?: string;
  startedAt?: string;
  /**
   * What the tool printed before the conversation began that bears on it, when the format
   * records it: the model in use and start-up errors (Aider's banner), one line each.
   */
  setup?: string[];
  /** Malformed records or blocks that were skipped. */
  skipped: number;
  /** Records of text injected by tools that were left out on purpose. */
  injectedDropped?: number;
  /** True when the file seems to end part-way (an unterminated last record). */
  truncated?: boolean;
}

/** A {@link Session.setup} line naming a model of the run (`Model: …`, `Main model: …`, …). */
export function isModelSetupLine(line: string): boolean {
  return /^(?:Main |Editor |Weak )?[Mm]odel: \S/.test(line);
}

/**
 * The seed's interaction objects, as callers of `extractPatterns` pass them. Any of these
 * shapes is accepted: `{role, content}`, `{role, text}`, `{user, assistant}`,
 * `{user_input, assistant_response}` / `{userInput, assistantResponse}`.
 */
export type Interaction = Record<string, unknown>;
