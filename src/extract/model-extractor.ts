/**
 * The optional model-backed extractor: sends a redacted digest of a session to a command the
 * user configures (their own `claude -p`, `llm`, or a script calling an OpenAI-compatible
 * endpoint) and turns the lessons it answers with into patterns.
 *
 * It is off by default: the default path needs no network and no model. The command gets the
 * prompt on stdin and must print JSON on stdout: `{"lessons": [...]}`, a bare array, Claude
 * Code's `--output-format json` envelope, or an OpenAI chat completion. Everything sent has
 * passed through secret redaction, and everything answered is redacted and checked again
 * before it becomes a pattern.
 * @module
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import {
  checkSamples,
  DEFAULT_EXTRACTOR_SAMPLES,
  EXTRACTOR_CHILD_ENV,
  EXTRACTOR_MAX_PARTS,
  type ReviewMode,
} from '../config/extractor-child.js';
import { AttuneError, ErrorCode } from '../errors.js';
import { errorLine, isFailure } from '../evaluate/error-lessons.js';
import { detectLessons, type Lesson, type SessionSignals } from '../evaluate/signals.js';
import { PatternCategory } from '../model/category.js';
import {
  createPattern,
  type Evidence,
  type ExtractedPattern,
  MAX_EVIDENCE,
} from '../model/pattern.js';
import { isModelSetupLine, type Session, type ToolCall, type Turn } from '../model/session.js';
import { contentWords, evidenceOf, newEvidence, raisedConfidence, similarity } from './merge.js';
import { redactSecrets } from './redact.js';
import { extractSessionPatterns } from './session-extractor.js';
import { deriveTags } from './tags.js';

type Env = Record<string, string | undefined>;

/** Options of {@link extractWithModel}. */
export interface ModelExtractorOptions {
  /** Shell command; reads the prompt on stdin, prints JSON on stdout. */
  command: string;
  /** Killed after this long. @default 180_000 */
  timeoutMs?: number;
  /** Longest session digest put in the prompt, in characters. @default 60_000 */
  maxDigestChars?: number;
  /** Stored in `metadata.project` of project conventions. */
  project?: string;
  /** Extraction time. @default new Date() */
  now?: Date;
  /** Environment of the command. @default process.env */
  env?: Env;
  /** Working folder of the command. @default {@link extractorWorkdir} */
  cwd?: string;
  /**
   * Folder of answers already given, keyed by command and prompt: the same session sent to the
   * same command is answered from here, so learning from a transcript again costs no model call
   * and gives the same patterns. No cache when omitted.
   */
  cacheDir?: string;
  /**
   * Ask the model a second time, with its first answer as a draft (see {@link reviewPrompt}):
   * `complete` checks the draft and adds the lessons it missed (more found, more wrong);
   * `verify` only checks it, keeping what the session shows and will matter later (fewer
   * wrong, fewer found). Twice the calls either way. @default 'off'
   */
  review?: ReviewMode;
  /**
   * Ask the model this many times, independently, and keep every lesson any answer found (see
   * {@link mergeSamples}): models miss different lessons on each reading, so two answers find
   * more, at that many times the calls. The command sees the answer's number in
   * `ATTUNE_EXTRACTOR_SAMPLE`, and gains nothing from it when it answers the same prompt the
   * same way every time (a temperature of 0). @default {@link DEFAULT_EXTRACTOR_SAMPLES} (2)
   */
  samples?: number;
}

/** What {@link extractWithModel} found. */
export interface ModelExtraction {
  patterns: ExtractedPattern[];
  /** Lessons in the answer that were not usable (wrong shape, unknown category, empty). */
  rejected: number;
  /**
   * Lessons the model itself doubted (rated below {@link MIN_PROJECT_FACT_CONFIDENCE}), left
   * out: with one answer its doubted project facts, since most are the task's details rather
   * than a rule of the project; with several, any doubted lesson no other answer found.
   */
  doubtful: number;
  /**
   * Of {@link patterns}, the ids of the doubted lessons kept for {@link mergeSamples} to judge
   * (only when asked with `confirm`).
   */
  doubted?: ReadonlySet<string>;
  /** Why the review call failed, when it did: the first answer was kept as it was. */
  reviewError?: string;
}

/** Default timeout of the extractor command. */
export const DEFAULT_EXTRACTOR_TIMEOUT_MS = 180_000;
/** Default budget of the session digest, in characters (about 15 000 tokens). */
export const DEFAULT_DIGEST_CHARS = 60_000;
/** The most stdout read from the command; an answer is a few kilobytes. */
const MAX_ANSWER_BYTES = 2 * 1024 * 1024;
/** The most lessons taken from one session: more is a model listing the transcript. */
const MAX_LESSONS = 20;
/**
 * The least confidence a model's project fact needs to be kept. The facts a model doubts are
 * mostly what the session happened to read or do (a test command, where a file lives, the
 * task's own request) rather than a rule of the project: over the labelled sets (the 18 real
 * sessions, `blind-13` to `blind-16` and `blind-21` to `blind-24`), 32 of the 39 project facts
 * rated below 0.6 were not lessons, against 85 of all 172. The other categories keep their
 * doubted lessons: 14 of their 23 rated below 0.6 were right.
 */
export const MIN_PROJECT_FACT_CONFIDENCE = 0.6;
// With several answers, agreement judges the doubted lessons instead of their category: one
// rated below MIN_PROJECT_FACT_CONFIDENCE is kept when another answer found it too, left out
// when none did. Over the 18 real sessions that finds two lessons more (doubted facts both
// answers wrote down, with two wrong ones) and leaves out five wrong ones and four right ones
// (doubted lessons one answer guessed; three of the four said again by another pattern).
/** The most confidence a model's lesson gets from one session: repetition earns the rest. */
const MAX_MODEL_CONFIDENCE = 0.9;
/** Set in the command's environment to the answer's number (1, 2, ...) when sampling. */
export const EXTRACTOR_SAMPLE_ENV = 'ATTUNE_EXTRACTOR_SAMPLE';

const CATEGORIES: readonly PatternCategory[] = [
  PatternCategory.USER_CORRECTION,
  PatternCategory.PREFERENCE,
  PatternCategory.PROJECT_SPECIFIC,
  PatternCategory.ERROR_RESOLUTION,
  PatternCategory.WORKAROUND,
];

/** The field limits of a model's lesson, in characters; longer text is cut at a word. */
const LIMITS = { trigger: 160, resolution: 420, context: 420, quote: 200 } as const;

