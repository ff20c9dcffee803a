/**
 * The extraction-quality harness: runs session extraction over labelled transcripts and
 * measures precision and recall against the lessons a careful engineer wrote down.
 *
 * Labels live beside the fixtures as `<fixture-name>.labels.json`:
 * `[{ "id", "category", "turn"?, "lesson", "match": ["keyword", "alt1|alt2", ...] }]`.
 * A predicted pattern matches a label when its category is compatible (see
 * {@link CATEGORY_COMPATIBILITY}) and its trigger, resolution and context together contain
 * every `match` entry (case-insensitive; an entry with `|` needs any one alternative).
 * Recall is one-to-one: each label is covered by at most one pattern. Precision counts every
 * pattern that states a labelled lesson as correct, so a lesson extracted from two sessions of
 * one file (aider files hold many) is not a false positive, though it adds no recall; such
 * patterns are reported as duplicates.
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { z } from 'zod';
import { AttuneError, ErrorCode } from '../errors.js';
import { extractSessionPatterns } from '../extract/session-extractor.js';
import { PATTERN_CATEGORIES, type PatternCategory } from '../model/category.js';
import type { ExtractedPattern } from '../model/pattern.js';
import type { Session } from '../model/session.js';
import { readTranscriptFile } from '../transcripts/index.js';

/** One labelled lesson. */
export interface LessonLabel {
  id: string;
  category: PatternCategory;
  turn?: number;
  lesson: string;
  match: string[];
}

const LabelSchema = z.array(
  z.object({
    id: z.string().min(1),
    category: z.enum(PATTERN_CATEGORIES as [PatternCategory, ...PatternCategory[]]),
    turn: z.number().int().nonnegative().optional(),
    lesson: z.string().min(1),
    // "a||b" or "|a" would hold an empty alternative, which every pattern contains.
    match: z
      .array(
        z
          .string()
          .min(1)
          .refine((m) => m.split('|').every((alt) => alt.trim().length > 0), {
            message: 'a match entry has an empty alternative (a stray "|")',
          }),
      )
      .min(1),
  }),
);

/**
 * Which predicted categories may match a label of a given category. A user's correction,
 * preference and project convention are often the same sentence seen from different sides
 * ("we use vitest, not jest"), so those three match each other; an error resolution may be
 * phrased as a workaround and the reverse. Everything else must match exactly.
 */
export const CATEGORY_COMPATIBILITY: Readonly<Record<PatternCategory, readonly PatternCategory[]>> =
  {
    user_correction: ['user_correction', 'preference', 'project_specific'],
    preference: ['preference', 'user_correction', 'project_specific'],
    project_specific: ['project_specific', 'user_correction', 'preference'],
    error_resolution: ['error_resolution', 'workaround', 'debugging_technique'],
    workaround: ['workaround', 'error_resolution'],
    debugging_technique: ['debugging_technique', 'error_resolution'],
    code_pattern: ['code_pattern', 'project_specific'],
  };

/** The result for one labelled fixture. */
export interface FixtureResult {
  fixture: string;
  sessions: number;
  labels: LessonLabel[];
  predicted: ExtractedPattern[];
  /** Pairs of (label id, pattern index into `predicted`). */
  matches: Array<{ label: string; pattern: number }>;
  /** Patterns that match no label at all. */
  falsePositives: ExtractedPattern[];
  /** Patterns that state a labelled lesson another pattern already covers. */
  duplicates: ExtractedPattern[];
  misses: LessonLabel[];
  /** Matched labels and correct patterns when the category is not required to agree. */
  anyCategory: { matched: number; correct: number };
  bytes: number;
}

/** Precision and recall for one slice. */
export interface Score {
  truePositives: number;
  predicted: number;
  labelled: number;
  precision: number;
  recall: number;
}

/** The report over all labelled fixtures. */
export interface QualityReport {
  fixtures: FixtureResult[];
  overall: Score;
  /**
   * The same, counting a pattern that states a labelled lesson under another category as
   * correct (a workaround labelled, a user correction extracted): how many lessons were found
   * at all, where `overall` also asks that they be filed as the labeller filed them.
   */
  overallAnyCategory: Score;
  byCategory: Record<string, Score>;
  /** Fixtures without a labels file (not scored). */
  unlabelled: string[];
}

