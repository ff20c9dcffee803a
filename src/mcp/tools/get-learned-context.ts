/**
 * `get_learned_context`: the learned-patterns block to follow in the current task.
 * @module
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { formatContextBlock, formatPatternEntry } from '../../format/format-context.js';
import { PatternCategory } from '../../model/category.js';
import type { FormatPatternsOptions } from '../../storage/learned-skills-storage.js';
import type { McpToolContext } from '../server.js';
import { runTool, toolResult } from '../tool-result.js';

/** Said instead of an empty block, so the model knows the call worked. */
export const NOTHING_LEARNED =
  'Nothing has been learned for this user yet (no stored pattern matches). Work as usual; use remember to keep a lesson the user teaches you.';

/** Input of `get_learned_context`. */
export const GetLearnedContextInput = {
  project: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe(
      "Project root folder whose conventions to include (default: the server's project). Other projects' conventions are left out.",
    ),
  query: z
    .string()
    .max(10_000)
    .optional()
    .describe('The task at hand; when given, only patterns relevant to it, most relevant first.'),
  max_patterns: z
    .number()
    .int()
    .min(1)
    .max(20)
    .default(5)
    .describe('At most this many patterns (1 to 20).'),
  categories: z
    .array(z.enum(PatternCategory))
    .min(1)
    .optional()
    .describe('Only these categories (default: all).'),
};

/** What a context request returns: the block (maybe empty) and the ids shown in it. */
export interface LearnedContext {
  block: string;
  patternIds: string[];
}

/**
 * Selects and formats the context block, and records one use of the skills holding the
 * patterns shown (as an injection does).
 */
export async function buildLearnedContext(
  context: McpToolContext,
  options: FormatPatternsOptions,
): Promise<LearnedContext> {
  const patterns = await context.storage.selectPatterns(context.userId, options);
  const maxChars = options.maxChars ?? context.contextMaxChars;
  const block = formatContextBlock(patterns, maxChars === undefined ? {} : { maxChars });
  const shown = patterns.filter((p) => block.includes(formatPatternEntry(p)));
  const patternIds = shown.map((p) => p.patternId);
  if (patternIds.length > 0) await context.storage.recordPatternUse(context.userId, patternIds);
  return { block, patternIds };
}

/** Registers `get_learned_context`. */
export function registerGetLearnedContextTool(server: McpServer, context: McpToolContext): void {
  server.registerTool(
    'get_learned_context',
    {
      title: 'Get learned context',
      description:
        "Returns what earlier sessions with this user taught, as a '## Learned Patterns' block: each entry says When (the situation) and Do (what to do), with a confidence. Call it at the start of a task, passing the task as `query`, and follow the entries that apply. Returns a sentence saying so when nothing is learned yet.",
      inputSchema: GetLearnedContextInput,
      outputSchema: { context: z.string(), pattern_ids: z.array(z.string()) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      runTool('get_learned_context', async () => {
        const options: FormatPatternsOptions = { maxPatterns: args.max_patterns };
        const project = args.project ?? context.project;
        if (project !== undefined) options.project = project;
        if (args.query?.trim()) options.query = args.query;
        if (args.categories !== undefined) options.categories = args.categories;
        const { block, patternIds } = await buildLearnedContext(context, options);
        return toolResult(block || NOTHING_LEARNED, { context: block, pattern_ids: patternIds });
      }),
  );
}
