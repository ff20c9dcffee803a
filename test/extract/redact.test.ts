import { describe, expect, it } from 'vitest';
import { containsSecret, REDACTION_TYPES, redactSecrets } from '../../src/extract/redact.js';

// Every secret below is generated here: well-formed for its type, but fake. Provider prefixes
// are split ('gh' + 'p_') so that secret scanners do not flag this file.

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HEX = '0123456789abcdef';
const B64 = `${ALNUM}+/`;
const B64URL = `${ALNUM}-_`;

/** Deterministic fake key material: `length` characters of `alphabet` from `seed`. */
function fake(length: number, seed: number, alphabet = ALNUM): string {
  let state = seed * 2654435761 + 1013904223;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state ^ (state >>> 15), 2246822519) + 0x9e3779b9) >>> 0;
    out += alphabet[state % alphabet.length];
  }
  // Every generated token mixes letters and digits, like real key material.
  return /\d/.test(out) ? out : `${out.slice(0, -1)}7`;
}

const b64url = (s: string): string => Buffer.from(s).toString('base64url');
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function jwt(payload: object, seed: number): string {
  return [
    b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' })),
    b64url(JSON.stringify(payload)),
    fake(43, seed, B64URL),
  ].join('.');
}

function discordToken(id: string, seed: number): string {
  return `${b64url(id)}.${fake(6, seed, B64URL)}.${fake(38, seed + 1, B64URL)}`;
}

function pemBody(seed: number, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(fake(64, seed + i, B64));
  return out.join('\n');
}

// Fake secrets, one or more per type.
const S = {
  openai1: `${'sk-' + 'proj-'}${fake(156, 1, B64URL)}`,
  openai2: `${'sk-'}${fake(48, 2)}`,
  openai3: `${'sk-' + 'svcacct-'}${fake(74, 3, B64URL)}`,
  anthropic1: `${'sk-' + 'ant-' + 'api03-'}${fake(93, 4, B64URL)}AA`,
  anthropic2: `${'sk-' + 'ant-' + 'admin01-'}${fake(93, 5, B64URL)}AA`,
  awsId1: `${'AKIA'}IOSFODNN7EXAMPLE`,
  awsId2: `${'ASIA'}${fake(16, 6, UPPER_ALNUM)}`,
  awsSecret1: `wJalrXUtnFEMI/K7MDENG/bPxRfiCY${'EXAMPLEKEY'}`,
  awsSecret2: fake(40, 7, B64),
  github1: `${'gh' + 'p_'}${fake(36, 8)}`,
  github2: `${'github' + '_pat_'}${fake(22, 9)}_${fake(59, 10)}`,
  github3: `${'gh' + 's_'}${fake(36, 11)}`,
  gitlab1: `${'gl' + 'pat-'}${fake(20, 12, B64URL)}`,
  gitlab2: `${'gl' + 'pat-'}${fake(20, 13, B64URL)}`,
  slack1: `${'xo' + 'xb-'}${fake(13, 14, HEX.slice(0, 10))}-${fake(13, 15, HEX.slice(0, 10))}-${fake(24, 16)}`,
  slack2: `${'xo' + 'xp-'}${fake(12, 17, HEX.slice(0, 10))}-${fake(12, 18, HEX.slice(0, 10))}-${fake(32, 19, HEX)}`,
  slackHook1: `services/T${fake(8, 20, UPPER_ALNUM)}/B${fake(10, 21, UPPER_ALNUM)}/${fake(24, 22)}`,
  slackHook2: `services/T${fake(10, 23, UPPER_ALNUM)}/B${fake(10, 24, UPPER_ALNUM)}/${fake(24, 25)}`,
  google1: `${'AI' + 'za'}${fake(35, 26, B64URL)}`,
  google2: `${'AI' + 'za'}${fake(35, 27, B64URL)}`,
  stripe1: `${'sk' + '_live_'}${fake(99, 28)}`,
  stripe2: `${'rk' + '_test_'}${fake(99, 29)}`,
  stripe3: `${'wh' + 'sec_'}${fake(32, 30)}`,
  npm1: `${'np' + 'm_'}${fake(36, 31)}`,
  npm2: `${'np' + 'm_'}${fake(36, 32)}`,
  pypi1: `${'py' + 'pi-'}AgEIcHlwaS5vcmc${fake(120, 33, B64URL)}`,
  pypi2: `${'py' + 'pi-'}AgENdGVzdC5weXBpLm9yZw${fake(120, 34, B64URL)}`,
  hf1: `${'h' + 'f_'}${fake(34, 35)}`,
  hf2: `${'h' + 'f_'}${fake(34, 36)}`,
  netlify1: `${'nf' + 'p_'}${fake(36, 301)}`,
  unknown1: fake(32, 304),
  unknown2: fake(28, 305),
  unknown3: fake(40, 306),
  digitalocean1: `${'dop_' + 'v1_'}${fake(64, 302, HEX)}`,
  shopify1: `${'shp' + 'at_'}${fake(32, 303, HEX)}`,
  sendgrid1: `${'S' + 'G.'}${fake(22, 37, B64URL)}.${fake(43, 38, B64URL)}`,
  sendgrid2: `${'S' + 'G.'}${fake(22, 39, B64URL)}.${fake(43, 40, B64URL)}`,
  twilio1: `${'S' + 'K'}${fake(32, 41, HEX)}`,
  twilio2: `${'S' + 'K'}${fake(32, 42, HEX)}`,
  azure1: `${fake(86, 43, B64)}==`,
  azure2: `${fake(86, 44, B64)}==`,
  sas1: `${fake(43, 45, B64)}%3D`,
  sas2: `${fake(43, 46, B64)}%3D`,
  discord1: discordToken('791263524717051904', 47),
  discord2: discordToken('1123581321345589144', 48),
  jwt1: jwt({ sub: '1234567890', name: 'Ada', iat: 1516239022 }, 49),
  jwt2: jwt({ iss: 'https://auth.example.com/', aud: 'api', exp: 1893456000 }, 50),
  bearer1: fake(40, 51, `${ALNUM}._-`),
  bearer2: fake(64, 52, HEX),
  basic1: b64('deploy:Tr0ub4dor&3'),
  basic2: b64('ci-bot:x7Kq9mZ2pW'),
  password1: 'Tr0ub4dor&3',
  password2: 'hunter2-Prod!',
  password3: 'p4ssW0rd_2024',
  password4: 'q8Zr!vT2#wLm',
  password5: 'S3cure.Pa55',
  password6: 'mq7RrK0dXz',
  password7: 'zX9-kk2-LLp',
  password8: 'R4bb1tMQ!',
  apiKey1: fake(32, 53, HEX),
  apiKey2: fake(24, 54),
  apiKey3: fake(40, 55),
  token1: fake(48, 56, B64URL),
  token2: fake(32, 57, HEX),
  secret1: fake(64, 58, HEX),
  secret2: fake(30, 59, `${ALNUM}!@#%^*`),
  secret3: fake(44, 60, B64URL),
};

