/**
 * Phrase-level rules: how people phrase corrections, preferences and conventions, and how to
 * turn such a sentence into a self-contained instruction. Every rule is about wording, never
 * about a particular project or file.
 * @module
 */

/** What a sentence says, when it says something worth remembering. */
export type PhraseKind = 'correction' | 'preference' | 'convention';

/** A sentence recognised as a lasting instruction. */
export interface Directive {
  kind: PhraseKind;
  /** The sentence as the user wrote it (one line, trimmed). */
  quote: string;
  /** The instruction, rewritten as a self-contained imperative ending in a period. */
  instruction: string;
  /** A short reason the user gave ("because ...", "we don't want to ..."), if any. */
  reason?: string;
  /** 0..1: how strongly it was put. */
  strength: number;
}

/** Where a sentence sits: what came just before it in the conversation. */
export interface PhraseContext {
  /** The user turn follows an interrupt, a rejected tool call or an undo. */
  afterStop: boolean;
  /** The same turn already contains a correction marker ("no", "that's wrong", ...). */
  corrective: boolean;
  /** The turn talks about conventions or rules ("add markdown conventions ..."). */
  conventionTurn: boolean;
  /** The sentence before this one in the same turn, if any (for "DO NOT CHANGE the contents"). */
  previous?: string;
  /** Parsing the main clause of "if/when ..., <instruction>". */
  inCondition?: boolean;
  /** The text answers the assistant's question tool (a short noun phrase may state a rule). */
  answer?: boolean;
  /** The sentence carries a lasting marker ("from now on", "going forward", "always"). */
  lasting?: boolean;
}

// Leading words that carry no instruction: fillers, politeness, discourse markers.
const FILLER =
  /^(?:(?:ok(?:ay)?|so|and|but|also|wait|well|hmm+|mm+|yes|yeah|great|good|nice|thanks|thank you|please|pls|note that|note:|in terms of [^,]{1,40},|i (?:would like to )?remind you(?: of)?(?: that)?(?: the (?:main |key |one )?(?:directive|rule|convention|principle)s?)?(?: that| is)?|remember(?: that)?(?= (?:to|always|never|we|you)\b)|as a rule|in general|generally|going forward|from now on|in the future|btw|by the way|actually|again|one more thing|important|fyi)(?:\b|(?<=[,:]))[\s,:;!.-]*)+/i;

const CORRECTION_MARKER =
  /^(?:no|nope|nah|wrong|not like that|not quite|that'?s not (?:right|it|what i)|that is not (?:right|what i)|this is(?:n'?t| not) (?:right|what i)|that'?s wrong|this is wrong|incorrect|you (?:did ?n[o']t|only|forgot|missed|removed|broke|ignored)|why did you|i (?:said|told you|asked you to)|stop\b|undo\b|revert\b)/i;

const QUESTION_START =
  /^(?:can|could|would|will|should|shall|do(?! not\b)|does|did|is|are|was|were|what|why|how|where|when|which|who|whose|have|has)\b/i;

const STOP_WORDS = new Set(
  "a an the to of in on for and or but is are be it this that with as at by from we i you our my your should must will would can do does not no so if then than there here its it's into each any all also just only".split(
    ' ',
  ),
);

/** Removes leading fillers ("ok so, please ..."); keeps the rest as written. */
export function stripFillers(sentence: string): string {
  let s = sentence.trim().replace(/^[-*•>\d.)\s]+(?=[A-Za-z])/, '');
  for (let i = 0; i < 3; i++) {
    const next = s.replace(FILLER, '');
    if (next === s) break;
    s = next;
  }
  return s.trim();
}

/** True when the sentence opens with a correction marker ("no,", "that's not right", ...). */
export function hasCorrectionMarker(sentence: string): boolean {
  return CORRECTION_MARKER.test(stripFillers(sentence));
}

/** Content words of a text, lower-cased, for near-duplicate checks. */
export function contentWords(text: string): Set<string> {
  const words = new Set<string>();
  for (const w of text.toLowerCase().match(/[a-z0-9@/._-]+/g) ?? []) {
    const t = w.replace(/^[._-]+|[._-]+$/g, '');
    if (t.length > 1 && !STOP_WORDS.has(t)) words.add(t.replace(/s$/, ''));
  }
  return words;
}

/** Jaccard similarity of two word sets. */
export function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  for (const w of a) if (b.has(w)) common++;
  return common / (a.size + b.size - common);
}

const IRREGULAR: Record<string, string> = {
  made: 'make',
  did: 'do',
  wrote: 'write',
  broke: 'break',
  forgot: 'forget',
  put: 'put',
  left: 'leave',
  took: 'take',
  gave: 'give',
  ran: 'run',
  set: 'set',
  kept: 'keep',
  got: 'get',
  read: 'read',
};