/**
 * Evaluates nothing: extracts the lessons of one session through the configured command (a
 * session too long for one prompt in parts, see {@link sessionParts}).
 * Throws IO when the command cannot run, fails or times out, and INVALID_ARGUMENT when its
 * answer holds no JSON; the caller decides whether to fall back to the built-in rules.
 * `signals`, when given, is `detectSignals(session)` already computed by the caller (for the
 * user's language), so the rules need not read the session again. `earlier` are the sessions
 * before this one in the same file: those of the day before it are shown as context (see
 * {@link earlierContext}).
 */
export async function extractWithModel(
  session: Session,
  options: ModelExtractorOptions,
  signals?: SessionSignals,
  earlier: readonly Session[] = [],
): Promise<ModelExtraction> {
  if (!session.turns.some((t) => t.role === 'user' && t.text.trim())) {
    return { patterns: [], rejected: 0, doubtful: 0 };
  }
  const samples = checkSamples(options.samples ?? DEFAULT_EXTRACTOR_SAMPLES, 'samples');
  // One extraction time for every answer's lessons.
  const made: { project?: string; now: Date } = { now: options.now ?? new Date() };
  if (options.project !== undefined) made.project = options.project;
  const plan = sessionPlan(session, options, earlier);
  const answers: ModelExtraction[] = [];
  let reviewError: string | undefined;
  for (let sample = 1; sample <= samples; sample++) {
    const answer = await askSession(session, options, plan, sample);
    reviewError ??= answer.reviewError;
    answers.push(
      patternsFromLessons(answer.items, session, {
        ...made,
        verified: answer.verified,
        confirm: samples > 1,
      }),
    );
  }
  const extraction = mergeSamples(answers);
  const lessons = signals?.lessons ?? detectLessons(session).lessons;
  return {
    ...extraction,
    patterns: withUserLanguage(extraction.patterns, session, made, lessons),
    ...(reviewError === undefined ? {} : { reviewError }),
  };
}

/** One answer to a session: its lessons, those a `verify` review kept, and a review's failure. */
interface SessionAnswer {
  items: unknown[];
  verified: Set<unknown>;
  reviewError?: string;
}

/** How a session is put to the model, the same for every answer asked. */
interface SessionPlan {
  maxChars: number;
  /** The lines on the earlier sessions of its file. */
  before: string;
  parts: SessionPart[];
  /** The prompt of a session that goes in one part. */
  whole?: string;
}

function sessionPlan(
  session: Session,
  options: ModelExtractorOptions,
  earlier: readonly Session[],
): SessionPlan {
  const maxChars = options.maxDigestChars ?? DEFAULT_DIGEST_CHARS;
  // A session too long for one prompt is sent in parts, one after the other, each told what
  // the earlier parts taught so that it does not write it down again.
  const before = earlierContext(session, earlier);
  const parts = sessionParts(session, maxChars - before.length);
  if (parts.length > 1) return { maxChars, before, parts };
  return { maxChars, before, parts, whole: extractionPrompt(session, maxChars, before) };
}

/**
 * Asks the model for the lessons of one session once (sample `sample` of
 * {@link ModelExtractorOptions.samples}), a session too long for one prompt in parts, each
 * part reviewed when a review is on.
 */
async function askSession(
  session: Session,
  options: ModelExtractorOptions,
  { maxChars, before, parts, whole }: SessionPlan,
  sample: number,
): Promise<SessionAnswer> {
  const answer: SessionAnswer = { items: [], verified: new Set() };
  const mode = options.review ?? 'off';
  for (let k = 0; k < parts.length; k++) {
    const prompt = whole ?? partPrompt(session, maxChars, parts, k, answer.items, before);
    const draft = await askModel(prompt, options, sample);
    // Verifying an empty draft has nothing to check: no second call.
    if (mode === 'off' || (mode === 'verify' && draft.length === 0)) {
      answer.items.push(...draft);
      continue;
    }
    // A failed review costs its improvements, not the lessons already found.
    try {
      const part = whole === undefined ? { parts, k } : undefined;
      const review = reviewPrompt(session, maxChars, draft, mode, part, before);
      const checked = await askModel(review, options, sample);
      answer.items.push(...checked);
      // Checked once more, so not doubted for their confidence.
      if (mode === 'verify') for (const item of checked) answer.verified.add(item);
    } catch (error) {
      answer.items.push(...draft);
      answer.reviewError ??= error instanceof Error ? error.message : String(error);
    }
  }
  return answer;
}

/**
 * The least likeness (of resolution words) at which two answers' lessons of the
 * same category, citing the same turn, are taken for one lesson. Low, since the turn and the
 * category already agree: two answers word one lesson differently, and a turn that teaches two
 * lessons of one category is rare.
 */
const SAME_LESSON_SIMILARITY = 0.2;

/**
 * The same for lessons citing different turns: a lesson the user states, repeats or confirms
 * over several turns is cited at whichever the answer read first. Higher, since only the words
 * say they are one lesson; on the recorded answers, such pairs are 30% alike or more and two
 * different lessons of one session at most 25%.
 */
const SAME_LESSON_ELSEWHERE_SIMILARITY = 0.3;

/**
 * Several answers to one session as one extraction: every lesson any answer found, those that
 * several found (the same pattern, or the same category in words alike, see
 * {@link SAME_LESSON_SIMILARITY} and {@link SAME_LESSON_ELSEWHERE_SIMILARITY}) once, with their
 * confidence raised for the agreement and `metadata.samples` counting the answers that found
 * them. A lesson its answer doubted (`doubted`, see {@link patternsFromLessons}) that no other
 * answer found is left out and counted as `doubtful`. At most {@link MAX_LESSONS} lessons are
 * kept; `rejected` adds up the answers' unusable lessons and those over that limit.
 */