/** True when the text holds every match entry of the label (one alternative of each). */
export function textMatchesLabel(text: string, label: LessonLabel): boolean {
  const hay = text.toLowerCase();
  return label.match.every((entry) =>
    entry
      .split('|')
      .map((alt) => alt.trim().toLowerCase())
      .some((alt) => alt.length > 0 && hay.includes(alt)),
  );
}

/** True when the pattern's category is compatible and its text holds the label's entries. */
export function patternMatchesLabel(
  pattern: ExtractedPattern,
  label: LessonLabel,
  anyCategory = false,
): boolean {
  if (!anyCategory && !CATEGORY_COMPATIBILITY[label.category].includes(pattern.category)) {
    return false;
  }
  return textMatchesLabel(`${pattern.trigger}\n${pattern.resolution}\n${pattern.context}`, label);
}

/** One-to-one matching, labels in file order, each taking the first free matching pattern. */
export function matchLabels(
  patterns: readonly ExtractedPattern[],
  labels: readonly LessonLabel[],
  anyCategory = false,
): Array<{ label: string; pattern: number }> {
  // Labels with fewer candidate patterns go first, so a broad label does not steal a
  // pattern that is the only match of a narrow one.
  const candidates = labels.map((label) =>
    patterns.flatMap((p, i) => (patternMatchesLabel(p, label, anyCategory) ? [i] : [])),
  );
  const order = labels
    .map((_, i) => i)
    .sort((a, b) => (candidates[a]?.length ?? 0) - (candidates[b]?.length ?? 0));
  const used = new Set<number>();
  const out: Array<{ label: string; pattern: number }> = [];
  for (const li of order) {
    const free = candidates[li]?.find((pi) => !used.has(pi));
    if (free === undefined) continue;
    used.add(free);
    out.push({ label: (labels[li] as LessonLabel).id, pattern: free });
  }
  return out;
}

