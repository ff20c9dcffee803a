/**
 * `attune learn PATH...`: learn from every session file under the paths.
 * @module
 */
import { promises as fs } from 'node:fs';
import { extname, join } from 'node:path';
import type { Command } from 'commander';
import { extractorWarnings } from '../../commands/render.js';
import type { ReviewMode } from '../../config/extractor-child.js';
import { AttuneError } from '../../errors.js';
import {
  type LearnOptions,
  learnFromTranscriptFile,
  prefetchModelAnswers,
} from '../../learn/learn.js';
import { SESSION_QUALITIES } from '../../model/quality.js';
import {
  action,
  addExtractorOption,
  addGlobalOptions,
  extractorOptions,
  type GlobalOptions,
  openCliEnv,
  positiveInt,
  printJson,
  printText,
} from '../shared.js';

interface LearnCommandOptions extends GlobalOptions {
  format?: string;
  dryRun?: boolean;
  force?: boolean;
  extractor?: string;
  review?: ReviewMode;
  samples?: number;
  jobs?: number;
}

const EXTENSIONS = new Set(['.jsonl', '.json', '.md', '.markdown']);
const SKIP_DIRS = new Set(['node_modules', '.git']);

/** Registers `attune learn`. */
export function registerLearnCommand(program: Command): void {
  addGlobalOptions(
    addExtractorOption(
      program
        .command('learn')
        .argument('<paths...>', 'transcript files or folders (searched for .jsonl, .json, .md)')
        .description('Learn from every session file under the paths')
        .option('-f, --format <format>', 'transcript format for every file (default: detected)')
        .option('--dry-run', 'evaluate and extract, store nothing')
        .option('--force', 'extract even from low-quality sessions')
        .option(
          '-j, --jobs <n>',
          'model extractor calls at a time (default 1; the built-in rules ignore it)',
          positiveInt('--jobs'),
        ),
    ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  attune learn ~/.claude/projects\n  attune learn examples/sessions --dry-run\n  attune learn sessions/ --extractor "claude -p --output-format json"',
    )
    .action(
      action(async (paths: string[], options: LearnCommandOptions) => {
        const env = openCliEnv(options);
        const extractor = extractorOptions(options.extractor, env.config, options);
        const files: string[] = [];
        const skipped: { file: string; reason: string }[] = [];
        for (const p of paths) await collect(p, files, skipped, true);
        let bar: Bar | null = null;
        const byQuality = new Map<string, number>(SESSION_QUALITIES.map((q) => [q.name, 0]));
        let sessions = 0;
        let created = 0;
        let reinforced = 0;
        let known = 0;
        let extracted = 0;
        let doubted = 0;
        let malformed = 0;
        const extractorErrors: string[] = [];
        const reviewErrors: string[] = [];
        const learnOptions: LearnOptions = {
          storage: env.storage,
          userId: env.userId,
          project: env.project,
          force: options.force === true,
          dryRun: options.dryRun === true,
          ...(env.config.minQuality === undefined ? {} : { minQuality: env.config.minQuality }),
          ...(options.format === undefined ? {} : { format: options.format }),
          ...extractor,
        };
        try {
          const jobs = options.jobs ?? 1;
          if (jobs > 1 && extractor.extractor && !extractor.extractor.cacheDir) {
            process.stderr.write(
              'attune: --jobs needs the extractor cache (ATTUNE_EXTRACTOR_CACHE is off); asking the model one session at a time\n',
            );
          }
          if (jobs > 1 && extractor.extractor?.cacheDir) {
            // Ask the model about many sessions at once; the pass below then finds the answers
            // in the cache and stores one file after another.
            const ask = await progressBar(files.length, Boolean(options.json));
            await prefetchModelAnswers(files, learnOptions, jobs, () => ask?.increment());
            ask?.stop();
          }
          bar = await progressBar(files.length, Boolean(options.json));
          for (const file of files) {
            try {
              const report = await learnFromTranscriptFile(file, learnOptions);
              if (report.sessions.length === 0) skipped.push({ file, reason: 'no session in it' });
              malformed += report.skipped;
              for (const s of report.sessions) {
                sessions++;
                const q = s.evaluation.quality.name;
                byQuality.set(q, (byQuality.get(q) ?? 0) + 1);
                extracted += s.patterns.length;
                doubted += s.extractorDoubtful ?? 0;
                created += s.created.length;
                reinforced += s.reinforced.length;
                known += s.unchanged.length;
                const e = s.extractorError;
                if (e !== undefined && !extractorErrors.includes(e)) extractorErrors.push(e);
                const r = s.extractorReviewError;
                if (r !== undefined && !reviewErrors.includes(r)) reviewErrors.push(r);
              }
            } catch (error) {
              if (
                !(error instanceof AttuneError) ||
                error.code === 'CORRUPT_STORE' ||
                error.code === 'LOCK_TIMEOUT'
              ) {
                throw error;
              }
              skipped.push({ file, reason: error.message });
            }
            bar?.increment();
          }
        } finally {
          bar?.stop();
          await env.storage.close();
        }
        const summary = {
          files: files.length,
          sessions,
          by_quality: Object.fromEntries(byQuality),
          patterns_extracted: extracted,
          patterns_new: created,
          patterns_reinforced: reinforced,
          // Stored already with the same sightings (a transcript learned before): unchanged.
          patterns_already_known: known,
          // Lessons the model itself doubted (below MIN_PROJECT_FACT_CONFIDENCE), left out: with
          // one answer its doubted project facts, with several those no other answer found.
          model_doubted_lessons_left_out: doubted,
          malformed_records_skipped: malformed,
          files_skipped: skipped,
          extractor: extractor.extractor ? 'model' : 'rules',
          extractor_errors: extractorErrors,
          extractor_review_errors: reviewErrors,
          dry_run: options.dryRun === true,
        };
        if (options.json) {
          printJson(summary);
          return 0;
        }
        const rows: [string, string][] = [
          [
            'files read',
            String(files.length - skipped.filter((s) => files.includes(s.file)).length),
          ],
          ['sessions', String(sessions)],
          ...[...byQuality].map(([q, n]) => [`  ${q}`, String(n)] as [string, string]),
          ['patterns extracted', String(extracted)],
          ['patterns new', String(created)],
          ['patterns reinforced', String(reinforced)],
          ['patterns already known', String(known)],
          ...(extractor.extractor
            ? [['doubted lessons left out', String(doubted)] as [string, string]]
            : []),
          ['malformed records skipped', String(malformed)],
          ['files skipped', String(skipped.length)],
        ];
        const lines = rows.map(([k, v]) => `${k.padEnd(28)}${v.padStart(6)}`);
        for (const s of skipped) lines.push(`  skipped ${s.file}: ${s.reason}`);
        lines.push(...extractorWarnings(extractorErrors, reviewErrors));
        lines.push(
          `Learned from ${sessions} sessions in ${files.length} files: ${created} new and ${reinforced} reinforced patterns${known > 0 ? ` (${known} already known)` : ''}${options.dryRun ? ' (dry run, nothing stored)' : ''}.`,
        );
        printText(lines.join('\n'));
        return 0;
      }),
    );
}

async function collect(
  path: string,
  files: string[],
  skipped: { file: string; reason: string }[],
  explicit: boolean,
): Promise<void> {
  const stat = await fs.stat(path).catch(() => null);
  if (!stat) {
    skipped.push({ file: path, reason: 'does not exist' });
    return;
  }
  if (stat.isDirectory()) {
    const names = (await fs.readdir(path)).sort();
    for (const name of names) {
      if (SKIP_DIRS.has(name)) continue;
      await collect(join(path, name), files, skipped, false);
    }
  } else if (stat.isFile() && (explicit || EXTENSIONS.has(extname(path).toLowerCase()))) {
    files.push(path);
  }
}

interface Bar {
  increment(): void;
  stop(): void;
}

async function progressBar(total: number, json: boolean): Promise<Bar | null> {
  if (json || !process.stderr.isTTY || total === 0) return null;
  const { default: progress } = await import('cli-progress');
  const bar = new progress.SingleBar(
    {
      stream: process.stderr,
      format: 'learning {bar} {value}/{total} files',
      hideCursor: true,
      clearOnComplete: true,
    },
    progress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return bar;
}
