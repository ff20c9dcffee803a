/**
 * `learning_summary`: how much has been learned for this user.
 * @module
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { McpToolContext } from '../server.js';
import { runTool, toolResult } from '../tool-result.js';

/** Registers `learning_summary`. */
export function registerLearningSummaryTool(server: McpServer, context: McpToolContext): void {
  server.registerTool(
    'learning_summary',
    {
      title: 'Learning summary',
      description:
        'Summarises what has been learned for this user: number of patterns and skills, patterns per category, average confidence and the most used skill.',
      inputSchema: {},
      outputSchema: {
        user_id: z.string(),
        total_patterns: z.number().int(),
        total_skills: z.number().int(),
        patterns_by_category: z.record(z.string(), z.number().int()),
        avg_confidence: z.number(),
        most_used_skill: z.string().nullable(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () =>
      runTool('learning_summary', async () => {
        const s = await context.storage.getSummary(context.userId);
        const byCategory = Object.entries(s.patterns_by_category)
          .map(([c, n]) => `${c} ${n}`)
          .join(', ');
        const text = [
          `User ${s.user_id}: ${s.total_patterns} pattern(s), ${s.total_skills} skill(s).`,
          s.total_patterns > 0 ? `By category: ${byCategory}.` : 'Nothing learned yet.',
          s.total_patterns > 0 ? `Average confidence: ${s.avg_confidence.toFixed(2)}.` : '',
          s.most_used_skill === null ? '' : `Most used skill: ${s.most_used_skill}.`,
        ]
          .filter(Boolean)
          .join('\n');
        return toolResult(text, { ...s, patterns_by_category: { ...s.patterns_by_category } });
      }),
  );
}
