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
  /** Score at or above which a sentence is taken as a lesson. */
  threshold: number;
  weights: Readonly<Record<string, number>>;
}

const WORD = /[a-z][a-z'’-]*/g;

/** The words of a sentence as the model sees them: lower case, apostrophes unified. */
export function modelWords(sentence: string): string[] {
  return (sentence.toLowerCase().replace(/’/g, "'").match(WORD) ?? []).map((w) =>
    w.replace(/^-+|-+$/g, ''),
  );
}

/**
 * The features of one sentence. Word features (`w:`) are emitted for every word; the model
 * only weighs those the trainer kept, so the list stays the same for training and scoring.
 */
export function unitFeatures(sentence: string, ctx: UnitContext): string[] {
  const s = sentence.trim();
  const words = modelWords(s);
  const f = new Set<string>();
  for (const w of words) f.add(`w:${w}`);
  for (let i = 0; i + 1 < words.length; i++) f.add(`b:${words[i]} ${words[i + 1]}`);
  if (words[0]) f.add(`f1:${words[0]}`);
  if (words[1]) f.add(`f2:${words[0]} ${words[1]}`);
  const n = words.length;
  f.add(
    n < 5 ? 'len:<5' : n < 10 ? 'len:<10' : n < 20 ? 'len:<20' : n < 40 ? 'len:<40' : 'len:40+',
  );
  if (/\?\s*$/.test(s)) f.add('shape:question');
  if (/!\s*$/.test(s)) f.add('shape:exclaim');
  if (/`[^`]+`/.test(s)) f.add('shape:code');
  if (
    /(?:^|\s)[\w.-]*\/[\w./-]+|\b\w+\.(?:py|ts|js|rs|go|rb|java|kt|json|ya?ml|toml|md|sh|sql|c|h|cpp)\b/.test(
      s,
    )
  )
    f.add('shape:path');
  if (/\b\d+\.\d+/.test(s)) f.add('shape:version');
  if (/\b(?:not|never|don'?t|do not|no|without|avoid)\b/i.test(s)) f.add('shape:negation');
  if (/\b\w+(?:,|\s)\s*not\s+\w+|\bnot\s+\S+\s*(?:,|but|—|-)|\binstead\b|\brather than\b/i.test(s))
    f.add('shape:contrast');
  if (/[—–:]\s/.test(s)) f.add('shape:dash');
  if (/\b[A-Z_]{3,}\b/.test(s)) f.add('shape:caps');
  if (ctx.afterStop) f.add('ctx:after-stop');
  if (ctx.corrective) f.add('ctx:corrective');
  if (ctx.conventionTurn) f.add('ctx:convention-turn');
  if (ctx.answer) f.add('ctx:answer');
  if (ctx.firstPrompt) f.add('ctx:first-prompt');
  if (ctx.index === 0) f.add('ctx:first-sentence');
  if (ctx.index === ctx.count - 1) f.add('ctx:last-sentence');
  f.add(
    ctx.count <= 2 ? 'ctx:short-message' : ctx.count <= 8 ? 'ctx:mid-message' : 'ctx:long-message',
  );
  return [...f];
}

/** The model's probability (0..1) that the features describe a lasting lesson. */
export function lessonScore(
  features: readonly string[],
  model: LessonModel = LESSON_MODEL,
): number {
  let z = model.bias;
  for (const name of features) z += model.weights[name] ?? 0;
  return 1 / (1 + Math.exp(-z));
}

/** True when the model takes the sentence for a lasting lesson. */
export function isLessonSentence(
  sentence: string,
  ctx: UnitContext,
  model: LessonModel = LESSON_MODEL,
): boolean {
  return lessonScore(unitFeatures(sentence, ctx), model) >= model.threshold;
}
