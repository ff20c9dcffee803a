import { describe, expect, it } from 'vitest';
import { parseDirective } from '../../src/evaluate/phrases.js';
import { detectLessons, detectSignals } from '../../src/evaluate/signals.js';
import type { Session, Turn } from '../../src/model/session.js';

const plain = { afterStop: false, corrective: false, conventionTurn: false };

function session(turns: Array<Partial<Turn> & Pick<Turn, 'role'>>): Session {
  return {
    id: 's-test',
    format: 'interactions',
    skipped: 0,
    turns: turns.map((t, index) => ({ index, text: '', toolCalls: [], ...t })),
  };
}

describe('parseDirective', () => {
  // Sentences that state a lasting correction, preference or convention.
  it.each([
    ['we use vitest, not jest', 'convention'],
    ['In this repo we use pnpm for everything.', 'convention'],
    ['I remind you the main directive that we rely on task-master, not in a file.', 'convention'],
    ['I prefer async/await over promise chains.', 'preference'],
    ["i'd prefer shorter answers with code first", 'preference'],
    ['I hate shell scripts as tests', 'preference'],
    ['prefer named exports, no default exports in this codebase', 'preference'],
    ['Never commit directly to main.', 'correction'],
    ['Do not reinit task-master, we do not want to lose the task history', 'correction'],
    ["don't touch the tests to make them pass.", 'correction'],
    ['stop adding comments to every line', 'correction'],
    ["You didn't change the actual function code", 'correction'],
    ['no, throw a RangeError on bad input', 'correction'],
    ['Use tabs, not spaces, in the Makefile.', 'correction'],
    ['If your plan changes, append the reasons to the plan file without erasing it.', 'preference'],
  ])('recognises %j as a %s', (sentence, kind) => {
    const d = parseDirective(sentence, plain);
    expect(d?.kind).toBe(kind);
    expect(d?.instruction).toMatch(/^[A-Z].*\.$/);
  });

  // Questions, one-off task requests, thanks and approvals are not lessons.
  it.each([
    'can you add a login button?',
    'add a login button to the header',
    'now write the tests',
    'why does it think no files have been changed?',
    'thanks!',
    'yes, go ahead',
    'ok that is all for now',
    'looks good',
    "Don't stop until all functions are ported and tests pass.",
    'the user should be able to clone the same repo multiple times',
    'make sure it is clear in the readme',
    '请不要修改测试文件，我们使用 pnpm',
    'テストは src の横に置いてください',
    'the select_related thing should be enough for the slowness, revert the index',
    'use it',
    'tests only, no docs',
    'no need for guests interaction.',
    'In addition, I think we could add convenience functions to find neighboring colors.',
    'Without making any changes report on your analysis and the pros and cons of each.',
    "When the game loads, the car is facing up which means it's going in the -Y direction.",
    'when the ship hits an asteroid: ship loses a life, respawns at center with 2 s of invulnerability.',
    'I want a custom GATT service with a characteristic that notifies every 2 s when a central subscribes.',
    'change the default from address to "Fieldnotes <support@fieldnotes.app>" for all mailers',
  ])('finds no lesson in %j', (sentence) => {
    expect(parseDirective(sentence, plain)).toBeUndefined();
  });

  // Other phrasings of lasting rules, with the clean instruction each must give.
  it.each([
    [
      '👍 yes, every resource gets its tags via merge(local.common_tags), never a literal tag map',
      'Every resource gets its tags via merge(local.common_tags); never a literal tag map.',
    ],
    ["we're on Svelte 5 here, please use runes.", 'On Svelte 5; use runes.'],
    ['Be sure to be concise in the changes you make.', 'Be concise in the changes you make.'],
    [
      'always use absolute `@/src/` imports instead of local `./`, write a commit message for that',
      'Always use absolute `@/src/` imports instead of local `./`.',
    ],
    [
      'lualatex is the only engine this thesis builds with',
      'Use only lualatex (the only engine this thesis builds with).',
    ],
    [
      'all scripts in scripts/ have to pass shellcheck, CI fails otherwise',
      'All scripts in scripts/ must pass shellcheck.',
    ],
    [
      'we need RTL for the Arabic docs, so use logical properties instead of left/right from now on.',
      'Use logical properties instead of left/right from now on.',
    ],
    ['no malloc/free in this library, ever.', "Don't use malloc/free in this library."],
    [
      'the env is managed by uv: `uv sync` to install, `uv run <cmd>` to run anything.',
      'Use uv for the env: `uv sync` to install, `uv run <cmd>` to run anything.',
    ],
    [
      'hmm, no `now()` inside entities — we inject a `Clock` everywhere so tests can pin time',
      "Don't use `now()` inside entities; inject a `Clock` everywhere so tests can pin time.",
    ],
    [
      'btw add to CONVENTIONS.md: C99, no VLAs, builds clean with -Wall -Werror -pedantic.',
      'C99; no VLAs, builds clean with -Wall -Werror -pedantic.',
    ],
    [
      "and fyi: cabal only in this repo, there's no stack.yaml on purpose, don't try stack again.",
      "Use cabal only in this repo, there's no stack.yaml on purpose; don't try stack again.",
    ],
    [
      'tests should be colocated next to the component, not in __tests__.',
      'Colocate tests next to the component, not in __tests__.',
    ],
    [
      "from now on wrap errors with fmt.Errorf and %w, don't pull in pkg/errors",
      "Wrap errors with fmt.Errorf and %w; don't pull in pkg/errors.",
    ],
    ['going forward, lint every file you touch', 'Lint every file you touch.'],
    ['instead of print() use the structlog logger', 'Use the structlog logger instead of print().'],
    [
      "let's stick to tailwind for styling, no CSS modules in this project",
      'Use tailwind for styling; no CSS modules in this project.',
    ],
    [
      'in this codebase we stub HTTP with webmock in specs, never hit the real API',
      'Stub HTTP with webmock in specs; never hit the real API.',
    ],
    [
      'our convention is table-driven tests with t.Run subtests',
      'Use table-driven tests with t.Run subtests.',
    ],
    [
      "we're on uv now, poetry is deprecated here",
      'Use uv, not poetry (poetry is deprecated here).',
    ],
    [
      "don't ever run migrate against prod from a laptop",
      'Never run migrate against prod from a laptop.',
    ],
    [
      'stop adding default exports, we use named exports everywhere',
      "Don't add default exports; use named exports everywhere.",
    ],
    [
      'keep it brief next time, I just need a one-line summary',
      'Keep answers brief: a one-line summary is enough.',
    ],
    [
      "answer briefly from now on, I don't need the background",
      'Keep answers brief; skip the background.',
    ],
    [
      'I told you not to touch Booking.changeset, the guest comes from the session',
      'Do not touch Booking.changeset.',
    ],
    [
      'the LiveView should never call Repo directly, go through the context',
      'The LiveView should never call Repo directly; go through the context.',
    ],
  ])('rewrites %j as %j', (sentence, instruction) => {
    expect(parseDirective(sentence, plain)?.instruction).toBe(instruction);
  });

  // One-off choices, cancellations and feature requirements are not lasting rules.
  it.each([
    "let's use recharts for the trend sparkline",
    "let's use a CTE here so it's easier to read",
    "actually, never mind, let's keep bash",
    'the export button should not be clickable',
    'be concise in the changes you make',
    'update our testing process to make this clear in the future',
  ])('finds no lasting rule in %j', (sentence) => {
    expect(parseDirective(sentence, plain)).toBeUndefined();
  });

  it('reads a noun-phrase answer to a question tool as a rule', () => {
    const d = parseDirective('formatMoney helper in src/lib/money.ts, never inline toFixed', {
      ...plain,
      answer: true,
    });
    expect(d?.instruction).toBe(
      'Use the formatMoney helper in src/lib/money.ts; never inline toFixed.',
    );
    expect(
      parseDirective('formatMoney helper in src/lib/money.ts, never inline toFixed', plain),
    ).toBeUndefined();
  });

  it('reads "the X should be Y" as a rule only while correcting or stating conventions', () => {
    const sentence = 'each rule should be a distinct mdc file in the rules dir';
    expect(parseDirective(sentence, plain)).toBeUndefined();
    expect(parseDirective(sentence, { ...plain, corrective: true })?.instruction).toBe(
      'Each rule should be a distinct mdc file in the rules dir.',
    );
  });

  it("keeps a reminder about the user's own ways as a note about the user, not a bare statement", () => {
    const d = parseDirective(
      'keep in mind often i have multiple claude code sessions running at one time in the same folder.',
      plain,
    );
    expect(d?.instruction).toBe(
      'Keep in mind that the user often has multiple claude code sessions running at one time in the same folder.',
    );
    // A labelled rule still loses its label.
    expect(
      parseDirective('Remember: always run the linter before committing.', plain)?.instruction,
    ).toBe('Always run the linter before committing.');
  });

  it('turns shouting into plain words and keeps the reason apart', () => {
    const d = parseDirective('DO NOT CHANGE the contents because the order is all we want', plain);
    expect(d?.instruction).toBe('Do not change the contents.');
    expect(d?.reason).toMatch(/^because/);
  });
});

