/**
 * The default store: the seed's layout of JSON files, Python-compatible.
 *
 * `{storageDir}/{userId}/patterns.json` and `skills.json`, each a JSON array. Every change
 * runs under a per-user lock file and is written atomically (temp file, fsync, rename), so
 * concurrent writers lose nothing and a crash leaves the previous file. A file that does not
 * parse is reported as CORRUPT_STORE and never written over.
 * @module
 */
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { AttuneError, ErrorCode } from '../errors.js';
import { type ExtractedPattern, patternToJson, safeParsePatternJson } from '../model/pattern.js';
import { type LearnedSkill, safeParseSkillJson, skillToJson } from '../model/skill.js';
import { folderOwnedByAnother, validateUserId } from '../model/user-id.js';
import { isCode, type LockOptions, withLock } from './lock.js';
import {
  applySave,
  type ClearResult,
  chooseEvictions,
  comparePatterns,
  type ListPatternsOptions,
  matchesListOptions,
  matchesQuery,
  type PatternStore,
  type SavePatternsOptions,
  type SavePatternsResult,
  type SearchPatternsOptions,
  type StoreProblem,
  saveResult,
  scoreMatch,
  searchTerms,
} from './pattern-store.js';

/** Options of {@link FileStore}. */
export interface FileStoreOptions {
  /**
   * The root directory.
   * @default '.empathy/learned_skills'
   */
  storageDir?: string;
  /** Lock timing; see {@link LockOptions}. */
  lock?: LockOptions;
}

const PATTERNS_FILE = 'patterns.json';
const SKILLS_FILE = 'skills.json';
const LOCK_FILE = '.lock';
/** Holds the exact user id that owns a user folder (see FileStore.#checkOwner). */
const OWNER_FILE = '.owner';

/** JSON files in the seed's layout. */
export class FileStore implements PatternStore {
  readonly kind = 'file' as const;
  readonly location: string;
  readonly #lock: LockOptions;
  /** User folders already checked against their `.owner` file, with the id that owns each. */
  readonly #owners = new Map<string, string>();

  constructor(options: FileStoreOptions = {}) {
    this.location = resolve(options.storageDir ?? '.empathy/learned_skills');
    this.#lock = options.lock ?? {};
  }

