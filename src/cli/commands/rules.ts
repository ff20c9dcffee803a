/**
 * `attune rules`: write learned patterns into AGENTS.md, CLAUDE.md, Cursor rules or Aider's
 * CONVENTIONS.md, for assistants without session hooks.
 * @module
 */
import type { Command } from 'commander';
import { parseRulesTarget, rulesPath, writeRulesFile } from '../../deliver/rules-file.js';
import {
  action,
  addGlobalOptions,
  type GlobalOptions,
  openCliEnv,
  positiveInt,
  printJson,
  printText,
} from '../shared.js';

interface RulesOptions extends GlobalOptions {
  target: string;
  path?: string;
  max: number;
  remove?: boolean;
}

/** Registers `attune rules`. */
export function registerRulesCommand(program: Command): void {
  addGlobalOptions(
    program
      .command('rules')
      .description(
        "Write the best learned patterns into an assistant's rules file (idempotent, between markers)",
      )
      .option('-t, --target <target>', 'agents-md, claude-md, cursor or aider', 'agents-md')
      .option('--path <file>', 'file to write (default: the target file in the project root)')
      .option('-n, --max <n>', 'at most this many patterns', positiveInt('--max'), 10)
      .option('--remove', 'remove the learned block instead'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  attune rules --target cursor\n  attune rules --target agents-md --max 5\n  attune rules --target claude-md --remove',
    )
    .action(
      action(async (options: RulesOptions) => {
        const target = parseRulesTarget(options.target);
        const env = openCliEnv(options);
        try {
          const block = options.remove
            ? ''
            : await env.storage.formatPatternsForContext(env.userId, {
                maxPatterns: options.max,
                project: env.project,
              });
          const path = options.path ?? rulesPath(target, env.project);
          const result = await writeRulesFile(target, path, block);
          if (options.json)
            printJson({ ...result, patterns: block ? (block.match(/\*\*\[/g) ?? []).length : 0 });
          else printText(result.changed ? `Wrote ${path}.` : `${path} is already up to date.`);
        } finally {
          await env.storage.close();
        }
        return 0;
      }),
    );
}
