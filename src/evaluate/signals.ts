/**
 * Signal detection: finds, in a read session, the places a careful engineer would learn from
 * (user corrections, error resolutions, stated preferences, workarounds, project conventions).
 *
 * Only human text and failing tool results are scanned; every regular expression is compiled
 * once and run over each line at most a few times, so detection is linear in the transcript.
 * @module
 */

import { redactSecrets } from '../extract/redact.js';
import type { Session, ToolCall, Turn } from '../model/session.js';
import {
  contentWords,
  type Directive,
  hasCorrectionMarker,
  isMostlyLatin,
  parseDirective,
} from './phrases.js';

/** What kind of learning signal a place in the session shows. */
export type SignalKind =
  | 'correction'
  | 'error_resolution'
  | 'preference'
  | 'workaround'
  | 'convention';

/** One learning signal, at one turn. */
export interface Signal {
  kind: SignalKind;
  /** Index of the turn in `Session.turns` that shows it. */
  turn: number;
  /** Short, redacted, as the user (or the failing tool) said it. */
  quote: string;
  /** 0..1: how strongly it was put. */
  strength: number;
}

/** Everything detected in one session. */
export interface SessionSignals {
  /** Human prompts plus answers to the assistant's questions. */
  interactionCount: number;
  /** In turn order. */
  signals: Signal[];
}

/** A lesson candidate: a signal plus what is needed to phrase it as a pattern. */
export interface Lesson {
  kind: SignalKind;
  turn: number;
  quote: string;
  strength: number;
  /** For corrections, preferences and conventions: the parsed instruction. */
  directive?: Directive;
  /** The task sentence just before the instruction in the same turn, if any. */
  task?: string;
  /** For error resolutions and workarounds: the error line that was hit. */
  error?: string;
  /** For error resolutions and workarounds: the fix, as an instruction, when known. */
  fix?: string;
  /** The tool involved, for tool errors. */
  tool?: string;
  /**
   * Lessons with the same thread state one lesson: consecutive sentences of one turn that
   * elaborate the same rule, or a correction the user repeats over consecutive turns.
   */
  thread?: number;
}

/** Finds the learning signals of a session (see the module comment). */
export function detectSignals(session: Session): SessionSignals {
  const { interactionCount, lessons } = detectLessons(session);
  return {
    interactionCount,
    signals: lessons.map((l) => ({
      kind: l.kind,
      turn: l.turn,
      quote: l.quote,
      strength: Math.round(l.strength * 100) / 100,
    })),
  };
}

const INTERACTIVE_KINDS = new Set(['prompt', 'answer', undefined]);

/**
 * The lessons of a session with everything needed to phrase them, in turn order.
 * Shared by {@link detectSignals} and the session extractor.
 */
export function detectLessons(session: Session): { interactionCount: number; lessons: Lesson[] } {
  const lessons: Lesson[] = [];
  let interactionCount = 0;
  let afterStop = false;
  const threads = { next: 1, run: 0, lastRunTurn: -10, lastPromptTurn: -10, lastStrong: false };
  const turns = session.turns;
  for (let i = 0; i < turns.length; i++) {
    const turn = turns[i] as Turn;
    if (turn.role === 'assistant') {
      detectToolLessons(turn, turns, i, lessons);
      continue;
    }
    const kind = turn.kind;
    if (kind === 'interrupt') {
      afterStop = true;
      continue;
    }
    const text = turn.text ?? '';
    if (kind === 'rejection') {
      afterStop = true;
      if (text.trim()) scanUserText(text, i, true, lessons, threads);
      continue;
    }
    if (!INTERACTIVE_KINDS.has(kind) || !text.trim()) continue;
    if (isPseudoTurn(text)) continue;
    if (/^\s*\/undo\b/.test(text)) {
      afterStop = true;
      continue;
    }
    if (/^\s*\/\w+\s*$/.test(text)) continue; // a bare slash command
    interactionCount++;
    const before = lessons.length;
    const strong = scanUserText(text, i, afterStop, lessons, threads) || afterStop;
    let corrects = false;
    for (let k = before; k < lessons.length; k++)
      if ((lessons[k] as Lesson).kind === 'correction') corrects = true;
    // A correction chain: "X" -> (assistant) -> "no, that's not right" -> "X, like this".
    // A strong turn (correction marker, or after a stop) continues the previous prompt's
    // lessons; the turn right after a strong one continues it too.
    const prevInRun = threads.lastRunTurn === threads.lastPromptTurn && threads.lastPromptTurn >= 0;
    if (strong || corrects) {
      const continues = prevInRun && (strong || threads.lastStrong);
      if (!continues) threads.run = threads.next++;
      for (let k = before; k < lessons.length; k++) {
        const l = lessons[k] as Lesson;
        if (l.kind === 'correction' && l.thread === undefined) l.thread = threads.run;
      }
      threads.lastRunTurn = i;
      threads.lastStrong = strong;
    }
    threads.lastPromptTurn = i;
    detectPastedErrorResolution(turns, i, lessons);
    afterStop = false;
  }
  return { interactionCount, lessons: dedupeByTurn(lessons) };
}

