/**
 * The learning hooks: `SessionEnd` and `PreCompact` learn from the session's transcript.
 *
 * Small transcripts are learned from in the hook itself; larger ones (more than
 * {@link INLINE_MAX_BYTES}, or always with `ATTUNE_HOOK_MODE=background`) in a detached,
 * time-bounded child (see background.ts), because SessionEnd hooks get about 1.5 s.
 * `ATTUNE_HOOK_MODE=inline` forces the work into the hook.
 * @module
 */
import { promises as fs } from 'node:fs';
import { resolveExtractor } from '../../config/config.js';
import { EXTRACTOR_MAX_PARTS } from '../../config/extractor-child.js';
import { AttuneError, ErrorCode } from '../../errors.js';
import {
  DEFAULT_WORKER_TIMEOUT_S,
  type LearnJob,
  readJob,
  spawnLearnWorker,
  startWatchdog,
} from './background.js';
import { resolveHookIdentity } from './inject.js';
import { describeError, writeHookLog } from './log.js';
import type { HookPayload } from './payload.js';

type Env = Record<string, string | undefined>;

/**
 * Transcripts up to this size are learned from inside the hook. Measured (bench/hooks.ts):
 * the whole hook process takes about 0.4 s on a 300 KB transcript, well inside the 1.5 s
 * budget, while a 10 MB one takes several seconds.
 */
export const INLINE_MAX_BYTES = 1024 * 1024;

/** How the learning hooks run: by transcript size, always in the hook, always detached. */
export type LearnMode = 'auto' | 'inline' | 'background';

/** Options of {@link runLearnHook}. */
export interface LearnHookOptions {
  user?: string;
  mode?: LearnMode;
  env?: Env;
}

/** What {@link runLearnHook} did. */
export type LearnHookResult =
  | { mode: 'inline'; summary: string }
  | { mode: 'background'; pid: number };

/**
 * Learns from the transcript of `payload`. Throws NOT_FOUND when the transcript is not a
 * readable file; the caller logs it. Writes nothing to stdout.
 */
export async function runLearnHook(
  hook: LearnJob['hook'],
  payload: HookPayload,
  options: LearnHookOptions = {},
): Promise<LearnHookResult> {
  const env = options.env ?? process.env;
  const path = payload.transcriptPath;
  if (path === undefined) throw new AttuneError(ErrorCode.INVALID_ARGUMENT, 'no transcript_path');
  const stat = await fs.stat(path).catch(() => null);
  if (!stat) throw new AttuneError(ErrorCode.NOT_FOUND, `transcript ${path} does not exist`);
  if (!stat.isFile())
    throw new AttuneError(ErrorCode.NOT_FOUND, `transcript ${path} is not a file`);
  const id = resolveHookIdentity(payload.cwd, options.user, env);
  const job: LearnJob = {
    hook,
    sessionId: payload.sessionId,
    transcriptPath: path,
    userId: id.userId,
    project: id.project,
    store: id.store,
    timeoutMs: workerTimeoutMs(env),
  };
  if (id.config.maxPatternsPerUser !== undefined)
    job.maxPatternsPerUser = id.config.maxPatternsPerUser;
  if (id.config.minQuality !== undefined) job.minQuality = id.config.minQuality;
  if (options.user !== undefined) job.explicitUser = true;
  const extractor = resolveExtractor(undefined, env, id.config);
  if (extractor) {
    job.extractor = extractor;
    // The model may take its whole timeout for each call of a long session (each part, and its
    // review, for each answer asked); the worker must outlive them all.
    const calls = EXTRACTOR_MAX_PARTS * (extractor.review === 'off' ? 1 : 2) * extractor.samples;
    job.timeoutMs = Math.max(job.timeoutMs, extractor.timeoutMs * calls + 30_000);
  }
  const mode = options.mode ?? parseMode(env.ATTUNE_HOOK_MODE);
  // A model takes seconds to answer, far beyond a hook's budget: it always runs detached.
  const inline =
    mode === 'inline' ||
    (mode === 'auto' && extractor === undefined && stat.size <= INLINE_MAX_BYTES);
  if (inline) return { mode: 'inline', summary: await runLearnJob(job) };
  const pid = spawnLearnWorker(job, env);
  writeHookLog(hook, `background learner started pid=${pid} for ${path} (${stat.size} bytes)`, env);
  return { mode: 'background', pid };
}

