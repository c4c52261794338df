/**
 * The worker's answers about what is sealed at rest: setting up the protection, unlocking and
 * locking, and the history and form drafts, which only the worker (holding the data key) can read.
 */

import { resealKeyring } from './keyring-storage.js';
import type { WorkerRequest, WorkerRequestKind, WorkerResults } from './protocol.js';
import {
  deleteAllHistory,
  deleteHistoryEntry,
  forgetDraft,
  mergeHistory,
  readHistory,
  recallDraft,
  resealRecords,
  saveDraft,
} from './sealed-records.js';
import {
  lock,
  setIdleMinutes,
  setUpVault,
  touch,
  unlockWithPasskey,
  unlockWithPassphrase,
  vaultState,
} from './vault.js';

export type HandlersOf<K extends WorkerRequestKind> = {
  readonly [P in K]: (request: Extract<WorkerRequest, { kind: P }>) => Promise<WorkerResults[P]>;
};

/** All but recording a result, which needs the answer its run kept (worker.ts). */
type SealedKind = Exclude<
  Extract<WorkerRequestKind, `vault-${string}` | `history-${string}` | `draft-${string}`>,
  'history-record'
>;

export const sealedHandlers: HandlersOf<SealedKind> = {
  'vault-state': vaultState,
  'vault-set-up': ({ choice }) =>
    setUpVault(choice, async (from, to) => {
      await resealKeyring(from, to);
      await resealRecords(from, to);
    }),
  'vault-unlock-passphrase': ({ passphrase }) => unlockWithPassphrase(passphrase),
  'vault-unlock-passkey': ({ prfOutput }) => unlockWithPasskey(prfOutput),
  'vault-lock': lock,
  'vault-idle-minutes': ({ minutes }) => setIdleMinutes(minutes),
  async 'vault-activity'() {
    touch();
    return undefined;
  },
  'history-read': readHistory,
  'history-delete': ({ id }) => deleteHistoryEntry(id).then(() => undefined),
  'history-delete-all': () => deleteAllHistory().then(() => undefined),
  'history-merge': ({ entries }) => mergeHistory(entries),
  'draft-save': ({ computationId, draft }) => saveDraft(computationId, draft).then(() => undefined),
  'draft-recall': ({ computationId }) => recallDraft(computationId),
  'draft-forget': ({ computationId }) => forgetDraft(computationId).then(() => undefined),
};
