/**
 * `learn_from_transcript`: evaluate a session transcript and store what it teaches.
 * @module
 */
import { resolve } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { invalidArgument } from '../../errors.js';
import {
  type LearnOptions,
  type LearnReport,
  learnFromTranscriptFile,
  learnFromTranscriptText,
} from '../../learn/learn.js';
import { TRANSCRIPT_FORMATS } from '../../model/session.js';
import { formatPatternView, PatternViewSchema, toPatternView } from '../pattern-view.js';
import type { McpToolContext } from '../server.js';
import { runTool, toolResult } from '../tool-result.js';

/** Longest transcript text accepted inline (the stdio transport caps a message at 10 MB). */
export const MAX_TRANSCRIPT_TEXT = 8_000_000;

/** Input of `learn_from_transcript`. */
export const LearnFromTranscriptInput = {
  path: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe(
      "A transcript file on this machine (relative paths are from the server's folder). Give path or text, not both.",
    ),
  text: z
    .string()
    .min(1)
    .max(MAX_TRANSCRIPT_TEXT)
    .optional()
    .describe('The transcript itself, in any supported format. Give path or text, not both.'),
  format: z
    .enum(TRANSCRIPT_FORMATS)
    .optional()
    .describe('Transcript format (default: detected from the content).'),
  dry_run: z
    .boolean()
    .default(false)
    .describe('Evaluate and extract, but store nothing (to preview what would be learned).'),
  force: z
    .boolean()
    .default(false)
    .describe('Extract even from a session the evaluator rates too poor to learn from.'),
};

const SessionSchema = z.object({
  session_id: z.string(),
  format: z.string(),
  turns: z.number().int(),
  quality: z.string(),
  score: z.number(),
  recommended: z.boolean(),
  counts: z.record(z.string(), z.number()),
  reasons: z.array(z.string()),
  extracted: z.boolean(),
  patterns: z.array(PatternViewSchema),
  created: z.array(z.string()),
  reinforced: z.array(z.string()),
  /** Stored already with these very sightings (the transcript was learned before). */
  unchanged: z.array(z.string()),
});

/** Registers `learn_from_transcript`. */
export function registerLearnFromTranscriptTool(server: McpServer, context: McpToolContext): void {
  server.registerTool(
    'learn_from_transcript',
    {
      title: 'Learn from a session transcript',
      description: `Reads a session transcript (formats: ${TRANSCRIPT_FORMATS.join(', ')}), rates how much it can teach (EXCELLENT, GOOD, AVERAGE, POOR, SKIP, with counts and reasons), extracts the lessons in it (user corrections, error resolutions, workarounds, preferences, project conventions; secrets redacted) and stores them for future sessions. Lessons already stored are reinforced rather than duplicated. Pass the transcript as a file \`path\` or as \`text\`.`,
      inputSchema: LearnFromTranscriptInput,
      outputSchema: {
        source: z.string(),
        dry_run: z.boolean(),
        malformed_records_skipped: z.number().int(),
        sessions: z.array(SessionSchema),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    (args) =>
      runTool('learn_from_transcript', async () => {
        if ((args.path === undefined) === (args.text === undefined)) {
          invalidArgument(
            'arguments',
            'give exactly one of path (a transcript file) or text (the transcript itself)',
          );
        }
        const options: LearnOptions = {
          storage: context.storage,
          userId: context.userId,
          force: args.force,
          dryRun: args.dry_run,
        };
        if (context.project !== undefined) options.project = context.project;
        if (args.format !== undefined) options.format = args.format;
        const report =
          args.path !== undefined
            ? await learnFromTranscriptFile(resolve(args.path), options)
            : await learnFromTranscriptText(args.text ?? '', { ...options, sourceName: 'mcp' });
        return describeReport(report, args.dry_run);
      }),
  );
}

function describeReport(report: LearnReport, dryRun: boolean) {
  const sessions = report.sessions.map((s) => ({
    session_id: s.sessionId,
    format: s.format,
    turns: s.turns,
    quality: s.evaluation.quality.name,
    score: s.evaluation.quality.score,
    recommended: s.evaluation.recommended,
    counts: { ...s.evaluation.counts },
    reasons: [...s.evaluation.reasons],
    extracted: s.extracted,
    patterns: s.patterns.map(toPatternView),
    created: s.created,
    reinforced: s.reinforced,
    unchanged: s.unchanged,
  }));
  const lines: string[] = [];
  if (sessions.length === 0) lines.push(`No session found in ${report.file}.`);
  for (const s of sessions) {
    lines.push(
      `Session ${s.session_id} (${s.format}, ${s.turns} turns): quality ${s.quality}${s.recommended ? '' : ' (not recommended for learning)'}.`,
    );
    const counts = Object.entries(s.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    lines.push(`Counts: ${counts}.`);
    for (const r of s.reasons) lines.push(`- ${r}`);
    if (!s.extracted) {
      lines.push(
        'Nothing extracted: the session is below the learning threshold (force: true extracts anyway).',
      );
      continue;
    }
    lines.push(
      dryRun
        ? `${s.patterns.length} pattern(s) would be learned (dry run, nothing stored):`
        : `${s.patterns.length} pattern(s) extracted: ${s.created.length} new, ${s.reinforced.length} reinforced, ${s.unchanged.length} already known:`,
    );
    for (const p of s.patterns) lines.push(formatPatternView(p));
  }
  if (report.skipped > 0) lines.push(`${report.skipped} malformed record(s) skipped.`);
  return toolResult(lines.join('\n'), {
    source: report.file,
    dry_run: dryRun,
    malformed_records_skipped: report.skipped,
    sessions,
  });
}
