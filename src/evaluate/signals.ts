/**
 * Signal detection: finds, in a read session, the places a careful engineer would learn from
 * (user corrections, error resolutions, stated preferences, workarounds, project conventions).
 *
 * Only human text and failing tool results are scanned; every regular expression is compiled
 * once and run over each line at most a few times, so detection is linear in the transcript.
 * @module
 */

import type { Session, Turn } from '../model/session.js';
import { detectPastedErrorResolution, detectToolLessons } from './error-lessons.js';
import { detectModelFixes, type FixUnit } from './fix-model.js';
import { type LessonModel, sentenceScore, type UnitContext, unitFeatures } from './lesson-model.js';
import { FIX_MODEL, LESSON_MODEL } from './lesson-model-weights.js';
import {
  contentWords,
  type Directive,
  elaborationOf,
  hasCorrectionMarker,
  isMostlyLatin,
  isProhibition,
  joinInstructions,
  parseDirective,
  stripFillers,
  toSentence,
} from './phrases.js';
import { clip, FRUSTRATION, redactText } from './text.js';
import { sessionLanguage } from './user-language.js';

/** What kind of learning signal a place in the session shows. */
export { normaliseError } from './error-lessons.js';
export { clip } from './text.js';

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
  /**
   * The lessons behind the signals, so the session extractor need not detect them again.
   * Set by {@link detectSignals} as a non-enumerable property: it never shows in JSON output.
   */
  readonly lessons?: readonly Lesson[];
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
  /** For fixes: the assistant's one-sentence diagnosis, kept for the pattern's context. */
  cause?: string;
  /** For tool errors: the command that failed (`cargo test`), for the trigger. */
  command?: string;
  /** For answers to the assistant's question tool: the question asked. */
  question?: string;
  /** Found by the fix model (fix-model.ts) rather than the error rules. */
  fromModel?: boolean;
  /** For the preference to be answered in the user's language: that language. */
  language?: string;
  /**
   * Lessons with the same thread state one lesson: consecutive sentences of one turn that
   * elaborate the same rule, or a correction the user repeats over consecutive turns.
   */
  thread?: number;
}

/** Finds the learning signals of a session (see the module comment). */
export function detectSignals(session: Session): SessionSignals {
  const { interactionCount, lessons } = detectLessons(session);
  const result: SessionSignals = {
    interactionCount,
    signals: lessons.map((l) => ({
      kind: l.kind,
      turn: l.turn,
      quote: l.quote,
      strength: Math.round(l.strength * 100) / 100,
    })),
  };
  Object.defineProperty(result, 'lessons', { value: lessons, enumerable: false });
  return result;
}

const INTERACTIVE_KINDS = new Set(['prompt', 'answer', undefined]);

/** A user sentence as the lesson model sees it (reported for training). */
export interface ModelUnit {
  turn: number;
  text: string;
  features: string[];
  /** The phrase rules left it to the model. */
  offered: boolean;
  /** A phrase rule took it. */
  rule: boolean;
}

/** Options of {@link detectLessons}. */
export interface DetectOptions {
  /** The lesson model that reads sentences the phrase rules did not take. */
  model?: LessonModel;
  /** Called with every sentence the model can read, offered to it or not (for training). */
  onUnit?: (unit: ModelUnit) => void;
  /** The fix model that reads the assistant's sentences after errors the rules left alone. */
  fixModel?: LessonModel;
  /** Called with every assistant sentence the fix model reads (for training). */
  onFixUnit?: (unit: FixUnit) => void;
}

/**
 * The lessons of a session with everything needed to phrase them, in turn order.
 * Shared by {@link detectSignals} and the session extractor.
 */
