/**
 * `search_patterns`: stored patterns containing every word of a query.
 * @module
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { formatPatternList, PatternViewSchema, toPatternView } from '../pattern-view.js';
import type { McpToolContext } from '../server.js';
import { runTool, toolResult } from '../tool-result.js';

/** Input of `search_patterns`. */
export const SearchPatternsInput = {
  query: z
    .string()
    .trim()
    .min(1, 'query must not be empty')
    .max(1000)
    .describe(
      'Words to look for (every word must occur, case-insensitively, in the trigger, context, resolution or tags).',
    ),
  limit: z.number().int().min(1).max(50).default(10).describe('At most this many (1 to 50).'),
};

/** Registers `search_patterns`. */
export function registerSearchPatternsTool(server: McpServer, context: McpToolContext): void {
  server.registerTool(
    'search_patterns',
    {
      title: 'Search learned patterns',
      description:
        'Searches the lessons learned from earlier sessions with this user for every word of `query` (for example an error message, a tool or a library name). Returns the matching patterns, best match first, each with its id, category, trigger (when it applies), resolution (what to do) and confidence.',
      inputSchema: SearchPatternsInput,
      outputSchema: { total: z.number().int(), patterns: z.array(PatternViewSchema) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      runTool('search_patterns', async () => {
        const found = await context.storage.searchPatterns(context.userId, args.query);
        const views = found.slice(0, args.limit).map(toPatternView);
        const heading = `${found.length} pattern(s) match ${JSON.stringify(args.query)}${found.length > views.length ? `; the best ${views.length}` : ''}:`;
        return toolResult(
          formatPatternList(
            heading,
            views,
            `No learned pattern matches ${JSON.stringify(args.query)}.`,
          ),
          { total: found.length, patterns: views },
        );
      }),
  );
}
