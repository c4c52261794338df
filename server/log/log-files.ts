/**
 * The transparency log on disk, in one directory (`LOG_DIR`):
 * - `entries.jsonl`: every entry's bytes (RFC 8785 canonical JSON, so one line each), in log order,
 *   only ever appended, and fsync'd before any checkpoint covers them;
 * - `checkpoint`: the latest signed checkpoint with its cosignatures (a C2SP signed note), replaced
 *   atomically (written beside, fsync'd, renamed);
 * - `writer.lock`: held by the one process appending (server/log/publish.ts).
 * Readers, every worker and every instance of a fleet sharing the directory, re-read it when the
 * checkpoint file changes, and serve entries and proofs up to the checkpoint's size only.
 */

import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { type Checkpoint, parseCheckpoint } from '../../shared/log/checkpoint.js';
import { entryBytes, type LogEntry, modelLogEntry, parseLogEntry } from '../../shared/log/entries.js';
import { hashesEqual, leafHash, MerkleTree } from '../../shared/log/merkle.js';
import { parseNote } from '../../shared/log/note.js';

const ENTRIES_FILE = 'entries.jsonl';
const CHECKPOINT_FILE = 'checkpoint';
const LOCK_FILE = 'writer.lock';

/** The directory does not hold a valid log; says which file and what is wrong. */
export class LogFileError extends Error {
  override readonly name = 'LogFileError';
  constructor(file: string, why: string) {
    super(`${file}: ${why}`);
  }
}

export interface LoadedLog {
  readonly entries: readonly LogEntry[];
  /** Each entry's bytes as they are hashed: the line in entries.jsonl. */
  readonly lines: readonly string[];
  readonly tree: MerkleTree;
  /** The latest checkpoint as served (signed note), absent before the first publish. */
  readonly signedCheckpoint?: string;
  readonly checkpoint?: Checkpoint;
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reads and checks the whole log: every line an entry in its canonical form, and the checkpoint's
 * root the tree's root at its size. A last line without its newline is an append cut short by a
 * crash before any checkpoint covered it, and is left out.
 */
export function readLog(dir: string): LoadedLog {
  const entriesFile = join(dir, ENTRIES_FILE);
  const text = readIfExists(entriesFile) ?? '';
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  const lines = complete === '' ? [] : complete.slice(0, -1).split('\n');
  const entries = lines.map((line, index) => {
    let entry: LogEntry;
    try {
      entry = parseLogEntry(JSON.parse(line));
    } catch (error) {
      throw new LogFileError(
        entriesFile,
        `line ${index + 1} is not a log entry (${(error as Error).message})`,
      );
    }
    if (new TextDecoder().decode(entryBytes(entry)) !== line)
      throw new LogFileError(entriesFile, `line ${index + 1} is not in canonical (RFC 8785) form`);
    return entry;
  });
  const encoder = new TextEncoder();
  const tree = new MerkleTree(lines.map((line) => leafHash(encoder.encode(line))));
  const checkpointFile = join(dir, CHECKPOINT_FILE);
  const signedCheckpoint = readIfExists(checkpointFile);
  if (signedCheckpoint === undefined) return { entries, lines, tree };
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(parseNote(signedCheckpoint).text);
  } catch (error) {
    throw new LogFileError(checkpointFile, `is not a signed checkpoint (${(error as Error).message})`);
  }
  if (checkpoint.size > tree.size)
    throw new LogFileError(
      checkpointFile,
      `covers ${checkpoint.size} entries; ${ENTRIES_FILE} has ${tree.size}`,
    );
  if (!hashesEqual(checkpoint.root, tree.root(checkpoint.size)))
    throw new LogFileError(
      checkpointFile,
      `its root is not the root of the first ${checkpoint.size} entries`,
    );
  return { entries, lines, tree, signedCheckpoint, checkpoint };
}

