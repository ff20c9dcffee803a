/**
 * `attune doctor`: checks the store for corrupt or unreadable data and says how to fix it.
 * @module
 */
import type { Command } from 'commander';
import { resolveStoreConfig } from '../../config/config.js';
import { AttuneError, ErrorCode } from '../../errors.js';
import { openStore } from '../../store/open-store.js';
import type { StoreProblem } from '../../store/pattern-store.js';
import { redactConnectionString } from '../../store/postgres-store.js';
import type { SqliteStore } from '../../store/sqlite-store.js';
import {
  action,
  addGlobalOptions,
  EXIT,
  type GlobalOptions,
  printJson,
  printText,
} from '../shared.js';

/** Registers `attune doctor`. */
export function registerDoctorCommand(program: Command): void {
  addGlobalOptions(
    program
      .command('doctor')
      .description('Check the store for corrupt or unreadable data; exit 1 when there is any'),
  )
    .option(
      '--rebuild-index',
      "rebuild the sqlite store's search index from its patterns first (what doctor suggests when the index is damaged)",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  attune doctor\n  attune doctor --store sqlite --json\n  attune doctor --store sqlite --rebuild-index',
    )
    .action(
      action(async (options: GlobalOptions & { rebuildIndex?: boolean }) => {
        const config = resolveStoreConfig({
          store: options.store,
          storageDir: options.storageDir,
          databaseUrl: options.databaseUrl,
        });
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
        if (options.json) {
          printJson({ store: config.kind, location, users, problems });
        } else if (problems.length === 0) {
          printText(`OK: ${config.kind} store at ${location}, ${users} users, no problems found.`);
        } else {
          printText(
            [
              `${problems.length} problem${problems.length === 1 ? '' : 's'} in the ${config.kind} store at ${location}:`,
              ...problems.map((p) => `  ✗ ${p.where}\n    ${p.problem}\n    fix: ${p.fix}`),
            ].join('\n'),
          );
        }
        return problems.length === 0 ? EXIT.OK : EXIT.ERROR;
      }),
    );
}
