import { describe, expect, it } from 'vitest';
import {
  detectPastedErrorResolution,
  detectToolLessons,
  errorLine,
  isFailure,
  normaliseError,
} from '../../src/evaluate/error-lessons.js';
import type { Lesson } from '../../src/evaluate/signals.js';
import type { ToolCall, Turn } from '../../src/model/session.js';

type Call = Omit<ToolCall, 'name'> & { name?: string };

function build(spec: Array<string | { say?: string; calls?: Call[] }>): Turn[] {
  return spec.map((s, index) =>
    typeof s === 'string'
      ? { index, role: 'user', text: s, toolCalls: [] }
      : {
          index,
          role: 'assistant',
          text: s.say ?? '',
          toolCalls: (s.calls ?? []).map((c) => ({ name: 'Bash', ...c })),
        },
  );
}

const ok = (input: string, output = 'ok'): Call => ({ input, output, exitCode: 0 });
const fail = (input: string, output: string): Call => ({ input, output, exitCode: 1 });
const edit = (file: string, oldString: string, newString: string): Call => ({
  name: 'Edit',
  input: JSON.stringify({ file_path: file, old_string: oldString, new_string: newString }),
  output: 'The file has been updated.',
});

/** Every lesson the two detectors find, in turn order. */
function lessons(turns: Turn[]): Lesson[] {
  const out: Lesson[] = [];
  for (const turn of turns) {
    if (turn.role === 'assistant') detectToolLessons(turn, turns, turn.index, out);
    else detectPastedErrorResolution(turns, turn.index, out);
  }
  return out;
}

