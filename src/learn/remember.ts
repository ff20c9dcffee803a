/**
 * Lessons a person states outright (the MCP server's `remember` tool, `attune patterns add`)
 * and their corrections to stored ones (`attune patterns edit`): every text field has its
 * secrets redacted before anything is stored, and the caller is told which kinds were found.
 * @module
 */
import { AttuneError, ErrorCode } from '../errors.js';
import { redactSecrets } from '../extract/redact.js';
import { deriveTags } from '../extract/tags.js';
import { PatternCategory, parseCategory } from '../model/category.js';
import { createPattern, type ExtractedPattern, type PatternMetadata } from '../model/pattern.js';
import type { LearnedSkillsStorage } from '../storage/learned-skills-storage.js';

/** Confidence of a lesson the user stated outright (higher than most inferred ones). */
export const REMEMBERED_CONFIDENCE = 0.9;

/** A lesson as a person states it. */
export interface StatedLesson {
  category: PatternCategory | string;
  trigger: string;
  resolution: string;
  context?: string | undefined;
  tags?: readonly string[] | undefined;
  /** The project a project_specific lesson belongs to (ignored for the other categories). */
  project?: string | undefined;
  /** Who stored it, kept as `metadata.source` (e.g. `mcp-remember`, `cli`). */
  source: string;
  /** Kept as the pattern's `sourceSession`. @default source */
  sourceSession?: string;
  /** When it was stated: its sighting, so that stating it again reinforces it. @default now */
  at?: Date;
}

/** Changes to a stored pattern; a field left out stays as it is. */
export interface PatternEdit {
  trigger?: string;
  resolution?: string;
  context?: string;
  tags?: readonly string[];
  confidence?: number;
}

/** The line saying which kinds of secret were redacted, if any were. */
export function redactionNote(kinds: readonly string[]): string[] {
  return kinds.length > 0 ? [`Redacted before storing: ${kinds.join(', ')}.`] : [];
}

/** Redacts texts one after another and remembers which kinds of secret it found. */
export class Redactor {
  readonly #found = new Set<string>();

  /** The text with each secret replaced by its typed placeholder. */
  clean(text: string): string {
    const r = redactSecrets(text);
    for (const hit of r.found) this.#found.add(hit.type);
    return r.text;
  }

  /** The kinds of secret found so far, each once, in the order first seen. */
  get found(): string[] {
    return [...this.#found];
  }
}

/** The pattern of a stated lesson, its secrets redacted; throws INVALID_ARGUMENT on an empty field. */
export function rememberedPattern(lesson: StatedLesson): {
  pattern: ExtractedPattern;
  redacted: string[];
} {
  const redactor = new Redactor();
  const category = parseCategory(String(lesson.category));
  const sourceSession = lesson.sourceSession ?? lesson.source;
  const at = (lesson.at ?? new Date()).toISOString();
  // Each statement is a sighting of its own, told apart by its time.
  const metadata: PatternMetadata = {
    source: lesson.source,
    evidence: [{ sessionId: sourceSession, at }],
  };
  if (category === PatternCategory.PROJECT_SPECIFIC && lesson.project !== undefined) {
    metadata.project = lesson.project;
  }
  const trigger = redactor.clean(lesson.trigger.trim());
  const resolution = redactor.clean(lesson.resolution.trim());
  const tags = (lesson.tags ?? []).map((t) => redactor.clean(t));
  const pattern = createPattern({
    category,
    trigger,
    resolution,
    context: redactor.clean((lesson.context ?? '').trim()),
    confidence: REMEMBERED_CONFIDENCE,
    // Without tags of its own, tagged as extracted lessons are: by the words it is about.
    tags: tags.length > 0 ? tags : deriveTags(`${trigger} ${resolution}`),
    sourceSession,
    metadata,
  });
  return { pattern, redacted: redactor.found };
}

/** What {@link rememberLesson} stored. */
export interface Remembered {
  id: string;
  /**
   * `reinforced` when the same lesson (same id or near-same wording) was already stored,
   * `unchanged` when it already held this very statement (the same time).
   */
  stored: 'created' | 'reinforced' | 'unchanged';
  /** The pattern as stored now. */
  pattern: ExtractedPattern;
  redacted: string[];
}

/**
 * Stores a stated lesson (`attune patterns add`, the MCP `remember` tool): the same lesson
 * already stored is reinforced, not copied. Throws INVALID_ARGUMENT when the per-user limit
 * evicted it at once.
 */
export async function rememberLesson(
  storage: LearnedSkillsStorage,
  userId: string,
  lesson: StatedLesson,
): Promise<Remembered> {
  const { pattern, redacted } = rememberedPattern(lesson);
  const result = await storage.learnPatterns(userId, [pattern]);
  const id = result.created[0] ?? result.reinforced[0] ?? result.unchanged[0];
  const stored = id === undefined ? null : await storage.getPattern(userId, id);
  if (id === undefined || stored === null) {
    throw new AttuneError(
      ErrorCode.INVALID_ARGUMENT,
      'the pattern was not kept (per-user pattern limit reached)',
      { suggestion: "Delete some patterns with 'attune patterns delete ID'." },
    );
  }
  const how =
    result.created.length > 0
      ? 'created'
      : result.reinforced.length > 0
        ? 'reinforced'
        : 'unchanged';
  return { id, stored: how, pattern: stored, redacted };
}

/**
 * `pattern` with `edit` applied: its id, category, evidence and observations kept (so later
 * sightings of the lesson still reinforce it), the new texts redacted, and `metadata.editedAt`
 * set. Throws INVALID_ARGUMENT on an empty trigger or resolution or a confidence outside 0..1.
 */
export function editedPattern(
  pattern: ExtractedPattern,
  edit: PatternEdit,
  redactor: Redactor = new Redactor(),
  now: Date = new Date(),
): ExtractedPattern {
  const text = (value: string | undefined, old: string) =>
    value === undefined ? old : redactor.clean(value.trim());
  return createPattern({
    patternId: pattern.patternId,
    category: pattern.category,
    trigger: text(edit.trigger, pattern.trigger),
    resolution: text(edit.resolution, pattern.resolution),
    context: text(edit.context, pattern.context),
    confidence: edit.confidence ?? pattern.confidence,
    tags: edit.tags === undefined ? pattern.tags : edit.tags.map((t) => redactor.clean(t)),
    extractedAt: pattern.extractedAt,
    sourceSession: pattern.sourceSession,
    metadata: { ...pattern.metadata, editedAt: now.toISOString(), updatedAt: now.toISOString() },
  });
}
