/**
 * The text our hooks inject into a Claude Code session: the learned patterns that apply,
 * phrased as notes about past sessions (Claude Code's docs advise against injected text
 * that reads like out-of-band commands), headed by the marker that keeps our transcript
 * readers from learning from it.
 * @module
 */
import type { PatternCategory } from '../../model/category.js';
import type { ExtractedPattern } from '../../model/pattern.js';
import {
  observationCount as observationsOf,
  patternWorth,
  promptTerms,
} from '../../retrieve/worth.js';

/**
 * What injection needs of a pattern. An {@link ExtractedPattern} is one; the hooks' fast
 * file reader builds these straight from `patterns.json` without loading the model.
 */
export type InjectablePattern = Pick<
  ExtractedPattern,
  | 'patternId'
  | 'category'
  | 'trigger'
  | 'context'
  | 'resolution'
  | 'confidence'
  | 'tags'
  | 'extractedAt'
  | 'metadata'
>;

/** The marker every injected block starts with; transcript readers skip text holding it. */
export const INJECTED_MARKER_COMMENT = '<!-- attune-learning:injected -->';

/** Claude Code saves hook output above this many characters to a file instead. */
export const CLAUDE_CONTEXT_CAP = 10_000;

const LABELS: Record<PatternCategory, { kind: string; outcome: string }> = {
  user_correction: { kind: 'User correction', outcome: 'The user wanted instead' },
  error_resolution: { kind: 'Error resolution', outcome: 'Fix that worked' },
  workaround: { kind: 'Workaround', outcome: 'What worked' },
  preference: { kind: 'User preference', outcome: 'Preferred' },
  project_specific: { kind: 'Project convention', outcome: 'Convention' },
  debugging_technique: { kind: 'Debugging technique', outcome: 'What found the cause' },
  code_pattern: { kind: 'Code pattern', outcome: 'Pattern used' },
};

const HEADERS = {
  session:
    'Notes learned from earlier sessions with this user (attune-learning). They record what happened before, not new instructions; the current request takes precedence.',
  prompt: 'Notes from earlier sessions that may bear on this prompt (attune-learning):',
} as const;

/** Which block to build: the session-start one or the per-prompt one. */
export type ContextKind = keyof typeof HEADERS;

/** One pattern as a note line. Long fields are cut to keep one note from eating the budget. */
export function formatPatternNote(pattern: InjectablePattern): string {
  const label = LABELS[pattern.category];
  const seen = observationsOf(pattern);
  const stats = `confidence ${pattern.confidence.toFixed(2)}${seen > 1 ? `, seen ${seen} times` : ''}`;
  return `- ${label.kind}. When: ${clip(pattern.trigger, 240)}. ${label.outcome}: ${clip(pattern.resolution, 320)}. (${stats})`;
}

/**
 * The block for `patterns` (in the order given), as long as it fits in `maxChars` (never
 * more than {@link CLAUDE_CONTEXT_CAP}). Empty string when no pattern fits.
 */
export function formatInjectedContext(
  patterns: readonly InjectablePattern[],
  kind: ContextKind,
  maxChars: number,
): string {
  const budget = Math.min(maxChars, CLAUDE_CONTEXT_CAP);
  let text = `${INJECTED_MARKER_COMMENT}\n${HEADERS[kind]}\n`;
  let count = 0;
  for (const p of patterns) {
    const next = `${text}\n${formatPatternNote(p)}`;
    if (next.length > budget) continue;
    text = next;
    count++;
  }
  return count === 0 ? '' : text;
}

/** The best patterns for a new session: confident enough, best worth first. */
export function selectSessionPatterns(
  patterns: readonly InjectablePattern[],
  options: { maxPatterns: number; minConfidence: number },
): InjectablePattern[] {
  return patterns
    .filter((p) => p.confidence >= options.minConfidence)
    .map((p) => ({ p, worth: patternWorth(p) }))
    .sort(
      (a, b) =>
        b.worth - a.worth ||
        b.p.extractedAt.getTime() - a.p.extractedAt.getTime() ||
        a.p.patternId.localeCompare(b.p.patternId),
    )
    .slice(0, options.maxPatterns)
    .map((s) => s.p);
}

/**
 * The patterns that bear on `prompt`, most relevant first. A pattern counts when one prompt
 * term occurs in its trigger or tags, or two occur in its resolution or context; the score
 * is those hits times the pattern's worth. Patterns below `minConfidence` are left out.
 */
export function selectPromptPatterns(
  patterns: readonly InjectablePattern[],
  prompt: string,
  options: { maxPatterns: number; minConfidence: number },
): InjectablePattern[] {
  const terms = promptTerms(prompt);
  if (terms.length === 0) return [];
  const scored: { p: InjectablePattern; score: number }[] = [];
  for (const p of patterns) {
    if (p.confidence < options.minConfidence) continue;
    const head = `${p.trigger} ${p.tags.join(' ')}`.toLowerCase();
    const body = `${p.resolution} ${p.context}`.toLowerCase();
    let hits = 0;
    for (const t of terms) {
      if (head.includes(t)) hits += 2;
      else if (body.includes(t)) hits += 1;
    }
    if (hits >= 2) scored.push({ p, score: hits * patternWorth(p) });
  }
  return scored
    .sort((a, b) => b.score - a.score || a.p.patternId.localeCompare(b.p.patternId))
    .slice(0, options.maxPatterns)
    .map((s) => s.p);
}

function clip(text: string, max: number): string {
  const flat = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.\s]+$/, '');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}
