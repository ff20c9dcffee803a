/**
 * The commander program: one command per file under `commands/`.
 * @module
 */
import { Command } from 'commander';
import { registerConfigCommand } from './commands/config.js';
import { registerContextCommand } from './commands/context.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerEvaluateCommand } from './commands/evaluate.js';
import { registerHookCommand } from './commands/hook.js';
import { registerHooksCommand } from './commands/hooks.js';
import { registerLearnCommand } from './commands/learn.js';
import { registerMcpCommand } from './commands/mcp.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerPatternsCommand } from './commands/patterns.js';
import { registerRulesCommand } from './commands/rules.js';
import { registerSkillsCommand } from './commands/skills.js';

/** The version printed by `attune --version`. */
export const VERSION = '0.1.0';

/** Builds the `attune` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('attune')
    .description('Learn from AI assistant sessions: evaluate, extract, store and inject patterns.')
    .version(VERSION)
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      outputError: (text, write) => write(`attune: ${text.replace(/^error: /, '')}`),
    });
  registerEvaluateCommand(program);
  registerLearnCommand(program);
  registerPatternsCommand(program);
  registerContextCommand(program);
  registerHooksCommand(program);
  registerHookCommand(program);
  registerSkillsCommand(program);
  registerRulesCommand(program);
  registerMcpCommand(program);
  registerMigrateCommand(program);
  registerDoctorCommand(program);
  registerConfigCommand(program);
  for (const sub of program.commands) sub.exitOverride();
  return program;
}