export function mergeSamples(answers: readonly ModelExtraction[]): ModelExtraction {
  const [first, ...rest] = answers;
  if (!first) return { patterns: [], rejected: 0, doubtful: 0 };
  if (rest.length === 0) return first;
  const entry = (pattern: ExtractedPattern, answer: ModelExtraction) => ({
    pattern,
    words: lessonWords(pattern),
    samples: 1,
    doubted: answer.doubted?.has(pattern.patternId) === true,
  });
  const merged = first.patterns.map((pattern) => entry(pattern, first));
  let { rejected, doubtful } = first;
  for (const answer of rest) {
    rejected += answer.rejected;
    // Doubted facts an answer left out itself (asked without `confirm`): the answers mostly
    // doubt the same ones, so counted as the most any one answer left out.
    doubtful = Math.max(doubtful, answer.doubtful);
    // Each earlier lesson stands for at most one of this answer's.
    const taken = new Set<number>();
    const known = merged.length;
    for (const pattern of answer.patterns) {
      const words = lessonWords(pattern);
      let best = -1;
      let bestScore = -1;
      for (let i = 0; i < known; i++) {
        const m = merged[i];
        if (!m || taken.has(i)) continue;
        const score = sameLessonScore(m.pattern, m.words, pattern, words);
        if (score > bestScore) {
          best = i;
          bestScore = score;
        }
      }
      const match = merged[best];
      // A score of -1 is never the same lesson.
      if (match && bestScore >= 0) {
        taken.add(best);
        match.samples++;
        match.pattern = agreed(match.pattern, pattern);
      } else {
        merged.push(entry(pattern, answer));
      }
    }
  }
  const confirmed = merged.filter((m) => m.samples > 1 || !m.doubted);
  doubtful += merged.length - confirmed.length;
  rejected += Math.max(0, confirmed.length - MAX_LESSONS);
  const patterns = confirmed.slice(0, MAX_LESSONS).map(({ pattern, samples }) => ({
    ...pattern,
    metadata: { ...pattern.metadata, samples },
  }));
  return { patterns, rejected, doubtful };
}

function lessonWords(pattern: ExtractedPattern): Set<string> {
  return contentWords(pattern.resolution);
}

/**
 * How alike two answers' lessons are: 1 for the same pattern, their words' likeness when they
 * are of one category and alike enough for the turns they cite, else -1 (never the same lesson).
 */
function sameLessonScore(
  a: ExtractedPattern,
  aWords: ReadonlySet<string>,
  b: ExtractedPattern,
  bWords: ReadonlySet<string>,
): number {
  if (a.patternId === b.patternId) return 1;
  if (a.category !== b.category) return -1;
  const score = similarity(aWords, bWords);
  const turn = (p: ExtractedPattern) => p.metadata.evidence?.[0]?.turn;
  const sameTurn = turn(a) !== undefined && turn(a) === turn(b);
  return score >= (sameTurn ? SAME_LESSON_SIMILARITY : SAME_LESSON_ELSEWHERE_SIMILARITY)
    ? score
    : -1;
}

/**
 * A lesson another answer found too: the first wording, its confidence raised, and the turns
 * both answers cite as its evidence.
 */
function agreed(pattern: ExtractedPattern, other: ExtractedPattern): ExtractedPattern {
  const top = Math.max(pattern.confidence, other.confidence);
  const confidence = Math.min(MAX_MODEL_CONFIDENCE, raisedConfidence(top));
  const evidence = evidenceOf(pattern);
  const more = newEvidence(evidence, evidenceOf(other));
  return {
    ...pattern,
    confidence: Math.round(confidence * 100) / 100,
    metadata:
      more.length === 0
        ? pattern.metadata
        : { ...pattern.metadata, evidence: [...evidence, ...more].slice(0, MAX_EVIDENCE) },
  };
}

/**
 * The model's patterns plus the rules' "Answer the user in <language>" when the user wrote in
 * another language than English and no pattern of the model's names it: a model reads such a
 * session without remarking on its language, and that preference is the one the rules are
 * sure of.
 */
function withUserLanguage(
  patterns: ExtractedPattern[],
  session: Session,
  made: { project?: string; now?: Date },
  lessons: readonly Lesson[],
): ExtractedPattern[] {
  const lesson = lessons.find((l) => l.language !== undefined);
  const language = lesson?.language;
  if (!lesson || !language) return patterns;
  const named = new RegExp(`\\b${language}\\b`, 'i');
  if (patterns.some((p) => named.test(`${p.trigger} ${p.resolution}`))) return patterns;
  const signals = {
    interactionCount: 1,
    signals: [{ kind: lesson.kind, turn: lesson.turn, quote: lesson.quote, strength: 0.6 }],
    lessons: [lesson],
  };
  return [...patterns, ...extractSessionPatterns(session, made, signals)];
}

/** The lessons the command gives for one prompt, from the cache when it was asked before. */
async function askModel(
  prompt: string,
  options: ModelExtractorOptions,
  sample: number,
): Promise<unknown[]> {
  const cached = options.cacheDir
    ? cachePath(options.cacheDir, options.command, prompt, sample)
    : '';
  const known = cached ? readCachedLessons(cached) : undefined;
  if (known) return known;
  const answer = await runExtractorCommand(options.command, prompt, {
    timeoutMs: options.timeoutMs ?? DEFAULT_EXTRACTOR_TIMEOUT_MS,
    env: { ...(options.env ?? process.env), [EXTRACTOR_SAMPLE_ENV]: String(sample) },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  const items = parseModelAnswer(answer);
  if (cached) await writeCachedLessons(cached, items);
  return items;
}

/** The cache file of one answer; the first sample's key is the one caches had before sampling. */
function cachePath(dir: string, command: string, prompt: string, sample: number): string {
  const text = sample === 1 ? `${command}\n${prompt}` : `${command}\nsample ${sample}\n${prompt}`;
  const key = createHash('sha256').update(text).digest('hex').slice(0, 32);
  return join(dir, `${key}.json`);
}

/** The cached lessons, or undefined when there are none or the file is unreadable. */
function readCachedLessons(path: string): unknown[] | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return Array.isArray(value) ? value : undefined;
  } catch {
    // Missing or damaged: ask the model again and overwrite it.
    return undefined;
  }
}

/** Stores the lessons (every string redacted again) atomically; a failure only costs the cache. */
async function writeCachedLessons(path: string, items: readonly unknown[]): Promise<void> {
  try {
    mkdirSync(dirname(path), { recursive: true });
    await writeFileAtomic(path, `${JSON.stringify(redactDeep(items))}\n`);
  } catch {
    // A read-only or full disk must not stop learning.
  }
}

function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value).text;
  if (Array.isArray(value)) return value.map(redactDeep);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)]));
  }
  return value;
}

/**
 * The prompt for one session: what to extract, what not to, the answer's JSON shape, then
 * the session digest. Deterministic for a given session.
 */
export function extractionPrompt(
  session: Session,
  maxDigestChars = DEFAULT_DIGEST_CHARS,
  earlier = '',
): string {
  const digest = sessionDigest(session, maxDigestChars, { earlier });
  return `${INSTRUCTIONS}\n<session>\n${digest}\n</session>\n`;
}

/** Earlier sessions are shown when they began at most this long before the session. */
const EARLIER_WINDOW_MS = 24 * 60 * 60 * 1000;
/** The most characters of the earlier sessions' lines (they count against the digest). */
const EARLIER_CHARS = 2_400;