describe('detectToolLessons and detectPastedErrorResolution', () => {
  const cases: Array<{
    name: string;
    turns: Turn[];
    want?: Partial<Lesson>;
  }> = [
    {
      name: 'learns the flag that made a re-run pass when the network is down',
      turns: build([
        'run the tests',
        {
          calls: [
            fail(
              'cargo test',
              'error: failed to download from `https://index.crates.io/config.json`\n\nCaused by:\n  [6] Could not resolve host: index.crates.io',
            ),
            ok('cargo test --offline', 'test result: ok. 12 passed'),
          ],
        },
        'thanks',
      ]),
      want: {
        kind: 'workaround',
        error: '`cargo test`: no network access (Could not resolve host)',
        fix: 'Run `cargo test` with `--offline`.',
      },
    },
    {
      name: 'learns a command run first, then the same command passing',
      turns: build([
        'add the column and a migration',
        {
          say: 'The local database is behind head. Upgrading it first:',
          calls: [
            fail(
              'cd /srv/app && alembic revision --autogenerate -m "add col"',
              'INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.\nERROR [alembic.util.messaging] Target database is not up to date.\n  FAILED: Target database is not up to date.',
            ),
            ok('cd /srv/app && alembic current && alembic heads', '7c1d\n3fa8 (head)'),
            ok('cd /srv/app && alembic upgrade head'),
            ok(
              'cd /srv/app && alembic revision --autogenerate -m "add col"',
              'Generating ... done',
            ),
          ],
        },
      ]),
      want: {
        kind: 'error_resolution',
        error: '`alembic revision --autogenerate`: Target database is not up to date',
        fix: 'Run `alembic upgrade head` first, then `alembic revision --autogenerate`.',
      },
    },
    {
      name: "takes the assistant's named fix, with the install run in the same command line",
      turns: build([
        'run the tests, something broke after the dependency bump',
        {
          say: "node-fetch 3 is ESM-only, so `require('node-fetch')` fails here. The simplest fix is to drop node-fetch and use the global `fetch`:",
          calls: [
            fail(
              'npx jest 2>&1 | tail -20',
              ' FAIL  test/api.test.js\n    Error [ERR_REQUIRE_ESM]: require() of ES Module /home/u/app/node_modules/node-fetch/src/index.js from /home/u/app/src/mail.js not supported.\nTest Suites: 1 failed, 2 passed, 3 total',
            ),
            ok("sed -i '1d' src/mail.js && npm uninstall node-fetch && npx jest 2>&1 | tail -3"),
          ],
        },
      ]),
      want: {
        error:
          '`npx jest`: Error [ERR_REQUIRE_ESM]: require() of ES Module node-fetch from mail.js not supported',
        fix: 'Drop node-fetch and use the global `fetch` (`npm uninstall node-fetch`).',
      },
    },
    {
      name: 'summarises a one-line build-flag addition as the fix',
      turns: build([
        'make it build',
        {
          say: 'The link error comes from snprintf needing syscall stubs.',
          calls: [
            fail(
              'make -j4 2>&1 | tail -20',
              "/usr/lib/arm-none-eabi/bin/ld: libc.a(libc_a-sbrkr.o): in function `_sbrk_r':\nsbrkr.c:(.text._sbrk_r+0xc): undefined reference to `_sbrk'\ncollect2: error: ld returned 1 exit status\nmake: *** [Makefile:41: build/app.elf] Error 1",
            ),
            edit(
              '/home/u/fw/Makefile',
              'LDFLAGS += -T$(LDSCRIPT)\n',
              'LDFLAGS += -T$(LDSCRIPT)\nLDFLAGS += --specs=nano.specs --specs=nosys.specs\n',
            ),
            ok('make -j4 2>&1 | tail -3', 'text data bss'),
          ],
        },
      ]),
      want: {
        error: "`make`: undefined reference to `_sbrk'",
        fix: 'Add `--specs=nano.specs --specs=nosys.specs` to LDFLAGS in `Makefile`.',
      },
    },
    {
      name: 'takes the route the user gave when the sandbox has no network',
      turns: build([
        'install lifetimes please',
        {
          calls: [
            fail(
              'pip install lifetimes',
              "WARNING: Retrying after connection broken by 'NewConnectionError(Failed to establish a new connection: [Errno -3] Temporary failure in name resolution)': /simple/lifetimes/\nERROR: Could not find a version that satisfies the requirement lifetimes (from versions: none)\nERROR: No matching distribution found for lifetimes",
            ),
          ],
        },
        'There is a local wheelhouse for this. Please install with `pip install --no-index --find-links /opt/wheels <pkg>` when you are offline.',
        { calls: [ok('pip install --no-index --find-links /opt/wheels lifetimes')] },
      ]),
      want: {
        kind: 'workaround',
        error: '`pip install`: no network access (Failed to establish a new connection)',
        fix: 'Install with `pip install --no-index --find-links /opt/wheels <pkg>` when you are offline.',
      },
    },
    {
      name: 'learns another route when a program is missing from the container',
      turns: build([
        'curl /readyz from inside the pod',
        {
          calls: [
            fail(
              'kubectl exec -n staging deploy/api -- curl -s localhost:8080/readyz',
              'error: Internal error occurred: failed to exec in container: exec: "curl": executable file not found in $PATH: unknown',
            ),
          ],
        },
        "it's distroless, there's no shell in our images. use kubectl debug with an ephemeral busybox container",
        {
          calls: [
            ok(
              'kubectl debug -n staging api-5f6c -it --image=busybox:1.36 --target=api -- wget -qO- localhost:8080/readyz',
            ),
          ],
        },
      ]),
      want: {
        kind: 'workaround',
        error:
          '`kubectl exec`: `curl` is not in the container (executable file not found in $PATH)',
        fix: 'Use kubectl debug with an ephemeral busybox container.',
      },
    },
    {
      name: 'learns a pasted error the user confirms fixed',
      turns: build([
        "Running it gives: TypeError: 'NoneType' object is not subscriptable when settings.yaml is empty",
        {
          say: 'An empty YAML file loads as None. Return `yaml.safe_load(f) or {}` so callers always get a dict.',
        },
        'That fixed it, thanks.',
      ]),
      want: {
        kind: 'error_resolution',
        error: "TypeError: 'NoneType' object is not subscriptable when settings.yaml is empty",
        fix: 'Return `yaml.safe_load(f) or {}` so callers always get a dict.',
      },
    },
    {
      name: 'learns nothing when the re-run fails with the same error',
      turns: build([
        'run it',
        {
          say: 'Adding the missing import.',
          calls: [
            fail(
              'python app.py',
              "Traceback (most recent call last):\nNameError: name 'json' is not defined",
            ),
            edit('app.py', 'import os\n', 'import os\nimport sys\n'),
            fail(
              'python app.py',
              "Traceback (most recent call last):\nNameError: name 'json' is not defined",
            ),
          ],
        },
      ]),
    },
    {
      name: 'learns nothing when the user is unhappy with how the failure was handled',
      turns: build([
        'open the PR',
        {
          calls: [
            fail('gh pr create --fill', 'HTTP 403: API rate limit exceeded for user ID 5521873.'),
            ok('git push -u origin feat/x'),
          ],
        },
        'fix the issue, I was trying to open the PR, not just push!',
        { calls: [ok('gh pr create --fill', 'https://github.com/o/r/pull/57')] },
      ]),
    },
    {
      name: 'learns nothing from a compile error in code the assistant just wrote',
      turns: build([
        'add a stats subcommand',
        {
          calls: [
            edit('/src/logq/src/main.rs', 'run(&file)', 'run(&file, &mut out)'),
            fail(
              'cargo build 2>&1 | tail -3',
              'error[E0061]: this function takes 1 argument but 2 arguments were supplied\n  --> src/main.rs:31:42',
            ),
            edit(
              '/src/logq/src/stats.rs',
              'pub fn run(file: &Path)',
              'pub fn run(file: &Path, out: &mut impl Write)',
            ),
            ok('cargo build 2>&1 | tail -3'),
          ],
        },
      ]),
    },
    {
      name: 'learns nothing from a failure that was never confirmed fixed',
      turns: build([
        'deploy it',
        {
          say: 'I will add a retry.',
          calls: [
            fail(
              'make deploy',
              'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress',
            ),
            edit('deploy.sh', 'helm upgrade', 'helm upgrade --atomic'),
          ],
        },
        'ok, leave it for today',
      ]),
    },
    {
      name: 'learns a workaround the user states when the route then works',
      turns: build([
        "Docker isn't available on my laptop, so testcontainers won't work. Use ioredis-mock for the limiter tests instead.",
        {
          calls: [
            ok('npm install --save-dev ioredis-mock@8'),
            ok('npx jest test/rateLimit.test.js', 'Tests: 2 passed, 2 total'),
          ],
        },
      ]),
      want: {
        kind: 'workaround',
        error: "Docker is not available (testcontainers won't work)",
        fix: 'Use ioredis-mock for the limiter tests instead.',
      },
    },
    {
      name: "takes the command the user gave to get past the failure, with the user's reason",
      turns: build([
        'run the orders tests',
        {
          calls: [
            fail(
              'python manage.py test orders',
              'django.db.utils.OperationalError: connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused',
            ),
          ],
        },
        'ugh yes sorry, the db runs in docker: `docker compose up -d db`',
        { calls: [ok('python manage.py test orders', 'Ran 23 tests\n\nOK')] },
      ]),
      want: {
        kind: 'error_resolution',
        fix: 'Run `docker compose up -d db` (the db runs in docker).',
      },
    },
    {
      name: 'learns the changed argument when the re-run gets past the error to another one',
      turns: build([
        'build it for the simulator',
        {
          calls: [
            fail(
              "xcodebuild -scheme App -destination 'platform=iOS Simulator,name=iPhone 15' build 2>&1 | tail -20",
              'xcodebuild: error: Unable to find a destination matching the provided destination specifier:\n\t\t{ platform:iOS Simulator, OS:latest, name:iPhone 15 }',
            ),
            fail(
              "xcodebuild -scheme App -destination 'platform=iOS Simulator,name=iPhone 16' build 2>&1",
              "ProfileView.swift:25:14: error: 'presentationDetents' is only available in iOS 16.0 or newer",
            ),
          ],
        },
        'thanks, that works',
      ]),
      want: {
        kind: 'error_resolution',
        fix: "Run `xcodebuild` with `-destination 'platform=iOS Simulator,name=iPhone 16'` (not `-destination 'platform=iOS Simulator,name=iPhone 15'`).",
      },
    },
    {
      name: "takes the user's route after they turn the first approach down, for the same sub-command",
      turns: build([
        'add read replicas to the module',
        {
          calls: [
            fail(
              'cd modules/rds && terraform init -backend=false -input=false',
              'Initializing provider plugins...\n╷\n│ Error: Failed to query available provider packages\n│ \n│ Could not retrieve the list of available versions for provider hashicorp/aws: could not connect to registry.terraform.io',
            ),
          ],
        },
        "don't run plan. in this repo you only ever run `terraform validate` and `tflint`. for init: there's no network in the sandbox but the providers are mirrored in ~/.terraform.d/plugin-cache, so `terraform init -backend=false -plugin-dir=$HOME/.terraform.d/plugin-cache` works",
        {
          calls: [
            ok(
              'cd modules/rds && terraform init -backend=false -input=false -plugin-dir=$HOME/.terraform.d/plugin-cache',
              'Terraform has been successfully initialized!',
            ),
          ],
        },
        'thanks',
      ]),
      want: {
        kind: 'workaround',
        error: '`terraform init`: no network access (could not connect to registry)',
        fix: "Run `terraform init -backend=false -plugin-dir=$HOME/.terraform.d/plugin-cache` (there's no network in the sandbox but the providers are mirrored in ~/.terraform.d/plugin-cache).",
      },
    },
    {
      name: 'takes the command the user gave with a pasted error, once the next run gets further',
      turns: build([
        'deploy it',
        {
          say: 'Done: restart step added.',
          calls: [
            edit('bin/deploy.sh', 'echo done', 'ssh "$H" sudo systemctl restart site\necho done'),
          ],
        },
        "==> [5/5] restart\nsudo: a terminal is required to read the password; either use the -S option\n\nthe deploy user has no sudo on the box. site is a systemd user unit, it's `systemctl --user restart site`",
        {
          calls: [
            edit('bin/deploy.sh', 'sudo systemctl restart site', 'systemctl --user restart site'),
          ],
        },
        'restart works now but the health check: curl: (7) Failed to connect to localhost port 8080: Connection refused',
      ]),
      want: {
        kind: 'error_resolution',
        fix: 'Run `systemctl --user restart site` (site is a systemd user unit).',
      },
    },
    {
      name: 'takes the command the assistant told the user to run for a pasted error',
      turns: build([
        '```\n[SEVERE] riverpod_generator on lib/state/sync.dart:\n\nConflicting outputs were detected and the build is unable to prompt for permission to remove them. These outputs must be removed manually.\n```',
        {
          say: 'That happens when generated files already exist. Run:\n\n```bash\ndart run build_runner build --delete-conflicting-outputs\n```\n\nIt regenerates them.',
        },
        'ok that worked',
      ]),
      want: {
        kind: 'error_resolution',
        error:
          'Conflicting outputs were detected and the build is unable to prompt for permission to remove them',
        fix: 'Run `dart run build_runner build --delete-conflicting-outputs`.',
      },
    },
    {
      name: 'learns the environment variables a passing re-run sets',
      turns: build([
        'run the repository tests',
        {
          calls: [
            fail(
              './gradlew test 2>&1 | tail -5',
              'java.lang.IllegalStateException: Could not find a valid Docker environment. Please see logs and check configuration',
            ),
            ok(
              'DOCKER_HOST=unix://$HOME/.colima/default/docker.sock ./gradlew test 2>&1',
              'BUILD SUCCESSFUL in 41s',
            ),
          ],
        },
        'great, thanks',
      ]),
      want: {
        kind: 'workaround',
        fix: 'Run `gradlew test` with `DOCKER_HOST=unix://$HOME/.colima/default/docker.sock` set.',
      },
    },
    {
      name: 'learns a flag taken away when the re-run gets past the error, whatever the user says next',
      turns: build([
        'build the thesis',
        {
          calls: [
            fail(
              'latexmk -pdf thesis.tex 2>&1 | tail -12',
              "Running 'pdflatex -recorder thesis.tex'\n! Fatal Package fontspec Error: The fontspec package requires either XeTeX or\n(fontspec) LuaTeX.",
            ),
            fail(
              "latexmk thesis.tex 2>&1 | grep -E '^!' | head",
              "! LaTeX Error: File `siunitx.sty' not found.",
            ),
          ],
        },
        "no sudo here and tlmgr doesn't work system-wide either. do it in user mode",
      ]),
      want: {
        kind: 'error_resolution',
        fix: 'Run `latexmk thesis.tex` without `-pdf`.',
      },
    },
    {
      name: 'treats an ExUnit run with failures as failed even without an exit code',
      turns: build([
        'add the station cache',
        {
          calls: [
            {
              name: 'run_command',
              input: 'cd apps/ingest && mix test',
              output:
                '** (ArgumentError) errors were found at the given arguments:\n\n  * 1st argument: the table identifier does not refer to an existing ETS table\n\n4 tests, 1 failure',
            },
          ],
        },
        {
          say: 'Fix: give the table a long-lived owner. I will make `Ingest.Stations` a GenServer that creates the table in `init/1`.',
          calls: [
            edit(
              'lib/ingest/stations.ex',
              'def lookup(id)',
              'use GenServer\n  def init(_), do: {:ok, :ets.new(:stations, [:named_table, :public])}\n  def lookup(id)',
            ),
            {
              name: 'run_command',
              input: 'cd apps/ingest && mix test',
              output: '4 tests, 0 failures',
            },
          ],
        },
        'great',
      ]),
      want: { kind: 'error_resolution' },
    },
    {
      name: 'takes the option the user says they went with',
      turns: build([
        'the app cannot reach the API:\n```\nUnhandled Exception: SocketException: Connection refused (OS Error: Connection refused, errno = 111), address = localhost\n```',
        {
          say: 'On the Android emulator `localhost` is the emulator itself. Two ways to handle it:\n\n1. Use `10.0.2.2` when running on the Android emulator:\n2. Run `adb reverse tcp:8080 tcp:8080` once per emulator.',
        },
        'went with 10.0.2.2 via the config function, works now',
      ]),
      want: {
        kind: 'error_resolution',
        fix: 'Use `10.0.2.2` when running on the Android emulator.',
      },
    },
    {
      name: 'learns nothing from a shell start-up hook the command never ran',
      turns: build([
        'run the integration tests',
        {
          calls: [
            {
              name: 'run_terminal_cmd',
              input: 'cd agent',
              output:
                "(eval):3: parse error near `cursor_snap_ENV_VARS...'\nzsh:1: command not found: dump_zsh_state",
            },
            { name: 'run_terminal_cmd', input: 'pwd', output: '/' },
          ],
        },
        'ok',
      ]),
    },
    {
      name: 'learns the PowerShell way to run a script in the current folder, without an exit code',
      turns: build([
        'build it',
        {
          calls: [
            {
              name: 'run_terminal_cmd',
              input: 'gradlew build',
              output:
                "gradlew: The term 'gradlew' is not recognized as a name of a cmdlet, function, script file, or executable program.",
            },
            {
              name: 'run_terminal_cmd',
              input: '.\\gradlew build',
              output: 'BUILD SUCCESSFUL in 41s',
            },
          ],
        },
        'thanks',
      ]),
      want: {
        kind: 'workaround',
        fix: 'Run `gradlew` from the current folder as `.\\gradlew`: the shell does not look there.',
      },
    },
    {
      name: 'learns an error told in prose, fixed as the assistant names it, and left behind for another',
      turns: build([
        'I tried to open the meal planner and I got this error:\nthe binding used in `from` must be selected in `select` when using `preload` in query:\n\nfrom b0 in Booking',
        {
          say: 'When you use `select` with a map in Ecto, you cannot also use `preload`. The solution is to remove the `preload` line since the select already has every field.',
        },
        'Now I am getting this error: structs expect an :id key when converting to_param',
      ]),
      want: {
        kind: 'error_resolution',
        error:
          'the binding used in `from` must be selected in `select` when using `preload` in query:',
        fix: 'Remove the `preload` line.',
      },
    },
    {
      name: 'learns nothing from an error told in prose that the user says is still there',
      turns: build([
        'When I save I get this error: no function clause matching in MealLive.handle_event/3',
        { say: 'The solution is to rename the event to "save".' },
        'it seems I am getting the same issue: no function clause matching in MealLive.handle_event/3',
      ]),
    },
    {
      name: 'learns the route the assistant took round a limit the user named',
      turns: build([
        'neither. the provider does not allow pg_partman or pg_cron on our plan, I already asked. we have k8s though',
        {
          say: 'Since pg_partman and pg_cron are not available, partitions are created by `create_partitions()` and a daily Kubernetes CronJob that calls it with `psql`.',
          calls: [ok('goose up', 'OK 2026_partition_fn.sql')],
        },
        'good, commit it',
      ]),
      want: {
        kind: 'workaround',
        error: 'pg_partman or pg_cron is not available',
        fix: 'Partitions are created by `create_partitions()` and a daily Kubernetes CronJob that calls it with `psql`.',
      },
    },
    {
      name: 'learns no route round a limit when the work after it failed',
      turns: build([
        'the provider does not allow pg_cron on our plan',
        {
          say: 'Since pg_cron is not available, a Kubernetes CronJob will call the function.',
          calls: [
            fail(
              'kubectl apply -f cronjob.yaml',
              'error: the server has asked for the client to provide credentials',
            ),
          ],
        },
        'hm',
      ]),
    },
    {
      name: 'learns the command that got a re-run past one error and on to another',
      turns: build([
        'start a worker and check it end to end',
        {
          calls: [
            {
              name: 'run_terminal_cmd',
              input: 'php bin/console messenger:consume async --limit=1',
              output:
                'In AbstractTransportFactory.php line 41:\n\n  [Symfony\\Component\\Messenger\\Exception\\InvalidArgumentException]\n  No transport supports the given Messenger DSN "amqp://rabbitmq:5672/%2f/messages".',
            },
            {
              name: 'run_terminal_cmd',
              input: 'composer require symfony/amqp-messenger',
              output: './composer.json has been updated\nLock file operations: 1 install',
            },
            {
              name: 'run_terminal_cmd',
              input: 'php bin/console messenger:consume async --limit=1',
              output:
                'In Connection.php line 118:\n\n  [Symfony\\Component\\Messenger\\Exception\\LogicException]\n  You cannot use the Connection as the "amqp" extension is not installed.',
            },
          ],
        },
        'we cannot change that image',
      ]),
      want: {
        kind: 'error_resolution',
        fix: 'Run `composer require symfony/amqp-messenger` first, then `php bin/console messenger:consume`.',
      },
    },
    {
      name: 'learns the folder a command has to run from when a lone cd made it pass',
      turns: build([
        'build it',
        {
          calls: [
            fail(
              'npm test',
              "npm ERR! code ENOENT\nnpm ERR! enoent Could not read package.json: Error: ENOENT: no such file or directory, open '/home/ana/package.json'",
            ),
            ok('cd /home/ana/src/probe/web'),
            ok('npm test', 'Tests: 12 passed'),
          ],
        },
        'thanks',
      ]),
      want: { kind: 'error_resolution', fix: 'Run `npm test` from `/home/ana/src/probe/web`.' },
    },
    {
      name: "learns from the error an Aider reply quotes after 'What's wrong? Fix'",
      turns: build([
        "What's wrong? Fix",
        {
          say: "The build uses `-Werror` and the error is:\n\n```\nsrc/ringbuf.c:58:16: error: comparison of integer expressions of different signedness: 'int' and 'size_t' [-Werror=sign-compare]\n```\n\nUse `size_t` for the index:\n\nsrc/ringbuf.c\n```c\n<<<<<<< SEARCH\n    for (int i = 0; i < len; i++) {\n=======\n    for (size_t i = 0; i < len; i++) {\n>>>>>>> REPLACE\n```",
        },
        'it built but now:\ntests/test_ringbuf.c:97:test_peek:FAIL: Expected 114 Was 113',
      ]),
      want: {
        kind: 'error_resolution',
        error:
          "error: comparison of integer expressions of different signedness: 'int' and 'size_t' [-Werror=sign-compare]",
        fix: 'Use `size_t` instead of `int` in `ringbuf.c`.',
      },
    },
    {
      name: 'does not take another subcommand of the same tool, run through npx, for a re-run',
      turns: build([
        'add the two tasks',
        {
          say: "You're right - task-master is the single source of truth for tasks. Let me add those two tasks.\n\nThe task-master setup seems incomplete. Let me fix the tag issue.",
          calls: [
            fail(
              'npx task-master add-task --prompt="Review the roadmap"',
              'Error: Tag "master" does not exist. Please create it first using the \'add-tag\' command',
            ),
            ok('npx task-master add-tag dev', 'Created tag dev'),
            ok('npx task-master --version', '0.19.0'),
          ],
        },
        'ok',
      ]),
    },
    {
      name: 'names the settings block added with a Gradle plugin, not the word alias',
      turns: build([
        'build it',
        {
          calls: [
            fail(
              './gradlew :app:assembleDebug',
              'e: [ksp] /src/AppDatabase.kt:6: Schema export directory was not provided to the annotation processor so Room cannot export the schema.',
            ),
            edit(
              'app/build.gradle.kts',
              'plugins {',
              'plugins {\n    alias(libs.plugins.androidx.room)\nroom {\n    schemaDirectory("$projectDir/schemas")',
            ),
            ok('./gradlew :app:assembleDebug', 'BUILD SUCCESSFUL in 41s'),
          ],
        },
        'thanks',
      ]),
      want: {
        kind: 'error_resolution',
        fix: 'Add `alias(libs.plugins.androidx.room) room { schemaDirectory("$projectDir/schemas")` to `build.gradle.kts`.',
      },
    },
    {
      name: 'tells commands run inside one docker compose service apart, and names a one-line swap',
      turns: build([
        'test the dag',
        {
          calls: [
            fail(
              'docker compose exec -T airflow-scheduler airflow dags test orders 2025-09-30',
              'airflow.exceptions.AirflowException: Invalid arguments were passed to S3KeySensor (task_id: wait)',
            ),
            ok(
              'docker compose exec -T airflow-scheduler pip show apache-airflow-providers-amazon',
              'Version: 7.4.1',
            ),
            edit('dags/orders.py', '        deferrable=True,', '        mode="reschedule",'),
            ok(
              'docker compose exec -T airflow-scheduler airflow dags test orders 2025-09-30',
              'Marking task as SUCCESS',
            ),
          ],
        },
        'good',
      ]),
      want: {
        kind: 'error_resolution',
        fix: 'Use `mode="reschedule"` instead of `deferrable=True` in `orders.py`.',
      },
    },
    {
      name: "reads the next run's log as the re-run of a failure seen in a job log",
      turns: build([
        'resume the training run',
        {
          calls: [
            {
              name: 'shell',
              input: "bash -lc sleep 420; grep -v '^\\s*$' logs/segroads-4418262.out | tail -25",
              output:
                '[rank1]: RuntimeError: It looks like your LightningModule has parameters that were not used in producing the loss returned by training_step',
              exitCode: 1,
            },
            {
              name: 'apply_patch',
              input:
                '*** Begin Patch\n*** Update File: configs/r18_resume.yaml\n@@\n+trainer:\n+  strategy: ddp_find_unused_parameters_true\n*** End Patch',
              output: 'Success. Updated the following files:\nM configs/r18_resume.yaml',
            },
            {
              name: 'shell',
              input: 'bash -lc sbatch scripts/train.sbatch',
              output: 'Submitted batch job 4418270',
              exitCode: 0,
            },
            {
              name: 'shell',
              input: 'bash -lc sleep 600; tail -5 logs/segroads-4418270.out',
              output: 'Epoch 62: 100%|██████████| 912/912 train/loss=0.214',
              exitCode: 0,
            },
          ],
        },
        'great, submit the full run',
      ]),
      want: {
        kind: 'error_resolution',
        fix: 'Add `trainer: strategy: ddp_find_unused_parameters_true` to `r18_resume.yaml`.',
      },
    },
    {
      name: "learns the PowerShell variable a re-run set, after a route that 'works with' something",
      turns: build([
        'run the service tests',
        {
          calls: [
            {
              name: 'run_terminal_cmd',
              input: 'pnpm ng test --watch=false',
              output:
                '13 11 2025 09:27:41.098:ERROR [launcher]: No binary for ChromeHeadless browser on your platform.\n  Please, set "CHROME_BIN" env variable.',
            },
          ],
        },
        "yeah there's no chrome on these laptops. point CHROME_BIN at edge, it works with the ChromeHeadless launcher",
        {
          calls: [
            {
              name: 'run_terminal_cmd',
              input: '$env:CHROME_BIN = "C:\\Edge\\msedge.exe"; pnpm ng test --watch=false',
              output: 'Executed 14 of 14 SUCCESS',
            },
          ],
        },
        'nice',
      ]),
      want: {
        kind: 'error_resolution',
        error: '`pnpm ng test`: No binary for ChromeHeadless browser on your platform',
        fix: 'Run `pnpm ng test` with `CHROME_BIN="C:\\Edge\\msedge.exe"` set.',
      },
    },
    {
      name: 'names the package change, not the rebuild, among the commands before a re-run',
      turns: build([
        'package it and start it',
        {
          calls: [
            fail(
              './dist/App.app/Contents/MacOS/App',
              "Error: Cannot find module 'electron-updater'",
            ),
            ok('npm uninstall electron-updater', 'removed 3 packages'),
            ok('npm install electron-updater@6 --save', 'added 3 packages'),
            ok('npm run dist -- --mac dir', 'building target=dir'),
            ok('./dist/App.app/Contents/MacOS/App', 'Checking for update'),
          ],
        },
        'works',
      ]),
      want: {
        kind: 'error_resolution',
        fix: 'Run `npm uninstall electron-updater && npm install electron-updater@6 --save` first, then `App`.',
      },
    },
    {
      name: 'takes the line the prose names from a file written anew',
      turns: build([
        'add the index migration',
        {
          say: 'goose runs each migration in a transaction unless the file starts with `-- +goose NO TRANSACTION`. Rewriting it that way.',
          calls: [
            fail(
              'goose -dir db/migrations postgres "$DSN" up',
              'goose run: ERROR 2026_idx.sql: failed to run SQL migration: ERROR: CREATE INDEX CONCURRENTLY cannot run inside a transaction block (SQLSTATE 25001)',
            ),
            {
              name: 'Write',
              input: JSON.stringify({
                file_path: 'db/migrations/2026_idx.sql',
                content:
                  '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY a_idx ON a (x);\nCREATE INDEX CONCURRENTLY b_idx ON b (y);\n-- +goose Down\nDROP INDEX a_idx;\nDROP INDEX b_idx;',
              }),
              output: 'File written.',
            },
            ok('goose -dir db/migrations postgres "$DSN" up', 'OK 2026_idx.sql'),
          ],
        },
        'thanks',
      ]),
      want: {
        kind: 'error_resolution',
        error:
          '`goose`: CREATE INDEX CONCURRENTLY cannot run inside a transaction block (SQLSTATE 25001)',
        fix: 'Add `-- +goose NO TRANSACTION` to `2026_idx.sql`.',
      },
    },
  ];

  it.each(cases)('$name', ({ turns, want }) => {
    const found = lessons(turns);
    if (!want) expect(found).toEqual([]);
    else expect(found).toMatchObject([want]);
  });
});