const RSA_KEY = [
  `-----BEGIN RSA ${'PRIVATE'} KEY-----`,
  pemBody(100, 6),
  `${fake(20, 110, B64)}==`,
  `-----END RSA ${'PRIVATE'} KEY-----`,
].join('\n');
const OPENSSH_KEY = [
  `-----BEGIN OPENSSH ${'PRIVATE'} KEY-----`,
  `b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW`,
  pemBody(120, 4),
  `-----END OPENSSH ${'PRIVATE'} KEY-----`,
].join('\n');
const EC_KEY = [
  `-----BEGIN EC ${'PRIVATE'} KEY-----`,
  pemBody(130, 3),
  `-----END EC ${'PRIVATE'} KEY-----`,
].join('\n');
const PGP_KEY = [
  `-----BEGIN PGP ${'PRIVATE'} KEY BLOCK-----`,
  'Version: GnuPG v2',
  '',
  pemBody(140, 5),
  `=${fake(4, 150, B64)}`,
  `-----END PGP ${'PRIVATE'} KEY BLOCK-----`,
].join('\n');
const PKCS8_KEY_ESCAPED = [
  `-----BEGIN ${'PRIVATE'} KEY-----`,
  pemBody(160, 4),
  `-----END ${'PRIVATE'} KEY-----`,
  '',
].join('\\n');
const TRUNCATED_KEY = [`-----BEGIN RSA ${'PRIVATE'} KEY-----`, pemBody(170, 3)].join('\n');

interface SecretCase {
  name: string;
  text: string;
  /** Every secret in `text`, in order, with the type it must be replaced by. */
  secrets: [value: string, type: string][];
}