/**
 * One line on each earlier session of the same file that began within a day before `session`,
 * oldest first, the most recent kept when they do not all fit: when it began, the model it ran
 * (Aider's banner), what the user asked first, and what failed. Aider appends every run to one
 * history, and a user restarts it after a failure: a run that would not start and the run that
 * worked are one story, which neither session tells alone. '' when there are none (or the
 * sessions have no start times).
 */
export function earlierContext(session: Session, earlier: readonly Session[]): string {
  const start = session.startedAt === undefined ? Number.NaN : Date.parse(session.startedAt);
  if (Number.isNaN(start)) return '';
  const lines: string[] = [];
  let room = EARLIER_CHARS;
  for (let i = earlier.length - 1; i >= 0; i--) {
    const other = earlier[i] as Session;
    const began = other.startedAt === undefined ? Number.NaN : Date.parse(other.startedAt);
    if (Number.isNaN(began) || began >= start || start - began > EARLIER_WINDOW_MS) continue;
    const line = earlierLine(other);
    room -= line.length + 1;
    if (room < 0) break;
    lines.unshift(line);
  }
  if (lines.length === 0) return '';
  return `earlier sessions in this file, for context only (write down what this session shows; use these to see what it settled or repeated):\n${lines.join('\n')}`;
}

function earlierLine(session: Session): string {
  const setup = session.setup ?? [];
  // The banner names the main model first.
  const model = setup.find(isModelSetupLine);
  const asked = session.turns.find((t) => t.role === 'user' && t.text.trim() !== '');
  const failures = new Set(setup.filter((l) => !isModelSetupLine(l)));
  for (const turn of session.turns) {
    for (const call of turn.toolCalls) {
      const line = isFailure(call) ? failureLine(call) : undefined;
      if (line) failures.add(line);
    }
  }
  // Python prints an error's bytes with its newlines escaped (`b'[{\\n "error": …`).
  const failed = [...failures].slice(0, 2).map((l) => clip(l.replace(/\\n/g, ' '), 200));
  return [
    `- ${session.startedAt ?? session.id}`,
    model ? ` (${clip(model, 100)})` : '',
    `: ${session.turns.length} turns`,
    asked ? `, first request "${clip(asked.text, 100)}"` : '',
    failed.length > 0 ? `; failed: ${failed.join(' | ')}` : '',
  ].join('');
}

/** A run of consecutive turns, `from` included and `to` not, sent as one prompt. */
export interface SessionPart {
  from: number;
  to: number;
}

/**
 * The parts a session is sent to the model in. One, shortened as far as need be, while the
 * whole session fits with every turn cut to its shortest (on the real sessions one shortened
 * prompt did better than parts: see the README). Only a session that would lose its middle
 * turns goes in runs of consecutive turns that each fit with a modest share of every turn (700
 * characters of prose, 8 tool calls); when more than {@link EXTRACTOR_MAX_PARTS} would be needed
 * it goes whole after all, its middle left out, so one session never costs more calls than that.
 */
export function sessionParts(session: Session, maxChars = DEFAULT_DIGEST_CHARS): SessionPart[] {
  const turns = session.turns;
  const whole: SessionPart[] = [{ from: 0, to: turns.length }];
  // The header, the part line and the set-up lines.
  const room =
    maxChars - 400 - (session.setup ?? []).reduce((n, l) => n + Math.min(l.length, 300) + 8, 0);
  const size = (turn: Turn, budget: TurnBudget) => {
    const block = turnBlock(turn, budget);
    return block === '' ? 0 : block.length + 1;
  };
  let shortest = 0;
  for (const turn of turns) {
    shortest += size(turn, BUDGETS[BUDGETS.length - 1] as TurnBudget);
    if (shortest > room) break;
  }
  if (shortest <= room) return whole;
  const sizes: number[] = [];
  let total = 0;
  for (const turn of turns) {
    sizes.push(size(turn, MODEST));
    total += sizes[sizes.length - 1] as number;
    // Stop early on a huge session: it goes whole anyway.
    if (total > room * EXTRACTOR_MAX_PARTS) return whole;
  }
  const parts: SessionPart[] = [];
  let from = 0;
  let used = 0;
  sizes.forEach((n, i) => {
    if (used + n > room && i > from) {
      parts.push({ from, to: i });
      from = i;
      used = 0;
    }
    used += n;
  });
  parts.push({ from, to: turns.length });
  return parts.length > EXTRACTOR_MAX_PARTS ? whole : parts;
}

/**
 * The prompt for one part of a session sent in parts: the digest of its turns (numbered as in
 * the whole session), and the lessons the earlier parts gave, not to be written down again.
 */
export function partPrompt(
  session: Session,
  maxDigestChars: number,
  parts: readonly SessionPart[],
  k: number,
  earlier: readonly unknown[],
  before = '',
): string {
  // The list counts against the model's context too: at most a sixth of the digest's budget.
  let room = Math.floor(maxDigestChars / 6);
  const notes = earlier.flatMap((item) => {
    if (typeof item !== 'object' || item === null) return [];
    const o = item as Record<string, unknown>;
    if (typeof o.trigger !== 'string' || typeof o.resolution !== 'string') return [];
    const note = `- ${clip(`${o.trigger}: ${o.resolution}`, 240)}`;
    room -= note.length + 1;
    return room < 0 ? [] : [note];
  });
  const already =
    notes.length === 0
      ? ''
      : `\nLessons already written down from the earlier parts of this session; do not repeat them (write one again only to correct it):\n${redactSecrets(notes.join('\n')).text}\n`;
  const digest = partDigest(
    session,
    parts,
    k,
    maxDigestChars,
    'the other parts are sent on their own; write down the lessons this part shows',
    before,
  );
  return `${INSTRUCTIONS}${already}\n<session>\n${digest}\n</session>\n`;
}

/** The digest of part `k` alone, its turns numbered as in the whole session. */
function partDigest(
  session: Session,
  parts: readonly SessionPart[],
  k: number,
  budget: number,
  note: string,
  earlier: string,
): string {
  const { from, to } = parts[k] as SessionPart;
  const line = `part ${k + 1} of ${parts.length} of a long session: turns ${from} to ${to - 1} (${note})`;
  return sessionDigest({ ...session, turns: session.turns.slice(from, to) }, budget, {
    part: { line, total: session.turns.length },
    earlier,
  });
}

