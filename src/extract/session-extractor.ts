/**
 * Session extraction: turns the lessons found in a read session into patterns a future
 * assistant can follow without the transcript.
 *
 * Wording is canonical: the same lesson stated the same way always gives the same trigger and
 * resolution, so the same pattern id, and the store merges it across sessions. The same lesson
 * seen twice in one session gives one pattern with `metadata.observations` 2.
 * @module
 */
import { contentWords, similarity } from '../evaluate/phrases.js';
import {
  detectLessons,
  type Lesson,
  type SessionSignals,
  type SignalKind,
} from '../evaluate/signals.js';
import { PatternCategory } from '../model/category.js';
import {
  createPattern,
  type Evidence,
  type ExtractedPattern,
  MAX_EVIDENCE,
} from '../model/pattern.js';
import type { Session } from '../model/session.js';
import { redactSecrets } from './redact.js';
import { deriveTags } from './tags.js';

/** Options of {@link extractSessionPatterns}. */
export interface SessionExtractOptions {
  /** Stored in `metadata.project` of project conventions. */
  project?: string;
  /** Extraction time. @default new Date() */
  now?: Date;
}

const CATEGORY: Record<SignalKind, PatternCategory> = {
  correction: PatternCategory.USER_CORRECTION,
  preference: PatternCategory.PREFERENCE,
  convention: PatternCategory.PROJECT_SPECIFIC,
  error_resolution: PatternCategory.ERROR_RESOLUTION,
  workaround: PatternCategory.WORKAROUND,
};

const BASE_CONFIDENCE: Record<SignalKind, number> = {
  correction: 0.6,
  preference: 0.6,
  convention: 0.6,
  error_resolution: 0.6,
  workaround: 0.55,
};

interface Group {
  category: PatternCategory;
  lessons: Lesson[];
  words: Set<string>;
  /** Content words of every quote in the group (for thread joining). */
  quoteWords: Set<string>;
  trigger: string;
  resolution: string;
  context: string;
}

/**
 * The patterns of one session, in the order their lessons first appear.
 *
 * `signals`, when given, is the result of `detectSignals(session)` already computed by the
 * caller; a session it shows no signal in returns no pattern without being scanned again.
 * Every string in a pattern has passed through secret redaction.
 */
export function extractSessionPatterns(
  session: Session,
  options: SessionExtractOptions = {},
  signals?: SessionSignals,
): ExtractedPattern[] {
  if (signals && signals.signals.length === 0) return [];
  const { lessons } = detectLessons(session);
  const groups: Group[] = [];
  const byThread = new Map<number, Group>();
  for (const lesson of lessons) {
    const phrased = phrase(lesson);
    if (!phrased) continue;
    const category = CATEGORY[lesson.kind];
    let threadGroup = lesson.thread === undefined ? undefined : byThread.get(lesson.thread);
    // A thread only joins lessons about the same thing: they must share a content word.
    if (threadGroup && similarity(threadGroup.quoteWords, contentWords(lesson.quote)) === 0) {
      threadGroup = undefined;
    }
    if (threadGroup) {
      for (const w of contentWords(lesson.quote)) threadGroup.quoteWords.add(w);
      if (!threadGroup.resolution.includes(phrased.resolution)) {
        threadGroup.resolution = `${threadGroup.resolution} ${phrased.resolution}`;
        threadGroup.words = contentWords(threadGroup.resolution);
      }
      if (threadGroup.lessons.every((l) => l.turn !== lesson.turn))
        threadGroup.lessons.push(lesson);
      if (category === PatternCategory.PROJECT_SPECIFIC) threadGroup.category = category;
      continue;
    }
    const words = contentWords(phrased.resolution);
    const same = groups.find(
      (g) =>
        compatible(g.category, category) &&
        (g.resolution === phrased.resolution || similarity(g.words, words) >= 0.55),
    );
    if (same) {
      same.lessons.push(lesson);
      // A convention restated is a convention, even if one statement read as a correction.
      if (category === PatternCategory.PROJECT_SPECIFIC) same.category = category;
      continue;
    }
    const group: Group = {
      category,
      lessons: [lesson],
      words,
      quoteWords: contentWords(lesson.quote),
      ...phrased,
    };
    groups.push(group);
    if (lesson.thread !== undefined) byThread.set(lesson.thread, group);
  }
  const at = options.now ?? new Date();
  return groups.map((g) => toPattern(session, g, at, options));
}

function compatible(a: PatternCategory, b: PatternCategory): boolean {
  const soft = new Set<PatternCategory>([
    PatternCategory.USER_CORRECTION,
    PatternCategory.PREFERENCE,
    PatternCategory.PROJECT_SPECIFIC,
  ]);
  return a === b || (soft.has(a) && soft.has(b));
}