const secretCases: SecretCase[] = [
  // --- a token pasted in chat, far from any name
  {
    name: 'prefixed service tokens pasted in prose',
    text: [
      `also here's the token from the netlify UI in case you need to call the API: ${S.netlify1}`,
      `the droplet script reads ${S.digitalocean1} and the storefront uses ${S.shopify1} for admin calls`,
    ].join('\n'),
    secrets: [
      [S.netlify1, 'token'],
      [S.digitalocean1, 'token'],
      [S.shopify1, 'token'],
    ],
  },
  {
    name: 'keys of services no rule knows, handed over after a word that names them',
    text: [
      `here is the API token for the staging box: ${S.unknown1}, thanks`,
      `and the webhook secret is ${S.unknown2}`,
      `my personal access token (expires friday) -> tk-${S.unknown3}`,
    ].join('\n'),
    secrets: [
      [S.unknown1, 'token'],
      [S.unknown2, 'secret'],
      [`tk-${S.unknown3}`, 'token'],
    ],
  },
  {
    name: 'NAME=value assignments inside a sentence, followed by a comma',
    text: [
      `run it with API_TOKEN=${S.unknown1}, then restart the worker`,
      `set DEPLOY_SECRET=${S.unknown2}; the old one is revoked`,
    ].join('\n'),
    secrets: [
      [S.unknown1, 'token'],
      [S.unknown2, 'secret'],
    ],
  },
  // --- pasted .env files
  {
    name: 'a pasted .env file with keys of several providers',
    text: [
      '# .env.production',
      'NODE_ENV=production',
      `OPENAI_API_KEY=${S.openai1}`,
      `ANTHROPIC_API_KEY="${S.anthropic1}"`,
      `DB_PASSWORD=${S.password1}`,
      `STRIPE_SECRET_KEY=${S.stripe1}`,
      'STRIPE_PUBLISHABLE_KEY=pk_live_51Hxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      `SLACK_BOT_TOKEN=${S.slack1}`,
      `HF_TOKEN=${S.hf1}`,
      `SENDGRID_API_KEY=${S.sendgrid1}`,
      `JWT_SECRET=${S.secret1}`,
      'TOKEN_EXPIRY=3600',
      'PASSWORD_MIN_LENGTH=12',
    ].join('\n'),
    secrets: [
      [S.openai1, 'openai-api-key'],
      [S.anthropic1, 'anthropic-api-key'],
      [S.password1, 'password'],
      [S.stripe1, 'stripe-key'],
      [S.slack1, 'slack-token'],
      [S.hf1, 'huggingface-token'],
      [S.sendgrid1, 'sendgrid-api-key'],
      [S.secret1, 'secret'],
    ],
  },
  {
    name: 'a .env file read back by the assistant in a JSON transcript line',
    text: JSON.stringify({
      type: 'tool_result',
      content: `GITHUB_TOKEN=${S.github1}\nNPM_TOKEN=${S.npm1}\nDISCORD_BOT_TOKEN=${S.discord1}\nCLIENT_SECRET=${S.secret2}\nTWILIO_API_KEY=${S.twilio1}\nREDIS_URL=redis://:${S.password2}@cache.internal:6379/0\n`,
    }),
    secrets: [
      [S.github1, 'github-token'],
      [S.npm1, 'npm-token'],
      [S.discord1, 'discord-bot-token'],
      [S.secret2, 'secret'],
      [S.twilio1, 'twilio-api-key'],
      [S.password2, 'password'],
    ],
  },
  {
    name: 'shell exports with quotes',
    text: [
      '$ cat ~/.zshrc | grep export',
      `export OPENAI_API_KEY="${S.openai2}"`,
      `export AWS_ACCESS_KEY_ID=${S.awsId1}`,
      `export AWS_SECRET_ACCESS_KEY='${S.awsSecret1}'`,
      `export HUGGING_FACE_HUB_TOKEN=${S.hf2}`,
      `export AUTH_TOKEN='${S.token1}'`,
      'export PATH="$HOME/.local/bin:$PATH"',
    ].join('\n'),
    secrets: [
      [S.openai2, 'openai-api-key'],
      [S.awsId1, 'aws-access-key'],
      [S.awsSecret1, 'aws-secret-key'],
      [S.hf2, 'huggingface-token'],
      [S.token1, 'token'],
    ],
  },
  // --- curl commands
  {
    name: 'curl commands with bearer, basic and API-key headers',
    text: [
      `curl -s https://api.example.com/v1/items -H "Authorization: Bearer ${S.bearer1}" \\`,
      `  -H "X-Api-Key: ${S.apiKey1}"`,
      `curl -H 'Authorization: Basic ${S.basic1}' https://ci.example.com/api/json`,
      `curl -u admin:${S.password3} https://registry.example.com/v2/_catalog`,
      `curl -X POST -H 'Content-type: application/json' --data '{"text":"deployed"}' https://hooks.slack.com/${S.slackHook1}`,
    ].join('\n'),
    secrets: [
      [S.bearer1, 'bearer-token'],
      [S.apiKey1, 'api-key'],
      [S.basic1, 'basic-auth'],
      [S.password3, 'password'],
      [S.slackHook1, 'slack-webhook'],
    ],
  },
  {
    name: 'curl with a GitHub fine-grained token and a JWT bearer',
    text: [
      `curl -L -H "Authorization: token ${S.github2}" https://api.github.com/user/repos`,
      `curl https://api.internal/me -H "authorization: Bearer ${S.jwt1}"`,
      `curl "https://generativelanguage.googleapis.com/v1beta/models?key=${S.google1}"`,
    ].join('\n'),
    secrets: [
      [S.github2, 'github-token'],
      [S.jwt1, 'jwt'],
      [S.google1, 'google-api-key'],
    ],
  },
  // --- stack traces and logs
  {
    name: 'a stack trace with a connection string',
    text: [
      'Error: connect ECONNREFUSED 10.0.3.7:5432',
      `    at PgPool.connect (postgres://app_user:${S.password4}@db.prod.internal:5432/orders)`,
      '    at async main (/srv/app/dist/index.js:14:3)',
      `sqlalchemy.exc.OperationalError: (pymysql.err.OperationalError) (1045, "Access denied") mysql+pymysql://root:${S.password5}@127.0.0.1:3306/shop`,
    ].join('\n'),
    secrets: [
      [S.password4, 'password'],
      [S.password5, 'password'],
    ],
  },
  {
    name: 'connection strings of several kinds',
    text: [
      `MONGO_URI=mongodb+srv://svc:${S.password6}@cluster0.ab12c.mongodb.net/prod?retryWrites=true`,
      `amqp://guest:${S.password7}@rabbit:5672/`,
      `git clone https://oauth2:${S.gitlab2}@gitlab.com/acme/infra.git`,
      `Server=tcp:acme.database.windows.net,1433;Initial Catalog=shop;User ID=app;Password=${S.password8};Encrypt=True;`,
      `jdbc:postgresql://db:5432/app?user=app&password=${S.password3}&ssl=true`,
      `Data Source=.;Initial Catalog=crm;User Id=sa;Pwd=${S.password2};`,
      `DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey=${S.azure1};EndpointSuffix=core.windows.net`,
    ].join('\n'),
    secrets: [
      [S.password6, 'password'],
      [S.password7, 'password'],
      [S.gitlab2, 'gitlab-token'],
      [S.password8, 'password'],
      [S.password3, 'password'],
      [S.password2, 'password'],
      [S.azure1, 'azure-storage-key'],
    ],
  },
  {
    name: 'a log line with an Azure SAS URL and an AWS STS answer',
    text: [
      `GET https://acme.blob.core.windows.net/backups/db.bak?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&sig=${S.sas1} 200`,
      `upload to https://acme.blob.core.windows.net/in/x.csv?sp=racw&sig=${S.sas2}&spr=https`,
      '{',
      '  "Credentials": {',
      `    "AccessKeyId": "${S.awsId2}",`,
      `    "SecretAccessKey": "${S.awsSecret2}",`,
      `    "SessionToken": "${S.token1}",`,
      '    "Expiration": "2030-01-01T00:00:00Z"',
      '  }',
      '}',
    ].join('\n'),
    secrets: [
      [S.sas1, 'azure-sas-signature'],
      [S.sas2, 'azure-sas-signature'],
      [S.awsId2, 'aws-access-key'],
      [S.awsSecret2, 'aws-secret-key'],
      [S.token1, 'token'],
    ],
  },
  // --- JSON and YAML configs
  {
    name: 'a JSON config',
    text: JSON.stringify(
      {
        api_key: S.apiKey2,
        apiKey: S.anthropic2,
        access_token: S.token2,
        client_secret: S.secret3,
        id_token: S.jwt2,
        webhook: `https://hooks.slack.com/${S.slackHook2}`,
        firebase: { apiKey: S.google2, projectId: 'acme-prod' },
        stripe: { webhookSecret: S.stripe3, restricted: S.stripe2 },
        max_tokens: 4096,
        token_type: 'Bearer',
      },
      null,
      2,
    ),
    secrets: [
      [S.apiKey2, 'api-key'],
      [S.anthropic2, 'anthropic-api-key'],
      [S.token2, 'token'],
      [S.secret3, 'secret'],
      [S.jwt2, 'jwt'],
      [S.slackHook2, 'slack-webhook'],
      [S.google2, 'google-api-key'],
      [S.stripe3, 'stripe-key'],
      [S.stripe2, 'stripe-key'],
    ],
  },
  {
    name: 'a YAML file',
    text: [
      'database:',
      '  host: db.internal',
      '  port: 5432',
      `  password: ${S.password3}`,
      'services:',
      '  slack:',
      `    token: "${S.slack2}"`,
      '  sendgrid:',
      `    api_key: ${S.sendgrid2}`,
      '  discord:',
      `    botToken: '${S.discord2}'`,
      'storage:',
      `  connection: "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${S.azure2}"`,
      'ci:',
      `  pypi_token: ${S.pypi1}`,
      `  github_token: ${S.github3}`,
    ].join('\n'),
    secrets: [
      [S.password3, 'password'],
      [S.slack2, 'slack-token'],
      [S.sendgrid2, 'sendgrid-api-key'],
      [S.discord2, 'discord-bot-token'],
      [S.azure2, 'azure-storage-key'],
      [S.pypi1, 'pypi-token'],
      [S.github3, 'github-token'],
    ],
  },
  {
    name: 'code with literal keys',
    text: [
      'from openai import OpenAI',
      `client = OpenAI(api_key="${S.openai3}")`,
      `twilio_client = Client("${S.twilio2}", os.environ["TWILIO_SECRET"])`,
      'const config = {',
      `  apiKey: '${S.apiKey3}',`,
      `  authToken: \`${S.bearer2}\`,`,
      '};',
      `fetch(url, { headers: { Authorization: 'Bearer ${S.bearer2}' } })`,
      `spring.datasource.password=${S.password4}`,
    ].join('\n'),
    secrets: [
      [S.openai3, 'openai-api-key'],
      [S.twilio2, 'twilio-api-key'],
      [S.apiKey3, 'api-key'],
      [S.bearer2, 'token'],
      [S.bearer2, 'bearer-token'],
      [S.password4, 'password'],
    ],
  },
  {
    name: 'tool config files: .npmrc, .pypirc, .netrc, CLI flags',
    text: [
      `//registry.npmjs.org/:_authToken=${S.npm2}`,
      `//gitlab.com/api/v4/projects/42/packages/npm/:_authToken=${S.gitlab1}`,
      '[pypi]',
      'username = __token__',
      `password = ${S.pypi2}`,
      `machine api.heroku.com login ada@example.com password ${S.password5}`,
      `$ psql --password=${S.password6} -h db`,
      `$ vault login --token ${S.token2}`,
      `Authorization: Basic ${S.basic2}`,
    ].join('\n'),
    secrets: [
      [S.npm2, 'npm-token'],
      [S.gitlab1, 'gitlab-token'],
      [S.pypi2, 'pypi-token'],
      [S.password5, 'password'],
      [S.password6, 'password'],
      [S.token2, 'token'],
      [S.basic2, 'basic-auth'],
    ],
  },
  {
    name: 'credentials passed to calls and MySQL command lines',
    text: [
      `define('DB_PASSWORD', '${S.password8}');`,
      `os.environ.setdefault("SECRET_KEY", "${S.secret2}")`,
      `$ mysql -h db -u root -p${S.password1} shop`,
      `$ mysqldump -u app -p'${S.password2}' shop > shop.sql`,
    ].join('\n'),
    secrets: [
      [S.password8, 'password'],
      [S.secret2, 'secret'],
      [S.password1, 'password'],
      [S.password2, 'password'],
    ],
  },
  {
    name: 'a quoted passphrase, an .npmrc _auth and a Vault token',
    text: [
      `SMTP_PASSWORD="Gr33n ${S.password5}"`,
      `_auth = ${b64('ci:Zk29xQ')}`,
      `VAULT_TOKEN=hvs.${fake(90, 61, B64URL)}`,
    ].join('\n'),
    secrets: [
      [`Gr33n ${S.password5}`, 'password'],
      [b64('ci:Zk29xQ'), 'token'],
      [`hvs.${fake(90, 61, B64URL)}`, 'token'],
    ],
  },
  {
    name: 'a chat message quoting credentials in prose',
    text: `Here are the staging creds — password: ${S.password7}\nand the bearer ${S.bearer1} expires tomorrow.`,
    secrets: [
      [S.password7, 'password'],
      [S.bearer1, 'bearer-token'],
    ],
  },
  // --- private keys
  {
    name: 'a private key written by a heredoc',
    text: `cat > ~/.ssh/deploy_key <<'EOF'\n${OPENSSH_KEY}\nEOF\nchmod 600 ~/.ssh/deploy_key`,
    secrets: [[OPENSSH_KEY, 'private-key']],
  },
  {
    name: 'RSA and EC keys pasted one after the other',
    text: `key.pem:\n${RSA_KEY}\n\nec.pem:\n${EC_KEY}\n`,
    secrets: [
      [RSA_KEY, 'private-key'],
      [EC_KEY, 'private-key'],
    ],
  },
  {
    name: 'a PGP private key block',
    text: `gpg --export-secret-keys --armor ada@example.com\n${PGP_KEY}\n`,
    secrets: [[PGP_KEY, 'private-key']],
  },
  {
    name: 'a service-account JSON with an escaped private key',
    text: `{"type": "service_account", "private_key_id": "${fake(40, 180, HEX)}", "private_key": "${PKCS8_KEY_ESCAPED}", "client_email": "ci@acme.iam.gserviceaccount.com"}`,
    secrets: [[PKCS8_KEY_ESCAPED.slice(0, -2), 'private-key']],
  },
  {
    name: 'a private key cut off by head',
    text: `$ head -4 id_rsa\n${TRUNCATED_KEY}\n$ echo done`,
    secrets: [[TRUNCATED_KEY, 'private-key']],
  },
];

