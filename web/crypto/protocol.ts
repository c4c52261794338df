/**
 * The typed messages between the page and the crypto worker. Only public keys, ciphertexts,
 * encoded plaintexts going in and decrypted plaintexts coming out cross this boundary:
 * private keys stay inside the worker.
 */

import type { Plaintexts } from '../../shared/computations/computation.js';
import type { GroupName } from '../../shared/groups/group.js';
import type { EvaluateRequest } from '../../shared/wire.js';

/** What the page may show about the device's keys. */
export interface KeyInfo {
  /** First 16 hex digits of SHA-256 over the public keys, in groups of 4. */
  readonly fingerprint: string;
  /** ISO 8601 time the keys were generated. */
  readonly createdAt: string;
  readonly groups: readonly GroupName[];
}

export type WorkerRequest =
  | { readonly kind: 'key-info' }
  | { readonly kind: 'encrypt'; readonly computationId: string; readonly plaintexts: Plaintexts }
  /** `response` is the service's untrusted JSON: the worker checks it before decrypting. */
  | { readonly kind: 'decrypt'; readonly computationId: string; readonly response: unknown };

export type WorkerRequestKind = WorkerRequest['kind'];

export interface WorkerResults {
  readonly 'key-info': KeyInfo;
  readonly encrypt: EvaluateRequest;
  readonly decrypt: Plaintexts;
}

/** Error classes the page re-creates so it can tell a bad answer from a broken device. */
export type WorkerErrorName = 'ServiceResponseError' | 'DecodeRangeError' | 'Error';

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
