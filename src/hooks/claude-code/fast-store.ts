/**
 * A read-only view of the file store for the injecting hooks: `{storageDir}/{userId}/patterns.json`
 * (the layout of src/store/file-store.ts) read and checked record by record with nothing but
 * `node:fs`, so that a session start does not load the store's write path (write-file-atomic,
 * locks) or the model's validators. A record that does not check out is skipped and counted;
 * a file that is not a JSON array is reported as CORRUPT_STORE, like the store does.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttuneError, ErrorCode } from '../../errors.js';
import type { PatternCategory } from '../../model/category.js';
import { folderOwnedByAnother } from '../../model/user-id.js';
import type { InjectablePattern } from './context.js';

const CATEGORIES: ReadonlySet<string> = new Set<PatternCategory>([
  'error_resolution',
  'user_correction',
  'workaround',
  'preference',
  'project_specific',
  'debugging_technique',
  'code_pattern',
]);

/** What {@link readInjectablePatterns} found. */
export interface FastReadResult {
  patterns: InjectablePattern[];
  /** Records left out because they are not valid patterns. */
  invalid: number;
}

/**
 * The user's patterns that apply in `project`: those whose `metadata.project` is `project`
 * and those with no project. A missing file means no patterns. `userId` must already be
 * validated (it becomes a directory name).
 */
export function readInjectablePatterns(
  storageDir: string,
  userId: string,
  project: string,
): FastReadResult {
  const file = join(storageDir, userId, 'patterns.json');
  // Another spelling of the id sharing the folder on a case-insensitive file system: refused,
  // as the file store refuses it.
  let owner: string | undefined;
  try {
    owner = readFileSync(join(storageDir, userId, '.owner'), 'utf8').trim();
  } catch {
    owner = undefined;
  }
  if (owner !== undefined && owner !== '' && owner !== userId)
    throw folderOwnedByAnother(userId, owner, join(storageDir, userId));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return { patterns: [], invalid: 0 };
    throw error;
  }
  let data: unknown;
  try {
    data = text.trim() === '' ? [] : JSON.parse(text);
  } catch {
    throw new AttuneError(ErrorCode.CORRUPT_STORE, `${file} is not valid JSON`);
  }
  if (!Array.isArray(data))
    throw new AttuneError(ErrorCode.CORRUPT_STORE, `${file} does not hold a JSON array`);
  const patterns: InjectablePattern[] = [];
  let invalid = 0;
  for (const raw of data) {
    const p = toInjectable(raw);
    if (p === null) invalid++;
    else if (typeof p.metadata.project !== 'string' || p.metadata.project === project)
      patterns.push(p);
  }
  return { patterns, invalid };
}

function toInjectable(raw: unknown): InjectablePattern | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  const { pattern_id: id, category, trigger, resolution, confidence } = r;
  if (
    typeof id !== 'string' ||
    id === '' ||
    typeof category !== 'string' ||
    !CATEGORIES.has(category)
  )
    return null;
  if (typeof trigger !== 'string' || typeof resolution !== 'string') return null;
  if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1)) return null;
  const context = r.context ?? '';
  const tags = r.tags ?? [];
  const metadata = r.metadata ?? {};
  if (typeof context !== 'string') return null;
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) return null;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return null;
  const at = typeof r.extracted_at === 'string' ? Date.parse(r.extracted_at) : 0;
  return {
    patternId: id,
    category: category as PatternCategory,
    trigger,
    context,
    resolution,
    confidence,
    tags: tags as string[],
    extractedAt: new Date(Number.isNaN(at) ? 0 : at),
    metadata: metadata as Record<string, unknown>,
  };
}
