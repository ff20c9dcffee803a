/**
 * `attune evaluate [FILE|-]`: evaluate one session, extract when recommended, store.
 * @module
 */
import type { Command } from 'commander';
import { renderEvaluation } from '../../commands/render.js';
import { findLatestClaudeTranscript } from '../../config/claude-paths.js';
import type { ReviewMode } from '../../config/extractor-child.js';
import { AttuneError, ErrorCode } from '../../errors.js';
import {
  type LearnReport,
  learnFromTranscriptFile,
  learnFromTranscriptText,
} from '../../learn/learn.js';
import { patternToJson } from '../../model/pattern.js';
import { SESSION_QUALITIES } from '../../model/quality.js';
import {
  action,
  addExtractorOption,
  addGlobalOptions,
  extractorOptions,
  type GlobalOptions,
  openCliEnv,
  printJson,
  printText,
  readStdin,
} from '../shared.js';

interface EvaluateOptions extends GlobalOptions {
  format?: string;
  dryRun?: boolean;
  force?: boolean;
  extractor?: string;
  review?: ReviewMode;
  samples?: number;
}

/** Registers `attune evaluate`. */
export function registerEvaluateCommand(program: Command): void {
  addGlobalOptions(
    addExtractorOption(
      program
        .command('evaluate')
        .argument(
          '[file]',
          "transcript file, or '-' for stdin (default: this project's latest Claude Code session)",
        )
        .description('Evaluate one session; extract patterns when worthwhile and store them')
        .option('-f, --format <format>', 'transcript format (default: detected from content)')
        .option('--dry-run', 'evaluate and extract, store nothing')
        .option('--force', 'extract even from a low-quality session'),
    ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  attune evaluate session.jsonl --dry-run\n  attune evaluate - --format openai --json < messages.json\n  attune evaluate            # the latest Claude Code session of this project\n  attune evaluate session.jsonl --extractor "claude -p --output-format json"',
    )
    .action(
      action(async (file: string | undefined, options: EvaluateOptions) => {
        const env = openCliEnv(options);
        const learn = {
          storage: env.storage,
          userId: env.userId,
          project: env.project,
          ...(options.format === undefined ? {} : { format: options.format }),
          force: options.force === true,
          dryRun: options.dryRun === true,
          ...(env.config.minQuality === undefined ? {} : { minQuality: env.config.minQuality }),
          ...extractorOptions(options.extractor, env.config, options),
        };
        let report: LearnReport;
        try {
          if (file === '-') {
            report = await learnFromTranscriptText(await readStdin(), {
              ...learn,
              sourceName: 'stdin',
            });
          } else {
            const path = file ?? (await findLatestClaudeTranscript(process.cwd()));
            if (!path) {
              throw new AttuneError(
                ErrorCode.NOT_FOUND,
                `no Claude Code transcript found for ${process.cwd()}`,
                {
                  suggestion: 'Pass a transcript file: attune evaluate path/to/session.jsonl',
                },
              );
            }
            report = await learnFromTranscriptFile(path, learn);
          }
        } finally {
          await env.storage.close();
        }
        if (options.json) {
          printJson(evaluationJson(report, learn.dryRun));
        } else {
          const texts = report.sessions.map((s) => renderEvaluation(s, { dryRun: learn.dryRun }));
          printText(texts.length ? texts.join('\n\n') : `${report.file}: no session found.`);
          if (report.skipped > 0)
            process.stderr.write(`attune: skipped ${report.skipped} malformed records\n`);
        }
        return 0;
      }),
    );
}

/**
 * The `--json` object: the best session's quality, the counts summed, every pattern in the
 * on-disk shape, and each session on its own under `sessions`.
 */
export function evaluationJson(report: LearnReport, dryRun: boolean) {
  const sessions = report.sessions;
  const best = [...sessions].sort(
    (a, b) => b.evaluation.quality.score - a.evaluation.quality.score,
  )[0];
  const quality = best?.evaluation.quality ?? SESSION_QUALITIES[SESSION_QUALITIES.length - 1];
  const sum = (pick: (c: (typeof sessions)[number]['evaluation']['counts']) => number) =>
    sessions.reduce((n, s) => n + pick(s.evaluation.counts), 0);
  return {
    file: report.file,
    quality: quality?.name ?? 'SKIP',
    score: quality?.score ?? 1,
    points: sessions.reduce((n, s) => n + s.evaluation.points, 0),
    recommended: sessions.some((s) => s.evaluation.recommended),
    dry_run: dryRun,
    counts: {
      interactions: sum((c) => c.interactions),
      corrections: sum((c) => c.corrections),
      error_resolutions: sum((c) => c.errorResolutions),
      preferences: sum((c) => c.preferences),
      workarounds: sum((c) => c.workarounds),
      conventions: sum((c) => c.conventions),
    },
    reasons: sessions.flatMap((s) => s.evaluation.reasons),
    skipped_records: report.skipped,
    patterns: sessions.flatMap((s) => s.patterns.map(patternToJson)),
    stored: {
      created: sessions.flatMap((s) => s.created),
      reinforced: sessions.flatMap((s) => s.reinforced),
      unchanged: sessions.flatMap((s) => s.unchanged),
    },
    sessions: sessions.map((s) => ({
      session_id: s.sessionId,
      format: s.format,
      turns: s.turns,
      quality: s.evaluation.quality.name,
      score: s.evaluation.quality.score,
      recommended: s.evaluation.recommended,
      extracted: s.extracted,
      extractor: s.extractor,
      ...(s.extractorError === undefined ? {} : { extractor_error: s.extractorError }),
      ...(s.extractorRejected === undefined ? {} : { extractor_rejected: s.extractorRejected }),
      ...(s.extractorDoubtful === undefined ? {} : { extractor_doubtful: s.extractorDoubtful }),
      ...(s.extractorReviewError === undefined
        ? {}
        : { extractor_review_error: s.extractorReviewError }),
      truncated: s.truncated,
      skipped_records: s.skipped,
      reasons: s.evaluation.reasons,
      patterns: s.patterns.map((p) => p.patternId),
    })),
  };
}