describe('detectSignals', () => {
  it('counts human prompts and answers as interactions, not interrupts or slash commands', () => {
    const s = session([
      { role: 'user', text: 'add a retry to fetchUser' },
      { role: 'assistant', text: 'Done.' },
      { role: 'user', kind: 'interrupt', text: '' },
      { role: 'user', text: '/undo' },
      { role: 'user', kind: 'answer', text: 'the service layer' },
    ]);
    expect(detectSignals(s).interactionCount).toBe(2);
  });

  it('finds a correction after an interrupt, with its turn and quote', () => {
    const s = session([
      { role: 'user', text: 'install the dependencies' },
      { role: 'assistant', text: 'Running npm install.' },
      { role: 'user', kind: 'interrupt', text: '' },
      { role: 'user', text: 'no, use pnpm not npm, this is a pnpm workspace' },
    ]);
    const { signals } = detectSignals(s);
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ kind: 'correction', turn: 3 });
    expect(signals[0]?.quote).toContain('use pnpm not npm');
    expect(signals[0]?.strength).toBeGreaterThan(0.7);
  });

  it('finds a tool error whose message says how to avoid it', () => {
    const s = session([
      { role: 'user', text: 'update the readme' },
      {
        role: 'assistant',
        text: '',
        toolCalls: [
          {
            name: 'Write',
            input: '{"file_path":"README.md"}',
            output: 'File has not been read yet. Read it first before writing to it.',
            isError: true,
          },
        ],
      },
    ]);
    expect(detectSignals(s).signals).toEqual([
      expect.objectContaining({ kind: 'error_resolution', turn: 1 }),
    ]);
  });

  it('finds a pasted error that the user later says is fixed', () => {
    const s = session([
      {
        role: 'user',
        text: "it crashes:\nTypeError: Cannot read properties of undefined (reading 'split')",
      },
      { role: 'assistant', text: 'Added a guard.' },
      { role: 'user', text: 'it works now, thanks' },
    ]);
    expect(detectSignals(s).signals.map((x) => x.kind)).toEqual(['error_resolution']);
  });

  it("takes the opening request's hands-off clause for the task's scope, unless it is a standing rule", () => {
    const opening = (text: string) =>
      detectLessons(
        session([
          { role: 'user', text },
          { role: 'assistant', text: 'Done, the build passes.' },
        ]),
      ).lessons.map((l) => l.directive?.instruction ?? l.quote);
    expect(
      opening(
        "Fix the flaky spec in ledger.spec.ts. Don't touch the report pages, Maya is doing that.",
      ),
    ).toEqual([]);
    expect(
      opening('Reorder all the lists in CONVENTIONS.md. Do not change content of list items.'),
    ).toEqual([]);
    expect(
      opening("Add the battery service. Don't touch anything under ../ncs/.").join(' '),
    ).toMatch(/anything under \.\.\/ncs/);
    expect(opening('Bump the SDK. Never touch the generated client by hand.').join(' ')).toMatch(
      /generated client/i,
    );
    // Said after the assistant went there, the same words correct it.
    const later = detectLessons(
      session([
        { role: 'user', text: 'Fix the flaky spec in ledger.spec.ts.' },
        { role: 'assistant', text: 'I also tidied up the report pages.' },
        { role: 'user', text: "No, don't touch the report pages, Maya is doing that." },
      ]),
    ).lessons;
    expect(later).toEqual([expect.objectContaining({ kind: 'correction', turn: 2 })]);
  });

  it('finds nothing in a session of task requests and approvals', () => {
    const s = session([
      { role: 'user', text: 'add a login button' },
      { role: 'assistant', text: 'Added.' },
      { role: 'user', text: 'yes, go ahead and write the tests' },
      { role: 'assistant', text: 'Done.' },
      { role: 'user', text: 'thanks!' },
    ]);
    expect(detectSignals(s).signals).toEqual([]);
  });
});

