/**
 * Secret redaction: finds credentials in free text (transcripts, tool output, pasted files)
 * and replaces each with a typed placeholder such as `[REDACTED:aws-access-key]`.
 *
 * Three kinds of detector look at the text:
 *
 * 1. **Token shapes** that are secret wherever they appear: provider API keys (OpenAI,
 *    Anthropic, GitHub, GitLab, Slack, Google, Stripe, npm, PyPI, Hugging Face, SendGrid,
 *    Discord), AWS access key ids, JWTs, private key blocks, Slack webhook URLs, Azure account
 *    keys and SAS signatures.
 * 2. **Credential positions**: the password in `scheme://user:password@host`, the token after
 *    `Authorization: Bearer` / `Basic`, `.netrc` passwords.
 * 3. **Secret-looking names**: `.env`, shell, YAML, JSON, TOML, INI, JDBC/ADO and CLI-flag
 *    assignments whose name says secret (`DB_PASSWORD=`, `"api_key": `, `apiKey: '…'`,
 *    `--token …`). Only the value is replaced; the name stays.
 *
 * When detections overlap, the more specific one wins (a GitHub token assigned to
 * `GITHUB_TOKEN=` is reported as `github-token`, not as a generic `token`).
 *
 * Decisions on what is *not* a secret (documented because they trade recall for precision):
 * - Stripe publishable keys (`pk_live_…`, `pk_test_…`) are meant to be public; left alone.
 * - Placeholders are left alone: values made of one repeated character (`xxxx`, `****`), values
 *   containing `...`, `<…>`, `${…}`, `{{…}}`, or the words `your`, `here`, `placeholder`,
 *   `example`, and well-known dummy values such as `changeme`, `changeit`, `password`,
 *   `secret`, `none`, `null`, `true`. A password that really is `changeme` is a published
 *   default, not a secret worth hiding.
 * - References are left alone: `$VAR`, `${VAR}`, `%VAR%`, `process.env.X`, `os.environ[…]`,
 *   `os.getenv(…)`, `secrets.X`, dotted member paths and calls in code.
 * - Names qualified by a non-secret word after the secret word (`TOKEN_EXPIRY`,
 *   `PASSWORD_MIN_LENGTH`, `AUTH_URL`, `token_type`, `password_hint`) are not secrets, nor are
 *   numbers of up to 6 digits, booleans, file paths and URLs under a secret name.
 * - Values containing whitespace under a secret name are taken to be prose or UI text
 *   (`"password": "Enter your password"`); only a quoted password of at most three words,
 *   one mixing letters with digits or symbols (`"Sup3r S3cret"`), is redacted. Plain-word
 *   passphrases (`"correct horse battery staple"`) are missed.
 * - Values shorter than 4 characters are left alone, and so are secrets in free prose with no
 *   name or known shape (`my password is hunter2`).
 * - Git SHAs, SHA-256 digests, UUIDs, base64 blobs and CSS colours are only redacted when a
 *   secret name or credential position says so.
 *
 * Speed: one case-insensitive regular expression finds every trigger literal (`sk-`, `AKIA`,
 * `://`, `-----BEGIN `, `password`, `token`, …) in a single pass, and each trigger runs only
 * the matchers that start with it, anchored there. Text with no secret is scanned once; text
 * with secrets is scanned again after redaction (see {@link redactSecrets}). Every matcher is
 * linear: no nested unbounded quantifiers, bounded hand-written scans, cached forward searches.
 * @module
 */

/** One secret found in the original text: its type and its `[start, end)` UTF-16 offsets. */
export interface RedactionHit {
  type: string;
  start: number;
  end: number;
}

/** The redacted text and the secrets found, with positions in the original text. */
export interface RedactionResult {
  text: string;
  found: RedactionHit[];
}

/** Every placeholder type {@link redactSecrets} can emit, as in `[REDACTED:<type>]`. */
export const REDACTION_TYPES: readonly string[] = Object.freeze([
  'private-key',
  'openai-api-key',
  'anthropic-api-key',
  'aws-access-key',
  'aws-secret-key',
  'github-token',
  'gitlab-token',
  'slack-token',
  'slack-webhook',
  'google-api-key',
  'stripe-key',
  'npm-token',
  'pypi-token',
  'huggingface-token',
  'sendgrid-api-key',
  'twilio-api-key',
  'azure-storage-key',
  'azure-sas-signature',
  'discord-bot-token',
  'jwt',
  'bearer-token',
  'basic-auth',
  'password',
  'api-key',
  'token',
  'secret',
]);

/**
 * Replaces every secret in `text` by `[REDACTED:<type>]`.
 *
 * `found` lists the replaced spans in order of position, as offsets into the original
 * `text`; spans never overlap. The function is pure, never throws on any string, and is
 * idempotent: `redactSecrets(redactSecrets(x).text).text === redactSecrets(x).text`.
 */
export function redactSecrets(text: string): RedactionResult {
  let found = detectSecrets(text);
  if (found.length === 0) return { text, found };
  let redacted = applyHits(text, found);
  // Replacing a secret can change what its neighbours look like (a token glued to a key
  // block, a name glued to a token). Redact the result again until nothing more is found,
  // so that a second call never finds anything the first did not.
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const more = detectSecrets(redacted);
    if (more.length === 0) break;
    found = mergeHits(found, mapToOriginal(more, found));
    redacted = applyHits(text, found);
  }
  return { text: redacted, found };
}

/** Rounds of re-redaction; real text converges in one, contrived text in a few. */
const MAX_ROUNDS = 4;

function placeholder(type: string): string {
  return `[REDACTED:${type}]`;
}

