/**
 * Error resolutions and workarounds: a failure (a failing tool call, or an error the user
 * pasted), the change that fixed it, and the confirmation that it is fixed.
 * @module
 */
import type { ToolCall, Turn } from '../model/session.js';
import type { Lesson } from './signals.js';
import { clip, FRUSTRATION, redactText } from './text.js';

const ERROR_LINE =
  /(?:^|\n)\s*((?:Uncaught )?(?:[A-Z]\w*(?:Error|Exception)|error(?:\[\w+\])?|fatal|E\d{3,5}|ERR!?)\b[:\s].{3,200}|[^\n]{0,80}\b(?:command not found|not recognized as an internal or external command|No such file or directory|Permission denied|has not been read yet|ModuleNotFoundError|Cannot find module|is undefined or private|is not defined|is not a function|undefined method|no function clause matching|cannot find symbol|missing separator)\b[^\n]{0,120})/;

// A tool result that tells the caller what to do: "Read it first before writing to it."
const HINT =
  /(?:^|[.!]\s+)((?:read|run|use|try|install|add|pass|call|set|remove|specify|provide|use the|did you mean)\b[^.!?\n]{3,120}[.!]?)/i;

const NOT_FOUND =
  /(?:^|\s|:)([\w.-]+): (?:command not found|not found)\b|'([\w.-]+)' is not recognized/;

function firstErrorLine(text: string): string | undefined {
  const head = text.slice(0, 20_000);
  const line = namedErrorLine(head) ?? ERROR_LINE.exec(head)?.[1];
  if (!line) return undefined;
  return normaliseError(line);
}

// "ModuleNotFoundError: No module named 'app'", "E   ImportError: cannot import ...".
const NAMED_ERROR =
  /^[\s>E│|*]*(?:\(|\*\* \()?((?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception))\)?:?[ \t]*(.*)$/;

/**
 * The most telling error line: the last `XxxError: message` of a Python traceback, the root
 * cause of a cargo `Caused by:` chain, the assertion under a Go `--- FAIL:` line, else the
 * first named error.
 */
function namedErrorLine(text: string): string | undefined {
  const lines = text.split('\n');
  const caused = lines.lastIndexOf('Caused by:');
  if (caused >= 0) {
    const root = lines.slice(caused + 1).find((l) => l.trim());
    if (root) return root.trim();
  }
  const fail = lines.findIndex((l) => /^\s*--- FAIL: \w+/.test(l));
  if (fail >= 0) {
    const name = /--- FAIL: (\w+)/.exec(lines[fail] as string)?.[1] ?? '';
    const detail = (lines[fail + 1] ?? '').trim().replace(/^[\w./-]+\.go:\d+:\s*/, '');
    return detail ? `${name} fails: ${detail}` : `${name} fails`;
  }
  const traceback = /Traceback \(most recent call last\)|^E {2,}/m.test(text);
  let found: string | undefined;
  for (let i = 0; i < lines.length && i < 400; i++) {
    const m = NAMED_ERROR.exec(lines[i] as string);
    if (!m) continue;
    let message = (m[2] ?? '').trim();
    if (/^(?:while|in|at)\b/.test(message)) continue; // "ImportError while importing ..."
    if (!message) message = (lines[i + 1] ?? '').trim(); // "LoadError:\n  cannot load ..."
    if (!message || message.length < 3) continue;
    found = `${m[1]}: ${message}`;
    if (!traceback) return found;
  }
  return found;
}

/**
 * Normalises an error line so the same error gives the same trigger: no paths, line numbers,
 * hex ids, PIDs, timestamps, durations or request ids.
 */
export function normaliseError(line: string): string {
  return line
    .replace(/<\/?[a-z_]+>/g, '')
    .replace(/\[\d+\]\s*/g, '')
    .replace(/#PID<[\d.]+>/g, 'PID')
    .replace(/\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z?/g, '')
    .replace(/\s*\((?:\/|[A-Za-z]:\\)[^)]*\)/g, '') // "(/usr/lib/python3.10/datetime.py)"
    .replace(/(?:\/[\w.@+-]+){2,}\/?/g, (p) => p.split('/').pop() ?? p)
    .replace(/([\w-]+\.\w+):\d+(?::\d+)?/g, '$1')
    .replace(/\b(?:line|at line) \d+/gi, 'line N')
    .replace(/\b0x[0-9a-f]+\b|\b[0-9a-f]{12,}\b/gi, '…')
    .replace(/\b[0-9A-F]{4}(?::[0-9A-F]{4,8}){3,}\b/g, '…')
    .replace(/\(\d+(?:\.\d+)?m?s\)/g, '')
    .replace(/\bfor user ID \d+/i, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.\s]+$/, '');
}

