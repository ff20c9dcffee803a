/**
 * Session extraction: turns the lessons found in a read session into patterns a future
 * assistant can follow without the transcript.
 *
 * Wording is canonical: the same lesson stated the same way always gives the same trigger and
 * resolution, so the same pattern id, and the store merges it across sessions. The same lesson
 * seen twice in one session gives one pattern with `metadata.observations` 2.
 * @module
 */
import { contentWords, similarity } from '../evaluate/phrases.js';
import {
  detectLessons,
  type Lesson,
  type SessionSignals,
  type SignalKind,
} from '../evaluate/signals.js';
import { PatternCategory } from '../model/category.js';
import {
  createPattern,
  type Evidence,
  type ExtractedPattern,
  MAX_EVIDENCE,
} from '../model/pattern.js';
import type { Session } from '../model/session.js';
import { redactSecrets } from './redact.js';
import { deriveTags } from './tags.js';

/** Options of {@link extractSessionPatterns}. */
export interface SessionExtractOptions {
  /** Stored in `metadata.project` of project conventions. */
  project?: string;
  /** Extraction time. @default new Date() */
  now?: Date;
}

const CATEGORY: Record<SignalKind, PatternCategory> = {
  correction: PatternCategory.USER_CORRECTION,
  preference: PatternCategory.PREFERENCE,
  convention: PatternCategory.PROJECT_SPECIFIC,
  error_resolution: PatternCategory.ERROR_RESOLUTION,
  workaround: PatternCategory.WORKAROUND,
};

const BASE_CONFIDENCE: Record<SignalKind, number> = {
  correction: 0.6,
  preference: 0.6,
  convention: 0.6,
  error_resolution: 0.6,
  workaround: 0.55,
};

/** A rule restated over several sentences is joined only while it stays a short note. */
const MAX_JOINED = 200;

interface Group {
  category: PatternCategory;
  lessons: Lesson[];
  words: Set<string>;
  /** Content words of every quote in the group (for thread joining). */
  quoteWords: Set<string>;
  trigger: string;
  resolution: string;
  context: string;
}

/**
 * The patterns of one session, in the order their lessons first appear.
 *
 * `signals`, when given, is the result of `detectSignals(session)` already computed by the
 * caller; a session it shows no signal in returns no pattern without being scanned again.
 * Every string in a pattern has passed through secret redaction.
 */
export function extractSessionPatterns(
  session: Session,
  options: SessionExtractOptions = {},
  signals?: SessionSignals,
): ExtractedPattern[] {
  if (signals && signals.signals.length === 0) return [];
  const lessons = signals?.lessons ?? detectLessons(session).lessons;
  const scope = languageOf(session);
  const groups: Group[] = [];
  const byThread = new Map<number, Group>();
  for (const lesson of lessons) {
    const phrased = phrase(lesson, scope, session);
    if (!phrased) continue;
    const category = CATEGORY[lesson.kind];
    let threadGroup = lesson.thread === undefined ? undefined : byThread.get(lesson.thread);
    // A thread only joins lessons about the same thing: they must share a content word.
    if (threadGroup && similarity(threadGroup.quoteWords, contentWords(lesson.quote)) === 0) {
      threadGroup = undefined;
    }
    // A rule too long to join is a pattern of its own, not dropped.
    const tooLong =
      threadGroup !== undefined &&
      !threadGroup.resolution.includes(phrased.resolution) &&
      threadGroup.resolution.length + phrased.resolution.length >= MAX_JOINED;
    if (tooLong) threadGroup = undefined;
    if (threadGroup) {
      for (const w of contentWords(lesson.quote)) threadGroup.quoteWords.add(w);
      if (!threadGroup.resolution.includes(phrased.resolution)) {
        threadGroup.resolution = `${threadGroup.resolution} ${phrased.resolution}`;
        threadGroup.words = contentWords(threadGroup.resolution);
      }
      if (threadGroup.lessons.every((l) => l.turn !== lesson.turn))
        threadGroup.lessons.push(lesson);
      if (category === PatternCategory.PROJECT_SPECIFIC) threadGroup.category = category;
      continue;
    }
    const words = contentWords(phrased.resolution);
    const same = groups.find(
      (g) =>
        compatible(g.category, category) &&
        (g.resolution === phrased.resolution || similarity(g.words, words) >= 0.55),
    );
    if (same) {
      same.lessons.push(lesson);
      // A convention restated is a convention, even if one statement read as a correction.
      if (category === PatternCategory.PROJECT_SPECIFIC) same.category = category;
      continue;
    }
    const group: Group = {
      category,
      lessons: [lesson],
      words,
      quoteWords: contentWords(lesson.quote),
      ...phrased,
    };
    groups.push(group);
    if (lesson.thread !== undefined) byThread.set(lesson.thread, group);
  }
  const at = options.now ?? new Date();
  return groups.map((g) => toPattern(session, g, at, options));
}

