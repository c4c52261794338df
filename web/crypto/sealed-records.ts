/**
 * The history and the form drafts at rest, in the worker: each record sealed under the data key
 * (vault.ts) and bound to its store and key, so a record moved to another slot does not open. Only
 * random entry ids and computation ids are in the clear. Records an older version stored in the
 * clear are sealed in place on first unlock (`resealRecords`), and everything is moved to a new
 * data key when the patient protects a device that had none.
 */

import { clear, createStore, del, entries, get, set, type UseStore } from 'idb-keyval';
import { EMPTY_TRUST_STATE, isTrustState, type TrustState } from '../../shared/catalog-trust.js';
import type { KeyBlinding } from '../../shared/key-blinding.js';
import type { PublicKeyWire } from '../../shared/wire.js';
import { type HistoryEntry, isHistoryEntry, type NewHistoryEntry } from '../features/history/entry.js';
import { type DataKey, dataKey, isSealed, openJson, sealJson } from './vault.js';

const HISTORY_CHANGED_CHANNEL = 'sealed-vitals:history-changed';

interface SealedStore {
  readonly store: UseStore;
  readonly context: string;
}

const history: SealedStore = {
  store: createStore('sealed-vitals-history', 'results'),
  context: 'sealed-vitals history entry v1',
};
const drafts: SealedStore = {
  store: createStore('sealed-vitals-forms', 'drafts'),
  context: 'sealed-vitals form draft v1',
};
/** What the device has accepted from the transparency log (shared/catalog-trust.ts), one record. */
const trust: SealedStore = {
  store: createStore('sealed-vitals-trust', 'state'),
  context: 'sealed-vitals log trust state v1',
};
const TRUST_STATE_ID = 'state';

function contextOf(where: SealedStore, id: string): string {
  return `${where.context}\n${id}`;
}

async function put(where: SealedStore, key: DataKey, id: string, value: unknown): Promise<void> {
  await set(id, await sealJson(key, contextOf(where, id), value), where.store);
}

async function open(where: SealedStore, key: DataKey, id: string, stored: unknown): Promise<unknown> {
  return openJson(key, contextOf(where, id), stored);
}

// The history

export async function readHistory(): Promise<{ entries: HistoryEntry[]; unreadable: number }> {
  const key = await dataKey();
  const stored = await entries<string, unknown>(history.store);
  const opened = await Promise.all(
    stored.map(([id, value]) => open(history, key, id, value).catch(() => undefined)),
  );
  const valid = opened.filter(isHistoryEntry).sort((a, b) => a.computedAt.localeCompare(b.computedAt));
  for (const entry of valid) rememberBlinding(entry);
  return { entries: valid, unreadable: stored.length - valid.length };
}

/** One entry, opened and checked ("Decrypt again"); undefined when it is gone or does not open. */
export async function readHistoryEntry(id: string): Promise<HistoryEntry | undefined> {
  const key = await dataKey();
  const stored = await get<unknown>(id, history.store);
  if (stored === undefined) return undefined;
  const entry = await open(history, key, id, stored).catch(() => undefined);
  if (!isHistoryEntry(entry)) return undefined;
  rememberBlinding(entry);
  return entry;
}

export async function recordHistory(
  entry: NewHistoryEntry,
  blinding: KeyBlinding | undefined,
): Promise<HistoryEntry> {
  const stored: HistoryEntry = {
    ...entry,
    id: crypto.randomUUID(),
    computedAt: new Date().toISOString(),
    sealed: { ...entry.sealed, ...(blinding ? { blinding } : {}) },
  };
  if (!isHistoryEntry(stored)) throw new Error('This result could not be kept in the history.');
  await put(history, await dataKey(), stored.id, stored);
  rememberBlinding(stored);
  announceHistoryChange();
  return stored;
}

export async function deleteHistoryEntry(id: string): Promise<void> {
  await dataKey();
  await del(id, history.store);
  announceHistoryChange();
}

export async function deleteAllHistory(): Promise<void> {
  await dataKey();
  await clear(history.store);
  announceHistoryChange();
}

