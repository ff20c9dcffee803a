/**
 * A small learned model that reads one sentence of a user message and says how likely it is
 * to state a lasting lesson (a rule, a preference, a fact about the project, a limit to work
 * around) when the hand-written phrase rules did not recognise it.
 *
 * It is a logistic regression over a few hundred features: the sentence's general words (the
 * trainer keeps only words seen in many different sessions, so no project's vocabulary is
 * learned), its first words, its shape (code, paths, versions, negation, length) and where it
 * sits (after a rejected tool call, in a correcting message, in the first request). The weights
 * are trained by `npm run train` from the labelled fixtures and shipped in
 * `lesson-model-weights.ts`; scoring is a handful of map lookups per sentence.
 * @module
 */

import { LESSON_MODEL } from './lesson-model-weights.js';

/** Where a user sentence sits; what the signal scanner knows about it. */
export interface UnitContext {
  /** The message follows an interrupt, a rejected tool call or an undo. */
  afterStop: boolean;
  /** The message holds a correction marker ("no", "that's wrong"). */
  corrective: boolean;
  /** The message talks about conventions or rules. */
  conventionTurn: boolean;
  /** The message answers the assistant's question tool. */
  answer: boolean;
  /** The message is the first human request of the session. */
  firstPrompt: boolean;
  /** Position of the sentence in its message, from 0. */
  index: number;
  /** How many sentences the message has. */
  count: number;
}

/** Weights of the model, as the trainer writes them. */
export interface LessonModel {
  bias: number;
  /** Score at or above which a sentence is taken as a lesson; above 1, none is. */
  threshold: number;
  weights: Readonly<Record<string, number>>;
}

/** A model that takes no sentence: the phrase rules alone (the trainer collects with it). */
export const RULES_ONLY: LessonModel = Object.freeze({ bias: 0, threshold: 2, weights: {} });

const WORD = /[a-z][a-z'-]*/g;
const PATH =
  /(?:^|\s)[\w.-]*\/[\w./-]+|\b\w+\.(?:py|ts|js|rs|go|rb|java|kt|json|ya?ml|toml|md|sh|sql|c|h|cpp)\b/;
const CONTRAST =
  /\b\w+(?:,|\s)\s*not\s+\w+|\bnot\s+\S+\s*(?:,|but|—|-)|\binstead\b|\brather than\b/i;

/** The words of a sentence as the model sees them: lower case, apostrophes unified. */
export function modelWords(sentence: string): string[] {
  let lower = sentence.toLowerCase();
  if (lower.includes('’')) lower = lower.replace(/’/g, "'");
  const words = lower.match(WORD) ?? [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w.endsWith('-')) words[i] = w.replace(/-+$/, '');
  }
  return words;
}

/**
 * The context flags of a user sentence: where it sits in its message and in the session.
 * Assistant sentences read by the fix model (fix-model.ts) bring their own flags.
 */
export function contextFlags(ctx: UnitContext): string[] {
  const flags: string[] = [];
  if (ctx.afterStop) flags.push('ctx:after-stop');
  if (ctx.corrective) flags.push('ctx:corrective');
  if (ctx.conventionTurn) flags.push('ctx:convention-turn');
  if (ctx.answer) flags.push('ctx:answer');
  if (ctx.firstPrompt) flags.push('ctx:first-prompt');
  if (ctx.index === 0) flags.push('ctx:first-sentence');
  if (ctx.index === ctx.count - 1) flags.push('ctx:last-sentence');
  flags.push(
    ctx.count <= 2 ? 'ctx:short-message' : ctx.count <= 8 ? 'ctx:mid-message' : 'ctx:long-message',
  );
  return flags;
}

/**
 * Calls `word` for each word, `pair` for each pair of neighbouring words (and the first two),
 * `first` with the first word, and `flag` for every shape and context feature. The one place that
 * says what the features are: {@link sentenceFeatures} names them, {@link flagsScore} weighs them.
 */
