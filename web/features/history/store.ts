/**
 * The patient's record of results, kept in this browser only (IndexedDB) and never sent anywhere:
 * each entry is what was computed, the inputs as entered, the decrypted result, when, and the
 * service's encrypted answer with the public key it was encrypted to, so the result can be
 * decrypted again with that key (on this device, or on another after restoring a backup).
 */

import { clear, createStore, del, get, set, values } from 'idb-keyval';
import type { FormValues, Interpretation, Severity } from '../../../shared/computations/computation.js';
import { isGroupName } from '../../../shared/groups/group.js';
import type { PublicKeyWire } from '../../../shared/wire.js';
import { isRecord } from '../../crypto/json.js';

/** Its own database, apart from the keys: the page reads it directly, the crypto worker never does. */
const store = createStore('sealed-vitals-history', 'results');
const CHANGED_CHANNEL = 'sealed-vitals:history-changed';

export interface HistoryEntry {
  readonly id: string;
  readonly computationId: string;
  readonly computationVersion: number;
  /** ISO 8601 */
  readonly computedAt: string;
  /** The form as the patient filled it in (numbers with the unit chosen). */
  readonly inputs: FormValues;
  readonly result: Interpretation;
  /** The service's answer as received, still encrypted to `publicKey`. */
  readonly sealed: { readonly publicKey: PublicKeyWire; readonly response: unknown };
}

export type NewHistoryEntry = Omit<HistoryEntry, 'id' | 'computedAt'>;

export interface History {
  /** Oldest first. */
  readonly entries: readonly HistoryEntry[];
  /** Stored records this version cannot read; left in place, never overwritten. */
  readonly unreadable: number;
}

export async function recordResult(entry: NewHistoryEntry, now = new Date()): Promise<HistoryEntry> {
  const stored: HistoryEntry = { ...entry, id: crypto.randomUUID(), computedAt: now.toISOString() };
  await set(stored.id, stored, store);
  announceChange();
  return stored;
}

export async function readHistory(): Promise<History> {
  const stored = await values<unknown>(store);
  const entries = stored.filter(isHistoryEntry).sort((a, b) => a.computedAt.localeCompare(b.computedAt));
  return { entries, unreadable: stored.length - entries.length };
}

export async function deleteEntry(id: string): Promise<void> {
  await del(id, store);
  announceChange();
}

export async function deleteAllHistory(): Promise<void> {
  await clear(store);
  announceChange();
}

/**
 * Adds a backup's entries that this device does not have yet (same id = same entry). Returns how
 * many were added and how many were not valid entries and were skipped.
 */
export async function mergeHistory(
  candidates: readonly unknown[],
): Promise<{ added: number; skipped: number }> {
  let added = 0;
  let skipped = 0;
  for (const candidate of candidates) {
    if (!isHistoryEntry(candidate)) skipped += 1;
    else if ((await get(candidate.id, store)) === undefined) {
      await set(candidate.id, candidate, store);
      added += 1;
    }
  }
  if (added > 0) announceChange();
  return { added, skipped };
}

/** Calls `listener` when any tab of this site changes the history; returns the unsubscribe. */
export function onHistoryChanged(listener: () => void): () => void {
  const channel = new BroadcastChannel(CHANGED_CHANNEL);
  channel.addEventListener('message', listener);
  return () => channel.close();
}

function announceChange(): void {
  const channel = new BroadcastChannel(CHANGED_CHANNEL);
  channel.postMessage('changed');
  channel.close();
}

/** The key set (current or older) whose public key this entry's result was encrypted to, if still here. */
export function keySetOf<S extends { readonly publicKeys: readonly PublicKeyWire[] }>(
  entry: HistoryEntry,
  keySets: readonly S[],
): S | undefined {
  const { group, y } = entry.sealed.publicKey;
  return keySets.find((set) => set.publicKeys.some((key) => key.group === group && key.y === y));
}

const SEVERITIES: readonly Severity[] = ['normal', 'info', 'warning', 'danger'];

export function isHistoryEntry(value: unknown): value is HistoryEntry {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.computationId === 'string' &&
    Number.isSafeInteger(value.computationVersion) &&
    typeof value.computedAt === 'string' &&
    !Number.isNaN(Date.parse(value.computedAt)) &&
    isRecord(value.inputs) &&
    Object.values(value.inputs).every(isFieldValue) &&
    isInterpretation(value.result) &&
    isRecord(value.sealed) &&
    isRecord(value.sealed.publicKey) &&
    isGroupName(value.sealed.publicKey.group) &&
    typeof value.sealed.publicKey.y === 'string' &&
    isRecord(value.sealed.response)
  );
}

function isFieldValue(value: unknown): boolean {
  if (typeof value === 'boolean' || typeof value === 'string') return true;
  if (Array.isArray(value)) return value.every((item) => typeof item === 'number');
  return isRecord(value) && typeof value.value === 'number' && typeof value.unit === 'string';
}

function isInterpretation(value: unknown): value is Interpretation {
  return (
    isRecord(value) &&
    typeof value.value === 'number' &&
    typeof value.display === 'string' &&
    typeof value.category === 'string' &&
    typeof value.explanation === 'string' &&
    SEVERITIES.includes(value.severity as Severity)
  );
}