/** The base form of a past-tense verb, for "you removed X" -> "remove X". */
function baseForm(verb: string): string {
  const v = verb.toLowerCase();
  if (IRREGULAR[v]) return IRREGULAR[v];
  if (/ied$/.test(v)) return v.replace(/ied$/, 'y');
  if (/([bdgmnprt])\1ed$/.test(v)) return v.replace(/([bdgmnprt])\1ed$/, '$1');
  if (/(?:at|iz|is|ov|ok|ag|ar|ur|ir|it|ut|v|c|g|s|z|u)ed$/.test(v)) return v.replace(/d$/, '');
  if (/ed$/.test(v)) return v.replace(/ed$/, '');
  return v;
}

function thirdPerson(verb: string): string {
  const v = verb.toLowerCase();
  if (v === 'have') return 'has';
  if (/(?:s|sh|ch|x|o)$/.test(v)) return `${v}es`;
  return `${v}s`;
}

function capitalise(s: string): string {
  return s ? (s[0]?.toUpperCase() ?? '') + s.slice(1) : s;
}

/** Makes a clean sentence: single spaces, no @-mentions sigil, first letter up, final period. */
export function toSentence(text: string): string {
  let s = text
    .replace(/\s+/g, ' ')
    .replace(/(^|\s)@(?=[\w./-])/g, '$1')
    .replace(/\s+([,.;:!?])/g, '$1')
    .trim()
    .replace(/[\s,;:-]+$/, '');
  s = s.replace(/[.!]+$/, '');
  if (!s) return s;
  return `${capitalise(s)}.`;
}

// A reason attached to the instruction, kept for the context line.
const REASON =
  /(?:,|;|\s-|\s—)?\s*\b(because|since|as otherwise|otherwise|so that|we don'?t want to|i don'?t want to)\b(.*)$/i;

function splitReason(s: string): { body: string; reason?: string } {
  const m = REASON.exec(s);
  if (!m || m.index < 8) return { body: s };
  const reason = `${m[1]}${m[2] ?? ''}`.trim();
  return { body: s.slice(0, m.index).trim(), reason };
}

// Bodies of "make sure ..." that start with a verb take "to".
const VERB_START =
  /^(?:to\s|(?:split|use|run|keep|add|put|write|check|update|read|follow|include|avoid|test|call|pass|store|commit|document|remove|name|place|create|log|return|throw|handle|validate|wrap|ask|append|change|mention|clean|close|delete|install|print|send|set|show|sort|start|stop|verify)\b)/i;

// "If your plan changes, append the reasons ...", "As we make changes, make sure ...".
const CONDITION =
  /^(if|when|whenever|every time|each time|as|before|after|once) ([^,]{3,80}),\s*(.+)$/i;
// Instructions that stand alone after such a condition.
const BARE_IMPERATIVE =
  /^(?:append|use|run|ask first|add|keep|put|write|update|prefer|avoid|check|read|commit|record|log|document|mention|note|leave|include|place|store)\b/i;

function emphasis(raw: string): number {
  let e = 0;
  if (/\b[A-Z]{3,}\b(?:\s+[A-Z]{2,}\b)+/.test(raw)) e += 0.1; // "DO NOT CHANGE"
  if (/!/.test(raw)) e += 0.05;
  if (/\b(?:always|never|must|every time|each time|again)\b/i.test(raw)) e += 0.05;
  return e;
}

/** Words that mark a sentence as a lasting rule rather than a request for now. */
const LASTING =
  /\b(?:from now on|going forward|moving forward|in the future|next time|from here on|for future reference|as a rule|every time|each time|always|never)\b/i;

/** Scope words: the rule holds across the project. */
const SCOPE =
  /\b(?:everywhere|in this (?:repo(?:sitory)?|project|codebase|code base|service|app|team)|across the (?:repo|project|codebase)|for all|in all|throughout)\b/i;

/** Words that make a sentence read as a rule. */
const RULE_WORD =
  /\b(?:never|always|not|only|directly|everywhere|instead|rather than|next to|beside|alongside|each|every|all)\b/i;

const COMMON_WE_VERBS = new Set(
  'use rely prefer keep put store write run follow name place track test deploy format prefix avoid never dont don stub mock pin vendor lint build release wrap log validate import export colocate target support document tag squash rebase merge commit review'.split(
    ' ',
  ),
);

const BREVITY =
  /\b(?:keep (?:it|them|answers?|replies|responses|your (?:answers?|replies|responses)) (?:brief|short|concise|terse)|answer (?:briefly|concisely|in (?:one|a few|two) (?:lines?|sentences?))|(?:be|stay) (?:brief|concise|terse)(?! in (?:the |your )?(?:changes|code|edits|diffs?|implementation))|(?:shorter|brief|concise|terse) (?:answers?|replies|responses)|(?:too|way too) (?:long|verbose|wordy)|less verbose)\b/i;

