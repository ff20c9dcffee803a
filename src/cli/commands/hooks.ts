/**
 * `attune hooks install|uninstall|status [--scope project|local|user]`: wire attune into
 * Claude Code (hooks in settings.json, `/evaluate` and `/patterns` command files).
 * @module
 */
import type { Command } from 'commander';
import { configPath, resolveExtractor } from '../../config/config.js';
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

/**
 * The extractor the learning hooks will use: its command, or null for the built-in rules; with
 * `problem` when the configuration is broken (the hooks would fail to learn).
 */
function hooksExtractor(): { command: string | null; line: string; problem?: string } {
  let command: string | null;
  try {
    command = resolveExtractor(undefined)?.command ?? null;
  } catch (error) {
    // The hooks are installed; say what will stop them learning rather than fail.
    const message = error instanceof Error ? error.message : String(error);
    return {
      command: null,
      line: `! the hooks cannot learn until this is fixed: ${message}`,
      problem: message,
    };
  }
  if (command !== null) return { command, line: `lessons are written by: ${command}` };
  return {
    command,
    line: [
      'lessons are written by the built-in rules. To have a model write them (it finds more',
      'than twice as many of the lessons in real sessions):',
      '  attune config set extractor "claude -p --output-format json --max-turns 1"',
      `  (or "extractor" in ${configPath()}), then check it: attune doctor --check-extractor`,
    ].join('\n'),
  };
}

function extractorJson(extractor: ReturnType<typeof hooksExtractor>) {
  return {
    extractor: extractor.command,
    ...(extractor.problem === undefined ? {} : { extractorProblem: extractor.problem }),
  };
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
      const extractor = hooksExtractor();
      if (options.json) printJson({ ...result, ...extractorJson(extractor) });
      else printText(`${render('installed', result)}\n${extractor.line}`);
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
      const extractor = hooksExtractor();
      if (options.json) printJson({ ...status, ...extractorJson(extractor) });
      else {
        const lines = [`${status.settingsPath}:`];
        if (status.hooks.length === 0) lines.push('  no attune hooks');
        for (const h of status.hooks) lines.push(`  ${h.event}: ${h.command}`);
        for (const f of status.commandFiles) lines.push(`  command file ${f}`);
        lines.push(extractor.line);
        printText(lines.join('\n'));
      }
      return 0;
    }),
  );
}