function compatible(a: PatternCategory, b: PatternCategory): boolean {
  const soft = new Set<PatternCategory>([
    PatternCategory.USER_CORRECTION,
    PatternCategory.PREFERENCE,
    PatternCategory.PROJECT_SPECIFIC,
  ]);
  return a === b || (soft.has(a) && soft.has(b));
}

function toPattern(
  session: Session,
  g: Group,
  at: Date,
  options: SessionExtractOptions,
): ExtractedPattern {
  const clean = (s: string) => redactSecrets(s).text;
  const observations = g.lessons.length;
  const strongest = Math.max(...g.lessons.map((l) => l.strength));
  const kind = (g.lessons[0] as Lesson).kind;
  const confidence = Math.min(
    0.95,
    BASE_CONFIDENCE[kind] + (strongest - 0.5) * 0.5 + 0.1 * Math.min(3, observations - 1),
  );
  const evidence: Evidence[] = g.lessons.slice(-MAX_EVIDENCE).map((l) => ({
    sessionId: session.id,
    turn: l.turn,
    quote: clean(l.quote),
  }));
  const metadata: Record<string, unknown> = { observations, evidence };
  if (options.project !== undefined && g.category === PatternCategory.PROJECT_SPECIFIC) {
    metadata.project = options.project;
  }
  const trigger = clean(g.trigger);
  const resolution = clean(g.resolution);
  const context = clean(g.context);
  const extra = g.lessons[0]?.tool ? [g.lessons[0].tool] : [];
  return createPattern({
    category: g.category,
    trigger,
    resolution,
    context,
    confidence: Math.round(confidence * 100) / 100,
    tags: deriveTags(`${trigger} ${resolution}`, extra),
    extractedAt: at,
    sourceSession: session.id,
    metadata,
  });
}

interface Phrased {
  trigger: string;
  resolution: string;
  context: string;
}

