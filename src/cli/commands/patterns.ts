/**
 * `attune patterns [search Q | category C | show ID | add TEXT | edit ID | delete ID |
 * export | import FILE]`.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { renderPattern, renderPatternList, renderSummary } from '../../commands/render.js';
import { findProjectRoot } from '../../config/config.js';
import { AttuneError, ErrorCode } from '../../errors.js';
import { type PatternEdit, redactionNote, rememberLesson } from '../../learn/remember.js';
import { exportPatterns, parsePatternsFile } from '../../learn/transfer.js';
import { PatternCategory, parseCategory } from '../../model/category.js';
import { checkConfidence, patternToJson } from '../../model/pattern.js';
import {
  action,
  addGlobalOptions,
  type GlobalOptions,
  openCliEnv,
  printJson,
  printText,
  readStdin,
  repeatable,
} from '../shared.js';

/** Registers `attune patterns` and its subcommands. */
export function registerPatternsCommand(program: Command): void {
  const patterns = addGlobalOptions(
    program
      .command('patterns')
      .description(
        'Show, search, add, edit and delete learned patterns (summary without a subcommand)',
      ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  attune patterns\n  attune patterns search async\n  attune patterns category preference --json\n  attune patterns add --trigger "Installing dependencies" "Use pnpm, never npm."\n  attune patterns edit 3f2a9c01b7de --resolution "Use pnpm 9, never npm."\n  attune patterns delete 3f2a9c01b7de\n  attune patterns export > lessons.json\n  attune patterns import lessons.json',
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
    patterns
      .command('add')
      .argument('<resolution...>', 'what to do, as an instruction the assistant can follow')
      .description('Store a lesson you state yourself (secrets are redacted)')
      .requiredOption('--trigger <when>', 'when it applies, e.g. "Installing dependencies"')
      .option(
        '--category <category>',
        'preference, user_correction, project_specific, error_resolution, workaround, ...',
        'preference',
      )
      .option('--context <why>', 'why, or where it comes from')
      .option('--tag <tag>', 'a keyword to find it by (repeatable)', repeatable, [])
      .option(
        '--project <dir>',
        'the project of a project_specific lesson (default: the git root of the current folder)',
      ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  attune patterns add --trigger "Installing dependencies" "Use pnpm, never npm."\n  attune patterns add --category project_specific --trigger "Running the tests" --tag vitest "Run pnpm test -- --run; the watcher never exits in CI."',
    )
    .action(
      action(async (words: string[], options: AddOptions) =>
        withEnv(options, async (env) => {
          const { id, stored, pattern, redacted } = await rememberLesson(env.storage, env.userId, {
            category: usage(() => parseCategory(options.category)),
            trigger: options.trigger,
            resolution: words.join(' '),
            context: options.context,
            tags: options.tag,
            project: options.project === undefined ? env.project : resolve(options.project),
            source: 'cli',
          });
          if (options.json) {
            printJson({ id, stored, redacted, pattern: patternToJson(pattern) });
            return 0;
          }
          const lines = [
            stored === 'created'
              ? `Stored pattern ${id}.`
              : stored === 'reinforced'
                ? `Reinforced pattern ${id}, which says the same.`
                : `Pattern ${id} already holds this lesson; nothing changed.`,
            renderPattern(pattern),
            ...redactionNote(redacted),
          ];
          printText(lines.join('\n'));
          return 0;
        }),
      ),
    );

  addGlobalOptions(
    patterns
      .command('edit')
      .argument('<id>', 'pattern id')
      .description("Change a pattern's wording, tags or confidence (it keeps its id and history)")
      .option('--trigger <when>', 'new trigger')
      .option('--resolution <what>', 'new resolution')
      .option('--context <why>', 'new context')
      .option('--tags <list>', 'new tags, comma-separated (empty for none)')
      .option('--confidence <n>', 'new confidence, 0 to 1'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  attune patterns edit 3f2a9c01b7de --resolution "Use pnpm 9, never npm or yarn."\n  attune patterns edit 3f2a9c01b7de --confidence 0.95 --tags pnpm,install',
    )
    .action(
      action(async (id: string, options: EditOptions) => {
        const edit = editOf(options);
        return withEnv(options, async (env) => {
          const done = await env.storage.updatePattern(env.userId, id, edit);
          if (!done) throw notFound(id);
          if (options.json) {
            printJson({ pattern: patternToJson(done.pattern), redacted: done.redacted });
            return 0;
          }
          printText(
            [
              `Updated pattern ${id}.`,
              renderPattern(done.pattern),
              ...redactionNote(done.redacted),
            ].join('\n'),
          );
          return 0;
        });
      }),
    );

  addGlobalOptions(
    patterns
      .command('export')
      .description('Print the patterns as one JSON file, to import elsewhere')
      .option('--category <category>', 'only this category (repeatable)', repeatable, [])
      .option(
        '--project <dir>',
        "only this project's conventions (git root of DIR) and the patterns of no project",
      ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  attune patterns export > lessons.json\n  attune patterns export --category project_specific --project . > conventions.json',
    )
    .action(
      action(async (options: ExportOptions) =>
        withEnv(options, async (env) => {
          const categories = options.category.map((c) => usage(() => parseCategory(c)));
          const found = await env.storage.getAllPatterns(env.userId, {
            ...(categories.length > 0 ? { categories } : {}),
            ...(options.project === undefined
              ? {}
              : { project: findProjectRoot(resolve(options.project)) }),
          });
          printJson(exportPatterns(env.userId, found));
          return 0;
        }),
      ),
    );

  addGlobalOptions(
    patterns
      .command('import')
      .argument('<file>', "a file written by 'attune patterns export' (or - for stdin)")
      .description(
        'Store the patterns of an export file; a lesson already stored is reinforced, not copied',
      )
      .option(
        '--project <dir>',
        'make the imported project conventions belong to this project (git root of DIR)',
      )
      .option('--dry-run', 'check the file and say what would be stored, storing nothing'),
  )
    .addHelpText(
      'after',
      "\nExamples:\n  attune patterns import lessons.json\n  attune patterns import conventions.json --project .   # a colleague's conventions, for this checkout",
    )
    .action(
      action(async (file: string, options: ImportOptions) => {
        const text = file === '-' ? await readStdin() : await readImportFile(file);
        const parsed = parsePatternsFile(text, file === '-' ? 'stdin' : file);
        const project =
          options.project === undefined ? undefined : findProjectRoot(resolve(options.project));
        const patterns = parsed.patterns.map((p) =>
          project !== undefined && p.category === PatternCategory.PROJECT_SPECIFIC
            ? { ...p, metadata: { ...p.metadata, project } }
            : p,
        );
        return withEnv(options, async (env) => {
          const result = options.dryRun
            ? { created: [], reinforced: [], unchanged: [], evicted: [] }
            : await env.storage.learnPatterns(env.userId, patterns);
          const summary = {
            file,
            patterns: patterns.length,
            created: result.created,
            reinforced: result.reinforced,
            unchanged: result.unchanged,
            evicted: result.evicted,
            redacted: parsed.redacted,
            dry_run: options.dryRun === true,
          };
          if (options.json) {
            printJson(summary);
            return 0;
          }
          const lines = options.dryRun
            ? [`${patterns.length} patterns in ${file} are well formed (dry run, nothing stored).`]
            : [
                `Imported ${patterns.length} patterns from ${file}: ${result.created.length} new, ${result.reinforced.length} reinforced (already stored), ${result.unchanged.length} unchanged (already stored with the same sightings).`,
              ];
          if (result.evicted.length > 0) {
            lines.push(
              `${result.evicted.length} patterns of lowest confidence were evicted to stay within the per-user limit.`,
            );
          }
          lines.push(...redactionNote(parsed.redacted));
          printText(lines.join('\n'));
          return 0;
        });
      }),
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

interface AddOptions extends GlobalOptions {
  trigger: string;
  category: string;
  context?: string;
  tag: string[];
  project?: string;
}

interface ExportOptions extends GlobalOptions {
  category: string[];
  project?: string;
}

interface ImportOptions extends GlobalOptions {
  project?: string;
  dryRun?: boolean;
}

/** The text of a file to import, or a clear error saying why it cannot be read. */
async function readImportFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AttuneError(
      code === 'ENOENT' ? ErrorCode.NOT_FOUND : ErrorCode.IO,
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
}

interface EditOptions extends GlobalOptions {
  trigger?: string;
  resolution?: string;
  context?: string;
  tags?: string;
  confidence?: string;
}

/** The changes an `edit` asks for; a usage error when it asks for none or one is malformed. */
function editOf(options: EditOptions): PatternEdit {
  const edit: PatternEdit = {};
  if (options.trigger !== undefined) edit.trigger = options.trigger;
  if (options.resolution !== undefined) edit.resolution = options.resolution;
  if (options.context !== undefined) edit.context = options.context;
  if (options.tags !== undefined) {
    edit.tags = options.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
  }
  if (options.confidence !== undefined) {
    const raw = options.confidence;
    edit.confidence = usage(() => checkConfidence(raw.trim() === '' ? Number.NaN : Number(raw)));
  }
  if (Object.keys(edit).length === 0) {
    throw new AttuneError(ErrorCode.USAGE, 'nothing to change', {
      suggestion: 'Give at least one of --trigger, --resolution, --context, --tags, --confidence.',
    });
  }
  return edit;
}

/** Runs a check of an option's value, turning its INVALID_ARGUMENT into a usage error. */
function usage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof AttuneError && error.code === ErrorCode.INVALID_ARGUMENT) {
      throw new AttuneError(
        ErrorCode.USAGE,
        error.message,
        error.suggestion ? { suggestion: error.suggestion } : {},
      );
    }
    throw error;
  }
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
