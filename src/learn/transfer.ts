/**
 * Patterns in and out of a store as one portable JSON file (`attune patterns export` and
 * `import`): to move a user's lessons to another machine, or to share a project's conventions
 * with a colleague. An import is checked whole before anything is stored, and its texts have
 * their secrets redacted, since the file may have been edited by hand.
 * @module
 */
import { AttuneError, ErrorCode } from '../errors.js';
import {
  type Evidence,
  type ExtractedPattern,
  type PatternJson,
  patternToJson,
  safeParsePatternJson,
} from '../model/pattern.js';
import { Redactor } from './remember.js';

/** The `format` of an export file. */
export const EXPORT_FORMAT = 'attune-patterns';
/** The version of the export file's shape. */
export const EXPORT_VERSION = 1;

/** What `attune patterns export` writes. */
export interface PatternExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exported_at: string;
  user: string;
  patterns: PatternJson[];
}

/** The export file of `patterns`. */
export function exportPatterns(
  userId: string,
  patterns: readonly ExtractedPattern[],
  now: Date = new Date(),
): PatternExport {
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exported_at: now.toISOString(),
    user: userId,
    patterns: patterns.map(patternToJson),
  };
}

/**
 * The patterns of a file's text: an export file, a store's `patterns.json` (an array of
 * patterns) or any object with a `patterns` array (such as `attune evaluate --json`). Every
 * pattern is checked first; when any is malformed nothing is returned and the error names each
 * bad one (INVALID_ARGUMENT). Texts are redacted; `redacted` lists the kinds of secret found.
 */
export function parsePatternsFile(
  text: string,
  source: string,
): { patterns: ExtractedPattern[]; redacted: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AttuneError(
      ErrorCode.INVALID_ARGUMENT,
      `${source} is not JSON: ${(error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ')}`,
      { suggestion: "Give a file written by 'attune patterns export'." },
    );
  }
  const list = Array.isArray(value)
    ? value
    : typeof value === 'object' &&
        value !== null &&
        Array.isArray((value as PatternExport).patterns)
      ? (value as PatternExport).patterns
      : undefined;
  if (list === undefined) {
    throw new AttuneError(ErrorCode.INVALID_ARGUMENT, `${source} holds no patterns array`, {
      suggestion: "Give a file written by 'attune patterns export', or an array of patterns.",
    });
  }
  const problems: string[] = [];
  const patterns: ExtractedPattern[] = [];
  for (const [i, item] of list.entries()) {
    const parsed = safeParsePatternJson(item);
    if (parsed.success) patterns.push(parsed.data);
    else problems.push(`patterns[${i}].${parsed.error}`);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join('; ');
    const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
    throw new AttuneError(
      ErrorCode.INVALID_ARGUMENT,
      `${source}: ${problems.length} of ${list.length} patterns are malformed, so none was imported: ${shown}${more}`,
      { suggestion: 'Fix or remove those entries and import again.' },
    );
  }
  const redactor = new Redactor();
  return { patterns: patterns.map((p) => redactPattern(p, redactor)), redacted: redactor.found };
}

/** `pattern` with the secrets of its texts, tags and evidence quotes redacted. */
export function redactPattern(pattern: ExtractedPattern, redactor: Redactor): ExtractedPattern {
  const clean = (text: string) => redactor.clean(text);
  const evidence = pattern.metadata.evidence;
  return {
    ...pattern,
    trigger: clean(pattern.trigger),
    resolution: clean(pattern.resolution),
    context: clean(pattern.context),
    tags: pattern.tags.map(clean),
    metadata: {
      ...pattern.metadata,
      ...(Array.isArray(evidence)
        ? {
            evidence: evidence.map((e: Evidence) =>
              typeof e?.quote === 'string' ? { ...e, quote: clean(e.quote) } : e,
            ),
          }
        : {}),
    },
  };
}
