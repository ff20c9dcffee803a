/**
 * Plain-text renderings shared by the CLI and the in-process commands.
 * @module
 */
import { clip } from '../evaluate/text.js';
import type { SessionLearnReport } from '../learn/learn.js';
import { categoryName } from '../model/category.js';
import { type ExtractedPattern, observationsOf, patternToJson } from '../model/pattern.js';
import type { LearningSummary } from '../storage/learned-skills-storage.js';

/**
 * The warning lines of a model extractor: each failure (the rules extracted instead) and each
 * failed review (the first answer was kept); undefined entries are skipped.
 */
export function extractorWarnings(
  failures: readonly (string | undefined)[],
  reviewFailures: readonly (string | undefined)[],
): string[] {
  const lines = (list: readonly (string | undefined)[], what: string) =>
    list.flatMap((e) => (e === undefined ? [] : [`  ! ${what}: ${e}`]));
  return [
    ...lines(failures, 'the built-in rules extracted instead of the model'),
    ...lines(reviewFailures, "the model's first answer was kept unreviewed"),
  ];
}

/** A readable report of one evaluated session. */
export function renderEvaluation(
  report: SessionLearnReport,
  options: { dryRun?: boolean } = {},
): string {
  const e = report.evaluation;
  const lines = [
    `Session ${report.sessionId} (${report.format}, ${report.turns} turns)`,
    `Session quality: ${e.quality.name} (score ${e.quality.score}, ${e.points} learning points)`,
    ...e.reasons.map((r) => `  - ${r}`),
  ];
  if (report.skipped > 0) lines.push(`  ! skipped ${report.skipped} malformed records`);
  if (report.truncated) lines.push('  ! the transcript ends part-way through a record');
  lines.push(...extractorWarnings([report.extractorError], [report.extractorReviewError]));
  if (!report.extracted) {
    lines.push('Not extracted: below the quality threshold (use --force to extract anyway).');
    return lines.join('\n');
  }
  if (report.patterns.length === 0) {
    lines.push('No patterns found.');
    return lines.join('\n');
  }
  lines.push(
    '',
    `${report.patterns.length} ${report.patterns.length === 1 ? 'pattern' : 'patterns'}${report.extractor === 'model' ? ' (extracted by the model command)' : ''}:`,
  );
  for (const p of report.patterns) lines.push(renderPatternLine(p));
  if (options.dryRun) {
    lines.push('', 'Dry run: nothing stored.');
  } else {
    lines.push('', `Stored: ${report.created.length} new, ${report.reinforced.length} reinforced.`);
  }
  return lines.join('\n');
}

/** One line per pattern: id, category, confidence, trigger and resolution. */
export function renderPatternLine(p: ExtractedPattern): string {
  const seen = observationsOf(p);
  return `  ${p.patternId}  [${categoryName(p.category)}] ${p.confidence.toFixed(2)}${seen > 1 ? ` x${seen}` : ''}  When: ${clip(p.trigger, 60)}  Do: ${clip(p.resolution, 90)}`;
}

/** A list of patterns, or a line saying there are none. */
export function renderPatternList(patterns: readonly ExtractedPattern[], empty: string): string {
  if (patterns.length === 0) return empty;
  return [
    `${patterns.length} ${patterns.length === 1 ? 'pattern' : 'patterns'}:`,
    ...patterns.map(renderPatternLine),
  ].join('\n');
}

/** Every field of one pattern. */
export function renderPattern(p: ExtractedPattern): string {
  const json = patternToJson(p);
  const evidence = Array.isArray(p.metadata.evidence) ? p.metadata.evidence : [];
  return [
    `Pattern ${p.patternId}`,
    `  Category:    ${json.category}`,
    `  When:        ${p.trigger}`,
    `  Do:          ${p.resolution}`,
    `  Context:     ${p.context || '-'}`,
    `  Confidence:  ${p.confidence.toFixed(2)} (seen ${observationsOf(p)}x)`,
    `  Tags:        ${p.tags.join(', ') || '-'}`,
    `  Extracted:   ${json.extracted_at} from session ${p.sourceSession || '-'}`,
    ...(typeof p.metadata.project === 'string' ? [`  Project:     ${p.metadata.project}`] : []),
    ...evidence.map((e) => `  Evidence:    ${JSON.stringify(e)}`),
  ].join('\n');
}

/** The seed's summary as text. */
export function renderSummary(s: LearningSummary): string {
  const cats = Object.entries(s.patterns_by_category);
  return [
    `Learned patterns for ${s.user_id}`,
    `  Patterns:        ${s.total_patterns}`,
    ...cats.map(([c, n]) => `    ${c.padEnd(20)} ${n}`),
    `  Average confidence: ${s.avg_confidence.toFixed(2)}`,
    `  Skills:          ${s.total_skills}`,
    `  Most used skill: ${s.most_used_skill ?? '-'}`,
  ].join('\n');
}
