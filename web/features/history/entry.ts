/**
 * One history entry: what was computed, the inputs as entered, the decrypted result, when, and the
 * service's encrypted answer with the key it was encrypted to — a key blinded for that one request,
 * with how it was derived from the device's stored key (`blinding`), so the result can be decrypted
 * again here or on another device after restoring a backup — and what the answer's proof is bound to
 * (the request and the computation's catalog entry), so that "Decrypt again" checks the proof again
 * first. Sealed at rest (web/crypto/sealed-records.ts).
 */

import type { FormValues, Interpretation, Severity } from '../../../shared/computations/computation.js';
import { isGroupName } from '../../../shared/groups/group.js';
import type { KeyBlinding } from '../../../shared/key-blinding.js';
import { isRecord } from '../../../shared/records.js';
import type { EvaluateRequest, PublicKeyWire } from '../../../shared/wire.js';

export interface HistoryEntry {
  readonly id: string;
  readonly computationId: string;
  readonly computationVersion: number;
  /** ISO 8601 */
  readonly computedAt: string;
  /** The form as the patient filled it in (numbers with the unit chosen). */
  readonly inputs: FormValues;
  readonly result: Interpretation;
  /**
   * The service's answer as received, still encrypted to `publicKey`, the key the request carried;
   * `blinding` (absent for requests made before key blinding) names the stored key it came from.
   * `request` (the request as sent, its key `publicKey`) and `catalogEntry` (the v2 catalog entry of
   * the computation its proof was verified against, checked again when used) come together; both are
   * absent in entries kept before the history kept them.
   */
  readonly sealed: {
    readonly publicKey: PublicKeyWire;
    readonly response: unknown;
    readonly blinding?: KeyBlinding;
    readonly request?: EvaluateRequest;
    readonly catalogEntry?: Readonly<Record<string, unknown>>;
  };
}

export type NewHistoryEntry = Omit<HistoryEntry, 'id' | 'computedAt'>;

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
    isPublicKey(value.sealed.publicKey) &&
    isRecord(value.sealed.response) &&
    (value.sealed.blinding === undefined ||
      (isRecord(value.sealed.blinding) &&
        isPublicKey(value.sealed.blinding.base) &&
        value.sealed.blinding.base.group === value.sealed.publicKey.group &&
        typeof value.sealed.blinding.delta === 'string' &&
        /^[0-9a-f]{1,128}$/.test(value.sealed.blinding.delta))) &&
    ((value.sealed.request === undefined && value.sealed.catalogEntry === undefined) ||
      (isRequestTo(value.sealed.request, value.sealed.publicKey) && isRecord(value.sealed.catalogEntry)))
  );
}

/** A request's shape, carrying `publicKey`; its elements are checked when its proof is. */
function isRequestTo(value: unknown, publicKey: PublicKeyWire): value is EvaluateRequest {
  return (
    isRecord(value) &&
    isPublicKey(value.publicKey) &&
    value.publicKey.group === publicKey.group &&
    value.publicKey.y === publicKey.y &&
    isRecord(value.inputs) &&
    Object.values(value.inputs).every(
      (c) => isRecord(c) && typeof c.a === 'string' && typeof c.b === 'string',
    )
  );
}

function isPublicKey(value: unknown): value is PublicKeyWire {
  return isRecord(value) && isGroupName(value.group) && typeof value.y === 'string';
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