describe('errorLine', () => {
  it.each([
    [
      "Go's compiler output",
      '# example.com/svc/gen/v1\ngen/v1/inventory_grpc.pb.go:19:16: undefined: grpc.SupportPackageIsVersion9\ngen/v1/inventory_grpc.pb.go:47:39: undefined: grpc.StaticMethod',
      'undefined: grpc.SupportPackageIsVersion9',
    ],
    [
      'a tool naming itself before the error',
      'xcodebuild: error: Unable to find a destination matching the provided destination specifier:',
      'error: Unable to find a destination matching the provided destination specifier:',
    ],
    [
      'the linker line under ninja and west wrappers',
      "FAILED: zephyr/zephyr_pre0.elf zephyr/zephyr_pre0.map\n/opt/toolchain/arm-zephyr-eabi/bin/ld.bfd: region `RAM' overflowed by 2312 bytes\ncollect2: error: ld returned 1 exit status\nFATAL ERROR: command exited with status 1: cmake --build build",
      "region `RAM' overflowed by 2312 bytes",
    ],
    [
      "Vite's internal server error from a plugin",
      '[vite] Internal server error: [sass] Undefined mixin.\n   ╷\n14 │   @include up(md) {',
      'Undefined mixin',
    ],
    [
      'a Dart Sass deprecation warning',
      'Deprecation Warning [slash-div]: Using / for division outside of calc() is deprecated.',
      'Deprecation Warning [slash-div]: Using / for division outside of calc() is deprecated',
    ],
    [
      "Erlang's bad-argument error with the argument it names",
      '** (ArgumentError) errors were found at the given arguments:\n\n  * 1st argument: the table identifier does not refer to an existing ETS table\n\n4 tests, 1 failure',
      'ArgumentError: errors were found at the given arguments: 1st argument: the table identifier does not refer to an existing ETS table',
    ],
    [
      "the root cause at the end of Java's chain of wrapped exceptions",
      "org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'flywayInitializer'\n\tat org.springframework.Foo.bar(Foo.java:12)\nCaused by: org.flywaydb.core.internal.command.DbMigrate$FlywayMigrateException: Migration V7__index.sql failed\nCaused by: org.postgresql.util.PSQLException: ERROR: CREATE INDEX CONCURRENTLY cannot run inside a transaction block",
      'org.postgresql.util.PSQLException: ERROR: CREATE INDEX CONCURRENTLY cannot run inside a transaction block',
    ],
    [
      'a Ruby error named with :: namespaces',
      'it fails:\n\nError:\nDigestMailerTest#test_weekly:\nActionView::Template::Error: Missing host to link to! Please provide the :host parameter\n    app/views/digest_mailer/weekly.text.erb:6',
      'ActionView::Template::Error: Missing host to link to! Please provide the :host parameter',
    ],
    [
      'the last exception of a Python traceback',
      'Traceback (most recent call last):\n  File "/x/app.py", line 3, in <module>\n    import yaml\nModuleNotFoundError: No module named \'yaml\'',
      "ModuleNotFoundError: No module named 'yaml'",
    ],
    [
      "a Rust panic's message",
      "thread 'main' panicked at library/std/src/io/stdio.rs:1123:9:\nfailed printing to stdout: Broken pipe (os error 32)",
      'panic: failed printing to stdout: Broken pipe',
    ],
    [
      'the assertion under a Go test failure',
      '--- FAIL: TestMissing (0.00s)\n    store_test.go:41: got 500, want 404\nFAIL',
      'TestMissing fails: got 500, want 404',
    ],
    [
      'the cause, not the make wrapper, of a build failure',
      'src/a.c:3:10: fatal error: zlib.h: No such file or directory\ncompilation terminated.\nmake: *** [Makefile:9: a.o] Error 1',
      'fatal error: zlib.h: No such file or directory',
    ],
    [
      'a named error on its own line, joined with the next one',
      'LoadError:\n  cannot load such file -- webmock/rspec\n# ./spec/x_spec.rb:2',
      'LoadError: cannot load such file -- webmock/rspec',
    ],
    [
      'the last log-level error inside a longer log line',
      '2026/10/02 07:55:31 goose run: ERROR 20261002_partition.sql: failed to run SQL migration: failed to execute SQL query "CREATE TABLE events_p (...)": ERROR: unique constraint on partitioned table must include all partitioning columns (SQLSTATE 0A000)',
      'unique constraint on partitioned table must include all partitioning columns (SQLSTATE 0A000)',
    ],
    [
      "Gomega's unexpected error above a bare Go test failure",
      'Will run 7 of 7 specs\n[FAILED] in [BeforeSuite] - suite_test.go:71\n  Unexpected error:\n      <*fmt.wrapError | 0xc0004a2c40>: \n      unable to start control plane itself: fork/exec /usr/local/kubebuilder/bin/etcd: no such file or directory\n      {\n  occurred\n--- FAIL: TestControllers (0.01s)\nFAIL',
      'unable to start control plane itself: fork/exec etcd: no such file or directory',
    ],
    [
      'the test name when a Go failure says nothing more',
      '--- FAIL: TestSync (0.00s)\nFAIL\nFAIL\tgithub.com/x/y\t0.01s',
      'TestSync fails',
    ],
    [
      "Symfony console's boxed exception",
      'In AbstractTransportFactory.php line 41:\n\n  [Symfony\\Component\\Messenger\\Exception\\InvalidArgumentException]\n  No transport supports the given Messenger DSN "amqp://rabbitmq:5672/%2f/messages".\n\nmessenger:consume',
      'InvalidArgumentException: No transport supports the given Messenger DSN "amqp://rabbitmq:5672/%2f/messages"',
    ],
    [
      "a PowerShell cmdlet's error",
      'Get-Content: The input object cannot be bound to any parameters for the command either because the command does not take pipeline input.',
      'Get-Content: The input object cannot be bound to any parameters for the command either because the command does not take pipeline input',
    ],
    [
      "Flyway's message under Spring's wrapping exception",
      "SchemaTest > conventions() FAILED\n    org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'flywayInitializer': Migration V14__x.sql failed\n    ---------------\n    SQL State  : 25001\n    Error Code : 0\n    Message    : ERROR: CREATE INDEX CONCURRENTLY cannot run inside a transaction block\n    Location   : db/migration/V14__x.sql",
      'CREATE INDEX CONCURRENTLY cannot run inside a transaction block',
    ],
    [
      "KSP's error line",
      'w: [ksp] /src/AppDatabase.kt:6: Schema export directory was not provided.\ne: [ksp] /src/AppDatabase.kt:6: Schema export directory was not provided to the annotation processor so Room cannot export the schema.\n\nFAILURE: Build failed with an exception.',
      'Schema export directory was not provided to the annotation processor so Room cannot export the schema',
    ],
    [
      "the compiler's error, not the wasm-pack 'Caused by' wrapper under it",
      'error: the wasm*-unknown-unknown targets are not supported by default, you may need to enable the "js" feature.\nerror: could not compile `getrandom` (lib) due to 2 previous errors\nError: Compiling your crate to WebAssembly failed\nCaused by: Compiling your crate to WebAssembly failed\nCaused by: failed to execute `cargo build`: exited with exit status: 101',
      'error: the wasm*-unknown-unknown targets are not supported by default, you may need to enable the "js" feature',
    ],
    [
      "Binaryen's validator error",
      '[INFO]: Optimizing wasm binaries with `wasm-opt`...\n[wasm-validator error in function 7] unexpected false: memory.copy operations require bulk memory operations [--enable-bulk-memory-opt], on\nFatal: error validating input\nError: failed to execute `wasm-opt`: exited with exit status: 1',
      'memory.copy operations require bulk memory operations [--enable-bulk-memory-opt], on',
    ],
    [
      "a rank-prefixed Python error under srun's wrapper line",
      'Epoch 61:   4%|▍ | 37/912\n[rank1]: Traceback (most recent call last):\n[rank1]:   File "train.py", line 31, in main\n[rank1]: RuntimeError: It looks like your LightningModule has parameters that were not used in producing the loss returned by training_step\nsrun: error: gpu-a100-n03: task 1: Exited with exit code 1',
      'RuntimeError: It looks like your LightningModule has parameters that were not used in producing the loss returned by training_step',
    ],
    [
      "electron-builder's cross-marked error",
      '  • signing         file=dist/mac-arm64/App.app platform=darwin\n  ⨯ Cannot find identity "Developer ID Application: Acme (7QK2)" in keychain',
      'Cannot find identity "Developer ID Application: Acme (7QK2)" in keychain',
    ],
    ['nothing for output without an error', 'All 12 tests passed', undefined],
  ])('finds %s', (_name, text, want) => {
    expect(errorLine(text)).toBe(want);
  });
});

