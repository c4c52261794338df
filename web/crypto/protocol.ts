/**
 * The typed messages between the page and the crypto worker. Form values, history entries and
 * drafts go in; decrypted results, public keys and the transcript's bodies (as text, for display)
 * come out, plus the backup passphrase going in and the sealed backup file coming out. Private keys
 * stay in the worker, and so do a run's ciphertexts.
 */

import type { LogEvidence } from '../../shared/catalog-trust.js';
import type { FormValues, Interpretation, Plaintexts } from '../../shared/computations/computation.js';
import type { Declaration } from '../../shared/declaration.js';
import type { GroupName } from '../../shared/groups/group.js';
import type { PublicKeyWire } from '../../shared/wire.js';
import type { HistoryEntry } from '../features/history/entry.js';

/** What the page may show about one set of keys (one key pair per group, made together). */
export interface KeySetInfo {
  readonly id: string;
  /** First 16 hex digits of SHA-256 over the set's public keys, in groups of 4. */
  readonly fingerprint: string;
  /** ISO 8601 time the keys were generated. */
  readonly createdAt: string;
  /** ISO 8601 time newer keys replaced them; absent for the keys in use. */
  readonly retiredAt?: string;
  readonly groups: readonly GroupName[];
  readonly publicKeys: readonly PublicKeyWire[];
}

export interface KeyringInfo {
  /** The keys new computations are encrypted to. */
  readonly current: KeySetInfo;
  /** Replaced keys, kept to read results encrypted to them until the patient deletes them; newest first. */
  readonly older: readonly KeySetInfo[];
}

export interface BackupMade {
  /** The backup file's text (JSON); only the passphrase opens its contents. */
  readonly fileText: string;
  /** PBKDF2-SHA256 rounds, and how long deriving the key took on this device. */
  readonly kdfIterations: number;
  readonly kdfMilliseconds: number;
}

export interface BackupRestored {
  readonly keyring: KeyringInfo;
  /** Key sets the backup added to this device (sets already here are kept as they are). */
  readonly keySetsAdded: number;
  /** The backup's history entries added to this device's, and those that were not valid. */
  readonly historyAdded: number;
  readonly historySkipped: number;
}

/** Whether this device's keys and history are sealed, and whether they are unlocked in this tab. */
export type VaultState =
  | {
      readonly status: 'new';
      /** An older version's keys are here, unprotected: setting up moves them under the protection. */
      readonly migrating: boolean;
    }
  | ({ readonly status: 'locked' } & VaultProtection)
  | ({ readonly status: 'unlocked' } & VaultProtection);

export interface VaultProtection {
  /** False: "no protection on this device", the data key is stored in the clear. */
  readonly protected: boolean;
  readonly passphrase: boolean;
  /** base64url of the passkey's credential id and of the PRF input it is asked with. */
  readonly passkey: { readonly credentialId: string; readonly prfSalt: string } | undefined;
  readonly idleMinutes: number;
}

/** How the patient chose to protect the device: any of a passkey and a passphrase, or neither. */
export interface VaultSetUp {
  readonly passkey?: {
    readonly credentialId: string;
    readonly prfSalt: string;
    /** The authenticator's PRF output for `prfSalt`: the passkey's unlock secret. */
    readonly prfOutput: Uint8Array<ArrayBuffer>;
  };
  readonly passphrase?: string;
  /** "No protection on this device": only when neither of the above is given. */
  readonly unprotected?: true;
}