/** The expected output: each secret, in order, replaced by its placeholder. */
function expectedRedaction(c: SecretCase): string {
  let out = '';
  let at = 0;
  for (const [value, type] of c.secrets) {
    const i = c.text.indexOf(value, at);
    if (i === -1) throw new Error(`${c.name}: secret not found in order`);
    out += `${c.text.slice(at, i)}[REDACTED:${type}]`;
    at = i + value.length;
  }
  return out + c.text.slice(at);
}

describe('redactSecrets on realistic secrets', () => {
  it.each(secretCases)('replaces every secret in $name with its typed placeholder', (c) => {
    const { text, found } = redactSecrets(c.text);
    expect(text).toBe(expectedRedaction(c));
    expect(found.map((h) => h.type)).toEqual(c.secrets.map(([, type]) => type));
  });

  it.each(secretCases)('leaves no part of any secret in $name', (c) => {
    const { text } = redactSecrets(c.text);
    for (const [value] of c.secrets) {
      // No 12-character window of the secret survives.
      for (let i = 0; i + 12 <= value.length; i += 6) {
        expect(text).not.toContain(value.slice(i, i + 12));
      }
    }
  });

  it.each(secretCases)('reports the original positions of every secret in $name', (c) => {
    const { found } = redactSecrets(c.text);
    expect(found.map((h) => c.text.slice(h.start, h.end))).toEqual(c.secrets.map(([v]) => v));
    for (let i = 1; i < found.length; i++) {
      expect(found[i]?.start).toBeGreaterThanOrEqual(found[i - 1]?.end ?? 0);
    }
  });

  it.each(secretCases)('says $name contains a secret', (c) => {
    expect(containsSecret(c.text)).toBe(true);
  });

  it('covers every redaction type at least twice', () => {
    const counts = new Map<string, number>();
    for (const c of secretCases) {
      for (const [, type] of c.secrets) counts.set(type, (counts.get(type) ?? 0) + 1);
    }
    expect(REDACTION_TYPES.filter((t) => (counts.get(t) ?? 0) < 2)).toEqual([]);
    expect([...counts.keys()].filter((t) => !REDACTION_TYPES.includes(t))).toEqual([]);
  });
});

