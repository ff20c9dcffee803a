/**
 * `attune hooks install|uninstall|status [--scope project|local|user]`: wire attune into
 * Claude Code (hooks in settings.json, `/evaluate` and `/patterns` command files).
 * @module
 */
import type { Command } from 'commander';
import type {
  InstallOptions,
  InstallResult,
  InstallScope,
} from '../../hooks/claude-code/install.js';
import { action, printJson, printText } from '../shared.js';

interface HooksOptions {
  scope?: string;
  command?: string;
  slashCommands?: boolean;
  force?: boolean;
  json?: boolean;
  debug?: boolean;
}

function installOptions(options: HooksOptions): InstallOptions {
  const out: InstallOptions = { scope: (options.scope ?? 'project') as InstallScope };
  if (options.command !== undefined) out.command = options.command;
  if (options.slashCommands === false) out.slashCommands = false;
  if (options.force) out.force = true;
  return out;
}

function common(command: Command): Command {
  return command
    .option(
      '-s, --scope <scope>',
      'project (.claude/settings.json), local (.claude/settings.local.json) or user (~/.claude/settings.json)',
      'project',
    )
    .option('--json', 'print JSON instead of text')
    .option('--debug', 'print stack traces on errors');
}

function render(verb: 'installed' | 'removed', result: InstallResult): string {
  const lines: string[] = [];
  if (result.settingsChanged)
    lines.push(`${verb} hooks ${result.events.join(', ')} in ${result.settingsPath}`);
  else
    lines.push(
      `${result.settingsPath}: ${verb === 'installed' ? 'hooks already installed' : 'no attune hooks found'}`,
    );
  for (const f of result.commandFiles) lines.push(`${verb} ${f}`);
  for (const s of result.skipped) lines.push(`skipped ${s.path}: ${s.reason}`);
  if (verb === 'installed' && result.command)
    lines.push(`hooks run: ${result.command} hook <event>`);
  return lines.join('\n');
}

/** Registers `attune hooks` with `install`, `uninstall` and `status`. */
export function registerHooksCommand(program: Command): void {
  const hooks = program
    .command('hooks')
    .description(
      'Install or remove the Claude Code hooks and the /evaluate and /patterns commands',
    );
  common(
    hooks
      .command('install')
      .description(
        'Add the hooks (SessionStart, UserPromptSubmit, PreCompact, SessionEnd) and slash commands',
      )
      .option(
        '--command <prefix>',
        'how hooks call attune (default: attune if on PATH, else node + script path)',
      )
      .option('--no-slash-commands', 'do not write /evaluate and /patterns')
      .option('--force', 'overwrite /evaluate or /patterns command files not written by attune')
      .addHelpText(
        'after',
        '\nExamples:\n  attune hooks install                 # this project: .claude/settings.json\n  attune hooks install --scope user    # every project: ~/.claude/settings.json',
      ),
  ).action(
    action(async (options: HooksOptions) => {
      const { installHooks } = await import('../../hooks/claude-code/install.js');
      const result = await installHooks(installOptions(options));
      if (options.json) printJson(result);
      else printText(render('installed', result));
      return 0;
    }),
  );
  common(
    hooks
      .command('uninstall')
      .description('Remove exactly the hooks and command files that install added')
      .option('--no-slash-commands', 'leave /evaluate and /patterns in place')
      .addHelpText('after', '\nExample:\n  attune hooks uninstall --scope user'),
  ).action(
    action(async (options: HooksOptions) => {
      const { uninstallHooks } = await import('../../hooks/claude-code/install.js');
      const result = await uninstallHooks(installOptions(options));
      if (options.json) printJson(result);
      else printText(render('removed', result));
      return 0;
    }),
  );
  common(
    hooks
      .command('status')
      .description('Show which attune hooks and command files are installed')
      .addHelpText('after', '\nExample:\n  attune hooks status --scope user --json'),
  ).action(
    action(async (options: HooksOptions) => {
      const { hooksStatus } = await import('../../hooks/claude-code/install.js');
      const status = await hooksStatus(installOptions(options));
      if (options.json) printJson(status);
      else {
        const lines = [`${status.settingsPath}:`];
        if (status.hooks.length === 0) lines.push('  no attune hooks');
        for (const h of status.hooks) lines.push(`  ${h.event}: ${h.command}`);
        for (const f of status.commandFiles) lines.push(`  command file ${f}`);
        printText(lines.join('\n'));
      }
      return 0;
    }),
  );
}