// Failures some formats do not flag (exports without is_error): only unmistakable ones.
const UNFLAGGED_FAILURE =
  /^(?:<tool_use_error>)?(?:[^\n]{0,80}: (?:command not found|No such file or directory)|File has not been read yet)/;

function isFailure(call: ToolCall): boolean {
  if (call.isError === true || (call.exitCode !== undefined && call.exitCode !== 0)) return true;
  return call.isError === undefined && UNFLAGGED_FAILURE.test((call.output ?? '').slice(0, 300));
}

/** The command line of a tool input (plain, or JSON with a `command` field). */
function commandOf(input: string): string {
  let s = input.trim();
  try {
    const parsed: unknown = s.startsWith('{') ? JSON.parse(s) : undefined;
    if (parsed && typeof parsed === 'object' && 'command' in parsed) {
      const c = (parsed as { command: unknown }).command;
      if (typeof c === 'string') s = c;
      else if (Array.isArray(c)) s = c.map(String).join(' ');
    }
  } catch {
    // not JSON: a plain command line
  }
  return s;
}

/** First word of a shell command (`python3 -c ...` -> `python3`). */
function program(input: string): string | undefined {
  let s = commandOf(input);
  s = s
    .replace(/^(?:bash|sh|zsh) -l?c\s+['"]?/, '')
    .replace(/^(?:\w+=\S+\s+)+/, '')
    .replace(/^(?:sudo|cd \S+ &&)\s+/, '');
  const m = /^([\w./-]+)/.exec(s);
  return m?.[1]?.split('/').pop();
}

export function detectToolLessons(
  turn: Turn,
  turns: readonly Turn[],
  index: number,
  out: Lesson[],
): void {
  for (let c = 0; c < turn.toolCalls.length; c++) {
    const call = turn.toolCalls[c] as ToolCall;
    const output = call.output ?? '';
    if (!output || !isFailure(call)) continue;
    if (
      /doesn't want to proceed|tool use was rejected|user rejected|denied by the user|request interrupted/i.test(
        output,
      )
    )
      continue;
    const error = firstErrorLine(output);
    if (!error) continue;
    const hint = HINT.exec(error);
    if (
      hint &&
      /has not been read yet|must (?:read|use|run)|before (?:writing|editing)/i.test(error)
    ) {
      out.push({
        kind: 'error_resolution',
        turn: index,
        quote: redactText(clip(error, 160)),
        strength: 0.6,
        error,
        fix: toInstruction(hint[1] ?? ''),
        tool: call.name,
      });
      continue;
    }
    const nf = NOT_FOUND.exec(error);
    if (nf) {
      const missing = nf[1] ?? nf[2] ?? '';
      const next = nextSuccessfulCommand(turns, index, c, call.name, missing);
      if (missing && next) {
        const before = programs(call.input);
        const added = [...programs(next)].filter((p) => !before.has(p));
        const fix = added[0]
          ? `${missing} is not installed here; use ${added[0]} instead.`
          : `${missing} is not installed here; run the command without ${missing}.`;
        out.push({
          kind: 'workaround',
          turn: index,
          quote: redactText(clip(error, 160)),
          strength: 0.6,
          error,
          fix,
          tool: call.name,
        });
        continue;
      }
    }
    const resolved = resolveFailure(turns, index, c, call, error);
    if (resolved) out.push(resolved);
  }
}

// ---------------------------------------------------------------------------------------------
// Failures fixed by a change: failing call -> the assistant's change -> a passing re-run (or the
// user saying it works). The fix is phrased from what changed, never from the user's words.

/** Failures caused by the environment rather than the code: fixed by another route. */
const ENVIRONMENT_ERROR =
  /rate limit|tenant (?:is )?disabled|resolve host|could not resolve|network is unreachable|no network|ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|timed? ?out|sandbox|read-only file system|permission denied|operation not permitted|quota|service unavailable|\b(?:403|429|502|503)\b|command not found|not recognized as an internal/i;

/** The assistant says the failure was its own slip: nothing to learn. */
const OWN_SLIP =
  /\b(?:typo|misspel\w*|my (?:mistake|bad)|i (?:mis)?typed|wrong (?:variable|resource|file) name|forgot to (?:import|save|close))\b/i;

const EDIT_TOOL =
  /^(?:edit|write|multiedit|multi_edit|str_replace\w*|apply_patch|replace_string_in_file|create_file|write_file|edit file|edit_file|insert\w*|notebookedit)$/i;

const SHELL_TOOL =
  /^(?:bash|shell|exec_command|run_command|run_in_terminal|run_terminal_cmd|terminal|local_shell|command|shell_command|execute_command)$/i;

/** Confirmation by the user: the problem is gone. */
const USER_CONFIRMS =
  /^\s*(?:(?:ok(?:ay)?|great|nice|perfect|awesome|cool|good|thanks|thank you|yes|yep)[,!.\s]+)*(?:(?:ok(?:ay)? )?(?:that|this|it) (?:works?|worked|fixed it|did it|did the trick|solved it)|works now|(?:that|this|it)(?:'s| is) (?:working|fixed)|fixed(?: it)?\b|all (?:tests )?pass|tests pass|green\b|problem solved|that did it)/i;

/** The user pushes back: what came just before is not a lesson. */
const USER_OBJECTS =
  /^\s*(?:no\b|nope|wrong|that'?s not|this is not|not what i|you broke|why did you|stop\b|undo\b|revert\b|fix the issue|still (?:not|broken|fail|the same|doesn'?t|isn'?t|getting)|it (?:still )?(?:doesn'?t|does not) work)|\bi was trying to\b|\bnot just\b/i;

interface FixWindow {
  /** Assistant prose between the failure and the success. */
  texts: string[];
  edits: ToolCall[];
  /** Successful shell commands run in between (not the re-run). */
  commands: string[];
  /** The passing re-run of the failing command, when there is one. */
  rerun?: string;
  /** The next human prompt after the window, if any. */
  nextPrompt?: Turn;
  /** The window ended because the same command failed again. */
  failedAgain: boolean;
}

function isShell(call: ToolCall): boolean {
  return SHELL_TOOL.test(call.name);
}

/** `bundle exec rspec x` -> `bundle exec`: program plus subcommand, for "same command". */
function commandKey(input: string): string {
  const words = commandOf(input)
    .replace(/^(?:bash|sh|zsh) -l?c\s+['"]?/, '')
    .replace(/^(?:\w+=\S+\s+)+/, '')
    .replace(/^(?:sudo|cd \S+ &&)\s+/, '')
    .trim()
    .split(/\s+/);
  const prog = (words[0] ?? '').split('/').pop() ?? '';
  const sub = words.slice(1).find((w) => !w.startsWith('-')) ?? '';
  return `${prog} ${/^[a-z][\w:-]*$/i.test(sub) ? sub : ''}`.trim();
}

/** True when `other` re-runs `failing` (same program and subcommand, flags may differ). */
function sameCommand(failing: string, other: string): boolean {
  const a = commandKey(failing).split(' ');
  const b = commandKey(other).split(' ');
  if (a[0] !== b[0] || !a[0]) return false;
  const sub = a[1];
  return !sub || other.split(/\s+/).includes(sub);
}

/** Walks from a failing call to the next prompt, collecting what the assistant did. */
function fixWindow(
  turns: readonly Turn[],
  index: number,
  callIndex: number,
  failing: ToolCall | undefined,
): FixWindow {
  const w: FixWindow = { texts: [], edits: [], commands: [], failedAgain: false };
  const key = failing ? commandOf(failing.input) : undefined;
  for (let t = index; t < turns.length && t <= index + 8; t++) {
    const turn = turns[t] as Turn;
    if (turn.role === 'user') {
      if (turn.kind === 'answer' || turn.kind === 'interrupt' || turn.kind === 'rejection') {
        if (turn.kind !== 'answer') return w;
        continue;
      }
      if (t === index) continue;
      if (/^\s*\/(?:run|test|lint)\b/.test(turn.text) || !turn.text.trim()) continue;
      w.nextPrompt = turn;
      return w;
    }
    if (t !== index && turn.text.trim()) w.texts.push(turn.text);
    else if (t === index && turn.text.trim()) w.texts.push(turn.text);
    const calls = turn.toolCalls;
    for (let c = t === index ? callIndex + 1 : 0; c < calls.length; c++) {
      const call = calls[c] as ToolCall;
      if (EDIT_TOOL.test(call.name) && !isFailure(call)) {
        w.edits.push(call);
        continue;
      }
      if (!isShell(call)) continue;
      if (key && sameCommand(key, commandOf(call.input))) {
        if (isFailure(call)) {
          w.failedAgain = true;
          return w;
        }
        w.rerun = commandOf(call.input);
        // Keep scanning to the next prompt: the user may still object.
        for (let u = t + 1; u < turns.length && u <= index + 8; u++) {
          const next = turns[u] as Turn;
          if (next.role === 'user' && (next.kind ?? 'prompt') === 'prompt' && next.text.trim()) {
            if (/^\s*\/(?:run|test|lint)\b/.test(next.text)) continue;
            w.nextPrompt = next;
            break;
          }
          if (next.role === 'user' && next.kind === 'interrupt') break;
        }
        return w;
      }
      if (!isFailure(call)) w.commands.push(commandOf(call.input));
    }
  }
  return w;
}

/** A failing tool call that a later change fixed, as a lesson; undefined when unconfirmed. */
function resolveFailure(
  turns: readonly Turn[],
  index: number,
  callIndex: number,
  call: ToolCall,
  error: string,
): Lesson | undefined {
  if (!isShell(call)) return undefined;
  const w = fixWindow(turns, index, callIndex, call);
  const confirmed =
    w.rerun !== undefined || (w.nextPrompt && USER_CONFIRMS.test(w.nextPrompt.text));
  if (!confirmed || w.failedAgain) return undefined;
  if (w.nextPrompt && USER_OBJECTS.test(w.nextPrompt.text)) return undefined;
  const prose = w.texts.join('\n');
  if (OWN_SLIP.test(prose)) return undefined;
  const environment = ENVIRONMENT_ERROR.test(error) || ENVIRONMENT_ERROR.test(call.output ?? '');
  let fix: string | undefined;
  if (w.rerun && w.edits.length === 0) fix = flagFix(commandOf(call.input), w.rerun);
  fix ??= actionFromProse(prose, relatedWords(w.edits, error));
  fix ??= editFix(w.edits);
  if (!fix && w.edits.length === 0 && w.commands.length > 0) fix = runFix(w.commands);
  if (!fix) return undefined;
  if (w.commands.length > 0 && w.edits.length > 0 && /\b(?:add|pin|bump|install)\b/i.test(fix)) {
    const install = w.commands.find((cmd) => INSTALL_COMMAND.test(cmd));
    if (install && fix.length + install.length < 150)
      fix = `${fix.replace(/\.$/, '')}, then run \`${install}\`.`;
  }
  const lesson: Lesson = {
    kind: environment ? 'workaround' : 'error_resolution',
    turn: index,
    quote: redactText(clip(error, 160)),
    strength: w.rerun ? 0.65 : 0.6,
    error,
    fix: redactText(fix),
    tool: call.name,
  };
  const cause = causeFromProse(prose);
  if (cause) lesson.cause = redactText(cause);
  const program = commandKey(call.input);
  if (program) lesson.command = program;
  return lesson;
}

const INSTALL_COMMAND =
  /^(?:bundle(?: install)?|npm (?:i|install|ci)|pnpm (?:i|install|add)|yarn(?: add| install)?|pip3? install|uv (?:sync|add|pip)|poetry (?:add|install)|go (?:get|mod tidy)|cargo (?:add|fetch)|mix deps\.get)\b/;

/** `cargo test` -> `cargo test --offline`: the flags that made the re-run pass. */
function flagFix(failing: string, rerun: string): string | undefined {
  const before = failing.trim().split(/\s+/);
  const after = rerun.trim().split(/\s+/);
  const added = after.filter((w) => !before.includes(w));
  const removed = before.filter((w) => !after.includes(w));
  if (added.length === 0 || added.length > 4 || removed.length > 2) return undefined;
  if (!added.some((w) => w.startsWith('-'))) return undefined;
  const program = (after[0] ?? '').split('/').pop() ?? '';
  const add = added.join(' ');
  return removed.length > 0
    ? `Run ${program} with \`${add}\` instead of \`${removed.join(' ')}\`.`
    : `Run ${program} with \`${add}\`.`;
}

const ACTION_SENTENCE =
  /^(?:i'?ll |i will |let me |now )?(adding|add|switching to|switch to|using|use|replacing|replace|replaced|moving|move|installing|install|pinning|pin|setting|set|passing|pass|importing|import|renaming|rename|removing|remove|retrying with|wrapping|wrap|enabling|enable|declaring|declare|registering|register|exporting|export)\b\s*(.+)$/i;

const GERUND_BASE: Record<string, string> = {
  adding: 'add',
  'switching to': 'use',
  'switch to': 'use',
  using: 'use',
  replacing: 'replace',
  replaced: 'replace',
  moving: 'move',
  installing: 'install',
  pinning: 'pin',
  setting: 'set',
  passing: 'pass',
  importing: 'import',
  renaming: 'rename',
  removing: 'remove',
  'retrying with': 'use',
  wrapping: 'wrap',
  enabling: 'enable',
  declaring: 'declare',
  registering: 'register',
  exporting: 'export',
};

/** The change, from a sentence like "Adding it to the :test group of the Gemfile." */
function actionFromProse(prose: string, related?: ReadonlySet<string>): string | undefined {
  const sentences = prose
    .replace(/```[\s\S]*?```/g, ' ')
    .split(/(?<=[.!])\s+|\n+/)
    .map((x) => x.trim())
    .filter(Boolean);
  // Later sentences first: text before the failure in the same turn is about something else.
  for (let i = sentences.length - 1; i >= 0; i--) {
    const sentence = (sentences[i] as string).replace(/[.:!]+$/, '');
    if (related && related.size > 0 && !mentionsAny(sentence, related)) continue;
    const m = ACTION_SENTENCE.exec(sentence);
    if (!m) continue;
    const verbRaw = (m[1] ?? '').toLowerCase();
    const verb = GERUND_BASE[verbRaw] ?? verbRaw;
    let body = (m[2] ?? '').trim();
    // "Replaced `a` with `b` and moved ..." -> only the first change.
    body = body.replace(/\s+and (?:moved|added|removed|updated|renamed|changed|fixed)\b.*$/i, '');
    if (verb === 'replace') {
      const r = /^(.+?) with (.+)$/i.exec(body);
      if (!r) continue;
      return finish(`Use ${r[2]} instead of ${r[1]}`);
    }
    // "it" / "them" -> the subject of the sentence before ("webmock isn't in the bundle").
    if (/^(?:it|them)\b/i.test(body)) {
      const subject = /^`?([\w@./:-]+)`?\s/.exec(sentences[i - 1] ?? '')?.[1];
      if (!subject || /^(?:the|this|that|it|there|we|i)$/i.test(subject)) continue;
      body = body.replace(/^(?:it|them)\b/i, subject);
    }
    if (body.split(/\s+/).length < 1 || body.length > 140) continue;
    if (/^(?:the (?:tests?|changes?|fix|file)|a (?:test|fix))\b/i.test(body) && verb !== 'add')
      continue;
    if (verb === 'use' && /^(?:the same|that|this)\b/i.test(body)) continue;
    return finish(`${verb} ${body}`);
  }
  return undefined;
}

/** Words that tie a sentence to a change: edited file names and the tokens the edits changed. */
function relatedWords(edits: readonly ToolCall[], error: string): Set<string> {
  const out = new Set<string>();
  for (const e of edits) {
    for (const m of e.input.matchAll(/[\w.-]+\.\w+|\b[A-Z]\w+file\b|\bGemfile\b/g)) {
      const base = m[0].split('/').pop() ?? m[0];
      out.add(base.toLowerCase());
      out.add(base.replace(/\.\w+$/, '').toLowerCase());
    }
    for (const line of e.input.split(/\\n|\n/)) {
      if (!/^[+]|new_?string|newString/i.test(line)) continue;
      for (const t of codeTokens(line)) if (t.length > 3) out.add(t.toLowerCase());
    }
  }
  for (const t of codeTokens(error)) if (t.length > 4) out.add(t.toLowerCase());
  return out;
}

function mentionsAny(sentence: string, words: ReadonlySet<string>): boolean {
  for (const t of codeTokens(sentence)) if (words.has(t.toLowerCase())) return true;
  for (const t of sentence.toLowerCase().match(/[\w.-]+/g) ?? []) if (words.has(t)) return true;
  return false;
}

/** The assistant's one-sentence diagnosis, for the pattern's context. */
function causeFromProse(prose: string): string | undefined {
  const first = prose
    .replace(/```[\s\S]*?```/g, ' ')
    .split(/(?<=[.!])\s+|\n+/)
    .map((x) => x.trim())
    .find(
      (x) =>
        x.length > 20 &&
        x.length < 200 &&
        !ACTION_SENTENCE.test(x) &&
        /\b(?:is|are|was|isn'?t|aren'?t|doesn'?t|does not|no longer|only|returns|expects|lives|needs|uses|runs)\b/i.test(
          x,
        ),
    );
  return first;
}

/** A one-line change: `Use pgx.ErrNoRows instead of sql.ErrNoRows.` */
function editFix(edits: readonly ToolCall[]): string | undefined {
  const pairs: Array<[string, string]> = [];
  for (const e of edits) {
    let parsed: unknown;
    try {
      parsed = e.input.trim().startsWith('{') ? JSON.parse(e.input) : undefined;
    } catch {
      parsed = undefined;
    }
    if (parsed && typeof parsed === 'object') {
      const o = parsed as Record<string, unknown>;
      const a = o.old_string ?? o.oldString;
      const b = o.new_string ?? o.newString;
      if (typeof a === 'string' && typeof b === 'string') pairs.push([a, b]);
      continue;
    }
    const minus = e.input.split('\n').filter((l) => /^-(?!--)/.test(l));
    const plus = e.input.split('\n').filter((l) => /^\+(?!\+\+)/.test(l));
    if (minus.length > 0 && minus.length === plus.length) {
      for (let i = 0; i < minus.length; i++)
        pairs.push([(minus[i] as string).slice(1), (plus[i] as string).slice(1)]);
    } else {
      const m = /- oldString: `([^`]+)`\s*\n- newString: `([^`]+)`/.exec(e.input);
      if (m) pairs.push([m[1] ?? '', m[2] ?? '']);
    }
  }
  if (pairs.length === 0 || pairs.length > 3) return undefined;
  const changes = new Map<string, string>();
  for (const [a, b] of pairs) {
    const ta = codeTokens(a);
    const tb = codeTokens(b);
    const gone = ta.filter((t) => !tb.includes(t));
    const came = tb.filter((t) => !ta.includes(t));
    if (gone.length !== 1 || came.length !== 1) continue;
    changes.set(gone[0] as string, came[0] as string);
  }
  if (changes.size !== 1) return undefined;
  const [[from, to]] = [...changes.entries()] as [[string, string]];
  if (isSlip(from, to)) return undefined;
  return `Use \`${to}\` instead of \`${from}\`.`;
}

function codeTokens(text: string): string[] {
  return text.match(/[A-Za-z_][\w.]*[\w]|[A-Za-z_]/g) ?? [];
}

/** `artifact` -> `artifacts`: a spelling slip, not a lesson. */
function isSlip(a: string, b: string): boolean {
  if (a.startsWith(b) || b.startsWith(a)) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let diff = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) diff++;
  return diff <= 1;
}

/** Commands run between the failure and the confirmation: `Run \`make db\`.` */
function runFix(commands: readonly string[]): string | undefined {
  const useful = commands.filter(
    (cmd) =>
      !/^(?:ls|cat|sed|head|tail|rg|grep|find|pwd|echo|git (?:status|diff|log|show))\b/.test(cmd),
  );
  const cmd = useful[0];
  if (!cmd || useful.length > 2 || cmd.length > 100) return undefined;
  return `Run \`${cmd}\`.`;
}

function finish(text: string): string {
  const s = text.trim().replace(/[.!:;,\s]+$/, '');
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
}

/** The programs of every segment of a shell pipeline (`head x | jq .` -> head, jq). */
function programs(input: string): Set<string> {
  const out = new Set<string>();
  const command = commandOf(input);
  for (const part of command.split(/\|\|?|&&|;/)) {
    const p = program(part);
    if (p) out.add(p);
  }
  return out;
}

/** The next successful call of the same tool that no longer uses `missing`, within a few calls. */
function nextSuccessfulCommand(
  turns: readonly Turn[],
  index: number,
  callIndex: number,
  tool: string,
  missing: string,
): string | undefined {
  let seen = 0;
  for (let t = index; t < turns.length && t <= index + 6; t++) {
    const turn = turns[t] as Turn;
    if (turn.role === 'user' && turn.kind !== 'answer' && turn.text.trim()) return undefined;
    const calls = turn.toolCalls;
    for (let c = t === index ? callIndex + 1 : 0; c < calls.length; c++) {
      const call = calls[c] as ToolCall;
      if (call.name !== tool) continue;
      if (++seen > 3) return undefined;
      if (programs(call.input).has(missing)) continue;
      if (!isFailure(call)) return call.input;
    }
  }
  return undefined;
}

function toInstruction(text: string): string {
  const s = text.trim().replace(/[.!]+$/, '');
  // "Read it first before writing to it" -> "Read the file first before writing to it."
  const fixed = s.replace(/^read it\b/i, 'Read the file');
  return `${fixed[0]?.toUpperCase() ?? ''}${fixed.slice(1)}.`;
}

/**
 * A user pasting an error, the assistant changing something, then the user saying it works
 * (or moving on to something else without repeating the error) is an error resolution.
 */
export function detectPastedErrorResolution(
  turns: readonly Turn[],
  index: number,
  out: Lesson[],
): void {
  const turn = turns[index] as Turn;
  const error = firstErrorLine(turn.text);
  if (!error) return;
  const w = fixWindow(turns, index + 1, -1, undefined);
  const next = w.nextPrompt;
  if (!next || USER_OBJECTS.test(next.text) || FRUSTRATION.test(next.text)) return;
  // Confirmed when the user says so, or moves on after an edit without the error coming back.
  const movedOn =
    w.edits.length > 0 &&
    !/\b(?:still|again|same (?:error|issue|problem))\b/i.test(next.text) &&
    firstErrorLine(next.text) === undefined;
  if (!USER_CONFIRMS.test(next.text) && !movedOn) return;
  const prose = w.texts.join('\n');
  if (OWN_SLIP.test(prose)) return;
  let fix = actionFromProse(prose, relatedWords(w.edits, error)) ?? editFix(w.edits);
  if (!fix && w.edits.length === 0) fix = runFix(w.commands);
  const lesson: Lesson = {
    kind: ENVIRONMENT_ERROR.test(error) ? 'workaround' : 'error_resolution',
    turn: index,
    quote: redactText(clip(error, 160)),
    strength: 0.55,
    error,
  };
  if (fix) lesson.fix = redactText(fix);
  const cause = causeFromProse(prose);
  if (cause) lesson.cause = redactText(cause);
  out.push(lesson);
}
