/**
 * The worker's answers that compute or make files: getting ready for a group, encrypting ahead, a
 * run, keeping its result, decrypting a kept one again, and the backups. Their code (both groups'
 * encryption, the proofs' verifier, the backup file) is loaded by the worker on the first such
 * request (worker.ts), not with the app shell.
 */

import type { AdditiveDecoder } from '../../shared/additive-decoder.js';
import { encryptInputs } from '../../shared/client.js';
import type { Computation, Plaintexts } from '../../shared/computations/computation.js';
import type { EvaluateRequest } from '../../shared/wire.js';
import { backendsFor } from './backends.js';
import { KDF_ITERATIONS, openBackup, sealBackup } from './backup.js';
import { BackupError } from './backup-error.js';
import { ComputationRuns, decryptAgain } from './compute.js';
import { describeError } from './describe-error.js';
import { postEvaluate } from './exchange.js';
import { importKeyring } from './keyring-import.js';
import { exportKeyring } from './keystore.js';
import { prepareGroup } from './prepare.js';
import { KEYS_CHANGED_CHANNEL, type WorkerRequestKind } from './protocol.js';
import { freshRequestKey, takePendingBlinding, withRequestKeyPair } from './request-keys.js';
import type { HandlersOf } from './sealed-handlers.js';
import { mergeHistory, readHistory, readHistoryEntry, recordHistory } from './sealed-records.js';
import { checkServiceCatalog, trustedComputation, trustedVerdict } from './trusted-catalog.js';

export type ComputeKind = Extract<
  WorkerRequestKind,
  'prepare' | 'encrypt-ahead' | 'compute' | 'history-record' | 'decrypt' | 'make-backup' | 'restore-backup'
>;

/** The backup's contents, before sealing: versioned with the file, see backup.ts. */
interface BackupPayload {
  readonly keyring: unknown;
  readonly history: readonly unknown[];
}

function isBackupPayload(value: unknown): value is BackupPayload {
  return (
    typeof value === 'object' &&
    value !== null &&
    'keyring' in value &&
    'history' in value &&
    Array.isArray(value.history)
  );
}

/** A request's inputs encrypted to a key of its own (key blinding): two requests carry unrelated keys. */
async function encryptToFreshKey(computation: Computation, plaintexts: Plaintexts): Promise<EvaluateRequest> {
  const [publicKey, backends] = await Promise.all([
    freshRequestKey(computation.group),
    backendsFor(computation.group),
  ]);
  return encryptInputs(computation, { group: computation.group, publicKey }, plaintexts, backends);
}

/** The handlers, over the worker's one decoder (its table is built ahead from the worker's start). */
export function computeHandlers(decoder: AdditiveDecoder): HandlersOf<ComputeKind> {
  /** A computation's runs, and what they encrypted ahead and verified, in this worker's memory only. */
  const runs = new ComputationRuns({
    clock: performance,
    encryptToFreshKey,
    post: postEvaluate,
    withKeyPair: withRequestKeyPair,
    backends: backendsFor,
    decoder,
    describeError,
  });
  // Any tab's new or deleted keys: what this worker encrypted ahead is not sent.
  new BroadcastChannel(KEYS_CHANGED_CHANNEL).addEventListener('message', () => runs.forgetEncryptedAhead());

  return {
    prepare: ({ group }) => {
      // The catalog is checked while the patient types, so Compute does not wait for it.
      void checkServiceCatalog();
      return prepareGroup(group);
    },
    // Both with the computation as verified, so what is encrypted is what its proof is checked against.
    'encrypt-ahead': async ({ computationId, values }) => {
      // Through trustedVerdict, as compute is: a Compute pressed while the catalog is still checked
      // resumes after this, so it finds what is being encrypted ahead.
      const { computation } = await trustedVerdict(computationId);
      await runs.encryptAhead(computation, values);
      return undefined;
    },
    compute: async ({ computationId, values }) => {
      const { computation, log } = await trustedVerdict(computationId);
      const computed = await runs.run(computation, values);
      return log ? { ...computed, transcript: { ...computed.transcript, log } } : computed;
    },
    async 'history-record'({ answerId, inputs, result }) {
      const answer = runs.takeAnswer(answerId);
      if (!answer) throw new Error('This result could not be kept in the history.');
      const { computationId, computationVersion, request, response, catalogEntry } = answer;
      const { publicKey } = request;
      const sealed = { publicKey, response, request, catalogEntry };
      await recordHistory(
        { computationId, computationVersion, inputs, result, sealed },
        takePendingBlinding(publicKey),
      );
      return undefined;
    },
    async decrypt({ historyEntryId }) {
      const entry = await readHistoryEntry(historyEntryId);
      if (!entry) throw new Error('This result is no longer in the history.');
      return decryptAgain(entry, {
        withKeyPair: withRequestKeyPair,
        backends: backendsFor,
        decoder,
        trustedNow: trustedComputation,
      });
    },
    async 'make-backup'({ passphrase }) {
      const payload: BackupPayload = {
        keyring: await exportKeyring(),
        history: (await readHistory()).entries,
      };
      const { text, kdfMilliseconds } = await sealBackup(payload, passphrase);
      return { fileText: text, kdfIterations: KDF_ITERATIONS, kdfMilliseconds };
    },
    async 'restore-backup'({ fileText, passphrase }) {
      const payload = await openBackup(fileText, passphrase);
      if (!isBackupPayload(payload)) {
        throw new BackupError('This backup file is damaged (its contents are not valid).');
      }
      const { info, added } = await importKeyring(payload.keyring);
      const history = await mergeHistory(payload.history);
      return {
        keyring: info,
        keySetsAdded: added,
        historyAdded: history.added,
        historySkipped: history.skipped,
      };
    },
  };
}
