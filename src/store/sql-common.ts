/**
 * Pieces the sqlite and postgres stores share: the row form of a pattern (searchable
 * lower-cased columns plus the full JSON), row decoding that reports corruption, the
 * per-call save bookkeeping, and LIKE escaping.
 * @module
 */
import { AttuneError, ErrorCode } from '../errors.js';
import { type ExtractedPattern, patternToJson, safeParsePatternJson } from '../model/pattern.js';
import { type LearnedSkill, safeParseSkillJson } from '../model/skill.js';

/**
 * Most search terms a query sends to the database; the rest are checked on the rows it
 * returns (SQL engines limit expression depth, and 100 000-character queries exist).
 */
export const MAX_SQL_TERMS = 16;

/** The distinct lower-cased terms of a query, longest (most selective) first. */
export function sqlSearchTerms(query: string): { sql: string[]; rest: string[] } {
  const terms = [...new Set(query.toLowerCase().split(/\s+/).filter(Boolean).map(searchable))];
  if (terms.length <= MAX_SQL_TERMS) return { sql: terms, rest: [] };
  const byLength = [...terms].sort((a, b) => b.length - a.length);
  return { sql: byLength.slice(0, MAX_SQL_TERMS), rest: byLength.slice(MAX_SQL_TERMS) };
}

/**
 * Filters candidates by the terms SQL did not check and ranks them as the SQL does:
 * field-weighted hits plus confidence, then confidence, newest, id. For queries with more
 * than {@link MAX_SQL_TERMS} terms.
 */
export function finishSearch(
  candidates: readonly ExtractedPattern[],
  terms: readonly string[],
  rest: readonly string[],
  limit: number | undefined,
): ExtractedPattern[] {
  const scored = candidates
    .map((p) => {
      const fields = {
        trigger: searchable(p.trigger),
        context: searchable(p.context),
        resolution: searchable(p.resolution),
        tags: p.tags.map(searchable).join(' '),
      };
      const all = `${fields.trigger}\n${fields.context}\n${fields.resolution}\n${fields.tags}`;
      if (!rest.every((t) => all.includes(t))) return undefined;
      let score = p.confidence;
      for (const t of terms) {
        if (fields.trigger.includes(t)) score += 3;
        if (fields.tags.includes(t)) score += 3;
        if (fields.resolution.includes(t)) score += 2;
        if (fields.context.includes(t)) score += 1;
      }
      return { p, score };
    })
    .filter((x) => x !== undefined)
    .sort(
      (a, b) =>
        b.score - a.score ||
        b.p.confidence - a.p.confidence ||
        b.p.extractedAt.getTime() - a.p.extractedAt.getTime() ||
        (a.p.patternId < b.p.patternId ? -1 : a.p.patternId > b.p.patternId ? 1 : 0),
    )
    .map((x) => x.p);
  return limit === undefined ? scored : scored.slice(0, Math.max(0, Math.floor(limit)));
}

/** A pattern as the SQL stores keep it. */
export interface PatternRow {
  patternId: string;
  category: string;
  confidence: number;
  /** `extractedAt` in epoch milliseconds, for ordering. */
  extractedMs: number;
  /** `metadata.project` when it is a string, else null (a pattern of no project). */
  project: string | null;
  /** Lower-cased tags, for the tag filter. */
  tags: string[];
  /** Lower-cased trigger, context, resolution and space-joined tags, for search. */
  sTrigger: string;
  sContext: string;
  sResolution: string;
  sTags: string;
  /** `patternToJson` as JSON text: the source of truth that every read decodes. */
  data: string;
}

/**
 * Lower-cases as `matchesQuery` does, so SQL substring tests agree with the file store.
 * NUL becomes U+FFFD because PostgreSQL text cannot hold it; terms get the same treatment.
 */
export function searchable(text: string): string {
  return text.toLowerCase().replaceAll('\u0000', '\uFFFD');
}

/** Builds the row form of a pattern. */
export function toPatternRow(pattern: ExtractedPattern): PatternRow {
  const project = pattern.metadata.project;
  const tags = pattern.tags.map(searchable);
  return {
    patternId: pattern.patternId,
    category: pattern.category,
    confidence: pattern.confidence,
    extractedMs: pattern.extractedAt.getTime(),
    project: typeof project === 'string' ? project : null,
    tags,
    sTrigger: searchable(pattern.trigger),
    sContext: searchable(pattern.context),
    sResolution: searchable(pattern.resolution),
    sTags: tags.join(' '),
    data: JSON.stringify(patternToJson(pattern)),
  };
}

/** Decodes a stored pattern; CORRUPT_STORE naming `where` when it does not parse. */
export function decodePattern(data: string, where: string): ExtractedPattern {
  const parsed = safeParsePatternJson(parseJson(data, where));
  if (!parsed.success) throw corruptRow(where, parsed.error);
  return parsed.data;
}

/** Decodes a stored skill; CORRUPT_STORE naming `where` when it does not parse. */
export function decodeSkill(data: string, where: string): LearnedSkill {
  const parsed = safeParseSkillJson(parseJson(data, where));
  if (!parsed.success) throw corruptRow(where, parsed.error);
  return parsed.data;
}

