/**
 * The `/evaluate` and `/patterns` slash commands: markdown files under `.claude/commands/`
 * that have Claude run the CLI.
 *
 * Claude Code substitutes `$ARGUMENTS` into the command text. The commands ask Claude to
 * run the CLI with the Bash tool (allowed by `allowed-tools`) rather than pre-running it
 * with `` !`...` ``, because Claude Code splices `$ARGUMENTS` into such lines unquoted,
 * so a query holding a quote would break the shell line.
 * @module
 */

/** The line that marks a command file as ours (and keeps transcript readers off it). */
export const COMMAND_MARKER =
  '<!-- attune-learning:injected slash command, written by `attune hooks install` -->';

/** True when a command file's text is one we wrote. */
export function isOurCommandFile(text: string): boolean {
  return text.includes(COMMAND_MARKER);
}

/** One command file: its name (`evaluate.md`) and its text. */
export interface SlashCommandFile {
  name: string;
  text: string;
}

/** The command files for CLI prefix `prefix` (e.g. `attune`). */
export function slashCommandFiles(prefix: string): SlashCommandFile[] {
  return [
    {
      name: 'evaluate.md',
      text: `---
description: Evaluate this session with attune-learning and store what it teaches
argument-hint: "[--dry-run] [--force]"
allowed-tools: Bash(${prefix} evaluate:*)
---
${COMMAND_MARKER}

Run this command with the Bash tool, in the project directory:

    ${prefix} evaluate <flags>

where <flags> are those of \`--dry-run\` and \`--force\` that appear in these arguments: "$ARGUMENTS" (ignore anything else in them). Without a file argument the command evaluates this project's latest Claude Code session, which is this one. \`--dry-run\` previews without storing; \`--force\` extracts even from a low-quality session.

Show the user the command's output as it is, then say in one sentence what quality the session got and how many patterns were stored (or would be, on a dry run). Change no files.
`,
    },
    {
      name: 'patterns.md',
      text: `---
description: Show, search, filter, add, edit or delete the patterns attune-learning has learned
argument-hint: "[search QUERY | category CATEGORY | add LESSON | edit PATTERN_ID CHANGE | delete PATTERN_ID]"
allowed-tools: Bash(${prefix} patterns:*)
---
${COMMAND_MARKER}

The arguments are: "$ARGUMENTS". Run the one matching command with the Bash tool, quoting each argument for the shell:

- no arguments: \`${prefix} patterns\` (summary of what was learned)
- \`search QUERY\`: \`${prefix} patterns search QUERY\` (patterns holding every word)
- \`category CATEGORY\`: \`${prefix} patterns category CATEGORY\` (error_resolution, user_correction, workaround, preference, project_specific, debugging_technique or code_pattern)
- \`add LESSON\`: a lesson the user states; write it as a trigger (when it applies, a short phrase) and a resolution (what to do, an instruction), pick its category (preference, user_correction or project_specific for a rule of this project), and run \`${prefix} patterns add --category CATEGORY --trigger TRIGGER RESOLUTION\`
- \`edit PATTERN_ID CHANGE\`: \`${prefix} patterns edit PATTERN_ID\` with \`--trigger TEXT\`, \`--resolution TEXT\`, \`--context TEXT\`, \`--tags a,b\` or \`--confidence N\` as the change asks (show the pattern first with \`${prefix} patterns show PATTERN_ID\` when the change is relative to its wording)
- \`delete PATTERN_ID\`: \`${prefix} patterns delete PATTERN_ID\`

If the arguments fit none of these forms, list the forms above instead of running anything. Show the user the command's output as it is. Change no files.
`,
    },
  ];
}
