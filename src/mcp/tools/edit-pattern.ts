/**
 * `edit_pattern`: reword a stored pattern the user says is wrong or out of date.
 * @module
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { AttuneError, ErrorCode } from '../../errors.js';
import { type PatternEdit, redactionNote } from '../../learn/remember.js';
import { formatPatternView, PatternViewSchema, toPatternView } from '../pattern-view.js';
import type { McpToolContext } from '../server.js';
import { runTool, toolResult } from '../tool-result.js';
import { PatternIdInput, patternNotFound } from './get-pattern.js';
import { RememberInput } from './remember.js';

/** Input of `edit_pattern`: the id, and the fields to change (each optional). */
export const EditPatternInput = {
  ...PatternIdInput,
  trigger: RememberInput.trigger.optional(),
  resolution: RememberInput.resolution.optional(),
  context: RememberInput.context,
  tags: RememberInput.tags,
  confidence: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('How sure the lesson is, 0 to 1 (e.g. 0.95 when the user confirmed it).'),
};

/** Registers `edit_pattern`. */
export function registerEditPatternTool(server: McpServer, context: McpToolContext): void {
  server.registerTool(
    'edit_pattern',
    {
      title: 'Edit a learned pattern',
      description:
        'Changes the wording of one learned pattern by id, for a lesson that is partly wrong or out of date (for example "we use pnpm 9 now"). Only the fields given change; the pattern keeps its id, evidence and observation count, so later sightings still reinforce it. Secrets are redacted. To forget a lesson altogether, use delete_pattern.',
      inputSchema: EditPatternInput,
      outputSchema: { pattern: PatternViewSchema, redacted: z.array(z.string()) },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    (args) =>
      runTool('edit_pattern', async () => {
        const { pattern_id: id, ...fields } = args;
        const edit: PatternEdit = Object.fromEntries(
          Object.entries(fields).filter(([, value]) => value !== undefined),
        );
        if (Object.keys(edit).length === 0) {
          throw new AttuneError(ErrorCode.INVALID_ARGUMENT, 'nothing to change', {
            suggestion: 'Pass at least one of trigger, resolution, context, tags or confidence.',
          });
        }
        const done = await context.storage.updatePattern(context.userId, id, edit);
        if (!done) throw patternNotFound(id);
        const view = toPatternView(done.pattern);
        const lines = [
          `Updated pattern ${id}:`,
          formatPatternView(view),
          ...redactionNote(done.redacted),
        ];
        return toolResult(lines.join('\n'), { pattern: view, redacted: done.redacted });
      }),
  );
}