describe('normaliseError', () => {
  it.each([
    [
      'drops directories, keeping the file name',
      'OSError: cannot open /home/lucia/projects/leafvit/checkpoints/step76.pt',
      'OSError: cannot open step76.pt',
    ],
    [
      'drops line and column numbers',
      'SyntaxError: invalid syntax (app.py:12:4)',
      'SyntaxError: invalid syntax (app.py)',
    ],
    ['drops hex ids', 'panic at 0x7f2c1d0e5b50 in task 9c1e3a2b1f00d2', 'panic at … in task …'],
    [
      'drops sizes',
      'CUDA out of memory. Tried to allocate 2.30 GiB',
      'CUDA out of memory. Tried to allocate N GiB',
    ],
    [
      'keeps a module specifier that looks like a path',
      "Error: Cannot find module '@/lib/money' from 'src/pricing.ts'",
      "Cannot find module '@/lib/money'",
    ],
    [
      'keeps words joined by slashes',
      'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress',
      'UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress',
    ],
    [
      'names the package of a node_modules path',
      'require() of ES Module /home/u/app/node_modules/node-fetch/src/index.js not supported',
      'require() of ES Module node-fetch not supported',
    ],
  ])('%s', (_name, line, want) => {
    expect(normaliseError(line)).toBe(want);
  });
});

describe('a failure no format flags', () => {
  it.each([
    [
      'cd agent',
      "(eval):3: parse error near `cursor_snap_ENV_VARS...'\nzsh:1: command not found: dump_zsh_state",
      true,
    ],
    ['./run.sh', "bash: line 1: syntax error near unexpected token `('", true],
    ['sh -c "x("', 'sh: 1: Syntax error: "(" unexpected', true],
    ['zsh -c "{"', "zsh: parse error near `}'", true],
    [
      'grep -rn "syntax error near" .',
      'src/run.sh: syntax error near unexpected token, see the notes',
      false,
    ],
    ['cat NOTES.md', 'Parse error near the top of the file is explained below.', false],
    ['npm test', 'Tests: 12 passed, 12 total', false],
  ])('%s: %j is a failure: %s', (input, output, want) => {
    expect(isFailure({ name: 'run_terminal_cmd', input, output })).toBe(want);
  });
});
