/**
 * Encrypts a form's inputs ahead of Compute, as soon as the values typed are valid, so that pressing
 * Compute only has to send them. Nothing leaves the device before Compute. Each encryption serves at
 * most one request: ciphertexts sent twice would let the service tell the two requests are the same
 * values, so a taken or outdated encryption is dropped and the next one made with fresh randomness.
 */

import type { Plaintexts } from '../../../shared/computations/computation.js';
import type { EvaluateRequest } from '../../../shared/wire.js';
import { encryptForComputation } from '../../crypto/client.js';

export interface Encrypted {
  readonly request: EvaluateRequest;
  /** How long the worker took, measured on the page. */
  readonly encryptMs: number;
}

/** What encrypting is for: the computation and its plaintexts, as a comparable string. */
function identify(computationId: string, plaintexts: Plaintexts): string {
  const entries = Object.entries(plaintexts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${computationId}?${entries.map(([name, value]) => `${name}=${value}`).join('&')}`;
}

async function encryptTimed(computationId: string, plaintexts: Plaintexts): Promise<Encrypted> {
  const started = performance.now();
  const request = await encryptForComputation(computationId, plaintexts);
  return { request, encryptMs: performance.now() - started };
}

interface Entry {
  readonly id: string;
  readonly encrypted: Promise<Encrypted>;
  /** Replaced by newer values or dropped before its turn came: it is never made. */
  outdated: boolean;
}

export class EncryptAhead {
  #latest: Entry | undefined;

  /**
   * The form's values are valid and may be computed: encrypt them unless already done. One encryption
   * at a time: values that change while one runs wait for it, and only the newest is made then.
   */
  offer(computationId: string, plaintexts: Plaintexts): void {
    const id = identify(computationId, plaintexts);
    if (this.#latest?.id === id) return;
    const previous = this.#latest;
    if (previous) previous.outdated = true;
    const turn = previous?.encrypted.catch(() => undefined) ?? Promise.resolve();
    const entry: Entry = {
      id,
      outdated: false,
      encrypted: turn.then(() => {
        if (entry.outdated) throw new Error('Outdated values: not encrypted.');
        return encryptTimed(computationId, plaintexts);
      }),
    };
    // A failure here is not the patient's concern yet: Compute encrypts again and reports it.
    entry.encrypted.catch(() => undefined);
    this.#latest = entry;
  }

  /** The encryption made ahead for exactly these values (finished or not), used up; else none. */
  take(computationId: string, plaintexts: Plaintexts): Promise<Encrypted> | undefined {
    const latest = this.#latest;
    this.#latest = undefined;
    if (latest?.id === identify(computationId, plaintexts)) return latest.encrypted;
    if (latest) latest.outdated = true;
    return undefined;
  }

  /** The keys changed: nothing encrypted to the old ones is sent. */
  clear(): void {
    if (this.#latest) this.#latest.outdated = true;
    this.#latest = undefined;
  }
}

/** Encrypts now, for a Compute with nothing made ahead. */
export function encryptNow(computationId: string, plaintexts: Plaintexts): Promise<Encrypted> {
  return encryptTimed(computationId, plaintexts);
}
