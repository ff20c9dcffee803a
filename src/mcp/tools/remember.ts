/**
 * `remember`: store a lesson the user stated explicitly in the conversation.
 * @module
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { redactionNote, rememberLesson } from '../../learn/remember.js';
import { PatternCategory } from '../../model/category.js';
import { formatPatternView, toPatternView } from '../pattern-view.js';
import type { McpToolContext } from '../server.js';
import { runTool, toolResult } from '../tool-result.js';

/** Input of `remember`. */
export const RememberInput = {
  category: z
    .enum(PatternCategory)
    .describe(
      'user_correction (the user corrected you), preference (how the user likes things done), project_specific (a convention of this project), error_resolution (how an error was fixed), workaround, debugging_technique or code_pattern.',
    ),
  trigger: z
    .string()
    .trim()
    .min(1, 'trigger must not be empty')
    .max(2000)
    .describe('When the lesson applies, e.g. "Installing dependencies in this repo".'),
  resolution: z
    .string()
    .trim()
    .min(1, 'resolution must not be empty')
    .max(4000)
    .describe('What to do then, as a self-contained instruction, e.g. "Use pnpm, never npm".'),
  context: z.string().max(4000).optional().describe('Why, or where it came from (optional).'),
  tags: z
    .array(z.string().trim().min(1).max(64))
    .max(20)
    .optional()
    .describe('Keywords that help find it later, e.g. ["pnpm", "install"].'),
  project: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe(
      "For project_specific lessons: the project root folder (default: the server's project).",
    ),
};

/** Registers `remember`. */
export function registerRememberTool(server: McpServer, context: McpToolContext): void {
  server.registerTool(
    'remember',
    {
      title: 'Remember a lesson',
      description:
        'Stores a lesson the user told you explicitly ("always use pnpm here", "don\'t mock the database in tests"), so future sessions follow it. Write the trigger as the situation and the resolution as a self-contained instruction. Secrets are redacted before storing. The same lesson stored twice is reinforced, not duplicated. Returns the pattern id.',
      inputSchema: RememberInput,
      outputSchema: {
        id: z.string(),
        stored: z.enum(['created', 'reinforced', 'unchanged']),
        redacted: z.array(z.string()),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    (args) =>
      runTool('remember', async () => {
        const { id, stored, pattern, redacted } = await rememberLesson(
          context.storage,
          context.userId,
          {
            ...args,
            project: args.project ?? context.project,
            source: 'mcp-remember',
            sourceSession: 'mcp',
          },
        );
        const lines = [
          stored === 'created'
            ? `Remembered as pattern ${id}:`
            : stored === 'reinforced'
              ? `Reinforced existing pattern ${id}:`
              : `Already remembered as pattern ${id}:`,
          formatPatternView(toPatternView(pattern)),
        ];
        lines.push(...redactionNote(redacted));
        return toolResult(lines.join('\n'), { id, stored, redacted });
      }),
  );
}
