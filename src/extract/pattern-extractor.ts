/**
 * PatternExtractor: the seed's extraction API over structured inputs and interactions.
 * @module
 */
import { invalidArgument } from '../errors.js';
import { clip } from '../evaluate/text.js';
import { PatternCategory, parseCategory } from '../model/category.js';
import { createPattern, type ExtractedPattern } from '../model/pattern.js';
import type { Interaction } from '../model/session.js';
import { sessionFromInteractions } from '../transcripts/interactions.js';
import { redactSecrets } from './redact.js';
import { extractSessionPatterns } from './session-extractor.js';
import { deriveTags } from './tags.js';

/** A correction, as the seed passes it (`{original, corrected, reason}`). */
export interface CorrectionInput {
  original: string;
  corrected: string;
  reason?: string;
}

/** An error resolution (`{error_type, error_message, resolution}`; camelCase accepted). */
export interface ErrorResolutionInput {
  error_type?: string;
  error_message?: string;
  errorType?: string;
  errorMessage?: string;
  resolution: string;
}

/** A stated preference: plain text, or an object with the text and where it applies. */
export type PreferenceInput =
  | string
  | {
      preference?: string;
      text?: string;
      description?: string;
      context?: string;
      category?: string;
    };

/** Options shared by the extraction calls. */
export interface ExtractOptions {
  sessionId?: string | null;
  /** Project of the session; stored on project conventions. */
  project?: string;
}

/** Input of {@link PatternExtractor.extractPatterns}, the seed's keyword arguments. */
export interface ExtractPatternsInput extends ExtractOptions {
  interactions?: readonly Interaction[];
  corrections?: readonly CorrectionInput[] | null;
  errorResolutions?: readonly ErrorResolutionInput[] | null;
  preferences?: readonly PreferenceInput[] | null;
}

/** Turns corrections, errors, preferences and conversations into patterns. */
export class PatternExtractor {
  /** One USER_CORRECTION pattern per correction. Throws INVALID_ARGUMENT on a malformed one. */
  extractCorrections(
    corrections: readonly CorrectionInput[],
    options: ExtractOptions = {},
  ): ExtractedPattern[] {
    return listOf(corrections, 'corrections').map((c, i) => {
      const original = text(c?.original, `corrections[${i}].original`);
      const corrected = text(c?.corrected, `corrections[${i}].corrected`);
      const reason = c.reason === undefined ? '' : text(c.reason, `corrections[${i}].reason`, true);
      return build(options, {
        category: PatternCategory.USER_CORRECTION,
        trigger: `Before you ${lowerFirst(stripPeriod(original))}`,
        resolution: sentence(corrected),
        context: reason
          ? `Corrected from "${stripPeriod(original)}". Reason: ${sentence(reason)}`
          : `Corrected from "${stripPeriod(original)}".`,
        confidence: reason ? 0.85 : 0.75,
        tagsFrom: `${original} ${corrected} ${reason}`,
      });
    });
  }

  /** One ERROR_RESOLUTION pattern per resolved error. Throws INVALID_ARGUMENT on a malformed one. */
  extractErrorResolutions(
    errors: readonly ErrorResolutionInput[],
    options: ExtractOptions = {},
  ): ExtractedPattern[] {
    return listOf(errors, 'errors').map((e, i) => {
      const type = optionalText(e?.error_type ?? e?.errorType, `errors[${i}].error_type`);
      const message = optionalText(
        e?.error_message ?? e?.errorMessage,
        `errors[${i}].error_message`,
      );
      if (!type && !message) {
        invalidArgument(`errors[${i}]`, 'needs error_type or error_message');
      }
      const resolution = text(e.resolution, `errors[${i}].resolution`);
      const trigger = type && message ? `${type}: ${message}` : (type ?? message ?? '');
      return build(options, {
        category: PatternCategory.ERROR_RESOLUTION,
        trigger: clip(trigger, 160),
        resolution: sentence(resolution),
        context: type ? `Seen as ${type} and fixed in a session.` : 'Seen and fixed in a session.',
        confidence: 0.8,
        tagsFrom: `${trigger} ${resolution}`,
        extraTags: type ? [type.toLowerCase()] : [],
      });
    });
  }

