/**
 * A linear scan over a top-level JSON array that hands each element to a callback, so a
 * bad element is skipped and an array cut short still yields its complete elements.
 * @module
 */
import { tryParseJson } from './shared.js';

/** What {@link scanJsonArray} found besides the elements. */
export interface ScanResult {
  /** Elements that were not valid JSON. */
  skipped: number;
  /** True when the text ended before the closing `]`. */
  truncated: boolean;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/**
 * Calls `onValue` for each element of the JSON array that `text` starts with (after
 * whitespace). One pass over the text; strings and nesting are tracked so commas and
 * brackets inside them do not split elements.
 */
export function scanJsonArray(text: string, onValue: (value: unknown) => void): ScanResult {
  const result: ScanResult = { skipped: 0, truncated: false };
  let i = text.indexOf('[');
  if (i === -1) {
    result.skipped++;
    return result;
  }
  i++;
  let depth = 0;
  let inString = false;
  let start = -1;
  const length = text.length;
  const emit = (end: number): void => {
    const slice = text.slice(start, end).trim();
    start = -1;
    if (slice === '') return;
    const parsed = tryParseJson(slice);
    if (parsed.ok) onValue(parsed.value);
    else result.skipped++;
  };
  for (; i < length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) {
      inString = true;
      if (start === -1) start = i;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (start === -1) start = i;
      depth++;
      continue;
    }
    if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 0) {
        // The closing bracket of the top-level array.
        if (start !== -1) emit(i);
        return result;
      }
      depth--;
      continue;
    }
    if (depth === 0) {
      if (c === COMMA) {
        if (start !== -1) emit(i);
      } else if (start === -1 && c > 0x20) {
        start = i;
      }
    }
  }
  // Ran out of text inside the array: the last element, if incomplete, is not counted.
  result.truncated = true;
  if (start !== -1 && depth === 0 && !inString) emit(length);
  return result;
}
