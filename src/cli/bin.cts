#!/usr/bin/env node
/**
 * The `attune` executable. A warm `attune hook session-start` is answered here, in
 * CommonJS, from the record the full hook left (see hooks/claude-code/fast-start.cts);
 * everything else goes to the ES module CLI in main.js.
 * @module
 */
import fastStart = require('../hooks/claude-code/fast-start.cjs');

function run(): void {
  const argv = process.argv.slice(2);
  let stdin: string | undefined;
  // Inside a model extractor's own session (`claude -p` run by attune): no hook runs, so
  // the extractor neither learns from nor is given context by its own sessions.
  if (
    argv[0] === 'hook' &&
    argv[1] !== 'learn-worker' &&
    process.env.ATTUNE_EXTRACTOR_CHILD /* EXTRACTOR_CHILD_ENV */
  ) {
    return;
  }
  if (argv.length === 2 && argv[0] === 'hook' && argv[1] === 'session-start') {
    const text = fastStart.readStdinSync();
    if (text !== null) {
      const output = fastStart.replaySessionStart(text);
      if (output !== null) {
        if (output !== '') process.stdout.write(`${output}\n`);
        return;
      }
      stdin = text;
    }
  }
  // `attune patterns | head`: a reader that goes away is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  import('./main.js').then(
    async (cli) => {
      process.exitCode = await cli.main(argv, stdin === undefined ? {} : { stdin });
    },
    (error: unknown) => {
      process.stderr.write(`attune: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

run();