/**
 * Runs one learning job and returns a one-line summary (also written to the hook log).
 * Loads the transcript readers and the pipeline only now.
 */
export async function runLearnJob(job: LearnJob, env: Env = process.env): Promise<string> {
  const started = Date.now();
  const [{ learnFromTranscriptFile }, { LearnedSkillsStorage }] = await Promise.all([
    import('../../learn/learn.js'),
    import('../../storage/learned-skills-storage.js'),
  ]);
  const storage = new LearnedSkillsStorage({
    store: job.store,
    ...(job.maxPatternsPerUser === undefined ? {} : { maxPatternsPerUser: job.maxPatternsPerUser }),
  });
  try {
    const report = await learnFromTranscriptFile(job.transcriptPath, {
      storage,
      userId: job.userId,
      project: job.project,
      format: 'claude-code',
      ...(job.minQuality === undefined ? {} : { minQuality: job.minQuality }),
      ...(job.extractor === undefined ? {} : { extractor: job.extractor }),
    });
    const parts = report.sessions.map(
      (s) =>
        `session=${s.sessionId} quality=${s.evaluation.quality.name} extracted=${s.extracted} by=${s.extractor} created=${s.created.length} reinforced=${s.reinforced.length}${s.extractorError === undefined ? '' : ` extractor-error=${JSON.stringify(s.extractorError)}`}`,
    );
    const summary = `learned from ${job.transcriptPath}: ${parts.length ? parts.join('; ') : 'no session found'}${report.skipped ? ` skipped=${report.skipped}` : ''} (${Date.now() - started} ms)`;
    writeHookLog(job.hook, summary, env);
    if (
      report.sessions.some((s) => s.created.length + s.reinforced.length + s.evicted.length > 0)
    ) {
      await warmSessionStart(job, env);
    }
    return summary;
  } finally {
    await storage.close();
  }
}

/** Precomputes the next session start's context for this project (see inject.ts). */
async function warmSessionStart(job: LearnJob, env: Env): Promise<void> {
  try {
    const { refreshSessionStartCache } = await import('./inject.js');
    const config = (await import('../../config/config.js')).loadConfig(env);
    await refreshSessionStartCache(
      { userId: job.userId, project: job.project, store: job.store, config },
      env,
      job.explicitUser ? undefined : job.project,
    );
  } catch (error) {
    writeHookLog(job.hook, `could not warm the session-start cache: ${describeError(error)}`, env);
  }
}

/**
 * The body of the detached child (`attune hook learn-worker`): reads the job from the
 * environment, arms the watchdog, learns, logs. Returns the exit code; never throws.
 */
export async function runLearnWorker(env: Env = process.env): Promise<number> {
  let job: LearnJob;
  try {
    job = readJob(env);
  } catch (error) {
    writeHookLog('learn-worker', describeError(error), env);
    return 0;
  }
  startWatchdog(job.timeoutMs, job.hook, env);
  writeHookLog(
    job.hook,
    `background learner pid=${process.pid} running (timeout ${job.timeoutMs} ms)`,
    env,
  );
  try {
    await runLearnJob(job, env);
  } catch (error) {
    writeHookLog(job.hook, `background learner failed: ${describeError(error)}`, env);
  }
  writeHookLog(job.hook, `background learner pid=${process.pid} done`, env);
  return 0;
}

function parseMode(value: string | undefined): LearnMode {
  return value === 'inline' || value === 'background' ? value : 'auto';
}

function workerTimeoutMs(env: Env): number {
  const n = Number(env.ATTUNE_HOOK_WORKER_TIMEOUT);
  return Number.isFinite(n) && n > 0 ? Math.round(n * 1000) : DEFAULT_WORKER_TIMEOUT_S * 1000;
}
