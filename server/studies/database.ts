/**
 * The studies' database: embedded PGlite (PostgreSQL in WebAssembly) in a directory under DATA_DIR by
 * default, so `npm start` needs nothing else; with DATABASE_URL, a PostgreSQL server that every instance
 * of a fleet writes to. Both speak the same SQL behind one small interface; opening applies the schema
 * migrations (./migrations.ts) before anything else may use it.
 *
 * Durability. PGlite starts its postgres with fsync off (`-F`), and the Emscripten file system it runs on
 * turns fsync into a no-op, so a commit would reach the kernel but not the disk: it would survive a
 * crash of the process, not of the machine. We start it with fsync on, WAL flushed with fsync(), and give
 * the Emscripten file system a real fsync: a commit resolves only once its WAL is on stable storage, as
 * with a PostgreSQL server (synchronous_commit on, the default, which we never lower).
 */

import { fsyncSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';
import pg from 'pg';
import { errorCode, PidLockError, takePidLock } from '../pid-lock.js';
import { migrate } from './migrations.js';

/** What a statement may be given: the driver maps each to its PostgreSQL type. */
export type SqlParameter = string | number | boolean | null | Uint8Array;

/** Statements, inside a transaction or not. */
export interface Queryable {
  /** One statement with $1… parameters; its rows (empty for a statement that returns none). */
  query<Row>(sql: string, parameters?: readonly SqlParameter[]): Promise<Row[]>;
  /** A script of statements without parameters (a migration). */
  execute(script: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'embedded' | 'server';
  /**
   * Runs `work` in one transaction (READ COMMITTED): committed when it resolves, rolled back when it
   * throws, which it then rethrows. Resolves only after the commit is durable.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Where the studies' data lives, as the settings chose. */
export type DatabaseSetting =
  | { readonly kind: 'embedded'; readonly dir: string }
  | { readonly kind: 'server'; readonly url: string };

/** A setting that cannot be used; the message names it and never repeats a URL (it may hold a password). */
export class DatabaseSettingError extends Error {
  override readonly name = 'DatabaseSettingError';
}

/** The embedded database's directory under DATA_DIR. */
export const EMBEDDED_DIR = 'studies';

/** What a bad DATABASE_URL is told; it never repeats the URL, which may hold a password. */
export function databaseUrlProblem(text: string): string | undefined {
  if (!URL.canParse(text)) return 'is not a URL; use postgres://user:password@host:5432/database.';
  const url = new URL(text);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return 'must start with postgres:// or postgresql://.';
  }
  // A Unix socket is named by ?host=/run/postgresql instead of a host name.
  if (url.hostname === '' && !url.searchParams.has('host')) return 'has no host name.';
  if (!/^\/[^/]+$/.test(url.pathname)) return 'must name one database, e.g. postgres://host/sealed_vitals.';
  return undefined;
}

/**
 * The database the environment chooses: DATABASE_URL's server when it is set, otherwise the embedded
 * database under `dataDir` (DATA_DIR). Throws DatabaseSettingError naming the setting.
 */
export function databaseSetting(
  env: Readonly<Record<string, string | undefined>>,
  dataDir: string,
): DatabaseSetting {
  const url = env.DATABASE_URL;
  if (url === undefined || url === '') return { kind: 'embedded', dir: join(dataDir, EMBEDDED_DIR) };
  const problem = databaseUrlProblem(url);
  if (problem) throw new DatabaseSettingError(`DATABASE_URL ${problem}`);
  return { kind: 'server', url };
}

/** Opens the database and brings its schema up to date (rejects if it is newer than this code). */
export async function openDatabase(setting: DatabaseSetting): Promise<Database> {
  const database = setting.kind === 'embedded' ? await openEmbedded(setting.dir) : openServer(setting.url);
  try {
    await migrate(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

// ---------------------------------------------------------------------------------------------------
// Embedded: PGlite

/** The subset of the Emscripten module that the durable file system patches (not in PGlite's types). */
interface EmscriptenNodeFs {
  readonly NODEFS: { stream_ops: { fsync?: (stream: { nfd?: number }) => number } };
}

/**
 * PGlite's Node file system (the real directory, mounted through Emscripten's NODEFS) with fsync made
 * real: NODEFS has no fsync of its own, so postgres's fsync of a WAL segment or data file would do
 * nothing. `flushes` counts them, for the operator's (and the tests') evidence that commits reach disk.
 */
export class DurableNodeFS extends NodeFS {
  #flushes = 0;

  get flushes(): number {
    return this.#flushes;
  }

  override async init(...args: Parameters<NodeFS['init']>): ReturnType<NodeFS['init']> {
    const result = await super.init(...args);
    const preRun = result.emscriptenOpts.preRun ?? [];
    preRun.push((mod) => {
      (mod as unknown as EmscriptenNodeFs).NODEFS.stream_ops.fsync = (stream) => {
        if (typeof stream.nfd === 'number') {
          fsyncSync(stream.nfd);
          this.#flushes++;
        }
        return 0;
      };
    });
    result.emscriptenOpts.preRun = preRun;
    return result;
  }
}

/** postgres's own start parameters in PGlite, with fsync on and the WAL flushed by fsync (see above). */
const DURABLE_START_PARAMS = [
  ...PGlite.defaultStartParams.filter((parameter) => parameter !== '-F'),
  // fdatasync is a no-op syscall in Emscripten; fsync goes through the file system, which we made real.
  '-c',
  'wal_sync_method=fsync',
  '-c',
  'fsync=on',
  '-c',
  'synchronous_commit=on',
];

const LOCK_FILE = 'lock';
const DATA_SUBDIR = 'pgdata';

/**
 * One process owns an embedded database at a time: two PGlite instances over one directory would each
 * believe they are the only postgres and corrupt it. A lock left by a process that died is taken over.
 */
function lockDirectory(dir: string): () => void {
  const lock = join(dir, LOCK_FILE);
  try {
    return takePidLock(lock);
  } catch (error) {
    if (!(error instanceof PidLockError)) throw error;
    throw new DatabaseSettingError(
      error.pid === undefined
        ? `Cannot lock the studies database in ${dir}: ${lock} keeps reappearing.`
        : `The studies database in ${dir} is open in another process (pid ${error.pid}); the embedded database serves one process: run one with WORKERS=1, or set DATABASE_URL to a PostgreSQL server for several.`,
    );
  }
}

async function openEmbedded(dir: string): Promise<Database> {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new DatabaseSettingError(
      `DATA_DIR: cannot make the studies database directory ${dir} (${errorCode(error) ?? 'error'}).`,
    );
  }
  const unlock = lockDirectory(dir);
  let db: PGlite;
  try {
    db = await PGlite.create({
      fs: new DurableNodeFS(join(dir, DATA_SUBDIR)),
      // Only IndexedDB defers its writes; explicit so that no default can turn it on.
      relaxedDurability: false,
      startParams: DURABLE_START_PARAMS,
    });
  } catch (error) {
    unlock();
    throw error;
  }
  const run = (target: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<Row>(sql: string, parameters: readonly SqlParameter[] = []) {
      return (await target.query<Row>(sql, [...parameters])).rows;
    },
    async execute(script: string) {
      await target.exec(script);
    },
  });
  return {
    kind: 'embedded',
    ...run(db),
    transaction: (work) => db.transaction((tx) => work(run(tx))),
    async close() {
      if (db.closed) return;
      try {
        await db.close();
      } finally {
        unlock();
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Server: PostgreSQL through a pool

const POOL_SIZE = 10;
/** Bounds both connecting and waiting for a free connection of the pool (pg-pool counts them as one). */
const CONNECT_TIMEOUT_MS = 15_000;

function openServer(url: string): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'sealed-vitals',
  });
  // An idle connection that breaks is dropped by the pool and the next query gets a fresh one; without a
  // listener the event would end the process.
  pool.on('error', () => {});
  const run = (target: pg.Pool | pg.PoolClient): Queryable => ({
    async query<Row>(sql: string, parameters: readonly SqlParameter[] = []) {
      return (await target.query(sql, [...parameters])).rows as Row[];
    },
    async execute(script: string) {
      // Without parameters pg uses the simple protocol, which runs several statements.
      await target.query(script);
    },
  });
  let closed = false;
  return {
    kind: 'server',
    ...run(pool),
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(run(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection is gone; it must not go back to the pool.
          broken = rollbackError as Error;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