function applyHits(text: string, hits: readonly RedactionHit[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const hit of hits) {
    parts.push(text.slice(at, hit.start), placeholder(hit.type));
    at = hit.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/**
 * Maps hits found in the redacted text back to the original: a hit edge inside a
 * placeholder widens to cover the whole secret behind it.
 */
function mapToOriginal(
  hits: readonly RedactionHit[],
  applied: readonly RedactionHit[],
): RedactionHit[] {
  // Where each applied placeholder starts in the redacted text.
  const starts: number[] = [];
  let shift = 0;
  for (const a of applied) {
    starts.push(a.start + shift);
    shift += placeholder(a.type).length - (a.end - a.start);
  }
  const toOriginal = (p: number, isEnd: boolean): number => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((starts[mid] ?? 0) <= p) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    const a = applied[i];
    const start = starts[i];
    if (a === undefined || start === undefined) return p;
    const end = start + placeholder(a.type).length;
    if (p >= end) return a.end + (p - end);
    return isEnd && p > start ? a.end : a.start;
  };
  return hits.map((h) => ({
    type: h.type,
    start: toOriginal(h.start, false),
    end: toOriginal(h.end, true),
  }));
}

/** Union of two sorted hit lists; overlapping hits merge, keeping the earlier hit's type. */
function mergeHits(a: readonly RedactionHit[], b: readonly RedactionHit[]): RedactionHit[] {
  const all = [...a, ...b].sort((x, y) => x.start - y.start || y.end - x.end);
  const out: RedactionHit[] = [];
  for (const hit of all) {
    const last = out[out.length - 1];
    if (last && hit.start < last.end) {
      if (hit.end > last.end) last.end = hit.end;
    } else {
      out.push({ ...hit });
    }
  }
  return out;
}

/** True when {@link redactSecrets} would replace anything in `text`. */
export function containsSecret(text: string): boolean {
  return detectSecrets(text).length > 0;
}

// ---------------------------------------------------------------------------------------
// Candidates and overlap resolution

interface Candidate extends RedactionHit {
  /** Higher wins when two candidates overlap. */
  priority: number;
}

const PRIORITY = {
  privateKey: 100,
  token: 90,
  jwt: 85,
  urlPassword: 70,
  authHeader: 60,
  named: 50,
} as const;

/** State of one {@link detectSecrets} call. */
interface Scan {
  readonly text: string;
  readonly out: Candidate[];
  /** End of the last name read by {@link matchNamedAssignment}. */
  nameEnd: number;
  /** Cached next private key END (-1: none left; -2: not searched yet) and its stop. */
  pemEnd: number;
  pemEndStop: number;
  /** Cached next `-----BEGIN ` (-1: none left; -2: not searched yet). */
  pemBegin: number;
}

function detectSecrets(text: string): RedactionHit[] {
  const scan: Scan = { text, out: [], nameEnd: 0, pemEnd: -2, pemEndStop: 0, pemBegin: -2 };
  // One pass finds every trigger literal; each trigger runs its matchers at that spot.
  const trigger = triggerPattern();
  trigger.lastIndex = 0;
  for (let m = trigger.exec(text); m !== null; m = trigger.exec(text)) {
    // Triggers may overlap (`-p` in `--password`): resume one character later.
    trigger.lastIndex = m.index + 1;
    const handlers = TRIGGERS.get(m[0].toLowerCase());
    if (handlers === undefined) continue;
    for (const handler of handlers) {
      const skipTo = handler(scan, m.index, m[0].length);
      if (skipTo !== undefined && skipTo > trigger.lastIndex) trigger.lastIndex = skipTo;
    }
  }
  detectDiscordTokens(text, scan.out);
  detectProseTokens(text, scan.out);
  return resolveOverlaps(scan.out);
}

/** Resolves each group of overlapping candidates into non-overlapping hits, in order. */
function resolveOverlaps(candidates: Candidate[]): RedactionHit[] {
  if (candidates.length === 0) return [];
  candidates.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: RedactionHit[] = [];
  let cluster: Candidate[] = [];
  let clusterEnd = -1;
  const flush = (): void => {
    if (cluster.length === 1) {
      const only = cluster[0];
      if (only) kept.push({ type: only.type, start: only.start, end: only.end });
    } else if (cluster.length > 1) {
      for (const hit of pickNonOverlapping(cluster)) kept.push(hit);
    }
    cluster = [];
  };
  for (const candidate of candidates) {
    if (candidate.start >= clusterEnd) {
      flush();
      clusterEnd = candidate.end;
    } else if (candidate.end > clusterEnd) {
      clusterEnd = candidate.end;
    }
    cluster.push(candidate);
  }
  flush();
  return kept;
}

/**
 * Accepts candidates by priority, then length. A candidate partly covered by one accepted
 * before it keeps its uncovered pieces: dropping it would leave part of a secret in clear
 * (and a second run would then find it, breaking idempotence).
 */
function pickNonOverlapping(cluster: Candidate[]): RedactionHit[] {
  const ranked = [...cluster].sort(
    (a, b) => b.priority - a.priority || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  // Accepted spans kept sorted by start; binary search finds where a new span goes.
  const accepted: RedactionHit[] = [];
  const insert = (hit: RedactionHit): void => {
    let lo = 0;
    let hi = accepted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = accepted[mid];
      if (m && m.start < hit.start) lo = mid + 1;
      else hi = mid;
    }
    accepted.splice(lo, 0, hit);
  };
  for (const c of ranked) {
    const pieces: RedactionHit[] = [];
    let from = c.start;
    for (const a of accepted) {
      if (a.end <= from) continue;
      if (a.start >= c.end) break;
      if (a.start > from) pieces.push({ type: c.type, start: from, end: a.start });
      from = Math.max(from, a.end);
    }
    if (from < c.end) pieces.push({ type: c.type, start: from, end: c.end });
    for (const piece of pieces) insert(piece);
  }
  return accepted;
}

// ---------------------------------------------------------------------------------------
// Character classes and value checks shared by detectors

const PLACEHOLDER_WORDS = new Set([
  'changeme',
  'change_me',
  'changeit',
  'password',
  'passwd',
  'pass',
  'pwd',
  'secret',
  'token',
  'apikey',
  'api_key',
  'key',
  'none',
  'null',
  'nil',
  'undefined',
  'true',
  'false',
  'yes',
  'no',
  'on',
  'off',
  'string',
  'str',
  'required',
  'optional',
  'empty',
  'default',
  'redacted',
  'hidden',
  'masked',
  'todo',
  'tbd',
  'fixme',
  'dummy',
  'fake',
  'sample',
  'example',
  'placeholder',
  'test',
  'value',
  'foo',
  'bar',
  'baz',
  'n/a',
  // Type names in declarations (`token: string`, `secretKey: number`).
  'boolean',
  'bool',
  'number',
  'int',
  'float',
  'bytes',
  'any',
  'unknown',
  'object',
  'void',
  'never',
  // Permission levels (`id-token: write` in GitHub Actions).
  'read',
  'write',
]);

/** Words that, as a word of a value, mark it as a placeholder (`your-api-key-here`). */
const PLACEHOLDER_SEGMENTS = new Set([
  'your',
  'here',
  'placeholder',
  'changeme',
  'example',
  'insert',
  'test',
  'dummy',
  'fake',
  'mock',
  'sample',
  'redacted',
  'xxx',
]);

const CODE_ZERO = 48;
const CODE_NINE = 57;
const CODE_UPPER_A = 65;
const CODE_UPPER_Z = 90;
const CODE_LOWER_A = 97;
const CODE_LOWER_Z = 122;

function isDigitCode(c: number): boolean {
  return c >= CODE_ZERO && c <= CODE_NINE;
}
function isUpperCode(c: number): boolean {
  return c >= CODE_UPPER_A && c <= CODE_UPPER_Z;
}
function isLowerCode(c: number): boolean {
  return c >= CODE_LOWER_A && c <= CODE_LOWER_Z;
}

/** Name characters: letters, digits, `_`, `-`, `.` (for `spring.datasource.password`). */
function isNameCode(c: number): boolean {
  return isLowerCode(c) || isUpperCode(c) || isDigitCode(c) || c === 95 || c === 45 || c === 46;
}

/** Splits an identifier into lower-case words: `X_ApiKey.v2` -> `x api key v2`. */
function splitWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** Distinct characters in `s`, counting at most `limit`. */
function distinctChars(s: string, limit: number): number {
  const seen = new Set<string>();
  for (const ch of s) {
    seen.add(ch);
    if (seen.size >= limit) break;
  }
  return seen.size;
}

/**
 * True when `s` reads like generated key material rather than words: it mixes letters and
 * digits, or (when long) upper and lower case, and is not one character repeated.
 */
function looksRandom(s: string): boolean {
  let digits = 0;
  let upper = 0;
  let lower = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isDigitCode(c)) digits++;
    else if (isUpperCode(c)) upper++;
    else if (isLowerCode(c)) lower++;
  }
  if (distinctChars(s, 6) < 6) return false;
  if (digits > 0 && upper + lower > 0) return true;
  if (upper === 0 || lower === 0) return false;
  if (s.length >= 32) return true;
  // Mixed case that is not camelCase or PascalCase words: `dXNlcjpwYXNz` (base64).
  return s.length >= 12 && upper >= 3 && lower >= 3 && !/^[A-Za-z][a-z]+(?:[A-Z][a-z]+)*$/.test(s);
}

