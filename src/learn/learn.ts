/**
 * The whole pipeline for one transcript: read, evaluate, extract (redacted), store.
 * @module
 */
import { type SessionEvaluation, SessionEvaluator } from '../evaluate/session-evaluator.js';
import { detectSignals, type SessionSignals } from '../evaluate/signals.js';
import { extractWithModel, type ModelExtractorOptions } from '../extract/model-extractor.js';
import { extractSessionPatterns } from '../extract/session-extractor.js';
import type { ExtractedPattern } from '../model/pattern.js';
import { parseQuality } from '../model/quality.js';
import type { Session, TranscriptFormat } from '../model/session.js';
import type { LearnedSkillsStorage, LearnResult } from '../storage/learned-skills-storage.js';
import { parseTranscript, readTranscriptFile } from '../transcripts/index.js';

/** Options of the learn functions. */
/** Lowest quality a learning run extracts from when `minQuality` is not given. */
export const DEFAULT_MIN_QUALITY = 'POOR';

export interface LearnOptions {
  storage: LearnedSkillsStorage;
  userId: string;
  /** The project the sessions belong to (its conventions are stored under it). */
  project?: string;
  /** Transcript format; detected from content when omitted. */
  format?: string;
  /** Extract even when the evaluator does not recommend it. */
  force?: boolean;
  /** Evaluate and extract, but store nothing. */
  dryRun?: boolean;
  evaluator?: SessionEvaluator;
  /**
   * Lowest quality to extract from (EXCELLENT … SKIP), when no `evaluator` is given.
   * @default 'POOR': every session in which the evaluator found a lesson, however short (a
   * session of one correction is POOR; GOOD would drop exactly the mistake the user corrected),
   * and long sessions with none found, which a model extractor reads better than the counts.
   */
  minQuality?: string;
  /**
   * Extract through this model command instead of the built-in rules (see
   * model-extractor.ts). When the command fails, the session is extracted by the rules and
   * the failure is reported in `extractorError`.
   */
  extractor?: Omit<ModelExtractorOptions, 'project' | 'now'>;
}

/** What learning from one session did. */
export interface SessionLearnReport {
  sessionId: string;
  format: TranscriptFormat;
  turns: number;
  /** Malformed records skipped while reading. */
  skipped: number;
  truncated: boolean;
  evaluation: SessionEvaluation;
  /** True when patterns were extracted (recommended or forced). */
  extracted: boolean;
  patterns: ExtractedPattern[];
  /** Who extracted the patterns: the built-in rules or the configured model command. */
  extractor: 'rules' | 'model';
  /** Why the model command was not used for this session (the rules extracted instead). */
  extractorError?: string;
  /** Lessons in the model's answer that could not be used. */
  extractorRejected?: number;
  /**
   * Lessons left out because the model itself doubted them: with one answer its doubted project
   * facts, with several the doubted lessons no other answer found.
   */
  extractorDoubtful?: number;
  /** Why the model's review call failed (its first answer was used as it was). */
  extractorReviewError?: string;
  /** Ids of new patterns stored (empty on a dry run). */
  created: string[];
  /** Ids of stored patterns reinforced. */
  reinforced: string[];
  /** Ids of stored patterns that already held these sightings: nothing changed. */
  unchanged: string[];
  evicted: string[];
}

/** What learning from one file did. */
export interface LearnReport {
  file: string;
  sessions: SessionLearnReport[];
  /** Malformed records skipped over all sessions. */
  skipped: number;
}