/** "keep it brief next time, I just need a one-line summary" -> a clean brevity rule. */
function brevity(sentence: string): string {
  const need = /\bi (?:just |only )?need (?:is )?(?:a |an |the )?([^,.;]{3,60})/i.exec(
    sentence,
  )?.[1];
  const skip = /\bi don'?t need (?:the |any |all the )?([^,.;]{3,60})/i.exec(sentence)?.[1];
  if (skip) return `keep answers brief; skip the ${skip.replace(/^the\s+/i, '')}`;
  if (need) return `keep answers brief: a ${need.replace(/^(?:a|an|the)\s+/i, '')} is enough`;
  return 'keep answers brief';
}

function lowerFirst(s: string): string {
  // Keep identifiers (`Booking.changeset`, `API`) as written.
  return /^[A-Z][a-z]+\b(?![.(])/.test(s) && !/^[A-Z][a-z]+[A-Z]/.test(s)
    ? s.charAt(0).toLowerCase() + s.slice(1)
    : s;
}

interface Rule {
  kind: PhraseKind;
  re: RegExp;
  /** Builds the instruction body from the match; returns undefined to reject. */
  build: (m: RegExpExecArray, ctx: PhraseContext) => string | undefined;
  strength: number;
  /** Only when the turn is corrective, follows a stop, or talks about conventions. */
  needsContext?: boolean;
}

const rest = (m: RegExpExecArray, i = 1) => (m[i] ?? '').trim().replace(/[.!;,]+$/, '');

// Ordered: the first rule that matches wins.
const RULES: Rule[] = [
  // "keep it brief", "answer briefly from now on, I don't need the background explanations"
  {
    kind: 'preference',
    re: BREVITY,
    build: (m) => brevity(m.input),
    strength: 0.75,
  },
  // "instead of print() use the structlog logger"
  {
    kind: 'convention',
    re: /^instead of (.+?),?\s+(use|call|write|prefer|run|import|go through|put)\s+([^,;]+)(?:[,;]\s*(.+))?$/i,
    build: (m) => {
      const tail = rest(m, 4);
      const main = `${(m[2] ?? '').toLowerCase()} ${rest(m, 3)} instead of ${rest(m)}`;
      return tail ? `${main}, ${tail}` : main;
    },
    strength: 0.7,
  },
  // "we're on uv now, poetry is deprecated here" / "getServerSideProps is deprecated here, ..."
  {
    kind: 'convention',
    re: /^(?:we'?re|we are) (?:on|using|moving to|moved to) ([^,]+?)(?: now)?,\s*([^,]+?) is (?:deprecated|legacy|going away|not used anymore|dead)\b(?: (?:here|in this \w+))?(.*)$/i,
    build: (m) => `use ${rest(m)}, not ${rest(m, 2)} (${rest(m, 2)} is deprecated here)`,
    strength: 0.75,
  },
  {
    kind: 'convention',
    re: /^([\w@./()`'-]+(?: [\w@./()`'-]+){0,2}) (?:is|are) (?:deprecated|legacy|not used anymore|banned|forbidden)\b(?: (?:here|in this (?:repo(?:sitory)?|project|codebase)))?(?:,\s*(.+))?$/i,
    build: (m) => {
      const what = rest(m);
      if (/^(?:it|this|that|they|these|those|the (?:code|test|file|function))$/i.test(what))
        return undefined;
      const why = rest(m, 2);
      return why
        ? `don't use ${what} (deprecated here; ${why})`
        : `don't use ${what}; it is deprecated here`;
    },
    strength: 0.75,
  },
  // "I told you not to touch Booking.changeset"
  {
    kind: 'correction',
    re: /^i (?:told|asked) you (not to|never to|to always|to) (.+)$/i,
    build: (m) => {
      const how = (m[1] ?? '').toLowerCase();
      const body = rest(m, 2);
      if (how === 'to' && !/\b(?:always|never|every|each|only)\b/i.test(body)) return undefined;
      return how.startsWith('not') || how.startsWith('never')
        ? `do not ${body}`
        : `always ${body.replace(/^always\s+/i, '')}`;
    },
    strength: 0.8,
  },
  // "let's stick to tailwind for styling", "let's keep using bash", "let's always ..."
  {
    kind: 'convention',
    re: /^let'?s (stick (?:to|with)|keep using|always|never|standardi[sz]e on|use)\s+(.+)$/i,
    build: (m, ctx) => {
      const verb = (m[1] ?? '').toLowerCase();
      const body = rest(m, 2);
      // "let's use recharts for the sparkline" is a choice for this task only.
      if (verb === 'use' && !ctx.lasting && !SCOPE.test(body)) return undefined;
      if (verb === 'keep using' && !ctx.lasting && !SCOPE.test(body)) return undefined;
      const lead = verb.startsWith('stick') ? 'use' : verb === 'keep using' ? 'keep using' : verb;
      return `${lead} ${body}`;
    },
    strength: 0.7,
  },
  // "tests should be colocated next to the component, not in __tests__"
  {
    kind: 'convention',
    re: /^((?:[\w@./`-]+\s+){0,3}[\w@./`-]+)\s+(?:should|must|need to|needs to|have to|has to)\s+(always\s+|never\s+|not\s+)?be\s+(\w+ed)\b\s*(.*)$/i,
    build: (m, ctx) => {
      const subject = rest(m);
      if (/^(?:it|this|that|these|those|they|there|i|you|we|he|she|which|what)$/i.test(subject))
        return undefined;
      if (/\buser\b/i.test(subject)) return undefined;
      const body = rest(m, 4);
      if (!ctx.corrective && !ctx.conventionTurn && !ctx.lasting && !RULE_WORD.test(body))
        return undefined;
      const adv = (m[2] ?? '').trim().toLowerCase();
      const verb = baseForm(m[3] ?? '');
      const lead = adv === 'never' || adv === 'not' ? `never ${verb}` : verb;
      return `${lead} ${lowerFirst(subject)} ${body}`.trim();
    },
    strength: 0.7,
  },
  // "the LiveView should never call Repo directly, go through the Bookings context"
  {
    kind: 'convention',
    re: /^((?:the |our |all |every |each |no )?(?:[\w@./`-]+\s+){0,2}[\w@./`-]+)\s+(?:should|must)\s+(never|always|not|only)\s+(?!be\b)(.+)$/i,
    build: (m) => {
      const subject = rest(m);
      if (/^(?:it|this|that|these|those|they|there|i|you|we|he|she|which|what)$/i.test(subject))
        return undefined;
      if (/\buser\b/i.test(subject)) return undefined;
      return `${capitalise(subject)} should ${(m[2] ?? '').toLowerCase()} ${rest(m, 3)}`;
    },
    strength: 0.7,
  },
  // "in this codebase we stub HTTP with webmock in specs, never hit the real API"
  {
    kind: 'convention',
    re: /^(?:in (?:this|our|the) (?:repo(?:sitory)?|project|codebase|code base|team|monorepo|service|app),?\s*)?we (?:always |usually |only |generally )?((?!(?:are|were|was|have|had|need|can|could|should|will|would|might|may|must|did|got|get|see|saw|know|think|want|tried|found|just|also|then|still|now|really|probably|maybe)\b)[a-z]+)\s+(.+)$/i,
    build: (m, ctx) => {
      const verb = (m[1] ?? '').toLowerCase();
      if (/(?:ed|ing)$/.test(verb) && verb !== 'need') return undefined;
      const body = rest(m, 2);
      const scoped = /^in (?:this|our|the) /i.test(m.input) || ctx.lasting || SCOPE.test(body);
      if (!COMMON_WE_VERBS.has(verb) && !scoped) return undefined;
      if (verb === 'never' || verb === 'dont' || verb === 'don') return `never ${body}`;
      return `${verb} ${body}`;
    },
    strength: 0.7,
  },
  // "we use vitest, not jest", "we rely on task-master, not a file", "in this repo we use pnpm"
  {
    kind: 'convention',
    re: /^(?:in (?:this|our|the) (?:repo(?:sitory)?|project|codebase|code base|team|monorepo),?\s*)?we (?:always |usually |only |generally )?(use|rely on|prefer|keep|put|store|write|run|follow|name|place|track|test|deploy|format|prefix|avoid|never|don'?t|do not)\b\s*(.+)$/i,
    build: (m) => {
      const verb = (m[1] ?? '').toLowerCase();
      const obj = rest(m, 2).replace(/^(?:in|into)\s+(?=a file)/i, '');
      if (obj.split(/\s+/).length < 1) return undefined;
      if (verb === 'never' || verb.startsWith('don') || verb === 'do not') return `never ${obj}`;
      return `${verb} ${obj}`;
    },
    strength: 0.7,
  },
  // "in this repo tests live next to source", "our convention is to ..."
  {
    kind: 'convention',
    re: /^(?:in (?:this|our) (?:repo(?:sitory)?|project|codebase|monorepo),?\s+|our (?:convention|rule|standard|style) is (?:to |that )?|the (?:main )?(?:rule|directive|convention) is (?:to |that )?)(.+)$/i,
    build: (m) => {
      const body = rest(m);
      // "our convention is table-driven tests with t.Run subtests": a noun phrase.
      const nounPhrase =
        /^(?:our|the) (?:convention|rule|standard|style) is (?!to |that )/i.test(m.input) &&
        !VERB_START.test(body) &&
        !/^(?:we|you|i|all|every|each|never|always)\b/i.test(body);
      return nounPhrase ? `use ${body}` : body;
    },
    strength: 0.7,
  },
  // "as a rule, we want to organize all business logic in per-domain modules"
  {
    kind: 'convention',
    re: /^we want (?:to )?(.+)$/i,
    build: (m, ctx) => (ctx.conventionTurn ? rest(m) : undefined),
    strength: 0.65,
    needsContext: true,
  },
  // "i prefer X", "i'd prefer X", "i would prefer for this to be X"
  {
    kind: 'preference',
    re: /^i(?:'d| would)? (?:really |strongly |much )?prefer (?:for |that )?(.+)$/i,
    build: (m) => `prefer ${rest(m)}`,
    strength: 0.75,
  },
  // "i hate .sh tests", "i don't like X"
  {
    kind: 'preference',
    re: /^i (?:really )?(?:hate|dislike|don'?t like|do not like|can'?t stand)\s+(.+)$/i,
    build: (m) => `avoid ${rest(m)}`,
    strength: 0.8,
  },
  // "i like it when you ...", "i always want ..."
  {
    kind: 'preference',
    re: /^i (?:always |usually )want (?:you to )?(.+)$/i,
    build: (m) => `always ${rest(m)}`,
    strength: 0.75,
  },
  // "please keep answers brief", "keep the comments"
  {
    kind: 'preference',
    re: /^(?:always )?(keep|leave|preserve) (?!in mind|going|trying)(.+)$/i,
    build: (m, ctx) => {
      const body = `${(m[1] ?? '').toLowerCase()} ${rest(m, 2)}`;
      // Short "keep X" is a correction when it answers something the assistant did.
      return ctx.corrective ||
        ctx.afterStop ||
        /\b(?:always|answers?|replies|responses|brief|short|concise)\b/i.test(body)
        ? body
        : body.split(/\s+/).length <= 5
          ? body
          : undefined;
    },
    strength: 0.65,
  },
  // "keep in mind often i have multiple sessions running in the same folder"
  {
    kind: 'convention',
    re: /^(?:keep in mind|remember|note) (?:that )?((?:often |usually |always )?(?:i|we) (?:often |usually |always |typically )?(?:have|run|use|work|keep|deploy)\b.+)$/i,
    build: (m) =>
      `keep in mind that ${rest(m).replace(
        /^(?:(often|usually|always) )?(?:i|we) (?:(often|usually|always|typically) )?(\w+)/i,
        (_a, adv1?: string, adv2?: string, verb?: string) =>
          `the user ${(adv1 ?? adv2) ? `${adv1 ?? adv2} ` : ''}${thirdPerson(verb ?? '')}`,
      )}`,
    strength: 0.65,
  },
  // "never X", "always X", "do not X", "don't X", "stop X", "avoid X"
  {
    kind: 'correction',
    re: /^(never|always|do not|don'?t|dont|stop|avoid)\s+(.+)$/i,
    build: (m, ctx) => {
      const lead = (m[1] ?? '').toLowerCase().replace(/^dont$/, "don't");
      const body = rest(m, 2);
      if (/^(?:worry|bother|know|care|think|mind|forget to)\b/i.test(body)) return undefined;
      if (lead === 'never' && /^mind\b/i.test(body)) return undefined;
      // "don't stop until the tests pass" is a completion criterion of one task.
      if (/\buntil\b/i.test(body)) return undefined;
      if (lead === 'always' || lead === 'never') return `${lead} ${body}`;
      if (!ctx.corrective && !ctx.afterStop && body.split(/\s+/).length < 2) return undefined;
      return `${lead} ${body}`;
    },
    strength: 0.7,
  },
  // "prefer named exports, no default exports in this codebase"
  {
    kind: 'preference',
    re: /^prefer\s+(.+)$/i,
    build: (m) => `prefer ${rest(m)}`,
    strength: 0.7,
  },
  // "use tabs, not spaces", "the API needs %20, use quote() instead of params="
  {
    kind: 'correction',
    re: /(?:^|,\s*)((?:use|write|put|call|keep|run|pass)\s.+?\b(?:not|instead of|rather than|never)\b.+)$/i,
    build: (m) => rest(m),
    strength: 0.7,
  },
  // "wait, run the type checker before the tests" (after an interrupt or a correction)
  {
    kind: 'correction',
    re: /^((?:run|call|check|read|build|lint|format|test)\s.+?\b(?:before|after|first)\b.+)$/i,
    build: (m, ctx) => (ctx.afterStop || ctx.corrective ? rest(m) : undefined),
    strength: 0.7,
    needsContext: true,
  },
  // "you didn't change the actual function code" -> "Make sure to change the actual function code."
  {
    kind: 'correction',
    re: /^you (?:did ?n[o']?t|did not|forgot to|never)\s+(\w+)\s+(.+)$/i,
    build: (m) => `make sure to ${(m[1] ?? '').toLowerCase()} ${rest(m, 2)}`,
    strength: 0.7,
  },
  // "you only made changes to the comments" -> "Do not only make changes to the comments."
  {
    kind: 'correction',
    re: /^you only (\w+)\s+(.+)$/i,
    build: (m) => `do not only ${baseForm(m[1] ?? '')} ${rest(m, 2)}`,
    strength: 0.7,
  },
  // "no, use pnpm" / "that's not right, use X"
  {
    kind: 'correction',
    re: /^(?:no|nope|nah|wrong|not like that|that'?s not (?:right|it)|that is not right|this is(?:n'?t| not) right|that'?s wrong|this is wrong)\b[\s,.;:!-]+(.+)$/i,
    build: (m, ctx) => directiveBody(rest(m), ctx),
    strength: 0.8,
  },
  // "X should be Y" / "each rule should be a distinct mdc file"
  {
    kind: 'correction',
    re: /^((?:each|every|all|the|our|my)\s+[^,]{2,60}?)\s+(should|must|need to|needs to|have to|has to)\s+(?:always\s+)?(be|go|live|use|stay|come|have|start|end|follow|sit)\b\s*(.*)$/i,
    build: (m, ctx) => {
      if (!(ctx.corrective || ctx.afterStop || ctx.conventionTurn)) return undefined;
      // "the user should be able to ..." describes a feature, not how to work.
      if (/\buser\b/i.test(m[1] ?? '') || /^be able\b/i.test(`${m[3]} ${m[4]}`)) return undefined;
      return `${rest(m)} ${m[2]} ${m[3]} ${rest(m, 4)}`.trim();
    },
    strength: 0.7,
    needsContext: true,
  },
  // "Bullet lists use the - marker", said while stating conventions
  {
    kind: 'convention',
    re: /^((?:[A-Z][\w-]*\s+)?[\w-]+(?:\s+[\w-]+)?)\s+(use|uses|go|goes|live|lives|start|starts|end|ends|are|is)\s+(.+)$/,
    build: (m, ctx) => (ctx.conventionTurn ? `${rest(m)} ${m[2]} ${rest(m, 3)}` : undefined),
    strength: 0.65,
    needsContext: true,
  },
  // "make sure to split subcommands into their own directories", "ensure each sentence ..."
  {
    kind: 'correction',
    re: /^(?:make sure|ensure|be sure)(?: to| that)?\s+(.+)$/i,
    build: (m, ctx) => {
      const body = rest(m);
      // Rule-like: quantifiers or output/format words; a one-off "make sure it is clear" is not.
      if (/^(?:it|this|that|you)\b/i.test(body)) return undefined;
      if (
        !/\b(?:each|every|all|always|never|only|any|doesn'?t|don'?t|not|instead|rather)\b/i.test(
          body,
        ) &&
        !ctx.conventionTurn
      ) {
        return undefined;
      }
      return VERB_START.test(body)
        ? `make sure to ${body.replace(/^to\s+/i, '')}`
        : `make sure ${body}`;
    },
    strength: 0.65,
  },
  // "for numbered lists, pad the marker ..." when stating conventions
  {
    kind: 'convention',
    re: /^(for [^,]{3,60}),\s*(.+)$/i,
    build: (m, ctx) => (ctx.conventionTurn ? `${rest(m)}, ${rest(m, 2)}` : undefined),
    strength: 0.65,
    needsContext: true,
  },
  // "we need to be careful when expecting content from an LLM response because ..."
  {
    kind: 'correction',
    re: /^(?:[\w\s-]{0,30}:\s*)?(?:we |you )?(?:need|have) to be careful (when|with|about|not to)\s+(.+)$/i,
    build: (m) => `be careful ${(m[1] ?? '').toLowerCase()} ${rest(m, 2)}`,
    strength: 0.7,
  },
  // "move X to test/ to be with other test files" -> "Keep test files in test/ with the other test files."
  {
    kind: 'convention',
    re: /^(?:move|put|place)\s+\S+\s+(?:to|in|into|under)\s+`?([\w@./-]+)`?\s+to be with (?:the )?other\s+(.+)$/i,
    build: (m) => `keep ${rest(m, 2)} in ${rest(m)}`,
    strength: 0.7,
  },
  // "I updated import paths to use absolute `@/src/` instead of local `./`"
  {
    kind: 'convention',
    re: /^i (?:also )?(?:updated|changed|switched|converted|moved) (.+?) to (?:use )?(.+?) instead of (.+)$/i,
    build: (m) => `use ${rest(m, 2)} instead of ${rest(m, 3)} for ${rest(m)}`,
    strength: 0.65,
  },
  // "revert X and instead make the change to style.css"
  {
    kind: 'correction',
    re: /^(?:can you |please )?revert (.+?) and instead (.+)$/i,
    build: (m) => `${rest(m, 2)} instead of ${rest(m)}`,
    strength: 0.7,
  },
  // "can you revert the unnecessary functions you removed? removing them broke ..."
  {
    kind: 'correction',
    re: /^removing (.+?) broke (.+)$/i,
    build: (m, ctx) => {
      // "can you revert the unnecessary functions you removed? removing them broke ..."
      const named = /\b(the [\w\s-]{3,40}?) you (?:removed|deleted)\b/i.exec(
        ctx.previous ?? '',
      )?.[1];
      const what = /^(?:it|them|this|that|those|these)$/i.test(rest(m)) && named ? named : rest(m);
      return `do not remove ${what} without checking: removing them broke ${rest(m, 2)}`;
    },
    strength: 0.75,
  },
];

/**
 * Turns the part after a correction marker ("no, <here>") into an instruction, when it is one.
 */
function directiveBody(body: string, ctx: PhraseContext): string | undefined {
  const s = stripFillers(body);
  if (!s || s.endsWith('?')) return undefined;
  for (const rule of RULES) {
    if (rule.kind === 'correction' && rule.re.source.startsWith('^(?:no|nope')) continue;
    const m = rule.re.exec(s);
    if (m) return rule.build(m, { ...ctx, corrective: true });
  }
  // "no, use pnpm" / "no, throw a RangeError": a bare imperative after "no" is the fix.
  if (/^(?:use|throw|return|put|keep|call|pass|import|run|prefer|write|name|place)\b/i.test(s))
    return s;
  return undefined;
}

/**
 * Recognises a lasting instruction in one sentence, or returns undefined.
 *
 * Rejects questions, one-off task requests, sentences that only point at what is on screen,
 * and text that is not mostly Latin script (no rule here is known to hold for it).
 */
export function parseDirective(rawSentence: string, ctx: PhraseContext): Directive | undefined {
  const raw = rawSentence
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\((.+)\)$/, '$1');
  if (raw.length < 8 || raw.length > 320) return undefined;
  if (!isMostlyLatin(raw)) return undefined;
  const s = stripFillers(raw)
    .replace(/\b[A-Z]{2,}(?:\s+[A-Z']{2,})+\b/g, (run) => run.toLowerCase())
    .replace(/^(?:can|could|would) you (?=revert\b.*\binstead\b)/i, '')
    .replace(/^(?:do not|don'?t) ever\b/i, 'never')
    .replace(/^stop (\w+ing)\b/i, (_a, g: string) => `don't ${ingBase(g)}`);
  if (!s || s.endsWith('?') || QUESTION_START.test(s)) return undefined;
  if (/^(?:never ?mind|nvm|scratch that|forget (?:that|it)|on second thought)\b/i.test(s))
    return undefined;
  const here: PhraseContext = { ...ctx, lasting: ctx.lasting === true || LASTING.test(raw) };
  const cond = CONDITION.exec(s);
  if (cond && !here.inCondition) {
    const main = stripFillers(cond[3] ?? '');
    const inner = BARE_IMPERATIVE.test(main)
      ? {
          instruction: toSentence(main),
          reason: undefined,
          kind: 'preference' as PhraseKind,
          strength: 0.65,
        }
      : parseDirective(main, { ...here, inCondition: true, conventionTurn: true });
    if (inner && isInstruction(inner.instruction)) {
      const head = `${cond[1]} ${cond[2]}`.trim();
      const d: Directive = {
        kind: inner.kind,
        quote: raw,
        instruction: toSentence(
          `${head}, ${inner.instruction.charAt(0).toLowerCase()}${inner.instruction.slice(1)}`,
        ),
        strength: Math.min(1, inner.strength + emphasis(raw)),
      };
      if (inner.reason) d.reason = inner.reason;
      return d;
    }
    return undefined;
  }
  for (const rule of RULES) {
    const m = rule.re.exec(s);
    if (!m) continue;
    const built = rule.build(m, here);
    if (!built) continue;
    const d = finishDirective(rule.kind, raw, built, rule.strength, here);
    if (d) return d;
  }
  // "from now on wrap errors with fmt.Errorf and %w": a plain imperative made lasting.
  if (
    here.lasting &&
    IMPERATIVE_START.test(s.charAt(0).toLowerCase() + s.slice(1)) &&
    !/\b(?:this|that|these|those)\b|\bto (?:avoid|prevent)\b/i.test(s)
  ) {
    const d = finishDirective('preference', raw, s, 0.7, here);
    if (d) return d;
  }
  // An answer to the assistant's question: "formatMoney helper in src/lib/money.ts, never inline toFixed".
  if (ctx.answer) {
    const m =
      /^([^,;]{3,80}?)\s*[,;]\s*((?:never|always|don'?t|do not|no|not|only|avoid)\b.+)$/i.exec(s);
    if (m && !IMPERATIVE_START.test(m[1] ?? '') && !/^(?:yes|no|ok|sure)\b/i.test(m[1] ?? '')) {
      const np = (m[1] ?? '').trim();
      // "formatMoney helper in ..." -> "the formatMoney helper"; "sidekiq_retry_in with ..." stays bare.
      const lead =
        /^\S+ (?:helper|function|module|class|method|service|hook|component|library|package|util(?:ity)?|wrapper|endpoint|table|file|config|setting|command|script)s?\b/i.test(
          np,
        )
          ? 'the '
          : '';
      const d = finishDirective('convention', raw, `use ${lead}${np}; ${m[2]}`, 0.7, here);
      if (d) return d;
    }
  }
  return undefined;
}

// First words that read as an imperative verb.
const IMPERATIVE_START =
  /^(?!(?:i|we|you|it|this|that|these|those|there|the|a|an|my|our|your|he|she|they|is|are|was|were|what|why|how|if|when|so|ok|okay|yes|no|thanks|please|maybe|just|also|good|great|nice|now|then|here)\b)[a-z]{2,}(?<!ing|ed|ly|s)\b(?![./(])/;

const ING_BASE: Record<string, string> = {
  adding: 'add',
  using: 'use',
  making: 'make',
  writing: 'write',
  creating: 'create',
  running: 'run',
  putting: 'put',
  changing: 'change',
  removing: 'remove',
  committing: 'commit',
  leaving: 'leave',
  hardcoding: 'hardcode',
  inlining: 'inline',
  wrapping: 'wrap',
  skipping: 'skip',
  deleting: 'delete',
  guessing: 'guess',
  setting: 'set',
  getting: 'get',
  hitting: 'hit',
  stopping: 'stop',
  moving: 'move',
  generating: 'generate',
  rewriting: 'rewrite',
  introducing: 'introduce',
  ignoring: 'ignore',
  shipping: 'ship',
};

/** "adding" -> "add", for "stop adding X" -> "don't add X". */
function ingBase(gerund: string): string {
  const g = gerund.toLowerCase();
  return ING_BASE[g] ?? g.replace(/ing$/, '');
}

/** Tidies a built instruction into a directive, or undefined when it does not read as one. */
function finishDirective(
  kind: PhraseKind,
  raw: string,
  built: string,
  base: number,
  ctx: PhraseContext,
): Directive | undefined {
  // "..., note that in CONVENTIONS.md" asks to record the rule; it is not part of it.
  let text = built.replace(
    /,?\s+(?:and )?(?:note|record|add|put|write) (?:that|this|it) (?:down )?(?:in|to) \S+$/i,
    '',
  );
  // "..., fold that into the existing table": a request about the work at hand.
  text = text.replace(
    /,\s*(?:and )?(?:fold|put|move|add|apply|merge|change|fix|do) (?:that|this|it|them)\b[^;]*$/i,
    '',
  );
  const { body: b1, reason: r1 } = splitReason(text);
  const { body, reason: r2 } = splitStatementReason(b1);
  const reason = r1 ?? r2;
  const tidy = tidyClauses(body);
  if (!isInstruction(tidy) || tidy.length > 170) return undefined;
  const strength = Math.min(
    1,
    base + emphasis(raw) + (ctx.afterStop ? 0.1 : 0) + (ctx.corrective ? 0.05 : 0),
  );
  const d: Directive = { kind, quote: raw, instruction: toSentence(tidy), strength };
  if (reason) d.reason = reason;
  return d;
}

// ", the output is unreadable" / ", that goes through the release pipeline only": a reason.
const STATEMENT_CLAUSE =
  /,\s*((?:the|this|that|it|these|those|they)\b[^,;]{0,20}?\s(?:is|are|was|'s|comes|come|goes|go|lives|runs|has|have|breaks|makes|gets|belongs)\b.*|it'?s\b.*|this'?s\b.*|that'?s\b.*)$/i;

function splitStatementReason(s: string): { body: string; reason?: string } {
  const m = STATEMENT_CLAUSE.exec(s);
  if (!m || m.index < 12) return { body: s };
  return { body: s.slice(0, m.index).trim(), reason: (m[1] ?? '').trim() };
}

/** ", never hit the real API" -> "; never hit the real API"; ", we use X" -> "; use X". */
function tidyClauses(s: string): string {
  return s
    .replace(
      /,\s+(?:and\s+)?(?:we\s+)?(never|don'?t|do not|always|avoid|use|import|go through|prefer|no|keep|put|call|fetch|run)\b/gi,
      (_a, w: string) => `; ${w.toLowerCase()}`,
    )
    .replace(/\s+;/g, ';');
}

/** True when the built text reads as an instruction: enough words, no dangling reference. */
function isInstruction(body: string): boolean {
  const words = body.split(/\s+/).filter(Boolean);
  if (words.length < 3 || words.length > 45) return false;
  if (/(?:\.\.\.|…)$/.test(body)) return false;
  // Ends on a word that needs an object ("use the", "instead of").
  if (/\b(?:the|a|an|to|of|and|or|with|for|instead of|like)$/i.test(body)) return false;
  return true;
}

/** True when most letters are Latin script (Chinese or Japanese text is skipped). */
export function isMostlyLatin(text: string): boolean {
  let latin = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) latin++;
    else if (c > 0x2e80) other++;
  }
  return latin > 0 && other * 2 < latin;
}