describe('rules stated in longer sentences', () => {
  // Scoped statements, bans and polite prohibitions, each with the instruction it must give.
  it.each([
    ['in this repo nothing calls fetch directly', 'Never call fetch directly.'],
    ['no print statements in this codebase', "Don't use print statements in this codebase."],
    [
      'all HTTP calls go through the ApiClient wrapper in src/net',
      'All HTTP calls go through the ApiClient wrapper in src/net.',
    ],
    [
      'all Kotlin in this project is written with explicit return types',
      'All Kotlin in this project is written with explicit return types.',
    ],
    ['this service uses structlog for logging', 'Use structlog for logging.'],
    ['could you please not use moment.js?', "Don't use moment.js."],
    [
      'put migrations in db/migrate as plain SQL, that is the convention in this project',
      'Put migrations in db/migrate as plain SQL.',
    ],
  ])('rewrites %j as %j', (sentence, instruction) => {
    expect(parseDirective(sentence, plain)?.instruction).toBe(instruction);
  });

  // Decisions about the thing at hand, facts and deferrals are not lasting rules.
  it.each([
    'Leave it as is.',
    'leave the retry count alone',
    'cool, maybe next time.',
    'not now, the release is tomorrow',
    'We use Sentry already for the web app.',
    'everything is fine now',
    'content is a good start',
    'the tests never pass on the first run',
  ])('finds no lasting rule in %j', (sentence) => {
    expect(parseDirective(sentence, { ...plain, conventionTurn: true })).toBeUndefined();
  });

  it('reads a noun-phrase style item of a style list as a rule', () => {
    expect(
      parseDirective('table captions in title case please', { ...plain, conventionTurn: true })
        ?.instruction,
    ).toBe('Write table captions in title case.');
    expect(parseDirective('table captions in title case please', plain)).toBeUndefined();
  });

  const user = (text: string, kind?: Turn['kind']) =>
    session([
      { role: 'user', text: 'add the export endpoint' },
      { role: 'assistant', text: 'Done.' },
      kind ? { role: 'user', kind, text } : { role: 'user', text },
    ]);

  // One rule over several sentences: the alternative, the instruction clauses and the reason
  // that follow it in the same paragraph stay with it.
  it.each([
    [
      'no moment.js. this app uses date-fns for dates, it tree-shakes.',
      "Don't use moment.js; use date-fns for dates.",
    ],
    [
      'please no SELECT *. list the columns, the views break when a column is added.',
      "Don't use SELECT *; list the columns.",
    ],
    [
      'no panics in library code. it returns Result, use ? and map the error with context.',
      "Don't use panics in library code; use ? and map the error with context.",
    ],
    [
      "don't push. ever. I push myself after review, you just leave the commits local",
      'Never push; leave the commits local.',
    ],
    [
      'Sorry, I should have said: the protos are generated by buf. Please only ever edit the .proto files and run `buf generate`.',
      'The protos are generated by buf; only edit the .proto files and run `buf generate`.',
    ],
    [
      'please keep commit subjects under 50 characters. I prefer that everywhere.',
      'Keep commit subjects under 50 characters.',
    ],
    [
      'we use buf. `buf generate` from repo root, never protoc by hand. plugin versions are pinned in buf.gen.yaml',
      'Use buf; run `buf generate` from repo root; never protoc by hand; plugin versions are pinned in buf.gen.yaml.',
    ],
    [
      'oh wait, one thing before tests - we keep admin actions in a separate admin_actions.py per app',
      'Keep admin actions in a separate admin_actions.py per app.',
    ],
  ])('joins %j into %j', (text, instruction) => {
    const lessons = detectLessons(user(text)).lessons.filter((l) => l.directive);
    expect(lessons.map((l) => l.directive?.instruction)).toEqual([instruction]);
  });

  it('files a rule given because of a limit of the environment, with a way around it, as a workaround', () => {
    const lessons = detectLessons(
      user(
        'yes, no docker in the codex sandbox. skip the IT with `-DexcludedGroups=integration` here, i run them on my machine after.',
      ),
    ).lessons;
    expect(lessons.map((l) => l.kind)).toEqual(['workaround']);
    expect(lessons[0]?.directive?.instruction).toContain('-DexcludedGroups=integration');
  });

  it('joins the rules that follow a stated limit into one workaround', () => {
    const lessons = detectLessons(
      user(
        "re network: there's never network in here. deps are vendored, build with -mod=vendor and don't run go mod tidy",
      ),
    ).lessons;
    expect(lessons.map((l) => [l.kind, l.directive?.instruction])).toEqual([
      ['workaround', "Deps are vendored, build with -mod=vendor; don't run go mod tidy."],
    ]);
    expect(lessons[0]?.directive?.reason).toBe("there's never network in here.");
  });

  it('reads "X, so use Y" after a stated limit as a workaround', () => {
    const lessons = detectLessons(
      user(
        "don't bother with segger, IT won't let me install it on this laptop. the board's interface MCU runs CMSIS-DAP, so use pyocd: `pyocd flash -t nrf52840 build/zephyr.hex`.",
      ),
    ).lessons;
    expect(lessons.map((l) => [l.kind, l.directive?.instruction])).toEqual([
      ['workaround', 'Use pyocd: `pyocd flash -t nrf52840 build/zephyr.hex`.'],
    ]);
  });

  it('keeps a short statement after a rule as its own sentence', () => {
    const lessons = detectLessons(
      user("we don't use threads in this firmware (look at power.c). a thread is costly"),
    ).lessons;
    expect(lessons[0]?.directive?.instruction).toBe('Never use threads in this firmware.');
  });

  it('drops a rule the user scratches later, and learns nothing from the scratching', () => {
    const s = session([
      { role: 'user', text: 'add the cache' },
      { role: 'assistant', text: 'Done.' },
      { role: 'user', text: 'oh and put an @spec on every public function you write from now on' },
      { role: 'assistant', text: 'Will do.' },
      {
        role: 'user',
        text: "and scratch what I said about @spec on everything. leave the one you added, but don't treat it as a rule",
      },
    ]);
    expect(detectLessons(s).lessons).toEqual([]);
  });

  it('puts the bare term said just before a rule into it as what to use', () => {
    const lessons = detectLessons(
      user('also: timestamptz. we never use `timestamp` without time zone in this schema'),
    ).lessons;
    expect(lessons.map((l) => l.directive?.instruction)).toEqual([
      'Use timestamptz; never use `timestamp` without time zone in this schema.',
    ]);
  });

  it('reads "every X here is Y" as how things are done here, without the one-off tail', () => {
    const lessons = detectLessons(
      user('every commit here is `<subsystem>: <lowercase summary>` — amend it to `ble: notify`.'),
    ).lessons;
    expect(lessons.map((l) => l.directive?.instruction)).toEqual([
      'Every commit here is `<subsystem>: <lowercase summary>`.',
    ]);
  });

  it('keeps two rules apart when the second starts another subject', () => {
    const lessons = detectLessons(
      user(
        'never use var. also, in this repo the API client must use the retry wrapper in src/net.',
      ),
    ).lessons;
    expect(lessons.map((l) => l.directive?.instruction)).toEqual([
      'Never use var.',
      'The API client must use the retry wrapper in src/net.',
    ]);
  });

  it('reads the reason a rejected tool call gives as the rule', () => {
    const lessons = detectLessons(
      user(
        'no. we never run terraform apply by hand, everything goes through the pipeline',
        'rejection',
      ),
    ).lessons;
    expect(lessons[0]?.directive?.instruction).toMatch(/^Never run terraform apply by hand/);
  });
});

