/**
 * `attune mcp`: serve the learned patterns to MCP clients over stdio.
 *
 * stdout carries the protocol and nothing else: logs go to stderr, and `console.log` is
 * pointed at stderr while serving so that no stray print can corrupt the stream.
 * @module
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Command } from 'commander';
import { serveStdio } from '../../mcp/serve-stdio.js';
import { createMcpServer } from '../../mcp/server.js';
import { action, addGlobalOptions, type GlobalOptions, openCliEnv } from '../shared.js';

interface McpCommandOptions extends GlobalOptions {
  project?: string;
  allProjects?: boolean;
}

/** Registers `attune mcp`. */
export function registerMcpCommand(program: Command): void {
  addGlobalOptions(
    program
      .command('mcp')
      .description('Run the MCP server over stdio (for Claude Code, Claude Desktop, Cursor, ...)')
      .option(
        '--project <dir>',
        'project whose conventions to include and store under (default: git root of the current folder; none outside a git repository)',
      )
      .option('--all-projects', "include every project's conventions by default"),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  claude mcp add attune -- attune mcp\n  attune mcp --user alice --store sqlite --database-url ~/.attune/patterns.db',
    )
    .action(
      action(async (options: McpCommandOptions, command: Command) => {
        const env = openCliEnv(options);
        const project = options.allProjects
          ? undefined
          : options.project === undefined
            ? gitProject(env.project)
            : resolve(options.project);
        const version = command.parent?.version();
        try {
          await serve(
            createMcpServer({
              storage: env.storage,
              userId: env.userId,
              ...(version === undefined ? {} : { version }),
              ...(project === undefined ? {} : { project }),
              ...(env.config.contextBudget === undefined
                ? {}
                : { contextMaxChars: env.config.contextBudget }),
            }),
            `user ${env.userId}${project === undefined ? '' : ` (project ${project})`}`,
          );
        } finally {
          await env.storage.close();
        }
        return 0;
      }),
    );
}

/** Serves until the client goes away or a signal arrives; logs go to stderr only. */
async function serve(server: McpServer, who: string): Promise<void> {
  console.log = console.error;
  console.info = console.error;
  const stop = () => void server.close();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stderr.write(`attune mcp: serving ${who} over stdio\n`);
  try {
    await serveStdio(server);
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}

/**
 * The project of the folder the server was started in, when it is a git repository. Desktop
 * clients start servers in an arbitrary folder (often `/`), which is no project.
 */
function gitProject(root: string): string | undefined {
  return existsSync(join(root, '.git')) ? root : undefined;
}
