/**
 * A PostgreSQL server for the tests of the studies' database: Debian's postgres (`.ci/run` installs it;
 * elsewhere: apt-get install postgresql), a cluster of its own in a temporary directory, on a free
 * loopback port, trust authentication, fsync on as in production. Not the package's cluster or service.
 * postgres refuses to run as root: as root (CI) it runs as the `postgres` system user.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../fleet/test-support.js';

const POSTGRES_LIB = '/usr/lib/postgresql';
const READY_TIMEOUT_MS = 30_000;

export interface PostgresServer {
  readonly port: number;
  /** A new, empty database on the server: its URL. */
  createDatabase(): Promise<string>;
  /** Stops postgres as a crash would (SIGQUIT: no checkpoint; the next start replays the WAL), then starts it again. */
  crashAndRestart(): Promise<void>;
  stop(): Promise<void>;
}

/** The newest PostgreSQL the system has (Debian: /usr/lib/postgresql/<major>/bin). */
function postgresBinDir(): string {
  const majors = existsSync(POSTGRES_LIB)
    ? readdirSync(POSTGRES_LIB)
        .filter((entry) => /^\d+$/.test(entry) && existsSync(join(POSTGRES_LIB, entry, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const major = process.env.POSTGRES_BIN_DIR ? undefined : majors[0];
  const dir = process.env.POSTGRES_BIN_DIR ?? (major && join(POSTGRES_LIB, major, 'bin'));
  if (!dir) throw new Error(`No PostgreSQL under ${POSTGRES_LIB}: apt-get install postgresql.`);
  return dir;
}

/** The command prefix that runs postgres as a user it accepts. */
function asPostgresUser(): string[] {
  return userInfo().uid === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
}

function run(command: string[]): ChildProcess {
  const [file, ...args] = [...asPostgresUser(), ...command];
  return spawn(file as string, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

let databases = 0;

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'sealed-vitals-postgres-'));
  if (userInfo().uid === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const [file, ...args] = [
    ...asPostgresUser(),
    join(bin, 'initdb'),
    '--pgdata',
    data,
    '--auth',
    'trust',
    '--username',
    'postgres',
    '--encoding',
    'UTF8',
    '--no-instructions',
  ];
  execFileSync(file as string, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await freePort();
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;

  let server: ChildProcess;
  let serverLog = '';
  const launch = async () => {
    server = run([
      join(bin, 'postgres'),
      '-D',
      data,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `port=${port}`,
      '-c',
      `unix_socket_directories=${dir}`,
      '-c',
      'fsync=on',
      '-c',
      'synchronous_commit=on',
      '-c',
      'max_connections=100',
    ]);
    serverLog = '';
    server.stderr?.setEncoding('utf8');
    server.stderr?.on('data', (chunk: string) => {
      serverLog = (serverLog + chunk).slice(-4000);
    });
    await untilAccepting(adminUrl, server, () => serverLog);
  };
  /** postgres itself, not runuser in front of it: its pid file's first line. */
  const signal = async (name: NodeJS.Signals) => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = once(server, 'exit');
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, name);
    await exited;
  };
  await launch();

  return {
    port,
    async createDatabase() {
      databases++;
      const name = `test_${process.pid}_${databases}`;
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async crashAndRestart() {
      await signal('SIGQUIT');
      await launch();
    },
    async stop() {
      // SIGINT: the fast shutdown (disconnects clients instead of waiting for them).
      await signal('SIGINT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once postgres accepts a connection (it takes a moment after start, longer after a crash). */
async function untilAccepting(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`postgres exited (${server.exitCode}): ${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`postgres did not accept connections: ${(error as Error).message}\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await client.end().catch(() => {});
    }
  }
}
