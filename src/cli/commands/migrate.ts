/**
 * `attune migrate`: copies every user's patterns and skills from one store to another.
 * @module
 */
import type { Command } from 'commander';
import { parseStoreKind, resolveStoreConfig } from '../../config/config.js';
import { AttuneError, ErrorCode } from '../../errors.js';
import { migrateStore } from '../../store/migrate.js';
import { openStore, type StoreConfig } from '../../store/open-store.js';
import type { StoreKind } from '../../store/pattern-store.js';
import { action, printJson, printText } from '../shared.js';

interface MigrateOptions {
  from: string;
  to: string;
  fromUrl?: string;
  toUrl?: string;
  storageDir?: string;
  fromDir?: string;
  toDir?: string;
  user?: string[];
  json?: boolean;
  debug?: boolean;
}

function side(
  kind: StoreKind,
  url: string | undefined,
  dir: string | undefined,
  name: 'from' | 'to',
): StoreConfig {
  if (kind === 'postgres' && url === undefined) {
    throw new AttuneError(ErrorCode.USAGE, `--${name} postgres needs --${name}-url`, {
      suggestion: `Pass --${name}-url postgres://user:password@host:5432/database.`,
    });
  }
  // The storage dir falls back like every other command: flag, ATTUNE_STORAGE_DIR, config.
  const { storageDir } = resolveStoreConfig({ store: 'file', ...(dir ? { storageDir: dir } : {}) });
  return {
    kind,
    ...(storageDir === undefined ? {} : { storageDir }),
    ...(url === undefined ? {} : { databaseUrl: url }),
  };
}

/** Registers `attune migrate`. */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Copy every pattern and skill from one store to another (the source is only read)')
    .requiredOption('--from <kind>', 'source store: file, sqlite or postgres')
    .requiredOption('--to <kind>', 'target store: file, sqlite or postgres')
    .option('--from-url <url>', 'source sqlite file or postgres:// connection string')
    .option('--to-url <url>', 'target sqlite file or postgres:// connection string')
    .option('--storage-dir <dir>', 'file store root (and home of attune.db) for both sides')
    .option('--from-dir <dir>', 'file store root of the source (overrides --storage-dir)')
    .option('--to-dir <dir>', 'file store root of the target (overrides --storage-dir)')
    .option('-u, --user <id...>', 'copy only these users')
    .option('--json', 'print JSON instead of text')
    .option('--debug', 'print stack traces on errors')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  attune migrate --from file --to sqlite\n' +
        '  attune migrate --from sqlite --to postgres --to-url postgres://me@db/attune\n' +
        '  attune migrate --from postgres --from-url $DATABASE_URL --to file --to-dir ./backup',
    )
    .action(
      action(async (options: MigrateOptions) => {
        const fromKind = parseStoreKind(options.from, '--from');
        const toKind = parseStoreKind(options.to, '--to');
        const fromConfig = side(
          fromKind,
          options.fromUrl,
          options.fromDir ?? options.storageDir,
          'from',
        );
        const toConfig = side(toKind, options.toUrl, options.toDir ?? options.storageDir, 'to');
        const from = await openStore(fromConfig);
        try {
          const to = await openStore(toConfig);
          try {
            if (from.kind === to.kind && from.location === to.location) {
              throw new AttuneError(
                ErrorCode.USAGE,
                `--from and --to are the same store (${from.location})`,
                {
                  suggestion:
                    'Point one side elsewhere with --from-url/--to-url or --from-dir/--to-dir.',
                },
              );
            }
            const result = await migrateStore(from, to, {
              ...(options.user ? { users: options.user } : {}),
              onUser: (p) => {
                if (!options.json) {
                  printText(`  ${p.userId}: ${p.patterns} patterns, ${p.skills} skills`);
                }
              },
            });
            if (options.json) {
              printJson({ from: from.location, to: to.location, ...result });
            } else {
              printText(
                `Copied ${result.patterns} patterns and ${result.skills} skills of ${result.users} users ` +
                  `from ${from.kind} (${from.location}) to ${to.kind} (${to.location}).`,
              );
            }
          } finally {
            await to.close();
          }
        } finally {
          await from.close();
        }
        return 0;
      }),
    );
}