export function detectLessons(
  session: Session,
  options: DetectOptions = {},
): { interactionCount: number; lessons: Lesson[] } {
  const model = options.model ?? LESSON_MODEL;
  const lessons: Lesson[] = [];
  let interactionCount = 0;
  let afterStop = false;
  const threads = { next: 1, run: 0, lastRunTurn: -10, lastPromptTurn: -10, lastStrong: false };
  const turns = session.turns;
  const prompts: Array<{ index: number; text: string }> = [];
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
    // Aider's chat modes ("/ask shouldn't …", "/architect …") prefix the user's own words.
    const text = (turn.text ?? '').replace(/^\s*\/(?:ask|architect|code|chat)\s+(?=\S)/i, '');
    if (kind === 'rejection') {
      afterStop = true;
      if (text.trim())
        scanUserText(text, i, true, lessons, threads, { model, onUnit: options.onUnit });
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
    if (kind !== 'answer') prompts.push({ index: i, text });
    // "Actually, never mind, let's keep bash": the previous request is cancelled.
    if (CANCEL.test(text)) dropLessonsOf(lessons, threads.lastPromptTurn);
    else if (REVERT.test(text)) dropReverted(lessons, threads.lastPromptTurn, text);
    dropRevoked(lessons, text);
    const before = lessons.length;
    const strong =
      scanUserText(text, i, afterStop, lessons, threads, {
        model,
        onUnit: options.onUnit,
        answer: kind === 'answer',
        firstPrompt: interactionCount === 1,
      }) || afterStop;
    if (kind === 'answer') {
      const question = questionBefore(turns, i);
      for (let k = before; k < lessons.length; k++) {
        const l = lessons[k] as Lesson;
        if (question) l.question = question;
      }
    }
    if (lessons.length === before && FRUSTRATION.test(text)) {
      // A frustrated correction is a signal even when no lasting lesson can be phrased.
      lessons.push({
        kind: 'correction',
        turn: i,
        quote: redactText(clip(text, 160)),
        strength: 0.6,
      });
    }
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
    if (lessons.length === before) endorsedSuggestion(turns, i, text, lessons);
    detectPastedErrorResolution(turns, i, lessons);
    afterStop = false;
  }
  detectModelFixes(turns, lessons, {
    model: options.fixModel ?? FIX_MODEL,
    onUnit: options.onFixUnit,
  });
  const language = languageLesson(prompts);
  if (language) lessons.push(language);
  return { interactionCount, lessons: dedupeByTurn(lessons) };
}

/**
 * A user who writes to the assistant in another language than English wants answers in it:
 * the one preference the rules can read from text they cannot otherwise parse.
 */
function languageLesson(
  prompts: ReadonlyArray<{ index: number; text: string }>,
): Lesson | undefined {
  const found = sessionLanguage(prompts);
  if (!found) return undefined;
  const first = prompts.find((p) => p.index === found.first);
  const quote = redactText(clip((first?.text ?? '').replace(/\s+/g, ' ').trim(), 160));
  return {
    kind: 'preference',
    turn: found.first,
    quote,
    strength: 0.6,
    language: found.language,
    directive: {
      kind: 'preference',
      quote,
      instruction: `Answer the user in ${found.language}, the language they write in.`,
      reason: `the user wrote to the assistant in ${found.language}`,
      strength: 0.6,
    },
  };
}

// A design point put as a question the assistant then agrees with: "shouldn't `PixelsPerMeter`
// be a global setting?" — "Yes, ...". Each rewrites the question as the rule it proposes.
const SUGGESTIONS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [
    /^shouldn'?t (?!(?:this|that|it|these|those|we|you|i|there) )(.{3,80}?) (be|live|go|come|inherit|extend|use) (.{3,200})$/i,
    (m) => `${m[1]} should ${m[2]} ${m[3]}`,
  ],
  [
    /^wouldn'?t (?:we|you|i) (?:want|need) (?!(?:this|that|it|these|those) )(.{2,60}?) to (.{3,200})$/i,
    (m) => `${m[1]} should ${m[2]}`,
  ],
  [
    /^(?:wouldn'?t it be (?:better|cleaner|simpler)|isn'?t it (?:better|cleaner|simpler)) to (.{3,200})$/i,
    (m) => m[1] ?? '',
  ],
];

/** The assistant's reply opens by agreeing. */
const AGREES =
  /^\W*(?:yes|yeah|yep|indeed|absolutely|exactly|definitely|agreed|you'?re (?:absolutely |completely |quite )?right|(?:that'?s )?(?:a )?(?:good|great|excellent|smart|fair) (?:point|idea|call|catch|instinct|thought|question))\b/i;

/** `text` is the prompt at `index` without its chat-mode prefix. */
function endorsedSuggestion(
  turns: readonly Turn[],
  index: number,
  text: string,
  out: Lesson[],
): void {
  const reply = turns[index + 1];
  if (reply?.role !== 'assistant' || !AGREES.test(reply.text.slice(0, 120))) return;
  for (const sentence of sentencesOf(proseLines(text))) {
    const q = /^(?:(?:but|so|and|also|hmm+|ok(?:ay)?)[,\s]+)?(.+?)\s*\?$/i.exec(
      sentence.trim(),
    )?.[1];
    if (!q) continue;
    for (const [re, build] of SUGGESTIONS) {
      const m = re.exec(q);
      if (!m) continue;
      // "... so that in the inspector we can attach wheels": the purpose is the reason.
      const [body, reason] = q === m[0] ? splitPurpose(build(m)) : [undefined, undefined];
      if (!body || body.split(/\s+/).length < 3) continue;
      const directive: Directive = {
        kind: 'correction',
        quote: redactText(clip(sentence.trim(), 200)),
        instruction: redactText(toSentence(body.charAt(0).toUpperCase() + body.slice(1))),
        strength: 0.6,
      };
      if (reason) directive.reason = redactText(reason);
      out.push({
        kind: 'correction',
        turn: index,
        quote: directive.quote,
        strength: 0.6,
        directive,
      });
      return;
    }
  }
}

