/**
 * The detached learner. Claude Code gives SessionEnd hooks about 1.5 s, less than learning
 * from a large transcript takes, so the hook hands the work to a child process in its own
 * session (it survives the hook being killed and the terminal closing) and returns.
 *
 * The child is bounded in time: a watchdog thread kills the whole process after the job's
 * timeout, even if the main thread is stuck in synchronous work. The store's lock is held
 * only while the store writes; if the child is killed while holding it, its pid is dead and
 * the next writer breaks the lock. Start, finish and timeout are logged with the child's pid.
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ExtractorConfig } from '../../config/config.js';
import { AttuneError, ErrorCode } from '../../errors.js';
import type { StoreConfig } from '../../store/open-store.js';
import { hookLogPath, writeHookLog } from './log.js';
import type { HookName } from './payload.js';

type Env = Record<string, string | undefined>;

/** The environment variable that carries a job to the child. */
export const JOB_ENV = 'ATTUNE_HOOK_JOB';

/** Default bound on a background learner's life, in seconds (`ATTUNE_HOOK_WORKER_TIMEOUT`). */
export const DEFAULT_WORKER_TIMEOUT_S = 120;

/** One learning job: everything the child needs, resolved by the hook. */
export interface LearnJob {
  hook: Extract<HookName, 'session-end' | 'pre-compact'>;
  sessionId: string;
  transcriptPath: string;
  userId: string;
  project: string;
  store: StoreConfig;
  maxPatternsPerUser?: number;
  /** The config file's `minQuality`. */
  minQuality?: string;
  /** True when the user came from `--user` (then no fast-path record is left). */
  explicitUser?: boolean;
  /** The child kills itself after this long. */
  timeoutMs: number;
  /** The model extractor command, when one is configured. */
  extractor?: ExtractorConfig;
}

/** The CLI entry (bin.cjs, as installed): the child runs `<node> <bin.cjs> hook learn-worker`. */
export function cliEntryPath(): string {
  return fileURLToPath(new URL('../../cli/bin.cjs', import.meta.url));
}

/**
 * Starts a detached child that runs `job` and returns its pid. The child gets no stdin and
 * writes nothing to the hook's stdout or stderr; it reports to the hook log.
 */
export function spawnLearnWorker(job: LearnJob, env: Env = process.env): number {
  const entry = cliEntryPath();
  if (!existsSync(entry)) {
    throw new AttuneError(
      ErrorCode.NOT_FOUND,
      `cannot start the background learner: ${entry} is missing`,
      {
        suggestion: 'Build the package (npm run build) or reinstall attune-learning.',
      },
    );
  }
  const child = spawn(process.execPath, [entry, 'hook', 'learn-worker'], {
    detached: true,
    stdio: 'ignore',
    windowsHide: true,
    env: { ...env, [JOB_ENV]: JSON.stringify(job) },
  });
  child.on('error', (error) =>
    writeHookLog(job.hook, `background learner failed to start: ${error.message}`, env),
  );
  child.unref();
  if (child.pid === undefined) {
    throw new AttuneError(ErrorCode.IO, 'cannot start the background learner: no pid');
  }
  return child.pid;
}

/** The job in `ATTUNE_HOOK_JOB`, checked; throws INVALID_ARGUMENT when it is missing or malformed. */
export function readJob(env: Env = process.env): LearnJob {
  const text = env[JOB_ENV];
  if (!text) throw new AttuneError(ErrorCode.INVALID_ARGUMENT, `${JOB_ENV} is not set`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AttuneError(ErrorCode.INVALID_ARGUMENT, `${JOB_ENV} is not JSON`);
  }
  const job = raw as Partial<LearnJob> | null;
  const strings = ['sessionId', 'transcriptPath', 'userId', 'project'] as const;
  if (
    typeof job !== 'object' ||
    job === null ||
    (job.hook !== 'session-end' && job.hook !== 'pre-compact') ||
    strings.some((k) => typeof job[k] !== 'string') ||
    typeof job.timeoutMs !== 'number' ||
    !(job.timeoutMs > 0) ||
    typeof job.store !== 'object' ||
    job.store === null
  ) {
    throw new AttuneError(ErrorCode.INVALID_ARGUMENT, `${JOB_ENV} does not hold a learning job`);
  }
  return job as LearnJob;
}

/**
 * Starts the watchdog of this process: after `timeoutMs` a separate thread logs the timeout
 * and kills the process with SIGKILL, whatever the main thread is doing. The thread does not
 * keep the process alive once the work is done.
 */
export function startWatchdog(timeoutMs: number, event: string, env: Env = process.env): void {
  const source = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
setTimeout(() => {
  const line = new Date().toISOString() + ' pid=' + workerData.pid + ' ' + workerData.event +
    ' background learner timed out after ' + workerData.ms + ' ms; killed\\n';
  try { fs.appendFileSync(workerData.log, line); } catch {}
  process.kill(workerData.pid, 'SIGKILL');
}, workerData.ms);
`;
  const worker = new Worker(source, {
    eval: true,
    workerData: { pid: process.pid, ms: timeoutMs, log: hookLogPath(env), event },
  });
  worker.unref();
}