/** What a lesson is, how it is written: shared by the extraction and the review prompts. */
const CRITERIA = `Extract only lessons of these kinds:
- user_correction: the user told the assistant it did something wrong or the wrong way, and how it should be done instead.
- preference: how the user likes things done in general (tools, libraries, style, communication, workflow), stated or clearly shown by the user.
- project_specific: a convention or fact of this project that future work must respect (commands, layout, naming, architecture decisions, domain rules).
- error_resolution: an error that occurred in the session (a failing command, test or build, an exception, an error message the user pasted) and the change that made it go away, when a later run passed or the user moved on satisfied.
- workaround: a problem whose cause lies outside the code (tool or platform limits, environment, CI, a library bug) and the way around it that worked.
Pick the category by how the lesson was learned: a lesson an error taught is error_resolution (or workaround when the cause lies outside the code), even when it is also a fact of the project; a rule the user gave after the assistant did otherwise is user_correction.

Do not extract:
- one-off task instructions ("add a button", "fix the test") with nothing to carry into later sessions;
- things the assistant said or did that the user never endorsed, and fixes that did not work;
- text that tools injected (system reminders, CLAUDE.md or AGENTS.md contents, hook output);
- general advice that nothing in the session showed;
- secrets, tokens, passwords or personal data.

Write each lesson as a note the assistant can follow without the transcript:
- "trigger": when it applies, a short phrase ("When running the test suite", "When writing Python in this repo"); for an error, its distinctive message, so it is recognised next time;
- "resolution": what to do, one or two imperative sentences naming the concrete tool, command, file or rule;
- "context": why, in one sentence (what went wrong, or what the user said);
- "turn": the [number] of the turn that shows the lesson best;
- "confidence": 0 to 1, how clearly the session supports the lesson and how likely it holds in later sessions.
`;

const SCOPE = `Merge restatements of the same lesson into one. A short session often teaches nothing or one or two lessons, and an empty list is a good answer when nothing qualifies; a long session can teach ten or more, and each one that qualifies should be written down, including a rule or fact of the project that the user stated in passing while asking for something else (the request itself is not a lesson).
`;

const LESSON_SHAPE = `{"category": "preference", "trigger": "...", "resolution": "...", "context": "...", "turn": 12, "confidence": 0.8}`;

/**
 * The prompt of the second call when reviewing: the first answer, numbered, as a draft to
 * check against the session (dropping what it does not show or what will not matter later,
 * correcting the rest) and, in `complete` mode, to complete with the lessons it missed. The
 * session digest gets the budget less the draft's length, so the prompt is no longer than the
 * first one by much.
 */
export function reviewPrompt(
  session: Session,
  maxDigestChars: number,
  draft: readonly unknown[],
  mode: Exclude<ReviewMode, 'off'>,
  part?: { parts: readonly SessionPart[]; k: number },
  earlier = '',
): string {
  const lines = draft.flatMap((item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return [];
    const o = item as Record<string, unknown>;
    const lesson: Record<string, unknown> = {};
    if (typeof o.category === 'string') lesson.category = clip(o.category, 40);
    for (const key of ['trigger', 'resolution', 'context'] as const) {
      const text = o[key];
      if (typeof text === 'string') lesson[key] = clip(text, LIMITS[key]);
    }
    if (typeof o.turn === 'number' || typeof o.turn === 'string') lesson.turn = o.turn;
    if (typeof o.confidence === 'number') lesson.confidence = o.confidence;
    return lesson.trigger === undefined && lesson.resolution === undefined ? [] : [lesson];
  });
  const listed = lines
    .slice(0, MAX_LESSONS + 10)
    .map((lesson, i) => `${i + 1}. ${JSON.stringify(lesson)}`)
    .join('\n');
  const drafted = redactSecrets(listed || '(none: the first reading found no lesson)').text;
  const budget = Math.max(2_000, maxDigestChars - drafted.length);
  const digest = part
    ? partDigest(
        session,
        part.parts,
        part.k,
        budget,
        'the other parts are reviewed on their own',
        earlier,
      )
    : sessionDigest(session, budget, { earlier });
  const { intro, task } = REVIEW[mode];
  return `${intro}\n<session>\n${digest}\n</session>\n\n<draft>\n${drafted}\n</draft>\n\n${task}`;
}

/**
 * The review call's instructions by mode: `complete` checks the draft and adds what it missed;
 * `verify` only checks, keeping a lesson when the session shows it and it will matter later.
 */
const REVIEW: Record<Exclude<ReviewMode, 'off'>, { intro: string; task: string }> = {
  complete: {
    intro: `You check and complete a draft: the lessons written down from a session between a user and an AI coding assistant, kept so that the assistant does not need to be told again in the next session. The session comes first, then the draft.\n\n${CRITERIA}`,
    task: `Do two things.
1. Check each lesson of the draft against the session. Drop it when the session does not show it, when it is only an instruction for this task, when it records what the assistant did or said that the user neither asked for nor endorsed, when it is general advice, when the fix it names did not work, or when a later turn overturns it. Correct a wrong category, a vague trigger or a resolution that the session does not support; merge lessons that say the same thing.
2. Read the session again, turn by turn, and add every lesson the draft missed: each correction the user made, each rule or fact of the project the user stated (also in passing, while asking for something else), each error and the change that fixed it, each problem with a tool or the environment and the way around it that worked.

Answer with JSON only, no prose, in exactly this shape: the lessons kept (corrected where need be) and added, then the draft's numbers dropped and why:
{"lessons": [${LESSON_SHAPE}], "dropped": [{"draft": 3, "why": "..."}]}
`,
  },
  verify: {
    intro: `You check a draft: the lessons written down from a session between a user and an AI coding assistant, kept so that the assistant does not need to be told again in the next session. A draft often holds lessons that should not have been written down; your task is to find them. The session comes first, then the draft.\n\n${CRITERIA}`,
    task: `Check each lesson of the draft against the session, and keep it only when all of these hold:
- The session shows it: the user said it, asked for it or confirmed it; or an error occurred and a later turn shows that the named change made it go away (a later run passed, or the user moved on satisfied).
- It will matter in later sessions: a rule, preference or convention, a fact of the project that later work depends on, or an error that can happen again and its fix. Drop a fix of a bug in code written or changed during this session that cannot recur once fixed, and an instruction for this task only (what to build now, what to write in this README, the value this one test expects).
- It was not merely read off the project: drop a fact of the project (its layout, test framework, commands, file names) that the draft inferred from what the assistant saw in files, logs or output, when the user never stated it and the session never turned on it (the assistant did not get it wrong, and no error or correction came of it).
- It is not general advice, not something the assistant did or said that the user never endorsed, and no later turn overturns it.
Correct a kept lesson's wrong category, vague trigger, or a resolution the session does not support; merge lessons that say the same thing. Do not add lessons the draft lacks.

Answer with JSON only, no prose, in exactly this shape: the lessons kept (corrected where need be), then the draft's numbers dropped and why:
{"lessons": [${LESSON_SHAPE}], "dropped": [{"draft": 3, "why": "..."}]}
`,
  },
};