describe('statements of fact about the project', () => {
  // Generated files, minimum versions, "we're an X shop", "everything is X", scoped statements.
  it.each([
    [
      "the API client is generated from openapi.yaml, don't edit src/api by hand",
      /generated from openapi\.yaml; don't edit src\/api/,
    ],
    ['minimum Android API is 26 now', /^The minimum Android API is 26\.$/],
    ['Go 1.22 is our baseline, so range-over-int is fine', /^Go 1\.22 is the minimum/],
    ["we're a pnpm shop - no npm lockfiles", /^Use pnpm; no npm lockfiles\.$/],
    [
      'everything here goes through make: make test, make lint',
      /goes through make|^Use make for everything/,
    ],
    ['Handlers in this service stay thin.', /^Handlers stay thin\.$/],
    ['Nothing gets deployed from a laptop here: CI deploys on merge.', /^Nothing is deployed/],
    [
      'I moved it myself: anything that parses dates belongs in lib/dates.ts.',
      /^Anything that parses dates belongs in lib\/dates\.ts\.$/,
    ],
    [
      'payroll migrations are written by the DBA team, we never generate them here.',
      /never generate them/,
    ],
  ])('states %j as a rule', (sentence, instruction) => {
    expect(parseDirective(sentence, plain)?.instruction).toMatch(instruction);
  });

  // Reports, feature requests and clauses that only look like such statements.
  it.each([
    'the build was generated yesterday',
    'this file is generated by protoc',
    'Logs should expire after 90 days, add a lifecycle rule for that.',
    'operator does not exist: timestamp with time zone < character varying',
    'so reconcile_table.py should not be clickable.',
  ])('finds no rule in %j', (sentence) => {
    expect(parseDirective(sentence, plain)).toBeUndefined();
  });

  it('drops an earlier rule when the user takes back "the X thing"', () => {
    const turns = [
      'Add compression. Always take buffers as std::span in the new functions.',
      'I added it.',
      "hm, we're on C++17. forget the std::span thing, take a pointer and a size.",
    ];
    const session: Session = {
      id: 's',
      format: 'interactions',
      skipped: 0,
      turns: turns.map((text, index) => ({
        index,
        role: index % 2 === 0 ? ('user' as const) : ('assistant' as const),
        text,
        toolCalls: [],
      })),
    };
    const quotes = (detectSignals(session).lessons ?? []).map((l) => l.quote);
    expect(quotes.some((q) => /std::span/.test(q) && /Always/.test(q))).toBe(false);
  });
});