function toPattern(
  session: Session,
  g: Group,
  at: Date,
  options: SessionExtractOptions,
): ExtractedPattern {
  const clean = (s: string) => redactSecrets(s).text;
  const observations = g.lessons.length;
  const strongest = Math.max(...g.lessons.map((l) => l.strength));
  const kind = (g.lessons[0] as Lesson).kind;
  const confidence = Math.min(
    0.95,
    BASE_CONFIDENCE[kind] + (strongest - 0.5) * 0.5 + 0.1 * Math.min(3, observations - 1),
  );
  const evidence: Evidence[] = g.lessons.slice(-MAX_EVIDENCE).map((l) => ({
    sessionId: session.id,
    turn: l.turn,
    quote: clean(l.quote),
  }));
  const metadata: Record<string, unknown> = { observations, evidence };
  if (options.project !== undefined && g.category === PatternCategory.PROJECT_SPECIFIC) {
    metadata.project = options.project;
  }
  const trigger = clean(g.trigger);
  const resolution = clean(g.resolution);
  const context = clean(g.context);
  const extra = g.lessons[0]?.tool ? [g.lessons[0].tool] : [];
  return createPattern({
    category: g.category,
    trigger,
    resolution,
    context,
    confidence: Math.round(confidence * 100) / 100,
    tags: deriveTags(`${trigger} ${resolution}`, extra),
    extractedAt: at,
    sourceSession: session.id,
    metadata,
  });
}

interface Phrased {
  trigger: string;
  resolution: string;
  context: string;
}

/** The trigger, resolution and context of one lesson, or undefined when it cannot be phrased. */
function phrase(lesson: Lesson): Phrased | undefined {
  const d = lesson.directive;
  if (d) {
    const resolution = normaliseShouting(d.instruction);
    const trigger = lesson.task ? taskTrigger(lesson.task) : topicTrigger(resolution, lesson.kind);
    const why = d.reason ? ` (${d.reason.replace(/[.!]+$/, '')})` : '';
    const who =
      lesson.kind === 'convention'
        ? 'Project convention stated by the user'
        : lesson.kind === 'preference'
          ? 'Preference stated by the user'
          : 'The user corrected the assistant';
    return { trigger, resolution, context: `${who}${why}: "${d.quote}"` };
  }
  if (lesson.error && lesson.fix) {
    const error = lesson.error.length > 160 ? undefined : lesson.error;
    if (!error) return undefined;
    return {
      trigger: error.replace(/[.]+$/, ''),
      resolution: lesson.fix,
      context:
        lesson.kind === 'workaround'
          ? `A ${lesson.tool ?? 'tool'} call failed because a program is missing; another one did the job.`
          : `A ${lesson.tool ?? 'tool'} call failed with this error, and the tool said how to avoid it.`,
    };
  }
  return undefined;
}

/** "DO NOT CHANGE the contents." -> "Do not change the contents." (shouting is emphasis). */
function normaliseShouting(text: string): string {
  const out = text.replace(/\b[A-Z]{2,}(?:\s+[A-Z]{2,})+\b/g, (run) => run.toLowerCase());
  return out[0] ? out[0].toUpperCase() + out.slice(1) : out;
}

function taskTrigger(task: string): string {
  const t = task
    .replace(/(^|\s)@(?=\w)/g, '$1')
    .replace(/\s+([,.])/g, '$1')
    .replace(/[.!\s]+$/, '')
    .replace(/^(?:now|please|also)\s+/i, '');
  const m = /^(?:(in|for) (\S+?),?\s+)(.+)$/i.exec(t);
  const body = m ? `${m[3]} ${m[1]?.toLowerCase()} ${m[2]}` : t;
  return `When asked to ${body.charAt(0).toLowerCase()}${body.slice(1)}`;
}

// Topics in the order they are tried: the first whose words appear names the trigger.
const TOPICS: Array<[RegExp, string]> = [
  [
    /\b(?:e2e|end-to-end|tests?|testing|spec|assert\w*|vitest|jest|pytest|coverage)\b/i,
    'Writing or changing tests',
  ],
  [/\b(?:markdown|\.md\b|readme|bullet|numbered list|sentence)/i, 'Writing Markdown'],
  [/\b(?:commit|git|branch|squash|rebase)\b/i, 'Using git'],
  [/\b(?:imports?|import paths?)\b/i, 'Writing imports'],
  [/\bcomments?\b/i, 'Editing code with comments'],
  [/\b(?:logs?|logging|stderr|stdout|debug)\b/i, 'Adding logging or debug output'],
  [
    /\b(?:install|dependenc\w+|npm|pnpm|yarn|bun|pip|poetry|cargo add)\b/i,
    'Installing dependencies',
  ],
  [/\b(?:css|style|styles|layout|center\w*|centre\w*|tailwind)\b/i, 'Changing layout or styling'],
  [/\b(?:task-?master|todos?|tasks?|backlog|issues?)\b/i, 'Tracking tasks'],
  [/\b(?:rules?|\.mdc|cursor|claude\.md|agents\.md)\b/i, 'Writing assistant rules'],
  [/\b(?:subcommands?|commands?|cli)\b/i, 'Adding CLI commands'],
  [
    /\b(?:modules?|director(?:y|ies)|folders?|files?|structure|organi[sz]\w*)\b/i,
    'Organizing code and files',
  ],
  [/\b(?:functions?|methods?|classes?|code)\b/i, 'Changing code'],
  [/\b(?:sessions?|process\w*|concurren\w*)\b/i, 'Working in this environment'],
  [/\b(?:answers?|replies|responses|explain\w*)\b/i, 'Answering the user'],
];

function topicTrigger(resolution: string, kind: SignalKind): string {
  for (const [re, name] of TOPICS) if (re.test(resolution)) return name;
  return kind === 'convention' ? 'Working in this project' : 'Working with this user';
}
