/**
 * Error resolutions and workarounds: a failure (a failing tool call, or an error the user
 * pasted), the change that fixed it, and the confirmation that it is fixed.
 *
 * A lesson carries final text: `error` is the trigger (the error's telling line, normalised so
 * the same error always reads the same, prefixed by the failing command when there is one) and
 * `fix` is one imperative sentence. The fix is taken, in order of trust, from the assistant's
 * sentence naming the fix ("fixed by adding …", "the fix is to …"), the route the user gave,
 * the edit applied between failure and success, the commands run before the passing re-run,
 * and the assistant's announced action ("I'll add …"). Nothing is learned from an error that
 * was never confirmed fixed, a fix the user rejected, or the assistant correcting its own slip.
 * @module
 */
import type { ToolCall, Turn } from '../model/session.js';
import type { Lesson } from './signals.js';
import { clip, FRUSTRATION, redactText } from './text.js';

// ---------------------------------------------------------------------------------------------
// Error lines

/** Lines that only say that something failed, never what: skipped when a better line exists. */
const WRAPPER_LINE =
  /^(?:FAILED: [\w./ -]+$|(?:FATAL ERROR|ERROR): command exited with status \d+|FAILED \S+::\S+|(?:FAIL|FAILED)\s+[\w\\.:/]+(?:\s+>\s+.*)?$|\*\* \(Mix\) Can't continue|FAILURE: Build failed|BUILD FAILED|Build FAILED|Failed!\s+-|Installation failed, reverting|make(?:\[\d+\])?: \*\*\*.*Error \d+|collect2: error: ld returned|error: could not compile|error: command failed|npm ERR! (?:code|errno|A complete log|Lifecycle|Exit status)|ERR_PNPM_\w+|error Command failed|Error: Process completed with exit code|Command failed with exit code|FAILED \(|=+ (?:\d+ )?(?:failed|errors?)\b|\d+ (?:failed|errors?)\b|Aborted with \d+ warnings?|error: Recipe `|Test Suites?:|Tests?:\s|ERROR: No matching distribution|ERROR: Could not find a version|nbclient\.exceptions\.CellExecutionError|Error: UPGRADE FAILED: [^a-z]*$|error: [\w.-]+: tasks? [\d,-]+: Exited with exit code \d+|srun: error: |(?:Error: )?failed to execute `[^`]+`: exited with exit status|Error: Compiling your crate to WebAssembly failed|Fatal: error validating input)/i;

/** A line that names a failure. Tried on each line, in order; the first hit wins per line. */
const ERROR_SHAPES: RegExp[] = [
  // Python / Java / JS / Ruby named errors: "ValueError: …", "java.lang.IllegalStateException: …",
  // "ActionView::Template::Error: …".
  /^\s*(?:E\s+|\[\w*\]:?\s*)?((?:[a-z_]\w*\.)*(?:(?:[A-Z]\w*::)+\w*|[A-Z]\w*)(?:Error|Exception)(?: \[[A-Z_]+\])? ?:(?:\s*\S.*)?)$/,
  // Elixir: "** (DBConnection.ConnectionError) connection not available …".
  /^\s*\*\* \(((?:[A-Z]\w*\.)*[A-Z]\w*(?:Error|Exception)\) .+)$/,
  // MSBuild / NuGet / csc: "Api.csproj : error NU1605: Detected package downgrade …".
  /(?:^|\s)(?:error|fatal error) ([A-Z]{2,}\d{3,5}: .+)$/,
  // A plain JS error with a code: "Error [ERR_REQUIRE_ESM]: require() of ES Module …".
  /^\s*((?:Uncaught )?Error \[[A-Z_]+\]:\s*\S.*)$/,
  // pytest's `E   ` lines: "E   psycopg.errors.UndefinedFunction: operator does not exist".
  /^E {2,}((?:[a-z_]\w*\.)+[A-Z]\w*:\s+\S.{5,})$/,
  // CMake: "CMake Error at CMakeLists.txt:12 (find_package):" (the message follows).
  /^\s*CMake Error(?: at [^:]+(?::\d+)?(?: \([\w_]+\))?)?:\s*(.*\S.*|)$/,
  // rustc / tsc / cc / go vet style.
  /^\s*((?:error|fatal error)(?:\[\w+\])?: .+)$/,
  /^\s*(?:[\w./-]+\(\d+,\d+\): )?(error TS\d+: .+)$/,
  // TeX: "! LaTeX Error: File `siunitx.sty' not found.", "! Fatal Package fontspec Error: …".
  /^! ((?:LaTeX|Package|Fatal|Undefined control|Missing|Emergency|TeX capacity|Paragraph ended|Extra|Misplaced|Font)\b.{5,})$/,
  // Vite and its plugins: "[vite] Internal server error: [sass] Undefined mixin.".
  /\bInternal server error:\s*(?:\[[\w:-]+\]\s*)?(.{6,})$/,
  // Dart Sass and friends: "Deprecation Warning [slash-div]: Using / for division …".
  /^\s*(Deprecation Warning(?: \[[\w-]+\])?: .{10,})$/,
  // Bracketed log levels: "[SEVERE] riverpod_generator on lib/x.dart:" (the message follows).
  /^\s*\[(?:SEVERE|ERROR|FATAL)\]\s+(.+)$/,
  // Go's compiler: "gen/x_grpc.pb.go:19:16: undefined: grpc.SupportPackageIsVersion9".
  /^\s*(?:\.\/)?[\w./-]+\.go:\d+:\d+: ((?:undefined|cannot|invalid|missing|too many|not enough|imported and not used|declared and not used|\S+ redeclared|syntax error)\b.{3,})$/,
  // A tool naming itself: "xcodebuild: error: Unable to find a destination …", "gcc: fatal error: …".
  /^\s*[a-z][\w.+-]*: ((?:fatal )?error: .{10,})$/,
  /^\s*(?:[\w./-]+:\d+:\d+: )?((?:fatal )?error: .+)$/,
  // Linker.
  /\bld(?:\.\w+)?: (region `?\w+'? overflowed by \d+ bytes)/,
  /(undefined reference to [`'][^`']+[`'])/,
  // Uppercase log levels: "ERROR: …", "SCRIPT ERROR: …", "FATAL: …", "Error: …".
  /^\s*(?:\d\d:\d\d:\d\d\s+)?(?:[A-Z]+ )?((?:(?:ERROR|FATAL|FAILED)\b[:!]?|(?:Error|fatal):)\s+(?:\[[^\]]*\]\s*)?\S.{2,})$/,
  // Strict-mode warnings that abort a build.
  /^\s*(WARNING\s*-?\s+.{10,})$/,
  // Shell and misc.
  /^\s*(.{0,80}\b(?:command not found|not recognized as an internal or external command|executable file not found in \$PATH|No such file or directory|Permission denied|has not been read yet|Cannot find module|is undefined or private|is not defined|is not a function|undefined method|no function clause matching|cannot find symbol|missing separator|Disk quota exceeded|No space left on device|Could not resolve host|Temporary failure in name resolution|Connection refused|not up to date|in progress|is not recognized|Broken pipe|could not be resolved to an installable set|unrecognized option|region `?\w+'? overflowed|will not fit in region|unrecognised option|invalid option|illegal option|unknown option|unknown flag|a terminal is required to read the password|a password is required|Could not resolve dependencies|does not match the requirement|requires a different Python|version solving failed|ResolutionImpossible|compiled with an incompatible version|Unable to resolve service for type)\b.{0,160})$/i,
  /^\s*(E\d{3,5}\b.{3,200})$/,
  // PowerShell: "Get-Content: The input object cannot be bound to any parameters …".
  /^\s*([A-Z][a-z]+-[A-Z][A-Za-z]+: (?:The |Cannot |A parameter ).{10,})$/,
  // KSP and kapt: "e: [ksp] /src/AppDatabase.kt:6: Schema export directory was not provided …".
  /^e: \[(?:ksp|kapt)\] (?:\S+?:\d+: )?(.{6,})$/,
  // Binaryen: "[wasm-validator error in function 7] unexpected false: memory.copy operations …".
  /^\[wasm-validator error[^\]]*\] (?:unexpected false: )?(.{6,})$/,
  // kotlinc: "e: file:///src/X.kt:3:8 Unresolved reference: foo".
  /^e: (?:file:\/\/)?\S+?:\d+:\d+ (.{6,})$/,
  // A named error quoted inside a sentence: "Running it gives: TypeError: …".
  /(?:^|:\s+|\s)((?:[a-z_]\w*\.)*[A-Z]\w*(?:Error|Exception):\s+\S.{3,})$/,
  // A cross mark before the message: "  ⨯ Cannot find identity … in keychain" (electron-builder).
  /^\s*[⨯✖✗❌]\s+([A-Za-z].{9,})$/,
  // A log-level error inside a longer log line, the last one being the cause: "2026/10/02 goose
  // run: ERROR 2026_x.sql: failed to run SQL migration: …: ERROR: unique constraint on …".
  /^.*\b(?:ERROR|FATAL|PANIC)(?: \[[\w-]+\])?:\s+((?:[A-Za-z]\S*\s+){2}.{6,})$/,
];

/** Symfony's console exception header: `  [Symfony\Component\…\LogicException]`. */
const SYMFONY_EXCEPTION = /^\s*\[((?:[A-Z]\w*\\)+[A-Z]\w*(?:Exception|Error))\]\s*$/;

/** A Rust panic's message: the line after `thread 'main' panicked at …:`. */
const PANIC = /thread '[^']*' panicked at [^\n]*:\n([^\n]+)|panicked at '([^']+)'/;

/**
 * The most telling error line of a failure's output, normalised; undefined when it shows none.
 * Root causes beat wrappers: the last `XxxError: …` of a Python traceback, a cargo `Caused by:`
 * root, the assertion under a Go `--- FAIL:`, a panic's message, else the first named line.
 */
export function errorLine(text: string): string | undefined {
  // The same text is asked about several times (a user's turn by the pasted-error rules, the
  // next turn's check and the fix model), so the last few answers are kept.
  if (ERROR_LINES.has(text)) return ERROR_LINES.get(text);
  const line = computeErrorLine(text);
  if (ERROR_LINES.size >= 64) ERROR_LINES.clear();
  ERROR_LINES.set(text, line);
  return line;
}

const ERROR_LINES = new Map<string, string | undefined>();

function computeErrorLine(text: string): string | undefined {
  const head = text.length > 30_000 ? text.slice(0, 30_000) : text;
  let line = rawErrorLine(head);
  if (!line) return undefined;
  if (/^WARNING\b/.test(line)) {
    line = line.replace(/^WARNING\s*[-:]?\s*/, '');
    if (/strict mode|warnings? (?:are |treated as )?errors|-Werror|--strict/i.test(head))
      line = `${shorten(normaliseError(line))} (strict mode)`;
  }
  const normal = shorten(normaliseError(line));
  return normal.length >= 6 ? normal : undefined;
}

function rawErrorLine(text: string): string | undefined {
  const panic = PANIC.exec(text);
  if (panic) return `panic: ${(panic[1] ?? panic[2] ?? '').trim()}`;
  const lines = text.split('\n');
  const caused = lines.lastIndexOf('Caused by:');
  if (caused >= 0) {
    const root = lines.slice(caused + 1).find((l) => l.trim());
    if (root) return root.trim().replace(/^\d+:\s*/, '');
  }
  // Java's chain of wrapped exceptions: the last "Caused by: …" is the root cause.
  let rootCause: string | undefined;
  for (const l of lines) if (/^\s*Caused by: \S/.test(l)) rootCause = l;
  // "Caused by: failed to execute `cargo build`: exited with exit status: 101" only wraps the
  // compiler's own error above it.
  if (rootCause && !WRAPPER_LINE.test(rootCause.trim().replace(/^Caused by:\s*/, '')))
    return rootCause.trim().replace(/^Caused by:\s*/, '');
  const fail = lines.findIndex((l) => /^\s*--- FAIL: \w+/.test(l));
  let goFail: string | undefined;
  if (fail >= 0) {
    const name = /--- FAIL: (\w+)/.exec(lines[fail] as string)?.[1] ?? '';
    const detail = (lines[fail + 1] ?? '').trim().replace(/^[\w./-]+\.go:\d+:\s*/, '');
    // A bare "FAIL" under it: the cause is printed above (a Ginkgo suite, a setup error).
    if (detail && !/^(?:FAIL|ok)\b/.test(detail)) return `${name} fails: ${detail}`;
    goFail = `${name} fails`;
  }
  // Flyway's report under a wrapping exception: "SQL State : 25001 … Message : ERROR: …".
  if (/^\s*SQL State\s*:/m.test(text)) {
    const message = /^\s*Message\s*:\s*(?:ERROR:\s*)?(\S.{5,})$/m.exec(text)?.[1];
    if (message) return message.trim();
  }
  // Symfony's console: "  [Symfony\…\InvalidArgumentException]" over the message.
  const boxed = lines.findIndex((l) => SYMFONY_EXCEPTION.test(l));
  if (boxed >= 0) {
    const type = (SYMFONY_EXCEPTION.exec(lines[boxed] as string)?.[1] ?? '').split('\\').pop();
    const message = lines
      .slice(boxed + 1, boxed + 3)
      .find((l) => l.trim())
      ?.trim();
    if (message) return `${type}: ${message}`;
  }
  // Gomega's "Unexpected error:" then "<*fmt.wrapError | 0xc0…>:" then the message.
  const unexpected = lines.findIndex((l) => /^\s*Unexpected error:\s*$/.test(l));
  if (unexpected >= 0) {
    const message = lines
      .slice(unexpected + 1, unexpected + 4)
      .map((l) => l.trim())
      .find((l) => l && !/^<[^>]*>:?$/.test(l));
    if (message) return message;
  }
  const traceback = /Traceback \(most recent call last\)/.test(text);
  let best: string | undefined;
  let bestRank = 99;
  let lastNamed: string | undefined;
  const n = Math.min(lines.length, 600);
  for (let i = 0; i < n; i++) {
    // Terraform draws its diagnostics in a box: "│ Error: Failed to query …".
    const raw = (lines[i] as string).replace(/\s+$/, '').replace(/^[│┃]\s?/, '');
    if (!raw.trim() || raw.length > 2000) continue;
    const trimmed = raw.trim().replace(/^\[[^\]]*\]\s+/, '');
    if (WRAPPER_LINE.test(trimmed)) continue;
    for (let r = 0; r < ERROR_SHAPES.length; r++) {
      const m = (ERROR_SHAPES[r] as RegExp).exec(raw);
      if (!m?.[1]) continue;
      let found = m[1].trim();
      if (/^(?:Error|ERROR|FAILED)\b:?\s*$/.test(found)) continue;
      // "LoadError:\n  cannot load such file" / "ImportError while importing …".
      if (/(?:Error|Exception):?\s*$/.test(found) && lines[i + 1]?.trim())
        found = `${found.replace(/:?\s*$/, '')}: ${(lines[i + 1] as string).trim()}`;
      // Erlang's "errors were found at the given arguments:\n\n  * 1st argument: the table …".
      else if (/given arguments?:\s*$/.test(found)) {
        const detail = lines
          .slice(i + 1, i + 4)
          .find((l) => /^\s*\*\s+\S/.test(l))
          ?.trim()
          .replace(/^\*\s+/, '');
        if (detail) found = `${found.replace(/:\s*$/, '')}: ${detail}`;
      }
      // "[SEVERE] generator on lib/x.dart:" and the message a line or two below.
      else if (/:\s*$/.test(found) && /^\s*\[/.test(raw)) {
        const next = lines.slice(i + 1, i + 3).find((l) => l.trim());
        if (next) found = clipSentence(next.trim());
      }
      if (/(?:Error|Exception) (?:while|in|at)\b/.test(found)) continue;
      // "Error: [Cabal-7107]", "error: [GHC-87110]", "generator : Ninja": the message goes on.
      const core = found
        .replace(/^(?:(?:fatal )?error|Error|ERROR)\b[:!]?\s*/, '')
        .replace(/\[[^\]]*\]/g, '');
      if ((core.match(/[A-Za-z]{2,}/g) ?? []).length < 3) {
        const next = lines[i + 1]?.trim();
        if (next && next.length < 200 && /[A-Za-z]{2}/.test(next) && !WRAPPER_LINE.test(next))
          found = `${found} ${next}`;
        else if (!core.trim()) continue;
      }
      found = found.replace(/^((?:[A-Z]\w*\.)*[A-Z]\w*(?:Error|Exception))\) /, '$1: ');
      if (r > 0) {
        const named = /\b((?:[a-z_]\w*\.)*[A-Z]\w*(?:Error|Exception):\s.+)$/.exec(found);
        if (named?.[1]) found = named[1];
      }
      found = found.replace(/\s+at [\w./-]+\.\w{1,5}(?::\d+)*$/, '');
      if (r === 0) lastNamed = found;
      if (r < bestRank) {
        best = found;
        bestRank = r;
      }
      break;
    }
    if (bestRank === 0 && !traceback) break;
  }
  if (traceback && lastNamed) return lastNamed;
  return best ?? goFail;
}