const INSTRUCTIONS = `You read a transcript of a session between a user and an AI coding assistant, and write down the lessons a careful engineer would keep so that the assistant does not need to be told again in the next session.

${CRITERIA}${SCOPE}
Answer with JSON only, no prose, in exactly this shape:
{"lessons": [${LESSON_SHAPE}]}
`;

/**
 * A compact, redacted text of a session, at most `maxChars` long: every turn numbered as in
 * `session.turns`, user text first to survive, assistant prose and tool calls cut shorter
 * (failures keep their error line) until it fits; if it still does not, middle turns are left
 * out and the gap is marked.
 */
export function sessionDigest(
  session: Session,
  maxChars = DEFAULT_DIGEST_CHARS,
  extras: { part?: { line: string; total: number }; earlier?: string } = {},
): string {
  const { part, earlier } = extras;
  const header = [
    `session ${session.id} (${session.format}), ${part?.total ?? session.turns.length} turns`,
    ...(part ? [part.line] : []),
    ...(session.cwd ? [`working directory: ${session.cwd}`] : []),
    ...(session.title ? [`title: ${session.title}`] : []),
    ...(session.setup ?? []).map((line) => `setup: ${clip(line, 300)}`),
    ...(earlier ? [earlier] : []),
  ].join('\n');
  const turns = session.turns;
  const finish = (blocks: readonly string[]) =>
    redactSecrets(`${header}\n${blocks.join('\n')}`).text;
  // Each pass stops as soon as it is over the limit, so a huge session costs no more than a
  // digest's worth of turns per pass.
  const fit = (budget: TurnBudget): string[] | undefined => {
    const blocks: string[] = [];
    let used = header.length;
    for (const turn of turns) {
      const block = turnBlock(turn, budget);
      if (block === '') continue;
      used += block.length + 1;
      if (used > maxChars) return undefined;
      blocks.push(block);
    }
    return blocks;
  };
  for (let i = 0; i < BUDGETS.length; i++) {
    const budget = BUDGETS[i] as TurnBudget;
    const blocks = fit(budget);
    if (!blocks) continue;
    // The tiers are far apart: a session that just misses one gets the most of the room left
    // between it and the tier that fits, rather than a digest half the size it could be.
    const larger = BUDGETS[i - 1];
    if (larger) {
      for (const share of BLENDS) {
        const blended = fit(blend(budget, larger, share));
        if (blended) return finish(blended);
      }
    }
    return finish(blocks);
  }
  // Still too long: keep the start and the end (where corrections and confirmations tend to
  // be), leaving out the middle.
  const smallest = BUDGETS[BUDGETS.length - 1] as TurnBudget;
  const front: string[] = [];
  const back: string[] = [];
  let used = header.length + 60;
  let head = 0;
  let tail = turns.length;
  let frontFull = false;
  let backFull = false;
  while (head < tail && !(frontFull && backFull)) {
    if (!frontFull) {
      const block = turnBlock(turns[head] as Turn, smallest);
      if (block !== '' && used + block.length + 1 > maxChars) frontFull = true;
      else {
        if (block !== '') front.push(block);
        used += block.length + 1;
        head++;
      }
    }
    if (head >= tail || backFull) continue;
    const block = turnBlock(turns[tail - 1] as Turn, smallest);
    if (block !== '' && used + block.length + 1 > maxChars) backFull = true;
    else {
      if (block !== '') back.push(block);
      used += block.length + 1;
      tail--;
    }
  }
  const gap = tail - head;
  return finish([
    ...front,
    ...(gap > 0 ? [`[... ${gap} turns left out ...]`] : []),
    ...back.reverse(),
  ]);
}

interface TurnBudget {
  user: number;
  assistant: number;
  calls: number;
  call: number;
}

/**
 * How much of each turn the digest keeps, most first: the first that fits the limit is used.
 * An agent's turn can hold a hundred tool calls and pages of prose between them, and the
 * lessons of a long session are often in that work, so a session that fits is shown nearly
 * whole rather than cut to a few calls a turn.
 */
const BUDGETS: readonly TurnBudget[] = [
  { user: 4000, assistant: 6000, calls: 150, call: 240 },
  { user: 4000, assistant: 3000, calls: 60, call: 200 },
  { user: 3000, assistant: 1500, calls: 24, call: 180 },
  { user: 2500, assistant: 700, calls: 8, call: 160 },
  { user: 1500, assistant: 300, calls: 3, call: 140 },
  { user: 800, assistant: 120, calls: 1, call: 120 },
];

/** The steps tried between a tier that fits and the one above it, largest first. */
const BLENDS = [0.75, 0.5, 0.25] as const;

/** `share` of the way from `low` to `high`, each limit rounded down. */
function blend(low: TurnBudget, high: TurnBudget, share: number): TurnBudget {
  const at = (a: number, b: number) => Math.floor(a + (b - a) * share);
  return {
    user: at(low.user, high.user),
    assistant: at(low.assistant, high.assistant),
    calls: at(low.calls, high.calls),
    call: at(low.call, high.call),
  };
}

/** How much of each turn a part of a session sent in parts shows. */
const MODEST = BUDGETS[3] as TurnBudget;

function turnBlock(turn: Turn, budget: TurnBudget): string {
  if (turn.role === 'user') {
    const kind = turn.kind ?? 'prompt';
    const label =
      kind === 'answer'
        ? 'USER (answering the assistant)'
        : kind === 'interrupt'
          ? 'USER (interrupted the assistant)'
          : kind === 'rejection'
            ? 'USER (rejected the tool call)'
            : 'USER';
    return `[${turn.index}] ${label}: ${clip(turn.text, budget.user)}`;
  }
  const lines: string[] = [];
  const prose = turn.text.trim();
  if (prose) lines.push(`[${turn.index}] ASSISTANT: ${clipEnds(prose, budget.assistant)}`);
  else if (turn.toolCalls.length > 0) lines.push(`[${turn.index}] ASSISTANT (tools only)`);
  const kept = keptCalls(turn.toolCalls, budget.calls);
  let last = -1;
  for (const i of kept) {
    if (i > last + 1) lines.push(`  (${i - last - 1} tool calls left out)`);
    lines.push(`  ${callLine(turn.toolCalls[i] as ToolCall, budget.call)}`);
    last = i;
  }
  const after = turn.toolCalls.length - last - 1;
  if (after > 0) lines.push(`  (${after} tool calls left out)`);
  return lines.join('\n');
}