// Text the IDE or the agent writes in the user's place.
const PSEUDO =
  /^\s*(?:@agent (?:try again|continue|继续)|\[request interrupted|add file to the chat\?|run shell command\?|find the "ai" comments below)/i;

function isPseudoTurn(text: string): boolean {
  return PSEUDO.test(text);
}

// Lines of pasted logs, code and stack traces: not the user's own words.
const LOG_LINE =
  /^(?:\s{2,}|\t|[│|❯>$#⎿●✓✕×✔✘⋮█]|at\s|\d+\s*[|:]|[-=_~⎯─]{3,}|[{}[\]<]|\w+(?:Error|Exception)\b|error\b|warning\b|traceback|file "|npm err|fail\b|pass\b|tests?:|test suites:|(?:\w+\.)+\w+:\d+)/i;

/** The prose lines of a user message: pasted logs, code fences and quoted blocks removed. */
export function proseLines(text: string): string[] {
  const out: string[] = [];
  let inFence = false;
  let lines = 0;
  for (const line of text.split('\n')) {
    if (++lines > 400) break; // past this it is a paste, not prose
    const t = line.trimEnd();
    if (/^\s*(```|~~~)/.test(t)) {
      inFence = !inFence;
      continue;
    }
    if (inFence || !t.trim()) continue;
    if (LOG_LINE.test(t)) continue;
    out.push(t.trim());
  }
  return out;
}

const SENTENCE_SPLIT =
  /(?<=[.!?])\s+(?=[A-Z@`"'(])|(?<=[.!?])\s+(?=[a-z]{2,}\s)|;\s+(?=[a-z])|,?\s+\b(?:but|however|and)\b,?\s+(?=(?:keep in mind|remember|make sure|please (?:don'?t|do not|never|always|keep)|don'?t|do not|never|always)\b)/i;

/** Splits prose lines into sentences. */
export function sentencesOf(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    for (const part of line.split(SENTENCE_SPLIT)) {
      const s = part.trim();
      if (s) out.push(s);
    }
  }
  return out;
}

const CONVENTION_TURN =
  /\b(?:conventions?|rules?|guidelines?|style ?guide|as a rule|house style|coding standards?)\b(?!\.\w)/i;
const TASK_SENTENCE =
  /^(?:(?:in|for) \S+\s*,?\s*)?(?:now |please |also )?(?:add|create|write|implement|build|make|fix|update|change|rename|move|delete|remove|run|reorder|sort|format|refactor|port|translate|edit|rewrite)\b/i;

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

interface Threads {
  next: number;
}

/** Scans one user message; returns true when the message corrects the assistant. */
function scanUserText(
  text: string,
  turn: number,
  afterStop: boolean,
  out: Lesson[],
  threads: Threads,
): boolean {
  // Very long structured prompts are task specifications or command templates.
  if (
    text.length > 6000 &&
    /^#{1,3} /m.test(text) &&
    (text.match(/^#{1,3} /gm)?.length ?? 0) >= 3
  ) {
    return false;
  }
  // Terminal transcripts keep control characters (a DEL per backspace): drop them.
  const lines = proseLines(text.replace(CONTROL_CHARS, ''));
  if (lines.length === 0) return false;
  const sentences = sentencesOf(lines);
  if (sentences.length > 60) return false; // a pasted document, not a message
  const prose = lines.join(' ');
  if (!isMostlyLatin(prose)) return false;
  const corrective = sentences.some((s) => hasCorrectionMarker(s));
  const conventionTurn = CONVENTION_TURN.test(prose);
  let previous: string | undefined;
  let last: Lesson | undefined;
  for (const sentence of sentences) {
    const d = parseDirective(sentence, {
      afterStop,
      corrective,
      conventionTurn,
      ...(previous ? { previous } : {}),
    });
    if (d) {
      const lesson: Lesson = {
        kind: d.kind,
        turn,
        quote: redactText(clip(d.quote, 200)),
        strength: d.strength,
        directive: d,
      };
      if (previous && TASK_SENTENCE.test(previous) && d.kind === 'correction')
        lesson.task = previous;
      // The next sentence elaborating the same rule ("... command modules. The only logic in
      // command modules should be ...") joins it.
      if (
        last &&
        last.turn === turn &&
        BACK_REFERENCE.test(d.quote) &&
        sharedWords(last.quote, d.quote) >= 2
      ) {
        last.thread ??= threads.next++;
        lesson.thread = last.thread;
      }
      out.push(lesson);
      last = lesson;
    } else {
      last = undefined;
    }
    previous = sentence;
  }
  return corrective;
}

// A sentence that continues the previous one ("The only logic in command modules ...").
const BACK_REFERENCE = /^(?:the|this|that|these|those|it|they|such|there)\b/i;

function sharedWords(a: string, b: string): number {
  const wa = contentWords(a);
  let n = 0;
  for (const w of contentWords(b)) if (wa.has(w)) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Error resolutions and workarounds

const ERROR_LINE =
  /(?:^|\n)\s*((?:Uncaught )?(?:[A-Z]\w*(?:Error|Exception)|error(?:\[\w+\])?|fatal|E\d{3,5}|ERR!?)\b[:\s].{3,200}|[^\n]{0,80}\b(?:command not found|not recognized as an internal or external command|No such file or directory|Permission denied|has not been read yet|ModuleNotFoundError|Cannot find module)\b[^\n]{0,120})/;

// A tool result that tells the caller what to do: "Read it first before writing to it."
const HINT =
  /(?:^|[.!]\s+)((?:read|run|use|try|install|add|pass|call|set|remove|specify|provide|use the|did you mean)\b[^.!?\n]{3,120}[.!]?)/i;

const NOT_FOUND =
  /(?:^|\s|:)([\w.-]+): (?:command not found|not found)\b|'([\w.-]+)' is not recognized/;

function firstErrorLine(text: string): string | undefined {
  const m = ERROR_LINE.exec(text.slice(0, 20_000));
  if (!m) return undefined;
  return (m[1] ?? '')
    .replace(/<\/?[a-z_]+>/g, '')
    .trim()
    .replace(/\s+/g, ' ');
}

// Failures some formats do not flag (exports without is_error): only unmistakable ones.
const UNFLAGGED_FAILURE =
  /^(?:<tool_use_error>)?(?:[^\n]{0,80}: (?:command not found|No such file or directory)|File has not been read yet)/;

function isFailure(call: ToolCall): boolean {
  if (call.isError === true || (call.exitCode !== undefined && call.exitCode !== 0)) return true;
  return call.isError === undefined && UNFLAGGED_FAILURE.test((call.output ?? '').slice(0, 300));
}

/** The command line of a tool input (plain, or JSON with a `command` field). */
function commandOf(input: string): string {
  let s = input.trim();
  try {
    const parsed: unknown = s.startsWith('{') ? JSON.parse(s) : undefined;
    if (parsed && typeof parsed === 'object' && 'command' in parsed) {
      const c = (parsed as { command: unknown }).command;
      if (typeof c === 'string') s = c;
      else if (Array.isArray(c)) s = c.map(String).join(' ');
    }
  } catch {
    // not JSON: a plain command line
  }
  return s;
}

/** First word of a shell command (`python3 -c ...` -> `python3`). */
function program(input: string): string | undefined {
  let s = commandOf(input);
  s = s
    .replace(/^(?:bash|sh|zsh) -l?c\s+['"]?/, '')
    .replace(/^(?:\w+=\S+\s+)+/, '')
    .replace(/^(?:sudo|cd \S+ &&)\s+/, '');
  const m = /^([\w./-]+)/.exec(s);
  return m?.[1]?.split('/').pop();
}

function detectToolLessons(turn: Turn, turns: readonly Turn[], index: number, out: Lesson[]): void {
  for (let c = 0; c < turn.toolCalls.length; c++) {
    const call = turn.toolCalls[c] as ToolCall;
    const output = call.output ?? '';
    if (!output || !isFailure(call)) continue;
    if (
      /doesn't want to proceed|tool use was rejected|user rejected|denied by the user/i.test(output)
    )
      continue;
    const error = firstErrorLine(output);
    if (!error) continue;
    const hint = HINT.exec(error);
    if (
      hint &&
      /has not been read yet|must (?:read|use|run)|before (?:writing|editing)/i.test(error)
    ) {
      out.push({
        kind: 'error_resolution',
        turn: index,
        quote: redactText(clip(error, 160)),
        strength: 0.6,
        error,
        fix: toInstruction(hint[1] ?? ''),
        tool: call.name,
      });
      continue;
    }
    const nf = NOT_FOUND.exec(error);
    if (nf) {
      const missing = nf[1] ?? nf[2] ?? '';
      const next = nextSuccessfulCommand(turns, index, c, call.name, missing);
      if (missing && next) {
        const before = programs(call.input);
        const added = [...programs(next)].filter((p) => !before.has(p));
        const fix = added[0]
          ? `${missing} is not installed here; use ${added[0]} instead.`
          : `${missing} is not installed here; run the command without ${missing}.`;
        out.push({
          kind: 'workaround',
          turn: index,
          quote: redactText(clip(error, 160)),
          strength: 0.6,
          error,
          fix,
          tool: call.name,
        });
      }
    }
  }
}

/** The programs of every segment of a shell pipeline (`head x | jq .` -> head, jq). */
function programs(input: string): Set<string> {
  const out = new Set<string>();
  const command = commandOf(input);
  for (const part of command.split(/\|\|?|&&|;/)) {
    const p = program(part);
    if (p) out.add(p);
  }
  return out;
}

/** The next successful call of the same tool that no longer uses `missing`, within a few calls. */
function nextSuccessfulCommand(
  turns: readonly Turn[],
  index: number,
  callIndex: number,
  tool: string,
  missing: string,
): string | undefined {
  let seen = 0;
  for (let t = index; t < turns.length && t <= index + 6; t++) {
    const turn = turns[t] as Turn;
    if (turn.role === 'user' && turn.kind !== 'answer' && turn.text.trim()) return undefined;
    const calls = turn.toolCalls;
    for (let c = t === index ? callIndex + 1 : 0; c < calls.length; c++) {
      const call = calls[c] as ToolCall;
      if (call.name !== tool) continue;
      if (++seen > 3) return undefined;
      if (programs(call.input).has(missing)) continue;
      if (!isFailure(call)) return call.input;
    }
  }
  return undefined;
}

function toInstruction(text: string): string {
  const s = text.trim().replace(/[.!]+$/, '');
  // "Read it first before writing to it" -> "Read the file first before writing to it."
  const fixed = s.replace(/^read it\b/i, 'Read the file');
  return `${fixed[0]?.toUpperCase() ?? ''}${fixed.slice(1)}.`;
}

// The user says the problem is gone.
const SUCCESS =
  /^\s*(?:(?:ok(?:ay)?|great|nice|perfect|awesome|cool)[,!.\s]+)?(?:it works|that worked|it worked|this worked|works now|that fixed it|fixed it|all tests pass|tests pass now|it'?s working|that did it|problem solved)\b/i;

/** A user pasting an error that a later user turn says is fixed counts as an error resolution. */
function detectPastedErrorResolution(turns: readonly Turn[], index: number, out: Lesson[]): void {
  const turn = turns[index] as Turn;
  const error = firstErrorLine(turn.text);
  if (!error) return;
  for (let t = index + 1; t < turns.length && t <= index + 4; t++) {
    const next = turns[t] as Turn;
    if (next.role !== 'user' || next.kind === 'interrupt') continue;
    if (SUCCESS.test(next.text)) {
      out.push({
        kind: 'error_resolution',
        turn: index,
        quote: redactText(clip(error, 160)),
        strength: 0.5,
        error,
      });
    }
    return;
  }
}

function dedupeByTurn(lessons: Lesson[]): Lesson[] {
  const seen = new Set<string>();
  const out: Lesson[] = [];
  for (const l of lessons) {
    const key = `${l.kind}:${l.turn}:${l.directive?.instruction ?? l.fix ?? l.quote}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(l);
  }
  return out.sort((a, b) => a.turn - b.turn);
}

function redactText(text: string): string {
  return redactSecrets(text).text;
}

/** Shortens text to `max` characters on one line, marking the cut with an ellipsis. */
export function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1).trimEnd()}…`;
}
