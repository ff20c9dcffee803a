/**
 * The fix model: error resolutions the hand-written error rules (error-lessons.ts) did not
 * find, read from how the assistant explained the fix.
 *
 * After an error (a failing tool call, or an error the user pasted), the assistant usually says
 * in one sentence what was wrong or what it changed ("`block()` is refused on the event loop:
 * make `activeTotal` a plain `suspend fun`"). The rules can pair an error with its fix only when
 * the fix has a shape they know (an edit, a changed command, "the fix is …"); this model reads
 * every assistant sentence within a few turns of an error, scores it with the same features as
 * the lesson model plus where it sits (same turn as the error, shares its words, a passing run
 * or the user's "works now" after it, the error coming back), and takes the best sentence of
 * each error when it scores at or above the model's threshold. Errors the rules already turned
 * into a lesson are left to them. Weights come from `npm run train`.
 * @module
 */
import type { ToolCall, Turn } from '../model/session.js';
import {
  callTrigger,
  confirms,
  errorLine,
  instruction,
  isEditCall,
  isEnvironmentError,
  isFailure,
  isLookCall,
  isShellCall,
  objects,
  sentencesOf,
} from './error-lessons.js';
import { flagsScore, type LessonModel, modelWords, sentenceFeatures } from './lesson-model.js';
import type { Lesson } from './signals.js';
import { clip, redactText } from './text.js';

/** An assistant sentence after an error, as the fix model sees it (reported for training). */
export interface FixUnit {
  turn: number;
  /** The error it may explain. */
  error: string;
  text: string;
  features: string[];
}

/** Options of {@link detectModelFixes}. */
export interface FixModelOptions {
  model: LessonModel;
  /** Called with every sentence the model reads (for training). */
  onUnit?: ((unit: FixUnit) => void) | undefined;
}

/** How many turns after an error its explanation is looked for. */
const REACH = 10;

/** Words too common to tie a sentence to an error. */
const COMMON = new Set(
  'error errors failed failure fails with from that this when which there their have does with into line file files found could would should cannot value type true false null none test tests'.split(
    ' ',
  ),
);

interface Scored {
  score: number;
  sentence: string;
  /** The sentence before it in its turn. */
  previous: string | undefined;
  /** It states an action (see {@link action}). */
  action: boolean;
}

interface Anchor {
  turn: number;
  error: string;
  pasted: boolean;
  words: Set<string>;
  best?: Scored;
  /** The runner-up, kept as the lesson's context (often the diagnosis beside the fix). */
  second?: Scored;
}

function errorWords(error: string): Set<string> {
  const out = new Set<string>();
  for (const w of error.toLowerCase().match(/[a-z_][\w.]{3,}/g) ?? [])
    if (!COMMON.has(w)) {
      out.add(w);
      for (const part of w.split(/[._]/)) if (part.length > 3 && !COMMON.has(part)) out.add(part);
    }
  return out;
}

/** The failure a turn shows, if any: the last failing call's trigger, or a pasted error. */
function failureOf(turn: Turn): { error: string; pasted: boolean } | undefined {
  if (turn.role === 'user') {
    if (turn.kind !== undefined && turn.kind !== 'prompt') return undefined;
    const error = errorLine(turn.text ?? '');
    return error ? { error, pasted: true } : undefined;
  }
  let error: string | undefined;
  for (const call of turn.toolCalls) {
    if (!isShellCall(call) || !isFailure(call)) continue;
    error = callTrigger(call) ?? error;
  }
  return error ? { error, pasted: false } : undefined;
}

/**
 * What happens after turn `t`: a passing run, the error back, the user's verdict. In turn `t`
 * itself only the calls after the last one that failed with the error count.
 */
function aftermath(turns: readonly Turn[], t: number, error: string): string[] {
  const flags: string[] = [];
  let passed = false;
  let again = false;
  const head = error.slice(0, 40);
  const failsWith = (call: ToolCall) =>
    isShellCall(call) && isFailure(call) && (call.output ?? '').includes(head);
  for (let k = t; k < turns.length && k <= t + 4; k++) {
    const turn = turns[k] as Turn;
    if (turn.role === 'user') {
      if (k === t) continue;
      const text = turn.text ?? '';
      if (turn.kind === 'interrupt' || turn.kind === 'rejection') flags.push('ctx:stopped');
      else if (confirms(text)) flags.push('ctx:user-confirms');
      else if (objects(text)) flags.push('ctx:user-objects');
      else if (text.includes(head)) again = true;
      break;
    }
    const calls = turn.toolCalls;
    let from = 0;
    if (k === t)
      for (let c = 0; c < calls.length; c++) if (failsWith(calls[c] as ToolCall)) from = c + 1;
    for (let c = from; c < calls.length; c++) {
      const call = calls[c] as ToolCall;
      if (!isShellCall(call) || isLookCall(call)) continue;
      if (failsWith(call)) again = true;
      else if (!isFailure(call)) passed = true;
    }
  }
  if (passed) flags.push('ctx:run-passes');
  if (again) flags.push('ctx:error-again');
  return flags;
}

/** Aftermaths that refute a fix: the user stopped or objected, or the error came back. */
const REFUTED = new Set(['ctx:stopped', 'ctx:user-objects', 'ctx:error-again']);

/** Sentences the model reads: prose of a fix's length with five words or more, not a question. */
function readable(sentence: string): boolean {
  if (sentence.length < 25 || sentence.length > 320) return false;
  if (sentence.endsWith('?')) return false;
  return modelWords(sentence).length >= 5;
}

