/**
 * `attune mcp`: serve the learned patterns to MCP clients over stdio.
 *
 * stdout carries the protocol and nothing else: logs go to stderr, and `console.log` is
 * pointed at stderr while serving so that no stray print can corrupt the stream.
 * @module
 */
import { resolve } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Command } from 'commander';
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
        'project whose conventions to include and store under (default: git root of the current folder)',
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
            ? env.project
            : resolve(options.project);
        const version = command.parent?.version();
        const server = createMcpServer({
          storage: env.storage,
          userId: env.userId,
          ...(version === undefined ? {} : { version }),
          ...(project === undefined ? {} : { project }),
          ...(env.config.contextBudget === undefined
            ? {}
            : { contextMaxChars: env.config.contextBudget }),
        });
        console.log = console.error;
        console.info = console.error;
        const transport = new StdioServerTransport();
        const closed = new Promise<void>((done) => {
          transport.onclose = () => done();
          // The client closes stdin to stop us; the SDK transport does not watch for that.
          process.stdin.once('end', () => void server.close());
          process.once('SIGTERM', () => void server.close());
          process.once('SIGINT', () => void server.close());
        });
        await server.connect(transport);
        process.stderr.write(
          `attune mcp: serving user ${env.userId}${project === undefined ? '' : ` (project ${project})`} over stdio\n`,
        );
        try {
          await closed;
        } finally {
          await env.storage.close();
        }
        return 0;
      }),
    );
}
