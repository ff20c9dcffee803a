/**
 * `list_patterns`: the user's stored patterns, best first.
 * @module
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { PatternCategory } from '../../model/category.js';
import type { ListPatternsOptions } from '../../store/pattern-store.js';
import { formatPatternList, PatternViewSchema, toPatternView } from '../pattern-view.js';
import type { McpToolContext } from '../server.js';
import { runTool, toolResult } from '../tool-result.js';

/** Input of `list_patterns`. */
export const ListPatternsInput = {
  category: z.enum(PatternCategory).optional().describe('Only this category (default: all).'),
  limit: z.number().int().min(1).max(100).default(20).describe('At most this many (1 to 100).'),
};

/** Registers `list_patterns`. */
export function registerListPatternsTool(server: McpServer, context: McpToolContext): void {
  server.registerTool(
    'list_patterns',
    {
      title: 'List learned patterns',
      description:
        'Lists the lessons learned from earlier sessions with this user, most valuable first (highest confidence first), optionally of one category. Each has an id usable with get_pattern and delete_pattern.',
      inputSchema: ListPatternsInput,
      outputSchema: { patterns: z.array(PatternViewSchema) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      runTool('list_patterns', async () => {
        const options: ListPatternsOptions = { limit: args.limit };
        if (args.category !== undefined) options.categories = [args.category];
        const views = (await context.storage.getAllPatterns(context.userId, options)).map(
          toPatternView,
        );
        const what = args.category === undefined ? 'pattern(s)' : `${args.category} pattern(s)`;
        return toolResult(
          formatPatternList(
            `${views.length} ${what}, best first:`,
            views,
            `No ${args.category === undefined ? '' : `${args.category} `}pattern is stored yet.`,
          ),
          { patterns: views },
        );
      }),
  );
}