function splitPurpose(text: string): [string, string | undefined] {
  const m = /^(.{10,}?),? (so (?:that )?.{5,})$/i.exec(text);
  return m ? [m[1] as string, m[2]] : [text, undefined];
}

// "never mind", "scratch that": the previous request no longer stands.
const CANCEL =
  /^\W*(?:(?:actually|ok(?:ay)?|hmm+|wait|no)[,.!\s]+)*(?:never ?mind|nvm|scratch that|forget (?:that|it|what i said)|ignore (?:that|my last)|on second thought|disregard (?:that|my last))\b/i;

// Frustrated corrections: the assistant did something the user did not want.
/** The question of the assistant's question tool answered at `index`, when there was one. */
function questionBefore(turns: readonly Turn[], index: number): string | undefined {
  for (let t = index - 1; t >= 0 && t >= index - 2; t--) {
    const turn = turns[t] as Turn;
    if (turn.role !== 'assistant') continue;
    for (const call of turn.toolCalls) {
      if (!/ask/i.test(call.name)) continue;
      try {
        const parsed: unknown = JSON.parse(call.input);
        const questions =
          parsed && typeof parsed === 'object' && 'questions' in parsed
            ? (parsed as { questions: unknown }).questions
            : undefined;
        if (Array.isArray(questions) && questions.length === 1) {
          const q = (questions[0] as { question?: unknown }).question;
          if (typeof q === 'string') return q.trim();
        }
      } catch {
        // not JSON: no question to name
      }
    }
  }
  return undefined;
}

// "forget the std::span thing", "scratch the tabs rule", "ignore what I said about X": an
// earlier rule on that topic no longer stands.
const REVOKE =
  /\b(?:forget|scratch|drop|ignore|never ?mind|disregard) (?:about )?(?:the|that|my|what i said about(?: the)?) ([^,;!?\n]{2,40}?) (?:thing|bit|part|idea|rule|request|requirement|comment|point)\b|\b(?:ignore|scratch|forget|disregard) what i said about ([^,.;:!?—–\n]{2,40})/gi;

/** Drops earlier rules whose quote names a topic the user now takes back. */
function dropRevoked(lessons: Lesson[], text: string): void {
  for (const m of text.matchAll(REVOKE)) {
    const topic = (m[1] ?? m[2] ?? '').trim().toLowerCase();
    if (topic.length < 2) continue;
    // "what I said about @spec on everything": the topic's first word names it ("@spec").
    const head = m[2]
      ? topic.split(/\s+/).find((w) => w.replace(/\W/g, '').length >= 3)
      : undefined;
    for (let k = lessons.length - 1; k >= 0; k--) {
      const l = lessons[k] as Lesson;
      const quote = l.quote.toLowerCase();
      if (l.directive && (quote.includes(topic) || (head && quote.includes(head))))
        lessons.splice(k, 1);
    }
  }
}

// "the URL thing is worse ... revert that, keep the step in the store like before".
const REVERT =
  /\b(?:revert|undo|roll back|back out) (?:that|this|it|the [\w-]+ (?:thing|change|bit|part))\b/i;

/** Drops the previous prompt's rules that a revert names (a word of the rule in the revert). */
function dropReverted(lessons: Lesson[], turn: number, text: string): void {
  const said = contentWords(text);
  dropLessonsOf(lessons, turn, (d) =>
    [...contentWords(d.instruction)].some((w) => w.length >= 4 && said.has(w)),
  );
}

/** Drops the rules learned at `turn` (those `which` picks, when given). */
function dropLessonsOf(
  lessons: Lesson[],
  turn: number,
  which: (rule: Directive) => boolean = () => true,
): void {
  if (turn < 0) return;
  for (let k = lessons.length - 1; k >= 0; k--) {
    const l = lessons[k] as Lesson;
    if (l.turn === turn && l.directive && which(l.directive)) lessons.splice(k, 1);
  }
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
  return proseBlocks(text).map((l) => l.text);
}

/** A prose line and the paragraph (or list item) it belongs to. */
interface BlockLine {
  text: string;
  block: number;
}

