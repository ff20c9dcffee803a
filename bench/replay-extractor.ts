/**
 * A model extractor command that answers from a folder, to measure any model offline:
 *
 *   npm run eval -- --transcripts DIR --extractor "node dist/bench/replay-extractor.js ANSWERS"
 *
 * It reads the prompt on stdin and prints `ANSWERS/<sha256 of the prompt, 16 hex>.json`.
 * When that file is missing it writes the prompt to `ANSWERS/pending/<hash>.txt` and exits 1:
 * a first run collects every prompt; answer each (by hand, or with any model) into
 * `ANSWERS/<hash>.json`, and a second run measures the answers.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

function main(): number {
  const [dir, ...more] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write('usage: replay-extractor ANSWERS_DIR [MORE_DIRS...] < prompt\n');
    return 2;
  }
  const prompt = readFileSync(0, 'utf8');
  const hash = createHash('sha256').update(prompt).digest('hex').slice(0, 16);
  for (const folder of [dir, ...more]) {
    const answer = join(resolve(folder), `${hash}.json`);
    if (existsSync(answer)) {
      process.stdout.write(readFileSync(answer, 'utf8'));
      return 0;
    }
  }
  const pending = join(resolve(dir), 'pending');
  mkdirSync(pending, { recursive: true });
  writeFileSync(join(pending, `${hash}.txt`), prompt);
  process.stderr.write(`no answer yet: prompt written to ${join(pending, `${hash}.txt`)}\n`);
  return 1;
}

process.exitCode = main();
