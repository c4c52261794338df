/**
 * The patient's record of results, kept in this browser only and never sent anywhere. Entries are
 * sealed at rest under the device's data key, which only the crypto worker holds, so every read and
 * write goes through it (web/crypto/sealed-records.ts); nothing here works while the device is locked.
 */

import type { PublicKeyWire } from '../../../shared/wire.js';
import {
  deleteAllSealedHistory,
  deleteSealedHistoryEntry,
  mergeSealedHistory,
  readSealedHistory,
  recordSealedHistory,
} from '../../crypto/client.js';
import type { ResultToKeep } from '../../crypto/protocol.js';
import type { HistoryEntry } from './entry.js';

export { type HistoryEntry, isHistoryEntry, type NewHistoryEntry } from './entry.js';

const CHANGED_CHANNEL = 'sealed-vitals:history-changed';

export interface History {
  /** Oldest first. */
  readonly entries: readonly HistoryEntry[];
  /** Stored records this version cannot read; left in place, never overwritten. */
  readonly unreadable: number;
}

/**
 * Keeps a result shown; the worker adds the answer its run verified, still encrypted, and how the
 * request's key was blinded (δ), sealed with it.
 */
export async function recordResult(kept: ResultToKeep): Promise<void> {
  await recordSealedHistory(kept);
}

export function readHistory(): Promise<History> {
  return readSealedHistory();
}

export async function deleteEntry(id: string): Promise<void> {
  await deleteSealedHistoryEntry(id);
}

export async function deleteAllHistory(): Promise<void> {
  await deleteAllSealedHistory();
}

/**
 * Adds entries this device does not have yet (same id = same entry): a backup's, or one brought back
 * by Undo. Returns how many were added and how many were not valid entries and were skipped.
 */
export function mergeHistory(candidates: readonly unknown[]): Promise<{ added: number; skipped: number }> {
  return mergeSealedHistory(candidates);
}

/** Calls `listener` when any tab of this site changes the history; returns the unsubscribe. */
export function onHistoryChanged(listener: () => void): () => void {
  const channel = new BroadcastChannel(CHANGED_CHANNEL);
  channel.addEventListener('message', listener);
  return () => channel.close();
}

/** The key set (current or older) whose key this entry's request was encrypted to (or blinded from). */
export function keySetOf<S extends { readonly publicKeys: readonly PublicKeyWire[] }>(
  entry: HistoryEntry,
  keySets: readonly S[],
): S | undefined {
  const { group, y } = entry.sealed.blinding?.base ?? entry.sealed.publicKey;
  return keySets.find((set) => set.publicKeys.some((key) => key.group === group && key.y === y));
}