  async savePatterns(
    userId: string,
    patterns: readonly ExtractedPattern[],
    options: SavePatternsOptions,
  ): Promise<SavePatternsResult> {
    return this.#update(userId, async () => {
      const file = await this.#file(userId, PATTERNS_FILE);
      const current = await readPatterns(file);
      const byId = new Map(current.map((p) => [p.patternId, p]));
      const { final, created, updated } = applySave(patterns, byId, options.merge);
      for (const [id, pattern] of final) byId.set(id, pattern);
      const all = [...byId.values()];
      const evicted = chooseEvictions(all, options.maxPatterns, new Set(final.keys()));
      const gone = new Set(evicted);
      await writeJson(file, all.filter((p) => !gone.has(p.patternId)).map(patternToJson));
      return saveResult(final, created, updated, evicted);
    });
  }

  async getPattern(userId: string, patternId: string): Promise<ExtractedPattern | null> {
    const all = await readPatterns(await this.#file(userId, PATTERNS_FILE));
    return all.find((p) => p.patternId === patternId) ?? null;
  }

  async listPatterns(
    userId: string,
    options: ListPatternsOptions = {},
  ): Promise<ExtractedPattern[]> {
    const all = await readPatterns(await this.#file(userId, PATTERNS_FILE));
    const kept = all.filter((p) => matchesListOptions(p, options)).sort(comparePatterns);
    return options.limit === undefined ? kept : kept.slice(0, Math.max(0, options.limit));
  }

  async searchPatterns(
    userId: string,
    query: string,
    options: SearchPatternsOptions = {},
  ): Promise<ExtractedPattern[]> {
    const terms = searchTerms(query);
    const all = await readPatterns(await this.#file(userId, PATTERNS_FILE));
    const hits = all
      .filter((p) => matchesQuery(p, terms))
      .map((p) => ({ p, score: scoreMatch(p, terms) }))
      .sort((a, b) => b.score - a.score || comparePatterns(a.p, b.p))
      .map((h) => h.p);
    return options.limit === undefined ? hits : hits.slice(0, Math.max(0, options.limit));
  }

  async countPatterns(userId: string): Promise<number> {
    return (await readPatterns(await this.#file(userId, PATTERNS_FILE))).length;
  }

  async deletePattern(userId: string, patternId: string): Promise<boolean> {
    return this.#update(userId, async () => {
      const file = await this.#file(userId, PATTERNS_FILE);
      const current = await readPatterns(file);
      const kept = current.filter((p) => p.patternId !== patternId);
      if (kept.length === current.length) return false;
      await writeJson(file, kept.map(patternToJson));
      return true;
    });
  }

  async saveSkill(userId: string, skill: LearnedSkill): Promise<string> {
    return this.#update(userId, async () => {
      const file = await this.#file(userId, SKILLS_FILE);
      const current = await readSkills(file);
      const next = current.filter((s) => s.skillId !== skill.skillId);
      const at = current.findIndex((s) => s.skillId === skill.skillId);
      next.splice(at === -1 ? next.length : at, 0, skill);
      await writeJson(file, next.map(skillToJson));
      return skill.skillId;
    });
  }

  async getSkill(userId: string, skillId: string): Promise<LearnedSkill | null> {
    const all = await readSkills(await this.#file(userId, SKILLS_FILE));
    return all.find((s) => s.skillId === skillId) ?? null;
  }

  async listSkills(userId: string): Promise<LearnedSkill[]> {
    return readSkills(await this.#file(userId, SKILLS_FILE));
  }

  async recordSkillUsage(userId: string, skillId: string, at: Date): Promise<boolean> {
    return this.#update(userId, async () => {
      const file = await this.#file(userId, SKILLS_FILE);
      const current = await readSkills(file);
      const skill = current.find((s) => s.skillId === skillId);
      if (!skill) return false;
      skill.usageCount += 1;
      skill.lastUsed = at;
      await writeJson(file, current.map(skillToJson));
      return true;
    });
  }

  async deleteSkill(userId: string, skillId: string): Promise<boolean> {
    return this.#update(userId, async () => {
      const file = await this.#file(userId, SKILLS_FILE);
      const current = await readSkills(file);
      const kept = current.filter((s) => s.skillId !== skillId);
      if (kept.length === current.length) return false;
      await writeJson(file, kept.map(skillToJson));
      return true;
    });
  }

  async clearUser(userId: string): Promise<ClearResult> {
    return this.#update(userId, async () => {
      const patternsFile = await this.#file(userId, PATTERNS_FILE);
      const skillsFile = await this.#file(userId, SKILLS_FILE);
      // Reading first means a corrupt file is reported rather than silently deleted.
      const result = {
        patterns: (await readPatterns(patternsFile)).length,
        skills: (await readSkills(skillsFile)).length,
      };
      await fs.rm(patternsFile, { force: true });
      await fs.rm(skillsFile, { force: true });
      return result;
    });
  }

  async listUsers(): Promise<string[]> {
    let entries: string[];
    try {
      entries = await fs.readdir(this.location);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return [];
      throw error;
    }
    const users: string[] = [];
    for (const name of entries.sort()) {
      const dir = join(this.location, name);
      const has = async (f: string) =>
        fs.stat(join(dir, f)).then(
          (s) => s.isFile(),
          () => false,
        );
      if ((await has(PATTERNS_FILE)) || (await has(SKILLS_FILE))) users.push(name);
    }
    return users;
  }

  async check(): Promise<StoreProblem[]> {
    const problems: StoreProblem[] = [];
    for (const user of await this.listUsers()) {
      for (const [name, read] of [
        [PATTERNS_FILE, readPatterns],
        [SKILLS_FILE, readSkills],
      ] as const) {
        const file = join(this.location, user, name);
        try {
          await read(file);
        } catch (error) {
          if (!(error instanceof AttuneError)) throw error;
          problems.push({ where: file, problem: error.message, fix: recoveryHint(file) });
        }
      }
    }
    return problems;
  }

  async close(): Promise<void> {}

  /** `name` in the user's folder, once the folder is known to be this user's. */
  async #file(userId: string, name: string): Promise<string> {
    const id = validateUserId(userId);
    const dir = join(this.location, id);
    await this.#checkOwner(dir, id);
    return join(dir, name);
  }

  /**
   * On a file system that ignores case (macOS, Windows), "Alice" and "alice" name one folder.
   * The first writer records its exact id in `.owner`; another spelling is refused instead of
   * reading or writing someone else's patterns.
   */
  async #checkOwner(dir: string, id: string): Promise<'owned' | 'unclaimed'> {
    if (this.#owners.get(dir) === id) return 'owned';
    let owner: string;
    try {
      owner = (await fs.readFile(join(dir, OWNER_FILE), 'utf8')).trim();
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return 'unclaimed';
      throw new AttuneError(
        ErrorCode.STORE_UNAVAILABLE,
        `cannot read ${join(dir, OWNER_FILE)}: ${String(error)}`,
        { cause: error },
      );
    }
    // An empty file is a claim cut short (a crash, or a file system without hard links where
    // the content lands after the name): nobody owns the folder yet.
    if (owner === '') return 'unclaimed';
    if (owner !== id) throw folderOwnedByAnother(id, owner, dir);
    this.#owners.set(dir, id);
    return 'owned';
  }

  async #update<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    const id = validateUserId(userId);
    const dir = join(this.location, id);
    await fs.mkdir(dir, { recursive: true });
    if ((await this.#checkOwner(dir, id)) === 'unclaimed') {
      await claimFolder(dir, id);
      // Whoever created it first owns the folder: check again against what is there now.
      await this.#checkOwner(dir, id);
    }
    return withLock(join(dir, LOCK_FILE), fn, this.#lock);
  }
}