/** Evaluates, extracts and (unless a dry run) stores what each session teaches. */
export async function learnFromSessions(
  sessions: readonly Session[],
  options: LearnOptions,
): Promise<SessionLearnReport[]> {
  const evaluator = evaluatorFor(options);
  const reports: SessionLearnReport[] = [];
  // A command that failed once is not tried again for the rest of these sessions: a broken
  // command or a model that is down would otherwise cost its timeout on every session.
  let extractorFailed: string | undefined;
  for (const [i, session] of sessions.entries()) {
    const signals = detectSignals(session);
    const evaluation = evaluator.evaluateSession(session, signals);
    const extract = options.force === true || evaluation.recommended;
    const project = options.project === undefined ? {} : { project: options.project };
    let patterns: ExtractedPattern[] = [];
    let extractor: SessionLearnReport['extractor'] = 'rules';
    let extractorError: string | undefined;
    let extractorRejected: number | undefined;
    let extractorDoubtful: number | undefined;
    let extractorReviewError: string | undefined;
    if (extract && options.extractor && extractorFailed !== undefined) {
      extractorError = `not tried again after: ${extractorFailed}`;
    } else if (extract && options.extractor) {
      try {
        const found = await extractWithModel(
          session,
          { ...options.extractor, ...project },
          signals,
          sessions.slice(0, i),
        );
        patterns = found.patterns;
        extractorRejected = found.rejected;
        extractorDoubtful = found.doubtful;
        extractorReviewError = found.reviewError;
        extractor = 'model';
      } catch (error) {
        extractorError = error instanceof Error ? error.message : String(error);
        extractorFailed = extractorError;
      }
    }
    if (extract && extractor === 'rules') {
      patterns = extractSessionPatterns(session, project, signals);
    }
    let stored: LearnResult = { created: [], reinforced: [], unchanged: [], evicted: [] };
    if (!options.dryRun && patterns.length > 0) {
      stored = await options.storage.learnPatterns(options.userId, patterns);
    }
    reports.push({
      sessionId: session.id,
      format: session.format,
      turns: session.turns.length,
      skipped: session.skipped,
      truncated: session.truncated === true,
      evaluation,
      extracted: extract,
      patterns,
      extractor,
      ...(extractorError === undefined ? {} : { extractorError }),
      ...(extractorRejected === undefined ? {} : { extractorRejected }),
      ...(extractorDoubtful === undefined ? {} : { extractorDoubtful }),
      ...(extractorReviewError === undefined ? {} : { extractorReviewError }),
      ...stored,
    });
  }
  // Skills aggregate every stored pattern: rebuild them once, after all sessions of the file
  // (an Aider history holds dozens), not after each one.
  if (reports.some((r) => r.created.length + r.reinforced.length + r.evicted.length > 0)) {
    await options.storage.refreshSkills(options.userId);
  }
  return reports;
}

/** The evaluator of a learning run: the given one, else one at `minQuality` (POOR by default). */
function evaluatorFor(options: LearnOptions): SessionEvaluator {
  if (options.evaluator) return options.evaluator;
  return new SessionEvaluator({
    minQuality: parseQuality(options.minQuality ?? DEFAULT_MIN_QUALITY),
  });
}

/**
 * Asks the model extractor about every session of `files` that learning would extract from,
 * `jobs` calls at a time, so that its answers are in the extractor's cache when the files are
 * then learned from one by one (storage stays sequential). Does nothing without an extractor
 * with a `cacheDir`, or with one job. Unreadable files are left to the learning pass, and no new
 * call starts after one fails (the learning pass reports it). Calls `onFile` after each file is
 * read; returns how many sessions were asked.
 */
export async function prefetchModelAnswers(
  files: readonly string[],
  options: LearnOptions,
  jobs: number,
  onFile?: () => void,
): Promise<number> {
  const extractor = options.extractor;
  if (!extractor?.cacheDir || jobs <= 1) return 0;
  const evaluator = evaluatorFor(options);
  const project = options.project === undefined ? {} : { project: options.project };
  async function* sessionsToAsk(): AsyncGenerator<[Session, SessionSignals, Session[]]> {
    for (const file of files) {
      try {
        const read = await readTranscriptFile(
          file,
          options.format === undefined ? {} : { format: options.format },
        );
        for (const [i, session] of read.sessions.entries()) {
          const signals = detectSignals(session);
          const evaluation = evaluator.evaluateSession(session, signals);
          if (options.force === true || evaluation.recommended) {
            yield [session, signals, read.sessions.slice(0, i)];
          }
        }
      } catch {
        // The learning pass reads it again and reports why it was skipped.
      } finally {
        onFile?.();
      }
    }
  }
  const queue = sessionsToAsk();
  let asked = 0;
  let failed = false;
  const worker = async () => {
    while (!failed) {
      const next = await queue.next();
      if (next.done) return;
      asked++;
      try {
        const [session, signals, earlier] = next.value;
        await extractWithModel(session, { ...extractor, ...project }, signals, earlier);
      } catch {
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  await queue.return(undefined);
  return asked;
}

/** Reads a transcript file (any known format) and learns from every session in it. */
export async function learnFromTranscriptFile(
  path: string,
  options: LearnOptions,
): Promise<LearnReport> {
  const read = await readTranscriptFile(
    path,
    options.format === undefined ? {} : { format: options.format },
  );
  const sessions = await learnFromSessions(read.sessions, options);
  return { file: path, sessions, skipped: sessions.reduce((n, s) => n + s.skipped, 0) };
}

/** Same as {@link learnFromTranscriptFile} for transcript text already in memory. */
export async function learnFromTranscriptText(
  text: string,
  options: LearnOptions & { sourceName?: string },
): Promise<LearnReport> {
  const parseOptions: { format?: string; sourceName?: string } = {};
  if (options.format !== undefined) parseOptions.format = options.format;
  if (options.sourceName !== undefined) parseOptions.sourceName = options.sourceName;
  const read = parseTranscript(text, parseOptions);
  const sessions = await learnFromSessions(read.sessions, options);
  return {
    file: options.sourceName ?? '-',
    sessions,
    skipped: sessions.reduce((n, s) => n + s.skipped, 0),
  };
}