/** The trigger, resolution and context of one lesson, or undefined when it cannot be phrased. */
function phrase(lesson: Lesson, scope: string | undefined, session: Session): Phrased | undefined {
  const d = lesson.directive;
  if (d) {
    const { text: resolution, aside } = fitResolution(
      aboutTheUser(normaliseShouting(d.instruction)),
    );
    if (resolution.length > MAX_RESOLUTION) return undefined;
    const trigger = lesson.question
      ? questionTrigger(lesson.question)
      : lesson.task
        ? taskTrigger(lesson.task)
        : topicTrigger(
            resolution,
            lesson.kind,
            scope,
            filesNear(session, lesson.turn),
            session.turns[lesson.turn]?.text,
          );
    const reason = [aside, d.reason].filter(Boolean).join('; ');
    const why = reason ? ` (${reason.replace(/[.!]+$/, '')})` : '';
    const who =
      lesson.question !== undefined
        ? `The user answered the assistant's question "${lesson.question}"`
        : lesson.kind === 'convention'
          ? 'Project convention stated by the user'
          : lesson.kind === 'workaround'
            ? 'A way around a limit of the environment, given by the user'
            : lesson.kind === 'preference'
              ? 'Preference stated by the user'
              : 'The user corrected the assistant';
    return { trigger, resolution, context: `${who}${why}: "${d.quote}"` };
  }
  if (lesson.error && lesson.fix) {
    // A long error line (a Rust type path, a Java signature) is cut at a word: its head is
    // what the next occurrence will show.
    const error = lesson.error.length > 160 ? cutAtWord(lesson.error, 157) : lesson.error;
    if (error.length < 12) return undefined;
    const cause = lesson.cause ? ` ${lesson.cause.replace(/\s+/g, ' ')}` : '';
    if (lesson.fromModel)
      return {
        trigger: error.replace(/[.]+$/, ''),
        resolution: lesson.fix,
        context: `Read from the assistant's explanation after this error.${cause}`,
      };
    if (lesson.kind === 'workaround') {
      return {
        trigger: lesson.command
          ? `\`${lesson.command}\` fails with: ${error.replace(/[.]+$/, '')}`
          : error.replace(/[.]+$/, ''),
        resolution: lesson.fix,
        context: `A ${lesson.tool ?? 'tool'} call failed for a reason outside the code; this route worked.${cause}`,
      };
    }
    return {
      trigger: error.replace(/[.]+$/, ''),
      resolution: lesson.fix,
      context: lesson.cause
        ? `Seen and fixed in a session; the re-run passed.${cause}`
        : `A ${lesson.tool ?? 'tool'} call failed with this error; this change fixed it.`,
    };
  }
  return undefined;
}

/** `text` cut to at most `max` characters plus "…", at a word unless that loses too much. */
function cutAtWord(text: string, max: number): string {
  const hard = text.slice(0, max);
  const soft = hard.replace(/\s+\S*$/, '');
  const cut = soft.length >= max - 40 ? soft : hard;
  return `${cut.replace(/[\s,:;(<[{]+$/, '')}…`;
}

/** Longest resolution a pattern keeps: a note, not a paragraph. */
const MAX_RESOLUTION = 170;

/**
 * A long instruction made to fit: asides in parentheses go to the context, then trailing
 * clauses after "; " are dropped until it fits (the rule comes first, its details after).
 */
export function fitResolution(text: string): { text: string; aside?: string } {
  if (text.length <= MAX_RESOLUTION) return { text };
  const asides: string[] = [];
  let out = text.replace(/\s*\(([^()]{3,160})\)/g, (_m, inner: string) => {
    asides.push(inner.trim());
    return '';
  });
  const dropped: string[] = [];
  while (out.length > MAX_RESOLUTION && out.includes('; ')) {
    const at = out.lastIndexOf('; ');
    dropped.unshift(out.slice(at + 2).replace(/[.!]+$/, ''));
    out = out.slice(0, at);
  }
  out = `${out.replace(/[;,]\s*$/, '').replace(/[.!]*$/, '')}.`;
  const aside = [...asides, ...dropped].join('; ');
  return aside ? { text: out, aside } : { text: out };
}

/** The inputs of the tool calls just around a turn: the files the rule was about. */
function filesNear(session: Session, turn: number): string {
  const parts: string[] = [];
  for (let t = Math.max(0, turn - 3); t <= Math.min(session.turns.length - 1, turn + 3); t++) {
    for (const call of (session.turns[t] as Session['turns'][number]).toolCalls)
      parts.push(call.input.slice(0, 300));
  }
  return parts.join('\n');
}

/** "Where should cents be formatted for display?" -> "Deciding where cents should be formatted for display". */
function questionTrigger(question: string): string {
  const q = question.trim().replace(/[?\s]+$/, '');
  const m =
    /^(how|where|when|which|what|whether|who)\s+(should|do|does|will|would|can|must)\s+(?:we\s+|i\s+)?(.+)$/i.exec(
      q,
    );
  if (m) {
    const wh = (m[1] ?? '').toLowerCase();
    const words = (m[3] ?? '').split(/\s+/);
    const modal = (m[2] ?? '').toLowerCase();
    // "where should cents be formatted" -> "where cents should be formatted"
    const verbAt = words.findIndex((w, i) => i > 0 && /^(?:be|[a-z]+)$/.test(w) && VERBISH.test(w));
    if (modal === 'should' && verbAt > 0)
      return `Deciding ${wh} ${[...words.slice(0, verbAt), 'should', ...words.slice(verbAt)].join(' ')}`;
    return `Deciding ${wh} to ${words.join(' ')}`;
  }
  return `Answering: ${q}`;
}

