/**
 * The transparency log's routes as the app reads them (shared/catalog-trust.ts `LogClient`), every
 * answer checked for its form before use. What was fetched is recorded, so that offline the same
 * check can be made again on the catalog kept from the last visit (`ReplayLogClient`).
 */

import { LOG_CHECKPOINT_PATH, LOG_CONSISTENCY_PATH, LOG_INCLUSION_PATH } from '../../shared/api.js';
import type { LogClient } from '../../shared/catalog-trust.js';
import { hashFromBase64Url } from '../../shared/log/entries.js';
import type { Hash } from '../../shared/log/merkle.js';
import { isRecord } from '../../shared/records.js';
import { apiUrl } from './exchange.js';

/** What a check fetched from the log, kept with the catalog it checked. */
export interface LogRecord {
  readonly checkpoint?: string;
  readonly proofs: Readonly<Record<string, readonly string[]>>;
}

/** A signed checkpoint is a few lines; a proof is at most 63 hashes (a tree of 2^63 entries). */
const MAX_CHECKPOINT_CHARS = 16 * 1024;
const MAX_PROOF_HASHES = 63;

const proofKey = (kind: string, a: number, b: number) => `${kind}:${a}:${b}`;

function proofOf(body: unknown, echoed: Readonly<Record<string, number>>): string[] {
  if (!isRecord(body) || !Array.isArray(body.proof) || body.proof.length > MAX_PROOF_HASHES)
    throw new Error('The log sent a malformed proof.');
  for (const [name, value] of Object.entries(echoed))
    if (body[name] !== value) throw new Error('The log sent a proof for something else.');
  const proof = body.proof.map((hash) => {
    if (typeof hash !== 'string') throw new Error('The log sent a malformed proof.');
    hashFromBase64Url(hash);
    return hash;
  });
  return proof;
}

/**
 * The error for a refused request, its body cancelled first: left unread, the browser keeps the
 * response open (a service without a log answers 404, and the page never reached network idle).
 */
async function refused(response: Response, what: string): Promise<Error> {
  await response.body?.cancel().catch(() => undefined);
  return new Error(`${what}: HTTP ${response.status}.`);
}

export class HttpLogClient implements LogClient {
  #checkpoint: string | undefined;
  readonly #proofs: Record<string, readonly string[]> = {};
  #cutShort = false;

  /**
   * Whether a request to the log never got an answer (the network went away during the check): its
   * record then lacks what the check needed, and must not replace one kept for offline use.
   */
  get cutShort(): boolean {
    return this.#cutShort;
  }

  async #fetch(path: string, accept: string): Promise<Response> {
    try {
      return await fetch(apiUrl(path), { headers: { accept } });
    } catch (error) {
      this.#cutShort = true;
      throw error;
    }
  }

  get record(): LogRecord {
    return {
      ...(this.#checkpoint === undefined ? {} : { checkpoint: this.#checkpoint }),
      proofs: { ...this.#proofs },
    };
  }

  async checkpoint(): Promise<string> {
    const response = await this.#fetch(LOG_CHECKPOINT_PATH, 'text/plain');
    if (!response.ok) throw await refused(response, "The log's checkpoint");
    const text = await response.text();
    if (text.length > MAX_CHECKPOINT_CHARS) throw new Error('The log sent an oversized checkpoint.');
    this.#checkpoint = text;
    return text;
  }

  inclusion(index: number, size: number): Promise<readonly Hash[]> {
    const query = new URLSearchParams({ index: String(index), size: String(size) });
    return this.#proof(proofKey('inclusion', index, size), `${LOG_INCLUSION_PATH}?${query}`, { index, size });
  }

  consistency(from: number, to: number): Promise<readonly Hash[]> {
    const query = new URLSearchParams({ from: String(from), to: String(to) });
    return this.#proof(proofKey('consistency', from, to), `${LOG_CONSISTENCY_PATH}?${query}`, { from, to });
  }

  async #proof(
    key: string,
    path: string,
    echoed: Readonly<Record<string, number>>,
  ): Promise<readonly Hash[]> {
    const response = await this.#fetch(path, 'application/json');
    if (!response.ok) throw await refused(response, "The log's proof");
    const proof = proofOf(await response.json(), echoed);
    this.#proofs[key] = proof;
    return proof.map((hash) => hashFromBase64Url(hash));
  }
}

/** The log as a kept record has it: offline, the same check again, and nothing not fetched before. */
export class ReplayLogClient implements LogClient {
  readonly #record: LogRecord;

  constructor(record: LogRecord) {
    this.#record = record;
  }

  get record(): LogRecord {
    return this.#record;
  }

  async checkpoint(): Promise<string> {
    if (this.#record.checkpoint === undefined) throw new Error('No checkpoint was kept.');
    return this.#record.checkpoint;
  }

  async inclusion(index: number, size: number): Promise<readonly Hash[]> {
    return this.#kept(proofKey('inclusion', index, size));
  }

  async consistency(from: number, to: number): Promise<readonly Hash[]> {
    return this.#kept(proofKey('consistency', from, to));
  }

  #kept(key: string): readonly Hash[] {
    const proof = this.#record.proofs[key];
    if (!proof) throw new Error('That proof was not kept.');
    return proof.map((hash) => hashFromBase64Url(hash));
  }
}

export function isLogRecord(value: unknown): value is LogRecord {
  return (
    isRecord(value) &&
    (value.checkpoint === undefined || typeof value.checkpoint === 'string') &&
    isRecord(value.proofs) &&
    Object.values(value.proofs).every((p) => Array.isArray(p) && p.every((h) => typeof h === 'string'))
  );
}
