#!/usr/bin/env node
/**
 * The `attune` command. `attune hook ...` takes a fast path that loads only what hooks need,
 * so a session start costs little more than starting Node.
 * @module
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Options of {@link main}. */
export interface MainOptions {
  /** Standard input already read by the caller (bin.cjs's fast path). */
  stdin?: string;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  if (argv[0] === 'hook' && !argv.includes('--help') && !argv.includes('-h')) {
    const { runHookCommand } = await import('./commands/hook.js');
    const { stdin } = options;
    return runHookCommand(argv.slice(1), stdin === undefined ? {} : { stdin: async () => stdin });
  }
  const { buildProgram } = await import('./program.js');
  const { reportError } = await import('./shared.js');
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      const exit = (error as { exitCode?: number }).exitCode ?? 2;
      // --help and --version exit 0; every other commander error is a usage error.
      return exit === 0 ? 0 : 2;
    }
    return reportError(error, argv.includes('--debug'));
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // `attune patterns | head`: a reader that goes away is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`attune: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