/** Prose lines with their paragraph number: a blank line, a list item or a paste starts a new one. */
function proseBlocks(text: string): BlockLine[] {
  const out: BlockLine[] = [];
  let inFence = false;
  let lines = 0;
  let block = 0;
  for (const line of text.split('\n')) {
    if (++lines > 400) break; // past this it is a paste, not prose
    const t = line.trimEnd();
    if (/^\s*(```|~~~)/.test(t)) {
      inFence = !inFence;
      block++;
      continue;
    }
    if (inFence) continue;
    if (!t.trim()) {
      block++;
      continue;
    }
    if (LOG_LINE.test(t)) {
      block++;
      continue;
    }
    // Each line of a message is its own thought; a rule never runs on across a line break.
    block++;
    out.push({ text: t.trim(), block });
  }
  return out;
}

// Sentence ends; a "?" standing alone ("use ? and add context") is Rust's operator, not an end.
const SENTENCE_SPLIT =
  /(?<=\S[.!?])(?<!\b(?:e\.g|i\.e|vs|cf|etc)\.)\s+(?=[A-Z@`"'(])|(?<=\S[.!?])(?<!\b(?:e\.g|i\.e|vs|cf|etc)\.)\s+(?=(?:[a-z]{2,}|a|i)[\s,:'’])|;\s+(?=[a-z])|(?<=[\w)`'"])\s+(?=(?:[Cc]an|[Cc]ould|[Ww]ould|[Ww]ill) (?:you|u)\b)/;
// A second rule inside one sentence: "..., and always install with pnpm".
const CLAUSE_SPLIT =
  /,?\s+\b(?:but|however|and)\b,?\s+(?=(?:keep in mind|remember|make sure|please (?:don'?t|do not|never|always|keep)|don'?t|do not|never|always)\b)|,?\s+\b(?:but|however)\b,?\s+(?=(?:we (?:don'?t|do not|never|always|only)|in (?:this|our) (?:repo|codebase|project))\b)/i;

/** Splits prose lines into sentences. */
export function sentencesOf(lines: readonly string[]): string[] {
  return unitsOf(lines.map((text) => ({ text, block: 0 }))).map((u) => u.text);
}

/** A sentence (or a rule-bearing clause of one) and where it sits. */
interface Unit {
  text: string;
  block: number;
  /** Split from the previous unit inside one sentence ("..., and always ..."). */
  clause: boolean;
}

function unitsOf(lines: readonly BlockLine[]): Unit[] {
  const out: Unit[] = [];
  for (const line of lines) {
    for (const sentence of line.text.split(SENTENCE_SPLIT)) {
      let first = true;
      for (const part of sentence.split(CLAUSE_SPLIT)) {
        const t = part.trim();
        if (t) out.push({ text: t, block: line.block, clause: !first });
        first = false;
      }
    }
  }
  return out;
}

const CONVENTION_TURN =
  /\b(?:conventions?|rules?|guidelines?|style ?guide|as a rule|house style|coding standards?|style (?:things|points|notes|issues)|for all (?:the |our )?(?:docs|files|code|pages|tests|modules|components|notebooks|projects|repos)|should have (?:said|mentioned|told you)|just so you know)\b(?!\.\w)/i;
const TASK_SENTENCE =
  /^(?:(?:in|for) \S+\s*,?\s*)?(?:now |please |also )?(?:add|create|write|implement|build|make|fix|update|change|rename|move|delete|remove|run|reorder|sort|format|refactor|port|translate|edit|rewrite)\b/i;

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

interface Threads {
  next: number;
}

/** What the scan of one message needs beyond its text. */
interface ScanOptions {
  model: LessonModel;
  onUnit?: ((unit: ModelUnit) => void) | undefined;
  answer?: boolean;
  firstPrompt?: boolean;
}

/** Scans one user message; returns true when the message corrects the assistant. */
function scanUserText(
  text: string,
  turn: number,
  afterStop: boolean,
  out: Lesson[],
  threads: Threads,
  scan: ScanOptions,
): boolean {
  const answer = scan.answer === true;
  // Very long structured prompts are task specifications or command templates.
  if (
    text.length > 6000 &&
    /^#{1,3} /m.test(text) &&
    (text.match(/^#{1,3} /gm)?.length ?? 0) >= 3
  ) {
    return false;
  }
  // Terminal transcripts keep control characters (a DEL per backspace): drop them.
  const blockLines = proseBlocks(
    text.replace(CONTROL_CHARS, '').replace(DONT_EVER, (_a, what: string) => `never ${what}.`),
  );
  if (blockLines.length === 0) return false;
  const lines = blockLines.map((l) => l.text);
  const units = unitsOf(blockLines);
  const sentences = units.map((u) => u.text);
  if (sentences.length > 60) return false; // a pasted document, not a message
  const prose = lines.join(' ');
  if (!isMostlyLatin(prose)) return false;
  const corrective = sentences.some((s) => hasCorrectionMarker(s));
  const conventionTurn = CONVENTION_TURN.test(prose);
  let previous: string | undefined;
  let last: Lesson | undefined;
  // The rule the next sentences of the same paragraph may complete, and how many they were.
  let anchor: Lesson | undefined;
  let anchorBlock = -1;
  let seen = 0;
  // "there's never network in here": a limit of the environment that the rules after it in
  // the same paragraph work around.
  let limit: { block: number; text: string; lesson?: Lesson } | undefined;
  let previousBlock = -1;
  for (const [index, unit] of units.entries()) {
    const sentence = unit.text;
    const block = previousBlock;
    previousBlock = unit.block;
    if (unit.block !== anchorBlock || TOPIC_SHIFT.test(sentence)) anchor = undefined;
    if (limit && limit.block !== unit.block) limit = undefined;
    if (LIMIT_STATEMENT.test(sentence)) {
      limit = { block: unit.block, text: sentence.replace(/^re [\w -]+:\s*/i, '').trim() };
      previous = sentence;
      last = undefined;
      continue;
    }
    const d0 = parseDirective(sentence, {
      afterStop,
      corrective,
      conventionTurn,
      answer,
      ...(previous ? { previous } : {}),
    });
    const offered =
      !d0 &&
      !anchor &&
      !(last && INSTEAD_FOLLOW_UP.test(sentence)) &&
      !AFFIRMS_PREVIOUS.test(sentence);
    // Built only when the model may read the sentence: most sentences never need it.
    const unitContext: UnitContext | undefined =
      offered || scan.onUnit
        ? {
            afterStop,
            corrective,
            conventionTurn,
            answer,
            firstPrompt: scan.firstPrompt === true,
            index,
            count: units.length,
          }
        : undefined;
    if (scan.onUnit && unitContext && modelReads(sentence)) {
      const features = unitFeatures(sentence, unitContext);
      scan.onUnit({ turn, text: sentence, features, offered, rule: d0 !== undefined });
    }
    let d =
      d0 ??
      (offered && unitContext
        ? modelDirective(sentence, scan.model, unitContext, neighbour(units, index))
        : undefined);
    // "Don't touch the report pages, I'll place the visuals myself" in the request that opens
    // a session: the scope of this task, not a rule for the next one.
    if (d && scan.firstPrompt && TASK_SCOPE.test(sentence) && !SCOPE_WIDE.test(sentence)) {
      previous = sentence;
      last = undefined;
      continue;
    }
    // "also: timestamptz. we never use `timestamp` without time zone": the bare term just
    // before a rule is what to use instead.
    const bare = previous !== undefined && unit.block === block ? bareTerm(previous) : undefined;
    if (d && bare && !d.instruction.toLowerCase().includes(bare.toLowerCase())) {
      d = {
        ...d,
        instruction: `Use ${bare}; ${d.instruction.charAt(0).toLowerCase()}${d.instruction.slice(1)}`,
      };
    }
    const limited =
      d !== undefined && (limit !== undefined || (d !== d0 && ENV_LIMIT.test(d.quote)));
    if (d && limit) {
      d = { ...d, reason: d.reason ? `${limit.text}; ${d.reason}` : limit.text };
      if (limit.lesson?.directive) {
        mergeInto(limit.lesson, d);
        limit.lesson.kind = 'workaround';
        previous = sentence;
        continue;
      }
    }
    // "Don't use X. use Y instead": the alternative joins the rule it completes.
    if (!d && last && last.turn === turn && last.directive && INSTEAD_FOLLOW_UP.test(sentence)) {
      const alt = sentence.replace(/[.!\s]+$/, '');
      const joined = `${last.directive.instruction.replace(/\.$/, '')}; ${alt.charAt(0).toLowerCase()}${alt.slice(1)}.`;
      if (joined.length <= 170 && !/\b(?:it|them|this|that)\b/i.test(alt)) {
        last.directive = { ...last.directive, instruction: joined };
      }
      previous = sentence;
      continue;
    }
    if (d && anchor?.directive && !unit.clause && joins(anchor.directive, d)) {
      mergeInto(anchor, d);
      previous = sentence;
      last = anchor;
      continue;
    }
    // "keep test names as full sentences. I prefer that everywhere.": the second sentence makes
    // the first a lasting rule.
    if (!d && previous && !last?.directive && AFFIRMS_PREVIOUS.test(sentence)) {
      const again = parseDirective(previous, {
        afterStop,
        corrective,
        conventionTurn: conventionTurn || /convention|rule|standard/i.test(sentence),
        answer,
        lasting: true,
      });
      if (again) {
        const kind = /\bprefer/i.test(sentence)
          ? 'preference'
          : /convention|rule|standard|here|project|repo/i.test(sentence)
            ? 'convention'
            : again.kind;
        const lesson: Lesson = {
          kind,
          turn,
          quote: redactText(clip(`${again.quote} ${sentence}`, 200)),
          strength: again.strength,
          directive: { ...again, kind, quote: clip(`${again.quote} ${sentence}`, 300) },
        };
        out.push(lesson);
        last = lesson;
        anchor = lesson;
        anchorBlock = unit.block;
        seen = 0;
        previous = sentence;
        continue;
      }
    }
    if (!d && anchor?.directive) {
      if (ENDS_ELABORATION.test(sentence) || ++seen > 3) anchor = undefined;
      else elaborate(anchor, sentence);
    }
    if (d) {
      const lesson: Lesson = {
        kind: limited ? 'workaround' : workaroundKind(d),
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
      if (limit && lesson.kind === 'workaround') limit.lesson = lesson;
      last = lesson;
      anchor = lesson;
      anchorBlock = unit.block;
      seen = 0;
    } else {
      last = undefined;
    }
    previous = sentence;
  }
  return corrective;
}

/** A lesson stated about the project rather than about the user's taste. */
const ABOUT_PROJECT =
  /\b(?:we|our|us|here|in this|this (?:repo|project|codebase|app|service|add-on|library|team))\b/i;

/** Sentences the lesson model reads: prose of a rule's length, not a question. */
function modelReads(sentence: string): boolean {
  return (
    sentence.length >= 12 &&
    sentence.length <= 320 &&
    !/\?\s*$/.test(sentence) &&
    isMostlyLatin(sentence)
  );
}

/**
 * A sentence the phrase rules did not take, read by the lesson model; a directive when the
 * model takes it for a lasting lesson.
 */
function modelDirective(
  sentence: string,
  model: LessonModel,
  ctx: UnitContext,
  beside: string | undefined,
): Directive | undefined {
  if (model.threshold > 1 || !modelReads(sentence)) return undefined;
  const plain = stripFillers(sentence);
  if (NOT_A_RULE.test(plain)) return undefined;
  const score = sentenceScore(sentence, ctx, model);
  if (score < model.threshold) return undefined;
  const instruction = toSentence(
    plain
      .replace(
        /^(?:(?:pls|plz|please) )?(?:remember(?: (?:it|this|that))?|reminder|psa)\s*[:,—–-]?\s+/i,
        '',
      )
      .replace(/[\s,]*\b(?:pls|plz|please|thx|thanks|ty|lol|haha)\b[\s.!]*$/i, ''),
  );
  if (instruction.length < 12) return undefined;
  const kind = ABOUT_PROJECT.test(sentence)
    ? 'convention'
    : ctx.corrective || ctx.afterStop
      ? 'correction'
      : 'preference';
  const d: Directive = {
    kind,
    quote: sentence,
    instruction,
    strength: Math.min(0.8, 0.3 + score / 2),
  };
  if (beside) d.reason = beside.replace(/[.!\s]+$/, '');
  return d;
}

/**
 * A limit of the environment ("the sandbox never has network", "/home has a 10GB quota"): a
 * lesson the model finds next to one is a workaround.
 */
const ENV_LIMIT =
  /\b(?:no (?:network|internet|docker|sudo|gpu|root|display)|(?:never|doesn'?t|don'?t) ha(?:s|ve) (?:network|internet|docker|sudo)|ha(?:s|ve) no (?:network|internet|docker|sudo)|offline|air-?gapped|sandbox|quota|wheelhouse|no-index|locked (?:down|by)|(?:not|isn'?t|aren'?t) available|can'?t (?:install|reach|access))\b/i;

/** Requests for the work at hand, reports and retractions: never a rule, whatever the model says. */
const NOT_A_RULE =
  /\bno idea\b|\bi(?:'m| am)? (?:still )?(?:get|getting|got|see|seeing|hit|hitting)\b.{0,40}\b(?:errors?|issues?|exceptions?|crash(?:es)?)\b|\b(?:this|that|the same|the following) (?:error|issue|exception)\s*:|\btake your time\b|\b(?:yet|for this one|for now|this time|right now)\b|\b(?:that|this|which|it) (?:is|was|'s) the (?:bug|problem|issue|cause|culprit)\b|\b(?:are|is|keeps?) (?:failing|broken|crashing)\b|\bhere(?:'s| is| are) (?:the|my|a|an|our|your|some)\b|\b[A-Z]\w*(?:Error|Exception)\b|\b(?:in|for) this (?:pr|task|ticket|commit|branch|run|session)\b|^(?:(?:can|could|would|will) (?:you|u)\b|(?:next|now|then|first|finally)\b[:,]?|never ?mind\b|nvm\b|scratch that\b|forget (?:it|that)\b|go with\b|let'?s\b)|^(?:(?:in|for) \S+\s*,?\s*)?(?:add|create|write|implement|build|make|fix|update|change|rename|move|delete|remove|run|put|regenerate|bump|sort|refactor|port|paste|show|give|tell|explain|check|copy|apply|revert|restore)\b/i;

/**
 * The sentence next to a unit in the same paragraph (the next one, else the one before): the
 * model's lessons keep it as their context, since a rule is seldom put in one sentence.
 */
function neighbour(units: readonly Unit[], index: number): string | undefined {
  const unit = units[index] as Unit;
  for (const k of [index + 1, index - 1]) {
    const other = units[k];
    if (other && other.block === unit.block && other.text.length <= 200) return other.text;
  }
  return undefined;
}

/** A request's hands-off clause: "don't touch the hex view stuff", "do not change content of …". */
const TASK_SCOPE =
  /^(?:please\s+)?(?:don'?t|do not|dont)\s+(?:touch|change|modify|edit|rename|move|delete|remove)\s+(?:the|my|this|that|these|those|other|our|its|existing|content|contents)\b/i;
/** What makes such a clause a standing rule after all: "anything under ../ncs/", "ever". */
const SCOPE_WIDE = /\b(?:any|anything|ever|always|never|every|each|all)\b/i;

// "I prefer that everywhere", "that's the convention here", "please remember this".
const AFFIRMS_PREVIOUS =
  /^\W*(?:(?:and|also|so|ok(?:ay)?),?\s+)?(?:i (?:prefer|want|like) (?:that|this|it)(?: (?:everywhere|always|in general|in every \w+|from now on))?|(?:that'?s|this is) (?:the|our) (?:convention|rule|standard|way we do it)(?: (?:here|in this \w+))?|(?:please )?(?:remember|keep in mind) (?:that|this)(?: (?:for next time|from now on|for the future))?|(?:do|use) (?:that|this|it) everywhere|(?:that|this) (?:applies|goes) (?:everywhere|for every \w+|for all \w+))\s*[.!]*$/i;

// "don't commit. ever." -> "never commit."
const DONT_EVER = /\b(?:don'?t|do not)\s+([\w-]+(?:\s+[\w-]+)?)[.!]\s+ever\b[.!]?/gi;

// A sentence that turns to another subject: it never completes the rule before it.
const TOPIC_SHIFT =
  /^\W*(?:also|second(?:ly)?|third(?:ly)?|another thing|one more thing|btw|by the way|anyway|separately|next|p\.?s\.?|and for)\b/i;

// Sentences that end the explanation of a rule: questions, thanks, requests for the task.
const ENDS_ELABORATION =
  /\?\s*$|\bwhile you'?re (?:at it|there|in there)\b|\bcommit message\b|^\W*(?:(?:ok(?:ay)?|so|and|now|also|please),?\s+)*(?:thanks|thank you|can you|could you|would you|will you|revert|fix|change|commit|rename|create|implement|make|let'?s|lgtm|looks good|add|update|remove|delete|try|look|show|explain|tell|push|deploy|install|ship|merge|rerun|re-run)\b/i;

/** Longest instruction a rule grows to by joining its explaining sentences. */
const MAX_RULE = 200;

/**
 * True when `next` completes the rule `rule` stated just before it in the same paragraph:
 * they share a content word, `next` is the alternative to a prohibition ("no Hilt. this app
 * uses Koin"), or `next` says it goes on ("not the other hyperparameters either").
 */
function joins(rule: Directive, next: Directive): boolean {
  if (rule.instruction.length + next.instruction.length + 2 > MAX_RULE) return false;
  if (sharedWords(rule.instruction, next.instruction) >= 1) return true;
  // "No Hilt. This app uses Koin": the alternative completes the prohibition, unless it stands
  // on its own with its own contrast ("use quote() instead of params=").
  if (
    isProhibition(rule.instruction) &&
    !isProhibition(next.instruction) &&
    !/\b(?:instead of|rather than)\b/i.test(next.instruction)
  )
    return true;
  // "answer short. only tell me what I must do by hand": a restriction of the same rule.
  if (/^only\b/i.test(next.instruction)) return true;
  // "the notebooks are paired with jupytext. only ever edit the .py file": what to do about it.
  if (isStatement(rule.instruction) && !isStatement(next.instruction)) return true;
  return /\b(?:either|as well|too)\W*$/i.test(next.quote.replace(/,.*$/, ''));
}

/** The term a sentence is made of alone ("also: timestamptz."), or undefined. */
function bareTerm(sentence: string): string | undefined {
  const m = /^(?:(?:also|and|btw|oh|ok|so|plus)[,:]?\s+)*(`?[\w.@/+-]{3,30}`?)[.!:]?$/i.exec(
    sentence.trim(),
  );
  const term = m?.[1]?.replace(/[.:]+$/, '');
  if (!term || term.replace(/`/g, '').length < 3) return undefined;
  if (
    /^(?:ok(?:ay)?|yes|yeah|yep|no|nope|thanks|thank|done|great|nice|sure|good|right|cool|perfect|wait|hmm+|also|and|fine|correct|exactly|agreed|lgtm|again|please|sorry|hello|hi|hey|stop|whoa|woah|halt|hold on|ugh|oops|nah|wrong|careful)$/i.test(
      term.replace(/`/g, ''),
    )
  )
    return undefined;
  return term;
}

/** A sentence that only states a limit: "re network: there's never network in here". */
const LIMIT_STATEMENT =
  /^(?:re [\w -]+:\s*)?(?:(?:there'?s|there is|we have|you have|it has) (?:never|no) (?:network|internet|docker|sudo|root access|gpu|display)\b[^,;]{0,40}|(?:don'?t bother with [^,]{2,30},\s*)?(?:IT|they|it|the (?:company|admins?|mdm)) (?:won'?t|doesn'?t|don'?t) (?:let|allow) (?:me|us) (?:to )?install\b.{0,60}|(?:don'?t bother with [^,]{2,30},\s*)?i (?:can'?t|cannot|am not allowed to) install\b.{0,60})[.!]?$/i;

// "no docker in codex sandbox", "I can't brew install anything on this machine": a limit of
// the environment rather than of the code.
const LIMITATION =
  /\b(?:no (?:docker|network|internet|sudo|root|gpu|display|access to)\b|(?:docker|network|internet|the registry) (?:isn'?t|is not|not) (?:available|reachable|running)|can'?t (?:install|reach|run|use|access)\b|cannot (?:install|reach|run|access)\b|(?:isn'?t|is not|not) installed|offline|air-?gapped|locked down|MDM)\b/i;
const ROUTE =
  /\b(?:skip|instead|only|rely on|go through|stub|mock|via)\b|(?<!\b(?:don'?t|do not|never|not)\s)\b(?:use|run)\b/i;

/** A rule given because of such a limit, with a way around it, is a workaround. */
function workaroundKind(d: Directive): SignalKind {
  if (d.kind !== 'convention' && d.kind !== 'correction') return d.kind;
  return LIMITATION.test(d.quote) && ROUTE.test(d.instruction) ? 'workaround' : d.kind;
}

/** A description of how the project is ("The notebooks are paired with jupytext."), not an order. */
function isStatement(instruction: string): boolean {
  return /^(?:the|our|this|these|those|all|every|each|any|anything|everything)\b/i.test(
    instruction,
  );
}

function mergeInto(lesson: Lesson, next: Directive): void {
  const d = lesson.directive as Directive;
  const merged: Directive = {
    ...d,
    kind: d.kind === 'convention' || next.kind === 'convention' ? 'convention' : d.kind,
    instruction: joinInstructions(d.instruction, next.instruction),
    quote: clip(`${d.quote} ${next.quote}`, 300),
    strength: Math.max(d.strength, next.strength),
  };
  const reason = d.reason ?? next.reason;
  if (reason) merged.reason = reason;
  lesson.directive = merged;
  lesson.kind = workaroundKind(merged);
  lesson.quote = redactText(clip(merged.quote, 200));
}

/** Adds the instruction clauses of an explaining sentence to the rule, and the rest as its reason. */
function elaborate(lesson: Lesson, sentence: string): void {
  const d = lesson.directive as Directive;
  const { instructions, rest } = elaborationOf(sentence);
  let instruction = d.instruction;
  for (const part of instructions) {
    const joined = joinInstructions(instruction, part);
    if (joined.length <= MAX_RULE) instruction = joined;
  }
  let reason = d.reason;
  const why = rest.join(', ');
  if (why && why.length <= 160 && /\s/.test(why)) {
    const r = reason ? `${reason}; ${why}` : why;
    if (r.length <= 200) reason = r;
  }
  if (instruction === d.instruction && reason === d.reason) return;
  const merged: Directive = { ...d, instruction, quote: clip(`${d.quote} ${sentence}`, 300) };
  if (reason) merged.reason = reason;
  lesson.directive = merged;
  if (lesson.kind === 'convention' || lesson.kind === 'correction')
    lesson.kind = workaroundKind({ ...merged, kind: lesson.kind });
  lesson.quote = redactText(clip(merged.quote, 200));
}

// "use a small log function instead", "fetch in a server component instead".
const INSTEAD_FOLLOW_UP =
  /^(?:just |please |and )?(?:use|fetch|call|put|write|go through|log|import|run|keep|do)\b[^?]{3,100}\binstead\b[.!]?$/i;

// A sentence that continues the previous one ("The only logic in command modules ...").
const BACK_REFERENCE = /^(?:the|this|that|these|those|it|they|such|there)\b/i;

/** Content words plus the parts of dotted and slashed names ("buf.gen.yaml" also gives "buf"). */
function wordsAndParts(text: string): Set<string> {
  const words = contentWords(text);
  for (const w of [...words]) {
    if (!/[./]/.test(w)) continue;
    for (const part of w.split(/[./]+/)) if (part.length > 2) words.add(part);
  }
  return words;
}

function sharedWords(a: string, b: string): number {
  const wa = wordsAndParts(a);
  let n = 0;
  for (const w of wordsAndParts(b)) if (wa.has(w)) n++;
  return n;
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
