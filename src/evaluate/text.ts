/**
 * Small text helpers shared by the signal detectors.
 * @module
 */
import { redactSecrets } from '../extract/redact.js';

/** The text with every secret replaced by a typed placeholder. */
export function redactText(text: string): string {
  return redactSecrets(text).text;
}

/** Shortens text to `max` characters on one line, marking the cut with an ellipsis. */
export function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1).trimEnd()}…`;
}

/** A user turn that shows frustration with the assistant's last attempt. */
export const FRUSTRATION =
  /\b(?:you broke|broke (?:it|the \w+) again|that'?s not what i (?:asked|wanted|meant)|not what i asked|i was trying to|fix the issue|i (?:already )?told you|how many times|come on|start to focus|still (?:not working|broken|the same|failing|doesn'?t work|isn'?t working))\b/i;
