/**
 * Encrypts a form's inputs ahead of Compute, in the worker, as soon as the values typed are valid, so
 * that pressing Compute only has to send them. Nothing leaves the device before Compute. Each
 * encryption serves at most one request: ciphertexts sent twice would let the service tell the two
 * requests are the same values, so a taken or outdated encryption is dropped and the next one made
 * with fresh randomness.
 */

import type { Computation, Plaintexts } from '../../shared/computations/computation.js';
import type { EvaluateRequest } from '../../shared/wire.js';

export interface Encrypted {
  readonly request: EvaluateRequest;
  /** `request` as it is sent, byte for byte. */
  readonly requestBody: string;
  /** How long encrypting took, on the worker's clock. */
  readonly encryptMs: number;
}

export type Encrypt = (computation: Computation, plaintexts: Plaintexts) => Promise<Encrypted>;

/** What encrypting is for: the computation (as trusted now) and its plaintexts, as a comparable string. */
function identify(computation: Computation, plaintexts: Plaintexts): string {
  const entries = Object.entries(plaintexts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${computation.id}@${computation.version}?${entries.map(([name, value]) => `${name}=${value}`).join('&')}`;
}

/** How an offer ends for its caller, whatever became of the encryption. */
const settled = (): void => undefined;

interface Entry {
  readonly id: string;
  readonly encrypted: Promise<Encrypted>;
  /** Replaced by newer values or dropped before its turn came: it is never made. */
  outdated: boolean;
}

export class EncryptAhead {
  readonly #encrypt: Encrypt;
  #latest: Entry | undefined;

  constructor(encrypt: Encrypt) {
    this.#encrypt = encrypt;
  }

  /**
   * The form's values are valid and may be computed: encrypt them unless already done. One encryption
   * at a time: values that change while one runs wait for it, and only the newest is made then.
   * Settles (never rejects) once this offer's encryption is made, failed or dropped.
   */
  offer(computation: Computation, plaintexts: Plaintexts): Promise<void> {
    const id = identify(computation, plaintexts);
    if (this.#latest?.id === id) return this.#latest.encrypted.then(settled, settled);
    const previous = this.#latest;
    if (previous) previous.outdated = true;
    const turn = previous?.encrypted.catch(() => undefined) ?? Promise.resolve();
    const entry: Entry = {
      id,
      outdated: false,
      encrypted: turn.then(() => {
        if (entry.outdated) throw new Error('Outdated values: not encrypted.');
        return this.#encrypt(computation, plaintexts);
      }),
    };
    this.#latest = entry;
    // A failure here is not the patient's concern yet: Compute encrypts again and reports it.
    return entry.encrypted.then(settled, settled);
  }

  /** The encryption made ahead for exactly these values (finished or not), used up; else none. */
  take(computation: Computation, plaintexts: Plaintexts): Promise<Encrypted> | undefined {
    const latest = this.#latest;
    this.#latest = undefined;
    if (latest?.id === identify(computation, plaintexts)) return latest.encrypted;
    if (latest) latest.outdated = true;
    return undefined;
  }

  /** The keys changed: nothing encrypted to the old ones is sent. */
  clear(): void {
    if (this.#latest) this.#latest.outdated = true;
    this.#latest = undefined;
  }
}
