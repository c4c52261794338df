/**
 * A directory owned by one process at a time: a lock file holding the owner's pid, created exclusively.
 * A lock left by a process that has died is taken over; one held by a live process is refused.
 * The witness's state and the embedded studies database both need this (two owners would each
 * believe they are alone: two cosigned trees, or a corrupted postgres).
 */

import { closeSync, fsyncSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The lock is held by a live process (`pid`), or kept reappearing while it was being taken. */
export class PidLockError extends Error {
  override readonly name = 'PidLockError';

  constructor(readonly pid: number | undefined) {
    super(pid === undefined ? 'The lock kept reappearing.' : `The lock is held by process ${pid}.`);
  }
}

export function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return errorCode(error) === 'EPERM';
  }
}

/** Takes `lockFile` (mode 0600, its directory flushed); returns its release. Throws PidLockError. */
export function takePidLock(lockFile: string): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      const directory = openSync(dirname(lockFile), 'r');
      fsyncSync(directory);
      closeSync(directory);
      return () => {
        try {
          unlinkSync(lockFile);
        } catch (error) {
          if (errorCode(error) !== 'ENOENT') throw error;
        }
      };
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(
      (() => {
        try {
          return readFileSync(lockFile, 'utf8');
        } catch {
          return '';
        }
      })(),
      10,
    );
    if (Number.isSafeInteger(holder) && holder > 0 && processIsAlive(holder)) throw new PidLockError(holder);
    // Left by a process that stopped without releasing it: its owner is gone, so it is free.
    try {
      unlinkSync(lockFile);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  }
  throw new PidLockError(undefined);
}