/** Keeps a long message to its first sentence (the rest is detail: sizes, hints). */
function shorten(line: string): string {
  if (line.length <= 110) return line;
  const cut = /^(.{10,150}?[a-z)'"`\]])[.!;] (?=[A-Z(])/.exec(line);
  if (cut?.[1]) return cut[1];
  return clip(line, 150).replace(/…$/, '');
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing terminal colours is the point
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Normalises an error line so the same error gives the same trigger: no paths, line numbers,
 * hex ids, PIDs, timestamps, durations, sizes or request ids.
 */
export function normaliseError(line: string): string {
  return line
    .replace(/<\/?[a-z_]+>/g, '')
    .replace(ANSI, '')
    .replace(/\[\d+\]\s*/g, '')
    .replace(/#PID<[\d.]+>/g, 'PID')
    .replace(/\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z?/g, '')
    .replace(/^\d\d:\d\d:\d\d(?:\.\d+)?\s+/, '')
    .replace(/\s*\((?:\/|[A-Za-z]:\\)[^)]*\)/g, '') // "(/usr/lib/python3.10/datetime.py)"
    .replace(/\s*\(os error \d+\)/g, '')
    .replace(/\[Errno -?\d+\]\s*/g, '')
    .replace(
      /(^|[\s'"`(=:])((?:\.{0,2}\/|~\/|[A-Za-z]:\\)(?:[\w.@+-]+[/\\])+[\w.@+-]*|(?:[\w.@+-]+[/\\]){1,}[\w@+-]*\.[A-Za-z]\w{0,4}\b)/g,
      (_all, pre: string, path: string) =>
        path.startsWith('@') ? `${pre}${path}` : `${pre}${shortPath(path)}`,
    )
    .replace(/([\w-]+\.\w+):\d+(?::\d+)?/g, '$1')
    .replace(/\b(?:line|at line) \d+/gi, 'line N')
    .replace(/\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)[0-9a-f]{12,}\b/gi, '…')
    .replace(/\b[0-9A-F]{4}(?::[0-9A-F]{4,8}){3,}\b/g, '…')
    .replace(/\(\d+(?:\.\d+)?m?s\)/g, '')
    .replace(/\b\d+(?:\.\d+)? ?[KMGT]i?B\b/g, 'N GiB')
    .replace(/\bfor user ID \d+/i, '')
    .replace(/ from ['"][\w./-]+\.\w{1,5}['"]/g, '')
    .replace(/^(?:Uncaught )?Error: (?=\S)/, '')
    .replace(/^(?:ERROR|FATAL|FAILED)\b[:!]?\s*(?:\[[^\]]*\]\s*)?(?=\S)/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.\s]+$/, '');
}

/** `/x/node_modules/node-fetch/src/index.js` -> `node-fetch/src/index.js`; else the base name. */
function shortPath(path: string): string {
  const parts = path.split(/[/\\]/).filter(Boolean);
  const pkg = parts.lastIndexOf('node_modules');
  const site = parts.lastIndexOf('site-packages');
  const root = Math.max(pkg, site);
  if (root >= 0 && parts[root + 1]) return parts[root + 1] as string;
  return parts[parts.length - 1] ?? path;
}

// ---------------------------------------------------------------------------------------------
// Tool calls

const EDIT_TOOL =
  /^(?:edit|write|multiedit|multi_edit|str_replace\w*|apply_patch|replace_string_in_file|create_file|write_file|edit file|edit_file|insert\w*|notebookedit|search_replace|edit_notebook)$/i;

const SHELL_TOOL =
  /^(?:bash|shell|exec_command|run_command|run_in_terminal|run_terminal_cmd|terminal|local_shell|command|shell_command|execute_command|run)$/i;

/** Commands that only look: never a fix, never a re-run. */
const LOOK_COMMAND =
  /^(?:ls|cat|sed(?! -i)|head|tail|less|rg|grep|find|pwd|echo|wc|which|type|stat|file|tree|du|df|quota|env|printenv|diff|jq|git (?:status|diff|log|show|branch|remote|rev-parse)|(?!go get\b)\w+ (?:--version|-v|version|status|history|current|heads|list|ls|get|describe|show|logs?|info|inspect|top|ps|doctor|config get)\b)/;

/** Pipeline stages that filter output rather than do work. */
const FILTER_PROGRAM =
  /^(?:head|tail|grep|rg|sed|awk|tee|less|cat|sort|uniq|wc|cut|tr|jq|echo|true|column|xargs|time|timeout|cd|sleep|printf|rm)$/;

/** Failures some formats do not flag: only unmistakable ones. */
const UNFLAGGED_FAILURE =
  /^(?:<tool_use_error>)?(?:[^\n]{0,80}: (?:command not found|No such file or directory)|(?:\(eval\)|-?(?:ba|z|k|da)?sh)(?::(?: line)? ?\d+)?: (?:(?:parse error|syntax error) near |Syntax error: )|File has not been read yet|[^\n]{0,80}: The term '[^'\n]+' is not recognized as (?:a|the) name of a cmdlet|[A-Z][a-z]+-[A-Z][A-Za-z]+: (?:The |Cannot |A parameter )[^\n]{10,})/;

/** Failure texts of a run that does work (not a look at a file that may quote them). */
const RUN_FAILURE =
  /thread '[^']*' panicked at|^Traceback \(most recent call last\)|^SCRIPT ERROR:|^\s*(?:FAIL|FAILED)\s+\S|^\s*(?:error(?:\[\w+\])?|fatal):\s|^\s*Failing\s+[1-9]|\b[1-9]\d* (?:failed|failing|failures?)\b|^npm ERR!|^Error: |\bException in thread\b|^[A-Z][a-z]+-[A-Z][A-Za-z]+: \S|^[\d :.,/T-]{8,}:?(?:ERROR|FATAL) \[[\w-]+\]:|^\s*\[(?:[A-Z]\w*\\)+[A-Z]\w*(?:Exception|Error)\]\s*$/m;

/** True when the call failed: flagged, a non-zero exit code, or an unmistakable failure text. */
export function isFailure(call: ToolCall): boolean {
  if (call.isError === true || (call.exitCode !== undefined && call.exitCode !== 0)) return true;
  if (call.isError === false) return false;
  let failed = FAILED.get(call);
  if (failed === undefined) {
    failed = outputFails(call);
    FAILED.set(call, failed);
  }
  return failed;
}

/** Calls already judged by their output (the judgement reads up to 20 000 characters). */
const FAILED = new WeakMap<ToolCall, boolean>();

function outputFails(call: ToolCall): boolean {
  const out = call.output ?? '';
  if (!out) return false;
  if (UNFLAGGED_FAILURE.test(out.slice(0, 400))) return true;
  if (LOOK_COMMAND.test(commandOf(call.input)) && !/panicked at/.test(out)) return false;
  return RUN_FAILURE.test(out.length > 20_000 ? out.slice(-20_000) : out);
}

/** A shell call (a command run), in any format. */
export function isShellCall(call: ToolCall): boolean {
  return SHELL_TOOL.test(call.name) || /^(?:Bash|exec)/i.test(call.name);
}

/** An edit or file write, in any format. */
export function isEditCall(call: ToolCall): boolean {
  return EDIT_TOOL.test(call.name) || /^edit$/i.test(call.name);
}

/** A shell call that only looks (`ls`, `cat`, `git diff`): never a fix, never a re-run. */
export function isLookCall(call: ToolCall): boolean {
  return LOOK_COMMAND.test(commandOf(call.input));
}

/** An error with an outside cause: no network, no Docker, a sandbox, a quota. */
export function isEnvironmentError(text: string): boolean {
  return ENVIRONMENT_ERROR.test(text);
}

const REJECTED =
  /doesn't want to proceed|tool use was rejected|user rejected|denied by the user|request interrupted|^aborted$/i;

/** The command line of a tool input (plain, JSON with a `command` field, or a titled block). */
function commandOf(input: string): string {
  let s = input.trim();
  if (s.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(s);
      if (parsed && typeof parsed === 'object') {
        const o = parsed as Record<string, unknown>;
        const c = o.command ?? o.cmd;
        if (typeof c === 'string') s = c;
        else if (Array.isArray(c)) s = c.map(String).join(' ');
      }
    } catch {
      // not JSON: a plain command line
    }
  }
  // "Run GUT tests headless\n`godot --headless …`": the backticked line is the command.
  const titled = /^[^\n`]*\n`([^`\n]+)`\s*$/.exec(s);
  if (titled?.[1]) s = titled[1];
  s = s.replace(/^(?:bash|sh|zsh) -l?c\s+(['"])([\s\S]*)\1$/, '$2');
  // Codex's argument arrays joined: `bash -lc cargo test` with no quotes left.
  s = s.replace(/^(?:bash|sh|zsh) -l?c\s+(?=\S)/, '');
  return s.trim();
}

/** Splits a command line into its stages (`a && b | c; d`), quotes respected. */
function stages(command: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  for (let i = 0; i < command.length; i++) {
    const ch = command[i] as string;
    if (quote) {
      if (ch === quote) quote = '';
      cur += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
      continue;
    }
    if (ch === '\n' || ch === ';' || ch === '|' || (ch === '&' && command[i + 1] === '&')) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      if ((ch === '&' || ch === '|') && command[i + 1] === ch) i++;
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Whitespace words of a command stage, quotes kept together. */
function words(stage: string): string[] {
  return stage.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
}

/** `FOO=1 sudo ./bin/x run --y` -> [`x`, `run`, `--y`]. */
function stageWords(stage: string): string[] {
  const w = words(stage.replace(/\s*\d?>&?\d?\s*\S*$/, '').replace(/\s+\d?>&\d/g, ''));
  while (
    w.length > 0 &&
    (/^\w+=\S*$/.test(w[0] as string) ||
      /^(?:sudo|env|exec|command|time|timeout|nice)$/.test(w[0] as string))
  ) {
    w.shift();
    if (/^\d+[smh]?$/.test(w[0] ?? '')) w.shift(); // timeout 5
  }
  if (w[0]) w[0] = (w[0].split('/').pop() ?? w[0]).replace(/^\.\//, '');
  return w;
}

/** Program plus subcommand(s) of a stage: `alembic revision --autogenerate`, `pnpm vitest run`. */
function stageLabel(stage: string, withFlags = true): string {
  const w = stageWords(stage);
  const prog = w[0];
  if (!prog) return '';
  // `pip install lifetimes`: the package is an argument, not part of the command.
  if (/^(?:install|add|get|remove|uninstall|i)$/.test(w[1] ?? '')) return `${prog} ${w[1]}`;
  const out = [prog];
  let flags = false;
  for (let i = 1; i < w.length && out.length < 3; i++) {
    const word = w[i] as string;
    const next = w[i + 1];
    if (/^--[a-z][\w-]*$/.test(word)) {
      // A flag that takes a value (`--select x`) is too specific for a label.
      if (!withFlags || (next !== undefined && !next.startsWith('-'))) break;
      flags = true;
      out.push(word);
      continue;
    }
    if (flags) break;
    if (/^[a-z][\w-]*$/i.test(word) || /^[a-z]+[.:][a-z]+$/.test(word)) out.push(word);
    else if (/^[\w-]+\.(?:py|js|ts|rb|gd)$/.test(word) && out.length === 1) out.push(word);
    // `php bin/console messenger:consume`: the script is what runs, not the interpreter.
    else if (
      out.length === 1 &&
      /^(?:php|python3?|node|ruby|perl|bash|sh|deno|bun)$/.test(prog) &&
      /^(?:\.\/)?[\w.-]+\/[\w./-]+$/.test(word)
    )
      out.push(word);
    else break;
  }
  return out.join(' ');
}

/**
 * Deleting generated files (a build directory, a cache, installed dependencies) so the next
 * run starts clean: `rm -rf build`, `rm -rf node_modules/.cache`, `rm CMakeCache.txt`.
 */
const CACHE_DELETE =
  /^rm\s+(?:-\w+\s+)*(?:(?:\.\/)?(?:[\w.-]+\/)*(?:build|_build|dist|dist-newstyle|target|out|obj|bin|node_modules|\.next|\.nuxt|\.gradle|\.cache|cache|\.parcel-cache|\.turbo|\.vite|__pycache__|\.pytest_cache|\.mypy_cache|\.tox|\.venv|venv|\.stack-work|deps|\.terraform|DerivedData|Pods|CMakeCache\.txt|CMakeFiles|\.dart_tool|vendor|\.angular|coverage|\.eslintcache|tsconfig\.tsbuildinfo|[\w.-]+\.lock|package-lock\.json)\/?(?:\s+|$))+$/;

/** The stages of a command that do the work (not `cd`, filters or looks). */
function workStages(command: string): string[] {
  return stages(command).filter((s) => {
    const prog = stageWords(s)[0] ?? '';
    return prog && (!FILTER_PROGRAM.test(prog) || CACHE_DELETE.test(s));
  });
}

/** Program and first subcommand of a stage, for "the same command". */
function stageKey(stage: string): string {
  let w = stageWords(stage);
  // `npx task-master add-task`, `uv run pytest`: the runner is not the program.
  const runner = /^(?:npx|bunx|pnpx)$/.test(w[0] ?? '')
    ? 1
    : /^(?:uv|poetry|pdm|hatch|rye) run$|^bundle exec$|^(?:pnpm|npm|yarn) (?:exec|dlx)$|^python3? -m$/.test(
          `${w[0]} ${w[1]}`,
        )
      ? 2
      : 0;
  w = w.slice(runner);
  // `docker compose exec -T web pytest`: the command runs inside the service.
  const inside = /^(?:docker compose|docker-compose \S+|docker) (?:exec|run)$/.test(
    `${w[0]} ${w[1]}${w[0] === 'docker' && w[1] === 'compose' ? ` ${w[2]}` : ''}`,
  )
    ? w.findIndex((x, i) => i >= (w[1] === 'compose' ? 3 : 2) && !x.startsWith('-'))
    : -1;
  if (inside >= 0 && inside + 1 < w.length) w = w.slice(inside + 1);
  const sub = w[1];
  // `npm run build` and `npm run test` are different jobs.
  const script = /^(?:npm|pnpm|yarn|bun) run$/.test(`${w[0]} ${sub}`) ? w[2] : undefined;
  return `${w[0] ?? ''} ${sub && /^[a-z][\w:-]*$/i.test(sub) ? sub : ''}${script ? ` ${script}` : ''}`.trim();
}

/** The label of a failing command for the trigger: its main working stage. */
function commandLabel(command: string): string | undefined {
  const work = workStages(command);
  const main = work.find((s) => !LOOK_COMMAND.test(s)) ?? work[0];
  return main ? stageLabel(main) : undefined;
}

/**
 * How a later command relates to a failing one: `rerun` when it runs every working stage of the
 * failing command (flags may differ), with `before` holding the stages run ahead of it in the
 * same line (`npm uninstall x && npx jest`).
 */
function relation(
  failing: string,
  later: string,
): { rerun: boolean; stage?: string; before: string[] } {
  const want = workStages(failing).map(stageKey).filter(Boolean);
  const laterStages = stages(later);
  const keys = laterStages.map(stageKey);
  if (want.length === 0) return logReread(failing, later);
  const first = keys.indexOf(want[0] as string);
  if (first < 0 || !want.every((k) => keys.includes(k))) return { rerun: false, before: [] };
  return {
    rerun: true,
    stage: laterStages[first] as string,
    before: laterStages
      .slice(0, first)
      .filter((s) => !FILTER_PROGRAM.test(stageWords(s)[0] ?? '') || CACHE_DELETE.test(s)),
  };
}

/**
 * A failing `setup && main` line re-run as its main stage alone, with flags added: every word
 * of the failing line's last working stage is in one stage of the later line.
 */
/**
 * A failure seen by reading a job's log (`tail logs/train-4418240.out`): reading the next run's
 * log (`logs/train-4418262.out`) is the re-run.
 */
function logReread(
  failing: string,
  later: string,
): { rerun: boolean; stage?: string; before: string[] } {
  const log = /(?:^|\s)((?:[\w.-]+\/)+[\w-]*?\d{3,}[\w-]*\.(?:out|log|err|txt))\b/.exec(
    failing,
  )?.[1];
  if (!log) return { rerun: false, before: [] };
  const shape = new RegExp(`(?:^|\\s)${escapeRe(log).replace(/\d{3,}/g, '\\d{3,}')}\\b`);
  if (!shape.test(later) || later.includes(log)) return { rerun: false, before: [] };
  return { rerun: true, stage: later, before: [] };
}

function lastStageRerun(
  failing: string,
  later: string,
): { rerun: boolean; stage?: string; before: string[] } {
  const work = workStages(failing);
  const last = work[work.length - 1];
  if (work.length < 2 || !last) return { rerun: false, before: [] };
  const want = stageWords(last).filter((w) => !w.startsWith('-'));
  if (want.length < 3) return { rerun: false, before: [] };
  const laterStages = stages(later);
  const at = laterStages.findIndex((s) => {
    const have = new Set(stageWords(s));
    return want.every((w) => have.has(w));
  });
  if (at < 0) return { rerun: false, before: [] };
  return {
    rerun: true,
    stage: laterStages[at] as string,
    before: laterStages
      .slice(0, at)
      .filter((s) => !FILTER_PROGRAM.test(stageWords(s)[0] ?? '') || CACHE_DELETE.test(s)),
  };
}

/** Command lines a build tool echoed before failing (`make flash` prints the openocd line). */
function echoedCommands(output: string): string[] {
  return output
    .split('\n')
    .slice(0, 8)
    .map((l) => l.trim())
    .filter(
      (l) => /^[a-z][\w.-]+ (?:-{1,2}\w|\S+ -{1,2}\w)/.test(l) && !/:\s/.test(l.slice(0, 20)),
    );
}

// ---------------------------------------------------------------------------------------------
// Confirmation and objection

/** The user says the problem is gone. */
const USER_CONFIRMS =
  /(?:^|[.!,;]\s*|\b(?:and|but|anyway|now)\s+)(?:(?:ok(?:ay)?|great|nice|perfect|awesome|cool|good|thanks|thank you|yes|yep|yay)[,!.\s]+)*(?:(?:ok(?:ay)? )?(?:that|this|it|the [\w ]{1,30}(?:change|fix)) (?:works?|worked|fixed it|did it|did the trick|solved it)\b(?! (?:with|on|for|in|if|when|because|like)\b)|works now|passes now|(?:it|that|this|build|ci|tests?)(?:'s| is| are)? (?:working|fixed|passing|green)(?: now| again)?|fixed(?: it)?\b|all (?:tests )?pass|tests pass|\d+ passed|green\b|problem solved|that did it|it starts? again|no more (?:error|crash)|(?:it )?runs? (?:now|fine|again)|(?:walls|it|that) works?\b(?! (?:with|on|for|in|if|when|because|like)\b))/i;

/** The user pushes back: what came just before is not a lesson. */
const USER_OBJECTS =
  /^\W*(?:no\b|nope|wrong|that'?s not|this is not|not what i|you broke|why did you|stop\b|undo\b|revert\b|fix the issue|wait\b|don'?t\b|never\b|please don'?t\b|still (?:not|broken|fail|the same|doesn'?t|isn'?t|getting)|it (?:still )?(?:doesn'?t|does not) work)|\bi was trying to\b|\bnot just\b/i;

const STILL_FAILING =
  /\b(?:still (?:fails?|failing|broken|crash\w*|the same|getting|get|see|seeing)|same (?:error|issue|problem)|(?:fails?|crash\w*) again|doesn'?t work|does not work|not working)\b/i;

/** The assistant says the failure was its own slip: nothing to learn. */
const OWN_SLIP =
  /\b(?:typo|misspel\w*|my (?:mistake|bad)|i (?:mis)?typed|wrong (?:variable|resource|file) name|forgot to (?:import|save|close)|i (?:pivoted|passed|used|called|wrote) the wrong)\b/i;

/** Failures caused by the environment rather than the code: fixed by another route. */
const ENVIRONMENT_ERROR =
  /rate limit|tenant (?:is )?disabled|resolve host|could not connect to (?:the )?registry|lookup [\w.-]+(?: on [\d.:]+)?: no such host|could not resolve host|name resolution|network is unreachable|no network|failed to establish a new connection|ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|sandbox|read-only file system|permission denied|operation not permitted|quota|no space left|service unavailable|\b(?:429|502|503)\b|command not found|executable file not found|not recognized as an internal|cannot connect to the docker daemon|could not find a valid docker environment|unable to connect to the target/i;

/** Outside causes, by the marker a tool prints, with the words a trigger uses for them. */
const ENVIRONMENT_CAUSES: Array<[RegExp, string]> = [
  [
    /Temporary failure in name resolution|Could not resolve host|could not connect to (?:the )?registry|lookup [\w.-]+(?: on [\d.:]+)?: no such host|getaddrinfo (?:ENOTFOUND|EAI_AGAIN)|Network is unreachable|Failed to establish a new connection|ENETUNREACH|EAI_AGAIN/i,
    'no network access',
  ],
  [/Disk quota exceeded|EDQUOT/i, 'disk quota exceeded'],
  [/No space left on device|ENOSPC/i, 'no space left on device'],
  [
    /Cannot connect to the Docker daemon|Could not find a valid Docker environment/i,
    'Docker is not running',
  ],
  [/\brate[ -]limit(?:ed)?\b|429 Too Many Requests/i, 'rate limited'],
  [/read-only file system|EROFS/i, 'read-only file system'],
];

/** The outside cause of a failure, when its output names one: `no network access (…)`. */
function environmentCause(output: string): { text: string; marker: string } | undefined {
  const head = output.slice(0, 8000);
  for (const [re, text] of ENVIRONMENT_CAUSES) {
    const m = re.exec(head);
    if (m) return { text, marker: m[0] };
  }
  return undefined;
}

/** The error line, or the outside cause when the line does not name it. */
/** {@link failureTrigger} of a call's output, worked out once per call. */
export function callTrigger(call: ToolCall): string | undefined {
  if (TRIGGERS.has(call)) return TRIGGERS.get(call);
  const trigger = failureTrigger(call.output ?? '');
  TRIGGERS.set(call, trigger);
  return trigger;
}

const TRIGGERS = new WeakMap<ToolCall, string | undefined>();

/** The trigger of a failure's output: its error line, or the outside cause (no network …). */
export function failureTrigger(output: string): string | undefined {
  const line = errorLine(output);
  const env = environmentCause(output);
  if (!env) return line;
  if (env.text !== 'no network access' && line?.toLowerCase().includes(env.marker.toLowerCase()))
    return line;
  const marker = env.text.includes(env.marker.toLowerCase()) ? '' : ` (${env.marker})`;
  return `${env.text}${marker}`;
}

// ---------------------------------------------------------------------------------------------
// The window after a failure

/** One text change: the lines that went and the lines that came, with the file when known. */
interface Change {
  file?: string;
  before: string[];
  after: string[];
}

interface Window {
  /** Assistant prose after the failure, in order. */
  texts: string[];
  /** Changes applied between the (last) failure and the success. */
  changes: Change[];
  /** Edit calls seen (some formats show no content). */
  editCount: number;
  /** Successful working commands in between (not the re-run). */
  commands: string[];
  /** Commit messages of commits made in between. */
  commits: string[];
  /** The folder a lone `cd` moved to in between, when one did. */
  cwd?: string;
  /** Human prompts in between, in order. */
  prompts: string[];
  /** The passing re-run, when there is one. */
  rerun?: string;
  /** The failing command (or its echoed stage) the re-run compares with. */
  rerunOf?: string;
  /** Stages run ahead of the re-run in the same command line. */
  before: string[];
  /** The human prompt after the confirmation, when any. */
  after?: Turn;
  /** The user confirmed in words. */
  userConfirmed: boolean;
  /** The re-run failed too, with another error: the command change got past this one. */
  movedOn?: boolean;
  /** The re-run failed with another error (after edits or a command change): past this one. */
  progressed?: boolean;
  /** The user turned the handling down: no lesson. */
  rejected: boolean;
  /** The user objected to the change, and no new change came after. */
  objected: boolean;
  /** Index into `texts` where the user redirected the fix (a related objection). */
  redirectedAt?: number;
}

const MAX_TURNS = 14;
const MAX_PROMPTS = 3;

/**
 * Walks forward from a failure (a failing call, or a pasted error when `failing` is undefined)
 * to its confirmation: a passing re-run, or the user saying it works.
 */
function scan(
  turns: readonly Turn[],
  index: number,
  callIndex: number,
  failing: { command: string; error: string; echoed: string[] } | undefined,
): Window {
  const w: Window = {
    texts: [],
    changes: [],
    editCount: 0,
    commands: [],
    commits: [],
    prompts: [],
    before: [],
    userConfirmed: false,
    rejected: false,
    objected: false,
  };
  const reset = () => {
    w.changes = [];
    w.editCount = 0;
    w.commands = [];
    w.commits = [];
  };
  const history: Change[] = [];
  // A change that undoes an earlier one (the user asked for it back) is no fix.
  const addChange = (ch: Change) => {
    const key = (lines: string[]) =>
      lines
        .map((l) => l.trim())
        .filter(Boolean)
        .join('\n');
    const undone = history.find(
      (h) => key(h.before) === key(ch.after) && key(h.after) === key(ch.before),
    );
    history.push(ch);
    if (undone) {
      w.changes = w.changes.filter((c) => c !== undone);
      return;
    }
    for (const h of history) {
      // A revert of one line of a larger change: drop that line from the change.
      const a = key(ch.after);
      const b = key(ch.before);
      if (a && b && h.before.some((l) => l.trim() === a) && h.after.some((l) => l.trim() === b))
        return;
    }
    w.objected = false;
    w.changes.push(ch);
  };
  let prompts = 0;
  for (let t = index; t < turns.length && t <= index + MAX_TURNS; t++) {
    const turn = turns[t] as Turn;
    if (turn.role === 'user') {
      if (t === index) continue;
      if (turn.kind === 'interrupt') continue;
      const text = turn.text.trim();
      if (!text || /^\/(?:run|test|lint|ask|add|drop|commit)\b/.test(text)) continue;
      if (turn.kind === 'rejection') {
        w.prompts.push(text);
        continue;
      }
      if (w.rerun) {
        w.after = turn;
        return w;
      }
      const sameError = failing ? errorLine(text) === failing.error : STILL_FAILING.test(text);
      if (STILL_FAILING.test(text) || sameError) {
        // The change did not help: start over from here.
        reset();
        w.texts = [];
        w.prompts = [];
      } else if (
        confirms(text) &&
        (w.editCount > 0 || w.commands.length > 0 || w.texts.length > 0)
      ) {
        w.userConfirmed = true;
        w.after = turn;
        return w;
      } else if (FRUSTRATION.test(text)) {
        // The user is unhappy with how the failure was handled: nothing to learn here.
        w.rejected = true;
        return w;
      } else if (objects(text)) {
        // The user turned the change down: what came before no longer counts.
        if (related(text, w)) {
          reset();
          w.objected = true;
          w.redirectedAt = w.texts.length;
        }
      } else if (!failing && w.texts.length > 0) {
        // A pasted error: the next plain prompt decides (moved on, or not).
        w.after = turn;
        return w;
      }
      w.prompts.push(text);
      if (++prompts > MAX_PROMPTS) return w;
      continue;
    }
    if (w.rerun) continue;
    if (turn.text.trim()) w.texts.push(turn.text);
    for (const ch of proseChanges(turn.text)) addChange(ch);
    const calls = turn.toolCalls;
    for (let c = t === index ? callIndex + 1 : 0; c < calls.length && !w.rerun; c++) {
      const call = calls[c] as ToolCall;
      const out = call.output ?? '';
      if (REJECTED.test(out.slice(0, 200))) continue;
      if (isEditCall(call)) {
        if (isFailure(call)) continue;
        w.editCount++;
        for (const ch of callChanges(call)) addChange(ch);
        continue;
      }
      if (/^commit$/i.test(call.name)) {
        w.commits.push(call.input.trim());
        continue;
      }
      if (!isShellCall(call)) continue;
      const cmd = commandOf(call.input);
      const failed = isFailure(call);
      if (failing) {
        let rel = relation(failing.command, cmd);
        if (!rel.rerun) rel = lastStageRerun(failing.command, cmd);
        let of = failing.command;
        if (!rel.rerun) {
          for (const echoed of failing.echoed) {
            const r = relation(echoed, cmd);
            if (r.rerun) {
              rel = r;
              of = echoed;
              break;
            }
          }
        }
        if (rel.rerun) {
          if (failed) {
            const again = callTrigger(call);
            const head = errorHead;
            const gone = !again && !out.includes(failing.error.slice(0, 40));
            if (
              again === failing.error ||
              (!again && !gone) ||
              (again && head(again) === head(failing.error))
            ) {
              reset();
              w.texts = [];
              continue;
            }
            // The error moved on ("no such simulator" became a compile error, a dependency
            // conflict became a failing test): the edits, or the change to the command, made
            // since got past this failure.
            if (
              w.editCount > 0 ||
              w.changes.length > 0 ||
              w.commands.length > 0 ||
              !sameCommand(cmd, of)
            ) {
              w.movedOn = w.editCount === 0 && w.changes.length === 0;
              w.progressed = true;
              w.rerun = rel.stage ?? cmd;
              w.rerunOf = of;
              w.before = rel.before;
            }
            continue;
          }
          w.rerun = rel.stage ?? cmd;
          w.rerunOf = of;
          w.before = rel.before;
          for (const s of rel.before) if (/^sed -i/.test(s)) w.editCount++;
          // The user turned the first approach down, and the re-run that passed is a different
          // command: it took the user's route.
          if (w.objected && !sameCommand(cmd, of)) w.objected = false;
          continue;
        }
      }
      if (failed) continue;
      if (/^git commit\b/.test(cmd)) {
        const m = /-m\s+(["'])(.+?)\1/.exec(cmd);
        if (m?.[2]) w.commits.push(m[2]);
        continue;
      }
      if (/^sed -i/.test(cmd)) w.editCount++;
      const cd = /^cd\s+(["']?)([^"'&|;]+)\1\s*$/.exec(cmd)?.[2];
      if (cd) w.cwd = cd.trim();
      for (const s of workStages(cmd)) if (!LOOK_COMMAND.test(s)) w.commands.push(s);
    }
  }
  return w;
}

/** The user says the failure is fixed ("that works", "tests pass now"). */
export function confirms(text: string): boolean {
  const head = text.slice(0, 300);
  return (
    USER_CONFIRMS.test(head) &&
    !/\b(?:still|again)\b[^.]{0,30}\b(?:fail|error|crash|broken)/i.test(head)
  );
}

/** The user pushes back on what was just done. */
export function objects(text: string): boolean {
  return USER_OBJECTS.test(text.slice(0, 200)) || FRUSTRATION.test(text);
}

/** True when a user's objection is about the change made so far (shares a code word). */
function related(text: string, w: Window): boolean {
  const changed = new Set<string>();
  const addToken = (t: string) => {
    const k = t.toLowerCase();
    changed.add(k);
    for (const part of k.split(/[._]/)) if (part.length > 3) changed.add(part);
  };
  for (const ch of w.changes)
    for (const line of ch.after) for (const t of codeTokens(line)) addToken(t);
  for (const t of w.texts
    .slice(-2)
    .join(' ')
    .match(/`[^`]+`/g) ?? [])
    for (const x of codeTokens(t)) addToken(x);
  for (const t of text.match(/[A-Za-z_][\w.]*/g) ?? []) {
    const k = t.toLowerCase();
    if (k.length > 2 && changed.has(k) && !STOP.has(k)) return true;
  }
  return false;
}

const STOP = new Set(
  'the and for not this that with from into use are was you your our all any its has have had can will don dont never only also then than just there here what when where which file code test tests run'.split(
    ' ',
  ),
);

// ---------------------------------------------------------------------------------------------
// Changes

/** The changes an edit call made, from JSON old/new strings, a patch, or a diff in its output. */
function callChanges(call: ToolCall): Change[] {
  const out: Change[] = [];
  const input = call.input.trim();
  if (input.startsWith('{')) {
    try {
      const o = JSON.parse(input) as Record<string, unknown>;
      const file = String(o.file_path ?? o.path ?? o.filePath ?? o.target_file ?? '') || undefined;
      const pairs: Array<[unknown, unknown]> = [];
      pairs.push([
        o.old_string ?? o.oldString ?? o.old_str,
        o.new_string ?? o.newString ?? o.new_str,
      ]);
      if (Array.isArray(o.edits))
        for (const e of o.edits as Array<Record<string, unknown>>)
          pairs.push([e.old_string ?? e.oldString, e.new_string ?? e.newString]);
      for (const [a, b] of pairs)
        if (typeof a === 'string' && typeof b === 'string') out.push(lineDiff(a, b, file));
      // A file written whole (Claude Code's Write): every line is new.
      if (out.length === 0 && typeof o.content === 'string')
        out.push(lineDiff('', o.content, file));
      return out;
    } catch {
      // not JSON
    }
  }
  // SpecStory: "- filePath: `x`\n- oldString: `…`\n- newString: `…`".
  const md =
    /(?:^|\n)- (?:oldString|old_string|old_str): `([\s\S]*?)`\n- (?:newString|new_string|new_str): `([\s\S]*?)`\s*$/.exec(
      input,
    );
  if (md) {
    const file = /(?:^|\n)- (?:filePath|file_path|path): `([^`\n]+)`/.exec(input)?.[1];
    return [lineDiff(md[1] ?? '', md[2] ?? '', file)];
  }
  const patch = /\*\*\* (?:Update|Add) File: (\S+)/.test(input) ? input : undefined;
  const diff = patch ?? (/^[-+][^-+]/m.test(call.output ?? '') ? (call.output ?? '') : input);
  let file: string | undefined = /\*\*\* (?:Update|Add) File: (\S+)/.exec(diff)?.[1] ?? undefined;
  if (!file && /^\.?\/?[\w./-]+\.\w+$/.test((diff.split('\n')[0] ?? '').trim()))
    file = (diff.split('\n')[0] as string).trim();
  let cur: Change = file ? { file, before: [], after: [] } : { before: [], after: [] };
  for (const line of diff.split('\n')) {
    const f = /^\*\*\* (?:Update|Add) File: (\S+)/.exec(line);
    if (f?.[1]) {
      if (cur.before.length + cur.after.length > 0) out.push(cur);
      cur = { file: f[1], before: [], after: [] };
      continue;
    }
    if (/^(?:---|\+\+\+|\*\*\*)/.test(line)) continue;
    if (line.startsWith('@@')) {
      if (cur.before.length + cur.after.length > 0) out.push(cur);
      cur = cur.file ? { file: cur.file, before: [], after: [] } : { before: [], after: [] };
      continue;
    }
    if (line.startsWith('-')) cur.before.push(line.slice(1));
    else if (line.startsWith('+')) cur.after.push(line.slice(1));
  }
  if (cur.before.length + cur.after.length > 0) out.push(cur);
  return out;
}

/** Changes written into assistant prose: aider SEARCH/REPLACE blocks and fenced diffs. */
function proseChanges(text: string): Change[] {
  if (!text.includes('<<<<<<< SEARCH') && !/```diff/.test(text)) return [];
  const out: Change[] = [];
  const re =
    /(?:^|\n)([^\n`]*\.\w+)?\s*\n?```\w*\n<<<<<<< SEARCH\n([\s\S]*?)\n=======\n([\s\S]*?)\n>>>>>>> REPLACE/g;
  for (const m of text.matchAll(re))
    out.push(lineDiff(m[2] ?? '', m[3] ?? '', m[1]?.trim() || undefined));
  for (const m of text.matchAll(/```diff\n([\s\S]*?)```/g)) {
    const lines = (m[1] ?? '').split('\n');
    out.push({
      before: lines.filter((l) => /^-(?!--)/.test(l)).map((l) => l.slice(1)),
      after: lines.filter((l) => /^\+(?!\+\+)/.test(l)).map((l) => l.slice(1)),
    });
  }
  return out;
}

/** The lines only in `a` and only in `b` (a set difference is enough for short edits). */
function lineDiff(a: string, b: string, file?: string): Change {
  const al = a.split('\n');
  const bl = b.split('\n');
  const as = new Set(al.map((l) => l.trim()));
  const bs = new Set(bl.map((l) => l.trim()));
  const change: Change = {
    before: al.filter((l) => l.trim() && !bs.has(l.trim())),
    after: bl.filter((l) => l.trim() && !as.has(l.trim())),
  };
  if (file) change.file = file;
  return change;
}

function codeTokens(text: string): string[] {
  return text.match(/[A-Za-z_][\w.]*[\w]|[A-Za-z_]/g) ?? [];
}

function baseName(file: string | undefined): string | undefined {
  return file ? file.split(/[/\\]/).pop() : undefined;
}

/** Dependency manifests: a version changed here is a dependency bumped or relaxed. */
const MANIFEST =
  /(?:^|[/\\])(?:package\.json|Cargo\.toml|[\w.-]+\.cabal|cabal\.project|stack\.yaml|pyproject\.toml|setup\.cfg|requirements[\w.-]*\.(?:txt|in|yml)|Pipfile|go\.mod|Gemfile|[\w.-]+\.gemspec|build\.gradle(?:\.kts)?|settings\.gradle(?:\.kts)?|libs\.versions\.toml|pom\.xml|[\w.-]+\.csproj|Directory\.Packages\.props|composer\.json|mix\.exs|pubspec\.yaml|Package\.swift|DESCRIPTION|environment\.ya?ml|versions\.tf|\.terraform\.lock\.hcl|Chart\.yaml|galaxy\.yml)$/;

/** Prose files: an edit to them fixes no error (unless the error names them). */
const DOC_FILE =
  /(?:^|[/\\])(?:CHANGELOG|README|CONTRIBUTING|NEWS|HISTORY|TODO|AUTHORS)(?:\.\w+)?$|\.(?:md|rst|adoc|txt)$/i;

/** A version or a version bound: `1.9.22`, `^10.5`, `>=2.0`, `~> 1.4`, `v1.2.3`, `<2.2`. */
const VERSION =
  /(?:[~^]|~>|[<>]=?|==|!=|=)?\s*v?\d+(?:\.\d+)+(?:[-+][\w.]+)?|(?:[~^]|~>|[<>]=?|==)\s*\d+\b/g;

/** Words that wrap a dependency's name in a manifest line, never the name itself. */
const MANIFEST_WORDS =
  /^(?:implementation|api|compileOnly|runtimeOnly|testImplementation|kapt|ksp|classpath|id|version|gem|PackageReference|PackageVersion|Include|Version|require|requires|dependency|dependencies|plugin|plugins|name|source|path|git|features|optional|default|true|false|only|dev|test|runtime)$/;

/** The dependency a manifest line names: `aeson`, `phpunit/phpunit`, `kotlin("jvm")`. */
function dependencyName(line: string): string | undefined {
  const t = line.trim();
  const tries: RegExp[] = [
    /\bInclude="([^"]+)"/, // csproj
    /^-\s*(?:name|src):\s*["']?([\w.@/-]+)/, // ansible requirements.yml
    /^((?:kotlin|id)\("[^"]+"\))\s+version\b/, // gradle plugins
    /^alias\(libs\.plugins\.([\w.-]+)\)/, // gradle plugins from the version catalog
    /["']([\w.-]+:[\w.-]+):[^"':]*\d[^"':]*["']/, // gradle coordinates
    /^gem\s+["']([\w.-]+)["']/, // Gemfile
    /^\{:(\w+),/, // mix.exs
    /^(?:require\s+)?((?:[\w-]+\.)+[\w-]+\/[\w./-]+)\s+v\d/, // go.mod
    /^["']?(@?[\w.-]+(?:\/[\w.-]+)?)["']?\s*[:=]\s*(?:\{|["'][^"']*\d)/, // json / toml keys
    /^[,\s-]*["']?([A-Za-z][\w.-]*(?:\[[\w,]+\])?)\s*(?:[<>=!~^]|\(|$)/, // cabal / pip / R
  ];
  for (const re of tries) {
    const m = re.exec(t);
    const name = m?.[1];
    if (name && !MANIFEST_WORDS.test(name)) return name;
  }
  return undefined;
}

/**
 * A version bump in a manifest: the line is the same but for its versions. Says "Upgrade X to
 * V" when a plain version rises, "Downgrade X to V" when it falls, else "Relax the bound".
 */
function versionBump(before: string, after: string, file: string | undefined): string | undefined {
  const skeleton = (l: string) => l.replace(VERSION, '#').replace(/\s+/g, ' ').trim();
  if (skeleton(before) !== skeleton(after)) return undefined;
  const vb = before.match(VERSION) ?? [];
  const va = after.match(VERSION) ?? [];
  if (va.length === 0 || vb.join() === va.join()) return undefined;
  const name = dependencyName(after);
  if (!name) return undefined;
  const inFile = file ? ` in \`${file}\`` : '';
  const bare = (v: string) => v.replace(/^[\s~^<>=!v]+/, '');
  const plain = va.length === 1 && vb.length === 1 && !/[<>]/.test(`${va[0]}${vb[0]}`);
  if (plain) {
    const cmp = compareVersions(bare(vb[0] as string), bare(va[0] as string));
    const verb = cmp < 0 ? 'Upgrade' : 'Downgrade';
    return `${verb} \`${name}\` to \`${(va[0] as string).trim()}\`${inFile}.`;
  }
  return `Relax the bound on \`${name}\` to \`${bound(after, va)}\`${inFile}.`;
}

/** The bound as written in the line: `>=2.0 && <2.3`, `>=3.9`. */
function bound(line: string, versions: readonly string[]): string {
  const first = line.indexOf((versions[0] as string).trim());
  const lastV = (versions[versions.length - 1] as string).trim();
  const last = line.lastIndexOf(lastV) + lastV.length;
  return first >= 0 && last > first ? line.slice(first, last) : versions.join(' ');
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10));
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (Number.isNaN(x) || Number.isNaN(y)) return 0;
    if (x !== y) return x - y;
  }
  return 0;
}

/** The lines of a manifest or config block added whole: `[tool.x]` + `include = [...]`. */
function addedBlock(after: readonly string[], file: string | undefined): string | undefined {
  if (!file || after.length < 2 || after.length > 3) return undefined;
  if (
    !/\.(?:toml|ya?ml|json|ini|cfg|conf|cabal|gradle|kts|csproj|props|xml|exs|properties|env|tf|hcl)$|(?:^|[/\\])(?:Gemfile|go\.mod|Makefile|Dockerfile)$/.test(
      file,
    )
  )
    return undefined;
  const dep = MANIFEST.test(file) ? dependencyName(after[0] as string) : undefined;
  // A plugin applied with its settings block after it: the block is the point.
  if (dep && after.length > 1 && /^\w+\s*\{$/.test((after[1] as string).trim())) {
    const text = after.map((l) => l.trim()).join(' ');
    if (text.length <= 100) return `Add \`${text}\` to \`${baseName(file)}\`.`;
  }
  if (dep && !/^\[/.test(after[0] as string)) return `Add \`${dep}\` to \`${baseName(file)}\`.`;
  const text = after.join(' ');
  return text.length <= 100 ? `Add \`${text}\` to \`${baseName(file)}\`.` : undefined;
}

const KEY_VALUE = /^\s*(?:export\s+)?["']?([\w.-]+)["']?\s*(\+?=|:)\s*(.+?)\s*,?$/;

/**
 * A short statement of one change, when the change is crisp: a value set, a flag or import
 * added, one name swapped for another.
 */
/** The telling words of an error line: longer than three letters, not stop or generic words. */
function wordsOfError(error: string): Set<string> {
  return new Set(
    (error.toLowerCase().match(/[a-z_][\w.-]*\w/g) ?? []).filter(
      (t) => t.length > 3 && !STOP.has(t) && !GENERIC.has(t),
    ),
  );
}

function summariseChanges(
  changes: readonly Change[],
  error = '',
): { text: string; partial: boolean } | undefined {
  const docsError =
    /\.(?:md|rst|adoc)\b|markdown|readme|changelog|\bdocs?\b|mkdocs|sphinx|vale|spell/i.test(error);
  const real = changes.filter(
    (c) => c.before.length + c.after.length > 0 && (docsError || !DOC_FILE.test(c.file ?? '')),
  );
  if (real.length === 0 || real.length > 5) return undefined;
  const errorWords = wordsOfError(error);
  const touches = (ch: Change): boolean => {
    const file = baseName(ch.file)?.toLowerCase();
    if (file && (errorWords.has(file) || error.toLowerCase().includes(file))) return true;
    return [...ch.before, ...ch.after].some((l) =>
      (l.toLowerCase().match(/[a-z_][\w.-]*\w/g) ?? []).some(
        (t) => errorWords.has(t) || t.split(/[._-]/).some((p) => p.length > 3 && errorWords.has(p)),
      ),
    );
  };
  const found: Array<{ text: string; rank: number; partial: boolean; touches: boolean }> = [];
  for (const ch of real) {
    const file = baseName(ch.file);
    const inFile = file ? ` in \`${file}\`` : '';
    const before = ch.before.map((l) => l.trim()).filter((l) => l && !isComment(l));
    const after = ch.after.map((l) => l.trim()).filter((l) => l && !isComment(l));
    const here: Array<{ text: string; rank: number; weak?: boolean }> = [];
    if (MANIFEST.test(ch.file ?? '') || (!ch.file && before.length === after.length)) {
      for (let k = 0; k < Math.min(before.length, after.length); k++) {
        const bump = versionBump(before[k] as string, after[k] as string, file);
        if (bump) here.push({ text: bump, rank: -1 });
      }
    }
    if (before.length === 0) {
      const block = addedBlock(after, ch.file);
      if (block) here.push({ text: block, rank: 1.5 });
    }
    if (before.length === 0 && after.length >= 1 && after.length <= 2) {
      const line = after[0] as string;
      const kv = KEY_VALUE.exec(line);
      if (kv && kv[2] === '+=' && (kv[3]?.length ?? 0) < 90)
        here.push({ text: `Add \`${kv[3]}\` to ${kv[1]}${inFile}.`, rank: 1 });
      else if (
        (/^(?:import |from \S+ import |use |require |#include |using )/.test(line) ||
          (after.length === 1 && file)) &&
        line.length < 90
      )
        here.push({
          text: `Add \`${line.replace(/;$/, '')}\`${file ? ` to \`${file}\`` : ''}.`,
          rank: 3,
        });
    }
    for (const b of before) {
      const kb = KEY_VALUE.exec(b);
      const tb = codeTokens(b);
      let best: string | undefined;
      let score = 0;
      for (const a of after) {
        const ka = KEY_VALUE.exec(a);
        if (kb && ka && kb[1] === ka[1] && kb[2] === ka[2]) {
          const v = (ka[3] ?? '').replace(/^["']|["']$/g, '');
          if (kb[3] !== ka[3] && v.length < 90 && !/[({[]$/.test(v))
            here.push({ text: `Set \`${ka[1]}\` to \`${v}\`${inFile}.`, rank: 0 });
          best = undefined;
          score = 1;
          break;
        }
        const ta = codeTokens(a);
        const shared = tb.filter((t) => ta.includes(t)).length;
        const sc = shared / Math.max(tb.length, ta.length, 1);
        if (sc > score) {
          score = sc;
          best = a;
        }
      }
      if (!best || score < 0.34) continue;
      let ta = codeTokens(best);
      let gone = tb.filter((t) => !ta.includes(t));
      let came = ta.filter((t) => !tb.includes(t));
      if (gone.length + came.length === 1) {
        // `hspec-core` -> `hspec`: a package name swapped, seen with its dashes.
        const dashed = (l: string): string[] => l.match(/[A-Za-z_][\w.-]*\w/g) ?? [];
        const db = dashed(b);
        ta = dashed(best);
        gone = db.filter((t) => !ta.includes(t));
        came = ta.filter((t) => !db.includes(t));
      }
      if (gone.length === 1 && came.length === 1) {
        const from = gone[0] as string;
        const to = came[0] as string;
        if (isSlip(from, to)) continue;
        here.push({
          text: `Use \`${to}\` instead of \`${from}\`${inFile}.`,
          rank: 2 - (to.includes('.') ? 0.5 : 0) - Math.min(to.length, 40) / 100,
        });
      } else if (gone.length === 0 && came.length >= 1 && came.length <= 2 && best.length <= 90)
        here.push({
          text: `Add ${came.map((x) => `\`${x}\``).join(' and ')}: \`${best}\`${inFile}.`,
          rank: 3,
        });
    }
    // One short line for another with nothing in common: `deferrable=True` -> `mode="reschedule"`.
    // Weak: the assistant's own words come first, and a failed assertion's new value is no
    // lesson.
    if (here.length === 0 && before.length === 1 && after.length === 1 && !ASSERTION.test(error)) {
      const clean = (l: string) => l.replace(/[,;]\s*$/, '');
      const b = clean(before[0] as string);
      const a = clean(after[0] as string);
      // Lines that share words were compared above (a slip, or a swap named): only a line with
      // none of the old one's words is new here.
      const words = (l: string): string[] => l.toLowerCase().match(/[a-z_]\w*/g) ?? [];
      const wb = words(b);
      const shared = words(a).some((w) => w.length > 2 && wb.includes(w));
      if (a !== b && a.length <= 70 && b.length <= 70 && !shared)
        here.push({ text: `Use \`${a}\` instead of \`${b}\`${inFile}.`, rank: 2.5, weak: true });
    }
    // One statement for many changed lines leaves most of this change unsaid.
    const lines = before.length + after.length;
    // An added import alone says little when other code changed too.
    const importOnly =
      before.length === 0 &&
      /^(?:import |from \S+ import |use |require |#include |using )/.test(after[0] ?? '');
    const partial = lines > Math.max(2, here.length * 2 + 1) || (importOnly && real.length > 1);
    const bumpOnly = here.length > 0 && here.every((h) => h.rank < 0);
    const related = touches(ch);
    for (const h of here)
      found.push({
        text: h.text,
        rank: h.rank,
        partial: (partial && !bumpOnly) || h.weak === true,
        touches: related,
      });
  }
  found.sort(
    (a, b) =>
      Number(b.touches) - Number(a.touches) ||
      Number(a.partial) - Number(b.partial) ||
      a.rank - b.rank,
  );
  const first = found[0];
  return first ? { text: first.text, partial: first.partial } : undefined;
}

function isComment(line: string): boolean {
  return /^(?:\/\/|#(?!include)|--|\/\*|\*|;)/.test(line);
}

/** `artifact` -> `artifacts`: a spelling slip, not a lesson. */
function isSlip(a: string, b: string): boolean {
  if (a.startsWith(b) || b.startsWith(a)) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let diff = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) diff++;
  return diff <= 1;
}

// ---------------------------------------------------------------------------------------------
// Fixes from prose

/** The sentences of assistant prose, code blocks and SEARCH/REPLACE blocks left out. */
export function sentencesOf(prose: string): string[] {
  return prose
    .replace(/```[\s\S]*?```/g, '\n')
    .replace(/<<<<<<< SEARCH[\s\S]*?>>>>>>> REPLACE/g, '\n')
    .split(/(?<=[.!?])\s+(?=[A-Z`"'(])|\n+/)
    .map((x) => x.trim().replace(/^[-*]\s+|^#+\s+|^\d+\.\s+/, ''))
    .filter((x) => x.length > 3);
}

const VERBS =
  'let(?=\\s+(?!me\\b|us\\b|it\\b|you\\b))|add|use|switch to|replace|move|install|pin|set|pass|import|rename|remove|drop|delete|wrap|enable|disable|declare|register|export|parse|cast|convert|call|catch|take|strip|trim|change|return|read|write|put|run|upgrade|downgrade|roll back|rollback|reset|restart|rebuild|clear|bump|define|mark|annotate|configure|point|link|load|initiali[sz]e|create|give|make|keep|guard|handle|escape|quote|indent|lower|raise|increase|decrease|reduce|split|sort|filter|fetch|await|close|open|limit|include|exclude|specify|provide|update|fix|apply|regenerate|migrate|seed|start|stop|connect|mock|stub|skip|retry|upgrade|reinstall|uninstall|clean|compile|build|pivot|aggregate|group|join|flush|commit';

const GERUNDS: Record<string, string> = {
  adding: 'add',
  using: 'use',
  switching: 'switch',
  replacing: 'replace',
  moving: 'move',
  installing: 'install',
  pinning: 'pin',
  setting: 'set',
  passing: 'pass',
  importing: 'import',
  renaming: 'rename',
  removing: 'remove',
  dropping: 'drop',
  deleting: 'delete',
  wrapping: 'wrap',
  enabling: 'enable',
  disabling: 'disable',
  declaring: 'declare',
  registering: 'register',
  exporting: 'export',
  parsing: 'parse',
  casting: 'cast',
  converting: 'convert',
  calling: 'call',
  catching: 'catch',
  changing: 'change',
  returning: 'return',
  reading: 'read',
  writing: 'write',
  putting: 'put',
  running: 'run',
  upgrading: 'upgrade',
  downgrading: 'downgrade',
  'rolling back': 'roll back',
  resetting: 'reset',
  restarting: 'restart',
  rebuilding: 'rebuild',
  clearing: 'clear',
  bumping: 'bump',
  defining: 'define',
  marking: 'mark',
  configuring: 'configure',
  pointing: 'point',
  linking: 'link',
  loading: 'load',
  creating: 'create',
  giving: 'give',
  making: 'make',
  keeping: 'keep',
  handling: 'handle',
  indenting: 'indent',
  lowering: 'lower',
  increasing: 'increase',
  reducing: 'reduce',
  splitting: 'split',
  fetching: 'fetch',
  including: 'include',
  specifying: 'specify',
  providing: 'provide',
  updating: 'update',
  applying: 'apply',
  regenerating: 'regenerate',
  mocking: 'mock',
  pivoting: 'pivot',
  aggregating: 'aggregate',
  retrying: 'retry',
  reinstalling: 'reinstall',
  uninstalling: 'uninstall',
  cleaning: 'clean',
};

const PAST: Record<string, string> = {
  added: 'add',
  used: 'use',
  switched: 'switch',
  replaced: 'replace',
  moved: 'move',
  installed: 'install',
  pinned: 'pin',
  set: 'set',
  passed: 'pass',
  imported: 'import',
  renamed: 'rename',
  removed: 'remove',
  dropped: 'drop',
  deleted: 'delete',
  wrapped: 'wrap',
  enabled: 'enable',
  changed: 'change',
  converted: 'convert',
  parsed: 'parse',
  declared: 'declare',
  registered: 'register',
  upgraded: 'upgrade',
  pointed: 'point',
  fixed: 'fix',
  updated: 'update',
  reverted: 'revert',
  rolled: 'roll',
};

const GERUND_RE = new RegExp(`^(${Object.keys(GERUNDS).join('|')})\\b\\s*(.*)$`, 'i');
const VERB_RE = new RegExp(`^(${VERBS})\\b\\s*(.*)$`, 'i');
const PAST_RE = new RegExp(`^(${Object.keys(PAST).join('|')})\\b\\s*(.*)$`, 'i');

/** "… fixed by adding X", "the fix is to X", "X fixes it": the assistant names the fix. */
const EXPLAINED = [
  /\b(?:was |were |is |gets? )?(?:fixed|solved|resolved) by ([a-z]+ing\b.+)$/i,
  /\b(?:the )?(?:simplest |clean(?:est)? |proper |real |usual |right )?(?:fix|solution|workaround|remedy|way out)(?: here| for this)? is (?:to )?((?:[a-z]+) .+)$/i,
  /^([A-Z][a-z]+ing\b.+?) (?:fixes|solves|resolves|clears|avoids) (?:it|this|that|the (?:error|issue|problem|lock|build))\b/,
  /^([A-Z][a-z]+ing\b.+?) (?:should|will) (?:fix|solve|resolve) (?:it|this|that)\b/,
];

/** A fix named in an explanation sentence, as an instruction. */
function explainedFix(sentences: readonly string[]): string | undefined {
  for (let i = sentences.length - 1; i >= 0; i--) {
    const s = sentences[i] as string;
    for (const re of EXPLAINED) {
      const m = re.exec(s.replace(/[.:!]+$/, ''));
      if (!m?.[1]) continue;
      const fix = instruction(m[1], sentences[i - 1]);
      if (fix) return fix;
    }
  }
  return undefined;
}

/** An announced or reported action ("I'll add …", "Parse it back …", "Replaced X with Y"). */
function actionFix(
  sentences: readonly string[],
  related: ReadonlySet<string> | undefined,
  forward: boolean,
): string | undefined {
  const n = sentences.length;
  for (let k = 0; k < n; k++) {
    const i = forward ? k : n - 1 - k;
    const sentence = (sentences[i] as string).replace(/[.:!]+$/, '');
    if (related && !mentions(sentence, related)) continue;
    if (/\?$/.test(sentence) || /^(?:if|when|should|can|could|would|do you|want)\b/i.test(sentence))
      continue;
    let plain: string | undefined;
    let previous = sentences[i - 1];
    for (const clause of clauses(sentence)) {
      const fix = instruction(clause, previous);
      previous = clause;
      if (!fix) continue;
      if (concrete(fix)) return fix;
      plain ??= fix;
    }
    if (
      plain &&
      !/^(?:Add|Write|Create) (?:a|an|the)? ?(?:section|note|test|comment|docs?|readme)\b/i.test(
        plain,
      )
    )
      return plain;
  }
  return undefined;
}

/** Candidate action clauses of a sentence. */
function clauses(sentence: string): string[] {
  const out: string[] = [];
  const intro =
    /(?:^|[,;:]\s+|\bso\s+|\bthen\s+)(?:i'?ll |i will |i'm going to |let me |let's |we need to |you need to |need to |i |i've |now |also |just |so |then )*(.+)$/i;
  for (const part of sentence.split(/;\s+|:\s+(?=[a-z])|,\s+so\s+|\.\s+/)) {
    const m = intro.exec(part.trim());
    if (m?.[1]) out.push(m[1]);
    const announced =
      /\b(?:i'?ll|i will|let me|i'm going to|we need to|you need to|so)\s+(.+)$/i.exec(part);
    if (announced?.[1] && announced[1] !== m?.[1]) out.push(announced[1]);
  }
  // "The page is called `config.md`, not `configuration.md`."
  const not = /`([^`]{1,60})`,? not `([^`]{1,60})`/.exec(sentence);
  if (not) out.push(`use \`${not[1]}\` instead of \`${not[2]}\``);
  return out;
}

/** Turns a clause into an imperative sentence, or undefined when it is not an action. */
export function instruction(clause: string, previous: string | undefined): string | undefined {
  const text = clause.trim().replace(/^(?:also|then|now|just|first)\s+/i, '');
  let verb: string | undefined;
  let body: string | undefined;
  const g = GERUND_RE.exec(text);
  const v = VERB_RE.exec(text);
  const p = PAST_RE.exec(text);
  if (g) {
    verb = GERUNDS[(g[1] ?? '').toLowerCase()];
    body = g[2];
  } else if (v) {
    verb = (v[1] ?? '').toLowerCase();
    body = v[2];
  } else if (p) {
    verb = PAST[(p[1] ?? '').toLowerCase()];
    body = p[2];
  }
  if (!verb || body === undefined) return undefined;
  if (verb === 'switch') {
    body = body.replace(/^to\s+/i, '');
    verb = 'use';
  }
  if (verb === 'roll' && /^back\b/i.test(body)) {
    verb = 'roll back';
    body = body.replace(/^back\s*/i, '');
  }
  body = body
    .replace(/,?\s+(?:which|so that|since|because|as)\b.*$/i, '')
    .replace(
      /\s+and (?:moved|added|removed|updated|renamed|changed|fixed|ran|re-?ran|reran)\b.*$/i,
      '',
    )
    .replace(/\s+(?:now|again)$/i, '')
    .trim();
  if (verb === 'replace') {
    const r = /^(.+?) with (.+)$/i.exec(body);
    if (!r) return undefined;
    let from = r[1] as string;
    if (/^(?:it|them)$/i.test(from)) {
      const noun = /\b(?:had|has|have|uses?|used|contains?)\s+([\w`.-]+)\s*$/.exec(previous ?? '');
      if (!noun?.[1]) return undefined;
      from = noun[1];
    }
    return finish(`Use ${r[2]} instead of ${from}`);
  }
  // "it" / "them": the code word of the sentence before names it.
  if (/^(?:it|them|this|that|these)\b/i.test(body)) {
    const code = /`([^`]{2,60})`/.exec(previous ?? '')?.[1];
    const word = /^([a-z][\w.@/-]*[\w])\s+(?:is|isn'?t|are|aren'?t|was|has|needs|does)\b/.exec(
      previous ?? '',
    )?.[1];
    const subject = code ? `\`${code}\`` : word && !STOP.has(word) ? word : undefined;
    if (!subject) return undefined;
    body = body.replace(/^(?:it|them|this|that|these)\b/i, subject);
  }
  const words = body.split(/\s+/).filter(Boolean);
  if (words.length === 0 || body.length > 160) return undefined;
  if (
    /^(?:the (?:tests?|changes?|fix|file|code|same)|a (?:test|fix)|to\b|up\b|out\b|on\b|it\b|that\b|everything|something|anything|more|you|me|us)\b/i.test(
      body,
    ) &&
    verb !== 'add'
  )
    return undefined;
  if (
    /^(?:run|check|read|start|create|build|make|test|update|fix|apply|give|write|keep|open|stop)$/i.test(
      verb,
    ) &&
    !/[`_./=-]|\b[a-z]+[A-Z]/.test(body)
  )
    return undefined; // "run the tests", "check the logs": not a fix
  if (verb === 'fix' || verb === 'update') return undefined;
  if (
    /^(?:what|whether|why|how|if|where)\b|\b(?:debug|logging|print\w*|to see|to check|to find out|investigat\w*)\b/i.test(
      body,
    )
  )
    return undefined; // looking, not fixing
  return finish(`${verb} ${body}`);
}

function finish(text: string): string {
  const s = text.trim().replace(/[.!:;,\s]+$/, '');
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
}

/** Words that tie a sentence to the failure: the error's words, edited files, changed code. */
function relatedWords(w: Window, error: string): Set<string> {
  const out = new Set<string>();
  const add = (text: string, min: number) => {
    for (const t of text.match(/[A-Za-z_][\w.-]*\w/g) ?? []) {
      const k = t.toLowerCase();
      if (k.length >= min && !STOP.has(k) && !GENERIC.has(k)) {
        out.add(k);
        for (const part of k.split(/[._-]/))
          if (part.length >= min && !STOP.has(part) && !GENERIC.has(part)) out.add(part);
      }
    }
  };
  add(error, 4);
  for (const ch of w.changes) {
    const file = baseName(ch.file);
    if (file) add(file, 3);
    for (const l of ch.after) add(l, 4);
  }
  for (const c of w.commands) add(c, 4);
  return out;
}

const GENERIC = new Set(
  'error errors exception failed failure fails cannot could should would found line file files type value object none null undefined true false with from that this have been self return import'.split(
    ' ',
  ),
);

function mentions(sentence: string, words: ReadonlySet<string>): boolean {
  for (const t of sentence.match(/[A-Za-z_][\w.-]*\w/g) ?? []) {
    const k = t.toLowerCase();
    if (words.has(k)) return true;
    for (const part of k.split(/[._-]/)) if (part.length >= 4 && words.has(part)) return true;
  }
  return false;
}

/** True when a fix names something concrete (code, a flag, a file, a command). */
function concrete(fix: string): boolean {
  return /`|(?:^|\s)--?\w|\b\w+\.\w+\b|\b\w+_\w+\b|\b[a-z]+[A-Z]\w*|\b[a-z]+\d+[a-z\d]*\b|\w\(\)/.test(
    fix,
  );
}

/** The user's route: an imperative sentence of a prompt whose code words the fix then used. */
function userRoute(prompts: readonly string[], w: Window): string | undefined {
  const done = new Set<string>();
  const add = (s: string) => {
    for (const t of s.match(/[\w.$/-]+/g) ?? []) if (t.length > 3) done.add(t.toLowerCase());
  };
  for (const c of w.commands) add(c);
  if (w.rerun) add(w.rerun);
  for (const ch of w.changes) for (const l of ch.after) add(l);
  let best: string | undefined;
  let bestUsed = 0;
  for (let i = prompts.length - 1; i >= 0; i--) {
    const prompt = prompts[i] as string;
    const sentences = prompt
      .replace(/```[\s\S]*?```/g, ' ')
      .split(/(?<=[.!?])\s+|\n+|:\s+(?=[a-z])/)
      .map((s) => s.trim())
      .filter(Boolean);
    for (const s of sentences) {
      const clean = s
        .replace(
          /^(?:please|pls|so|and|but|ok|okay|instead|just|the trick is to|you (?:can|should|need to|must))[,\s]+/gi,
          '',
        )
        .replace(/^(?:can|could) you (?:please )?/i, '')
        .replace(/[?]$/, '');
      const m = VERB_RE.exec(clean);
      if (!m || /^(?:fix|update|check|make|keep|run|start|stop)$/i.test(m[1] ?? '')) continue;
      if (FRUSTRATION.test(prompt) || /\bi was trying to\b/i.test(prompt)) continue;
      const tokens = (clean.match(/[\w.$/-]+/g) ?? []).filter((t) => t.length > 3);
      const used = tokens.filter((t) => done.has(t.toLowerCase()) && !STOP.has(t.toLowerCase()));
      if (used.length === 0 || clean.length > 180) continue;
      if (/\b(?:there|here|it)\??$/.test(clean)) continue;
      if (used.length > bestUsed) {
        best = finish(clean);
        bestUsed = used.length;
      }
    }
    if (best) return best;
  }
  return undefined;
}

/**
 * A command the assistant told the user to run, in a shell block after "Run:" ("Run:\n\n
 * ```bash\ndart run build_runner build --delete-conflicting-outputs\n```").
 */
function suggestedCommand(texts: readonly string[]): string | undefined {
  for (const text of texts) {
    const m =
      /\b(?:run|try|use|with)(?: this| the following| it)?:?\s*\n+```(?:bash|sh|shell|console|zsh|powershell)?\n((?:[^`\n]+\n){1,2})```/i.exec(
        text,
      ) ?? /```(?:bash|sh|shell|console|zsh)\n((?:[^`\n]+\n){1,2})```/.exec(text);
    if (!m) continue;
    const lines = (m[1] ?? '')
      .split('\n')
      .map((l) => l.replace(/^\s*[$>]\s*/, '').trim())
      .filter(Boolean);
    const command = lines.join(' && ');
    if (command.length >= 4 && command.length <= 140 && !/^#/.test(command))
      return `Run \`${command}\`.`;
  }
  return undefined;
}

/**
 * The option the user says they took, as the assistant offered it: "went with 10.0.2.2 via
 * the config function, works" picks "1. Use `10.0.2.2` when running on the Android emulator".
 */
function chosenOption(texts: readonly string[], reply: string): string | undefined {
  const m =
    /\b(?:went with|going with|went for|chose|picked|took|used) (?:the |option )?(`?[\w@/.:-]{3,40}?`?)(?=[\s,;]|\.(?:\s|$)|$)/i.exec(
      reply.slice(0, 200),
    );
  const pick = m?.[1]?.replace(/[`'"]/g, '');
  if (!pick || /^(?:it|that|this|your|the|one|first|second)$/i.test(pick)) return undefined;
  for (const text of texts) {
    for (const line of text.split('\n')) {
      const item = /^\s*(?:\d+[.)]|[-*])\s+(.{8,160}?)[:.]?\s*$/.exec(line)?.[1];
      if (!item?.replace(/[`'"*]/g, '').includes(pick)) continue;
      const plain = item.replace(/\*\*/g, '');
      if (VERB_RE.test(plain)) return finish(plain);
    }
  }
  return undefined;
}

/** The first sentence of a long message line. */
function clipSentence(line: string): string {
  const end = line.search(/[.!](?:\s|$)/);
  return end > 20 ? line.slice(0, end) : line;
}

/** The first words of an error: two errors with the same head are the same kind of failure. */
function errorHead(error: string): string {
  return (error.toLowerCase().match(/[a-z]+/g) ?? []).slice(0, 3).join(' ');
}

/** A command in backticks that starts with a program people run from a shell. */
const SHELL_COMMAND =
  /`((?:sudo\s+)?(?:docker(?:-compose)?|podman|npm|npx|pnpm|yarn|bun|make|cargo|go|pip3?|uv|poetry|pipenv|brew|apt(?:-get)?|kubectl|helm|terraform|bundle|rails|rake|mix|gradle|\.\/gradlew|mvn|\.\/mvnw|dotnet|composer|php|python3?|source|export|direnv|nvm|pyenv|rbenv|systemctl|service|sudo|git|gh|aws|gcloud|az|ssh|createdb|psql|redis-server|\.\/[\w./-]+)\s[^`\n]{2,100})`/;

/**
 * The command the user gave to get past the failure, with the reason they gave:
 * "the db runs in docker: `docker compose up -d db`" → "Run `docker compose up -d db` first
 * (the db runs in docker)." Only the first prompt after the failure counts, and not when it
 * merely repeats the failing command.
 */
function userCommand(prompts: readonly string[], failing: string | undefined): string | undefined {
  const prompt = prompts[0];
  if (!prompt) return undefined;
  const text = prompt.replace(/```[\s\S]*?```/g, ' ');
  // The program and sub-command of the failing stage ("terraform init").
  const head = (c: string) => shellWords(c).slice(0, 2).join(' ');
  const failingHead = failing ? head(failing) : undefined;
  const found: Array<{ command: string; lead: string; same: boolean }> = [];
  for (const sentence of text.split(/(?<=[.!?])\s+|\n+/)) {
    const m = SHELL_COMMAND.exec(sentence);
    if (!m) continue;
    const command = (m[1] ?? '').trim();
    if (failing && stageKey(command) === stageKey(failing)) continue;
    const before = sentence.slice(0, m.index);
    if (
      /\b(?:don'?t|do not|never|instead of|not|only ever|only)\s+(?:run\s+|use\s+)?$/i.test(before)
    )
      continue;
    found.push({ command, lead: before, same: head(command) === failingHead });
  }
  // A command for the same program and sub-command as the failing one wins ("`terraform init
  // -plugin-dir=…` works" over "`terraform validate`").
  const pick = found.find((f) => f.same) ?? found[0];
  if (!pick) return undefined;
  const lead = pick.lead
    .replace(
      /^(?:(?:ugh|ah+|oh|ok(?:ay)?|right|yes|yeah|yep|sorry|hm+|so|and|but)\b[,!.\s]*)+/gi,
      '',
    )
    .replace(/^for [\w-]+:\s*/i, '')
    .replace(
      /(?:\s*(?:[:,-]|\bwith|\bby running|\brun|\bjust|\busing|\bso|\band|\bthen|\bit'?s|\bthat'?s|\bit is|\bis))+\s*$/gi,
      '',
    )
    .trim();
  const why = lead.length >= 8 && lead.length <= 140 && !/\?$/.test(lead) ? lead : undefined;
  return why ? `Run \`${pick.command}\` (${lower(why)}).` : `Run \`${pick.command}\`.`;
}

/** The user's explanation of the failure, for the context (`/home has a 10GB quota …`). */
function userCause(prompts: readonly string[]): string | undefined {
  for (const p of prompts) {
    const s = p
      .replace(/```[\s\S]*?```/g, ' ')
      .split(/(?<=[.!?])\s+|\n+/)
      .map((x) => x.trim())
      .find(
        (x) =>
          x.length > 15 &&
          x.length < 200 &&
          !VERB_RE.test(x) &&
          /\b(?:is|are|has|have|there'?s|isn'?t|aren'?t|doesn'?t|no|only|because|since)\b/i.test(x),
      );
    if (s) return s.replace(/^(?:ah+|oh|ok|right|yes)[,!. ]+/i, '');
  }
  return undefined;
}

/** The assistant's one-sentence diagnosis, for the pattern's context. */
function causeOf(sentences: readonly string[]): string | undefined {
  return sentences.find(
    (x) =>
      x.length > 20 &&
      x.length < 220 &&
      !GERUND_RE.test(x) &&
      !VERB_RE.test(x) &&
      !/^(?:i'?ll|i will|let me|now|done|all \d+|\d+ tests?)\b/i.test(x) &&
      !/\b(?:runs|works|passes|pass|builds) (?:now|again)\b|\bnow (?:runs|works|passes|builds)\b/i.test(
        x,
      ) &&
      /\b(?:is|are|was|isn'?t|aren'?t|doesn'?t|does not|no longer|only|returns|expects|lives|needs|uses|runs|comes from|means|has no|refuses)\b/i.test(
        x,
      ),
  );
}

// ---------------------------------------------------------------------------------------------
// Fixes from commands

/** Words of a command, quotes kept; the words `after` has that `before` lacks, in order. */
function addedWords(before: string, after: string): { added: string[]; removed: string[] } {
  const a = words(before);
  const b = words(after);
  // Longest common subsequence, so a repeated flag (`-c x -c y`) is counted once.
  const dp: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      (dp[i] as number[])[j] =
        a[i] === b[j]
          ? ((dp[i + 1] as number[])[j + 1] as number) + 1
          : Math.max((dp[i + 1] as number[])[j] as number, (dp[i] as number[])[j + 1] as number);
  const added: string[] = [];
  const removed: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if (((dp[i + 1] as number[])[j] as number) >= ((dp[i] as number[])[j + 1] as number))
      removed.push(a[i++] as string);
    else added.push(b[j++] as string);
  }
  while (i < a.length) removed.push(a[i++] as string);
  while (j < b.length) added.push(b[j++] as string);
  return { added, removed };
}

/** `2>&1`, `> /dev/null`: how output is routed, not what is run. */
const REDIRECTION = /\s*(?:\d?>&\d|\d?>\s*\/dev\/null)/g;

/**
 * Shell words of the command's last working stage (`cd x && latexmk -pdf t.tex 2>&1 | tail`
 * gives `latexmk -pdf t.tex`), redirections left out, quotes kept ("-destination 'a b'" is
 * two words).
 */
function shellWords(command: string): string[] {
  const stage = (workStages(command).at(-1) ?? command).replace(REDIRECTION, '');
  return stage.match(/(?:[^\s'"]+|'[^']*'|"[^"]*")+/g) ?? [];
}

/** The same command, whatever its redirections, filters and spacing. */
function sameCommand(a: string, b: string): boolean {
  return shellWords(a).join(' ') === shellWords(b).join(' ');
}

/**
 * The one argument that differs between a failing command and its re-run, with the flag it
 * belongs to: "Run `xcodebuild` with `-destination 'platform=iOS Simulator,name=iPhone 16'`
 * (not `…name=iPhone 15'`)."
 */
function changedArgument(failing: string, rerun: string): string | undefined {
  const a = shellWords(failing);
  const b = shellWords(rerun);
  if (a.length !== b.length || a.length < 2) return undefined;
  const at = a.flatMap((w, i) => (w !== b[i] ? [i] : []));
  if (at.length !== 1) return undefined;
  const i = at[0] as number;
  const flag = i > 1 && /^--?[\w-]+$/.test(b[i - 1] ?? '') ? `${b[i - 1]} ` : '';
  const now = `${flag}${b[i]}`;
  const was = `${flag}${a[i]}`;
  if (now.length > 120) return undefined;
  return `Run \`${stageLabel(rerun, false)}\` with \`${now}\` (not \`${was}\`).`;
}

/**
 * Environment variables the passing re-run sets and the failing command did not:
 * "Run `./gradlew test` with `DOCKER_HOST=unix://… TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE=…`".
 */
function envFix(failing: string, rerun: string): string | undefined {
  const assignments = (c: string) => [
    ...(c.match(/(?:^|\s|&&\s*)([A-Z_][A-Z0-9_]{2,}=(?:"[^"]*"|'[^']*'|\S+))/g) ?? []).map((a) =>
      a.replace(/^(?:\s|&&\s*)+/, ''),
    ),
    // PowerShell: `$env:CHROME_BIN = "C:\…\msedge.exe"; pnpm ng test`.
    ...[...c.matchAll(/\$env:([A-Z_][A-Z0-9_]{2,})\s*=\s*("[^"]*"|'[^']*'|[^\s;]+)/gi)].map(
      (m) => `${m[1]}=${m[2]}`,
    ),
  ];
  const before = new Set(assignments(failing));
  const added = assignments(rerun).filter((a) => !before.has(a));
  if (added.length === 0 || added.length > 3) return undefined;
  const command = rerun
    .split(/\s*;\s*/)
    .filter((part) => !/^\$env:/i.test(part))
    .join('; ');
  const label = stageLabel(
    command.replace(/(?:^|\s)[A-Z_][A-Z0-9_]{2,}=(?:"[^"]*"|'[^']*'|\S+)/g, ' '),
    false,
  );
  const env = added.join(' ');
  if (env.length > 140) return undefined;
  return `Run \`${label}\` with \`${env}\` set.`;
}

/** `cargo test` -> `cargo test --offline`: the flags that made the re-run pass. */
function flagFix(failing: string, rerun: string): string | undefined {
  const { added, removed } = addedWords(failing, rerun);
  // "latexmk thesis.tex" after "latexmk -pdf thesis.tex" failed: a flag taken away.
  const was = shellWords(failing);
  const now = shellWords(rerun);
  const dropped = was.filter((w) => !now.includes(w));
  if (
    now.every((w) => was.includes(w)) &&
    dropped.length > 0 &&
    dropped.length <= 2 &&
    dropped.every((r) => r.startsWith('-'))
  )
    return `Run \`${now.join(' ')}\` without \`${dropped.join(' ')}\`.`;
  if (added.length === 0 || added.length > 5 || removed.length > 2) return undefined;
  if (!added.some((w) => w.startsWith('-'))) return undefined;
  const label = stageLabel(rerun, false);
  const add = added.join(' ');
  return removed.length > 0 && removed.every((r) => r.startsWith('-'))
    ? `Run \`${label}\` with \`${add}\` instead of \`${removed.join(' ')}\`.`
    : `Run \`${label}\` with \`${add}\`.`;
}

const INSTALL_COMMAND =
  /^(?:bundle(?: install)?|npm (?:i|install|ci|uninstall|rm)|pnpm (?:i|install|add|remove)|yarn(?: add| install| remove)?|pip3? install|uv (?:sync|add|pip)|poetry (?:add|install)|go (?:get|mod tidy)|cargo (?:add|fetch)|mix deps\.(?:get|update)|gem install|ansible-galaxy (?:collection |role )?install|composer (?:require|update|install)|dotnet (?:add|restore)|cabal update)\b/;

/** Commands run before the passing re-run: `Run \`alembic upgrade head\` first, then …`. */
function commandFix(
  commands: readonly string[],
  rerunLabel: string | undefined,
): string | undefined {
  let useful = commands.filter(
    (c) => !LOOK_COMMAND.test(c) && !/^(?:sed -i|git (?:add|checkout|stash|commit))/.test(c),
  );
  // A rebuild among them is how the re-run was reached; the package change is the fix.
  if (useful.length > 2) {
    const packages = useful.filter(
      (c) => INSTALL_COMMAND.test(c) || /^\S+ (?:uninstall|remove|rm)\b/.test(c),
    );
    if (packages.length > 0 && packages.length <= 2) useful = packages;
  }
  if (useful.length === 0 || useful.length > 2) return undefined;
  const cmd = useful.map((c) => c.replace(REDIRECTION, '')).join(' && ');
  if (cmd.length > 110) return undefined;
  return rerunLabel ? `Run \`${cmd}\` first, then \`${rerunLabel}\`.` : `Run \`${cmd}\`.`;
}

// ---------------------------------------------------------------------------------------------
// Choosing the fix

function chooseFix(
  w: Window,
  failing: { command: string } | undefined,
  error: string,
): string | undefined {
  const sentences = w.texts.flatMap(sentencesOf);
  const summarised = summariseChanges(w.changes, error);
  const summary = summarised?.partial ? undefined : summarised?.text;
  const redirected = w.redirectedAt !== undefined;
  const explained = explainedFix(
    redirected ? w.texts.slice(w.redirectedAt).flatMap(sentencesOf) : sentences,
  );
  const install = [...w.commands, ...w.before].find((c) => INSTALL_COMMAND.test(c));
  let fix: string | undefined = redirected ? userRoute(w.prompts, w) : undefined;
  if (w.movedOn && w.rerun && w.rerunOf)
    fix ??= flagFix(w.rerunOf, w.rerun) ?? changedArgument(w.rerunOf, w.rerun);
  fix ??= userCommand(w.prompts, failing?.command);
  // The same command passing after nothing but a `cd`: it has to run from that folder.
  if (
    w.cwd &&
    !/^\.{1,2}(?:[\\/]\.{1,2})*[\\/]?$/.test(w.cwd) &&
    w.rerun &&
    w.rerunOf &&
    sameCommand(w.rerun, w.rerunOf) &&
    w.editCount === 0 &&
    w.changes.length === 0 &&
    w.commands.length === 0
  )
    fix ??= `Run \`${commandLabel(w.rerun) ?? w.rerun}\` from \`${w.cwd}\`.`;
  // An outside cause (no Docker, no network) is got round the way the user said, or by how the
  // command is run, not by the code edited meanwhile.
  if (ENVIRONMENT_ERROR.test(error)) {
    fix ??= userRoute(w.prompts, w);
    if (w.rerun && w.rerunOf) fix ??= flagFix(w.rerunOf, w.rerun) ?? envFix(w.rerunOf, w.rerun);
  }
  // The re-run that passed set an environment variable the failing run did not have.
  if (w.rerun && w.rerunOf && w.editCount === 0 && w.changes.length === 0)
    fix ??= envFix(
      w.rerunOf,
      [...w.before.filter((b) => /^(?:\$env:|export\s)/i.test(b)), w.rerun].join('; '),
    );
  if (!fix && explained) {
    fix = explained;
    if (!concrete(fix) && summary) fix = `${fix.replace(/\.$/, '')}: ${lower(summary)}`;
  }
  fix ??= userRoute(w.prompts, w);
  if (w.rerun && w.rerunOf) fix ??= envFix(w.rerunOf, w.rerun);
  if (w.changes.length === 0 && w.editCount === 0) fix ??= suggestedCommand(w.texts);
  fix ??= summary;
  if (!fix && w.rerun && w.rerunOf && w.editCount === 0 && w.changes.length === 0)
    fix = flagFix(w.rerunOf, w.rerun);
  const runFirst = [...w.commands, ...w.before.filter((s) => !/^sed -i/.test(s))];
  if (!fix && w.editCount === 0 && w.changes.length === 0)
    fix = commandFix(
      runFirst,
      w.rerun ? commandLabel(w.rerunOf ?? failing?.command ?? w.rerun) : undefined,
    );
  // A short prose-only answer (no tools, no code) is about the error by construction.
  const proseOnly =
    w.changes.length === 0 &&
    w.editCount === 0 &&
    w.commands.length === 0 &&
    w.texts.join('\n').length < 600 &&
    !w.texts.some((t) => t.includes('```'));
  const action = actionFix(sentences, proseOnly ? undefined : relatedWords(w, error), !failing);
  // With tool activity to go by, a prose action must name something concrete; a failed test
  // assertion is specific to its code, so only a named fix or a crisp change teaches anything.
  if (action && (proseOnly || concrete(action)) && !ASSERTION.test(error)) fix ??= action;
  fix ??= summarised?.text;
  fix ??= namedAddition(w, error);
  if (!fix) {
    const commit = w.commits.map((c) => /^fix(?:\([^)]*\))?:\s*(.+)$/i.exec(c)?.[1]).find(Boolean);
    if (commit) fix = instruction(commit, undefined) ?? undefined;
  }
  if (
    fix &&
    install &&
    !fix.includes(install) &&
    /\b(?:add|plugin|dependency|package|install|drop|remove|use)\b/i.test(fix)
  ) {
    const installWords = new Set(
      (install.match(/[\w@./-]+/g) ?? []).slice(2).map((x) => x.toLowerCase()),
    );
    const mentions = (fix.match(/[\w@./-]+/g) ?? []).some((x) => installWords.has(x.toLowerCase()));
    if (mentions && fix.length + install.length < 190)
      fix = `${fix.replace(/\.$/, '')} (\`${install}\`).`;
  }
  return fix;
}

/**
 * A change too large to summarise (a file written anew), and the assistant's prose naming in
 * backticks the line that matters ("unless the file starts with `-- +goose NO TRANSACTION`"):
 * that line, added, is the fix.
 */
function namedAddition(w: Window, error: string): string | undefined {
  // The sentence naming the line must be about the error: a word of it, outside the line.
  const errorWords = wordsOfError(error);
  const spans: string[] = [];
  for (const sentence of w.texts.flatMap(sentencesOf))
    for (const m of sentence.matchAll(/`([^`\n]{6,80})`/g)) {
      const outside = sentence.replace(m[0], ' ');
      if (mentions(outside, errorWords)) spans.push(m[1] ?? '');
    }
  for (const span of spans) {
    if (!/[A-Za-z]{3}/.test(span) || !/\s/.test(span)) continue;
    for (const ch of w.changes) {
      const added = ch.after.some((l) => l.includes(span));
      const had = ch.before.some((l) => l.includes(span));
      if (!added || had) continue;
      const file = baseName(ch.file);
      return file ? `Add \`${span}\` to \`${file}\`.` : `Add \`${span}\`.`;
    }
  }
  return undefined;
}

const ASSERTION =
  /AssertionError|\bexpected\b.+\b(?:to (?:be|equal|have|contain)|but (?:got|was|received))\b|\bassert(?:ion)? failed\b/i;

function lower(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Self-inflicted failures

const COMPILE_ERROR =
  /^(?:error(?:\[E\d+\])?: |error TS\d+|SyntaxError|IndentationError|undefined: |cannot find symbol|this function takes|mismatched types|expected .+ found)/;

/** A compile error in code the assistant wrote moments ago, fixed by editing it again. */
function selfInflicted(
  turns: readonly Turn[],
  index: number,
  callIndex: number,
  error: string,
  output: string,
): boolean {
  if (!COMPILE_ERROR.test(error)) return false;
  const files = new Set<string>();
  for (let t = Math.max(0, index - 2); t <= index; t++) {
    const turn = turns[t] as Turn;
    if (turn.role !== 'assistant') continue;
    const calls = t === index ? turn.toolCalls.slice(0, callIndex) : turn.toolCalls;
    for (const call of calls) {
      if (!EDIT_TOOL.test(call.name)) continue;
      for (const ch of callChanges(call)) if (ch.file) files.add(baseName(ch.file) as string);
      const f = /"(?:file_path|path)"\s*:\s*"([^"]+)"/.exec(call.input)?.[1];
      if (f) files.add(baseName(f) as string);
    }
  }
  if (files.size === 0) return false;
  const mentioned = output.match(/[\w.-]+\.\w{1,5}(?=[:(\s]|$)/gm) ?? [];
  return mentioned.some((m) => files.has(m));
}

// ---------------------------------------------------------------------------------------------
// Detectors

/** Lessons from the failing tool calls of one assistant turn. */
export function detectToolLessons(
  turn: Turn,
  turns: readonly Turn[],
  index: number,
  out: Lesson[],
): void {
  const seen = new Set<string>();
  for (let c = 0; c < turn.toolCalls.length; c++) {
    const call = turn.toolCalls[c] as ToolCall;
    const output = call.output ?? '';
    if (!output || !isFailure(call)) continue;
    if (REJECTED.test(output.slice(0, 300))) continue;
    const error = callTrigger(call);
    if (!error || seen.has(error)) continue;
    // Only the last failure with this error in the turn: earlier ones were retried.
    if (laterSameFailure(turn, c, error)) continue;
    const lesson =
      toolHint(call, error, index) ??
      missingTool(turns, index, c, call, error) ??
      resolveFailure(turns, index, c, call, error);
    if (lesson) {
      seen.add(error);
      out.push(lesson);
    }
  }
}

function laterSameFailure(turn: Turn, c: number, error: string): boolean {
  for (let k = c + 1; k < turn.toolCalls.length; k++) {
    const later = turn.toolCalls[k] as ToolCall;
    if (isFailure(later) && callTrigger(later) === error) return true;
  }
  return false;
}

// A tool result that tells the caller what to do: "Read it first before writing to it."
const HINT =
  /(?:^|[.!]\s+)((?:read|run|use|try|install|add|pass|call|set|remove|specify|provide|use the|did you mean)\b[^.!?\n]{3,120}[.!]?)/i;

function toolHint(call: ToolCall, error: string, index: number): Lesson | undefined {
  const hint = HINT.exec(error);
  if (
    !hint ||
    !/has not been read yet|must (?:read|use|run)|before (?:writing|editing)/i.test(error)
  )
    return undefined;
  const s = (hint[1] ?? '')
    .trim()
    .replace(/[.!]+$/, '')
    .replace(/^read it\b/i, 'Read the file');
  return {
    kind: 'error_resolution',
    turn: index,
    quote: redactText(clip(error, 160)),
    strength: 0.6,
    error: `${call.name}: ${error.replace(/\.\s*(?:read|run|use)\b.*$/i, '')}`,
    fix: `${s.charAt(0).toUpperCase()}${s.slice(1)}.`,
    tool: call.name,
  };
}

const NOT_FOUND =
  /(?:^|\s)(?:zsh|bash|sh|fish)(?::\d+)?: command not found: ([\w.-]+)|(?:^|\s|:)([\w.-]+): (?:command )?not found\b|'([\w.-]+)' is not recognized|exec: "([\w.-]+)": executable file not found/;

/** `jq: command not found`, then the same job done another way. */
function missingTool(
  turns: readonly Turn[],
  index: number,
  callIndex: number,
  call: ToolCall,
  error: string,
): Lesson | undefined {
  const nf = NOT_FOUND.exec(error) ?? NOT_FOUND.exec((call.output ?? '').slice(0, 2000));
  const missing = nf?.[1] ?? nf?.[2] ?? nf?.[3] ?? nf?.[4];
  if (!missing) return undefined;
  const failing = commandOf(call.input);
  // A name the command never ran (a shell start-up hook) is no tool to do without.
  if (!new RegExp(`(?:^|[\\s|;&("'/\\\\])${escapeRe(missing)}(?:$|[\\s;|&)])`).test(failing))
    return undefined;
  const trigger = nf?.[4]
    ? `\`${missing}\` is not in the container (executable file not found in $PATH)`
    : `\`${missing}\`: command not found`;
  const label = commandLabel(failing);
  let seen = 0;
  const prompts: string[] = [];
  for (let t = index; t < turns.length && t <= index + 6; t++) {
    const turn = turns[t] as Turn;
    if (turn.role === 'user') {
      if (t === index || turn.kind === 'interrupt' || !turn.text.trim()) continue;
      if (objects(turn.text) && !imperativeOf(turn.text)) return undefined;
      prompts.push(turn.text);
      if (prompts.length > 1) return undefined;
      continue;
    }
    for (let c = t === index ? callIndex + 1 : 0; c < turn.toolCalls.length; c++) {
      const next = turn.toolCalls[c] as ToolCall;
      if (!SHELL_TOOL.test(next.name)) continue;
      if (++seen > 4) return undefined;
      const cmd = commandOf(next.input);
      if (isFailure(next) || REJECTED.test(next.output ?? '')) continue;
      if (new RegExp(`(?:^|[\\s|;&("'])${escapeRe(missing)}(?:$|[\\s;|&)])`).test(cmd)) continue;
      const beforeProgs = new Set(stages(failing).map((s) => stageWords(s)[0]));
      const nowProgs = stages(cmd).map((s) => stageWords(s)[0] ?? '');
      // `.\gradlew` for `gradlew`: the shell does not look in the current folder.
      const local = nowProgs.find((p) => /^\.[\\/]/.test(p) && p.slice(2) === missing);
      const sameJob = nowProgs.some((p) => beforeProgs.has(p)) || prompts.length > 0 || !!local;
      if (!sameJob) continue;
      const w: Window = {
        texts: [],
        changes: [],
        editCount: 0,
        commands: [cmd],
        commits: [],
        prompts,
        before: [],
        userConfirmed: false,
        rejected: false,
        objected: false,
        rerun: cmd,
      };
      const route = userRoute(prompts, w);
      const added = nowProgs.filter((p) => p && !beforeProgs.has(p) && !FILTER_PROGRAM.test(p));
      // `head file | jq .` then `head file`: the same command, the missing filter left out.
      const piped =
        stages(failing).findIndex((s) => stageWords(s)[0] === missing) > 0 &&
        nowProgs.every((p) => beforeProgs.has(p));
      const alt = stageLabel(
        stages(cmd).find((s) => stageWords(s)[0] === (added[0] ?? nowProgs[0])) ?? cmd,
      );
      const fix =
        route ??
        (local
          ? `Run \`${missing}\` from the current folder as \`${local}\`: the shell does not look there.`
          : undefined) ??
        (added[0]
          ? `\`${missing}\` is not installed here; use \`${added[0]}\` instead.`
          : piped
            ? `\`${missing}\` is not installed here; run the command without \`| ${missing}\`.`
            : `\`${missing}\` is not available here; use \`${alt}\` instead.`);
      const lesson: Lesson = {
        kind: 'workaround',
        turn: index,
        quote: redactText(clip(error, 160)),
        strength: 0.6,
        error: redactText(label && label !== missing ? `\`${label}\`: ${trigger}` : trigger),
        fix: redactText(fix),
        tool: call.name,
      };
      const cause = userCause(prompts);
      if (cause) lesson.cause = redactText(cause);
      return lesson;
    }
  }
  return undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function imperativeOf(text: string): boolean {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .some((s) => VERB_RE.test(s.trim().replace(/^(?:please|just|so|and|instead)[,\s]+/i, '')));
}

/** A failing shell call fixed by a later change and a passing re-run (or the user's word). */
function resolveFailure(
  turns: readonly Turn[],
  index: number,
  callIndex: number,
  call: ToolCall,
  error: string,
): Lesson | undefined {
  if (!isShellCall(call)) return undefined;
  const output = call.output ?? '';
  const command = commandOf(call.input);
  if (selfInflicted(turns, index, callIndex, error, output)) return undefined;
  const w = scan(turns, index, callIndex, { command, error, echoed: echoedCommands(output) });
  if (w.rejected || w.objected) return undefined;
  if (!w.rerun && !w.userConfirmed) return undefined;
  // What the user says next is about the new error when the re-run got past this one.
  const after = w.progressed ? undefined : w.after?.text;
  if (after && !confirms(after)) {
    if (FRUSTRATION.test(after) || STILL_FAILING.test(after)) return undefined;
    if (objects(after) && related(after, w)) return undefined;
  }
  const sentences = w.texts.flatMap(sentencesOf);
  if (OWN_SLIP.test(sentences.join(' '))) return undefined;
  const fix = chooseFix(w, { command }, error);
  if (!fix) return undefined;
  const environment =
    ENVIRONMENT_ERROR.test(error) || ENVIRONMENT_ERROR.test(output.slice(0, 4000));
  const label = commandLabel(command);
  const trigger =
    label && !error.toLowerCase().includes(label.toLowerCase()) ? `\`${label}\`: ${error}` : error;
  const lesson: Lesson = {
    kind: environment ? 'workaround' : 'error_resolution',
    turn: index,
    quote: redactText(clip(error, 160)),
    strength: w.rerun ? 0.65 : 0.6,
    error: redactText(trigger),
    fix: redactText(fix),
    tool: call.name,
  };
  const cause =
    (environment ? userCause(w.prompts) : undefined) ?? causeOf(sentences) ?? userCause(w.prompts);
  if (cause) lesson.cause = redactText(cause);
  return lesson;
}

/**
 * A user pasting an error, the assistant changing something, then the user saying it works
 * (or moving on to something else without the error coming back) is an error resolution.
 * A user stating that something is unavailable and naming the route to take instead, which the
 * assistant then takes successfully, is a workaround.
 */
/** "I tried to open it and I got this error: the binding used in …": an error told in prose. */
const STATED_ERROR =
  /\b(?:got|get|getting|gives?|giving|throws?|throwing|shows?|showing|there (?:is|it|was)|with)(?: me)? (?:this|the following|an|the|a|that)? ?error(?: message)?:\s*(\S[^\n]{11,})/i;

/** A prompt that opens on a new error: "Now I am getting this error: …", "now there is …". */
const NEXT_ERROR =
  /^(?:ok(?:ay)?[,.]?\s*)?(?:now|next|then)\b[^\n]{0,40}\b(?:error|exception|fails?|failing|crash(?:es)?)\b/i;

/**
 * Aider's "What's wrong? Fix" after a failing `/run`: the output went to the model, not into the
 * history, so the error is the one the reply quotes in its first code block.
 */
function quotedRunError(turns: readonly Turn[], index: number): string | undefined {
  if (!/^\s*what'?s wrong\?\s*fix\.?\s*$/i.test((turns[index] as Turn).text)) return undefined;
  const reply = turns[index + 1];
  if (reply?.role !== 'assistant') return undefined;
  const block = /```[^\n]*\n([\s\S]*?)```/.exec(reply.text)?.[1];
  return block ? errorLine(block) : undefined;
}

function statedError(text: string): string | undefined {
  const m = STATED_ERROR.exec(text.slice(0, 2000));
  if (!m?.[1]) return undefined;
  const line = shorten(normaliseError(m[1].trim()));
  return line.length >= 12 ? line : undefined;
}

export function detectPastedErrorResolution(
  turns: readonly Turn[],
  index: number,
  out: Lesson[],
): void {
  const turn = turns[index] as Turn;
  let pasted = errorLine(turn.text) ?? statedError(turn.text) ?? quotedRunError(turns, index);
  if (!pasted) {
    statedWorkaround(turns, index, out);
    return;
  }
  const prefix = pastedCommand(turn.text);
  if (prefix)
    pasted = pasted
      .replace(/^.*?\b(?:fails|failed|gives|errors|crashes)(?: with)?:?\s*/i, '')
      .replace(/^[\w.-]+(?::\d+)*: \*\*\*\s*|^\*\*\*\s*/, '')
      .replace(/\.\s+Stop$/, '');
  const error =
    prefix && !pasted.toLowerCase().includes(prefix.toLowerCase())
      ? `\`${prefix}\`: ${pasted}`
      : pasted;
  const w = scan(turns, index, -1, undefined);
  if (w.rejected || w.objected) return;
  const next = w.after ?? nextPrompt(turns, index);
  if (!next) return;
  // Some exports leave the edits out; a fix the assistant names counts as a change made.
  const changed =
    w.editCount > 0 ||
    w.changes.length > 0 ||
    proseChanged(w.texts) ||
    explainedFix(w.texts.flatMap(sentencesOf)) !== undefined;
  // "upload works now but step 5: <another error>", "now I am getting this error: <another>":
  // past this error, on to the next one.
  const nextError = errorLine(next.text) ?? statedError(next.text);
  const progressed =
    nextError !== undefined &&
    errorHead(nextError) !== errorHead(pasted) &&
    (/\b(?:works?|worked|fixed|pass(?:es|ed)?|fine|better|compiles|compiled|builds|built|runs|ran|loads|starts)\b[^\n]{0,30}\b(?:now|but)\b/i.test(
      next.text.slice(0, 200),
    ) ||
      NEXT_ERROR.test(next.text.slice(0, 120)) ||
      STATED_ERROR.test(next.text.slice(0, 300)));
  const movedOn =
    changed &&
    !STILL_FAILING.test(next.text) &&
    !FRUSTRATION.test(next.text) &&
    (nextError === undefined || progressed) &&
    !(objects(next.text) && related(next.text, w));
  if (!w.userConfirmed && !movedOn) return;
  const sentences = w.texts.flatMap(sentencesOf);
  if (OWN_SLIP.test(sentences.join(' '))) return;
  // "... caddy-site is a systemd user unit, it's `systemctl --user restart caddy-site`": the
  // user gave the way past the error along with it.
  const own = userCommand([turn.text], prefix);
  const fix = own ?? chosenOption(w.texts, next.text) ?? chooseFix(w, undefined, pasted);
  if (!fix) return;
  const lesson: Lesson = {
    kind: ENVIRONMENT_ERROR.test(pasted) ? 'workaround' : 'error_resolution',
    turn: index,
    quote: redactText(clip(pasted, 160)),
    strength: 0.55,
    error: redactText(error),
    fix: redactText(fix),
  };
  const frame = topFrame(turn.text);
  if (frame && !lesson.error?.includes(frame)) lesson.error = `${lesson.error} (in \`${frame}\`)`;
  const cause = causeOf(sentences);
  if (cause) lesson.cause = redactText(cause);
  out.push(lesson);
}

/** The first stack frame's function of a pasted JS/Java trace (`at getExpoPushTokenAsync (`). */
function topFrame(text: string): string | undefined {
  const m = /^\s+at (?:async )?([A-Za-z_$][\w$.]*) \((?!node:|internal)/m.exec(text);
  const name = m?.[1];
  if (!name || /^(?:Object|Module|process|new|anonymous|eval)\b/.test(name)) return undefined;
  return name.length <= 40 ? name : undefined;
}

/** "make test fails with: …", "`mkdocs build --strict` …": the command the user ran. */
function pastedCommand(text: string): string | undefined {
  const m =
    /^\s*(?:running |when i run )?`?([a-z][\w.-]*(?: [a-z][\w:.-]*)?)`? (?:fails|failed|gives|errors|crashes)\b/i.exec(
      text,
    );
  if (!m?.[1] || /^(?:it|this|that|the|my|app|test|ci|build)$/i.test(m[1])) return undefined;
  return m[1];
}

function nextPrompt(turns: readonly Turn[], index: number): Turn | undefined {
  for (let t = index + 1; t < turns.length && t <= index + 6; t++) {
    const turn = turns[t] as Turn;
    if (
      turn.role === 'user' &&
      (turn.kind ?? 'prompt') === 'prompt' &&
      turn.text.trim() &&
      !/^\/\w+/.test(turn.text.trim())
    )
      return turn;
  }
  return undefined;
}

/** Assistant prose that reports a change made (formats without tool calls). */
function proseChanged(texts: readonly string[]): boolean {
  return texts.some(
    (t) =>
      /```/.test(t) ||
      /\b(?:i (?:removed|replaced|added|changed|fixed|updated|switched|moved|renamed)|(?:removed|replaced|added|changed|switched|converted|updated) (?:it|them|the|a|an|`))/i.test(
        t,
      ),
  );
}

const UNAVAILABLE =
  /\b((?:[A-Z][\w.-]*|the [\w-]+|[\w-]+)(?: [\w-]+)?) (?:isn'?t|is not|aren'?t|are not) (?:available|installed|allowed|reachable)\b|\bno ([\w-]+) (?:access|available)\b|\bcan'?t (?:use|run|install|reach) ([\w.-]+)\b|\b([\w.-]+) (?:won'?t|will not|doesn'?t|does not) work\b|\b(?:doesn'?t|does not|don'?t|do not|won'?t|will not) (?:allow|support|permit|offer) ([\w.-]+(?: (?:or|nor|and) [\w.-]+)?)/;

/** The assistant taking its own route past a limit: "Since pg_cron isn't available, …". */
const ROUTE_AROUND =
  /^(?:since|because|as|given that) [^,]{3,100}? (?:isn'?t|aren'?t|is not|are not|can'?t be|cannot be) (?:available|allowed|supported|installed|an option|used|possible)\b[^,]{0,40},\s*(.{10,})$|^instead,?\s+(.{10,})$/i;

/** The route the assistant took in the reply after `index`, when that reply's work succeeded. */
function assistantRoute(turns: readonly Turn[], index: number): string | undefined {
  const reply = turns[index + 1];
  if (reply?.role !== 'assistant') return undefined;
  const calls = reply.toolCalls.filter((c) => !REJECTED.test((c.output ?? '').slice(0, 200)));
  if (calls.length === 0 || calls.some(isFailure)) return undefined;
  const next = turns[index + 2];
  if (next?.role === 'user' && next.text.trim() && objects(next.text)) return undefined;
  for (const sentence of sentencesOf(reply.text)) {
    const m = ROUTE_AROUND.exec(sentence.replace(/[.!]+$/, ''));
    const route = m?.[1] ?? m?.[2];
    if (route) return route;
  }
  return undefined;
}

/** "Docker isn't available here … Use ioredis-mock instead." followed by the route working. */
function statedWorkaround(turns: readonly Turn[], index: number, out: Lesson[]): void {
  const text = (turns[index] as Turn).text;
  if (text.length > 1500) return;
  const sentences = text
    .replace(/```[\s\S]*?```/g, ' ')
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const blocked = sentences.find((s) => UNAVAILABLE.test(s));
  if (!blocked) return;
  const stated = sentences.find(
    (s) => /\binstead\b/i.test(s) && VERB_RE.test(s.replace(/^(?:please|so|just)[,\s]+/i, '')),
  );
  const m = UNAVAILABLE.exec(blocked);
  const thing = (m?.[1] ?? m?.[2] ?? m?.[3] ?? m?.[4] ?? m?.[5] ?? '').replace(/^the /i, '');
  if (!thing) return;
  // The user named the limit only: the assistant's reply says how it went round it.
  const route = stated ?? assistantRoute(turns, index);
  if (!route) return;
  // The route must be taken and work: a later passing call mentions its code word (the
  // assistant's own route was checked with its reply).
  const key = stated
    ? (route.match(/[\w@./-]*[-_.][\w@./-]+|`[^`]+`/g) ?? [])[0]?.replace(/`/g, '')
    : '';
  if (key === undefined) return;
  let worked = !stated;
  for (let t = index + 1; t < turns.length && t <= index + 3 && !worked; t++) {
    const turn = turns[t] as Turn;
    if (turn.role === 'user') {
      if (turn.text.trim() && objects(turn.text)) return;
      continue;
    }
    worked = turn.toolCalls.some(
      (c) => !isFailure(c) && !!key && (c.input.includes(key) || (c.output ?? '').includes(key)),
    );
  }
  if (!worked) return;
  const because = /\bso ([^,.;]+?(?:won'?t|will not|can'?t|cannot) work)/i.exec(blocked)?.[1];
  const error = `${thing} is not available${because ? ` (${because})` : ''}`;
  out.push({
    kind: 'workaround',
    turn: index,
    quote: redactText(clip(blocked, 160)),
    strength: 0.55,
    error: redactText(error),
    fix: redactText(finish(route.replace(/^(?:please|so|just)[,\s]+/i, ''))),
    cause: redactText(clip(blocked, 200)),
  });
}
