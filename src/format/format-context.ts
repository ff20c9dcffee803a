/**
 * The context block an assistant reads: the seed's `## Learned Patterns` format.
 * @module
 */
import { categoryName } from '../model/category.js';
import type { ExtractedPattern } from '../model/pattern.js';

/** The heading of the block. */
export const CONTEXT_HEADING = '## Learned Patterns';

/** One pattern as the seed prints it (three lines). */
export function formatPatternEntry(pattern: ExtractedPattern): string {
  return [
    `**[${categoryName(pattern.category)}]** Confidence: ${pattern.confidence.toFixed(2)}`,
    `When: ${oneLine(pattern.trigger)}`,
    `Do: ${oneLine(pattern.resolution)}`,
  ].join('\n');
}

/** Options of {@link formatContextBlock}. */
export interface FormatContextOptions {
  /** Stop adding patterns before the block would exceed this many characters. */
  maxChars?: number;
}

/**
 * The block for `patterns`, in the order given (callers rank them). Empty string when there
 * is nothing to show, or when not even one pattern fits in `maxChars`.
 */
export function formatContextBlock(
  patterns: readonly ExtractedPattern[],
  options: FormatContextOptions = {},
): string {
  const max = options.maxChars ?? Number.POSITIVE_INFINITY;
  let block = CONTEXT_HEADING;
  let count = 0;
  for (const p of patterns) {
    const next = `${block}\n\n${formatPatternEntry(p)}`;
    if (next.length > max) break;
    block = next;
    count++;
  }
  return count === 0 ? '' : block;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
