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
  /^(?:(?:ok(?:ay)?|so|and|but|also|wait|well|just(?= (?:assume|use|keep|write|run|put|give|call|prefer|stick|go|leave|make|do not|don'?t|never|always)\b)|hm+|mm+|yes|yeah|great|good|nice|thanks|thank you|please|pls|note that|note:|in terms of [^,]{1,40},|i (?:would like to )?remind you(?: of)?(?: that)?(?: the (?:main |key |one )?(?:directive|rule|convention|principle)s?)?(?: that| is)?|remember(?: that)?(?= (?:to|always|never|we|you)\b)|as a rule|in general|generally|going forward|from now on|in the future|for the future|btw|by the way|actually|again|one more thing(?: before (?:i|we) (?:stop|go|forget|wrap up))?|before (?:i|we) (?:stop|go|forget|wrap up)(?=[:,])|one (?:other )?thing(?: though)?(?=:)|important|fyi|ah|oh|hey|sorry|also for the future|just so you know(?: for the future)?|for (?:this|the) (?:repo(?:sitory)?|project|codebase)(?=:)|(?:quick )?(?:note|heads up)(?=:)|(?:i )?should have (?:said|mentioned|told you)(?: (?:this|that|it))?(?: (?:earlier|before|first))?|i (?:already )?told you(?: (?:already|before|earlier|yesterday|last \w+|this|that))*(?=,)|i (?:already )?said(?: (?:already|before|earlier|yesterday|last \w+))*(?=,))(?:\b|(?<=[,:]))[\s,:;!.-]*)+/i;

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
  let s = sentence
    .trim()
    .replace(/^(?:\p{Extended_Pictographic}|\u{FE0F}|\u{200D}|\s)+/u, '')
    .replace(/^(?:[-*•>\d.)\s]|\(\d{1,2}\))+(?=[A-Za-z])/, '');
  for (let i = 0; i < 3; i++) {
    const next = s.replace(FILLER, '');
    if (next === s) break;
    s = next;
  }
  // "one thing before tests - we keep ...": a short lead-in before a dash carries no rule.
  s = s.replace(
    /^[^-—–:.!?`]{1,50}?\s[-—–]\s+(?=(?:we|i|always|never|please|don'?t|do not|our|in (?:this|our)|every|all|nothing)\b)/i,
    '',
  );
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

/** "reads" -> "read", "goes" -> "go", "passes" -> "pass", "carries" -> "carry". */
function baseOfThird(verb: string): string {
  const v = verb.toLowerCase();
  if (/ies$/.test(v)) return v.replace(/ies$/, 'y');
  if (/(?:ss|sh|ch|x|z|o)es$/.test(v)) return v.replace(/es$/, '');
  return v.replace(/s$/, '');
}

function thirdPerson(verb: string): string {
  const v = verb.toLowerCase();
  if (v === 'have') return 'has';
  if (/(?:s|sh|ch|x|o)$/.test(v)) return `${v}es`;
  return `${v}s`;
}

function capitalise(s: string): string {
  if (/^[a-z][A-Z]/.test(s)) return s; // "iOS", "eBPF"
  return s ? (s[0]?.toUpperCase() ?? '') + s.slice(1) : s;
}

/** Makes a clean sentence: single spaces, no @-mentions sigil, first letter up, final period. */
export function toSentence(text: string): string {
  let s = text
    .replace(/\s+/g, ' ')
    .replace(/(^|\s)@(?=[\w./-])/g, '$1')
    .replace(/\s+([,.;:!?])(?=\s|$)/g, '$1')
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
  // ", CI fails otherwise": the whole clause is the reason.
  const tail = /,\s*([^,;]{3,60}\s+otherwise)[.!]?$/i.exec(s);
  if (tail && tail.index >= 8)
    return { body: s.slice(0, tail.index).trim(), reason: tail[1] ?? '' };
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
  /^(if|when|whenever|every time|each time|as|before|after|once) ([^,:]{3,80}),\s*(.+)$/i;
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
  /\b(?:from now on|going forward|moving forward|in the future|for the future|(?<!(?:maybe|perhaps|probably) )next time|from here on|for future reference|as a rule|every time|each time|always|never|(?:only|don'?t|do not) ever|ever again|should have (?:said|mentioned|told you)|just so you know|in general|for all (?:the )?\w+)\b/i;

/** ", that's the convention in this project" at the end of a rule. */
const CONVENTION_TAIL =
  /[,;]?\s*(?:that'?s|that is|this is|it'?s|it is|which is) (?:the|our|a) (?:convention|rule|standard|norm|house style|way we do it|pattern we use)\b[^,;]*$/i;

/** A reply that puts something off ("cool, maybe next time", "not now"). */
const DEFERRAL =
  /\b(?:maybe|perhaps|probably) (?:next time|later|another time|some other time)\b|^(?:not (?:now|today|yet|for now)|later)\b/i;

/**
 * A decision about the thing at hand ("leave it as is", "leave readiness alone", "keep it for
 * now"): without a generalising word it is not a lasting rule.
 */
const ONE_OFF =
  /\b(?:as (?:it is|is)|alone|for now|this time|right now|for this (?:one|pr|change|task|file|page|function)|should be (?:enough|fine|sufficient|plenty)|the [\w.-]+ thing|(?:treat|take) (?:it|this|that) as a rule|the one (?:you|i|we) (?:added|wrote|made|did))\b|^(?:leave|keep|don'?t (?:touch|change|rename|move|remove)|do not (?:touch|change|rename|move|remove)) (?:it|this|that|them|these|those)\b(?! (?:brief|short|concise|terse))/i;

/** Words that make a statement general rather than about the thing at hand. */
const GENERAL =
  /\b(?:always|never|ever|every|each|all|any|everywhere|in general|anywhere|whenever|by default)\b/i;

/** Scope words: the rule holds across the project. */
const SCOPE =
  /\b(?:everywhere|in this (?:repo(?:sitory)?|project|codebase|code base|service|app|team|library|lib|module|package|crate|firmware|schema)|across the (?:repo|project|codebase)|for all|in all|throughout)\b/i;

/** Words that make a sentence read as a rule. */
const RULE_WORD =
  /\b(?:never|always|not|only|directly|everywhere|instead|rather than|next to|beside|alongside|each|every|all)\b/i;

const COMMON_WE_VERBS = new Set(
  'use rely prefer keep put store write run follow name place track test deploy format prefix avoid never dont don stub mock pin vendor lint build release wrap log validate import export colocate target support document tag squash rebase merge commit review'.split(
    ' ',
  ),
);

const BREVITY =
  /\b(?:keep (?:it|them|answers?|replies|responses|your (?:answers?|replies|responses)) (?:brief|short|concise|terse)|answer (?:briefly|concisely|in (?:one|a few|two) (?:lines?|sentences?))|(?:be|stay) (?:brief|concise|terse)(?! in (?:the |your )?(?:changes|code|edits|diffs?|implementation))|(?:shorter|brief|concise|terse) (?:answers?|replies|responses)|answer (?:short|shorter|in short)|(?:answers?|replies|responses|explanations?|messages?|summar(?:y|ies)|output|that|this|it|you)(?:'s|'re| is| are| was| were) (?:way |much )?too (?:long|verbose|wordy)|less verbose|too verbose)\b/i;

// A plan, someone approving it, and an order: "first", "before", "until", "wait".
const PLAN_FIRST =
  /^(?=.{0,240}$)(?=.*\b(?:plans?|planning)\b)(?=.*\b(?:approv\w*|sign[- ]?off|go[- ]ahead|green light)\b)(?=.*\b(?:first|before|until|wait\w*|prior to)\b)(?!.*\b(?:terraform|tofu|pulumi|helm|cdk) plan\b)/i;

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
  // "First get my approval of your highly detailed plan", "don't start coding until I approve
  // the plan": how this user wants work to begin.
  {
    kind: 'preference',
    re: PLAN_FIRST,
    build: (m) =>
      `present a ${/\bdetailed\b/i.test(m.input) ? 'detailed ' : ''}plan for approval before writing code, and wait for the user's go-ahead`,
    strength: 0.7,
  },
  // "migrations that are on main are never edited here — add a new migration instead"
  {
    kind: 'convention',
    re: /^((?!(?:it|this|that|they|he|she|we|you|i)\b)(?:[\w.@/-]+ ){0,6}[\w.@/-]+?) (?:are|is) never ((?:re)?(?:edit|modifi|touch|chang|commit|delet|renam|remov|us|merg|push|deploy|hand-edit|reformatt|rebas|squash|amend|import|call|mock|log|stor|cach|expos)ed)(?: by hand)?(?: here| in this (?:repo|codebase|project))?\b(?:\s*[—–]\s*|\s+-\s+|[;:,]\s*)?(.*)$/i,
    build: (m) => {
      const participle = (m[2] ?? '').toLowerCase();
      const base = participle
        .replace(/ied$/, 'y')
        .replace(/(tt|ss)ed$/, (d: string) => d.slice(0, 1))
        .replace(/(edit|touch|push|deploy|import|call|log|expos|amend|squash)ed$/, '$1')
        .replace(/ed$/, 'e')
        .replace(/exposee$/, 'expose');
      const tail = (m[3] ?? '').trim();
      return `never ${base} ${m[1]}${tail ? `; ${tail}` : ''}`;
    },
    strength: 0.75,
  },
  // "numpy style please, that's what the rest of the package uses"
  {
    kind: 'preference',
    re: /^((?:[\w.@/+-]+ ){0,3}[\w.@/+-]+) please,?\s+(?:that'?s|it'?s|this is) what (.{5,})$/i,
    build: (m, ctx) => {
      // "add docstrings to the public functions. numpy style please": the style of what.
      const of =
        /\b(docstrings?|comments?|commit messages?|log messages?|tests?|names?|headings?|imports?|type hints?|annotations?)\b/i.exec(
          ctx.previous ?? '',
        )?.[1];
      const what =
        of && !m[1]?.toLowerCase().includes(of.toLowerCase()) ? ` for ${of.toLowerCase()}` : '';
      return `use ${m[1]}${what} (that's what ${m[2]})`;
    },
    strength: 0.7,
  },
  // "nothing in loop may block: no delay()", "nothing in src/ should import axios except client.ts"
  {
    kind: 'convention',
    re: /^nothing (in|under|inside|outside) (`?[\w./()*-]+`?(?: [\w./()*-]+)?) (may|should|can|must|is allowed to|gets to) ([a-z]+\b.{0,160})$/i,
    build: (m) => `nothing ${m[1]} ${m[2]} ${m[3]} ${m[4]?.replace(/:\s*/, ': ')}`,
    strength: 0.75,
  },
  // "we don't do NgModules anymore, everything is standalone since the v17 migration"
  {
    kind: 'convention',
    re: /^we (?:don'?t|do not) (?:do|use|write) (`?[\w.@/+-]+`?(?: [\w.@/+-]+)?) any ?more\b[,;.]?\s*(.*)$/i,
    build: (m) => {
      const tail = (m[2] ?? '').replace(/[.!\s]+$/, '');
      // "..., so pause the migration": what to do now, not part of the rule.
      return `don't use ${m[1]} any more${tail && !/^so\b/i.test(tail) ? `; ${tail}` : ''}`;
    },
    strength: 0.75,
  },
  // "you can drop the summaries at the end, i read the diff anyway"
  {
    kind: 'preference',
    re: /^you can (?:drop|skip|leave out|stop (?:writing|adding|giving))\s+(?:the\s+)?((?:\w+ ){0,3}\w+s)\b(.*)$/i,
    build: (m) => {
      const rest = (m[2] ?? '').replace(/[.!\s]+$/, '');
      // "the summaries at the end", "the recaps in every reply": a habit, not one thing now.
      if (!/\b(?:at the end|every|each|always|anyway|any more|anymore)\b/i.test(rest))
        return undefined;
      return `skip the ${m[1]}${rest}`;
    },
    strength: 0.7,
  },
  // "severity is page or ticket, not critical/warning" said as a correction.
  {
    kind: 'correction',
    re: /^((?!(?:it|this|that|they|there|the (?:problem|issue|bug|error|cause))\b)[a-z][\w -]{2,30}?) (?:is|are) (`?[\w./-]+`? or `?[\w./-]+`?),? not (`?[\w./-]+`?(?: or `?[\w./-]+`?)?)\b(.*)$/i,
    build: (m, ctx) =>
      ctx.corrective || ctx.afterStop ? `${m[1]} is ${m[2]} only, not ${m[3]}` : undefined,
    strength: 0.75,
  },
  // "validation errors are 422 not 400 in this api, all handlers"
  {
    kind: 'convention',
    re: /^((?!(?:it|this|that|they|there)\b)[a-z][\w -]{2,40}?) (is|are) (`?[\w./-]+`?),? not (`?[\w./-]+`?) (?:in|for|across) (?:this|the|our) (api|app|repo|project|codebase|service|site|package|library)\b,?\s*(.*)$/i,
    build: (m) =>
      `${m[1]} ${m[2]} ${m[3]}, not ${m[4]}, in this ${m[5]}${m[6] ? ` (${m[6].replace(/[.!\s]+$/, '')})` : ''}`,
    strength: 0.7,
  },
  // "no println, we log with clojure.tools.logging everywhere": what to use, and what not.
  {
    kind: 'convention',
    re: /^no (`?[\w./()-]+`?(?: [\w./()-]+)?),\s*we ((?:use|log|write|run|test|build|deploy|format|call|go through|store|keep)\b.{3,160})$/i,
    build: (m) => `${(m[2] ?? '').replace(/[.!\s]+$/, '')}, not ${m[1]}`,
    strength: 0.75,
  },
  // "no applies from here, ever, not even staging": a ban on a kind of action, kept as said.
  {
    kind: 'correction',
    re: /^no ([a-z][\w-]*(?: [\w-]+){0,3}?),? ever\b[,.]?\s*(not even .{2,60})?$/i,
    build: (m) => `no ${m[1]}, ever${m[2] ? `, ${m[2]}` : ''}`,
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
  // "add to CONVENTIONS.md: C99, no VLAs, no dynamic allocation": the user records the rules.
  {
    kind: 'convention',
    re: /^(?:please\s+)?(?:add|put|write|note|record|document)(?: (?:this|that|these|it))?(?: down)? (?:to|in|into) (?:the |our )?(CONVENTIONS\.md|CLAUDE\.md|AGENTS\.md|GEMINI\.md|CONTRIBUTING\.md|\.cursorrules|\.windsurfrules|[\w.-]*conventions?[\w.-]*|style ?guide|contributing guide|rules file)\s*:\s*(.{8,})$/i,
    build: (m) => rest(m, 2),
    strength: 0.8,
  },
  // "the DK's interface MCU runs CMSIS-DAP, so use pyocd: `pyocd flash …`": a fact and what it
  // means to do.
  {
    kind: 'convention',
    re: /^(?!(?:i|you)\b)([^,;]{10,120}?),?\s+so (?:please\s+)?((?:use|run|build with|flash with|call|go through|install with)\b.+)$/i,
    build: (m, ctx) =>
      ctx.corrective || ctx.afterStop || ctx.conventionTurn || ctx.lasting || /`/.test(m[2] ?? '')
        ? `${rest(m, 2)} (${rest(m)})`
        : undefined,
    strength: 0.7,
  },
  // "every commit here is `<subsystem>: <summary>` — amend it to …": how things look here.
  {
    kind: 'convention',
    re: /^(every|each|all) ([\w -]{2,30}?) (here|in this (?:repo(?:sitory)?|project|codebase|team)) (is|are|has|have|uses?|starts? with|follows?|looks? like) (.{3,120}?)(?:\s[—–-]\s.*)?[.!]?$/i,
    build: (m) =>
      `${(m[1] ?? '').toLowerCase()} ${rest(m, 2)} ${rest(m, 3)} ${rest(m, 4)} ${rest(m, 5)}`,
    strength: 0.7,
  },
  // "the env is managed by uv: `uv sync` to install": the tool that owns a part of the project.
  {
    kind: 'convention',
    re: /^(?:the |our )?([\w .-]{2,30}?) (?:is|are) (?:managed|handled|installed|deployed) (?:by|with|through|via) (`?[\w.@/-]+`?)(?:\s*(?::|,|—|-)\s*(.{4,}))?$/i,
    build: (m) => {
      const what = rest(m);
      if (/^(?:it|this|that|they|which|everything)\b/i.test(what)) return undefined;
      const how = rest(m, 3);
      return `use ${rest(m, 2)} for the ${what}${how ? `: ${how}` : ''}`;
    },
    strength: 0.7,
  },
  // "lualatex is the only engine this thesis builds with": the one tool that works here.
  {
    kind: 'convention',
    re: /^(`?[\w.+/-]+`?) is the only ([\w -]{2,30}?) (?:that )?((?:this|the|our|it|we) [\w -]{2,40}?(?:with|on|for)?)[.!]?$/i,
    build: (m) => {
      const what = rest(m);
      if (/^(?:it|this|that|there|which|what)$/i.test(what)) return undefined;
      return `use only ${what} (the only ${rest(m, 2)} ${rest(m, 3)})`;
    },
    strength: 0.7,
  },
  // "all scripts in scripts/ have to pass shellcheck, CI fails otherwise"
  {
    kind: 'convention',
    re: /^((?:all|every|each) [^,]{2,60}?) (?:have to|has to|must|need to|needs to) (pass|run|build|compile|match|include|use|go through|stay|be)\b\s*(.+)$/i,
    build: (m) => `${rest(m)} must ${(m[2] ?? '').toLowerCase()} ${rest(m, 3)}`,
    strength: 0.7,
  },
  // "we're on Svelte 5 here, please use runes: ...": what the platform asks of the code.
  {
    kind: 'convention',
    re: /^(?:we'?re|we are) (?:on|using) ([^,;:]{2,40}?)(?: here| now| in this (?:repo(?:sitory)?|project|codebase|app))?,\s*(?:so\s+)?(?:please\s+)?((?:use|don'?t|do not|never|always|avoid|prefer|write|stick to|keep)\b.+)$/i,
    build: (m) => `on ${rest(m)}, ${rest(m, 2)}`,
    strength: 0.75,
  },
  // "cabal only in this repo, there's no stack.yaml on purpose": the one tool to use here.
  {
    kind: 'convention',
    re: /^([\w@./`+-]+(?: [\w@./`+-]+)?) only( (?:in|for|on) (?:this|our|the) (?:repo(?:sitory)?|project|codebase|app|service)| here)(?:[,;]\s*(.+?))?[.!]?$/i,
    build: (m) => {
      const subject = rest(m);
      if (/^(?:it|this|that|these|those|they|there|i|you|we|one|the \w+)$/i.test(subject))
        return undefined;
      const scope = m[2] ?? '';
      const tail = rest(m, 3);
      return `use ${subject} only${scope}${tail ? `, ${tail}` : ''}`;
    },
    strength: 0.7,
  },
  // "`buf generate` from repo root, never protoc by hand": a command and where to run it.
  {
    kind: 'convention',
    re: /^(`[a-z][\w.-]*(?: [^`]+)?`)\s+((?:from|in|inside|at|only|before|after|with|via|on)\b.+)$/i,
    build: (m, ctx) =>
      ctx.corrective || ctx.afterStop || ctx.conventionTurn || ctx.lasting
        ? `run ${m[1]} ${rest(m, 2)}`
        : undefined,
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
  // "in this repo nothing reads `os.environ` directly" -> "Never read `os.environ` directly."
  {
    kind: 'convention',
    re: /^(?:in (?:this|our|the) (?:repo(?:sitory)?|project|codebase|code base|app|service),?\s*)?(?:nothing|no code|no one|nobody|no module|no file)(?: (?:here|in (?:this|our|the) (?:repo(?:sitory)?|project|codebase|app|service)))? (?:(?:should|may|can) )?(\w+) (.+)$/i,
    build: (m) => {
      const verb = baseOfThird(m[1] ?? '');
      if (
        /^(?:is|was|has|have|do|does|get|gets|happen|happens|change|changes|work|works|matter|matters|else)$/i.test(
          m[1] ?? '',
        )
      )
        return undefined;
      return `never ${verb} ${rest(m, 2)}`;
    },
    strength: 0.75,
  },
  // "all SQL lives in the queries/*.sql files", "anything native goes in app.config.ts",
  // "all gdscript in this repo is statically typed"
  {
    kind: 'convention',
    re: /^(all|every|each|any|anything|everything|nothing)\s+([^,;:]{1,50}?)\s+(lives?|goes|go|gets|get|belongs?|stays?|comes?|runs?|uses?|is|are)\b\s*(.+)$/i,
    build: (m, ctx) => {
      const quant = (m[1] ?? '').toLowerCase();
      const subject = (m[2] ?? '').trim();
      const verb = (m[3] ?? '').toLowerCase();
      const body = rest(m, 4);
      if (
        /^(?:of (?:it|them|this|that|these|those)|good|right|set|done|fine|ok|okay)$/i.test(subject)
      )
        return undefined;
      if (/\b(?:test|tests|check|checks)\b/i.test(subject) && /^(?:pass|green|fail)/i.test(body))
        return undefined;
      // "everything is fine" reports a state; a statement with "is" needs a scope to be a rule.
      if ((verb === 'is' || verb === 'are') && !SCOPE.test(m.input) && !ctx.conventionTurn)
        return undefined;
      if (
        (verb === 'is' || verb === 'are') &&
        !/\b\w+(?:ed|en)\b|\b(?:never|only|always|not|in|under|from)\b/i.test(body)
      )
        return undefined;
      if (/^(?:fine|ok|okay|good|great|done|working|broken|green|there)\b/i.test(body))
        return undefined;
      return `${quant} ${subject} ${verb} ${body}`;
    },
    strength: 0.7,
  },
  // "this app uses Koin for DI", "the project is built with Vite"
  {
    kind: 'convention',
    re: /^(?:this|our|the) (?:app|application|project|repo(?:sitory)?|codebase|service|team|library|package|monorepo|site|crate|backend|frontend) (?:uses?|relies on|is built (?:on|with)|is on|runs on) (.+)$/i,
    build: (m) => (/\balready\b/i.test(m.input) ? undefined : `use ${rest(m)}`),
    strength: 0.7,
  },
  // "notes and warnings must use the admonition syntax", said while stating conventions
  {
    kind: 'convention',
    re: /^([\w@./`*-]+(?:\s+(?:and\s+)?[\w@./`*-]+){0,3})\s+(should|must|need to|needs to|have to|has to)\s+(?:always\s+)?(use|go|live|stay|follow|start|end|sit|come|return|have)\b\s*(.+)$/i,
    build: (m, ctx) => {
      const subject = rest(m);
      if (!ctx.conventionTurn && !ctx.lasting && !SCOPE.test(m.input)) return undefined;
      if (
        /^(?:it|this|that|these|those|they|there|i|you|we|he|she|which|what|the user|users?)$/i.test(
          subject,
        )
      )
        return undefined;
      return `${subject} ${(m[2] ?? '').toLowerCase()} ${m[3]} ${rest(m, 4)}`;
    },
    strength: 0.7,
  },
  // "marts don't read sources", "handlers never touch the database" (stating how the code is laid out)
  {
    kind: 'convention',
    re: /^((?:the |our |all )?[\w@./`*-]+(?: [\w@./`*-]+)?) (don'?t|do not|never|must not|mustn'?t|should not|shouldn'?t|should never|can'?t|cannot|may not) ([a-z]\w*) (.+)$/i,
    build: (m, ctx) => {
      const subject = rest(m);
      if (
        /^(?:it|this|that|these|those|they|there|i|you|we|he|she|which|what|people|the user|users?|things?|that one|one|no|yes|ok|okay|so|and|but|please|just|wait)$/i.test(
          subject,
        )
      )
        return undefined;
      if (
        /^(?:the )?(?:tests?|build|app|code|page|it|script|command)$/i.test(subject) &&
        !ctx.conventionTurn
      )
        return undefined;
      if (!ctx.corrective && !ctx.afterStop && !ctx.conventionTurn && !ctx.lasting)
        return undefined;
      if (/\b(?:i|you|we|it|they|he|she|this|that)$/i.test(subject)) return undefined;
      if (
        /^(?:work|load|run|start|compile|pass|show|exist|matter|seem|look|help|need|know|has|have|had|is|are|get|gets|want|like)$/i.test(
          m[3] ?? '',
        )
      )
        return undefined;
      return `${subject} ${(m[2] ?? '').toLowerCase()} ${m[3]} ${rest(m, 4)}`;
    },
    strength: 0.7,
  },
  // "only ever edit the `.py` file", "only import from the package root"
  {
    kind: 'convention',
    re: /^only (ever )?([a-z]+) (.+)$/i,
    build: (m, ctx) => {
      const verb = (m[2] ?? '').toLowerCase();
      if (
        !VERB_START.test(verb) &&
        !/^(?:edit|touch|change|import|call|commit|push|deploy|modify|tell|ask|mention)$/.test(verb)
      )
        return undefined;
      if (!m[1] && !ctx.lasting && !ctx.conventionTurn && !ctx.corrective && !ctx.afterStop)
        return undefined;
      return `only ${verb} ${rest(m, 3)}`;
    },
    strength: 0.7,
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
    re: /^(?:in (?:(?:this|our|the) (?:repo(?:sitory)?|project|codebase|code base|team|monorepo|service|app)|(?:this|our) (?!(?:case|example|instance|moment|session|chat|conversation|one|way|situation|scenario|context|pr|branch|file|function|method|test|step|version)\b)[a-z][\w-]{2,20}),?\s*)?we (?:always |usually |only |generally )?((?!(?:are|were|was|have|had|need|can|could|should|will|would|might|may|must|did|got|get|see|saw|know|think|want|tried|found|just|also|then|still|now|really|probably|maybe)\b)[a-z]+)\s+(.+)$/i,
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
    re: /^(?:in (?:(?:this|our|the) (?:repo(?:sitory)?|project|codebase|code base|team|monorepo)|(?:this|our) (?!(?:case|example|instance|moment|session|chat|conversation|one|way|situation|scenario|context|pr|branch|file|function|method|test|step|version)\b)[a-z][\w-]{2,20}),?\s*)?we (?:always |usually |only |generally )?(use|rely on|prefer|keep|put|store|write|run|follow|name|place|track|test|deploy|format|prefix|avoid|never|don'?t|do not)\b\s*(.+)$/i,
    build: (m) => {
      const verb = (m[1] ?? '').toLowerCase();
      const obj = rest(m, 2).replace(/^(?:in|into)\s+(?=a file)/i, '');
      if (obj.split(/\s+/).length < 1) return undefined;
      if (verb === 'never' || verb.startsWith('don') || verb === 'do not') {
        // "we don't have the budget anymore": a state, not a rule.
        if (/^(?:have|need|know|get|see|think|want|care)\b/i.test(obj)) return undefined;
        return `never ${obj}`;
      }
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
        : body.split(/\s+/).length <= 5 && !/\bfor sure\b/i.test(body)
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
      if (!ctx.corrective && !ctx.afterStop && !ctx.lasting && body.split(/\s+/).length < 2)
        return undefined;
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
  // "no unwrap in this codebase", "please no OFFSET pagination", "no Hilt" (after a correction)
  {
    kind: 'correction',
    re: /^no\s+((?!(?:problem|worries|need|thanks|idea|luck|way|rush|change|changes|more|longer|one|it|it'?s|i|we|you|they|he|she|that|this|the|that'?s|wait|actually|just|not|don'?t|do|but|and|because|sorry|matter)\b)[\w@./`()'*+-]+(?:\s+(?!(?:in|for|anywhere|there|here|please)\b)[\w@./`()'*+-]+){0,2})(?:\s+(in (?:this|our|the) (?:repo(?:sitory)?|project|codebase|code base|app|service)|anywhere|there|here|outside (?:of )?[\w./`-]+(?: [\w./`-]+)?|(?:in|inside|within) [\w./`()-]+(?: [\w./`()-]+){0,2})?)?(?:,?\s+(?:ever|at all|whatsoever))?(?:,?\s+please)?(?:\s[—–-]\s+(.{8,}?))?[.!]*$/i,
    build: (m, ctx) => {
      const what = rest(m);
      const where = (m[2] ?? '').trim();
      const general =
        SCOPE.test(m.input) || ctx.lasting || /,?\s+(?:ever|at all|whatsoever)\b/i.test(m.input);
      if (!general && !ctx.corrective && !ctx.afterStop) return undefined;
      const why = rest(m, 3);
      const base = `don't use ${what}${where && where !== 'here' ? ` ${where}` : ''}`;
      // "no `now()` inside entities — we inject a `Clock` everywhere": the way it is done instead.
      return why ? `${base}; ${why.replace(/^we\s+/i, '')}` : base;
    },
    strength: 0.75,
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
    build: (m, ctx) => {
      if (!ctx.conventionTurn) return undefined;
      // "content is a good start" judges the work; it states no convention.
      if (
        /^(?:is|are)$/.test(m[2] ?? '') &&
        /^(?:(?:a |an |the )?(?:good|great|fine|ok|okay|nice|better|worse|wrong|right|correct|done|ready|perfect|start|mess|bad|broken|missing|there|not)\b)/i.test(
          rest(m, 3),
        )
      )
        return undefined;
      if (
        /^(?:it|this|that|i|you|we|they|there|here|what|which)$/i.test(
          rest(m).split(/\s+/)[0] ?? '',
        )
      )
        return undefined;
      return `${rest(m)} ${m[2]} ${rest(m, 3)}`;
    },
    strength: 0.65,
    needsContext: true,
  },
  // "headings in sentence case please", a bullet of a style list
  {
    kind: 'convention',
    re: /^([\w-]+(?: [\w-]+){0,2}) (in|as|with|per) ([\w-]+(?: [\w-]+){0,3})(?: please)?\b(.*)$/i,
    build: (m, ctx) => {
      if (!ctx.conventionTurn) return undefined;
      const np = rest(m);
      if (/^(?:it|this|that|i|you|we|they|and|but|so|then)\b/i.test(np)) return undefined;
      if (VERB_START.test(np) || BARE_IMPERATIVE.test(np)) return undefined;
      const tail = rest(m, 4).replace(/^\s*please\b\s*/i, '');
      return `write ${lowerFirst(np)} ${(m[2] ?? '').toLowerCase()} ${rest(m, 3)}${tail ? ` ${tail}` : ''}`;
    },
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
      // "be concise in the changes you make": a way of working, however short.
      const manner = /^be (?:concise|brief|succinct|terse|minimal|consistent|explicit)\b/i;
      if (
        !/\b(?:each|every|all|always|never|only|any|doesn'?t|don'?t|not|instead|rather)\b/i.test(
          body,
        ) &&
        !manner.test(body) &&
        !ctx.conventionTurn
      ) {
        return undefined;
      }
      if (manner.test(body)) return body;
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
    const built = m ? rule.build(m, { ...ctx, corrective: true }) : undefined;
    if (built) return built;
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
  // "PRJ-1432: shipments need a column ...": a ticket, the work to do now.
  if (/^[A-Z][A-Z0-9]{1,9}-\d+\s*[:\-—]/.test(raw)) return undefined;
  // "don't use Set1 — I'm red-green colourblind and ...": the rule, then why, after a dash.
  const dashed =
    /^(.{8,}?)\s[—–-]\s+((?:i'?m|i am|we'?re|we are|it'?s|that'?s|they'?re)\b.{3,})$/i.exec(raw);
  if (dashed && !ctx.inCondition) {
    const head = parseDirective(dashed[1] as string, ctx);
    if (head) {
      const why = (dashed[2] as string).replace(/[.!\s]+$/, '');
      return {
        ...head,
        quote: raw,
        ...(head.reason || why.length > 160 ? {} : { reason: why }),
      };
    }
  }
  const plain = stripFillers(normaliseShorthand(raw));
  const labelled =
    LABEL_PREFIX.test(plain) || /^(?:(?:stop|quit|no more) \w+ing|the way we \w+)\b/i.test(plain);
  // "keep in mind I often run several sessions here" is a fact about the user, kept as one
  // (the note rule below); without its lead-in it would read as a bare statement.
  const s = (FIRST_PERSON_NOTE.test(plain) ? plain : plain.replace(LABEL_PREFIX, ''))
    .replace(
      /^the (way) we (\w+) ([^,]{2,40}?) is (?:through|via|with|by|in) ([^,]+)/i,
      'use $4 for $3',
    )
    .replace(
      /^(?:the|our) (convention|rule|standard)(?: here| in this \w+)? is:?\s+/i,
      'our $1 is ',
    )
    .replace(/^you (?:should ?n't|should not|must ?n't|must not)\s+/i, "don't ")
    .replace(/^you (?:should|must|need to|have to) (always|never)\s+/i, '$1 ')
    .replace(
      /^(when|whenever|if|after|before|every time) ([^,]{3,60}?) (always|never|make sure to|remember to)\s+/i,
      '$1 $2, $3 ',
    )
    .replace(/^(?:no more|quit) (\w+ing)\b/i, (_a, g: string) => `don't ${ingBase(g)}`)
    .replace(/^no need to (\w+)\b/i, "don't $1")
    // "you don't need to recap the diffs at the end of every reply"
    .replace(
      /^you (?:don'?t|do not|never) need to (?!worry\b)(\w+)\b(?=.*\b(?:every|each|always|ever|anymore|any more|all)\b)/i,
      "don't $1",
    )
    .replace(/\b[A-Z]{2,}(?:\s+[A-Z']{2,})+\b/g, (run) => run.toLowerCase())
    .replace(/^(?:can|could|would) you (?=revert\b.*\binstead\b)/i, '')
    .replace(/^(?:do not|don'?t) ever\b/i, 'never')
    .replace(/^stop (\w+ing)\b/i, (_a, g: string) => `don't ${ingBase(g)}`)
    // "could you please not use X?" is a polite "don't use X".
    .replace(
      /^(?:could|can|would|will) you (?:please )?(?:not|never|avoid|stop) ([^?]{3,200})\?$/i,
      (_a, body: string) => `don't ${body.replace(/^(\w+ing)\b/i, (g: string) => ingBase(g))}`,
    )
    // "(and) not the other hyperparameters either, never change them": the second clause rules,
    // about the things the first one names.
    .replace(/^not ([^,]{1,60}) either,\s*(.+)$/i, (_a, what: string, main: string) =>
      main.replace(/\bthem\b/i, what.trim()),
    )
    // "..., that's the convention in this project": marks the rule, it is not part of it.
    .replace(CONVENTION_TAIL, '');
  const conventionTail = CONVENTION_TAIL.test(stripFillers(raw));
  if (!s || s.endsWith('?') || (QUESTION_START.test(s) && !CONDITION.test(s))) return undefined;
  if (/^(?:never ?mind|nvm|scratch that|forget (?:that|it)|on second thought)\b/i.test(s))
    return undefined;
  // "maybe next time", "not now": a deferral, not a rule.
  if (DEFERRAL.test(s)) return undefined;
  const here: PhraseContext = {
    ...ctx,
    lasting: ctx.lasting === true || LASTING.test(raw) || conventionTail || labelled,
    conventionTurn: ctx.conventionTurn || conventionTail,
  };
  // "Before you write any code, show me a plan": the condition is part of that rule.
  const cond = PLAN_FIRST.test(s) ? null : CONDITION.exec(s);
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
    // "when the game loads, the car is facing up": a description of behaviour, not a rule.
    if (
      inner &&
      isInstruction(inner.instruction) &&
      !/^(?:the|a|an|it|its|this|that|there|these|those)\b/i.test(inner.instruction)
    ) {
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
    const d = finishDirective(
      conventionTail ? 'convention' : rule.kind,
      raw,
      built,
      rule.strength,
      here,
    );
    if (d) return d;
  }
  const fact = projectFact(s, raw, here);
  if (fact) return fact;
  const general = generalDirective(scopeFree(s), raw, {
    ...here,
    lasting: here.lasting === true || PROJECT_SCOPE.test(s),
  });
  if (general) return general;
  // "from now on wrap errors with fmt.Errorf and %w": a plain imperative made lasting.
  // "change the default from address for all mailers": an edit to make once, however wide.
  const editOnce =
    /^(?:change|add|rename|update|set|replace|move|remove|delete|bump|fix|create|implement|refactor|convert|migrate)\b/i.test(
      s,
    ) &&
    !ctx.lasting &&
    !LASTING.test(s.replace(/\bfor all (?:the )?\w+/gi, '')) &&
    !HABITUAL.test(s) &&
    !TASTE.test(s) &&
    !/\b(?:everywhere|from now on|going forward|always|never|in this (?:repo|project|codebase))\b/i.test(
      s,
    );
  if (
    !editOnce &&
    (here.lasting || SCOPE.test(s) || HABITUAL.test(s) || TASTE.test(s)) &&
    IMPERATIVE_START.test(s.charAt(0).toLowerCase() + s.slice(1)) &&
    !/\b(?:this|that|these|those)\b|\bto (?:avoid|prevent)\b/i.test(s)
  ) {
    const d = finishDirective(conventionTail ? 'convention' : 'preference', raw, s, 0.7, here);
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
  // "I moved that helper myself: anything that formats money belongs in money.py": the lead-in
  // reports what happened; the rule is after the colon.
  const colon = /^([^:]{6,60}):\s+(\S.{7,})$/.exec(raw);
  if (colon && !ctx.inCondition && !/`|\bhttps?$/.test(colon[1] ?? '')) {
    const tail = parseDirective(colon[2] ?? '', { ...ctx, inCondition: true });
    if (tail) return { ...tail, quote: raw };
  }
  return undefined;
}

/** "in this project", "on this app": a scope that makes a statement about the project. */
const PROJECT_SCOPE =
  /\b(?:in|on|for|across) (?:this|our|the whole) (?:project|repo|repository|codebase|code base|app|service|team|monorepo)\b/i;

/** "Controllers in this app stay thin" -> "Controllers stay thin": the subject without its scope. */
function scopeFree(s: string): string {
  return s
    .replace(
      /^((?:[\w@./`<>*+-]+\s+){0,3}?[\w@./`<>*+-]+) (?:in|on|for|across) (?:this|our|the whole) (?:project|repo|repository|codebase|code base|app|service|team|monorepo)\b,?\s*/i,
      '$1 ',
    )
    .replace(/(,\s*|^)(we|nothing|nobody|no one)\b([^,;:.]*?) here\b/i, '$1$2$3');
}

/** A feature request phrased as a statement: "logs should expire after 90 days, add a rule for that". */
const SPEC_THEN_TASK =
  /[,;:-]\s*(?:(?:so |and )?(?:please |can you |could you )?)(?:add|create|write|implement|build|make|set up|configure|wire up)\b[^,;]*\b(?:for (?:that|it|this)|to (?:do|handle) (?:that|it|this))\b/i;

/**
 * Statements of fact about how the project is set up, which are rules for anyone working in it:
 * "X is generated by Y", "the minimum iOS is 16", "iOS 16 is the floor", "we're a polars shop",
 * "everything is cabal", "nothing gets applied from a laptop", "X in this repo is always Y".
 */
function projectFact(s: string, raw: string, here: PhraseContext): Directive | undefined {
  const t = s.replace(/^(?:and|also|so|but|plus)[,\s]+/i, '');
  if (/^(?:it|this|that|these|those|he|she|they|you)\b/i.test(t)) return undefined;
  if (/\b(?:was|were|used to be|had been|did)\b/i.test(t)) return undefined;
  const fact = (text: string, kind: PhraseKind = 'convention') =>
    finishDirective(kind, raw, text.replace(/[.!\s]+$/, ''), 0.65, { ...here, lasting: true });
  // "the Xcode project is generated by XcodeGen from project.yml", "api types are generated from openapi.yaml"
  if (
    /^(?:the |our |all |every )?[\w@./`<>*+ -]{2,50}? (?:is|are|gets|get) (?:auto-?)?generated (?:by|from|with|via|through) \S/i.test(
      t,
    )
  ) {
    // A long explanation keeps the fact and its bans: "..., so if you need X do Y, never hand-edit Z".
    const head = t.split(/,\s*(?:so|and|which)\b/i)[0] ?? t;
    const ban = /(?:[,;:-]\s*|\band\s+)((?:never|don'?t|do not|no one|nobody)\b[^,;]+)$/i.exec(
      t,
    )?.[1];
    return fact(t.length <= 170 ? t : ban && head !== t ? `${head}; ${ban}` : head);
  }
  // "minimum iOS is 16 now", "the min supported Android API is 26", "deployment target is iOS 16"
  let m =
    /^(?:the |our )?(?:minimum|min|lowest|oldest) (?:supported |required )?([\w.+# -]{2,30}?)(?: version)? (?:is|=) (?:now |still )?([\w.+-]*\d[\w.+-]*)\b[\s,;:-]*(.*)$/i.exec(
      t,
    );
  if (m)
    return fact(
      `the minimum ${m[1]} is ${m[2]}${m[3] ? `, ${m[3].replace(/^(?:now|so)\b[\s,]*/i, '')}` : ''}`,
    );
  // "iOS 16 is the floor for this app now", "Python 3.10 is our minimum"
  m =
    /^([\w.+#-]+(?: [\w.+#-]+)? v?\d[\w.]*) is (?:the|our) (?:floor|minimum|baseline|lowest (?:supported )?version|min(?:imum)? (?:supported )?version|deployment target)\b(?: (?:for|of|in) (?:this|the|our) \w+)?(?: now)?[\s,;:-]*(.*)$/i.exec(
      t,
    );
  if (m)
    return fact(`${m[1]} is the minimum${m[2] ? `, ${m[2].replace(/^so\b\s*/i, 'so ')}` : ''}`);
  // "we're a polars shop - no pandas anywhere"
  m = /^we'?re an? ([\w.+#-]+(?: [\w.+#-]+)?) (?:shop|house|team|project)\b[\s,;:—-]*(.*)$/i.exec(
    t,
  );
  if (m) return fact(`use ${m[1]}${m[2] ? `; ${m[2]}` : ''}`, 'preference');
  // "everything is cabal: cabal build all", "everything here goes through make"
  m =
    /^everything(?: else)?(?: here| in this \w+)? (?:is|uses|goes through|runs (?:on|through)|is done (?:with|through|via)) ([^:,;]{2,40})(.*)$/i.exec(
      t,
    );
  if (m && !REPORT.test(m[1] ?? ''))
    return fact(`use ${m[1]} for everything${m[2] ?? ''}`, 'preference');
  // "all copy on this site is British English", "all dates in this service are UTC"
  m =
    /^(?:all|every) ([\w -]{2,30}?) (?:on|in) (?:this|the|our) (site|project|repo|codebase|app|service|package|library|crate|monorepo) (is|are|uses?|goes|go|lives?) (.{3,160})$/i.exec(
      t,
    );
  if (m && !REPORT.test(m[4] ?? '')) return fact(`all ${m[1]} in this ${m[2]} ${m[3]} ${m[4]}`);
  // "there's no stack on this project", "there is no ORM in this codebase"
  m =
    /^there(?:'s| is) no ([\w.+#-]+(?: [\w.+#-]+)?) (?:on|in|for) (?:this|the|our) (?:project|repo|codebase|app|team|site|service|package|library|crate|stack|monorepo)\b/i.exec(
      t,
    );
  if (m) return fact(`don't use ${m[1]} in this project`);
  // "nothing gets applied from a laptop here: you run plan at most"
  m = /^nothing (?:gets|is|should be|may be|can be) (\w+ed|\w+en)\b(.*)$/i.exec(
    t.replace(/ here\b/i, ''),
  );
  if (m && !REPORT.test(m[1] ?? '')) return fact(`nothing is ${m[1]}${m[2] ?? ''}`);
  return undefined;
}

/** Shorthand and common typos, spelled out so the rules see one form ("dont" -> "don't"). */
function normaliseShorthand(text: string): string {
  return text
    .replace(
      /\b(do|does|did|is|are|was|were|have|has|ca|wo|should|would|could|must)nt\b/gi,
      "$1n't",
    )
    .replace(/\bthats\b/gi, "that's")
    .replace(/\b(?:pls|plz|plse)\b/gi, 'please')
    .replace(/\bu\b(?=\s+(?:use|do|don'?t|should|must|need|add|put|keep|always|never))/gi, 'you')
    .replace(/\bur\b/gi, 'your');
}

/**
 * A lead-in naming what the rule is about or that it is one: "rust code: ...", "the rule is: ...",
 * "you keep forgetting: ...", "Remember: ...", "FYI ...", "for future reference, ...".
 */
const LABEL_PREFIX =
  /^(?:(?:the (?:rule|convention|thing) (?:here |in this \w+ )?is|you keep forgetting(?: this)?|(?:please )?remember(?: this)?|keep in mind|for future reference|for the record|fyi|heads up|reminder|note|important)\s*:\s+|(?!nothing\b)[a-z][a-z ./-]{1,24}?:\s+(?=(?:no|never|always|every|all|each|use|don'?t|do not|only|prefer|avoid)\b)|(?:for future reference|for the record|fyi|just fyi|remember(?: that)?|keep in mind(?: that)?|you keep forgetting(?: that)?)[,\s]+)/i;

/** A reminder about the user's own ways: "keep in mind (that) often I have …". */
const FIRST_PERSON_NOTE =
  /^(?:keep in mind|remember|note)(?: that)?[,\s]+(?:(?:often|usually|always) )?(?:i|we) /i;

/** Clauses that make a request habitual: it holds each time the situation comes back. */
const HABITUAL =
  /\b(?:before (?:you|i|we|committing|pushing|merging|applying|deleting|installing|saying)|whenever|each time|every time|even (?:if|when)|regardless|any (?:file|files|time|change|changes|package|packages|new)|in (?:all |any )?(?:\w+ )?(?:files|tests|modules|components|projects|repos|packages|services|handlers|endpoints)\b|in (?:\w+ )?code\b|outside (?:of )?\w+)/i;

/** A reason of taste after an instruction: "use async/await, I find .then chains unreadable". */
const TASTE =
  /,\s*(?:i find|i think|imo|i'?m not a fan|it'?s (?:cleaner|nicer|more readable|easier to read)|(?:they|it) (?:are|is|'re|'s) (?:unreadable|ugly|hard to read|messy|noisy))\b/i;

/** The thing at hand: a request about it is not a lasting rule. */
const AT_HAND =
  /\b(?:this|that|these|those) (?:one|file|files|function|test|bug|solution|version|change|page|component|query|line|error|method|class|approach|time|pr|branch|module)\b|\b(?:yet|for now|right now|this time|on line \d+|line \d+)\b|^(?:always|never) (?:the|a|an|same)\b|\b(?:the (?:first|second|third|last|previous|other|old|new) (?:one|version|approach|option))\b|^(?:don'?t|do not|never) \w+ (?:it|this|that|them|these|those)\b(?! (?:kind|sort|type|way)\b)/i;

/** Plural or quantified subjects of statements that describe how the project works. */
const SUBJECT =
  '((?:(?:all|every|each|any|our|the|no)\\s+)?(?:[\\w@./`<>*+-]+\\s+){0,3}?[\\w@./`<>*+-]+)';

/** Statement families that state a rule without the words the ordered rules key on. */
/** Verbs that open a task request ("write a query that ..."), never a statement's subject. */
const TASK_VERB =
  /^(?:write|add|create|make|implement|build|fix|update|change|rename|move|delete|remove|run|use|put|set|get|find|show|research|check|test|research|let|give|tell|explain|refactor|port|convert|generate|try|do)$/i;

const STATEMENT_RULES: Array<{
  re: RegExp;
  kind: PhraseKind;
  /** The first group is a subject that must name a kind of thing ({@link isRuleSubject}). */
  subject?: true;
  build: (m: RegExpExecArray) => string | undefined;
}> = [
  // "migrations go in db/migrate", "HTTP calls go through api/client.ts", "flags live in config/"
  {
    re: new RegExp(
      `^${SUBJECT}\\s+(?:(?:should|must|always|only)\\s+)?(?:go|goes|live|lives|belong|belongs|sit|sits|stay|stays|are kept|is kept|are stored|is stored|are loaded|is loaded)\\s+(?:only\\s+)?(?:in|into|under|through|via|next to|inside|beside|in the)\\b.+$`,
      'i',
    ),
    kind: 'convention',
    subject: true,
    build: (m) => m[0],
  },
  // "every handler returns problem+json errors", "Public functions need a docstring",
  // "dates must be ISO strings", "branches are deleted after merge", "props are named XProps"
  {
    re: new RegExp(
      `^${SUBJECT}\\s+(?:(?:are|is)\\s+(?:all\\s+|always\\s+|never\\s+|only\\s+)?(?:\\w+ed|named|written|kept|built|run|made|done|banned|forbidden|deprecated|integers?|strings?|uuids?|lowercase|uppercase|immutable|read[- ]only|function components|\\w+-case)\\b|(?:are|is)\\s+(?:always|only|never)\\s+(?!been\\b)\\S|stays?\\s+(?:thin|small|short|pure|dumb|flat|simple|stateless|private|internal|sync|synchronous)\\b|(?:must|should|shall|need to|needs to|have to|has to)\\s+(?!be able\\b)\\w+|(?:need|needs|require|requires|return|returns|use|uses|follow|follows)\\s+(?!to\\b))`,
      'i',
    ),
    kind: 'convention',
    subject: true,
    build: (m) => m.input,
  },
  // "tabs not spaces in the go files", "uuids v7 not autoincrement ints"
  {
    re: /^([\w@./`+-]+(?: [\w@./`+-]+){0,2}),? not ([\w@./`+-]+(?: [\w@./`+-]+){0,2})(.*)$/i,
    kind: 'convention',
    // "operator does not exist", "x.py should not be clickable": a verb before "not" is a clause.
    build: (m) =>
      /\b(?:do|does|did|is|are|was|were|should|would|could|can|will|must|may|might|has|have|had|rather)$/i.test(
        m[1] ?? '',
      ) || /^(?:i|we|you|they)\b/i.test(m[1] ?? '')
        ? undefined
        : `use ${m[1]}, not ${m[2]}${m[3] ?? ''}`,
  },
  // "I like small commits", "i'd rather you use named exports", "I want all new code in TS"
  {
    re: /^i(?:'d| would)? (?:really |much )?(?:like|love|rather|want|expect)(?: (?:you|it|that you|when you|it when you) (?:to )?)?\s*(.+)$/i,
    kind: 'preference',
    build: (m) => {
      const body = (m[1] ?? '').replace(/^to (?=use\b)/i, '');
      if (
        !/^i(?:'d| would)? (?:rather|(?:really )?like (?:it )?when|love (?:it )?when)/i.test(
          m.input,
        ) &&
        // "notifies every 2 s" describes the feature, not a habit.
        !GENERAL.test(m.input.replace(/\bevery \d[\w.]*(?:\s*[a-z]{1,7}\b)?/gi, '')) &&
        !/^[a-z-]+ [a-z-]+s\b/i.test(body) &&
        // "I want to use langgraph": a tool chosen for the project, not a thing made now.
        !/^use (?!(?:a|an|the|this|that|it|them|my|your|some)\b)[\w.@/+-]{2,30}(?: (?:for|in|with) [\w .@/+-]{3,60})?$/i.test(
          body,
        )
      )
        return undefined;
      // "I'd rather not have two implementations of one thing".
      const not = /^not (?:to )?([a-z]+)\b\s*(.*)$/i.exec(body);
      if (not)
        return /^(?:have|need)$/i.test(not[1] ?? '')
          ? `avoid ${not[2]}`
          : `don't ${not[1]} ${not[2]}`.trim();
      return /^(?:use|write|keep|make|ask|run|put|add|show|answer|commit|prefer|avoid)\b/i.test(
        body,
      )
        ? body
        : `prefer ${body}`;
    },
  },
  // "we're on python 3.8 so no match statements"
  {
    re: /^(?:we'?re|we are) (?:on|using|stuck on|pinned to) ([^,]{2,40}?),? so (.+)$/i,
    kind: 'convention',
    build: (m) => `the project is on ${m[1]}, so ${m[2]}`,
  },
];

/** Words a statement family needs so it reads as a rule, not as a report of what happened. */
const REPORT =
  /\b(?:was|were|did|didn'?t|happened|complained|broke|still|now|again|anymore|already|today|yesterday|lol|works?|fail(?:s|ed|ing)?|pass(?:es|ed)?|broken|slow|empty|wrong)\b/i;

/**
 * True when a statement's subject names a kind of thing rather than one thing at hand: it is
 * quantified ("every handler", "our routes") or plural ("migrations", "HTTP calls"), and holds
 * no verb or clause word ("write a query that").
 */
function isRuleSubject(subject: string, lasting: boolean): boolean {
  const words = subject.trim().split(/\s+/);
  const first = (words[0] ?? '').toLowerCase();
  const last = (words[words.length - 1] ?? '').toLowerCase();
  if (/^(?:we|i|you|it|this|that|these|those|there|he|she|they|a|an|my)$/.test(first)) return false;
  if (words.some((w) => /^(?:that|which|who|if|when|and|or|to|is|are|was|with|of|for)$/i.test(w)))
    return false;
  if (words.length > 1 && TASK_VERB.test(first)) return false;
  if (/^(?:all|every|each|any|our|no)$/.test(first) || lasting) return true;
  return /[^su]s$/.test(last) || /^(?:css|sql|json|data|config|code)$/.test(last);
}

/** The statement families ({@link STATEMENT_RULES}) applied to a sentence no ordered rule took. */
function generalDirective(s: string, raw: string, here: PhraseContext): Directive | undefined {
  if (AT_HAND.test(s) || /\bhere\b/i.test(s) || REPORT.test(s)) return undefined;
  if (SPEC_THEN_TASK.test(s)) return undefined;
  if (/\b(?:set|do|put|change|fix|add|make) (?:that|this|it)\b/i.test(s)) return undefined;
  if (
    /^(?:it|this|that|there|you|he|she|they|what|which|the (?:user|build|tests?|app|page|output|error|code))\b/i.test(
      s,
    )
  )
    return undefined;
  for (const rule of STATEMENT_RULES) {
    const m = rule.re.exec(s);
    if (!m) continue;
    if (rule.subject && !isRuleSubject(m[1] ?? '', here.lasting === true)) continue;
    // "each card should be clickable" specifies a feature; "error messages should be lowercase"
    // describes a kind of thing the project has many of.
    if (
      rule.subject &&
      /\bshould (?:always |never |not )?be\b/i.test(s) &&
      !/[^su]s$/i.test((m[1] ?? '').trim())
    )
      continue;
    const built = rule.build(m);
    if (!built) continue;
    const d = finishDirective(rule.kind, raw, built.replace(/[.!\s]+$/, ''), 0.65, here);
    if (d) return d;
  }
  return undefined;
}

// First words that read as an imperative verb.
const IMPERATIVE_START =
  /^(?!(?:i|we|you|it|this|that|these|those|there|the|a|an|my|our|your|he|she|they|is|are|was|were|what|why|how|if|when|so|ok|okay|yes|no|thanks|please|maybe|just|also|good|great|nice|now|then|here|cool|sure|alright|fine|perfect|awesome|lovely|sorry|hi|hello|hey|oh|ah|wait|right|done|cheers|please|not|no)\b)[a-z]{2,}(?<!ing|ed|ly|s)\b(?![./(])/;

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
  const known = ING_BASE[g];
  if (known) return known;
  const stem = g.replace(/ing$/, '');
  // "running" -> "run", but "adding" -> "add" and "pressing" -> "press".
  if (/[^aeiou][aeiou]([bdgmnprt])\1$/.test(stem)) return stem.slice(0, -1);
  // "summarising" -> "summarise", "creating" -> "create", "using" -> "use".
  if (
    /(?:(?:^|[^aeiou])[aeiou][sczvtkrgdmnlbp]|iz|ys|at|ov|dg)$/.test(stem) &&
    !/(?:en|on|er|it|et|el|al|ed|ow|ew|ay|ey)$/.test(stem)
  )
    return `${stem}e`;
  return stem;
}

/** Tidies a built instruction into a directive, or undefined when it does not read as one. */
function finishDirective(
  kind: PhraseKind,
  raw: string,
  built: string,
  base: number,
  ctx: PhraseContext,
): Directive | undefined {
  // "it is never used anywhere", "the cache is never invalidated, that's the bug": a report of
  // what the code does, not a rule.
  if (/^(?:it|this|that|there)\b/i.test(built.trim())) return undefined;
  if (/\bthat(?:'s| is) (?:the|a|our) (?:bug|problem|issue|cause)\b/i.test(raw)) return undefined;
  // "all tests in this repo are failing since the merge": a state, not a rule.
  if (
    /\b(?:is|are|was|were|keeps?) (?:failing|broken|crashing|timing out|hanging|flaky|red)\b/i.test(
      raw,
    )
  )
    return undefined;
  // "the cache never expires though": an observation about the code as it is.
  if (/\b(?:never|always|only) \w+s though\b/i.test(raw)) return undefined;
  // "..., note that in CONVENTIONS.md" asks to record the rule; it is not part of it.
  let text = built.replace(
    /,?\s+(?:and )?(?:note|record|add|put|write) (?:that|this|it) (?:down )?(?:in|to) \S+$/i,
    '',
  );
  // "... README files nobody asked for": the complaint is not part of the rule.
  text = text.replace(
    /\s+(?:that |which )?(?:nobody|no one) (?:asked|asks|wants|needs)(?: for)?$/i,
    '',
  );
  // "..., fold that into the existing table": a request about the work at hand.
  text = text.replace(
    /,\s*(?:and )?(?:fold|put|move|add|apply|merge|change|fix|do) (?:that|this|it|them)\b[^;]*$/i,
    '',
  );
  // "...; write a commit message for that": a request about the change just made.
  text = text.replace(
    /[;,.]\s*(?:and |then )?(?:write|make|create|open|draft) (?:a |the |me a )?(?:commit(?: message)?|pr|pull request)\b.*$/i,
    '',
  );
  // "... on the system workqueue (look at power.c, the battery check does it that way)": the
  // aside is an example or a pointer, kept as the reason.
  let aside: string | undefined;
  const paren = /\s*\(([^()]{3,140})\)\s*[.!]?$/.exec(text);
  if (paren && paren.index > 20) {
    aside = (paren[1] ?? '').trim();
    text = text.slice(0, paren.index);
  }
  const { body: b1, reason: r0 } = splitReason(text);
  const r1 = r0 && aside ? `${r0}; ${aside}` : (r0 ?? aside);
  const { body, reason: r2 } = splitStatementReason(b1);
  const reason = r1 ?? r2;
  let tidy = tidyClauses(body)
    .replace(/,?\s+please\b(?=[\s,.;:)!]|$)/gi, '')
    .replace(/^please\s+/i, '');
  let detail: string | undefined;
  if (tidy.length > 170 && /^[^:]{12,160}:\s/.test(tidy)) {
    // "All GDScript in this repo is statically typed: `var x: float`, ...": examples go to the context.
    const at = tidy.search(/:\s/);
    detail = tidy.slice(at + 1).trim();
    tidy = tidy.slice(0, at);
  }
  if (!isInstruction(tidy) || tidy.length > 170) return undefined;
  // "no need for guests interaction": a requirement of the feature at hand.
  if (/^no need\b/i.test(tidy)) return undefined;
  // "I think we could add convenience functions ...": a suggestion for the work at hand.
  if (/\b(?:i think|maybe|perhaps) (?:we|you) (?:could|might|can)\b|^(?:we|you) could\b/i.test(raw))
    return undefined;
  // "without making any changes report on your analysis": a one-off request for a report.
  if (
    /^(?:without [^,]{3,40}?,?\s+)?(?:report|analy[sz]e|explain|summari[sz]e|investigate|look into|research|tell me|show me|give me)\b/i.test(
      tidy,
    ) &&
    !ctx.lasting &&
    !LASTING.test(raw)
  )
    return undefined;
  // "don't treat it as a rule": the user says what is NOT a lesson.
  if (/\b(?:treat|take|make|keep) (?:it|this|that) (?:as )?a rule\b/i.test(tidy)) return undefined;
  // "We use expo-notifications already": a fact about the project, not a rule to follow.
  if (/\balready\b/i.test(raw) && !ctx.corrective && !ctx.afterStop && !GENERAL.test(raw))
    return undefined;
  if (ONE_OFF.test(tidy) && !ctx.lasting && !SCOPE.test(raw) && !GENERAL.test(raw))
    return undefined;
  // "don't delete that file, I still need it", "I don't like this solution": about the thing at hand.
  if (AT_HAND.test(tidy) && !ctx.lasting && !SCOPE.test(raw)) return undefined;
  if (/^(?:always|never) (?:the|a|an|same)\b|\blol\b/i.test(tidy)) return undefined;
  const strength = Math.min(
    1,
    base + emphasis(raw) + (ctx.afterStop ? 0.1 : 0) + (ctx.corrective ? 0.05 : 0),
  );
  const d: Directive = { kind, quote: raw, instruction: toSentence(tidy), strength };
  const why = reason && detail ? `${detail}; ${reason}` : (reason ?? detail);
  if (why) d.reason = why.length > 200 ? `${why.slice(0, 199).trimEnd()}…` : why;
  return d;
}

// ", the output is unreadable" / ", that goes through the release pipeline only": a reason.
const STATEMENT_CLAUSE =
  /,\s*((?:makes|keeps|saves|avoids|breaks|helps)\s.+)$|(?:\s[—–]\s+|,\s*)((?:the|this|that|it|these|those|they)\b[^,;]{0,20}?\s(?:is|are|was|'s|comes|come|goes|go|lives|runs|has|have|breaks|makes|gets|belongs|can|could|will|would|may|might|causes|leads|returns|raises)\b.*|it'?s\b.*|this'?s\b.*|that'?s\b.*|(?:it|they|this|that) (?!(?:is|are)\b)[a-z-]+(?:s|ed)\b.*)$|\s[—–]\s+(.+)$/i;

function splitStatementReason(s: string): { body: string; reason?: string } {
  const m = STATEMENT_CLAUSE.exec(s);
  if (!m || m.index < 12) return { body: s };
  return { body: s.slice(0, m.index).trim(), reason: (m[1] ?? m[2] ?? m[3] ?? '').trim() };
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
  // "Never squash", "use pnpm" ("we use pnpm."): two words make a rule when the second names
  // a thing rather than pointing at one.
  const twoWordRule =
    words.length === 2 &&
    (/^(?:never|always)$/i.test(words[0] ?? '') ||
      (/^use$/i.test(words[0] ?? '') &&
        !/^(?:it|this|that|them|these|those|one|mine|yours|both|either|none|same|something|anything|everywhere|here|there|instead|too|also|again|more|less|only|always|never)\W*$/i.test(
          words[1] ?? '',
        )));
  if ((words.length < 3 && !twoWordRule) || words.length > 45) return false;
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

/** Joins two instructions of one rule: "Don't use Hilt." + "Use Koin for DI." -> "Don't use Hilt; use Koin for DI." */
export function joinInstructions(first: string, second: string): string {
  const a = first.replace(/[.!\s]+$/, '');
  const b = second.replace(/[.!\s]+$/, '').trim();
  return `${a}; ${lowerFirst(b)}.`;
}

/** True when the instruction forbids something ("don't ...", "never ...", "avoid ..."). */
export function isProhibition(instruction: string): boolean {
  return /^(?:don'?t|do not|never|avoid|no|stop)\b/i.test(instruction.trim());
}

// Verbs that open an instruction clause inside an explaining sentence ("..., use ? and add
// .context()"), optionally after "you just" ("you just leave the changes in the tree").
const ELABORATION_CLAUSE =
  /^(?:(?:and|so|then|instead|rather)\s+)?(?:you (?:just |only |should |can |must |need to )?)?((?:use|do|go through|put|call|pass|return|write|keep|skip|wrap|prefer|edit|propagate|leave|store|load|read|build|import|ref|reference|log|throw|raise|handle|point|check|mock|stub)\b.*)$/i;

/**
 * Splits a sentence that follows a rule into the instruction clauses it adds and the rest
 * (usually the reason): "it returns anyhow::Result, use ? and add .context()" ->
 * `{ instructions: ['use ? and add .context()'], rest: ['it returns anyhow::Result'] }`.
 */
export function elaborationOf(sentence: string): { instructions: string[]; rest: string[] } {
  const instructions: string[] = [];
  const restParts: string[] = [];
  let first = true;
  for (const clause of splitClauses(stripFillers(sentence))) {
    const c = clause.trim().replace(/[.!\s]+$/, '');
    if (!c) continue;
    const m = ELABORATION_CLAUSE.exec(c);
    if (m && !/\b(?:can|could|would) you\b/i.test(c)) instructions.push(m[1] ?? c);
    // A sentence that opens with a verb ("list the columns, ...") is an instruction too.
    else if (
      first &&
      IMPERATIVE_START.test(c) &&
      /^[a-z]+ (?:the|a|an|all|each|every|it|them|\w+s)\b/.test(c) &&
      // "validation errors are 422": a noun, not a verb, opens it.
      !/^[a-z]+(?:tion|sion|ment|ness|ity|ance|ence|ers|ors|ure|ogy)\b/.test(c) &&
      // "redo the plan", "fix the test": the work to do now, not part of the rule.
      !/^(?:redo|retry|rerun|re-run|try|start|continue|proceed|fix|revert|undo|update|rewrite|regenerate)\b/.test(
        c,
      )
    )
      instructions.push(c);
    else restParts.push(c);
    first = false;
  }
  return { instructions, rest: restParts };
}

/** Splits on ", " and " - " outside parentheses, brackets, quotes and backticks. */
function splitClauses(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let tick = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '`') tick = !tick;
    else if (!tick && (c === '(' || c === '[' || c === '{')) depth++;
    else if (!tick && (c === ')' || c === ']' || c === '}')) depth = Math.max(0, depth - 1);
    else if (!tick && depth === 0 && (c === ',' || c === ';') && s[i + 1] === ' ') {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}
