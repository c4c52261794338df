/**
 * The typed messages between the page and the crypto worker. Only public keys, ciphertexts,
 * encoded plaintexts going in and decrypted plaintexts coming out cross this boundary, plus the
 * backup passphrase going in and the sealed backup file coming out: private keys stay in the worker.
 */

import type { Plaintexts } from '../../shared/computations/computation.js';
import type { GroupName } from '../../shared/groups/group.js';
import type { EvaluateRequest, PublicKeyWire } from '../../shared/wire.js';
import type { HistoryEntry, NewHistoryEntry } from '../features/history/entry.js';

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
  | { readonly kind: 'history-record'; readonly entry: NewHistoryEntry }
  | { readonly kind: 'history-delete'; readonly id: string }
  | { readonly kind: 'history-delete-all' }
  | { readonly kind: 'history-merge'; readonly entries: readonly unknown[] }
  | { readonly kind: 'draft-save'; readonly computationId: string; readonly draft: unknown }
  | { readonly kind: 'draft-recall'; readonly computationId: string }
  | { readonly kind: 'draft-forget'; readonly computationId: string }
  | { readonly kind: 'key-info' }
  /** The patient opened a computation's form: get ready to encrypt for it while they type. */
  | { readonly kind: 'prepare'; readonly group: GroupName }
  | { readonly kind: 'encrypt'; readonly computationId: string; readonly plaintexts: Plaintexts }
  /**
   * `response` is the service's untrusted JSON: the worker checks it before decrypting, with the
   * private key belonging to `publicKey`, the key the inputs were encrypted to.
   */
  | {
      readonly kind: 'decrypt';
      readonly computationId: string;
      readonly publicKey: PublicKeyWire;
      readonly response: unknown;
    }
  /**
   * Sends an encrypted request to the service's v2 endpoint (the worker builds the URL: it posts to the
   * configured API origin only) and, when it answers 2xx, verifies the answer's proof and only then
   * decrypts it, at once: in the worker, which no page rendering holds up (a page handles a response
   * only after the frame that follows a click). `publicKey` is the key `requestBody` was encrypted to.
   */
  | {
      readonly kind: 'exchange';
      readonly computationId: string;
      readonly requestBody: string;
      readonly publicKey: PublicKeyWire;
    }
  | { readonly kind: 'rotate-keys' }
  | { readonly kind: 'delete-key-set'; readonly keySetId: string }
  /** The worker puts every key set and the whole history in it. */
  | { readonly kind: 'make-backup'; readonly passphrase: string }
  | { readonly kind: 'restore-backup'; readonly fileText: string; readonly passphrase: string };

export type WorkerRequestKind = WorkerRequest['kind'];

/** What became of a request the worker sent: no answer, or the answer and, for a 2xx, its decryption. */
export type Exchange =
  | { readonly reached: false }
  | {
      readonly reached: true;
      readonly status: number;
      /** The body as received, for the transcript. */
      readonly responseBody: string;
      readonly networkMs: number;
      /** Absent unless the status is 2xx. */
      readonly decrypted?:
        | {
            readonly ok: true;
            readonly outputs: Plaintexts;
            /** The proof verified, in this long, before anything was decrypted. */
            readonly verifyMs: number;
            readonly proofBytes: number;
            readonly decryptMs: number;
          }
        | {
            readonly ok: false;
            readonly errorName: WorkerErrorName;
            readonly message: string;
            readonly decryptMs: number;
          };
    };

export interface WorkerResults {
  readonly 'vault-state': VaultState;
  readonly 'vault-set-up': VaultState;
  readonly 'vault-unlock-passphrase': VaultState;
  readonly 'vault-unlock-passkey': VaultState;
  readonly 'vault-lock': VaultState;
  readonly 'vault-idle-minutes': VaultState;
  readonly 'vault-activity': undefined;
  readonly 'history-read': { readonly entries: readonly HistoryEntry[]; readonly unreadable: number };
  readonly 'history-record': HistoryEntry;
  readonly 'history-delete': undefined;
  readonly 'history-delete-all': undefined;
  readonly 'history-merge': { readonly added: number; readonly skipped: number };
  readonly 'draft-save': undefined;
  readonly 'draft-recall': unknown;
  readonly 'draft-forget': undefined;
  readonly 'key-info': KeyringInfo;
  readonly prepare: undefined;
  readonly encrypt: EvaluateRequest;
  readonly decrypt: Plaintexts;
  readonly exchange: Exchange;
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