/** Structural placeholders that apply to any token shape: `xxxx`, `****`, `<…>`, `...`. */
function isStructuralPlaceholder(s: string): boolean {
  if (s.includes('...') || s.includes('\u2026') || s.includes('[REDACTED')) return true;
  if (/x{5,}|X{5,}|\*{3,}|#{4,}|0{8,}/.test(s)) return true;
  return /[<>{}]|\$\{|\$\(/.test(s);
}

/** Placeholder values under a secret name or in a credential position. */
function isPlaceholderValue(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (isStructuralPlaceholder(v)) return true;
  const lower = v.toLowerCase().replace(/[.!]$/, '');
  if (PLACEHOLDER_WORDS.has(lower)) return true;
  if (/^(.)\1*$/.test(v)) return true;
  for (const word of splitWords(v)) {
    if (PLACEHOLDER_SEGMENTS.has(word)) return true;
  }
  return false;
}

/** References to a secret kept elsewhere: `$X`, `%X%`, `process.env.X`, `os.environ[...]`. */
function isReference(value: string): boolean {
  if (/^(?:\$|%[A-Za-z_]|@Microsoft\.KeyVault|!Ref|!Sub|!GetAtt|vault:|op:\/\/|env\()/.test(value))
    return true;
  if (
    /(?:process\.env|import\.meta\.env|os\.environ|os\.getenv|System\.getenv|ENV\[|secrets\.|\{\{|%\()/.test(
      value,
    )
  )
    return true;
  return false;
}

function isPathLike(value: string): boolean {
  return (
    /^(?:~?\/|\.\.?\/|[A-Za-z]:[\\/]|file:)/.test(value) ||
    /\.(?:json|pem|key|p12|pfx|crt|cer|txt|ya?ml|env|enc|gpg|jks|keystore)$/i.test(value)
  );
}

/** `https://`, `postgres://` — URL credentials are the URL detector's business. */
function isUrl(value: string): boolean {
  return value.includes('://');
}

function decodeBase64Url(segment: string): string | undefined {
  try {
    return Buffer.from(segment, 'base64url').toString('utf8');
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// Token-shape detectors

// Token boundaries: not glued to letters, digits or `_`, nor to a single `-`, but allowed next to
// the `-----` of a private key line, so that a token stays found when the key beside it is
// replaced (and a second run finds nothing the first did not).

interface ShapeRule {
  type: string;
  /**
   * Sticky (`y`) pattern tried where one of `triggers` is found, `lead` characters before it.
   * A capture group 1, when present, marks the secret and ends the match.
   */
  pattern: RegExp;
  /** Lower-case literals, one of which every match contains at offset `lead`. */
  triggers: readonly string[];
  /** @default 0 */
  lead?: number;
  /** @default PRIORITY.token */
  priority?: number;
  /** Extra check on the secret span; receives the whole text and the span start. */
  accept?: (secret: string, text: string, start: number) => boolean;
}

/** Token bodies: random-looking and not a placeholder. */
const randomToken = (secret: string): boolean =>
  !isStructuralPlaceholder(secret) && looksRandom(secret);
const notPlaceholder = (secret: string): boolean =>
  !isStructuralPlaceholder(secret) && distinctChars(secret, 6) >= 6;

const GITLAB_PREFIXES = [
  'glpat',
  'gldt',
  'glrt',
  'glptt',
  'glcbt',
  'glsoat',
  'glffct',
  'glimt',
  'glagent',
  'gloas',
] as const;

const SHAPE_RULES: readonly ShapeRule[] = [
  {
    type: 'anthropic-api-key',
    pattern: /(?<![A-Za-z0-9_]|[^-]-)sk-ant-(?:[a-z]{2,8}\d{2}-)?[A-Za-z0-9_-]{20,}/y,
    triggers: ['sk-'],
    accept: randomToken,
  },
  {
    type: 'openai-api-key',
    pattern:
      /(?<![A-Za-z0-9_]|[^-]-)sk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}/y,
    triggers: ['sk-'],
    accept: randomToken,
  },
  {
    type: 'aws-access-key',
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/y,
    triggers: ['akia', 'asia', 'abia', 'acca'],
    accept: notPlaceholder,
  },
  {
    type: 'github-token',
    pattern:
      /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{50,240})(?![A-Za-z0-9_])/y,
    triggers: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    accept: randomToken,
  },
  {
    type: 'gitlab-token',
    pattern:
      /(?<![A-Za-z0-9_]|[^-]-)(?:glpat|gldt|glrt|glptt|glcbt|glsoat|glffct|glimt|glagent|gloas)-[A-Za-z0-9_-]{20,}(?:\.[0-9a-z]{2}\.[A-Za-z0-9_-]{5,})?/y,
    triggers: GITLAB_PREFIXES.map((p) => `${p}-`),
    accept: randomToken,
  },
  {
    type: 'slack-token',
    pattern:
      /(?<![A-Za-z0-9_]|[^-]-)(?:xox[abeoprs]-[A-Za-z0-9-]{10,}|xapp-\d-[A-Za-z0-9]{6,}-\d+-[A-Za-z0-9]{16,})/y,
    triggers: ['xox', 'xapp-'],
    accept: randomToken,
  },
  {
    type: 'slack-webhook',
    pattern: /hooks\.slack\.com\/((?:services|workflows|triggers)\/[A-Za-z0-9_/-]{16,})/y,
    triggers: ['hooks.slack.com/'],
    accept: notPlaceholder,
  },
  {
    type: 'google-api-key',
    pattern: /(?<![A-Za-z0-9_]|[^-]-)AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_]|-(?!----))/y,
    triggers: ['aiza'],
    accept: notPlaceholder,
  },
  {
    type: 'stripe-key',
    pattern: /(?<![A-Za-z0-9_])[sr]k_(?:live|test)_[0-9A-Za-z]{10,247}(?![A-Za-z0-9_])/y,
    triggers: ['_live_', '_test_'],
    lead: 2,
    accept: randomToken,
  },
  {
    type: 'stripe-key',
    pattern: /(?<![A-Za-z0-9_])whsec_[0-9A-Za-z]{24,}(?![A-Za-z0-9_])/y,
    triggers: ['whsec_'],
    accept: randomToken,
  },
  {
    type: 'npm-token',
    pattern: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/y,
    triggers: ['npm_'],
    accept: randomToken,
  },
  {
    type: 'pypi-token',
    pattern: /(?<![A-Za-z0-9_]|[^-]-)pypi-AgE[A-Za-z0-9_-]{50,}/y,
    triggers: ['pypi-age'],
    accept: notPlaceholder,
  },
  {
    type: 'huggingface-token',
    pattern: /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{34,40}(?![A-Za-z0-9_])/y,
    triggers: ['hf_'],
    accept: randomToken,
  },
  {
    // Other services' prefixed personal tokens: Netlify, DigitalOcean, Shopify, Linear, Notion,
    // Figma, Grafana, Doppler, Pulumi, Fly.io, Vercel.
    type: 'token',
    pattern:
      /(?<![A-Za-z0-9_])(?:nfp_|dop_v1_|doo_v1_|shp(?:at|ss|ca|pa)_|lin_api_|ntn_|figd_|glsa_|dp\.(?:pt|st|sa|ct)\.|pul-|fo1_|vercel_)[A-Za-z0-9_-]{24,}(?![A-Za-z0-9_])/y,
    triggers: [
      'nfp_',
      'dop_v1_',
      'doo_v1_',
      'shpat_',
      'shpss_',
      'shpca_',
      'shppa_',
      'lin_api_',
      'ntn_',
      'figd_',
      'glsa_',
      'dp.pt.',
      'dp.st.',
      'dp.sa.',
      'dp.ct.',
      'pul-',
      'fo1_',
      'vercel_',
    ],
    accept: (secret) => randomToken(secret.replace(/^[a-z]+(?:_v1|_api)?[_.-](?:[a-z]{2}\.)?/, '')),
  },
  {
    type: 'sendgrid-api-key',
    pattern:
      /(?<![A-Za-z0-9_]|[^-]-)SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_]|-(?!----))/y,
    triggers: ['sg.'],
    accept: randomToken,
  },
  {
    type: 'twilio-api-key',
    pattern: /(?<![A-Za-z0-9])SK[0-9a-f]{32}(?![A-Za-z0-9])/y,
    triggers: [...'0123456789abcdef'].map((c) => `sk${c}`),
    // An `SK` + 32 hex string is only taken for a Twilio key when Twilio is named nearby.
    accept: (secret, text, start) =>
      notPlaceholder(secret) && /twilio/i.test(text.slice(Math.max(0, start - 120), start)),
  },
  {
    type: 'azure-storage-key',
    pattern: /(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{20,}={0,2})/y,
    triggers: ['accountkey=', 'sharedaccesskey='],
    accept: notPlaceholder,
  },
  {
    type: 'azure-sas-signature',
    pattern: /[?&]sig=([A-Za-z0-9%+/]{20,}(?:%3D|=){0,2})/y,
    triggers: ['sig='],
    lead: 1,
    accept: notPlaceholder,
  },
  {
    type: 'jwt',
    pattern:
      /(?<![A-Za-z0-9_]|[^-]-)eyJ[A-Za-z0-9_-]{8,}={0,2}\.[A-Za-z0-9_-]{2,}={0,2}\.(?:[A-Za-z0-9_-]+={0,2})?/y,
    triggers: ['eyj'],
    priority: PRIORITY.jwt,
    // The header must decode to a JSON object naming its algorithm.
    accept: (secret) => {
      const header = decodeBase64Url(secret.slice(0, secret.indexOf('.')));
      if (header === undefined || !header.startsWith('{')) return false;
      try {
        const parsed: unknown = JSON.parse(header);
        return typeof parsed === 'object' && parsed !== null && 'alg' in parsed;
      } catch {
        return false;
      }
    },
  },
  {
    type: 'password',
    // curl -u user:password
    pattern: /(?<![^\s])(?:-u|--user)[ \t]+["']?[^\s:"']{1,64}:([^\s"']{1,256})/y,
    triggers: ['-u', '--user'],
    priority: PRIORITY.urlPassword,
    accept: (secret) => !isPlaceholderValue(secret) && !isReference(secret),
  },
  {
    type: 'password',
    // mysql -u root -pS3cret: the password glued to -p, on a MySQL command line
    pattern: /(?<=[ \t])-p["']?([^\s'"`]{3,128})/y,
    triggers: ['-p'],
    priority: PRIORITY.urlPassword,
    accept: (secret, text, start) =>
      !isPlaceholderValue(secret) &&
      !isReference(secret) &&
      /\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n]*$/.test(
        text.slice(Math.max(0, start - 200), start),
      ),
  },
  {
    type: 'password',
    // ~/.netrc: `machine host login user password secret`
    pattern: /\bmachine[ \t]+\S+[ \t]+login[ \t]+\S+[ \t]+password[ \t]+(\S+)/y,
    triggers: ['machine'],
    priority: PRIORITY.urlPassword,
    accept: (secret) => !isPlaceholderValue(secret) && !isReference(secret),
  },
];

function matchShape(rule: ShapeRule, text: string, at: number, out: Candidate[]): void {
  const re = rule.pattern;
  re.lastIndex = at - (rule.lead ?? 0);
  if (re.lastIndex < 0) return;
  const m = re.exec(text);
  if (m === null) return;
  const secret = m[1] ?? m[0];
  const start = m.index + m[0].length - secret.length;
  if (secret.length > 0 && (rule.accept?.(secret, text, start) ?? true)) {
    out.push({
      type: rule.type,
      start,
      end: start + secret.length,
      priority: rule.priority ?? PRIORITY.token,
    });
  }
}

/** Discord bot tokens have no literal prefix, so they get a pass of their own. */
const DISCORD =
  /(?<![A-Za-z0-9_]|[^-]-)[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}(?![A-Za-z0-9_]|-(?!----))/g;

function detectDiscordTokens(text: string, out: Candidate[]): void {
  DISCORD.lastIndex = 0;
  for (let m = DISCORD.exec(text); m !== null; m = DISCORD.exec(text)) {
    // The first segment is the bot's numeric user id in base64.
    const id = decodeBase64Url(m[0].slice(0, m[0].indexOf('.')));
    if (id !== undefined && /^\d{17,20}$/.test(id)) {
      out.push({
        type: 'discord-bot-token',
        start: m.index,
        end: m.index + m[0].length,
        priority: PRIORITY.token,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------
// Tokens handed over in prose

/** A word that says a secret follows: "here's the token from the UI: …". */
const SECRET_WORD =
  /\b(?:(?:access |auth |api |personal )?tokens?|api[ _-]?keys?|secrets?|passwords?|credentials?)\b/gi;
/** A run that may be key material, on the rest of the line (at most 160 characters on). */
const RUN_REST = /[A-Za-z0-9_-]*/y;
const TOKEN_RUN = /(?<![A-Za-z0-9_\-./])[A-Za-z0-9][A-Za-z0-9_-]{23,}(?![A-Za-z0-9_\-./])/g;

/** Mostly made of words (`PasswordResetControllerV2Test`), as code names are and keys are not. */
function wordy(piece: string): boolean {
  let covered = 0;
  for (const m of piece.matchAll(/[A-Z]?[a-z]{3,}/g)) covered += m[0].length;
  return covered / piece.length > 0.5;
}

/**
 * A key of a service no rule knows, pasted after a word that names it as a secret on the same
 * line. A run counts only when one piece of it (between `_` or `-`) is 16 characters or more of
 * random-looking key material: identifiers, code names, UUIDs, SHA digests and plain numbers do
 * not.
 */
function detectProseTokens(text: string, out: Candidate[]): void {
  SECRET_WORD.lastIndex = 0;
  let scannedTo = 0;
  for (let w = SECRET_WORD.exec(text); w !== null; w = SECRET_WORD.exec(text)) {
    // The type inside a placeholder (`[REDACTED:api-key]`) names no new secret.
    if (/\[REDACTED:[a-z-]*$/.test(text.slice(Math.max(0, w.index - 30), w.index))) continue;
    const from = Math.max(w.index + w[0].length, scannedTo);
    const cap = Math.min(text.length, w.index + w[0].length + 160);
    const newline = text.slice(from, cap).indexOf('\n');
    const to = newline < 0 ? cap : from + newline;
    if (to <= from) continue;
    scannedTo = to;
    const word = w[0].toLowerCase();
    const type = word.includes('key')
      ? 'api-key'
      : word.startsWith('secret')
        ? 'secret'
        : word.startsWith('password') || word.startsWith('credential')
          ? 'password'
          : 'token';
    // A run starts inside the window and is taken whole, however far it goes on.
    TOKEN_RUN.lastIndex = 0;
    const window = text.slice(from, to);
    for (let m = TOKEN_RUN.exec(window); m !== null; m = TOKEN_RUN.exec(window)) {
      const start = from + m.index;
      let end = start + m[0].length;
      if (end === to) {
        RUN_REST.lastIndex = end;
        RUN_REST.exec(text);
        end = RUN_REST.lastIndex;
        if (/[./]/.test(text.charAt(end))) continue;
      }
      const run = text.slice(start, end);
      if (isStructuralPlaceholder(run)) continue;
      const keyPiece = run
        .split(/[_-]/)
        .some(
          (piece) =>
            piece.length >= 16 &&
            looksRandom(piece) &&
            !wordy(piece) &&
            !/^\d+$/.test(piece) &&
            !(/^[0-9a-f]+$/i.test(piece) && (piece.length === 40 || piece.length === 64)),
        );
      if (!keyPiece) continue;
      out.push({ type, start, end, priority: PRIORITY.named });
      scannedTo = Math.max(scannedTo, end);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Private key blocks

const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/y;
const PEM_END = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g;
/** `Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`, `Version: …` header lines (also `\n`-escaped). */
const PEM_HEADERS = /(?:(?:\r?\n|\\r?\\n)[A-Za-z][A-Za-z-]{0,30}: [^\n\\]{0,200})*/y;
/**
 * The base64 body of a block cut off before its END line: lines of base64 only (a line of
 * prose has spaces and ends the body), separated by real or `\n`-escaped newlines.
 */
const PEM_BODY =
  /[ \t]*[A-Za-z0-9+/=]*(?:(?:\r?\n|\\r?\\n)[ \t]*[A-Za-z0-9+/=]*(?=[ \t]*(?:[\r\n]|\\[rn]|$)))*/y;
/** Farther than this, an END line is taken to close some other block. */
const PEM_MAX_BLOCK = 200_000;

/**
 * The private key block starting at `at` (a `-----BEGIN`), up to its END line or, when cut
 * off, to the end of its base64 body. Returns the end of the block, or -1 when there is none.
 */
function matchPrivateKey(scan: Scan, at: number): number {
  const { text } = scan;
  PEM_BEGIN.lastIndex = at;
  const m = PEM_BEGIN.exec(text);
  if (m === null) return -1;
  const afterHeader = at + m[0].length;
  // Forward searches are cached in `scan` so that many unterminated blocks stay linear.
  if (scan.pemEnd !== -1 && scan.pemEnd < afterHeader) {
    PEM_END.lastIndex = afterHeader;
    const e = PEM_END.exec(text);
    scan.pemEnd = e ? e.index : -1;
    scan.pemEndStop = e ? e.index + e[0].length : 0;
  }
  if (scan.pemBegin !== -1 && scan.pemBegin < afterHeader) {
    scan.pemBegin = text.indexOf('-----BEGIN ', afterHeader);
  }
  let end: number;
  if (
    scan.pemEnd !== -1 &&
    (scan.pemBegin === -1 || scan.pemEnd < scan.pemBegin) &&
    scan.pemEnd - at <= PEM_MAX_BLOCK
  ) {
    end = scan.pemEndStop;
  } else {
    PEM_HEADERS.lastIndex = afterHeader;
    PEM_HEADERS.exec(text);
    PEM_BODY.lastIndex = PEM_HEADERS.lastIndex;
    PEM_BODY.exec(text);
    end = PEM_BODY.lastIndex;
    // Leave trailing whitespace (and escaped newlines) outside the placeholder.
    while (end > afterHeader) {
      const c = text.charCodeAt(end - 1);
      if (c === 32 || c === 9 || c === 10 || c === 13) end--;
      else if (
        end - 2 >= afterHeader &&
        text[end - 2] === '\\' &&
        /[nrt]/.test(text[end - 1] ?? '')
      )
        end -= 2;
      else break;
    }
  }
  // A bare header (`indexOf("-----BEGIN PRIVATE KEY-----")` in code) holds no key.
  if (
    !/(?:[A-Za-z0-9+/=][^A-Za-z0-9+/=]{0,8}){16}/.test(
      text.slice(afterHeader, Math.min(end, afterHeader + 400)),
    )
  )
    return -1;
  scan.out.push({ type: 'private-key', start: at, end, priority: PRIORITY.privateKey });
  return end;
}

// ---------------------------------------------------------------------------------------
// Passwords in URLs: scheme://user:password@host

const URL_MAX_AUTHORITY = 512;

/** The password in the authority after the `://` at `sep`, if any. */
function matchUrlPassword(scan: Scan, sep: number): void {
  const { text } = scan;
  // The scheme: a letter, then letters, digits, `+`, `.`, `-`.
  let s = sep;
  while (s > 0 && sep - s < 32) {
    const c = text.charCodeAt(s - 1);
    if (isLowerCode(c) || isUpperCode(c) || isDigitCode(c) || c === 43 || c === 46 || c === 45) s--;
    else break;
  }
  if (s === sep || !/[A-Za-z]/.test(text[s] ?? '')) return;
  // The authority ends at the path, query, fragment, whitespace or a quoting character.
  const authStart = sep + 3;
  let authEnd = authStart;
  let lastAt = -1;
  let colon = -1;
  while (authEnd < text.length && authEnd - authStart < URL_MAX_AUTHORITY) {
    const c = text.charCodeAt(authEnd);
    // / " ' ` < > \ space tab newline return; `?` and `#` are kept, as raw passwords hold them
    if (
      c === 47 ||
      c === 34 ||
      c === 39 ||
      c === 96 ||
      c === 60 ||
      c === 62 ||
      c === 92 ||
      c === 32 ||
      c === 9 ||
      c === 10 ||
      c === 13
    )
      break;
    if (c === 64) lastAt = authEnd;
    else if (c === 58 && colon === -1) colon = authEnd;
    else if (c === 91 && text.startsWith('[REDACTED:', authEnd)) {
      // The colon in `[REDACTED:token]` is not the user/password separator.
      const close = text.indexOf(']', authEnd);
      if (close !== -1 && close - authEnd < 64) authEnd = close;
    }
    authEnd++;
  }
  if (lastAt === -1 || colon === -1 || colon >= lastAt) return;
  const password = text.slice(colon + 1, lastAt);
  if (password.length < MIN_SECRET || isPlaceholderValue(password) || isReference(password)) return;
  if (/^\d{1,5}$/.test(password)) return; // host:port@ is not a password
  scan.out.push({
    type: 'password',
    start: colon + 1,
    end: lastAt,
    priority: PRIORITY.urlPassword,
  });
}

// ---------------------------------------------------------------------------------------
// Authorization headers and bearer tokens

const AUTH_HEADER =
  /authorization\\?["']?[ \t]*[:=][ \t]*\\?["']?[ \t]*(?:(bearer|basic|token|digest|negotiate|apikey)[ \t]+)?([A-Za-z0-9._~+/=:%-]{8,})/iy;
const BEARER = /(?<![A-Za-z0-9_]|[^-]-)bearer[ \t]+([A-Za-z0-9._~+/-]{12,}=*)/iy;

/** The credential in an `Authorization:` header (or `"authorization": "…"`) at `at`. */
function matchAuthHeader(scan: Scan, at: number): void {
  const { text } = scan;
  AUTH_HEADER.lastIndex = at;
  const m = AUTH_HEADER.exec(text);
  if (m === null) return;
  const scheme = (m[1] ?? '').toLowerCase();
  const value = m[2] ?? '';
  const start = m.index + m[0].length - value.length;
  if (isPlaceholderValue(value) || isReference(value)) return;
  let type: string;
  if (scheme === 'basic') {
    const decoded = decodeBase64Url(value.replace(/\+/g, '-').replace(/\//g, '_'));
    if (decoded === undefined || !decoded.includes(':')) return;
    type = 'basic-auth';
  } else {
    if (!looksRandom(value)) return;
    type = scheme === 'bearer' ? 'bearer-token' : 'token';
  }
  scan.out.push({ type, start, end: start + value.length, priority: PRIORITY.authHeader });
}

/** The token after `Bearer` at `at`, wherever it appears (curl, fetch, logs). */
function matchBearer(scan: Scan, at: number): void {
  BEARER.lastIndex = at;
  const m = BEARER.exec(scan.text);
  if (m === null) return;
  const value = m[1] ?? '';
  const start = m.index + m[0].length - value.length;
  if (isPlaceholderValue(value) || !looksRandom(value)) return;
  scan.out.push({
    type: 'bearer-token',
    start,
    end: start + value.length,
    priority: PRIORITY.authHeader,
  });
}

// ---------------------------------------------------------------------------------------
// Assignments whose name looks secret

/** Keywords that start reading a name; the name around each is then classified. */
const NAME_KEYWORDS = ['pass', 'pwd', 'secret', 'token', 'key', 'auth', 'cred', 'bearer'];

const PASSWORD_WORDS = new Set(['password', 'passwd', 'pwd', 'pass', 'passphrase', 'passcode']);
const TOKEN_WORDS = new Set(['token', 'auth', 'authorization', 'oauth', 'bearer', 'pat']);
const SECRET_WORDS = new Set(['secret', 'secrets', 'credential', 'credentials', 'creds']);
/** Lower-case compounds written as one word: `dbpassword`, `clientsecret`, `apikey`. */
const COMPOUND_SUFFIXES: readonly (readonly [string, string])[] = [
  ['password', 'password'],
  ['passwd', 'password'],
  ['passphrase', 'password'],
  ['apikey', 'api-key'],
  ['secretkey', 'secret'],
  ['accesskey', 'secret'],
  ['privatekey', 'private-key'],
  ['token', 'token'],
  ['secret', 'secret'],
];
/** Words before `key` that make it a secret key: `API_KEY`, `SIGNING_KEY`. */
const KEY_QUALIFIERS = new Set([
  'api',
  'access',
  'secret',
  'private',
  'signing',
  'encryption',
  'decryption',
  'master',
  'client',
  'app',
  'account',
  'service',
  'license',
  'webhook',
  'storage',
  'shared',
  'session',
  'sas',
  'subscription',
  'consumer',
  'auth',
  'hmac',
  'jwt',
  'crypto',
  'cipher',
  'deploy',
  'ssh',
  'admin',
  'root',
  'write',
  'ingest',
  'x',
]);
/** Words after the secret word that make the name describe something else: `TOKEN_EXPIRY`. */
const NAME_QUALIFIERS = new Set([
  'expiry',
  'expires',
  'expiration',
  'exp',
  'ttl',
  'timeout',
  'lifetime',
  'age',
  'length',
  'len',
  'min',
  'max',
  'count',
  'size',
  'limit',
  'limits',
  'url',
  'uri',
  'urls',
  'endpoint',
  'host',
  'hostname',
  'port',
  'path',
  'file',
  'filename',
  'dir',
  'name',
  'type',
  'types',
  'id',
  'ids',
  'field',
  'header',
  'prefix',
  'suffix',
  'policy',
  'hash',
  'hashed',
  'algorithm',
  'alg',
  'enabled',
  'enable',
  'disabled',
  'required',
  'rotation',
  'version',
  'env',
  'var',
  'provider',
  'format',
  'regex',
  'pattern',
  'label',
  'placeholder',
  'mode',
  'strategy',
  'hint',
  'message',
  'msg',
  'error',
  'errors',
  'text',
  'title',
  'description',
  'desc',
  'help',
  'prompt',
  'tooltip',
  'method',
  'methods',
  'scheme',
  'schema',
  'validator',
  'validation',
  'strength',
  'changed',
  'at',
  'date',
  'time',
  'created',
  'updated',
  'expired',
  'valid',
  'location',
  'source',
  'index',
  'kind',
  'class',
  'style',
  'visible',
  'input',
  'service',
  'server',
  'domain',
  'realm',
  'issuer',
  'audience',
  'scope',
  'scopes',
  'user',
  'username',
  'email',
  'flow',
  'callback',
  'redirect',
  'module',
  'plugin',
  'handler',
  'middleware',
  'component',
  'usage',
  'store',
  'storage',
  'manager',
  'helper',
  'util',
  'utils',
  'config',
  'options',
  'settings',
  'status',
  'state',
  'level',
  'list',
  'key',
  'keys',
  'strings',
  'chars',
  'charset',
  'alphabet',
  'data',
  'arg',
  'args',
]);

/** The redaction type for an assignment name, or undefined when the name is not secret. */
function classifyName(name: string): string | undefined {
  // In `config.auth.token` or `spring.datasource.password` the last part is what is set.
  const words = splitWords(name.slice(name.lastIndexOf('.') + 1));
  let type: string | undefined;
  let at = -1;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    // `pass` is mostly a verb (`pass-through`, `--pass-arg`); only `DB_PASS` is a password.
    if (w === 'pass' && (i !== words.length - 1 || i === 0)) continue;
    const t = classifyWord(w, words[i - 1]);
    if (t !== undefined) {
      type = t;
      at = i;
    }
  }
  if (type === undefined) return undefined;
  for (let i = at + 1; i < words.length; i++) {
    if (NAME_QUALIFIERS.has(words[i] ?? '')) return undefined;
  }
  if (type === 'secret' && words.includes('access') && words.includes('key')) {
    return 'aws-secret-key';
  }
  return type;
}

function classifyWord(word: string, previous: string | undefined): string | undefined {
  if (PASSWORD_WORDS.has(word)) return 'password';
  if (TOKEN_WORDS.has(word)) return 'token';
  if (SECRET_WORDS.has(word)) return 'secret';
  if (word === 'key' && previous !== undefined && KEY_QUALIFIERS.has(previous)) {
    if (previous === 'api' || previous === 'x') return 'api-key';
    if (previous === 'private') return 'private-key';
    return 'secret';
  }
  for (const [suffix, type] of COMPOUND_SUFFIXES) {
    if (word.length > suffix.length && word.endsWith(suffix)) return type;
  }
  return undefined;
}

/** Auth schemes: `Authorization: Bearer x` is the header detector's, not a name's value. */
const AUTH_SCHEMES = new Set(['bearer', 'basic', 'token', 'digest', 'negotiate', 'ntlm']);
const MAX_NAME = 100;
const MAX_QUOTED_VALUE = 4096;
const MAX_BARE_VALUE = 1024;
/** Quoted value bodies, one regex per quote so scanning is a single bounded pass. */
const QUOTED: Record<string, RegExp> = {
  '"': /(?:[^"\\\n]|\\.){0,4096}"/y,
  "'": /(?:[^'\\\n]|\\.){0,4096}'/y,
  '`': /[^`\n]{0,4096}`/y,
};
/** What may follow a bare value at the end of its line: a comment, a closing quote, `\n`. */
const LINE_END = /[ \t]{0,64}(?:$|\r?\n|#|\/\/|"|'|\\[nr"'])/y;
/** Bare values stop at whitespace, quotes, separators, brackets and escapes. */
const BARE_VALUE = /[^\s"'`,;|(){}[\]<>\\]{1,1024}/y;
/** In a query string (`?user=app&password=…`) a value also stops at `&` and `#`. */
const QUERY_VALUE = /[^\s"'`,;&#|(){}[\]<>\\]{1,1024}/y;

interface ParsedValue {
  start: number;
  end: number;
  quoted: boolean;
}

/**
 * The assignment around the name keyword at `[at, at + length)`: widens it to the whole
 * name, classifies the name and reads the value after it.
 */
function matchNamedAssignment(scan: Scan, at: number, length: number): void {
  // Every keyword of one name gives the same answer; read each name once.
  if (at < scan.nameEnd) return;
  const { text } = scan;
  let nameStart = at;
  while (nameStart > 0 && at - nameStart < MAX_NAME && isNameCode(text.charCodeAt(nameStart - 1)))
    nameStart--;
  // A name starts after any secret glued to it, as it will once that secret is replaced:
  // that keeps a second run from seeing a name the first run did not.
  for (let i = scan.out.length - 1; i >= 0 && i >= scan.out.length - 16; i--) {
    const c = scan.out[i];
    if (c && c.priority > PRIORITY.named && c.end > nameStart && c.end <= at) nameStart = c.end;
  }
  let nameEnd = at + length;
  while (
    nameEnd < text.length &&
    nameEnd - nameStart < MAX_NAME * 2 &&
    isNameCode(text.charCodeAt(nameEnd))
  )
    nameEnd++;
  scan.nameEnd = nameEnd;
  if (nameEnd - nameStart > MAX_NAME) return;
  let isFlag = false;
  while (nameStart < nameEnd && (text[nameStart] === '-' || text[nameStart] === '.')) {
    if (text[nameStart] === '-' && text[nameStart + 1] === '-') isFlag = true;
    nameStart++;
  }
  const last = text[nameEnd - 1];
  if (last === '-' || last === '.') return; // `token.` or `auth-` ends a sentence or a path
  const type = classifyName(text.slice(nameStart, nameEnd));
  if (type === undefined) return;
  // `type RequestCredentials = "include" | "omit"` is a TypeScript type, not a value.
  if (/\btype[ \t]+$/.test(text.slice(Math.max(0, nameStart - 12), nameStart))) return;
  const value = parseAssignedValue(text, nameStart, nameEnd, isFlag);
  if (value === undefined) return;
  const secret = text.slice(value.start, value.end);
  if (!acceptNamedValue(secret, value.quoted, type)) return;
  const finalType =
    type === 'aws-secret-key' && !/^[A-Za-z0-9/+=]{40}$/.test(secret) ? 'secret' : type;
  scan.out.push({ type: finalType, start: value.start, end: value.end, priority: PRIORITY.named });
}

/**
 * Reads `<op> <value>` after a name: `=`, `:`, `:=`, `=>`, or whitespace after a `--flag`;
 * the value quoted (`"…"`, `'…'`, `` `…` ``, `\"…\"`) or bare. Undefined when there is none.
 */
function parseAssignedValue(
  text: string,
  nameStart: number,
  nameEnd: number,
  isFlag: boolean,
): ParsedValue | undefined {
  let p = nameEnd;
  // A quoted name: `"api_key":`, `\"api_key\":`, `ENV['TOKEN'] =`.
  const opener = text[nameStart - 1];
  let closed = false;
  if (opener === '"' || opener === "'") {
    if (text[p] === '\\' && text[p + 1] === opener) {
      p += 2;
      closed = true;
    } else if (text[p] === opener) {
      p++;
      closed = true;
    }
    if (closed && text[p] === ']') p++;
  }
  const beforeOp = p;
  while (p < text.length && p - beforeOp < 16 && (text[p] === ' ' || text[p] === '\t')) p++;
  const spaceBeforeOp = p > beforeOp;
  let op: string;
  const c = text[p];
  const next = text[p + 1];
  if (c === '=' && next === '>') op = '=>';
  else if (c === '=' && next !== '=' && next !== '~') op = '=';
  else if (c === ':' && next === '=') op = ':=';
  else if (c === ':' && next !== ':') op = ':';
  else if (isFlag && spaceBeforeOp) op = ' ';
  // `define('DB_PASSWORD', '…')`, `setenv("API_KEY", "…")`: a quoted name, then a quoted value.
  else if (
    c === ',' &&
    closed &&
    /\([ \t]*$/.test(text.slice(Math.max(0, nameStart - 9), nameStart - 1)) &&
    splitWords(text.slice(nameStart, nameEnd)).length >= 2
  )
    op = ',';
  else return undefined;
  // `a != b`, `a <= b`, `a >= b`: comparisons, not assignments.
  const prev = text[beforeOp - 1];
  if (op === '=' && !spaceBeforeOp && (prev === '!' || prev === '<' || prev === '>'))
    return undefined;
  p += op === ' ' ? 0 : op.length;
  const afterOp = p;
  while (p < text.length && p - afterOp < 16 && (text[p] === ' ' || text[p] === '\t')) p++;
  const spaceAfterOp = p > afterOp;
  // Python string prefixes: f"…", r'…', b"…".
  if (/[fFrRbBuU]/.test(text[p] ?? '') && /["']/.test(text[p + 1] ?? '')) {
    if (text[p] === 'f' || text[p] === 'F') return undefined; // f-strings interpolate
    p++;
  }
  const q = text[p];
  if (op === ',' && q !== '"' && q !== "'") return undefined;
  if (q === '\\' && (text[p + 1] === '"' || text[p + 1] === "'")) {
    // A quoted value inside a JSON string: \"value\".
    const close = `\\${text[p + 1]}`;
    const start = p + 2;
    const limit = Math.min(text.length, start + MAX_QUOTED_VALUE);
    const nl = text.indexOf('\n', start);
    const end = text.indexOf(close, start);
    if (end === -1 || end > limit || (nl !== -1 && nl < end)) return undefined;
    return { start, end, quoted: true };
  }
  if (q === '"' || q === "'" || q === '`') {
    const re = QUOTED[q];
    if (re === undefined) return undefined;
    re.lastIndex = p + 1;
    if (!re.test(text)) return undefined;
    return { start: p + 1, end: re.lastIndex - 1, quoted: true };
  }
  // A bare value: in YAML and `Header: value` the colon needs a space after it.
  if (op === ':' && !spaceAfterOp) return undefined;
  if (op === ' ' && (q === '-' || q === undefined)) return undefined;
  const inQuery = opener === '?' || opener === '&';
  const pattern = inQuery ? QUERY_VALUE : BARE_VALUE;
  pattern.lastIndex = p;
  const bare = pattern.exec(text);
  if (bare === null) return undefined;
  if (isStructuralPlaceholder(bare[0])) return undefined; // `sk-...` before `.` is trimmed
  let end = p + bare[0].length;
  if (bare[0].length >= MAX_BARE_VALUE) return undefined;
  const after = text[end];
  if (after === '(' || after === '[') return undefined; // a call or an index: code
  while (end > p && /[.:]/.test(text[end - 1] ?? '')) end--; // end of a sentence
  if (end === p) return undefined;
  const value = text.slice(p, end);
  // Key material (`API_TOKEN=a8Kq2Lm9…Qe, then …`) has an identifier's shape too, but not its
  // words: long, random-looking and not mostly words, it is a secret wherever it stands.
  const keyMaterial = value.length >= 16 && looksRandom(value) && !wordy(value);
  if (/^[A-Za-z_$][\w$]*$/.test(value) && !keyMaterial) {
    // A bare identifier is a variable in code (`password=pwd,`) unless it stands alone
    // as a config value, or is a constant/variable name mentioning the secret itself.
    if (after === ',' || after === ')' || after === '}' || after === ';') {
      if (!(after === ';' && op === '=' && !spaceBeforeOp)) return undefined;
    }
    if (looksLikeSecretIdentifier(value)) return undefined;
    if (AUTH_SCHEMES.has(value.toLowerCase()) && (after === ' ' || after === '\t'))
      return undefined;
    if (!looksRandom(value)) {
      // `progressToken: messageId`: a camelCase word is a variable, not key material.
      if (/^[a-z]+(?:[A-Z][a-z]+)+$/.test(value)) return undefined;
      // `token = element`: with spaces around `=`, a plain word is a variable in code.
      if (op === '=' && spaceBeforeOp && spaceAfterOp) return undefined;
    }
  }
  // `options?.token`, `self.api_key`: a member path in code (`hvs.CAES…` is a Vault token).
  if (/^[A-Za-z_$#][\w$]*(?:[?!]?\.[A-Za-z_$#][\w$]*)+$/.test(value) && !/^hv[sbr]\./.test(value))
    return undefined;
  const envStyle = (op === '=' && !spaceBeforeOp && !spaceAfterOp) || op === ' ';
  if (!envStyle && !looksRandom(value)) {
    // `Secret: the sauce` in prose, `token = await f()` in code: unless it is `NAME=value`
    // (.env, shell, query strings), a bare value of words must end its line (YAML, INI).
    LINE_END.lastIndex = end;
    if (!LINE_END.test(text)) return undefined;
  }
  return { start: p, end, quoted: false };
}

/** `DB_PASSWORD`, `apiToken`, `AuthSecret`: an identifier that names a secret, not one. */
function looksLikeSecretIdentifier(value: string): boolean {
  const words = splitWords(value);
  if (words.length < 2 && !/^[A-Z][A-Z0-9_]*$/.test(value)) return false;
  const snakeOrCamel = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value) || /[a-z][A-Z]/.test(value);
  if (!snakeOrCamel && words.length < 2) return false;
  return words.some((w, i) => classifyWord(w, words[i - 1]) !== undefined || w === 'key');
}

function acceptNamedValue(value: string, quoted: boolean, type: string): boolean {
  if (value.length < MIN_SECRET) return false;
  if (/\s/.test(value) && !(quoted && type === 'password' && isPassphrase(value))) return false;
  if (isPlaceholderValue(value) || isReference(value)) return false;
  if (/^\d{1,6}$/.test(value) || /^0x[0-9a-fA-F]{1,16}$/.test(value)) return false;
  // Secrets are printable ASCII; anything else is text in some language.
  if (/[^\x20-\x7e]/.test(value)) return false;
  if (/^-?\d+(?:\.\d+)?(?:ms|s|m|h|d|w|y)?$/.test(value) && value.length <= 8) return false;
  if (isPathLike(value) || isUrl(value)) return false;
  if (quoted && /%[sd]|\{\d*\}/.test(value)) return false; // format strings
  if (/^[\^~>=<]*\d+\.\d+/.test(value)) return false; // a version: `"pbkdf2-password": "1.2.1"`
  // `my-secret`, `it-is-very-secret`, `x-token`: words naming a secret, not one.
  if (!/\d/.test(value) && splitWords(value).some((w) => SECRET_VALUE_WORDS.has(w))) return false;
  return true;
}

/**
 * A quoted password with spaces (`"Sup3r S3cret"`): at most three words, one of them mixing
 * letters with digits or symbols. UI text (`"Enter your password"`) has more words or none.
 */
function isPassphrase(value: string): boolean {
  const words = value.trim().split(/\s+/);
  if (words.length > 3 || value.length > 64) return false;
  return words.some(
    (w) => /[A-Za-z]/.test(w) && /[^A-Za-z]/.test(w) && !/^[A-Za-z]+[.,:;!?)]$/.test(w),
  );
}

/** Shorter values are not worth hiding and are mostly examples (`https://a:b@host`). */
const MIN_SECRET = 4;
const SECRET_VALUE_WORDS = new Set(['secret', 'token', 'password', 'passwd', 'key', 'apikey']);

// ---------------------------------------------------------------------------------------

/** Runs at a trigger; may return a position the trigger scan should skip to. */
type TriggerHandler = (scan: Scan, at: number, length: number) => number | undefined;

/** Trigger literal (lower case; matched case-insensitively) to what runs there. */
const TRIGGERS: ReadonlyMap<string, readonly TriggerHandler[]> = buildTriggers();

function buildTriggers(): Map<string, TriggerHandler[]> {
  const map = new Map<string, TriggerHandler[]>();
  const add = (literal: string, handler: TriggerHandler): void => {
    const list = map.get(literal);
    if (list) list.push(handler);
    else map.set(literal, [handler]);
  };
  for (const rule of SHAPE_RULES) {
    for (const literal of rule.triggers) {
      add(literal, (scan, at) => {
        matchShape(rule, scan.text, at, scan.out);
        return undefined;
      });
    }
  }
  add('-----begin ', (scan, at) => {
    const end = matchPrivateKey(scan, at);
    return end === -1 ? undefined : end;
  });
  add('://', (scan, at) => {
    matchUrlPassword(scan, at);
    return undefined;
  });
  add('authorization', (scan, at) => {
    matchAuthHeader(scan, at);
    return undefined;
  });
  add('bearer', (scan, at) => {
    matchBearer(scan, at);
    return undefined;
  });
  const named: TriggerHandler = (scan, at, length) => {
    matchNamedAssignment(scan, at, length);
    return undefined;
  };
  for (const keyword of [...NAME_KEYWORDS, 'authorization']) add(keyword, named);
  return map;
}

let triggerRegExp: RegExp | undefined;

/** One case-insensitive alternation of every trigger, longest first. */
function triggerPattern(): RegExp {
  if (triggerRegExp === undefined) {
    const literals = [...TRIGGERS.keys()].sort((a, b) => b.length - a.length);
    const escaped = literals.map((l) => l.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'));
    triggerRegExp = new RegExp(escaped.join('|'), 'gi');
  }
  return triggerRegExp;
}
