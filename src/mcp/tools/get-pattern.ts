/**
 * `get_pattern`: one stored pattern by id.
 * @module
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { AttuneError, ErrorCode } from '../../errors.js';
import { formatPatternView, PatternViewSchema, toPatternView } from '../pattern-view.js';
import type { McpToolContext } from '../server.js';
import { runTool, toolResult } from '../tool-result.js';

/** The `pattern_id` argument shared by get_pattern and delete_pattern. */
export const PatternIdInput = {
  pattern_id: z
    .string()
    .trim()
    .min(1, 'pattern_id must not be empty')
    .max(128)
    .describe('The id of a pattern, as shown by search_patterns or list_patterns.'),
};

/** The NOT_FOUND error for a pattern id, with what to do instead. */
export function patternNotFound(patternId: string): AttuneError {
  return new AttuneError(ErrorCode.NOT_FOUND, `no pattern with id ${JSON.stringify(patternId)}`, {
    suggestion: 'Use search_patterns or list_patterns to find the ids of stored patterns.',
  });
}

/** Registers `get_pattern`. */
export function registerGetPatternTool(server: McpServer, context: McpToolContext): void {
  server.registerTool(
    'get_pattern',
    {
      title: 'Get a learned pattern',
      description:
        'Returns one learned pattern by id, with everything stored about it: category, trigger, resolution, context, confidence, tags, how often it was seen and its project.',
      inputSchema: PatternIdInput,
      outputSchema: { pattern: PatternViewSchema },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      runTool('get_pattern', async () => {
        const pattern = await context.storage.getPattern(context.userId, args.pattern_id);
        if (pattern === null) throw patternNotFound(args.pattern_id);
        const view = toPatternView(pattern);
        return toolResult(formatPatternView(view), { pattern: view });
      }),
  );
}