const VERBISH =
  /^(?:be|back|go|live|run|use|handle|store|format|retry|log|call|look|work|get|put|sit|happen|show|display|send|load|read|write)$/i;

/** The main language or stack of a session, from the files it touched and the commands it ran. */
export function languageOf(session: Session): string | undefined {
  const counts = new Map<string, number>();
  const add = (lang: string, n = 1) => counts.set(lang, (counts.get(lang) ?? 0) + n);
  for (const turn of session.turns) {
    // Code the assistant wrote in a fenced block names its language.
    if (turn.role === 'assistant' && turn.text.includes('```')) {
      for (const m of turn.text.matchAll(/```(\w+)/g)) {
        const lang = FENCE_LANG[(m[1] ?? '').toLowerCase()];
        if (lang) add(lang, 2);
      }
    }
    for (const call of turn.toolCalls) {
      const text = call.input.slice(0, 400);
      for (const m of text.matchAll(
        /\.(py|go|rb|ex|exs|heex|rs|tsx?|jsx?|sh|tf|java|kt|cs|swift|php|sql|gd|c|h|ipynb|dart)\b/g,
      )) {
        const lang = EXT_LANG[m[1] ?? ''];
        if (lang) add(lang);
      }
      const cmd = /^\s*(?:\w+=\S+\s+)*([\w.-]+)(?:\s+([\w.-]+))?/.exec(
        text.replace(/^\{"(?:command|cmd)":\s*"/, ''),
      );
      const lang = CMD_LANG[cmd?.[1] ?? ''] ?? CMD_LANG[`${cmd?.[1]} ${cmd?.[2]}`];
      if (lang) add(lang, 2);
    }
  }
  let best: string | undefined;
  let n = 0;
  for (const [lang, c] of counts) {
    if (c > n) {
      best = lang;
      n = c;
    }
  }
  return n >= 2 ? best : undefined;
}

const EXT_LANG: Record<string, string> = {
  py: 'Python',
  go: 'Go',
  rb: 'Ruby',
  ex: 'Elixir',
  exs: 'Elixir',
  heex: 'Elixir',
  rs: 'Rust',
  ts: 'TypeScript',
  tsx: 'TypeScript',
  js: 'JavaScript',
  jsx: 'JavaScript',
  sh: 'shell',
  tf: 'Terraform',
  java: 'Java',
  kt: 'Kotlin',
  cs: 'C#',
  swift: 'Swift',
  php: 'PHP',
  sql: 'SQL',
  gd: 'GDScript',
  c: 'C',
  h: 'C',
  ipynb: 'Python',
  dart: 'Dart',
};

const FENCE_LANG: Record<string, string> = {
  python: 'Python',
  py: 'Python',
  go: 'Go',
  rust: 'Rust',
  rs: 'Rust',
  ruby: 'Ruby',
  rb: 'Ruby',
  typescript: 'TypeScript',
  ts: 'TypeScript',
  tsx: 'TypeScript',
  javascript: 'JavaScript',
  js: 'JavaScript',
  java: 'Java',
  kotlin: 'Kotlin',
  swift: 'Swift',
  elixir: 'Elixir',
  php: 'PHP',
  csharp: 'C#',
  sql: 'SQL',
  gdscript: 'GDScript',
};

const CMD_LANG: Record<string, string> = {
  python: 'Python',
  python3: 'Python',
  pytest: 'Python',
  uv: 'Python',
  poetry: 'Python',
  pip: 'Python',
  uvicorn: 'Python',
  go: 'Go',
  bundle: 'Ruby',
  rspec: 'Ruby',
  rails: 'Ruby',
  rake: 'Ruby',
  mix: 'Elixir',
  cargo: 'Rust',
  npm: 'TypeScript',
  pnpm: 'TypeScript',
  yarn: 'TypeScript',
  npx: 'TypeScript',
  bun: 'TypeScript',
  tsc: 'TypeScript',
  terraform: 'Terraform',
  shellcheck: 'shell',
  gradle: 'Java',
  mvn: 'Java',
  dotnet: 'C#',
};

const USER_VERB: Record<string, string> = {
  need: 'needs',
  have: 'has',
  want: 'wants',
  prefer: 'prefers',
  review: 'reviews',
  like: 'likes',
  do: 'does',
  read: 'reads',
  commit: 'commits',
  check: 'checks',
  run: 'runs',
  deploy: 'deploys',
};

/**
 * The instruction as a note about the user rather than in their own first person: "only tell
 * me if something I must do by hand" -> "only tell the user if something the user must do by hand".
 */
function aboutTheUser(text: string): string {
  return text
    .replace(/\bI (?:also |always |usually )?(\w+)\b/g, (all, verb: string) => {
      const v = verb.toLowerCase();
      if (/^(?:must|can|will|should|would|could|may|might|am|was)$/.test(v))
        return `the user ${v === 'am' ? 'is' : v}`;
      const third = USER_VERB[v];
      return third ? `the user ${third}` : all;
    })
    .replace(/\b(?:myself)\b/g, 'themselves')
    .replace(/\bmy\b/g, "the user's")
    .replace(/\bme\b/g, 'the user');
}

/** "DO NOT CHANGE the contents." -> "Do not change the contents." (shouting is emphasis). */
function normaliseShouting(text: string): string {
  const out = text.replace(/\b[A-Z]{2,}(?:\s+[A-Z]{2,})+\b/g, (run) => run.toLowerCase());
  return out[0] ? out[0].toUpperCase() + out.slice(1) : out;
}

function taskTrigger(task: string): string {
  const t = task
    .replace(/(^|\s)@(?=\w)/g, '$1')
    .replace(/\s+([,.])/g, '$1')
    .replace(/[.!\s]+$/, '')
    .replace(/^(?:now|please|also)\s+/i, '');
  const m = /^(?:(in|for) (\S+?),?\s+)(.+)$/i.exec(t);
  const body = m ? `${m[3]} ${m[1]?.toLowerCase()} ${m[2]}` : t;
  return `When asked to ${body.charAt(0).toLowerCase()}${body.slice(1)}`;
}

// Activities a rule can be about. The topic named earliest in the rule wins (a rule's subject
// comes first: "Never put SQL strings inline in views" is about SQL, not views); ties go to
// the earlier entry. `{in}` becomes " in <language> code" (or "") and `{lang}` "<language> "
// when the session's language is known, so the same rule reads "Writing Go tests" in Go.
const TOPICS: Array<[RegExp, string]> = [
  [/\bplan for approval\b/i, 'Starting work on a change'],
  [
    /\b(?:answers?|replies|responses|brief|concise|verbose|explanations?|summar(?:y|ies))\b/i,
    'Answering the user',
  ],
  [/\bmigrat\w*/i, 'Writing database migrations'],
  [/\bpaginat\w*|\bkeyset\b|\boffset pagination\b/i, 'Paginating list endpoints'],
  [/\b(?:notebooks?|ipynb|jupyter\w*|jupytext)\b/i, 'Editing notebooks'],
  [/\b(?:dbt|marts?|staging models?)\b/i, 'Building dbt models'],
  [/\b(?:helm\w*|kubectl|k8s|kubernetes|deploy\w*|rollouts?)\b/i, 'Deploying services'],
  [
    /\b(?:sql|(?<!(?:url|search|media|container|the) )quer(?:y|ies)(?! (?:strings?|param\w*))|aiosql|joins?|select statements?)\b/i,
    'Writing SQL queries',
  ],
  [
    /\b(?:e2e|end-to-end|tests?|testing|specs?|assert\w*|vitest|jest|pytest|rspec|coverage|t\.Run|mocks?|fixtures?)\b/i,
    'Writing {lang}tests',
  ],
  [/\b(?:format\w*|formatter|prettier|ruff|black|gofmt|rustfmt)\b/i, 'Formatting {lang}code'],
  [/\b(?:lint\w*|shellcheck|eslint|clippy|mypy|type: ignore)\b/i, 'Checking {lang}code'],
  [/\b(?:docs?|documentation|headings?|admonitions?|changelog)\b/i, 'Writing docs'],
  [/\b(?:markdown|\.md\b|readme|bullet|numbered list|sentence)/i, 'Writing Markdown'],
  [/\bcommit\w*/i, 'Committing changes'],
  [/\b(?:git|branch(?:es)?|squash|rebase|pull requests?)\b/i, 'Using git'],
  [/\b(?:yaml|toml|json|csv|xml)\b/i, 'Loading {fmt} data{in}'],
  [
    /\b(?:datetime|utcnow|time ?zones?|timezone|utc|timestamps?)\b/i,
    'Handling dates and times{in}',
  ],
  [
    /(?:\bos\.environ\b|\benviron\b|\benv vars?\b|\benvironment variables?|\bsettings\b|\bconfig(?:uration)?\b|\.env\b)/i,
    'Reading configuration{in}',
  ],
  [
    /\b(?:di|dependency injection|inject\w*|koin|hilt|dagger|service locator)\b/i,
    'Wiring dependency injection{in}',
  ],
  [/var\(--|\bdesign tokens?\b|\b(?:s?css|sass|less) (?:variables?|tokens?)\b/i, 'Styling the UI'],
  [
    /\b(?:tokens?|secrets?|credentials?|passwords?|api keys?|keychain|secure-?store)\b/i,
    'Storing secrets and tokens',
  ],
  [/\b(?:isrs?|interrupts?|irq|dma)\b/i, 'Writing interrupt handlers'],
  [
    /\b(?:hyperparam\w*|lr|learning rate|warmup|weight decay)\b/i,
    'Changing training hyperparameters',
  ],
  [
    /\b(?:collision\w*|physics|move_and_slide|rigidbody\w*|characterbody\w*)\b/i,
    'Writing game movement and physics',
  ],
  [
    /\b(?:generated|prebuild|codegen|native)\b|(?:^|\s)(?:ios|android)\//i,
    'Editing generated or native files',
  ],
  [/\b(?:async|await|promises?)\b|\.then\(/i, 'Writing async {lang}code'],
  [/\b(?:imports?|import paths?|barrel)\b/i, 'Writing {lang}imports'],
  [
    /\b(?:(?:named|default) exports?|export(?:s|ed)? from|re-?exports?)\b/i,
    'Exporting from {lang}modules',
  ],
  [/\b(?:types?|typing|typed|type hints?|noImplicitAny|generics)\b/i, 'Typing {lang}code'],
  [/\b(?:errors?|exceptions?|unwrap|panic\w*|anyhow|Result)\b/, 'Handling errors{in}'],
  [/\b(?:errors?|exceptions?)\b/i, 'Handling errors{in}'],
  [
    /\b(?:logs?|logging|logger|print|stderr|stdout|debug|structlog|set -x)\b/i,
    'Adding logging{in}',
  ],
  [/\bcomments?\b/i, 'Editing code with comments'],
  [
    /\b(?:install\w*|dependenc\w+|npm|pnpm|yarn|bun|pip|poetry|uv|cargo add|gem|bundle)\b/i,
    'Installing dependencies',
  ],
  [
    /\b(?:css|stylesheets?|styled|styling|layout|center\w*|centre\w*|tailwind)\b/i,
    'Styling the UI',
  ],
  [/\b(?:retr(?:y|ies)|jobs?|queues?|sidekiq|backoff)\b/i, 'Writing background jobs'],
  [/\b(?:make|cmake|gradle|makefile|compil\w+|firmware)\b|\bbuild with\b/i, 'Building {lang}code'],
  [
    /\b(?:http|(?<!(?:options|composition|context|reflection|web audio|canvas) )api|requests?|endpoints?|routes?|handlers?)\b/i,
    'Calling or serving HTTP{in}',
  ],
  [/\b(?:task-?master|todos?|tasks?|backlog|issues?)\b/i, 'Tracking tasks'],
  [/\b(?:rules?|\.mdc|cursor rules?|claude\.md|agents\.md)\b/i, 'Writing assistant rules'],
  [/\b(?:scripts?|bash|shell)\b/i, 'Writing shell scripts'],
  [/\b(?:subcommands?|commands?|cli)\b/i, 'Adding CLI commands'],
  [
    /\b(?:server components?|pages?|router|liveviews?|components?|views?|screens?)\b/i,
    'Building {lang}UI components',
  ],
  [/\b(?:changesets?|schemas?|database|db|models?|tables?)\b/i, 'Accessing data{in}'],
];

// Topics that name only a broad area: used when no topic above is named.
const BROAD_TOPICS: Array<[RegExp, string]> = [
  [
    /\b(?:modules?|director(?:y|ies)|folders?|files?|structure|organi[sz]\w*)\b/i,
    'Organizing code and files',
  ],
  [/\b(?:functions?|methods?|classes?|code)\b/i, 'Changing {lang}code'],
  [/\b(?:sessions?|process\w*|concurren\w*)\b/i, 'Working in this environment'],
  [/\b(?:explain\w*)\b/i, 'Answering the user'],
];

// What the files a session touched say about the work, when the rule names no topic.
const FILE_TOPICS: Array<[RegExp, string]> = [
  [/\.sql\b/i, 'Writing SQL queries'],
  [/\.ipynb\b/i, 'Editing notebooks'],
  [/\.(?:md|mdx|rst)\b/i, 'Writing docs'],
  [/\.(?:tsx|jsx|vue|svelte)\b/i, 'Building UI components'],
  [/\.(?:tf|tfvars)\b/i, 'Changing Terraform'],
  [/(?:^|\/)(?:Dockerfile|docker-compose\.ya?ml)\b/, 'Writing Docker files'],
  [/\.ya?ml\b/i, 'Editing YAML configuration'],
  [/\.(?:sh|bash)\b/i, 'Writing shell scripts'],
  [/\.(?:c|h|cpp|hpp)\b/i, 'Writing C code'],
  [/\.(?:test|spec)\.\w+\b|_test\.\w+\b|\btest_\w+\.py\b/i, 'Writing {lang}tests'],
];

function topicTrigger(
  resolution: string,
  kind: SignalKind,
  scope?: string,
  files?: string,
  message?: string,
): string {
  const fill = (t: string, fmt = '') =>
    t
      .replace('{lang}', scope ? `${scope} ` : '')
      .replace('{in}', scope ? ` in ${scope} code` : '')
      .replace('{fmt}', fmt);
  let best: { at: number; name: string; fmt: string } | undefined;
  for (const [re, name] of TOPICS) {
    const m = re.exec(resolution);
    if (m && (!best || m.index < best.at)) {
      best = { at: m.index, name, fmt: m[0].toUpperCase() };
    }
  }
  if (best) return fill(best.name, best.fmt);
  // The rest of the message often names what the rule is about ("style things for all the docs").
  if (message) {
    const around = topicTrigger(message.slice(0, 2000), kind, scope);
    if (!/^Working /.test(around) && !BROAD_TOPICS.some(([, n]) => fill(n) === around))
      return around;
  }
  if (files) for (const [re, name] of FILE_TOPICS) if (re.test(files)) return fill(name);
  for (const [re, name] of BROAD_TOPICS) if (re.test(resolution)) return fill(name);
  if (scope) return `Working on ${scope} code in this project`;
  return kind === 'convention' ? 'Working in this project' : 'Working with this user';
}
