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
}

// Leading words that carry no instruction: fillers, politeness, discourse markers.
const FILLER =
  /^(?:(?:ok(?:ay)?|so|and|but|also|wait|well|hmm+|mm+|yes|yeah|great|good|nice|thanks|thank you|please|pls|note that|note:|in terms of [^,]{1,40},|i (?:would like to )?remind you(?: of)?(?: that)?(?: the (?:main |key |one )?(?:directive|rule|convention|principle)s?)?(?: that| is)?|remember(?: that)?(?= (?:to|always|never|we|you)\b)|as a rule|in general|generally|going forward|from now on|in the future|btw|by the way|actually|again|one more thing|important|fyi)(?:\b|(?<=[,:]))[\s,:;!.-]*)+/i;

const CORRECTION_MARKER =
  /^(?:no|nope|nah|wrong|not like that|not quite|that'?s not (?:right|it|what i)|that is not (?:right|what i)|this is(?:n'?t| not) (?:right|what i)|that'?s wrong|this is wrong|incorrect|you (?:did ?n[o']t|only|forgot|missed|removed|broke|ignored)|why did you|i (?:said|told you|asked you to)|stop\b|undo\b|revert\b)/i;

const QUESTION_START =
  /^(?:can|could|would|will|should|shall|do(?! not\b)|does|did|is|are|was|were|what|why|how|where|when|which|who|whose|have|has)\b/i;

// One-off task openers: requests to do something now, not rules for later.
const TASK_START =
  /^(?:now\b|then\b|next\b|let'?s|go ahead|lets|add|create|write|implement|build|make (?:a|an|the|it|this|me)\b|fix|update|change|rename|move|delete|remove|run|check|look|review|explain|show|give|tell|find|try|start|continue|proceed|commit|push|generate|refactor|simplify|port|initialize|initialise|install|compare|analy[sz]e|summari[sz]e|document|test|debug|investigate|help)\b/i;

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

/** Words that show the text is about something seen right now, not a rule for later. */
const DEICTIC_ONLY = /^(?:it|this|that|these|those|they|there|here)\b/i;

function emphasis(raw: string): number {
  let e = 0;
  if (/\b[A-Z]{3,}\b(?:\s+[A-Z]{2,}\b)+/.test(raw)) e += 0.1; // "DO NOT CHANGE"
  if (/!/.test(raw)) e += 0.05;
  if (/\b(?:always|never|must|every time|each time|again)\b/i.test(raw)) e += 0.05;
  return e;
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
    build: (m) => rest(m),
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
  const raw = rawSentence.replace(/\s+/g, ' ').trim();
  if (raw.length < 8 || raw.length > 320) return undefined;
  if (!isMostlyLatin(raw)) return undefined;
  const s = stripFillers(raw)
    .replace(/\b[A-Z]{2,}(?:\s+[A-Z']{2,})+\b/g, (run) => run.toLowerCase())
    .replace(/^(?:can|could|would) you (?=revert\b.*\binstead\b)/i, '');
  if (!s || s.endsWith('?') || QUESTION_START.test(s)) return undefined;
  const cond = CONDITION.exec(s);
  if (cond && !ctx.inCondition) {
    const main = stripFillers(cond[3] ?? '');
    const inner = BARE_IMPERATIVE.test(main)
      ? {
          instruction: toSentence(main),
          reason: undefined,
          kind: 'preference' as PhraseKind,
          strength: 0.65,
        }
      : parseDirective(main, { ...ctx, inCondition: true, conventionTurn: true });
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
    const built = rule.build(m, ctx);
    if (!built) continue;
    // "..., note that in CONVENTIONS.md" asks to record the rule; it is not part of it.
    const { body, reason } = splitReason(
      built.replace(
        /,?\s+(?:and )?(?:note|record|add|put|write) (?:that|this|it) (?:down )?(?:in|to) \S+$/i,
        '',
      ),
    );
    if (!isInstruction(body)) continue;
    const strength = Math.min(
      1,
      rule.strength + emphasis(raw) + (ctx.afterStop ? 0.1 : 0) + (ctx.corrective ? 0.05 : 0),
    );
    const d: Directive = { kind: rule.kind, quote: raw, instruction: toSentence(body), strength };
    if (reason) d.reason = reason;
    return d;
  }
  // "DO NOT CHANGE the contents" style emphasis after a task sentence in the same turn.
  if (TASK_START.test(s)) return undefined;
  if (DEICTIC_ONLY.test(s)) return undefined;
  return undefined;
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
