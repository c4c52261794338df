/**
 * The page's async facade over the crypto worker (one per page, started on first use).
 * Keys and a run's ciphertexts stay in the worker; this module passes form values in and results out.
 */

import type { FormValues } from '../../shared/computations/computation.js';
import {
  DeclarationRefusedError,
  DecodeRangeError,
  ServiceResponseError,
  VerificationError,
} from '../../shared/errors.js';
import type { GroupName } from '../../shared/groups/group.js';
import type { HistoryEntry } from '../features/history/entry.js';
import {
  type BackupMade,
  type BackupRestored,
  type CheckedEntry,
  type Computed,
  type DecryptedAgain,
  KEYS_CHANGED_CHANNEL,
  type KeyringInfo,
  type RequestEnvelope,
  type ResponseEnvelope,
  type ResultToKeep,
  VAULT_CHANGED_CHANNEL,
  type VaultSetUp,
  type VaultState,
  type WorkerErrorName,
  type WorkerRequest,
  type WorkerRequestKind,
  type WorkerResults,
} from './protocol.js';

interface Pending {
  resolve(result: WorkerResults[WorkerRequestKind]): void;
  reject(error: Error): void;
}

const pending = new Map<number, Pending>();
let nextRequestId = 1;
let worker: Worker | undefined;

function cryptoWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    worker.addEventListener('message', (event: MessageEvent<ResponseEnvelope>) => settle(event.data));
    worker.addEventListener('error', failEverything);
  }
  return worker;
}

function settle(response: ResponseEnvelope): void {
  const waiting = pending.get(response.id);
  if (!waiting) return;
  pending.delete(response.id);
  if (response.ok) waiting.resolve(response.result);
  else waiting.reject(errorFrom(response.errorName, response.message));
}

/** The worker script failed to load or crashed: nothing it was asked will be answered. */
function failEverything(): void {
  worker = undefined;
  for (const waiting of pending.values()) {
    waiting.reject(new Error('The encryption module of this page stopped. Reload the page and try again.'));
  }
  pending.clear();
}

function errorFrom(name: Extract<ResponseEnvelope, { ok: false }>['errorName'], message: string): Error {
  switch (name) {
    case 'DeclarationRefusedError':
      return new DeclarationRefusedError(message);
    case 'VerificationError':
      return new VerificationError(message);
    case 'ServiceResponseError':
      return new ServiceResponseError(message);
    case 'DecodeRangeError':
      return new DecodeRangeError(message);
    case 'LockedError':
      return Object.assign(new Error(message), { name: 'LockedError' });
    case 'Error':
      return new Error(message);
  }
}

function call<K extends WorkerRequestKind>(
  request: Extract<WorkerRequest, { kind: K }>,
): Promise<WorkerResults[K]> {
  const id = nextRequestId++;
  return new Promise((resolve, reject) => {
    // The worker answers request `id` with the result type of `request.kind` (see worker.ts handlers).
    pending.set(id, { resolve: (result) => resolve(result as WorkerResults[K]), reject });
    const envelope: RequestEnvelope = { id, request };
    cryptoWorker().postMessage(envelope);
  });
}

/** The device's key sets, current and older (the first set is generated on first use). */
export function getKeyring(): Promise<KeyringInfo> {
  return call({ kind: 'key-info' });
}

/** The service's catalog (or the one kept from the last visit) as the worker checked it against the log. */
export function checkedCatalog(): Promise<readonly CheckedEntry[]> {
  return call({ kind: 'catalog' });
}

/**
 * Lets the worker get ready for a computation in `group` (keys read, tables built) while the patient
 * fills in its form, so that pressing Compute does not wait for it. Failures surface on Compute.
 */
export function prepareForGroup(group: GroupName): void {
  call({ kind: 'prepare', group }).catch(() => undefined);
}

/**
 * The form's values are valid: the worker encrypts them now, so that a Compute with exactly these
 * values only has to send them. Failures surface on Compute.
 */
export function encryptAhead(computationId: string, values: FormValues): void {
  call({ kind: 'encrypt-ahead', computationId, values }).catch(() => undefined);
}

/**
 * Runs the computation on valid form values, wholly in the worker (web/crypto/compute.ts): rejects
 * when nothing could be encrypted, and resolves with the outcome and its transcript otherwise.
 */
