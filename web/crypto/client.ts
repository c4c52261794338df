/**
 * The page's async facade over the crypto worker (one per page, started on first use).
 * Keys stay in the worker; this module only passes plaintext integers in and results out.
 */

import type { Plaintexts } from '../../shared/computations/computation.js';
import {
  DeclarationRefusedError,
  DecodeRangeError,
  ServiceResponseError,
  VerificationError,
} from '../../shared/errors.js';
import type { GroupName } from '../../shared/groups/group.js';
import type { EvaluateRequest, PublicKeyWire } from '../../shared/wire.js';
import {
  type BackupMade,
  type BackupRestored,
  type Exchange,
  KEYS_CHANGED_CHANNEL,
  type KeyringInfo,
  type RequestEnvelope,
  type ResponseEnvelope,
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

/**
 * Lets the worker get ready for a computation in `group` (keys read, tables built) while the patient
 * fills in its form, so that pressing Compute does not wait for it. Failures surface on Compute.
 */
export function prepareForGroup(group: GroupName): void {
  call({ kind: 'prepare', group }).catch(() => undefined);
}

/** The evaluate request body: every input encrypted under this device's current public key. */
export function encryptForComputation(
  computationId: string,
  plaintexts: Plaintexts,
): Promise<EvaluateRequest> {
  return call({ kind: 'encrypt', computationId, plaintexts });
}

/**
 * Checks the service's untrusted answer, then decrypts and decodes its outputs with the private key
 * of `publicKey` (the key the request was encrypted to, which may since have been rotated).
 */
export function decryptResult(
  computationId: string,
  publicKey: PublicKeyWire,
  response: unknown,
): Promise<Plaintexts> {
  return call({ kind: 'decrypt', computationId, publicKey, response });
}

/**
 * POSTs `requestBody` (encrypted to `publicKey`) to the service from the worker, which verifies the
 * answer's proof and only then decrypts a 2xx answer, before replying: see `Exchange`.
 */
export function exchangeWithService(
  computationId: string,
  requestBody: string,
  publicKey: PublicKeyWire,
): Promise<Exchange> {
  return call({ kind: 'exchange', computationId, requestBody, publicKey });
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

/** A backup file of every key set and `history`, sealed under `passphrase` in the worker. */
export function makeBackup(passphrase: string, history: readonly unknown[]): Promise<BackupMade> {
  return call({ kind: 'make-backup', passphrase, history });
}

/** Opens a backup file and adds its keys; refused with a message when it cannot be opened. */
export function restoreBackup(fileText: string, passphrase: string): Promise<BackupRestored> {
  return call({ kind: 'restore-backup', fileText, passphrase });
}

/** Calls `listener` whenever any tab of this site changes the stored keys; returns the unsubscribe. */
export function onKeysChanged(listener: () => void): () => void {
  const channel = new BroadcastChannel(KEYS_CHANGED_CHANNEL);
  channel.addEventListener('message', listener);
  return () => channel.close();
}