/** Appends entries and fsyncs them, first cutting off a line a crash left unfinished. */
export function appendEntries(dir: string, lines: readonly string[]): void {
  const file = join(dir, ENTRIES_FILE);
  const text = readIfExists(file);
  const complete = text?.slice(0, text.lastIndexOf('\n') + 1);
  if (complete !== text) replaceFile(file, complete ?? '');
  const fd = openSync(file, 'a', 0o644);
  try {
    if (lines.length > 0) writeSync(fd, lines.map((line) => `${line}\n`).join(''));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if (text === undefined) syncDirectory(dir);
}

/** Replaces the checkpoint atomically: readers see the old one or the new one, never a part. */
export function writeCheckpoint(dir: string, signedCheckpoint: string): void {
  replaceFile(join(dir, CHECKPOINT_FILE), signedCheckpoint);
}

function replaceFile(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  syncDirectory(dirname(file));
}

/** A rename is durable only once its directory is. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** How long a publisher waits for another one (another worker or instance) to finish. */
const LOCK_WAIT_MS = 30_000;
const LOCK_POLL_MS = 50;

/**
 * Runs `write` as the log's one writer: `writer.lock` is created exclusively and holds the writer's
 * pid; one left by a process that no longer runs on this machine is taken over.
 */
export async function asLogWriter<T>(dir: string, write: () => Promise<T>): Promise<T> {
  const lock = join(dir, LOCK_FILE);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o644);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readIfExists(lock));
      if (Number.isSafeInteger(holder) && holder > 0 && !isRunning(holder)) {
        takeOverStaleLock(lock, holder);
        continue;
      }
      if (Date.now() > deadline)
        throw new LogFileError(lock, `another process (pid ${holder}) has been writing the log for too long`);
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    return await write();
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * Moves a dead writer's lock aside, atomically: of several waiters that saw it dead, one rename
 * wins. A waiter that moved a lock another waiter had just made (the dead one's already gone)
 * puts it back, unless a third made one meanwhile — a race of three within a few system calls.
 */
function takeOverStaleLock(lock: string, deadPid: number): void {
  const aside = `${lock}.${process.pid}.stale`;
  try {
    renameSync(lock, aside);
  } catch {
    return; // Another waiter moved it first.
  }
  if (Number(readIfExists(aside)) !== deadPid) {
    try {
      linkSync(aside, lock);
    } catch {
      // A new lock exists already: its maker holds the log.
    }
  }
  rmSync(aside, { force: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The log as its readers serve it, re-read whenever the checkpoint file changes (a publish by this
 * or another process).
 */
export class LogReader {
  readonly #dir: string;
  #stamp = '';
  #loaded: LoadedLog | undefined;

  constructor(dir: string) {
    this.#dir = dir;
  }

  current(): LoadedLog {
    const stamp = this.#checkpointStamp();
    if (!this.#loaded || stamp !== this.#stamp) {
      this.#loaded = readLog(this.#dir);
      this.#stamp = stamp;
    }
    return this.#loaded;
  }

  #checkpointStamp(): string {
    try {
      const { mtimeMs, size, ino } = statSync(join(this.#dir, CHECKPOINT_FILE));
      return `${ino}:${mtimeMs}:${size}`;
    } catch {
      return 'none';
    }
  }
}

const indexByLine = new WeakMap<LoadedLog, Map<string, number>>();

/**
 * Where a v2 catalog entry is in the log: the index of exactly its bytes as a model entry, within
 * the served checkpoint; undefined while it is not yet covered by one.
 */
export function loggedIndex(log: LoadedLog, catalogEntry: object): number | undefined {
  let lines = indexByLine.get(log);
  if (!lines) {
    lines = new Map(log.lines.slice(0, log.checkpoint?.size ?? 0).map((line, index) => [line, index]));
    indexByLine.set(log, lines);
  }
  return lines.get(loggedLine(catalogEntry));
}

const lineOfEntry = new WeakMap<object, string>();

/** A catalog entry's line in the log; the catalog's entries are made once, so each is encoded once. */
function loggedLine(catalogEntry: object): string {
  let line = lineOfEntry.get(catalogEntry);
  if (line === undefined) {
    const entry = modelLogEntry(catalogEntry as Readonly<Record<string, unknown>>);
    line = new TextDecoder().decode(entryBytes(entry));
    lineOfEntry.set(catalogEntry, line);
  }
  return line;
}
