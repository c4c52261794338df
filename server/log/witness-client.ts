/**
 * The log's side of C2SP tlog-witness (https://c2sp.org/tlog-witness): asks a witness to cosign a signed
 * checkpoint with `POST <prefix>/add-checkpoint` (`old <size>`, the consistency proof from it, an empty
 * line, the checkpoint) and reads the answer: cosignature lines on 200, the witness's size on 409
 * (`text/x.tlog.size`). A witness is someone else's server, so nothing here throws on what it does:
 * a refusal, a network error, a timeout or an oversized answer all come back as `ok: false` with a
 * reason, and the caller's quorum decides.
 */

import { parseCheckpoint } from '../../shared/log/checkpoint.js';
import { verifyCosignature } from '../../shared/log/cosignature.js';
import type { Hash } from '../../shared/log/merkle.js';
import { type NoteSignature, parseNote, type VerifierKey } from '../../shared/log/note.js';
import { parseTreeSize } from '../witness/request.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** A witness answers a few signature lines; anything bigger is not an answer. */
const MAX_RESPONSE_BYTES = 64 * 1024;
const REASON_CHARS = 200;

export interface CosignatureRequest {
  /** The size the witness last cosigned, as far as the log knows (0 if none). */
  readonly oldSize: number;
  /** RFC 9162 consistency proof from oldSize to the checkpoint's size (empty from 0). */
  readonly consistencyProof: readonly Hash[];
  /** The checkpoint note with the log's signature. */
  readonly signedCheckpoint: string;
}

export interface WitnessClientOptions {
  /** Per request, the answer's body included (default 10 s). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/**
 * `status` is the witness's HTTP status, 0 when no HTTP answer came. `conflictSize` is the size a 409
 * reports: ask again with a proof from it.
 */
export type CosignatureResult =
  | { readonly ok: true; readonly signatures: NoteSignature[] }
  | { readonly ok: false; readonly status: number; readonly conflictSize?: number; readonly reason: string };

/** A witness to ask; with its key, only its own cosignatures that verify are kept (tlog-witness: ignore others). */
export interface WitnessEndpoint {
  readonly url: string;
  readonly key?: VerifierKey;
}

export type WitnessOutcome = { readonly url: string } & CosignatureResult;

function failure(status: number, reason: string, conflictSize?: number): CosignatureResult {
  return { ok: false, status, reason, ...(conflictSize === undefined ? {} : { conflictSize }) };
}

/** A witness's text, shown to an operator: one line, printable, short. */
function excerpt(text: string): string {
  const line = (text.split('\n')[0] ?? '').replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?');
  return line.length > REASON_CHARS ? `${line.slice(0, REASON_CHARS)}…` : line;
}

async function readBounded(response: Response): Promise<string | undefined> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function requestBody(request: CosignatureRequest): string {
  const proof = request.consistencyProof.map((hash) => `${Buffer.from(hash).toString('base64')}\n`);
  return `old ${request.oldSize}\n${proof.join('')}\n${request.signedCheckpoint}`;
}

function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `The witness did not answer within ${timeoutMs} ms.`;
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = cause && 'code' in cause && typeof cause.code === 'string' ? ` (${cause.code})` : '';
  return `The witness could not be reached${code}.`;
}

/** The cosignatures in a 200 body: signature lines, read as the signatures of the checkpoint's note. */
function cosignaturesOf(
  checkpointText: string,
  body: string,
  key: VerifierKey | undefined,
): CosignatureResult {
  let signatures: readonly NoteSignature[];
  try {
    signatures = parseNote(`${checkpointText}\n${body}`).signatures;
  } catch {
    return failure(200, 'The witness answered 200 without valid signature lines.');
  }
  if (!key) return { ok: true, signatures: [...signatures] };
  const own = signatures.filter((s) => s.name === key.name && s.keyHash === key.keyHash);
  if (own.length === 0) return failure(200, "The witness's answer has no cosignature by its key.");
  if (!own.every((s) => verifyCosignature(checkpointText, s, key).valid)) {
    return failure(200, "A cosignature by the witness's key does not verify.");
  }
  return { ok: true, signatures: own };
}

