/**
 * The witness's memory of each log (C2SP tlog-witness, add-checkpoint: "The witness MUST persist the new
 * checkpoint before responding"): the size and root hash it last cosigned and that cosigned checkpoint,
 * which the monitoring endpoint serves. Losing or rolling back this record would let the witness cosign a
 * fork after a restart, so a save is durable before it resolves (temporary file, fsync, rename, fsync of
 * the directory), and a record that cannot be read is an error, never "this log is new".
 *
 * One file per origin, `<SHA-256(origin) hex>.json` (origins are URLs, with slashes). One process owns a
 * directory at a time (`witness.lock`): two witnesses over one state could each cosign a different tree.
 */

import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hash } from '../../shared/log/merkle.js';
import { errorCode, PidLockError, takePidLock } from '../pid-lock.js';

export interface WitnessState {
  readonly origin: string;
  readonly size: number;
  readonly root: Hash;
  /** The checkpoint as cosigned: its text, the log's verified signatures and the witness's cosignature. */
  readonly checkpoint: string;
}

/** Where a witness keeps its state; the witness serializes calls for one origin. */
export interface WitnessStateStore {
  /** The state last saved for `origin`, undefined if none was; rejects if a record exists but is unreadable. */
  load(origin: string): Promise<WitnessState | undefined>;
  /** Resolves once the state is on stable storage. */
  save(state: WitnessState): Promise<void>;
  close(): Promise<void>;
}

export class StateStoreError extends Error {
  override readonly name = 'StateStoreError';
}

const LOCK_FILE = 'witness.lock';
const HASH_BYTES = 32;

/** Lowercase hex SHA-256 of the origin: the monitoring path's name for a log (tlog-witness) and our file name. */
export function originHash(origin: string): string {
  return createHash('sha256').update(origin, 'utf8').digest('hex');
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `dir/name` atomically: readers see the old bytes or the new, and the new survive a crash. */
async function writeDurably(dir: string, name: string, data: string): Promise<void> {
  const temporary = join(dir, `.${name}.${randomUUID()}.tmp`);
  try {
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, join(dir, name));
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

function decodeState(file: string, origin: string, text: string): WitnessState {
  const fail = (what: string): never => {
    throw new StateStoreError(`The witness state ${file} is unreadable (${what}); restore it from a backup.`);
  };
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return fail('not JSON');
  }
  if (typeof record !== 'object' || record === null) return fail('not an object');
  const { origin: storedOrigin, size, root, checkpoint } = record as Record<string, unknown>;
  if (storedOrigin !== origin) return fail('it is for another origin');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return fail('bad size');
  if (typeof root !== 'string' || !/^[A-Za-z0-9+/]{43}=$/.test(root)) return fail('bad root hash');
  if (typeof checkpoint !== 'string') return fail('bad checkpoint');
  const rootBytes = new Uint8Array(Buffer.from(root, 'base64'));
  if (rootBytes.length !== HASH_BYTES) return fail('bad root hash');
  return { origin, size, root: rootBytes, checkpoint };
}

/** The durable store: one directory, owned by one process while open. */
export class FileStateStore implements WitnessStateStore {
  private closed = false;

  private constructor(private readonly dir: string) {}

  /** Creates the directory if needed (mode 0700) and takes its lock. */
  static async open(dir: string): Promise<FileStateStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await FileStateStore.lock(dir);
    return new FileStateStore(dir);
  }

  private static async lock(dir: string): Promise<void> {
    const lockFile = join(dir, LOCK_FILE);
    try {
      takePidLock(lockFile);
    } catch (error) {
      if (!(error instanceof PidLockError)) throw error;
      throw new StateStoreError(
        error.pid === undefined
          ? `Could not take the lock ${lockFile}; is another witness starting?`
          : `Another witness (process ${error.pid}) uses the state directory ${dir}; if none runs, delete ${lockFile}.`,
      );
    }
  }

  private fileOf(origin: string): string {
    return `${originHash(origin)}.json`;
  }

  async load(origin: string): Promise<WitnessState | undefined> {
    const file = join(this.dir, this.fileOf(origin));
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
    return decodeState(file, origin, text);
  }

  async save(state: WitnessState): Promise<void> {
    if (this.closed) throw new StateStoreError('The witness state store is closed.');
    const record = {
      origin: state.origin,
      size: state.size,
      root: Buffer.from(state.root).toString('base64'),
      checkpoint: state.checkpoint,
    };
    await writeDurably(this.dir, this.fileOf(state.origin), `${JSON.stringify(record)}\n`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await unlink(join(this.dir, LOCK_FILE)).catch(() => undefined);
  }
}
