/**
 * The `attune://context` resource: the default context block, for clients that attach
 * resources to a conversation rather than calling tools.
 * @module
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { FormatPatternsOptions } from '../storage/learned-skills-storage.js';
import type { McpToolContext } from './server.js';
import { buildLearnedContext, NOTHING_LEARNED } from './tools/get-learned-context.js';

/** The URI of the context resource. */
export const CONTEXT_RESOURCE_URI = 'attune://context';

/** Registers the `attune://context` resource (the five best patterns for the server's project). */
export function registerContextResource(server: McpServer, context: McpToolContext): void {
  server.registerResource(
    'learned-context',
    CONTEXT_RESOURCE_URI,
    {
      title: 'Learned patterns',
      description:
        "The best patterns learned from this user's earlier sessions, as a '## Learned Patterns' block.",
      mimeType: 'text/markdown',
    },
    async (uri) => {
      const options: FormatPatternsOptions = { maxPatterns: 5 };
      if (context.project !== undefined) options.project = context.project;
      const { block } = await buildLearnedContext(context, options);
      return {
        contents: [{ uri: uri.href, mimeType: 'text/markdown', text: block || NOTHING_LEARNED }],
      };
    },
  );
}
