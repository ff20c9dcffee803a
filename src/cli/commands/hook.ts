/**
 * `attune hook <session-start|user-prompt-submit|pre-compact|session-end>`: the commands
 * Claude Code runs, with the event's JSON payload on stdin.
 *
 * `main.ts` sends `hook ...` here before loading commander, and this file imports only what
 * the injecting hooks need; the learning pipeline is loaded by the learning hooks alone.
 * A hook never breaks the session: any error, bad stdin or missing transcript means exit
 * code 0, nothing on stdout and one line in the hook log (`~/.attune/hooks.log`, or
 * `$ATTUNE_LOG_FILE`).
 * @module
 */
import { fstatSync, readFileSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { EXTRACTOR_CHILD_ENV } from '../../config/extractor-child.js';
import {
  HOOK_EVENTS,
  type HookName,
  type HookPayload,
  isHookName,
  MAX_PAYLOAD_BYTES,
  parseHookPayload,
} from '../../hooks/claude-code/payload.js';

type Env = Record<string, string | undefined>;

/** Writes one hook log line, loading the log module only when there is something to log. */
async function writeHookLog(event: string, message: string, env: Env): Promise<void> {
  (await import('../../hooks/claude-code/log.js')).writeHookLog(event, message, env);
}

async function describeError(error: unknown): Promise<string> {
  return (await import('../../hooks/claude-code/log.js')).describeError(error);
}

/** Options a hook command line may carry after the hook name. */
interface HookArgs {
  user?: string;
  budget?: number;
  maxPatterns?: number;
}

/** How long a hook waits for its payload before giving up. */
const STDIN_TIMEOUT_MS = 10_000;

/**
 * Runs `attune hook <name> [--user ID] [--budget N] [--max-patterns N]` with the payload
 * read from stdin, writes the hook's output (if any) to stdout and returns the exit code,
 * which is 0 whatever happens. `hook learn-worker` is the body of the detached learner.
 */
export async function runHookCommand(
  argv: readonly string[],
  io: { stdin?: () => Promise<string>; stdout?: (text: string) => void; env?: Env } = {},
): Promise<number> {
  const env = io.env ?? process.env;
  const name = argv[0];
  if (name === 'learn-worker') {
    const { runLearnWorker } = await import('../../hooks/claude-code/learn-hook.js');
    return runLearnWorker(env);
  }
  const event = isHookName(name) ? name : 'hook';
  // A model extractor's own session (see bin.cts): nothing to do.
  if (env[EXTRACTOR_CHILD_ENV]) return 0;
  try {
    if (!isHookName(name)) {
      throw new Error(
        `unknown hook ${JSON.stringify(name ?? '')}; valid hooks: session-start, user-prompt-submit, pre-compact, session-end`,
      );
    }
    const args = parseHookArgs(argv.slice(1));
    const text = await (io.stdin ?? readPayload)();
    const parsed = parseHookPayload(text, name);
    if (!parsed.success) {
      await writeHookLog(event, `bad payload: ${parsed.error}`, env);
      return 0;
    }
    const out = await runHook(name, parsed.data, args, env);
    if (out !== '') (io.stdout ?? writeStdout)(`${out}\n`);
  } catch (error) {
    await writeHookLog(event, await describeError(error), env);
  }
  return 0;
}

async function runHook(
  name: HookName,
  payload: HookPayload,
  args: HookArgs,
  env: Env,
): Promise<string> {
  const user = args.user === undefined ? {} : { user: args.user };
  switch (name) {
    case 'session-start':
    case 'user-prompt-submit': {
      const inject = await import('../../hooks/claude-code/inject.js');
      const options = {
        ...user,
        env,
        ...(args.budget === undefined ? {} : { budget: args.budget }),
        ...(args.maxPatterns === undefined ? {} : { maxPatterns: args.maxPatterns }),
      };
      return name === 'session-start'
        ? inject.runSessionStartHook(payload, options)
        : inject.runUserPromptSubmitHook(payload, options);
    }
    case 'session-end':
    case 'pre-compact': {
      const { runLearnHook } = await import('../../hooks/claude-code/learn-hook.js');
      await runLearnHook(name, payload, { ...user, env });
      return '';
    }
  }
}

function parseHookArgs(argv: readonly string[]): HookArgs {
  const args: HookArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    // cmd.exe passes a trailing `# comment` through as arguments; ignore it.
    if (arg.startsWith('#')) break;
    const [flag, inline] = arg.includes('=')
      ? (arg.split(/=(.*)/s) as [string, string])
      : [arg, undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--user' || flag === '-u') args.user = value;
    else if (flag === '--budget') args.budget = count(flag, value);
    else if (flag === '--max-patterns') args.maxPatterns = count(flag, value);
    else throw new Error(`unknown option ${flag}`);
  }
  return args;
}

function count(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${flag} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * Reads the payload from stdin. A terminal (or other character device) gives no payload.
 * Read synchronously: Claude Code writes the payload and closes the pipe, and setting up
 * the stdin stream costs more than the read. Where the descriptor is non-blocking (EAGAIN),
 * falls back to the stream, bounded in size and time.
 */
function readPayload(): Promise<string> {
  if (fstatSync(0).isCharacterDevice()) {
    return Promise.reject(new Error('no payload: stdin is a terminal or a device'));
  }
  try {
    const data = readFileSync(0);
    if (data.length > MAX_PAYLOAD_BYTES) {
      return Promise.reject(new Error(`payload larger than ${MAX_PAYLOAD_BYTES} bytes`));
    }
    return Promise.resolve(data.toString('utf8'));
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EAGAIN') return Promise.reject(error);
  }
  return readPayloadStream();
}

function readPayloadStream(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      process.stdin.destroy();
      reject(new Error(`no payload on stdin within ${STDIN_TIMEOUT_MS} ms`));
    }, STDIN_TIMEOUT_MS);
    timer.unref();
    process.stdin.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) {
        clearTimeout(timer);
        process.stdin.destroy();
        reject(new Error(`payload larger than ${MAX_PAYLOAD_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    process.stdin.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    process.stdin.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Writes to fd 1 directly (no stream set-up); falls back to the stream on EAGAIN. */
function writeStdout(text: string): void {
  const data = Buffer.from(text, 'utf8');
  let offset = 0;
  try {
    while (offset < data.length) offset += writeSync(1, data, offset);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EAGAIN') throw error;
    process.stdout.write(data.subarray(offset));
  }
}

/** Registers `attune hook ...` so that `attune --help` and `attune hook --help` describe it. */
export function registerHookCommand(program: Command): void {
  const hook = program
    .command('hook')
    .description('Run a Claude Code hook (payload JSON on stdin; never fails the session)')
    .addHelpText(
      'after',
      '\nInstalled by `attune hooks install`. Errors go to ~/.attune/hooks.log ($ATTUNE_LOG_FILE).\n' +
        'Set ATTUNE_HOOK_MODE=inline|background to choose where session-end learning runs.',
    );
  const subcommands: [HookName, string][] = [
    [
      'session-start',
      'print the learned patterns for this user and project as SessionStart context',
    ],
    ['user-prompt-submit', 'print the few patterns relevant to the submitted prompt'],
    ['pre-compact', 'learn from the transcript before Claude Code compacts it'],
    ['session-end', 'learn from the finished session (detached when the transcript is large)'],
  ];
  for (const [name, description] of subcommands) {
    hook
      .command(name)
      .description(description)
      .option('-u, --user <id>', 'user id (default: $ATTUNE_USER, config "user", OS user name)')
      .option('--budget <chars>', 'character budget of the injected context')
      .option('--max-patterns <n>', 'patterns at most')
      .addHelpText(
        'after',
        `\nExample:\n  echo '{"session_id":"s1","transcript_path":"/home/me/.claude/projects/-w-app/s1.jsonl","cwd":"/w/app","hook_event_name":"${HOOK_EVENTS[name]}"}' | attune hook ${name}`,
      )
      .action(async () => {
        process.exitCode = await runHookCommand(
          process.argv.slice(process.argv.indexOf('hook') + 1),
        );
      });
  }
}
