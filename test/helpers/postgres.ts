/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` + `pg_ctl` in a temp
 * directory, listening on 127.0.0.1 at a free port with its socket in the same directory,
 * trust authentication, stopped (`pg_ctl stop -m immediate`) by `stop()` and at process exit.
 * Runs the server as the `postgres` OS user when we are root, since initdb refuses root.
 * @module
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running cluster. */
export interface PostgresServer {
  /** Connection string of the `postgres` database as superuser `attune`. */
  url: string;
  port: number;
  /** Creates an empty database and returns its connection string. */
  createDatabase(name?: string): Promise<string>;
  stop(): void;
}

/** Where initdb and pg_ctl are, or why PostgreSQL tests cannot run. */
export function findPostgres(): { binDir: string } | { reason: string } {
  const candidates: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) {
      candidates.push(dir);
    }
  }
  const lib = '/usr/lib/postgresql';
  if (existsSync(lib)) {
    const versions = readdirSync(lib).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join(lib, v, 'bin'));
  }
  const binDir = candidates.find(
    (d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')),
  );
  if (!binDir) {
    return {
      reason:
        'PostgreSQL binaries (initdb, pg_ctl) were not found on PATH or in /usr/lib/postgresql/*/bin; install postgresql to run these tests',
    };
  }
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) {
    return { reason: 'running as root and there is no `postgres` OS user to run initdb as' };
  }
  return { binDir };
}

/** Skip reason for `describe.skipIf`, warned once; undefined when PostgreSQL is available. */
export function postgresSkipReason(): string | undefined {
  const found = findPostgres();
  if ('reason' in found) {
    console.warn(`Skipping PostgreSQL tests: ${found.reason}.`);
    return found.reason;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /**
   * Turn fsync off: fine for tests (the cluster is thrown away), wrong for benchmarks.
   * @default true
   */
  fast?: boolean;
}

/** Starts a cluster; throws with initdb's or the server log's output when it cannot. */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const found = findPostgres();
  if ('reason' in found) throw new Error(found.reason);
  const bin = (name: string) => join(found.binDir, name);
  const root = mkdtempSync(join(tmpdir(), 'attune-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(root, uid, gid);
  }
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    const r = spawnSync(file, argv, { encoding: 'utf8', cwd: root });
    if (r.status !== 0) {
      throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
  };
  const data = join(root, 'data');
  const log = join(root, 'server.log');
  run(bin('initdb'), [
    '-D',
    data,
    '-U',
    'attune',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const port = await freePort();
  const serverOptions = [
    '-c listen_addresses=127.0.0.1',
    `-p ${port}`,
    `-k ${root}`,
    '-c max_connections=200',
    ...(options.fast === false ? [] : ['-c fsync=off', '-c synchronous_commit=off']),
  ].join(' ');
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    const args = ['stop', '-m', 'immediate', '-D', data];
    spawnSync(
      asRoot ? 'runuser' : bin('pg_ctl'),
      asRoot ? ['-u', 'postgres', '--', bin('pg_ctl'), ...args] : args,
    );
    rmSync(root, { recursive: true, force: true });
  };
  process.on('exit', stop);
  try {
    run(bin('pg_ctl'), ['start', '-w', '-t', '60', '-D', data, '-l', log, '-o', serverOptions]);
  } catch (error) {
    const text = existsSync(log) ? spawnSync('cat', [log], { encoding: 'utf8' }).stdout : '';
    stop();
    throw new Error(`${(error as Error).message}\nserver log:\n${text}`);
  }
  const url = `postgres://attune@127.0.0.1:${port}/postgres`;
  let next = 0;
  return {
    url,
    port,
    stop,
    async createDatabase(name = `t_${process.pid}_${++next}`) {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      } finally {
        await client.end();
      }
      return `postgres://attune@127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
  };
}