/** Adds the entries this device does not have yet (same id = same entry); the others are counted. */
export async function mergeHistory(
  candidates: readonly unknown[],
): Promise<{ added: number; skipped: number }> {
  const key = await dataKey();
  let added = 0;
  let skipped = 0;
  for (const candidate of candidates) {
    if (!isHistoryEntry(candidate)) skipped += 1;
    else if ((await get(candidate.id, history.store)) === undefined) {
      await put(history, key, candidate.id, candidate);
      rememberBlinding(candidate);
      added += 1;
    }
  }
  if (added > 0) announceHistoryChange();
  return { added, skipped };
}

/** How a request's key was blinded, from the history entry of its answer (read once per worker). */
const blindings = new Map<string, KeyBlinding>();

function rememberBlinding(entry: HistoryEntry): void {
  if (entry.sealed.blinding) blindings.set(blindingKey(entry.sealed.publicKey), entry.sealed.blinding);
}

function blindingKey(publicKey: PublicKeyWire): string {
  return `${publicKey.group} ${publicKey.y}`;
}

export async function blindingInHistory(publicKey: PublicKeyWire): Promise<KeyBlinding | undefined> {
  const known = blindings.get(blindingKey(publicKey));
  if (known) return known;
  await readHistory();
  return blindings.get(blindingKey(publicKey));
}

/**
 * Open for the worker's life: opening and closing a channel per change cost more than the message,
 * between a result's write and its acknowledgement. A channel does not hear its own messages; every
 * page's listener (features/history/store.ts) is another channel, so each hears each change.
 */
const historyChanges = new BroadcastChannel(HISTORY_CHANGED_CHANNEL);

function announceHistoryChange(): void {
  historyChanges.postMessage('changed');
}

/**
 * Opens the history's database ahead (a computation's form opened): the first write of a worker
 * would otherwise wait for IndexedDB to open it, between the answer and the result on screen.
 */
export async function openHistoryStore(): Promise<void> {
  await get('', history.store).catch(() => undefined);
}

// Form drafts

export async function saveDraft(computationId: string, draft: unknown): Promise<void> {
  await put(drafts, await dataKey(), computationId, draft);
}

export async function recallDraft(computationId: string): Promise<unknown> {
  const stored = await get<unknown>(computationId, drafts.store);
  if (stored === undefined) return undefined;
  return open(drafts, await dataKey(), computationId, stored).catch(() => undefined);
}

export async function forgetDraft(computationId: string): Promise<void> {
  await del(computationId, drafts.store);
}

// The transparency log's trust state

/**
 * The last checkpoint, versions and entries this device accepted. Sealed, so that a script with the
 * profile cannot roll it back to an older log unseen; one that does not open counts as none (deleting
 * it cannot be prevented either).
 */
export async function readTrustState(): Promise<TrustState> {
  const key = await dataKey();
  const stored = await get<unknown>(TRUST_STATE_ID, trust.store);
  if (stored === undefined) return EMPTY_TRUST_STATE;
  const state = await open(trust, key, TRUST_STATE_ID, stored).catch(() => undefined);
  return isTrustState(state) ? state : EMPTY_TRUST_STATE;
}

export async function writeTrustState(state: TrustState): Promise<void> {
  await put(trust, await dataKey(), TRUST_STATE_ID, state);
}

// Moving to a new data key

/**
 * Seals every record under `to`: those sealed under `from` (the data key being replaced) are opened
 * and sealed again, those an older version left in the clear are sealed as they are (history entries
 * only if valid), and what opens under neither is left in place, never overwritten.
 */
export async function resealRecords(from: DataKey | undefined, to: DataKey): Promise<void> {
  for (const where of [history, drafts, trust]) {
    for (const [id, stored] of await entries<string, unknown>(where.store)) {
      let value: unknown;
      if (isSealed(stored)) {
        if (!from) continue;
        value = await open(where, from, id, stored).catch(() => undefined);
        if (value === undefined) continue;
      } else {
        value = stored;
        if (where === history && !isHistoryEntry(value)) continue;
      }
      await put(where, to, id, value);
    }
  }
  blindings.clear();
}