export type WorkerRequest =
  | { readonly kind: 'vault-state' }
  | { readonly kind: 'vault-set-up'; readonly choice: VaultSetUp }
  | { readonly kind: 'vault-unlock-passphrase'; readonly passphrase: string }
  | { readonly kind: 'vault-unlock-passkey'; readonly prfOutput: Uint8Array<ArrayBuffer> }
  | { readonly kind: 'vault-lock' }
  | { readonly kind: 'vault-idle-minutes'; readonly minutes: number }
  /** The patient used the page: the idle time starts again. */
  | { readonly kind: 'vault-activity' }
  | { readonly kind: 'history-read' }
  /** A result shown: the worker keeps it with the answer it verified for it, `answerId` (see `Computed`). */
  | ({ readonly kind: 'history-record' } & ResultToKeep)
  | { readonly kind: 'history-delete'; readonly id: string }
  | { readonly kind: 'history-delete-all' }
  | { readonly kind: 'history-merge'; readonly entries: readonly unknown[] }
  | { readonly kind: 'draft-save'; readonly computationId: string; readonly draft: unknown }
  | { readonly kind: 'draft-recall'; readonly computationId: string }
  | { readonly kind: 'draft-forget'; readonly computationId: string }
  | { readonly kind: 'key-info' }
  /** What the service serves, checked against the transparency log (for browsing: no device state). */
  | { readonly kind: 'catalog' }
  /** The patient opened a computation's form: get ready to encrypt for it while they type. */
  | { readonly kind: 'prepare'; readonly group: GroupName }
  /**
   * The form's values are valid: encrypt them now, for a Compute with exactly these values. Nothing
   * is sent; the ciphertexts stay in the worker.
   */
  | { readonly kind: 'encrypt-ahead'; readonly computationId: string; readonly values: FormValues }
  /**
   * The whole run, in the worker: encode, encrypt (or take what was encrypted ahead), send to the
   * configured API origin only, verify the answer's proof and only then decrypt it (web/crypto/compute.ts).
   */
  | { readonly kind: 'compute'; readonly computationId: string; readonly values: FormValues }
  /**
   * "Decrypt again": the worker reads the history entry itself, checks its kept answer's proof again
   * against what it is bound to, and only then decrypts it (web/crypto/compute.ts `decryptAgain`).
   * Nothing is sent.
   */
  | { readonly kind: 'decrypt'; readonly historyEntryId: string }
  | { readonly kind: 'rotate-keys' }
  | { readonly kind: 'delete-key-set'; readonly keySetId: string }
  /** The worker puts every key set and the whole history in it. */
  | { readonly kind: 'make-backup'; readonly passphrase: string }
  | { readonly kind: 'restore-backup'; readonly fileText: string; readonly passphrase: string };

export type WorkerRequestKind = WorkerRequest['kind'];

/**
 * One computation of the service's v2 catalog (or of the one kept from the last visit), in its
 * order, as the worker checked it (web/crypto/trusted-catalog.ts): a trusted one with its version,
 * its declaration as checked and, for a model this app does not ship, its model file's public part,
 * which the page builds it from; a refused one by id only (its page says why when Compute is pressed).
 * Empty when no catalog was ever had.
 */
export type CheckedEntry =
  | {
      readonly id: string;
      readonly trusted: true;
      readonly version: number;
      readonly evaluation: Declaration;
      readonly model?: unknown;
    }
  | { readonly id: string; readonly trusted: false };

/** What the history keeps of a result the page showed; the worker adds the answer it verified. */
export interface ResultToKeep {
  readonly answerId: string;
  /** The form as the patient filled it in. */
  readonly inputs: FormValues;
  readonly result: Interpretation;
}

/**
 * Exactly what left the device and what came back, for the "What left this device" panel. Every
 * time in it is read from one clock, the worker's.
 */
export interface Transcript {
  readonly group: GroupName;
  /** The request body as sent, byte for byte. */
  readonly requestBody: string;
  /** The response body as received; `undefined` when no answer arrived. */
  readonly responseBody: string | undefined;
  readonly status: number | undefined;
  readonly timings: {
    readonly encryptMs: number;
    /** The inputs were encrypted while the form was filled in, before Compute was pressed. */
    readonly encryptedAhead: boolean;
    readonly networkMs: number | undefined;
    /** Checking the answer's proof, before anything was decrypted; undefined when it did not verify. */
    readonly verifyMs: number | undefined;
    readonly decryptMs: number | undefined;
  };
  /** The proof's size in bytes, when the answer verified. */
  readonly proofBytes: number | undefined;
  /**
   * What the transparency log check found before anything was sent, for a computation the app does
   * not ship at its version (shared/catalog-trust.ts); absent for one it ships.
   */
  readonly log?: LogEvidence;
}

/** One step of a run, from and to times of the worker's `performance.now()`. */
export interface RunStep {
  readonly step: 'encrypt' | 'network' | 'decrypt';
  readonly start: number;
  readonly end: number;
}

