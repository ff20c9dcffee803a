/**
 * `attune config [show] | set KEY VALUE | unset KEY | path`: every setting in effect and where
 * it comes from, and edits to the config file.
 * @module
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import {
  type AttuneConfig,
  type ConfigFlags,
  configPath,
  type ExtractorConfig,
  parseConfig,
  readConfigObject,
  resolveExtractor,
  resolveStoreConfig,
  resolveUserId,
} from '../../config/config.js';
import { CONFIG_KEYS, type ConfigKey, setConfigValue } from '../../config/config-file.js';
import { DEFAULT_MAX_PATTERNS_PER_USER } from '../../storage/learned-skills-storage.js';
import { redactConnectionString } from '../../store/postgres-store.js';
import { action, addGlobalOptions, type GlobalOptions, printJson, printText } from '../shared.js';

/** One setting as in effect: its value and where it came from. */
interface Setting {
  key: ConfigKey;
  value: string | number | null;
  source: string;
}

/** The flags of the global options that name a setting. */
const FLAGS: Partial<Record<ConfigKey, { flag: string; option: keyof GlobalOptions }>> = {
  user: { flag: '--user', option: 'user' },
  store: { flag: '--store', option: 'store' },
  storageDir: { flag: '--storage-dir', option: 'storageDir' },
  databaseUrl: { flag: '--database-url', option: 'databaseUrl' },
};

/** The defaults that live with the code that uses them (loaded only by `config show`). */
async function defaults() {
  const [{ DEFAULT_DIGEST_CHARS }, { CONTEXT_DEFAULTS }, { DEFAULT_MIN_QUALITY }] =
    await Promise.all([
      import('../../extract/model-extractor.js'),
      import('../../hooks/claude-code/inject.js'),
      import('../../learn/learn.js'),
    ]);
  return {
    digestChars: DEFAULT_DIGEST_CHARS,
    contextBudget: CONTEXT_DEFAULTS.sessionBudget,
    contextMaxPatterns: CONTEXT_DEFAULTS.sessionMaxPatterns,
    minQuality: DEFAULT_MIN_QUALITY,
  };
}

/** Every setting: from a flag, the environment, the config file, or the default. */
function settings(
  options: GlobalOptions,
  raw: Record<string, unknown>,
  fallback: Awaited<ReturnType<typeof defaults>>,
): Setting[] {
  const env = process.env;
  const path = configPath(env);
  const file: AttuneConfig = parseConfig(raw, path);
  const flags: ConfigFlags = {
    user: options.user,
    store: options.store,
    storageDir: options.storageDir,
    databaseUrl: options.databaseUrl,
  };
  const store = resolveStoreConfig(flags, env, file);
  const extractor = resolveExtractor(undefined, env, file);
  // The extractor's other settings resolve the same whether a command is set or not.
  const tuning = resolveExtractor('-', env, file) as ExtractorConfig;
  const value: Record<ConfigKey, string | number | null> = {
    user: resolveUserId(flags, env, file),
    store: store.kind ?? 'file',
    storageDir: store.storageDir ?? null,
    databaseUrl: store.databaseUrl === undefined ? null : redactConnectionString(store.databaseUrl),
    maxPatternsPerUser: file.maxPatternsPerUser ?? DEFAULT_MAX_PATTERNS_PER_USER,
    minQuality: file.minQuality ?? fallback.minQuality,
    contextBudget: file.contextBudget ?? fallback.contextBudget,
    contextMaxPatterns: file.contextMaxPatterns ?? fallback.contextMaxPatterns,
    extractor: extractor?.command ?? 'rules',
    extractorTimeoutSeconds: tuning.timeoutMs / 1000,
    extractorMaxChars: tuning.maxDigestChars ?? fallback.digestChars,
    extractorReview: tuning.review,
    extractorSamples: tuning.samples,
  };
  return (Object.keys(CONFIG_KEYS) as ConfigKey[]).map((key) => {
    const flag = FLAGS[key];
    const variable = CONFIG_KEYS[key].env;
    const source =
      flag && options[flag.option] !== undefined
        ? flag.flag
        : variable && env[variable]
          ? variable
          : Object.hasOwn(raw, key)
            ? 'config file'
            : 'default';
    return { key, value: value[key], source };
  });
}

