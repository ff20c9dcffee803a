/**
 * ExtractedPattern: one learned lesson, its id and its on-disk JSON form.
 * @module
 */
import { createHash } from 'node:crypto';
import { AttuneError, ErrorCode, invalidArgument } from '../errors.js';
import { isPatternCategory, type PatternCategory, parseCategory } from './category.js';

/** Where a pattern was seen: a session and, when known, the turn index in it. */
export interface Evidence {
  sessionId: string;
  turn?: number;
  /** A short quote (already redacted) of what showed the lesson. */
  quote?: string;
  at?: string;
}

/**
 * One learned lesson. The seed's dataclass, in camelCase.
 *
 * `metadata` holds everything beyond the seed's fields (observation count, evidence,
 * project); it round-trips through the Python original untouched.
 */
export interface ExtractedPattern {
  patternId: string;
  category: PatternCategory;
  /** When it applies. */
  trigger: string;
  /** Additional context. */
  context: string;
  /** What to do, as a self-contained instruction. */
  resolution: string;
  /** 0..1. */
  confidence: number;
  tags: string[];
  extractedAt: Date;
  sourceSession: string;
  metadata: PatternMetadata;
}

/** Known metadata keys; any other key is kept as it is. */
export interface PatternMetadata {
  /** How many times the lesson was seen. Missing means 1. */
  observations?: number;
  /** Up to {@link MAX_EVIDENCE} most recent sightings. */
  evidence?: Evidence[];
  /** The project (git root or folder) a project convention belongs to. */
  project?: string;
  /** Last time the pattern was reinforced or edited (ISO 8601). */
  updatedAt?: string;
  [key: string]: unknown;
}

/** How many sightings a pattern keeps in `metadata.evidence`. */
export const MAX_EVIDENCE = 10;

/** Longest trigger, context or resolution we accept, in characters. */
export const MAX_FIELD_LENGTH = 100_000;

/**
 * The id of a pattern: the first 12 hex characters of SHA-256 over
 * `"<category>:<trigger>:<resolution>"`, so the same lesson always has the same id.
 */
export function computePatternId(
  category: PatternCategory,
  trigger: string,
  resolution: string,
): string {
  return createHash('sha256')
    .update(`${category}:${trigger}:${resolution}`)
    .digest('hex')
    .slice(0, 12);
}

/** Input of {@link createPattern}: the seed's fields, most of them optional. */
export interface CreatePatternInput {
  category: PatternCategory | string;
  trigger: string;
  resolution: string;
  context?: string;
  confidence?: number;
  tags?: readonly string[];
  extractedAt?: Date | string;
  sourceSession?: string | null;
  patternId?: string;
  metadata?: PatternMetadata;
}

/**
 * Builds a validated pattern, deriving `patternId` from its content unless one is given.
 * Throws INVALID_ARGUMENT naming the field that is wrong.
 */
export function createPattern(input: CreatePatternInput): ExtractedPattern {
  const category = parseCategory(String(input.category));
  const trigger = checkText('trigger', input.trigger, true);
  const resolution = checkText('resolution', input.resolution, true);
  const context = checkText('context', input.context ?? '', false);
  const confidence = checkConfidence(input.confidence ?? 0.5);
  const tags = normaliseTags(input.tags ?? []);
  const extractedAt = checkDate('extractedAt', input.extractedAt ?? new Date());
  const patternId = input.patternId ?? computePatternId(category, trigger, resolution);
  if (typeof patternId !== 'string' || patternId.length === 0 || patternId.length > 128) {
    invalidArgument('patternId', 'must be a non-empty string of at most 128 characters');
  }
  return {
    patternId,
    category,
    trigger,
    context,
    resolution,
    confidence,
    tags,
    extractedAt,
    sourceSession: input.sourceSession ?? '',
    metadata: { ...(input.metadata ?? {}) },
  };
}

/** Validates a confidence: a finite number in 0..1. */
export function checkConfidence(value: unknown, field = 'confidence'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    return invalidArgument(field, `must be a number from 0 to 1, got ${String(value)}`);
  }
  return value;
}

function checkText(field: string, value: unknown, required: boolean): string {
  if (typeof value !== 'string') return invalidArgument(field, 'must be a string');
  if (required && value.trim().length === 0) return invalidArgument(field, 'must not be empty');
  if (value.length > MAX_FIELD_LENGTH) {
    return invalidArgument(field, `is longer than ${MAX_FIELD_LENGTH} characters`);
  }
  return value;
}