/** An RFC 9457 problem's title and detail, as the service wrote them. */
export interface ServiceProblem {
  readonly title: string;
  readonly detail: string;
}

/**
 * How a run ended, with its transcript. An encryption that could not be made is an error instead:
 * then nothing was sent and there is no transcript.
 */
export type Computed = {
  readonly transcript: Transcript;
  readonly steps: readonly RunStep[];
  /** The worker's `performance.timeOrigin`, to place its steps on the page's timeline. */
  readonly clockOrigin: number;
} & (
  | {
      readonly outcome: 'decrypted';
      readonly outputs: Plaintexts;
      /** The verified answer, kept in the worker until the history takes it (`history-record`). */
      readonly answerId: string;
    }
  /** The request could not be sent: it stayed on this device. */
  | { readonly outcome: 'unreachable' }
  /** A status other than 2xx; `problem` when the body is RFC 9457 problem details. */
  | { readonly outcome: 'service-refused'; readonly problem: ServiceProblem | undefined }
  /** A 2xx answer that failed verification or decoding: nothing of it was decrypted or is shown. */
  | { readonly outcome: 'answer-rejected'; readonly errorName: WorkerErrorName; readonly message: string }
);

/** A kept answer decrypted again, interpreted with the computation of its own (id, version). */
export interface DecryptedAgain {
  readonly result: Interpretation;
  /**
   * `checked`: its proof verified again against the request and declaration it was kept with.
   * `not-kept`: kept by an earlier version of the app without its request; checked only when computed.
   */
  readonly proof: 'checked' | 'not-kept';
}

export interface WorkerResults {
  readonly 'vault-state': VaultState;
  readonly 'vault-set-up': VaultState;
  readonly 'vault-unlock-passphrase': VaultState;
  readonly 'vault-unlock-passkey': VaultState;
  readonly 'vault-lock': VaultState;
  readonly 'vault-idle-minutes': VaultState;
  readonly 'vault-activity': undefined;
  readonly 'history-read': { readonly entries: readonly HistoryEntry[]; readonly unreadable: number };
  /** Nothing comes back: the entry holds the answer's ciphertexts, which stay in the worker. */
  readonly 'history-record': undefined;
  readonly 'history-delete': undefined;
  readonly 'history-delete-all': undefined;
  readonly 'history-merge': { readonly added: number; readonly skipped: number };
  readonly 'draft-save': undefined;
  readonly 'draft-recall': unknown;
  readonly 'draft-forget': undefined;
  readonly 'key-info': KeyringInfo;
  readonly catalog: readonly CheckedEntry[];
  readonly prepare: undefined;
  readonly 'encrypt-ahead': undefined;
  readonly compute: Computed;
  readonly decrypt: DecryptedAgain;
  readonly 'rotate-keys': KeyringInfo;
  readonly 'delete-key-set': KeyringInfo;
  readonly 'make-backup': BackupMade;
  readonly 'restore-backup': BackupRestored;
}

/** Error classes the page re-creates so it can tell a bad answer from a broken device. */
export type WorkerErrorName =
  | 'DeclarationRefusedError'
  | 'VerificationError'
  | 'ServiceResponseError'
  | 'DecodeRangeError'
  | 'LockedError'
  | 'Error';

export interface RequestEnvelope {
  readonly id: number;
  readonly request: WorkerRequest;
}

export type ResponseEnvelope =
  | { readonly id: number; readonly ok: true; readonly result: WorkerResults[WorkerRequestKind] }
  | {
      readonly id: number;
      readonly ok: false;
      readonly errorName: WorkerErrorName;
      readonly message: string;
    };

/** Far above any real device's keys and history; a larger file is refused before it is read. */
export const MAX_BACKUP_BYTES = 64 * 1024 * 1024;

/** The BroadcastChannel on which a worker announces a lock, an unlock or a set-up (any tab listens). */
export const VAULT_CHANGED_CHANNEL = 'sealed-vitals:vault-changed';

/** The BroadcastChannel on which a worker announces that the stored keys changed (any tab listens). */
export const KEYS_CHANGED_CHANNEL = 'sealed-vitals:keys-changed';
