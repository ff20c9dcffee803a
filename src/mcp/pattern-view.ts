/**
 * How the MCP tools show a pattern to a model: a flat snake_case object for
 * `structuredContent` and a few lines of text for `content`.
 * @module
 */
import { z } from 'zod';
import { categoryName, PatternCategory } from '../model/category.js';
import type { ExtractedPattern } from '../model/pattern.js';

/** Schema of one pattern in tool output. */
export const PatternViewSchema = z.object({
  id: z.string(),
  category: z.enum(PatternCategory),
  trigger: z.string(),
  resolution: z.string(),
  context: z.string(),
  confidence: z.number(),
  tags: z.array(z.string()),
  observations: z.number().int(),
  project: z.string().optional(),
  extracted_at: z.string(),
});

/** One pattern in tool output. */
export type PatternView = z.infer<typeof PatternViewSchema>;

/** The view of a stored pattern. */
export function toPatternView(pattern: ExtractedPattern): PatternView {
  const observations = pattern.metadata.observations;
  const project = pattern.metadata.project;
  return {
    id: pattern.patternId,
    category: pattern.category,
    trigger: pattern.trigger,
    resolution: pattern.resolution,
    context: pattern.context,
    confidence: pattern.confidence,
    tags: [...pattern.tags],
    observations: typeof observations === 'number' && observations >= 1 ? observations : 1,
    ...(typeof project === 'string' ? { project } : {}),
    extracted_at: pattern.extractedAt.toISOString(),
  };
}

/** A pattern as a short text entry: id and category, then When/Do lines. */
export function formatPatternView(view: PatternView): string {
  const lines = [
    `- ${view.id} [${categoryName(view.category)}] confidence ${view.confidence.toFixed(2)}, seen ${view.observations}x`,
    `  When: ${oneLine(view.trigger)}`,
    `  Do: ${oneLine(view.resolution)}`,
  ];
  if (view.context.trim()) lines.push(`  Context: ${oneLine(view.context)}`);
  if (view.tags.length > 0) lines.push(`  Tags: ${view.tags.join(', ')}`);
  if (view.project !== undefined) lines.push(`  Project: ${view.project}`);
  return lines.join('\n');
}

/** A list of patterns as text, with a heading line; `empty` when there are none. */
export function formatPatternList(
  heading: string,
  views: readonly PatternView[],
  empty: string,
): string {
  if (views.length === 0) return empty;
  return [heading, ...views.map(formatPatternView)].join('\n');
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 500 ? `${flat.slice(0, 497)}...` : flat;
}
