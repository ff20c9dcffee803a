/**
 * `npm run eval`: extraction precision and recall over the labelled development fixtures.
 *
 * Prints a table per category and overall, per-file counts, and with `--verbose` every false
 * positive and miss. Exits 0 (it is a report) unless a fixture or a labels file fails to read.
 * Options: `--verbose`, `--transcripts DIR`, `--labels DIR`, `--exclude NAME[,NAME]` (sub-folders
 * of the transcripts folder to leave out), `--json`, `--extractor CMD` (measure a model
 * extractor command instead of the built-in rules), `--min-quality Q` (extract only from the
 * sessions the evaluator rates Q or better, as `attune learn` does; by default every session),
 * `--review complete|verify` (with `--extractor`: a second call checks the first answer, and with
 * `complete` adds the lessons it missed), `--digest-chars N` (with `--extractor`: the session
 * digest's budget instead of the default), `--samples N` (with `--extractor`: ask N times and keep
 * every lesson any answer found; by default 2, as `attune` does).
 * @module
 */
import { join, resolve } from 'node:path';
import {
  checkSamples,
  DEFAULT_EXTRACTOR_SAMPLES,
  REVIEW_MODES,
  type ReviewMode,
} from '../src/config/extractor-child.js';
import {
  type QualityOptions,
  type QualityReport,
  runExtractionQuality,
} from '../src/evaluate/extraction-quality.js';
import { SessionEvaluator } from '../src/evaluate/session-evaluator.js';
import { detectSignals } from '../src/evaluate/signals.js';
import { extractWithModel } from '../src/extract/model-extractor.js';
import { extractSessionPatterns } from '../src/extract/session-extractor.js';
import { parseQuality } from '../src/model/quality.js';
import { arg, findRoot } from './args.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(7);

function print(report: QualityReport, verbose: boolean): void {
  const out: string[] = [];
  out.push('Extraction quality on the labelled development fixtures');
  out.push('');
  out.push(
    `${'category'.padEnd(20)} ${'labelled'.padStart(8)} ${'predicted'.padStart(9)} ${'matched'.padStart(7)} ${'precision'.padStart(9)} ${'recall'.padStart(7)}`,
  );
  for (const [c, s] of Object.entries(report.byCategory)) {
    out.push(
      `${c.padEnd(20)} ${String(s.labelled).padStart(8)} ${String(s.predicted).padStart(9)} ${String(s.truePositives).padStart(7)} ${pct(s.precision).padStart(9)} ${pct(s.recall)}`,
    );
  }
  for (const [name, o] of [
    ['overall', report.overall],
    ['any category', report.overallAnyCategory],
  ] as const) {
    out.push(
      `${name.padEnd(20)} ${String(o.labelled).padStart(8)} ${String(o.predicted).padStart(9)} ${String(o.truePositives).padStart(7)} ${pct(o.precision).padStart(9)} ${pct(o.recall)}`,
    );
  }
  out.push('');
  out.push(
    `${'fixture'.padEnd(44)} ${'sessions'.padStart(8)} ${'labels'.padStart(6)} ${'predicted'.padStart(9)} ${'matched'.padStart(7)}`,
  );
  for (const f of report.fixtures) {
    out.push(
      `${f.fixture.padEnd(44)} ${String(f.sessions).padStart(8)} ${String(f.labels.length).padStart(6)} ${String(f.predicted.length).padStart(9)} ${String(f.matches.length).padStart(7)}`,
    );
  }
  if (report.unlabelled.length > 0)
    out.push(`\nNot scored (no labels): ${report.unlabelled.join(', ')}`);
  if (verbose) {
    for (const f of report.fixtures) {
      if (f.falsePositives.length + f.misses.length + f.duplicates.length === 0) continue;
      out.push(`\n== ${f.fixture}`);
      for (const p of f.falsePositives) {
        out.push(
          `  FP [${p.category}] when: ${p.trigger}\n       do: ${p.resolution}\n       ctx: ${p.context}`,
        );
      }
      for (const p of f.duplicates) out.push(`  DUP [${p.category}] ${p.resolution}`);
      for (const l of f.misses)
        out.push(`  MISS ${l.id} [${l.category}] ${l.lesson}  (match: ${l.match.join(', ')})`);
    }
  } else {
    out.push('\nRun with --verbose to list false positives and misses.');
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<void> {
  const root = findRoot();
  const transcriptsDir = resolve(arg('--transcripts') ?? join(root, 'test/fixtures/transcripts'));
  const labelsDir = resolve(arg('--labels') ?? join(root, 'test/fixtures/eval'));
  const exclude = (arg('--exclude') ?? '').split(',').filter(Boolean);
  const command = arg('--extractor');
  const review = (arg('--review') ?? 'off') as ReviewMode;
  if (!REVIEW_MODES.includes(review)) {
    console.error(`--review must be one of ${REVIEW_MODES.join(', ')}, got ${review}`);
    process.exit(2);
  }
  const digestChars = arg('--digest-chars');
  const maxDigestChars = digestChars === undefined ? undefined : Number(digestChars);
  if (maxDigestChars !== undefined && !(Number.isInteger(maxDigestChars) && maxDigestChars > 0)) {
    console.error(`--digest-chars must be a positive integer, got ${digestChars}`);
    process.exit(2);
  }
  const samplesText = arg('--samples');
  let samples = DEFAULT_EXTRACTOR_SAMPLES;
  try {
    if (samplesText !== undefined) samples = checkSamples(Number(samplesText), '--samples');
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const failures: string[] = [];
  const options: QualityOptions = { transcriptsDir, labelsDir, exclude };
  if (command !== undefined && command !== 'rules') {
    // The model path, measured as it is: a session whose command fails counts as no patterns.
    options.extract = async (session, earlier) => {
      try {
        // Run where the harness runs, so that relative paths in the command (a replay
        // folder, a script) work; the CLI runs the command in a folder of its own.
        const found = await extractWithModel(
          session,
          {
            command,
            now: new Date(0),
            cwd: process.cwd(),
            review,
            samples,
            ...(maxDigestChars === undefined ? {} : { maxDigestChars }),
          },
          undefined,
          earlier,
        );
        return found.patterns;
      } catch (error) {
        failures.push(`${session.id}: ${error instanceof Error ? error.message : String(error)}`);
        return [];
      }
    };
  }
  const minQuality = arg('--min-quality');
  if (minQuality !== undefined) {
    const evaluator = new SessionEvaluator({ minQuality: parseQuality(minQuality) });
    const model = options.extract;
    options.extract = async (session, earlier) => {
      const signals = detectSignals(session);
      if (!evaluator.evaluateSession(session, signals).recommended) return [];
      return model
        ? model(session, earlier)
        : extractSessionPatterns(session, { now: new Date(0) }, signals);
    };
  }
  const report = await runExtractionQuality(options);
  for (const f of failures) process.stderr.write(`eval-extraction: extractor failed on ${f}\n`);
  if (process.argv.includes('--json')) {
    process.stdout.write(
      `${JSON.stringify({ overall: report.overall, overallAnyCategory: report.overallAnyCategory, byCategory: report.byCategory }, null, 2)}\n`,
    );
    return;
  }
  print(report, process.argv.includes('--verbose'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `eval-extraction: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