function recoveryHint(file: string): string {
  return (
    `Move it aside (mv '${file}' '${file}.corrupt') to start this user afresh, ` +
    'or repair the JSON by hand; attune never overwrites it.'
  );
}

async function readArray(file: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return [];
    throw new AttuneError(ErrorCode.STORE_UNAVAILABLE, `cannot read ${file}: ${String(error)}`, {
      cause: error,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, `not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(data)) throw corrupt(file, 'expected a JSON array');
  return data;
}

async function readPatterns(file: string): Promise<ExtractedPattern[]> {
  return (await readArray(file)).map((entry, i) => {
    const parsed = safeParsePatternJson(entry);
    if (!parsed.success) throw corrupt(file, `entry ${i}: ${parsed.error}`);
    return parsed.data;
  });
}

async function readSkills(file: string): Promise<LearnedSkill[]> {
  return (await readArray(file)).map((entry, i) => {
    const parsed = safeParseSkillJson(entry);
    if (!parsed.success) throw corrupt(file, `entry ${i}: ${parsed.error}`);
    return parsed.data;
  });
}

function corrupt(file: string, problem: string): AttuneError {
  return new AttuneError(ErrorCode.CORRUPT_STORE, `corrupt store file ${file}: ${problem}`, {
    suggestion: `${recoveryHint(file)} Run 'attune doctor' to check the whole store.`,
  });
}

async function writeJson(file: string, data: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(data, null, 2)}\n`, { fsync: true });
}

/**
 * Records `id` as the owner of a user folder, unless another writer got there first. The owner
 * file appears with its content or not at all: it is written under a temporary name and
 * hard-linked into place, which fails when the name exists. Where hard links are not supported
 * it falls back to an exclusive create, and an empty file then reads as unclaimed.
 */
async function claimFolder(dir: string, id: string): Promise<void> {
  const target = join(dir, OWNER_FILE);
  const temp = join(dir, `${OWNER_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}`);
  await fs.writeFile(temp, `${id}\n`);
  try {
    await fs.link(temp, target);
  } catch (error) {
    if (isCode(error, 'EEXIST')) return;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'].some((c) => isCode(error, c)))
      throw error;
    try {
      await fs.writeFile(target, `${id}\n`, { flag: 'wx' });
    } catch (inner) {
      if (!isCode(inner, 'EEXIST')) throw inner;
    }
  } finally {
    await fs.rm(temp, { force: true });
  }
}
