/**
 * What every CLI command shares: global options, the storage they open, output and errors.
 * @module
 */
import { type Command, Option } from 'commander';
import {
  type AttuneConfig,
  type ExtractorConfig,
  findProjectRoot,
  loadConfig,
  resolveExtractor,
  resolveStoreConfig,
  resolveUserId,
} from '../config/config.js';
import {
  checkSamples,
  MAX_EXTRACTOR_SAMPLES,
  REVIEW_MODES,
  type ReviewMode,
} from '../config/extractor-child.js';
import { AttuneError, ErrorCode } from '../errors.js';
import { LearnedSkillsStorage } from '../storage/learned-skills-storage.js';

/** Options every command accepts. */
export interface GlobalOptions {
  user?: string;
  store?: string;
  storageDir?: string;
  databaseUrl?: string;
  json?: boolean;
  debug?: boolean;
}

/** Adds the options every command takes. */
export function addGlobalOptions(command: Command): Command {
  return command
    .option('-u, --user <id>', 'user id (default: $ATTUNE_USER, config "user", OS user name)')
    .option(
      '--store <kind>',
      'store: file, sqlite or postgres (default: $ATTUNE_STORE, config, file)',
    )
    .option('--storage-dir <dir>', 'file store root (default: ~/.empathy/learned_skills)')
    .option('--database-url <url>', 'sqlite file or postgres:// connection string')
    .option('--json', 'print JSON instead of text')
    .option('--debug', 'print stack traces on errors');
}

/** Adds `--extractor`, `--review` and `--samples`, taken by the commands that extract. */
export function addExtractorOption(command: Command): Command {
  return command
    .option(
      '--extractor <command>',
      'model command to extract with instead of the built-in rules; \'rules\' for the rules (default: $ATTUNE_EXTRACTOR, config "extractor")',
    )
    .addOption(
      new Option(
        '--review <mode>',
        'with a model extractor, a second call reviews its answer: complete adds what it missed, verify only drops what the session does not bear out (default: $ATTUNE_EXTRACTOR_REVIEW, config "extractorReview", else off)',
      ).choices(REVIEW_MODES),
    )
    .option(
      '--samples <n>',
      `with a model extractor, ask it n times (1 to ${MAX_EXTRACTOR_SAMPLES}) and keep every lesson any answer found: more found, n times the calls (default: $ATTUNE_EXTRACTOR_SAMPLES, config "extractorSamples", else 2)`,
      (value: string) => {
        try {
          return checkSamples(Number(value), '--samples');
        } catch (error) {
          throw new AttuneError(ErrorCode.USAGE, (error as Error).message);
        }
      },
    );
}

/** The extractor settings a command's flags override. */
export interface ExtractorFlags {
  review?: ReviewMode;
  samples?: number;
}

/** The learn options naming the model extractor chosen by flag, environment or config. */
export function extractorOptions(
  flag: string | undefined,
  config: AttuneConfig,
  flags: ExtractorFlags = {},
): { extractor?: ExtractorConfig } {
  const extractor = resolveExtractor(flag, process.env, config);
  if (extractor === undefined) return {};
  return {
    extractor: {
      ...extractor,
      ...(flags.review === undefined ? {} : { review: flags.review }),
      ...(flags.samples === undefined ? {} : { samples: flags.samples }),
    },
  };
}

/** The resolved user, storage and project of one command run. */
export interface CliEnv {
  userId: string;
  storage: LearnedSkillsStorage;
  config: AttuneConfig;
  project: string;
}

/** Resolves user and store from flags, environment and config file. */
export function openCliEnv(options: GlobalOptions, cwd = process.cwd()): CliEnv {
  const config = loadConfig();
  const flags = {
    user: options.user,
    store: options.store,
    storageDir: options.storageDir,
    databaseUrl: options.databaseUrl,
  };
  const userId = resolveUserId(flags, process.env, config);
  const store = resolveStoreConfig(flags, process.env, config);
  const storage = new LearnedSkillsStorage({
    store,
    ...(config.maxPatternsPerUser === undefined
      ? {}
      : { maxPatternsPerUser: config.maxPatternsPerUser }),
  });
  return { userId, storage, config, project: findProjectRoot(cwd) };
}

/** Prints a value as one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints text on stdout with a final newline. */
export function printText(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Exit codes: 0 ok, 1 error, 2 usage error. */
export const EXIT = { OK: 0, ERROR: 1, USAGE: 2 } as const;

/**
 * Prints an error as one clear line (plus a suggestion line), with the stack only under
 * `--debug`, and returns the exit code for it.
 */
export function reportError(error: unknown, debug: boolean): number {
  if (error instanceof AttuneError) {
    process.stderr.write(`attune: ${error.message}\n`);
    if (error.suggestion) process.stderr.write(`  ${error.suggestion}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.code === ErrorCode.USAGE ? EXIT.USAGE : EXIT.ERROR;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`attune: ${message}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('  (run with --debug for details)\n');
  return EXIT.ERROR;
}

/**
 * Wraps a command action: runs it, closes storage, maps errors to exit codes. The action
 * returns the exit code (default 0).
 */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<number | undefined>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command;
    const merged = command.optsWithGlobals() as GlobalOptions;
    // `patterns search q --json`: commander hands --json to the parent command, which also
    // declares it; fold parent options into the options object the action receives.
    const options = args[args.length - 2];
    if (typeof options === 'object' && options !== null) {
      for (const [key, value] of Object.entries(merged)) {
        if ((options as Record<string, unknown>)[key] === undefined)
          (options as Record<string, unknown>)[key] = value;
      }
    }
    const debug = Boolean(merged.debug);
    try {
      process.exitCode = (await fn(...args)) ?? EXIT.OK;
    } catch (error) {
      process.exitCode = reportError(error, debug);
    }
  };
}

/** Reads all of stdin as text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Collects every value of a repeatable option (`--category a --category b`). */
export function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parses a positive integer option, or throws a usage error naming it. */
export function positiveInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) {
      throw new AttuneError(
        ErrorCode.USAGE,
        `${name} must be a non-negative integer, got ${JSON.stringify(value)}`,
      );
    }
    return n;
  };
}