function parseJson(data: string, where: string): unknown {
  try {
    return JSON.parse(data);
  } catch (error) {
    throw corruptRow(where, `not valid JSON (${(error as Error).message})`);
  }
}

function corruptRow(where: string, problem: string): AttuneError {
  return new AttuneError(ErrorCode.CORRUPT_STORE, `corrupt row in ${where}: ${problem}`, {
    suggestion: "Run 'attune doctor' to list every damaged row; delete or fix those rows by hand.",
  });
}

/** Escapes `%`, `_` and `\` for `LIKE … ESCAPE '\'`. */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** How many patterns must go for the user to hold at most `max`. */
export function excessOf(count: number, max: number): number {
  return Number.isFinite(max) ? Math.max(0, count - Math.max(0, Math.floor(max))) : 0;
}

/** Bit of each searchable field in a field set; weights are those of `scoreMatch`. */
export const FIELD_BITS = { trigger: 1, tags: 2, resolution: 4, context: 8 } as const;
const WEIGHT_OF_BIT = [3, 3, 2, 1] as const;

/** The score a term earns in the fields of `set` (a mask of {@link FIELD_BITS}). */
export function fieldSetWeight(set: number): number {
  let w = 0;
  for (let bit = 0; bit < 4; bit++) if (set & (1 << bit)) w += WEIGHT_OF_BIT[bit] ?? 0;
  return w;
}

/**
 * One stream of candidate rows in confidence order (highest first), as a ranked search
 * reads it: the rows that hold `term` in every field of `fields`, or, when `term` is -1, the
 * rows that may hold every term anywhere.
 */
export interface CandidateStream {
  /** Index of the term in the query, or -1 for the stream of all matches. */
  term: number;
  /** Mask of {@link FIELD_BITS}; 0 for the stream of all matches. */
  fields: number;
  /**
   * No row this stream has not returned yet has a higher confidence: 1 before the first
   * read, -Infinity once the stream is exhausted.
   */
  bound: number;
}

/** Where the best unread row may be: its score bound, and per term the fields it holds. */
export interface ScoreBound {
  /** Highest score (field weights plus confidence) a row no stream has returned can have. */
  score: number;
  /** The confidence at which that score is reached. */
  confidence: number;
  /** Per term, the field set that reaches it. */
  fields: number[];
}

/**
 * The highest score a matching row can have when no stream has returned it yet (the
 * threshold of Fagin's threshold algorithm, exact for field-weighted scores). Such a row
 * holds each term t in some non-empty field set F_t, and is then in every stream (t, S) with
 * S ⊆ F_t and in the all-matches stream, so its confidence is at most the lowest bound of
 * those streams. The best case is searched over every confidence level c a bound defines:
 * each term takes its heaviest field set whose streams all allow c. `undefined` when no
 * unread row can match (a stream every match must be in is exhausted).
 */
export function scoreBound(
  termCount: number,
  streams: readonly CandidateStream[],
): ScoreBound | undefined {
  // m[t][F]: the confidence cap of a row holding term t in exactly the fields F.
  const caps: number[][] = [];
  const levels = new Set<number>([1]);
  for (let t = 0; t < termCount; t++) {
    const row: number[] = [Number.NEGATIVE_INFINITY];
    for (let set = 1; set < 16; set++) {
      let cap = 1;
      for (const s of streams) {
        if ((s.term === -1 || (s.term === t && (s.fields & ~set) === 0)) && s.bound < cap) {
          cap = s.bound;
        }
      }
      row.push(cap);
      if (cap > Number.NEGATIVE_INFINITY) levels.add(cap);
    }
    caps.push(row);
  }
  let best: ScoreBound | undefined;
  for (const c of levels) {
    let score = c;
    const fields: number[] = [];
    for (let t = 0; t < termCount && score > Number.NEGATIVE_INFINITY; t++) {
      let w = -1;
      let chosen = 0;
      const row = caps[t] ?? [];
      for (let set = 1; set < 16; set++) {
        const weight = fieldSetWeight(set);
        if ((row[set] ?? Number.NEGATIVE_INFINITY) >= c && weight > w) {
          w = weight;
          chosen = set;
        }
      }
      if (w < 0) score = Number.NEGATIVE_INFINITY;
      else {
        score += w;
        fields.push(chosen);
      }
    }
    if (score > Number.NEGATIVE_INFINITY && (!best || score > best.score)) {
      best = { score, confidence: c, fields };
    }
  }
  return best;
}

/** A matching row with its exact rank: field-weighted score plus confidence, then ties. */
export interface RankedRow<Id> {
  id: Id;
  score: number;
  confidence: number;
  extractedMs: number;
  patternId: string;
}

/**
 * Best first: score, confidence, newest, then pattern id in byte order (as SQL's binary
 * collation sorts it).
 */
export function compareRanked<Id>(a: RankedRow<Id>, b: RankedRow<Id>): number {
  return (
    b.score - a.score ||
    b.confidence - a.confidence ||
    b.extractedMs - a.extractedMs ||
    Buffer.compare(Buffer.from(a.patternId), Buffer.from(b.patternId))
  );
}

/** Lone surrogates become U+FFFD, as they do on their way into SQLite's UTF-8. */
export function wellFormed(text: string): string {
  return text.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
}