function visitFeatures(
  sentence: string,
  flags: readonly string[],
  word: (w: string) => void,
  pair: (prefix: 'b' | 'f2', a: string, b: string) => void,
  first: (w: string) => void,
  flag: (name: string) => void,
): void {
  const s = sentence.trim();
  const words = modelWords(s);
  const n = words.length;
  for (let i = 0; i < n; i++) {
    word(words[i] as string);
    if (i + 1 < n) pair('b', words[i] as string, words[i + 1] as string);
  }
  if (n > 0) first(words[0] as string);
  if (n > 1) pair('f2', words[0] as string, words[1] as string);
  flag(n < 5 ? 'len:<5' : n < 10 ? 'len:<10' : n < 20 ? 'len:<20' : n < 40 ? 'len:<40' : 'len:40+');
  const last = s.charAt(s.length - 1);
  if (last === '?') flag('shape:question');
  if (last === '!') flag('shape:exclaim');
  if (/`[^`]+`/.test(s)) flag('shape:code');
  if ((s.includes('/') || s.includes('.')) && PATH.test(s)) flag('shape:path');
  if (/\d\.\d/.test(s)) flag('shape:version');
  if (/\b(?:not|never|don'?t|do not|no|without|avoid)\b/i.test(s)) flag('shape:negation');
  if (CONTRAST.test(s)) flag('shape:contrast');
  if (/[—–:]\s/.test(s)) flag('shape:dash');
  if (/\b[A-Z_]{3,}\b/.test(s)) flag('shape:caps');
  for (const f of flags) flag(f);
}

/**
 * The features of one sentence with its context flags, by name. Word features (`w:`) are
 * emitted for every word, as often as it occurs; the model only weighs those the trainer kept.
 */
export function sentenceFeatures(sentence: string, flags: readonly string[]): string[] {
  const f: string[] = [];
  visitFeatures(
    sentence,
    flags,
    (w) => f.push(`w:${w}`),
    (prefix, a, b) => f.push(`${prefix}:${a} ${b}`),
    (w) => f.push(`f1:${w}`),
    (name) => f.push(name),
  );
  return f;
}

/** The features of one user sentence, by name (see {@link sentenceFeatures}). */
export function unitFeatures(sentence: string, ctx: UnitContext): string[] {
  return sentenceFeatures(sentence, contextFlags(ctx));
}

/** A model's weights split by feature kind, so that scoring builds no feature names. */
interface Tables {
  words: Map<string, number>;
  firsts: Map<string, number>;
  pairs: Map<string, Map<string, number>>;
  flags: Map<string, number>;
}

const TABLES = new WeakMap<LessonModel, Tables>();

function tables(model: LessonModel): Tables {
  const cached = TABLES.get(model);
  if (cached) return cached;
  const t: Tables = { words: new Map(), firsts: new Map(), pairs: new Map(), flags: new Map() };
  for (const [name, weight] of Object.entries(model.weights)) {
    const colon = name.indexOf(':');
    const kind = name.slice(0, colon);
    const rest = name.slice(colon + 1);
    if (kind === 'w') t.words.set(rest, weight);
    else if (kind === 'f1') t.firsts.set(rest, weight);
    else if (kind === 'b' || kind === 'f2') {
      const space = rest.indexOf(' ');
      const key = `${kind}:${rest.slice(0, space)}`;
      let inner = t.pairs.get(key);
      if (!inner) {
        inner = new Map();
        t.pairs.set(key, inner);
      }
      inner.set(rest.slice(space + 1), weight);
    } else t.flags.set(name, weight);
  }
  TABLES.set(model, t);
  return t;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** The model's probability (0..1) that the named features describe a lasting lesson. */
export function lessonScore(
  features: readonly string[],
  model: LessonModel = LESSON_MODEL,
): number {
  let z = model.bias;
  for (const name of features) z += model.weights[name] ?? 0;
  return sigmoid(z);
}

/** The same probability as `lessonScore(sentenceFeatures(sentence, flags))`, without naming features. */
export function flagsScore(sentence: string, flags: readonly string[], model: LessonModel): number {
  const t = tables(model);
  let z = model.bias;
  visitFeatures(
    sentence,
    flags,
    (w) => {
      z += t.words.get(w) ?? 0;
    },
    (prefix, a, b) => {
      z += t.pairs.get(`${prefix}:${a}`)?.get(b) ?? 0;
    },
    (w) => {
      z += t.firsts.get(w) ?? 0;
    },
    (name) => {
      z += t.flags.get(name) ?? 0;
    },
  );
  return sigmoid(z);
}

/** The same probability as `lessonScore(unitFeatures(sentence, ctx))`, without naming features. */
export function sentenceScore(
  sentence: string,
  ctx: UnitContext,
  model: LessonModel = LESSON_MODEL,
): number {
  return flagsScore(sentence, contextFlags(ctx), model);
}