function checkDate(field: string, value: Date | string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return invalidArgument(field, 'is not a valid date');
  return date;
}

/** Lower-cases, trims and de-duplicates tags, keeping their order. */
export function normaliseTags(tags: readonly unknown[]): string[] {
  const seen = new Set<string>();
  for (const tag of tags) {
    if (typeof tag !== 'string') invalidArgument('tags', 'every tag must be a string');
    const t = tag.trim().toLowerCase();
    if (t) seen.add(t);
  }
  return [...seen];
}

/** The on-disk JSON shape of a pattern: snake_case, as the Python original writes it. */
export interface PatternJson {
  pattern_id: string;
  category: string;
  trigger: string;
  context: string;
  resolution: string;
  confidence: number;
  source_session: string | null;
  extracted_at: string;
  tags: string[];
  metadata: Record<string, unknown>;
  [extra: string]: unknown;
}

/** Serialises a pattern to its on-disk JSON shape. */
export function patternToJson(pattern: ExtractedPattern): PatternJson {
  return {
    pattern_id: pattern.patternId,
    category: pattern.category,
    trigger: pattern.trigger,
    context: pattern.context,
    resolution: pattern.resolution,
    confidence: pattern.confidence,
    source_session: pattern.sourceSession,
    extracted_at: pattern.extractedAt.toISOString(),
    tags: [...pattern.tags],
    metadata: { ...pattern.metadata },
  };
}

/**
 * Parses one pattern from its on-disk JSON shape (ours or the Python original's).
 * Returns a readable error naming the field instead of throwing.
 */
export function safeParsePatternJson(
  value: unknown,
): { success: true; data: ExtractedPattern } | { success: false; error: string } {
  // Hand-written rather than a schema: this runs on every hook start (no zod import there).
  const fail = (error: string) => ({ success: false as const, error });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('pattern: expected an object');
  }
  const p = value as Record<string, unknown>;
  const id = p.pattern_id;
  if (typeof id !== 'string' || id.length === 0 || id.length > 128) {
    return fail('pattern_id: expected a non-empty string of at most 128 characters');
  }
  if (!isPatternCategory(p.category)) {
    return fail(`category: unknown category ${JSON.stringify(p.category)}`);
  }
  for (const key of ['trigger', 'resolution'] as const) {
    if (typeof p[key] !== 'string') return fail(`${key}: expected a string`);
  }
  for (const key of ['context', 'source_session', 'extracted_at'] as const) {
    if (p[key] != null && typeof p[key] !== 'string') return fail(`${key}: expected a string`);
  }
  const c = p.confidence;
  if (typeof c !== 'number' || !Number.isFinite(c) || c < 0 || c > 1) {
    return fail('confidence: expected a number from 0 to 1');
  }
  const tags = p.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) {
    return fail('tags: expected an array of strings');
  }
  const metadata = p.metadata ?? {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    return fail('metadata: expected an object');
  }
  const extractedAt =
    typeof p.extracted_at === 'string' ? parseIsoDate(p.extracted_at) : new Date(0);
  if (!extractedAt) return fail('extracted_at: not a valid date');
  return {
    success: true,
    data: {
      patternId: id,
      category: p.category,
      trigger: p.trigger as string,
      context: (p.context as string | null | undefined) ?? '',
      resolution: p.resolution as string,
      confidence: c,
      tags: tags as string[],
      extractedAt,
      sourceSession: (p.source_session as string | null | undefined) ?? '',
      metadata: metadata as PatternMetadata,
    },
  };
}

/** Parses one pattern from JSON; throws INVALID_ARGUMENT naming the field. */
export function patternFromJson(value: unknown): ExtractedPattern {
  const result = safeParsePatternJson(value);
  if (!result.success) throw new AttuneError(ErrorCode.INVALID_ARGUMENT, result.error);
  return result.data;
}

/**
 * Parses an ISO 8601 date. Python's `datetime.isoformat()` writes no zone for naive
 * datetimes and up to six fractional digits; both are accepted (naive means UTC).
 */
export function parseIsoDate(text: string): Date | undefined {
  let t = text.trim();
  t = t.replace(/(\.\d{3})\d+/, '$1');
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t)) t += 'Z';
  const date = new Date(t);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** How many times a pattern has been seen (at least 1). */
export function observationsOf(pattern: ExtractedPattern): number {
  const n = pattern.metadata.observations;
  return typeof n === 'number' && Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
}