/** Parses a labels file; throws INVALID_ARGUMENT naming the file and the bad entry. */
export function parseLabels(text: string, source: string): LessonLabel[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AttuneError(ErrorCode.INVALID_ARGUMENT, `labels ${source}: not valid JSON`, {
      cause: error,
    });
  }
  const parsed = LabelSchema.safeParse(json);
  if (!parsed.success) {
    throw new AttuneError(
      ErrorCode.INVALID_ARGUMENT,
      `labels ${source}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data.map((l) => {
    const label: LessonLabel = { id: l.id, category: l.category, lesson: l.lesson, match: l.match };
    if (l.turn !== undefined) label.turn = l.turn;
    return label;
  });
}

async function listFiles(dir: string, exclude: ReadonlySet<string>): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!exclude.has(entry.name)) out.push(...(await listFiles(full, exclude)));
    } else if (/\.(?:jsonl|json|md)$/.test(entry.name) && entry.name !== 'SOURCES.md')
      out.push(full);
  }
  return out.sort();
}

/** Options of {@link runExtractionQuality}. */
export interface QualityOptions {
  /** Folder of transcript fixtures (searched recursively). */
  transcriptsDir: string;
  /** Folder of `<fixture-name>.labels.json` files. */
  labelsDir: string;
  /** Names of sub-folders of `transcriptsDir` to leave out (e.g. `handwritten-2`). */
  exclude?: readonly string[];
  /**
   * Extracts one session's patterns; `earlier` are the sessions before it in the same file.
   * @default the built-in rules
   */
  extract?: (session: Session, earlier: readonly Session[]) => Promise<ExtractedPattern[]>;
}

/** A transcript fixture and its labels. */
export interface LabelledFixture {
  file: string;
  name: string;
  labels: LessonLabel[];
}

/**
 * The labelled fixtures under `transcriptsDir` (sorted by path) and the files without labels.
 * Shared by the quality harness and the lesson-model trainer.
 */
export async function labelledFixtures(
  options: QualityOptions,
): Promise<{ fixtures: LabelledFixture[]; unlabelled: string[] }> {
  const files = await listFiles(options.transcriptsDir, new Set(options.exclude ?? []));
  const labelFiles = new Set(
    (await readdir(options.labelsDir)).filter((f) => f.endsWith('.labels.json')),
  );
  const fixtures: LabelledFixture[] = [];
  const unlabelled: string[] = [];
  for (const file of files) {
    const name = basename(file, extname(file));
    const labelFile = `${name}.labels.json`;
    if (!labelFiles.has(labelFile)) {
      unlabelled.push(file);
      continue;
    }
    const text = await readFile(join(options.labelsDir, labelFile), 'utf8');
    fixtures.push({ file, name, labels: parseLabels(text, labelFile) });
  }
  return { fixtures, unlabelled };
}

/**
 * Reads every labelled fixture, extracts patterns from each of its sessions and scores them.
 * A fixture that fails to read throws (the harness is only meaningful over all of them).
 */
export async function runExtractionQuality(options: QualityOptions): Promise<QualityReport> {
  const listed = await labelledFixtures(options);
  const fixtures: FixtureResult[] = [];
  for (const { file, name, labels } of listed.fixtures) {
    const bytes = (await readFile(file)).byteLength;
    const { sessions } = await readTranscriptFile(file);
    const predicted: ExtractedPattern[] = [];
    for (const [i, session] of sessions.entries()) {
      predicted.push(
        ...(options.extract
          ? await options.extract(session, sessions.slice(0, i))
          : extractSessionPatterns(session, { now: new Date(0) })),
      );
    }
    const matches = matchLabels(predicted, labels);
    const hitPatterns = new Set(matches.map((m) => m.pattern));
    const hitLabels = new Set(matches.map((m) => m.label));
    const correct = (p: ExtractedPattern, anyCategory = false) =>
      labels.some((l) => patternMatchesLabel(p, l, anyCategory));
    fixtures.push({
      fixture: name,
      sessions: sessions.length,
      labels,
      predicted,
      matches,
      falsePositives: predicted.filter((p) => !correct(p)),
      duplicates: predicted.filter((p, i) => !hitPatterns.has(i) && correct(p)),
      misses: labels.filter((l) => !hitLabels.has(l.id)),
      anyCategory: {
        matched: matchLabels(predicted, labels, true).length,
        correct: predicted.filter((p) => correct(p, true)).length,
      },
      bytes,
    });
  }
  return { fixtures, unlabelled: listed.unlabelled, ...score(fixtures) };
}

function ratio(a: number, b: number): number {
  return b === 0 ? 1 : a / b;
}

function makeScore(tp: number, predicted: number, labelled: number): Score {
  return {
    truePositives: tp,
    predicted,
    labelled,
    precision: ratio(tp, predicted),
    recall: ratio(tp, labelled),
  };
}

function score(
  fixtures: readonly FixtureResult[],
): Pick<QualityReport, 'overall' | 'overallAnyCategory' | 'byCategory'> {
  let tp = 0;
  let predicted = 0;
  let labelled = 0;
  const cat = new Map<
    string,
    { tpLabel: number; tpPred: number; predicted: number; labelled: number }
  >();
  const slot = (c: string) => {
    let s = cat.get(c);
    if (!s) {
      s = { tpLabel: 0, tpPred: 0, predicted: 0, labelled: 0 };
      cat.set(c, s);
    }
    return s;
  };
  let correctPredictions = 0;
  for (const f of fixtures) {
    tp += f.matches.length;
    correctPredictions += f.predicted.length - f.falsePositives.length;
    for (const p of f.duplicates) slot(p.category).tpPred++;
    predicted += f.predicted.length;
    labelled += f.labels.length;
    for (const p of f.predicted) slot(p.category).predicted++;
    for (const l of f.labels) slot(l.category).labelled++;
    for (const m of f.matches) {
      const label = f.labels.find((l) => l.id === m.label);
      if (label) slot(label.category).tpLabel++;
      const pattern = f.predicted[m.pattern];
      if (pattern) slot(pattern.category).tpPred++;
    }
  }
  const byCategory: Record<string, Score> = {};
  for (const [c, s] of [...cat.entries()].sort()) {
    // Precision per predicted category, recall per labelled category.
    byCategory[c] = {
      truePositives: s.tpLabel,
      predicted: s.predicted,
      labelled: s.labelled,
      precision: ratio(s.tpPred, s.predicted),
      recall: ratio(s.tpLabel, s.labelled),
    };
  }
  const overall = makeScore(tp, predicted, labelled);
  overall.precision = ratio(correctPredictions, predicted);
  const anyMatched = fixtures.reduce((n, f) => n + f.anyCategory.matched, 0);
  const overallAnyCategory = makeScore(anyMatched, predicted, labelled);
  overallAnyCategory.precision = ratio(
    fixtures.reduce((n, f) => n + f.anyCategory.correct, 0),
    predicted,
  );
  return { overall, overallAnyCategory, byCategory };
}