/** Asks one witness to cosign. Never throws. */
export async function requestCosignature(
  witnessUrl: string,
  request: CosignatureRequest,
  options: WitnessClientOptions & { readonly witnessKey?: VerifierKey } = {},
): Promise<CosignatureResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let checkpointText: string;
  try {
    checkpointText = parseNote(request.signedCheckpoint).text;
  } catch {
    return failure(0, 'The checkpoint to send is not a signed note.');
  }
  let status: number;
  let body: string | undefined;
  try {
    const response = await (options.fetch ?? fetch)(`${witnessUrl.replace(/\/+$/, '')}/add-checkpoint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: requestBody(request),
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    body = await readBounded(response);
  } catch (error) {
    return failure(0, networkReason(error, timeoutMs));
  }
  if (body === undefined) return failure(status, `The witness's answer exceeds ${MAX_RESPONSE_BYTES} bytes.`);
  if (status === 200) return cosignaturesOf(checkpointText, body, options.witnessKey);
  if (status === 409) {
    const size = body.endsWith('\n') ? parseTreeSize(body.slice(0, -1)) : undefined;
    return size === undefined
      ? failure(409, 'The witness answered 409 without a tree size.')
      : failure(409, `The witness last cosigned size ${size}.`, size);
  }
  return failure(status, `The witness answered ${status}: ${excerpt(body)}`);
}

export interface CheckpointToCosign {
  readonly signedCheckpoint: string;
  /** The size of the checkpoint the log last published: where an up-to-date witness stands. */
  readonly previousSize: number;
  /** The consistency proof from oldSize to the checkpoint's size. */
  readonly proofFrom: (oldSize: number) => readonly Hash[];
}

async function cosignOnce(
  witness: WitnessEndpoint,
  checkpoint: CheckpointToCosign,
  size: number,
  options: WitnessClientOptions,
): Promise<CosignatureResult> {
  const ask = (oldSize: number): Promise<CosignatureResult> => {
    let consistencyProof: readonly Hash[];
    try {
      consistencyProof = checkpoint.proofFrom(oldSize);
    } catch {
      return Promise.resolve(failure(0, `No consistency proof from size ${oldSize} to ${size}.`));
    }
    return requestCosignature(
      witness.url,
      { oldSize, consistencyProof, signedCheckpoint: checkpoint.signedCheckpoint },
      { ...options, ...(witness.key ? { witnessKey: witness.key } : {}) },
    );
  };
  const first = await ask(checkpoint.previousSize);
  if (first.ok || first.conflictSize === undefined || first.conflictSize === checkpoint.previousSize)
    return first;
  if (first.conflictSize > size) {
    // The witness has cosigned a bigger tree of this log: the log rolled back or forked, or is misconfigured.
    return failure(
      409,
      `The witness has cosigned size ${first.conflictSize}, more than this checkpoint's ${size}.`,
      first.conflictSize,
    );
  }
  // Once: the witness told us where it stands; a second 409 means it moved meanwhile, and the next round retries.
  return ask(first.conflictSize);
}

/**
 * Asks every witness in parallel, starting from the previously published size and, on a 409, once more
 * from the size the witness reports. Returns each witness's outcome, in the order given.
 */
export async function collectCosignatures(
  witnesses: readonly WitnessEndpoint[],
  checkpoint: CheckpointToCosign,
  options: WitnessClientOptions = {},
): Promise<WitnessOutcome[]> {
  let size: number;
  try {
    size = parseCheckpoint(parseNote(checkpoint.signedCheckpoint).text).size;
  } catch {
    const result = failure(0, 'The checkpoint to send is not a signed checkpoint note.');
    return witnesses.map(({ url }) => ({ url, ...result }));
  }
  return Promise.all(
    witnesses.map(async (witness) => ({
      url: witness.url,
      ...(await cosignOnce(witness, checkpoint, size, options)),
    })),
  );
}
