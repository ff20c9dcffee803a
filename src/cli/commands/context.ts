/**
 * `attune context`: print the context block an assistant would get.
 * @module
 */
import type { Command } from 'commander';
import { parseCategory } from '../../model/category.js';
import { patternToJson } from '../../model/pattern.js';
import {
  action,
  addGlobalOptions,
  type GlobalOptions,
  openCliEnv,
  positiveInt,
  printJson,
  printText,
  repeatable,
} from '../shared.js';

interface ContextOptions extends GlobalOptions {
  max: number;
  category?: string[];
  budget?: number;
  project?: string;
  allProjects?: boolean;
  query?: string;
}

/** Registers `attune context`. */
export function registerContextCommand(program: Command): void {
  addGlobalOptions(
    program
      .command('context')
      .description('Print the learned-patterns block for injection into a prompt')
      .option('-n, --max <n>', 'at most this many patterns', positiveInt('--max'), 5)
      .option('-c, --category <category>', 'only this category (repeatable)', repeatable)
      .option('--budget <chars>', 'character budget of the block', positiveInt('--budget'))
      .option(
        '--project <dir>',
        'project whose conventions to include (default: git root of the current folder)',
      )
      .option('--all-projects', "include every project's conventions")
      .option('-q, --query <text>', 'only patterns relevant to this text'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  attune context --max 3\n  attune context --category preference --category error_resolution',
    )
    .action(
      action(async (options: ContextOptions) => {
        const env = openCliEnv(options);
        try {
          const select = {
            maxPatterns: options.max,
            ...(options.category
              ? { categories: options.category.map((c) => parseCategory(c)) }
              : {}),
            ...(options.budget === undefined ? {} : { maxChars: options.budget }),
            ...(options.allProjects ? {} : { project: options.project ?? env.project }),
            ...(options.query === undefined ? {} : { query: options.query }),
          };
          if (options.json) {
            const patterns = await env.storage.selectPatterns(env.userId, select);
            const context = await env.storage.formatPatternsForContext(env.userId, select);
            printJson({ context, patterns: patterns.map(patternToJson) });
          } else {
            const context = await env.storage.formatPatternsForContext(env.userId, select);
            if (context) printText(context);
          }
        } finally {
          await env.storage.close();
        }
        return 0;
      }),
    );
}