describe('design points put as questions', () => {
  const ask = (question: string, reply: string) =>
    detectLessons(
      session([
        { role: 'user', text: 'split the car class into components' },
        { role: 'assistant', text: 'Here is a split into Engine, Wheel and Chassis.' },
        { role: 'user', text: question },
        { role: 'assistant', text: reply },
      ]),
    ).lessons.map((l) => l.directive?.instruction);

  it.each([
    [
      "/ask wouldn't we want wheel to inherit from Marker2D so that in the inspector we can attach wheels to a car?",
      'Yes, that’s a great idea: making `Wheel` a `Marker2D` fits.',
      'Wheel should inherit from Marker2D.',
    ],
    [
      "shouldn't `PixelsPerMeter` be a global setting that any class can access? What is the best way?",
      'Yes, `PixelsPerMeter` is best handled as a global game setting.',
      '`PixelsPerMeter` should be a global setting that any class can access.',
    ],
    [
      "wouldn't it be better to keep the physics in metres and convert once at the end?",
      "You're right, converting once at the edge is cleaner.",
      'Keep the physics in metres and convert once at the end.',
    ],
  ])('learns %j when the assistant agrees', (question, reply, want) => {
    expect(ask(question, reply)).toEqual([want]);
  });

  it.each([
    [
      "Wouldn't fxMag and fyMag be flipped for latitude and longitude?",
      'The calculations are correct and the naming is consistent; there is no flip.',
    ],
    [
      "shouldn't `PixelsPerMeter` be a global setting that any class can access?",
      'It could be, but passing it in keeps the wheel testable.',
    ],
    ['what would go in the wheel class?', 'Yes: the tire model, the suspension and the brakes.'],
  ])(
    'learns nothing from %j when the assistant does not agree or it is a plain question',
    (question, reply) => {
      expect(ask(question, reply)).toEqual([]);
    },
  );
});