/**
 * The indexes, in order, of at most `max` calls to show: every failure and the call after it
 * (what was tried next) first, as error lessons come from them, then calls spread evenly
 * over the rest of the turn.
 */
function keptCalls(calls: readonly ToolCall[], max: number): number[] {
  if (calls.length <= max) return calls.map((_, i) => i);
  const keep = new Set<number>();
  for (let i = 0; i < calls.length && keep.size < max; i++) {
    if (!isFailure(calls[i] as ToolCall)) continue;
    keep.add(i);
    if (i + 1 < calls.length && keep.size < max) keep.add(i + 1);
  }
  const room = max - keep.size;
  for (let k = 0; k < room; k++) {
    const i = Math.floor(((k + 0.5) * calls.length) / room);
    if (keep.size < max) keep.add(Math.min(calls.length - 1, i));
  }
  return [...keep].sort((a, b) => a - b);
}

/** The error line of each failed call, worked out once however many passes need it. */
const ERROR_LINES = new WeakMap<ToolCall, string | undefined>();

function callLine(call: ToolCall, max: number): string {
  const input = clip(call.input, max);
  if (!isFailure(call)) return `${call.name}: ${input} -> ok`;
  const code = call.exitCode !== undefined ? ` (exit ${call.exitCode})` : '';
  const line = failureLine(call);
  return `${call.name}: ${input} -> FAILED${code}${line ? `: ${clip(line, max)}` : ''}`;
}

/** What a failed call's output says went wrong: its error line, else its last line. */
function failureLine(call: ToolCall): string | undefined {
  if (ERROR_LINES.has(call)) return ERROR_LINES.get(call);
  const line = call.output ? (errorLine(call.output) ?? lastLine(call.output)) : undefined;
  ERROR_LINES.set(call, line);
  return line;
}

function lastLine(text: string): string | undefined {
  // Only the end of a long output matters.
  const lines = text.slice(-4000).trim().split('\n');
  return lines[lines.length - 1]?.trim() || undefined;
}

function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  if (one.length <= max) return one;
  return `${cutAtWord(one, max - 1)}…`;
}

/**
 * `text` on one line, at most `max` characters: a long text keeps its start and its end, since
 * an agent's turn usually ends with what it did and why.
 */
function clipEnds(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  if (one.length <= max || max < 400) return clip(one, max);
  const tail = Math.floor(max * 0.4);
  const end = one.slice(one.length - tail);
  const from = end.indexOf(' ');
  return `${cutAtWord(one, max - tail - 5)} […] ${from > 0 && from < 40 ? end.slice(from + 1) : end}`;
}

function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd();
}

/** Options of {@link runExtractorCommand}. */
export interface RunExtractorOptions {
  timeoutMs: number;
  env?: Env;
  /** Working folder of the command. @default a folder of its own under the OS temp folder */
  cwd?: string;
}

/**
 * The extractor's own working folder. Not the project's: a `claude -p` extractor records its
 * session under the folder it runs in, and that recording must not become the project's
 * "latest session", nor the project's CLAUDE.md part of the extraction.
 */
