/**
 * A model extractor command that answers from a folder, to measure any model offline:
 *
 *   npm run eval -- --transcripts DIR --extractor "node dist/bench/replay-extractor.js ANSWERS"
 *
 * It reads the prompt on stdin and prints `ANSWERS/<sha256 of the prompt, 16 hex>.json`.
 * When that file is missing it writes the prompt to `ANSWERS/pending/<hash>.txt` and exits 1:
 * a first run collects every prompt; answer each (by hand, or with any model) into
 * `ANSWERS/<hash>.json`, and a second run measures the answers.
 *
 * With `--samples N` the extractor asks each prompt N times, numbering the answers in
 * `ATTUNE_EXTRACTOR_SAMPLE`: the folders of the second answer follow a `::`, those of the third
 * a second `::`, and so on (`A B :: C D`).
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

function main(): number {
  const sample = Number(process.env.ATTUNE_EXTRACTOR_SAMPLE || '1');
  const groups: string[][] = [[]];
  for (const a of process.argv.slice(2)) {
    if (a === '::') groups.push([]);
    else groups[groups.length - 1]?.push(a);
  }
  const [dir, ...more] = groups[sample - 1] ?? [];
  if (!dir) {
    process.stderr.write(
      `usage: replay-extractor ANSWERS_DIR [MORE_DIRS...] [:: DIRS OF ANSWER 2 ...] < prompt (no folders for answer ${sample})\n`,
    );
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
