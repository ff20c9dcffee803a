/**
 * `attune doctor`: checks the store for corrupt or unreadable data and says how to fix it.
 * @module
 */
import type { Command } from 'commander';
import {
  type AttuneConfig,
  loadConfig,
  resolveExtractor,
  resolveStoreConfig,
} from '../../config/config.js';
import { AttuneError, ErrorCode } from '../../errors.js';
import { extractWithModel } from '../../extract/model-extractor.js';
import type { Session } from '../../model/session.js';
import { openStore } from '../../store/open-store.js';
import type { StoreProblem } from '../../store/pattern-store.js';
import { redactConnectionString } from '../../store/postgres-store.js';
import type { SqliteStore } from '../../store/sqlite-store.js';
import {
  action,
  addExtractorOption,
  addGlobalOptions,
  EXIT,
  type GlobalOptions,
  printJson,
  printText,
} from '../shared.js';

/** Registers `attune doctor`. */
export function registerDoctorCommand(program: Command): void {
  addGlobalOptions(
    addExtractorOption(
      program
        .command('doctor')
        .description('Check the store for corrupt or unreadable data; exit 1 when there is any'),
    ),
  )
    .option(
      '--rebuild-index',
      "rebuild the sqlite store's search index from its patterns first (what doctor suggests when the index is damaged)",
    )
    .option(
      '--check-extractor',
      'also send the model extractor a short sample session and check its answer',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  attune doctor\n  attune doctor --store sqlite --json\n  attune doctor --store sqlite --rebuild-index\n  attune doctor --check-extractor --extractor "claude -p --output-format json --max-turns 1"',
    )
    .action(
      action(async (options: DoctorOptions) => {
        const fileConfig = loadConfig();
        const config = resolveStoreConfig(
          {
            store: options.store,
            storageDir: options.storageDir,
            databaseUrl: options.databaseUrl,
          },
          process.env,
          fileConfig,
        );
        const problems: StoreProblem[] = [];
        let location = redactConnectionString(config.databaseUrl ?? config.storageDir ?? '');
        let users = 0;
        try {
          const store = await openStore(config);
          location = store.location;
          try {
            if (options.rebuildIndex) {
              if (store.kind !== 'sqlite') {
                throw new AttuneError(
                  ErrorCode.INVALID_ARGUMENT,
                  `--rebuild-index applies to the sqlite store, not the ${config.kind} store`,
                );
              }
              await (store as SqliteStore).rebuildSearchIndex();
              if (!options.json) printText(`Rebuilt the search index of ${location}.`);
            }
            problems.push(...(await store.check()));
            users = (await store.listUsers()).length;
          } finally {
            await store.close();
          }
        } catch (error) {
          // A store that cannot even be opened is the first problem to report.
          if (!(error instanceof AttuneError)) throw error;
          problems.push({
            where: location,
            problem: error.message,
            fix: error.suggestion ?? 'See the message above.',
          });
        }
        const extractor = options.checkExtractor
          ? await checkExtractor(options, fileConfig)
          : undefined;
        if (extractor && !extractor.ok) {
          problems.push({
            where: `extractor ${JSON.stringify(extractor.command)}`,
            problem: extractor.detail,
            fix:
              extractor.command === 'rules'
                ? 'Set one with --extractor, ATTUNE_EXTRACTOR or "extractor" in the config file.'
                : 'Run the command by hand with a prompt on stdin; it must print {"lessons": [...]}.',
          });
        }
        if (options.json) {
          printJson({
            store: config.kind,
            location,
            users,
            problems,
            ...(extractor ? { extractor } : {}),
          });
        } else if (problems.length === 0) {
          printText(
            [
              `OK: ${config.kind} store at ${location}, ${users} users, no problems found.`,
              ...(extractor
                ? [`OK: extractor ${JSON.stringify(extractor.command)}: ${extractor.detail}`]
                : []),
            ].join('\n'),
          );
        } else {
          printText(
            [
              `${problems.length} problem${problems.length === 1 ? '' : 's'} found (${config.kind} store at ${location}, ${users} users):`,
              ...problems.map((p) => `  ✗ ${p.where}\n    ${p.problem}\n    fix: ${p.fix}`),
            ].join('\n'),
          );
        }
        return problems.length === 0 ? EXIT.OK : EXIT.ERROR;
      }),
    );
}

interface DoctorOptions extends GlobalOptions {
  rebuildIndex?: boolean;
  checkExtractor?: boolean;
  extractor?: string;
}

/** A session that teaches one clear lesson, for checking an extractor end to end. */
const SAMPLE: Session = {
  id: 'attune-doctor-sample',
  format: 'claude-code',
  skipped: 0,
  turns: [
    { index: 0, role: 'user', text: 'add a unit test for slugify in src/text.ts', toolCalls: [] },
    {
      index: 1,
      role: 'assistant',
      text: 'Adding src/text.test.ts with jest.',
      toolCalls: [{ name: 'Bash', input: 'npx jest src/text.test.ts', isError: false }],
    },
    {
      index: 2,
      role: 'user',
      text: 'no, we use vitest in this repo, never jest. run it with pnpm test',
      toolCalls: [],
    },
    {
      index: 3,
      role: 'assistant',
      text: 'Switched the test to vitest; pnpm test passes.',
      toolCalls: [
        { name: 'Bash', input: 'pnpm test', output: 'Tests  1 passed (1)', isError: false },
      ],
    },
    { index: 4, role: 'user', text: 'great, thanks', toolCalls: [] },
  ],
};

/** Sends the sample session to the extractor and describes what came back. */
async function checkExtractor(
  options: DoctorOptions,
  config: AttuneConfig,
): Promise<{ command: string; ok: boolean; seconds?: number; lessons?: number; detail: string }> {
  const extractor = resolveExtractor(options.extractor, process.env, config);
  if (!extractor) {
    return {
      command: 'rules',
      ok: false,
      detail: 'no model extractor is configured: the built-in rules extract',
    };
  }
  const started = Date.now();
  try {
    // One answer shows whether the command works; the samples would only take longer.
    const { patterns, reviewError } = await extractWithModel(SAMPLE, { ...extractor, samples: 1 });
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    const first = patterns[0];
    if (reviewError !== undefined) {
      return {
        command: extractor.command,
        ok: false,
        seconds,
        detail: `the first answer came back, but the review call (ATTUNE_EXTRACTOR_REVIEW=${extractor.review}) failed: ${reviewError}`,
      };
    }
    const reviewed = extractor.review === 'off' ? '' : ` (reviewed: ${extractor.review})`;
    return {
      command: extractor.command,
      ok: first !== undefined,
      seconds,
      lessons: patterns.length,
      detail: first
        ? `answered in ${seconds} s${reviewed} with ${patterns.length} lesson${patterns.length === 1 ? '' : 's'}, e.g. "${first.resolution}"`
        : `answered in ${seconds} s but found no lesson in a sample session that teaches one (use vitest, not jest)`,
    };
  } catch (error) {
    return {
      command: extractor.command,
      ok: false,
      detail: error instanceof Error ? error.message : String(error),
    };
  }
}