const GIT_SHA = fake(40, 200, HEX);
const SHA256 = fake(64, 201, HEX);
const PNG_DATA = `iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk${fake(80, 202, B64)}`;

const lookAlikes: [name: string, text: string][] = [
  [
    'variables passed as secrets in calls',
    [
      'f(token=accessTokenFromHeader, x)',
      'login(password=pwd, user=u)',
      'connect(api_key=API_KEY_FROM_ENV, timeout=3)',
      'call(secret=clientSecretValue, retries=2)',
    ].join('\n'),
  ],
  [
    'code names, ids and digests after secret words',
    [
      'the token refresh is in auth/refresh_token_handler_v2_final.py',
      'password reset flow lives in PasswordResetControllerV2Test',
      'secret rotation: see test_rotate_secret_keys_for_all_tenants_2024',
      'token ids: 123e4567-e89b-12d3-a456-426614174000',
      `fix token refresh, see ${GIT_SHA}`,
      'api keys are counted in ApiKeyUsageAggregatorForTenants',
    ].join('\n'),
  ],
  [
    'names that start like service tokens',
    'import { pul-config-loader-for-stack-settings } from "./lin_api_client_wrapper_module"\nnfp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  ],
  ['a git log', `commit ${GIT_SHA}\nAuthor: Ada <ada@example.com>\n\n    Fix token refresh`],
  ['a git SHA in prose', `Reverted ${GIT_SHA} because it broke the build.`],
  ['a SHA-256 digest', `Digest: sha256:${SHA256}\nStatus: Downloaded newer image`],
  ['an npm integrity hash', `"integrity": "sha512-${fake(86, 203, B64)}=="`],
  [
    'UUIDs',
    'request_id=550e8400-e29b-41d4-a716-446655440000 trace 123e4567-e89b-12d3-a456-426614174000',
  ],
  ['base64 image data in code', `const logo = "data:image/png;base64,${PNG_DATA}";`],
  [
    'a source map comment',
    `//# sourceMappingURL=data:application/json;base64,${b64url('{"version":3,"sources":["a.ts"],"mappings":"AAAA"}')}`,
  ],
  ['CSS colours', '.btn { color: #ff00aa; background: #1e90ff; border-color: #abcdef; }'],
  [
    'long identifiers',
    'AbstractSingletonProxyFactoryBeanTokenizerConfiguration.createSecretManagerPasswordEncoderFactory()',
  ],
  [
    'the word password in prose',
    'The password field is required, and the token must be refreshed.',
  ],
  [
    'prose that names a secret without giving one',
    'Set the API key in your environment; never commit the secret key.',
  ],
  [
    'a short numeric value under a secret-looking name',
    'TOKEN_EXPIRY=3600\nPASSWORD_MIN_LENGTH=12\nauth_timeout: 30',
  ],
  [
    'LLM usage counters',
    '{"usage": {"input_tokens": 1200, "output_tokens": 350, "max_tokens": 4096}}',
  ],
  ['a token type', '{"token_type": "Bearer", "expires_in": 3600}'],
  ['an OpenAI key placeholder', 'export OPENAI_API_KEY=sk-...\nOPENAI_API_KEY=your-api-key-here'],
  [
    'angle-bracket placeholders',
    'curl -H "Authorization: Bearer <YOUR_TOKEN>" https://api.example.com',
  ],
  [
    'shell variable references',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the input is a literal reference
    'API_KEY=${API_KEY}\ncurl -H "Authorization: Bearer $TOKEN" -H "X-Api-Key: $API_KEY" x',
  ],
  [
    'environment lookups in JS',
    'const apiKey = process.env.API_KEY;\nconst token = process.env["GITHUB_TOKEN"] ?? "";',
  ],
  [
    'environment lookups in Python',
    'api_key = os.environ["API_KEY"]\npassword = os.getenv("DB_PASSWORD")',
  ],
  [
    'a template reference',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the input is a literal reference
    'token: ${{ secrets.GITHUB_TOKEN }}\npassword: "{{ vault_db_password }}"',
  ],
  [
    'changeme and other dummy values',
    'password: changeme\nDB_PASSWORD=password\nsecret: "********"\napi_key: xxxxxxxxxxxxxxxx',
  ],
  ['an empty value', 'DB_PASSWORD=\nAPI_KEY=""\n'],
  ['a GitHub token placeholder', `GITHUB_TOKEN=${'gh' + 'p_'}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`],
  ['an AWS key placeholder', `aws_access_key_id = ${'AKIA'}XXXXXXXXXXXXXXXX`],
  [
    'placeholder URL credentials',
    'postgres://user:password@localhost:5432/db\nmongodb+srv://<username>:<password>@cluster0.mongodb.net/',
  ],
  [
    'URLs without passwords',
    'https://user@github.com/org/repo.git ssh://git@github.com:22/org/repo http://localhost:8080/api',
  ],
  ['a Stripe publishable key', `const stripe = Stripe("${'pk' + '_live_'}${fake(99, 204)}");`],
  [
    'code that handles a token',
    'const token = await getToken();\nif (password === confirmPassword) return;\ntoken = token.trim()',
  ],
  [
    'function parameters and types',
    'def login(username: str, password: str) -> Token:\nfunction f(token: string, apiKey: ApiKey) {}',
  ],
  [
    'object shorthand and variables',
    'return { password: hashedPassword, token: newToken, };\nself.api_key = api_key',
  ],
  ['a TypeScript type alias', 'type RequestCredentials = "include" | "omit" | "same-origin";'],
  ['an f-string bearer header', 'headers = {"Authorization": f"Bearer {token}"}'],
  [
    'hex constants',
    'readonly STENCIL_PASS_DEPTH_PASS: 0x0B96;\nreadonly STENCIL_BACK_PASS_DEPTH_FAIL: 0x8802;',
  ],
  ['translated messages', '"Unexpected_token_1012": "予期しないトークンです。"'],
  [
    'a JWT-shaped string without alg',
    `${b64url('{"version":1,"kind":"x"}')}.${b64url('{"a":1,"b":2}')}.abc`,
  ],
  [
    'a file path under a credentials name',
    'GOOGLE_APPLICATION_CREDENTIALS=/home/ada/keys/service-account.json',
  ],
  [
    'a Twilio-shaped id far from any mention of Twilio',
    `cache key ${'S' + 'K'}${fake(32, 205, HEX)}`,
  ],
  [
    'already redacted values',
    'DB_PASSWORD=[REDACTED:password]\npostgres://app:[REDACTED:password]@db/app\n"api_key": "[REDACTED:api-key]"',
  ],
  ['a public key', `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${fake(43, 206, B64)} ada@laptop`],
  [
    'call arguments that are not a name and its value',
    "x('gh', ['auth', 'login', '--with-token'])\nt('password', 'Password')",
  ],
  ['-p flags outside MySQL', 'mkdir -p /tmp/build && ssh -p2222 host && docker run -p8080:80 web'],
  [
    'code found in real libraries',
    [
      'onresumptiontoken: options?.onresumptiontoken',
      '    progressToken: messageId',
      '      token = element',
      '  readonly secretKey: number',
      "token.output = '.*?'",
      'this.currentToken.data = "[CDATA["',
      "scrypt('password', 'salt', 64)",
      'if (pkcs8.indexOf("-----BEGIN PRIVATE KEY-----") !== 0) throw err',
      "const opts = { clientSecret: 'my-secret' }",
      'XToken = "x-token"',
      '        readonly keywordToken: SyntaxKind.NewKeyword | SyntaxKind.ImportKeyword;',
      '        setPrivateKey(privateKey: NodeJS.ArrayBufferView): void;',
      '    this.#withCredentials = eventSourceInitDict?.withCredentials ?? false',
      'exports.BackendKeyDataMessage = exports.AuthenticationMD5Password = exports.X',
    ].join('\n'),
  ],
  [
    'UI strings under password keys',
    '{"password": "Enter your password", "passwordTooShort": "Must be 8+ chars", "password_label": "Password (min. 8 chars)", "pwd": "Required."}',
  ],
  ['a package.json dependency', '"dependencies": { "pbkdf2-password": "1.2.1" }'],
  ['workflow permissions', 'permissions:\n  id-token: write\n  contents: read'],
  ['a pass-through flag', 'wasm-opt --asyncify --pass-arg=asyncify-imports@env.await -Oz'],
  ['a certificate', `-----BEGIN CERTIFICATE-----\n${pemBody(207, 3)}\n-----END CERTIFICATE-----`],
];

describe('redactSecrets on look-alikes', () => {
  it.each(lookAlikes)('leaves %s untouched', (_name, text) => {
    const result = redactSecrets(text);
    expect(result.found).toEqual([]);
    expect(result.text).toBe(text);
    expect(containsSecret(text)).toBe(false);
  });
});

describe('redactSecrets is idempotent', () => {
  const all = [...secretCases.map((c) => c.text), ...lookAlikes.map(([, t]) => t)];
  it.each(all.map((t, i) => [i, t] as const))(
    'gives the same text when run twice (#%i)',
    (_i, t) => {
      const once = redactSecrets(t).text;
      const twice = redactSecrets(once);
      expect(twice.text).toBe(once);
      expect(twice.found).toEqual([]);
    },
  );

  it('gives the same text when run twice on random splices of secrets and syntax', () => {
    const pieces = [
      ...Object.values(S),
      ...['DB_PASSWORD=', '"api_key": "', 'token: ', 'Authorization: Bearer ', 'postgres://u:'],
      ...['@db/app', '-----BEGIN RSA PRIVATE KEY-----\n', '-----END RSA PRIVATE KEY-----', '://'],
      ...['"', "'", '\\"', '\\n', '\n', ' ', '=', ':', '&', '?', '#', '-', '.', '[REDACTED:token]'],
      ...['password', 'secret', 'key', 'machine h login u password ', '-u a:', 'AccountKey='],
    ];
    let state = 42;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    for (let i = 0; i < 3000; i++) {
      let text = '';
      for (let k = 1 + next(10); k > 0; k--) text += pieces[next(pieces.length)] ?? '';
      const once = redactSecrets(text).text;
      expect({ text, twice: redactSecrets(once).text }).toEqual({ text, twice: once });
    }
  });

  it('finds nothing in text that is only placeholders', () => {
    const placeholders = REDACTION_TYPES.map((t) => `X=[REDACTED:${t}]`).join('\n');
    expect(redactSecrets(placeholders).found).toEqual([]);
  });
});

describe('redactSecrets on adversarial input', () => {
  const MB = 1 << 20;
  const inputs: [name: string, text: string][] = [
    ['1 MB of a', 'a'.repeat(MB)],
    ['1 MB of -', '-'.repeat(MB)],
    ['1 MB of =', '='.repeat(MB)],
    ['an unterminated quoted value repeated', 'token="'.repeat(MB / 7)],
    ['a 1 MB OpenAI-prefixed run', `sk-${'a'.repeat(MB)}`],
    ['a 1 MB run of base64url after eyJ', `eyJ${'A'.repeat(MB)}.x`],
    [
      'many unterminated private key headers',
      `-----BEGIN RSA ${'PRIVATE'} KEY-----\n`.repeat(MB / 32),
    ],
    ['a 1 MB URL authority', `https://${'a:'.repeat(MB / 2)}`],
    ['1 MB of name characters before a keyword', `${'a_'.repeat(MB / 2)}password=x`],
    ['1 MB of spaces after a keyword', `password${' '.repeat(MB)}=x`],
  ];
  it.each(inputs)('completes on %s', (_name, text) => {
    const result = redactSecrets(text);
    expect(result.text.length).toBeGreaterThan(0);
    for (const hit of result.found) expect(hit.end).toBeGreaterThan(hit.start);
  });

  it('leaves a 1 MB line of letters unchanged', () => {
    const text = 'a'.repeat(MB);
    expect(redactSecrets(text).text).toBe(text);
  });
});
