/**
 * `delete_pattern`: forget one stored pattern.
 * @module
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { McpToolContext } from '../server.js';
import { runTool, toolResult } from '../tool-result.js';
import { PatternIdInput, patternNotFound } from './get-pattern.js';

/** Registers `delete_pattern`. */
export function registerDeletePatternTool(server: McpServer, context: McpToolContext): void {
  server.registerTool(
    'delete_pattern',
    {
      title: 'Delete a learned pattern',
      description:
        'Deletes one learned pattern by id, for a lesson that is wrong or no longer wanted (for example when the user says to forget it). It cannot be undone.',
      inputSchema: PatternIdInput,
      outputSchema: { deleted: z.string() },
      annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: false },
    },
    (args) =>
      runTool('delete_pattern', async () => {
        const deleted = await context.storage.deletePattern(context.userId, args.pattern_id);
        if (!deleted) throw patternNotFound(args.pattern_id);
        return toolResult(`Deleted pattern ${args.pattern_id}.`, { deleted: args.pattern_id });
      }),
  );
}