describe('one-off points put as questions', () => {
  it.each([
    ["shouldn't this be async?", 'Yes, good catch.'],
    ["can't we just restart the server?", 'Yes, restarting clears the lock.'],
  ])('learns nothing from %j even when the assistant agrees', (question, reply) => {
    const { lessons } = detectLessons(
      session([
        { role: 'user', text: 'the export hangs' },
        { role: 'assistant', text: 'The worker holds a lock.' },
        { role: 'user', text: question },
        { role: 'assistant', text: reply },
      ]),
    );
    expect(lessons.map((l) => l.directive?.instruction)).toEqual([]);
  });
});

describe('prompts that are not tidy sentences', () => {
  it.each([
    [
      'an Aider /ask prefix',
      '/ask  I want to use  langgraph. show me how you would build each step',
    ],
    [
      'a statement run into a question',
      'I want to use langgraph can you show me how you would build each step?',
    ],
  ])('reads the rule behind %s', (_name, text) => {
    const { lessons } = detectLessons(
      session([
        { role: 'user', text },
        { role: 'assistant', text: 'Here is a sketch of each step as a graph node.' },
      ]),
    );
    expect(lessons.map((l) => l.directive?.instruction)).toEqual(['Use langgraph.']);
  });
});

describe('reports and requests for the work at hand', () => {
  it.each([
    'When I try to add meal to the menu field I get this error: no function clause matching in CozyCheckoutWeb.MealPlannerLive.Index.handle_event/3',
    'it seems I am getting the same issue: no function clause matching in MealPlannerLive.Index.handle_event/3',
    'I understand this is more complex change so please take your time and really make sure you go through all needed code.',
    'Please apply the math fixes that you presented and remove everything from the first solution you gave me',
  ])('learns no rule from %j', (text) => {
    const { lessons } = detectLessons(
      session([
        { role: 'user', text: 'the meal planner needs a menu field' },
        { role: 'assistant', text: 'Added it.' },
        { role: 'user', text },
        { role: 'assistant', text: 'Looking into it.' },
      ]),
    );
    expect(lessons.filter((l) => l.turn === 2)).toEqual([]);
  });
});