  /** One PREFERENCE (or the given category) pattern per stated preference. */
  extractPreferences(
    preferences: readonly PreferenceInput[],
    options: ExtractOptions = {},
  ): ExtractedPattern[] {
    return listOf(preferences, 'preferences').map((p, i) => {
      const field = `preferences[${i}]`;
      const body =
        typeof p === 'string' ? p : (p?.preference ?? p?.text ?? p?.description ?? undefined);
      const pref = text(body, field);
      const where = typeof p === 'object' && p?.context ? text(p.context, `${field}.context`) : '';
      const category =
        typeof p === 'object' && p?.category
          ? parseCategory(p.category, `${field}.category`)
          : PatternCategory.PREFERENCE;
      return build(options, {
        category,
        trigger: where ? stripPeriod(where) : 'Working with this user',
        resolution: sentence(pref),
        context: 'Stated by the user.',
        confidence: 0.85,
        tagsFrom: `${pref} ${where}`,
      });
    });
  }

  /**
   * Everything at once (the seed's `extract_patterns`): structured inputs plus what the
   * interactions show. The same lesson found twice is returned once.
   */
  extractPatterns(input: ExtractPatternsInput): ExtractedPattern[] {
    const options: ExtractOptions = { sessionId: input.sessionId ?? null };
    if (input.project !== undefined) options.project = input.project;
    const found = [
      ...this.extractCorrections(input.corrections ?? [], options),
      ...this.extractErrorResolutions(input.errorResolutions ?? [], options),
      ...this.extractPreferences(input.preferences ?? [], options),
    ];
    const interactions = listOf(input.interactions ?? [], 'interactions');
    if (interactions.length > 0) {
      const session = sessionFromInteractions(interactions, input.sessionId ?? undefined);
      found.push(
        ...extractSessionPatterns(
          session,
          input.project === undefined ? {} : { project: input.project },
        ),
      );
    }
    const byId = new Map<string, ExtractedPattern>();
    for (const p of found) if (!byId.has(p.patternId)) byId.set(p.patternId, p);
    return [...byId.values()];
  }
}

interface BuildInput {
  category: PatternCategory;
  trigger: string;
  resolution: string;
  context: string;
  confidence: number;
  tagsFrom: string;
  extraTags?: string[];
}

function build(options: ExtractOptions, b: BuildInput): ExtractedPattern {
  const clean = (s: string) => redactSecrets(s).text;
  const sessionId = options.sessionId ?? '';
  const metadata: Record<string, unknown> = { observations: 1 };
  if (sessionId) metadata.evidence = [{ sessionId }];
  if (options.project !== undefined && b.category === PatternCategory.PROJECT_SPECIFIC) {
    metadata.project = options.project;
  }
  return createPattern({
    category: b.category,
    trigger: clean(b.trigger),
    resolution: clean(b.resolution),
    context: clean(b.context),
    confidence: b.confidence,
    tags: deriveTags(clean(b.tagsFrom), b.extraTags ?? []),
    sourceSession: sessionId,
    metadata,
  });
}

function listOf<T>(value: readonly T[] | null | undefined, field: string): readonly T[] {
  if (value == null) return [];
  if (!Array.isArray(value)) return invalidArgument(field, 'must be an array');
  return value;
}

function text(value: unknown, field: string, allowEmpty = false): string {
  if (typeof value !== 'string') return invalidArgument(field, 'must be a string');
  if (!allowEmpty && !value.trim()) return invalidArgument(field, 'must not be empty');
  return value.trim();
}

function optionalText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return text(value, field);
}

function stripPeriod(s: string): string {
  return s.trim().replace(/[.!]+$/, '');
}

function sentence(s: string): string {
  const t = s.trim();
  if (!t) return t;
  const upper = t[0]?.toUpperCase() + t.slice(1);
  return /[.!?)]$/.test(upper) ? upper : `${upper}.`;
}

function lowerFirst(s: string): string {
  // Keep identifiers and acronyms as they are ("NPM", "eval()").
  return /^[A-Z][a-z]/.test(s) ? (s[0]?.toLowerCase() ?? '') + s.slice(1) : s;
}
