/**
 * The attune MCP server: a thin adapter exposing the learned-skills library to any MCP client
 * (Claude Desktop, Claude Code, Cursor, Codex, custom agents). It adds no behaviour of its
 * own: every tool validates its arguments with a zod schema, calls the library for one user,
 * and returns text (plus `structuredContent` where the result is data). Failures come back
 * as error results (`isError: true`) with a readable message; the server keeps serving.
 * @module
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { validateUserId } from '../model/user-id.js';
import type { LearnedSkillsStorage } from '../storage/learned-skills-storage.js';
import { registerContextResource } from './context-resource.js';
import { registerDeletePatternTool } from './tools/delete-pattern.js';
import { registerEditPatternTool } from './tools/edit-pattern.js';
import { registerGetLearnedContextTool } from './tools/get-learned-context.js';
import { registerGetPatternTool } from './tools/get-pattern.js';
import { registerLearnFromTranscriptTool } from './tools/learn-from-transcript.js';
import { registerLearningSummaryTool } from './tools/learning-summary.js';
import { registerListPatternsTool } from './tools/list-patterns.js';
import { registerRememberTool } from './tools/remember.js';
import { registerSearchPatternsTool } from './tools/search-patterns.js';

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  /** Where patterns are stored. The caller owns it and closes it. */
  storage: LearnedSkillsStorage;
  /** The one user every tool acts for (validated; the model cannot choose another). */
  userId: string;
  /**
   * The project used when a tool is given none: its conventions are included in the context
   * block and stored under it. Without it, every project's conventions are shown.
   */
  project?: string;
  /** Character budget of the context block, unless a tool call sets its own. */
  contextMaxChars?: number;
  /**
   * Server version reported to clients.
   * @default '0.1.0'
   */
  version?: string;
}

/** What every tool handler is given. */
export interface McpToolContext {
  storage: LearnedSkillsStorage;
  userId: string;
  project: string | undefined;
  contextMaxChars: number | undefined;
}

const INSTRUCTIONS = `attune remembers what past sessions with this user taught: corrections, error resolutions, workarounds, preferences and project conventions.
At the start of a task, call get_learned_context (pass the task as query) and follow what it says.
When the user corrects you or states a preference worth keeping, call remember; when they say a stored lesson is out of date, edit_pattern (or delete_pattern to forget it).
After a session, learn_from_transcript can extract lessons from its transcript.`;

/**
 * Creates an MCP server with the attune tools and the `attune://context` resource, for one
 * user. Connect it to a transport (`StdioServerTransport` for `attune mcp`).
 * Throws INVALID_ARGUMENT for a hostile user id.
 */
export function createMcpServer(options: McpServerOptions): McpServer {
  const context: McpToolContext = {
    storage: options.storage,
    userId: validateUserId(options.userId),
    project: options.project,
    contextMaxChars: options.contextMaxChars,
  };
  const server = new McpServer(
    { name: 'attune', title: 'attune learned patterns', version: options.version ?? '0.1.0' },
    { instructions: INSTRUCTIONS },
  );
  registerGetLearnedContextTool(server, context);
  registerSearchPatternsTool(server, context);
  registerListPatternsTool(server, context);
  registerGetPatternTool(server, context);
  registerDeletePatternTool(server, context);
  registerEditPatternTool(server, context);
  registerLearnFromTranscriptTool(server, context);
  registerRememberTool(server, context);
  registerLearningSummaryTool(server, context);
  registerContextResource(server, context);
  return server;
}