describe('rules around interjections, asides and reversals', () => {
  const rules = (...prompts: string[]) =>
    detectLessons(
      session(
        prompts.flatMap((text) => [
          { role: 'user' as const, text },
          { role: 'assistant' as const, text: 'Done.' },
        ]),
      ),
    ).lessons.map((l) => l.directive?.instruction);

  it('does not read an interjection before a rule as a term to use', () => {
    expect(rules('stop. no Options API, ever. that stub is what the scaffolder spat out.')).toEqual(
      ['No Options API, ever.'],
    );
  });

  it('ends a rule at the sentence that follows it in lower case ("here\'s ...")', () => {
    expect(rules("we use Stripe Elements. here's my .env.local so you can see the names:")).toEqual(
      ['Use Stripe Elements.'],
    );
  });

  it('drops a rule the next prompt reverts, and keeps one it does not name', () => {
    expect(
      rules(
        'and put the current step in the URL query instead of the store so the back button works',
        'ugh, the URL thing is worse. revert that, keep the step in the store like before',
      ),
    ).toEqual([]);
    expect(
      rules(
        "don't use bare Task.async in the pipeline, in this codebase concurrent work goes through Task.Supervisor",
        'someone broke config/test.exs in the last merge, put it back',
      ),
    ).toHaveLength(1);
  });
});
