/**
 * `attune patterns [search Q | category C | show ID | delete ID]`.
 * @module
 */
import type { Command } from 'commander';
import { renderPattern, renderPatternList, renderSummary } from '../../commands/render.js';
import { AttuneError, ErrorCode } from '../../errors.js';
import { parseCategory } from '../../model/category.js';
import { patternToJson } from '../../model/pattern.js';
import {
  action,
  addGlobalOptions,
  type GlobalOptions,
  openCliEnv,
  printJson,
  printText,
} from '../shared.js';

/** Registers `attune patterns` and its subcommands. */
export function registerPatternsCommand(program: Command): void {
  const patterns = addGlobalOptions(
    program
      .command('patterns')
      .description('Show, search and delete learned patterns (summary without a subcommand)'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  attune patterns\n  attune patterns search async\n  attune patterns category preference --json\n  attune patterns delete 3f2a9c01b7de',
    )
    .action(
      action(async (options: GlobalOptions) => {
        const env = openCliEnv(options);
        try {
          const summary = await env.storage.getSummary(env.userId);
          options.json ? printJson(summary) : printText(renderSummary(summary));
        } finally {
          await env.storage.close();
        }
        return 0;
      }),
    );

  addGlobalOptions(
    patterns
      .command('search')
      .argument('<query...>', 'words that must all appear')
      .description('Search patterns (case-insensitive)'),
  )
    .addHelpText('after', '\nExample:\n  attune patterns search vitest jest')
    .action(
      action(async (words: string[], options: GlobalOptions) => {
        const query = words.join(' ');
        return withEnv(options, async (env) => {
          const found = await env.storage.searchPatterns(env.userId, query);
          options.json
            ? printJson(found.map(patternToJson))
            : printText(renderPatternList(found, `No pattern matches "${query}".`));
          return 0;
        });
      }),
    );

  addGlobalOptions(
    patterns
      .command('category')
      .argument('<category>', 'e.g. preference, error_resolution')
      .description('List the patterns of one category'),
  )
    .addHelpText('after', '\nExample:\n  attune patterns category preference')
    .action(
      action(async (category: string, options: GlobalOptions) => {
        const c = parseCategory(category);
        return withEnv(options, async (env) => {
          const found = await env.storage.getPatternsByCategory(env.userId, c);
          options.json
            ? printJson(found.map(patternToJson))
            : printText(renderPatternList(found, `No ${c} patterns.`));
          return 0;
        });
      }),
    );

  addGlobalOptions(
    patterns
      .command('show')
      .argument('<id>', 'pattern id')
      .description('Show every field of one pattern'),
  )
    .addHelpText('after', '\nExample:\n  attune patterns show 3f2a9c01b7de')
    .action(
      action(async (id: string, options: GlobalOptions) =>
        withEnv(options, async (env) => {
          const p = await env.storage.getPattern(env.userId, id);
          if (!p) throw notFound(id);
          options.json ? printJson(patternToJson(p)) : printText(renderPattern(p));
          return 0;
        }),
      ),
    );

  addGlobalOptions(
    patterns.command('delete').argument('<id>', 'pattern id').description('Delete one pattern'),
  )
    .addHelpText('after', '\nExample:\n  attune patterns delete 3f2a9c01b7de')
    .action(
      action(async (id: string, options: GlobalOptions) =>
        withEnv(options, async (env) => {
          if (!(await env.storage.deletePattern(env.userId, id))) throw notFound(id);
          options.json ? printJson({ deleted: id }) : printText(`Deleted pattern ${id}.`);
          return 0;
        }),
      ),
    );
}

async function withEnv(
  options: GlobalOptions,
  fn: (env: ReturnType<typeof openCliEnv>) => Promise<number>,
): Promise<number> {
  const env = openCliEnv(options);
  try {
    return await fn(env);
  } finally {
    await env.storage.close();
  }
}

function notFound(id: string): AttuneError {
  return new AttuneError(ErrorCode.NOT_FOUND, `no pattern with id ${JSON.stringify(id)}`, {
    suggestion: "List ids with 'attune patterns search <word>'.",
  });
}