function render(path: string, exists: boolean, rows: readonly Setting[]): string {
  const width = Math.max(...rows.map((r) => r.key.length));
  const lines = [`config file: ${path}${exists ? '' : ' (none yet)'}`, ''];
  for (const r of rows) {
    lines.push(`${r.key.padEnd(width)}  ${r.value ?? '-'}  (${r.source})`);
  }
  lines.push(
    '',
    'Change one with: attune config set KEY VALUE (unset KEY to go back to the default)',
  );
  return lines.join('\n');
}

function describeValue(value: unknown): string {
  return value === undefined ? '(not set)' : JSON.stringify(value);
}

/** Registers `attune config`. */
export function registerConfigCommand(program: Command): void {
  const config = addGlobalOptions(
    program
      .command('config')
      .description('Show every setting in effect and where it comes from; set or unset one'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  attune config\n  attune config set extractor "claude -p --output-format json --max-turns 1"\n  attune config set minQuality GOOD\n  attune config unset extractor',
    )
    .action(action(show));
  addGlobalOptions(
    config
      .command('show')
      .description('Show every setting in effect and where it comes from (the default)'),
  )
    .addHelpText('after', '\nExample:\n  attune config show --json')
    .action(action(show));
  config
    .command('set')
    .argument('<key>', `one of: ${Object.keys(CONFIG_KEYS).join(', ')}`)
    .argument('<value>', 'the value (a number for the numeric keys)')
    .description('Set one key in the config file (checked before anything is written)')
    .option('--json', 'print JSON instead of text')
    .option('--debug', 'print stack traces on errors')
    .addHelpText(
      'after',
      '\nExamples:\n  attune config set extractor "claude -p --output-format json --max-turns 1"\n  attune config set contextBudget 3000',
    )
    .action(
      action(async (key: string, value: string, options: GlobalOptions) => {
        const change = await setConfigValue(key, value);
        if (options.json) printJson(change);
        else
          printText(
            `${change.path}: ${change.key} = ${describeValue(change.after)} (was ${describeValue(change.before)})`,
          );
        return 0;
      }),
    );
  config
    .command('unset')
    .argument('<key>', 'the key to remove from the config file')
    .description('Remove one key from the config file (its default applies again)')
    .option('--json', 'print JSON instead of text')
    .option('--debug', 'print stack traces on errors')
    .addHelpText('after', '\nExample:\n  attune config unset extractor')
    .action(
      action(async (key: string, options: GlobalOptions) => {
        const change = await setConfigValue(key, undefined);
        if (options.json) printJson(change);
        else
          printText(`${change.path}: ${change.key} removed (was ${describeValue(change.before)})`);
        return 0;
      }),
    );
  config
    .command('path')
    .description('Print the config file path ($ATTUNE_CONFIG, else $ATTUNE_HOME/config.json)')
    .option('--json', 'print JSON instead of text')
    .option('--debug', 'print stack traces on errors')
    .addHelpText('after', '\nExample:\n  attune config path')
    .action(
      action(async (options: GlobalOptions) => {
        const path = configPath();
        if (options.json) printJson({ path, exists: existsSync(path) });
        else printText(path);
        return 0;
      }),
    );
}

async function show(options: GlobalOptions): Promise<number> {
  const path = configPath();
  const exists = existsSync(path);
  const raw = exists ? readConfigObject(path) : {};
  const rows = settings(options, raw, await defaults());
  if (options.json) printJson({ path, exists, settings: rows });
  else printText(render(path, exists, rows));
  return 0;
}