export function compute(computationId: string, values: FormValues): Promise<Computed> {
  return call({ kind: 'compute', computationId, values });
}

/**
 * "Decrypt again": the worker checks the history entry's kept answer's proof again against the
 * request and computation it was kept with, then decrypts it with the key the request was encrypted
 * to (which may since have been rotated) and interprets it. Nothing is sent.
 */
export function decryptResult(historyEntryId: string): Promise<DecryptedAgain> {
  return call({ kind: 'decrypt', historyEntryId });
}

/** Re-creates an error the worker described, so the page can tell a bad answer from a broken device. */
export function workerError(name: WorkerErrorName, message: string): Error {
  return errorFrom(name, message);
}

/** New current keys; the old ones stay to read old results. */
export function rotateKeys(): Promise<KeyringInfo> {
  return call({ kind: 'rotate-keys' });
}

export function deleteKeySet(keySetId: string): Promise<KeyringInfo> {
  return call({ kind: 'delete-key-set', keySetId });
}

/** A backup file of every key set and the whole history, sealed under `passphrase` in the worker. */
export function makeBackup(passphrase: string): Promise<BackupMade> {
  return call({ kind: 'make-backup', passphrase });
}

/** Opens a backup file and adds its keys and history; refused with a message when it cannot be opened. */
export function restoreBackup(fileText: string, passphrase: string): Promise<BackupRestored> {
  return call({ kind: 'restore-backup', fileText, passphrase });
}

/** Calls `listener` whenever any tab of this site changes the stored keys; returns the unsubscribe. */
export function onKeysChanged(listener: () => void): () => void {
  const channel = new BroadcastChannel(KEYS_CHANGED_CHANNEL);
  channel.addEventListener('message', listener);
  return () => channel.close();
}

// Protection at rest (web/crypto/vault.ts): the unlock secrets go in, only the state comes out.

export function getVaultState(): Promise<VaultState> {
  return call({ kind: 'vault-state' });
}

export function setUpVault(choice: VaultSetUp): Promise<VaultState> {
  return call({ kind: 'vault-set-up', choice });
}

export function unlockWithPassphrase(passphrase: string): Promise<VaultState> {
  return call({ kind: 'vault-unlock-passphrase', passphrase });
}

export function unlockWithPasskey(prfOutput: Uint8Array<ArrayBuffer>): Promise<VaultState> {
  return call({ kind: 'vault-unlock-passkey', prfOutput });
}

export function lockNow(): Promise<VaultState> {
  return call({ kind: 'vault-lock' });
}

export function setIdleMinutes(minutes: number): Promise<VaultState> {
  return call({ kind: 'vault-idle-minutes', minutes });
}

/** The patient used the page: the idle time starts again (in every tab). */
export function reportActivity(): void {
  call({ kind: 'vault-activity' }).catch(() => undefined);
}

/** Calls `listener` whenever any tab locks, unlocks or sets up the device; returns the unsubscribe. */
export function onVaultChanged(listener: () => void): () => void {
  const channel = new BroadcastChannel(VAULT_CHANGED_CHANNEL);
  channel.addEventListener('message', listener);
  return () => channel.close();
}

// The sealed history and drafts, which only the worker can open.

export function readSealedHistory(): Promise<{
  readonly entries: readonly HistoryEntry[];
  readonly unreadable: number;
}> {
  return call({ kind: 'history-read' });
}

/** Keeps a result shown, with the answer its run verified (which the worker holds). */
export function recordSealedHistory(kept: ResultToKeep): Promise<undefined> {
  return call({ kind: 'history-record', ...kept });
}

export function deleteSealedHistoryEntry(id: string): Promise<undefined> {
  return call({ kind: 'history-delete', id });
}

export function deleteAllSealedHistory(): Promise<undefined> {
  return call({ kind: 'history-delete-all' });
}

export function mergeSealedHistory(entries: readonly unknown[]): Promise<{ added: number; skipped: number }> {
  return call({ kind: 'history-merge', entries });
}

export function saveSealedDraft(computationId: string, draft: unknown): Promise<undefined> {
  return call({ kind: 'draft-save', computationId, draft });
}

export function recallSealedDraft(computationId: string): Promise<unknown> {
  return call({ kind: 'draft-recall', computationId });
}

export function forgetSealedDraft(computationId: string): Promise<undefined> {
  return call({ kind: 'draft-forget', computationId });
}