export function extractorWorkdir(): string {
  const dir = join(tmpdir(), 'attune-extractor');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Runs the extractor command through the shell with `input` on stdin and returns its stdout.
 * The command and its children are killed on timeout. Throws IO naming the command on a
 * start failure, a non-zero exit (with its last stderr line) or a timeout.
 */
export function runExtractorCommand(
  command: string,
  input: string,
  options: RunExtractorOptions,
): Promise<string> {
  const env = { ...(options.env ?? process.env), [EXTRACTOR_CHILD_ENV]: '1' };
  const windows = process.platform === 'win32';
  return new Promise((resolve, reject) => {
    const child = spawn(command, {
      shell: true,
      env,
      cwd: options.cwd ?? extractorWorkdir(),
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so a timeout kills what the shell started too.
      detached: !windows,
      windowsHide: true,
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let timedOut = false;
    let settled = false;
    const finish = (error: AttuneError | undefined, value?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value ?? '');
    };
    const kill = () => {
      try {
        if (!windows && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > MAX_ANSWER_BYTES) {
        kill();
        finish(
          failure(command, `printed more than ${MAX_ANSWER_BYTES / 1024 / 1024} MB on stdout`),
        );
        return;
      }
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString('utf8')).slice(-4000);
    });
    child.on('error', (error) => finish(failure(command, `could not start: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (timedOut) {
        finish(failure(command, `timed out after ${Math.round(options.timeoutMs / 1000)} s`));
      } else if (code !== 0) {
        const why = lastLine(redactSecrets(err).text);
        finish(
          failure(command, `exited with ${code ?? signal}${why ? `: ${clip(why, 300)}` : ''}`),
        );
      } else {
        finish(undefined, Buffer.concat(out).toString('utf8'));
      }
    });
    // A command that does not read its stdin closes the pipe early: that is not an error.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

function failure(command: string, problem: string): AttuneError {
  return new AttuneError(ErrorCode.IO, `extractor command ${JSON.stringify(command)} ${problem}`, {
    suggestion:
      'Check the command by hand (it reads the prompt on stdin and prints JSON), or unset it to use the built-in rules: --extractor rules.',
  });
}

/**
 * The lesson objects in an extractor's answer. Accepts `{"lessons": [...]}`, a bare array,
 * Claude Code's `--output-format json` envelope (`{"result": "..."}`), an OpenAI chat
 * completion (`choices[0].message.content`), and any of these wrapped in prose or a fenced
 * code block. Throws INVALID_ARGUMENT when no such JSON is found.
 */
export function parseModelAnswer(answer: string): unknown[] {
  const found = lessonsIn(answer, 0);
  if (found) return found;
  const shown = clip(answer, 120) || '(nothing)';
  throw new AttuneError(
    ErrorCode.INVALID_ARGUMENT,
    `the extractor's answer holds no lessons JSON: ${JSON.stringify(shown)}`,
    {
      suggestion:
        'The command must print {"lessons": [...]} (or Claude Code\'s --output-format json envelope).',
    },
  );
}

function lessonsIn(text: string, depth: number): unknown[] | undefined {
  if (depth > 3) return undefined;
  for (const candidate of jsonCandidates(text)) {
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch {
      continue;
    }
    const lessons = lessonsOf(value, depth);
    if (lessons) return lessons;
  }
  return undefined;
}

function lessonsOf(value: unknown, depth: number): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  if (Array.isArray(o.lessons)) return o.lessons;
  if (Array.isArray(o.patterns)) return o.patterns;
  // Claude Code: {"type": "result", "result": "<the model's text>"}; a structured answer may
  // also come as an object.
  if (typeof o.result === 'string') return lessonsIn(o.result, depth + 1);
  if (typeof o.result === 'object' && o.result !== null) return lessonsOf(o.result, depth + 1);
  if (typeof o.structured_output === 'object' && o.structured_output !== null) {
    return lessonsOf(o.structured_output, depth + 1);
  }
  // OpenAI chat completion.
  if (Array.isArray(o.choices)) {
    const first = o.choices[0] as { message?: { content?: unknown } } | undefined;
    const content = first?.message?.content;
    if (typeof content === 'string') return lessonsIn(content, depth + 1);
  }
  return undefined;
}

/** The whole text, then fenced blocks, then the widest `{...}` and `[...]` spans. */
function jsonCandidates(text: string): string[] {
  const out = [text.trim()];
  for (const m of text.matchAll(/```(?:json)?\s*\n([\s\S]*?)```/g)) out.push((m[1] ?? '').trim());
  for (const [open, close] of [
    ['{', '}'],
    ['[', ']'],
  ] as const) {
    const start = text.indexOf(open);
    const end = text.lastIndexOf(close);
    if (start >= 0 && end > start) out.push(text.slice(start, end + 1));
  }
  return out;
}

/**
 * Validates an extractor's lessons and turns the usable ones into patterns: a known category,
 * a non-empty trigger and resolution, each field redacted and cut to a note's length, the
 * turn checked against the session (it becomes the evidence), confidence kept within
 * 0.3..0.9. A lesson rated below {@link MIN_PROJECT_FACT_CONFIDENCE} is doubted unless it is in
 * `verified` (kept by a `verify` review): a doubted project fact is left out (counted as
 * `doubtful`), or with `confirm` (one of several answers) every doubted lesson is kept and named
 * in `doubted`, for {@link mergeSamples} to keep when another answer found it too. The same
 * lesson twice gives one pattern; at most 20 are taken.
 */
export function patternsFromLessons(
  items: readonly unknown[],
  session: Session,
  options: {
    project?: string;
    now?: Date;
    verified?: ReadonlySet<unknown>;
    confirm?: boolean;
  } = {},
): ModelExtraction {
  const at = options.now ?? new Date();
  const byId = new Map<string, ExtractedPattern>();
  const doubted = new Set<string>();
  let rejected = 0;
  let doubtful = 0;
  for (const item of items) {
    const pattern = toPattern(item, session, at, options.project);
    if (!pattern) {
      rejected++;
      continue;
    }
    const doubt = pattern.confidence < MIN_PROJECT_FACT_CONFIDENCE && !options.verified?.has(item);
    if (doubt && !options.confirm && pattern.category === PatternCategory.PROJECT_SPECIFIC) {
      doubtful++;
      continue;
    }
    if (byId.has(pattern.patternId)) continue;
    if (byId.size >= MAX_LESSONS) {
      rejected++;
      continue;
    }
    byId.set(pattern.patternId, pattern);
    if (doubt && options.confirm) doubted.add(pattern.patternId);
  }
  const patterns = [...byId.values()];
  return options.confirm
    ? { patterns, rejected, doubtful, doubted }
    : { patterns, rejected, doubtful };
}

function toPattern(
  item: unknown,
  session: Session,
  at: Date,
  project: string | undefined,
): ExtractedPattern | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const o = item as Record<string, unknown>;
  const category = categoryOf(o.category);
  const trigger = field(o.trigger, LIMITS.trigger);
  const resolution = field(o.resolution, LIMITS.resolution);
  if (!category || !trigger || !resolution) return undefined;
  // A lesson that was nothing but a secret is no lesson.
  if (/^\[REDACTED:[a-z0-9-]+\]\.?$/.test(resolution)) return undefined;
  const context = field(o.context, LIMITS.context) ?? 'Read by the extractor model.';
  const turn = turnOf(o.turn, session);
  const evidence: Evidence = { sessionId: session.id };
  if (turn !== undefined) {
    evidence.turn = turn;
    const quote = field(session.turns[turn]?.text, LIMITS.quote);
    if (quote) evidence.quote = quote;
  }
  const raw =
    typeof o.confidence === 'number' && Number.isFinite(o.confidence) ? o.confidence : 0.6;
  const confidence = Math.round(Math.min(MAX_MODEL_CONFIDENCE, Math.max(0.3, raw)) * 100) / 100;
  const metadata: Record<string, unknown> = {
    observations: 1,
    evidence: [evidence],
    extractor: 'model',
  };
  if (project !== undefined && category === PatternCategory.PROJECT_SPECIFIC) {
    metadata.project = project;
  }
  return createPattern({
    category,
    trigger: stripPeriod(trigger),
    resolution: sentence(resolution),
    context: sentence(context),
    confidence,
    tags: deriveTags(`${trigger} ${resolution}`),
    extractedAt: at,
    sourceSession: session.id,
    metadata,
  });
}

function categoryOf(value: unknown): PatternCategory | undefined {
  if (typeof value !== 'string') return undefined;
  const normal = value
    .trim()
    .toLowerCase()
    .replace(/[-\s]+/g, '_');
  const aliases: Record<string, PatternCategory> = {
    correction: PatternCategory.USER_CORRECTION,
    convention: PatternCategory.PROJECT_SPECIFIC,
    project_convention: PatternCategory.PROJECT_SPECIFIC,
  };
  const category = aliases[normal] ?? (normal as PatternCategory);
  return CATEGORIES.includes(category) ? category : undefined;
}

function field(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = redactSecrets(value.replace(/\s+/g, ' ').trim()).text;
  if (!text) return undefined;
  return text.length <= max ? text : `${cutAtWord(text, max - 1)}…`;
}

function turnOf(value: unknown, session: Session): number | undefined {
  const n = typeof value === 'string' ? Number(value.replace(/^\[|\]$/g, '')) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) return undefined;
  return n >= 0 && n < session.turns.length ? n : undefined;
}

function stripPeriod(text: string): string {
  return text.replace(/[.!]+$/, '');
}

function sentence(text: string): string {
  const upper = (text[0]?.toUpperCase() ?? '') + text.slice(1);
  return /[.!?)…`"]$/.test(upper) ? upper : `${upper}.`;
}
