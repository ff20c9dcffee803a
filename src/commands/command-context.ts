/**
 * CommandContext and the `/evaluate` and `/patterns` commands, callable in-process.
 * @module
 */
import { AttuneError, ErrorCode } from '../errors.js';
import {
  learnFromSessions,
  learnFromTranscriptFile,
  type SessionLearnReport,
} from '../learn/learn.js';
import { parseCategory } from '../model/category.js';
import type { Interaction, Session } from '../model/session.js';
import { validateUserId } from '../model/user-id.js';
import type { LearnedSkillsStorage } from '../storage/learned-skills-storage.js';
import { sessionFromInteractions } from '../transcripts/interactions.js';
import { renderEvaluation, renderPattern, renderPatternList, renderSummary } from './render.js';

/** Options of {@link CommandContext}. */
export interface CommandContextOptions {
  userId: string;
  learningStorage: LearnedSkillsStorage;
  /** The current project (git root), for conventions. */
  project?: string;
  /** What `/evaluate` evaluates: a read session, ... */
  session?: Session;
  /** ... a transcript file, ... */
  transcriptPath?: string;
  /** ... or the seed's interaction objects. */
  interactions?: readonly Interaction[];
}

/** The user, storage and current session a command runs against. */
export class CommandContext {
  readonly userId: string;
  readonly learningStorage: LearnedSkillsStorage;
  readonly project: string | undefined;
  readonly #session: CommandContextOptions;

  constructor(options: CommandContextOptions) {
    this.userId = validateUserId(options.userId);
    this.learningStorage = options.learningStorage;
    this.project = options.project;
    this.#session = options;
  }

  /** The context block for this user (the seed's `get_patterns_for_context`). */
  async getPatternsForContext(options: { maxPatterns?: number } | number = {}): Promise<string> {
    const maxPatterns = typeof options === 'number' ? options : (options.maxPatterns ?? 5);
    return this.learningStorage.formatPatternsForContext(this.userId, {
      maxPatterns,
      ...(this.project === undefined ? {} : { project: this.project }),
    });
  }

  /** Patterns matching `query` (the seed's `search_patterns`). */
  searchPatterns(query: string) {
    return this.learningStorage.searchPatterns(this.userId, query);
  }

  /** Runs `/evaluate ...` or `/patterns ...` and returns the text to show. */
  async run(commandLine: string): Promise<string> {
    const [name, ...args] = splitArgs(commandLine);
    switch (name?.replace(/^\//, '')) {
      case 'evaluate':
        return evaluateCommand(args, this);
      case 'patterns':
        return patternsCommand(args, this);
      default:
        throw new AttuneError(ErrorCode.USAGE, `unknown command ${JSON.stringify(name ?? '')}`, {
          suggestion:
            'Commands: /evaluate [--dry-run] [--force], /patterns [search Q | category C | show ID | delete ID].',
        });
    }
  }

  /** Evaluates the context's session; used by `/evaluate`. */
  async evaluateCurrent(options: {
    dryRun: boolean;
    force: boolean;
  }): Promise<SessionLearnReport[]> {
    const learn = {
      storage: this.learningStorage,
      userId: this.userId,
      dryRun: options.dryRun,
      force: options.force,
      ...(this.project === undefined ? {} : { project: this.project }),
    };
    const s = this.#session;
    if (s.session) return learnFromSessions([s.session], learn);
    if (s.interactions) return learnFromSessions([sessionFromInteractions(s.interactions)], learn);
    if (s.transcriptPath) return (await learnFromTranscriptFile(s.transcriptPath, learn)).sessions;
    throw new AttuneError(ErrorCode.USAGE, 'no session to evaluate', {
      suggestion: 'Give the CommandContext a session, transcriptPath or interactions.',
    });
  }
}

/** `/evaluate [--dry-run] [--force]`: evaluate the current session, extract and store. */
export async function evaluateCommand(
  args: readonly string[],
  ctx: CommandContext,
): Promise<string> {
  let dryRun = false;
  let force = false;
  for (const a of args) {
    if (a === '--dry-run') dryRun = true;
    else if (a === '--force') force = true;
    else
      throw usage(
        `/evaluate: unknown argument ${JSON.stringify(a)}`,
        '/evaluate [--dry-run] [--force]',
      );
  }
  const reports = await ctx.evaluateCurrent({ dryRun, force });
  if (reports.length === 0) return 'The transcript holds no session.';
  return reports.map((r) => renderEvaluation(r, { dryRun })).join('\n\n');
}

/** `/patterns [search Q | category C | show ID | delete ID]`. */
export async function patternsCommand(
  args: readonly string[],
  ctx: CommandContext,
): Promise<string> {
  const [sub, ...rest] = args;
  const storage = ctx.learningStorage;
  const arg = rest.join(' ').trim();
  const need = (what: string) => {
    if (!arg)
      throw usage(`/patterns ${sub}: missing ${what}`, `/patterns ${sub} ${what.toUpperCase()}`);
    return arg;
  };
  switch (sub) {
    case undefined:
      return renderSummary(await storage.getSummary(ctx.userId));
    case 'search': {
      const q = need('query');
      return renderPatternList(
        await storage.searchPatterns(ctx.userId, q),
        `No pattern matches "${q}".`,
      );
    }
    case 'category': {
      const c = parseCategory(need('category'));
      return renderPatternList(
        await storage.getPatternsByCategory(ctx.userId, c),
        `No ${c} patterns.`,
      );
    }
    case 'show': {
      const p = await storage.getPattern(ctx.userId, need('id'));
      if (!p) throw notFound(arg);
      return renderPattern(p);
    }
    case 'delete': {
      if (!(await storage.deletePattern(ctx.userId, need('id')))) throw notFound(arg);
      return `Deleted pattern ${arg}.`;
    }
    default:
      throw usage(
        `/patterns: unknown subcommand ${JSON.stringify(sub)}`,
        '/patterns [search Q | category C | show ID | delete ID]',
      );
  }
}

function usage(message: string, form: string): AttuneError {
  return new AttuneError(ErrorCode.USAGE, message, { suggestion: `Usage: ${form}` });
}

function notFound(id: string): AttuneError {
  return new AttuneError(ErrorCode.NOT_FOUND, `no pattern with id ${JSON.stringify(id)}`, {
    suggestion: "List ids with '/patterns search <word>' or 'attune patterns'.",
  });
}

/** Splits a command line into words, honouring single and double quotes. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}