/** "I'll add …", "I've switched …", "We need to set …": the action without its subject. */
const SUBJECT =
  /^(?:(?:so|now|then|ok(?:ay)?)[,\s]+)?(?:i(?:'ll| will|'ve| have|'m going to)?|we(?:'ll| will| need to| should)|let me|you(?:'ll)? need to|the fix is to)\s+/i;

/** The sentence as an instruction ("Use the `readJSON` step …"), when it states an action. */
function action(sentence: string, previous: string | undefined): string | undefined {
  const bare = sentence.replace(SUBJECT, '');
  return instruction(bare.replace(/[.:!]+$/, ''), previous);
}

/** A sentence made into a resolution: lead-ins dropped, first letter up, one full stop. */
function asFix(sentence: string, previous: string | undefined): string {
  const imperative = action(sentence, previous);
  if (imperative) return imperative;
  const s = sentence
    .replace(/^\*\*[^*]+\*\*:?\s*/, '')
    .replace(/^(?:so|ok(?:ay)?|now|good|great|right|done|perfect)[,.!:—–-]*\s+/i, '')
    .replace(/[:;,]\s*$/, '')
    .trim();
  const capital = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * Adds the model's error resolutions to `lessons`: for each error no lesson covers yet, the
 * assistant sentence after it that the model scores highest, when at or above its threshold.
 */
export function detectModelFixes(
  turns: readonly Turn[],
  lessons: Lesson[],
  options: FixModelOptions,
): void {
  const { model, onUnit } = options;
  if (model.threshold > 1 && !onUnit) return;
  const covered = new Set<number>();
  for (const l of lessons)
    if (l.kind === 'error_resolution' || l.kind === 'workaround') covered.add(l.turn);
  let anchor: Anchor | undefined;
  const settle = () => {
    if (!anchor?.best || anchor.best.score < model.threshold || covered.has(anchor.turn)) return;
    const { error } = anchor;
    let { best, second } = anchor;
    if (second && second.score < model.threshold / 2) second = undefined;
    // A diagnosis scored above the action beside it: the action is the fix, the diagnosis why.
    if (second && !best.action && second.action) [best, second] = [second, best];
    const fix = asFix(best.sentence, best.previous);
    const lesson: Lesson = {
      kind: isEnvironmentError(error) ? 'workaround' : 'error_resolution',
      turn: anchor.turn,
      quote: redactText(clip(error, 160)),
      strength: 0.55,
      error: redactText(error),
      fix: redactText(fix),
      fromModel: true,
    };
    // The runner-up is often the diagnosis beside the fix; else the sentence itself when the
    // instruction made of it dropped its reason ("…, because the image has no curl").
    const cause =
      second?.sentence ?? (fix.length < best.sentence.length * 0.7 ? best.sentence : undefined);
    if (cause) lesson.cause = redactText(cause);
    lessons.push(lesson);
  };
  for (let i = 0; i < turns.length; i++) {
    const turn = turns[i] as Turn;
    const failure = failureOf(turn);
    if (failure && failure.error !== anchor?.error) {
      settle();
      anchor = {
        turn: i,
        error: failure.error,
        pasted: failure.pasted,
        words: errorWords(failure.error),
      };
    }
    if (!anchor) continue;
    if (i - anchor.turn > REACH) {
      settle();
      anchor = undefined;
      continue;
    }
    if (turn.role !== 'assistant' || !turn.text) continue;
    const sentences = sentencesOf(turn.text).filter(readable);
    if (sentences.length === 0) continue;
    const distance = i - anchor.turn;
    const after = aftermath(turns, i, anchor.error);
    // A fix the user stopped or objected to, or after which the error came back, taught nothing.
    if (after.some((f) => REFUTED.has(f))) continue;
    const base = [
      anchor.pasted ? 'ctx:pasted' : 'ctx:tool-failure',
      distance === 0 ? 'ctx:same-turn' : distance === 1 ? 'ctx:next-turn' : 'ctx:later-turn',
      ...after,
    ];
    if (isEnvironmentError(anchor.error)) base.push('ctx:environment');
    if (turn.toolCalls.some(isEditCall)) base.push('ctx:turn-edits');
    for (let k = 0; k < sentences.length; k++) {
      const sentence = sentences[k] as string;
      const flags = [...base];
      let shared = 0;
      for (const w of sentence.toLowerCase().match(/[a-z_][\w.]{3,}/g) ?? [])
        if (anchor.words.has(w)) shared++;
      if (shared > 0) flags.push(shared > 1 ? 'ctx:shares-error-2' : 'ctx:shares-error');
      const previous = sentences[k - 1];
      const isAction = action(sentence, previous) !== undefined;
      if (isAction) flags.push('ctx:action');
      if (k === 0) flags.push('ctx:first-sentence');
      if (k === sentences.length - 1) flags.push('ctx:last-sentence');
      if (onUnit)
        onUnit({
          turn: i,
          error: anchor.error,
          text: sentence,
          features: sentenceFeatures(sentence, flags),
        });
      if (model.threshold > 1) continue;
      const score = flagsScore(sentence, flags, model);
      if (!anchor.best || score > anchor.best.score) {
        if (anchor.best) anchor.second = anchor.best;
        anchor.best = { score, sentence, previous, action: isAction };
      } else if (!anchor.second || score > anchor.second.score)
        anchor.second = { score, sentence, previous, action: isAction };
    }
  }
  settle();
}
