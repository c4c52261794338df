/**
 * A transparency-log witness, C2SP tlog-witness `add-checkpoint` (https://c2sp.org/tlog-witness), without
 * HTTP: given a request body it answers a status and a body. It cosigns (C2SP tlog-cosignature v1, key
 * type 0x04) a checkpoint of a log it is configured for only when the log signed it and it extends,
 * by a verified RFC 9162 consistency proof, the tree it last cosigned for that log; it records the new
 * tree durably before answering. So it never cosigns two roots for one size, nor a smaller tree, and
 * a log that shows different trees to different clients needs the witnesses' collusion to go unseen.
 *
 * Checks, in the spec's order and with its status codes: a malformed body or note 400; an unknown origin
 * 404; no verifying signature of the log's key, or a failing one, 403; old size above the checkpoint's
 * 400; old size other than the one last cosigned 409 (with that size); an empty tree with another root,
 * a proof where none belongs, another root at the same size (a fork) or a failing proof 422.
 */

import { type Checkpoint, parseCheckpoint } from '../../shared/log/checkpoint.js';
import { cosign, verifyCosignature } from '../../shared/log/cosignature.js';
import { EMPTY_ROOT, type Hash, hashesEqual, verifyConsistency } from '../../shared/log/merkle.js';
import {
  COSIGNATURE_V1_KEY_TYPE,
  formatNote,
  type Note,
  NoteError,
  type NoteSignature,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  type SignerKey,
  type VerifierKey,
  verifyNoteSignature,
} from '../../shared/log/note.js';
import { MalformedRequestError, parseAddCheckpointRequest } from './request.js';
import { originHash, type WitnessStateStore } from './state-store.js';

/** A log the witness cosigns for: its checkpoint origin line and its signed-note verifier key. */
export interface WitnessedLog {
  readonly origin: string;
  readonly logKey: string;
}

export interface WitnessOptions {
  /** The witness's signer key (C2SP signed-note private key string, cosignature type 0x04). */
  readonly signerKey: string;
  readonly logs: readonly WitnessedLog[];
  readonly store: WitnessStateStore;
  /** Milliseconds since the epoch; the cosignature's timestamp is this in seconds. */
  readonly now?: () => number;
  /** Each request's outcome, for an operator's log. */
  readonly onEvent?: (event: WitnessEvent) => void;
}

export type AddCheckpointOutcome =
  | { readonly status: 200; readonly body: string }
  | { readonly status: 409; readonly size: number }
  | { readonly status: 400 | 403 | 404 | 422; readonly reason: string };

/** What the witness saw, for its operator's log: never a key, only public facts. */
export interface WitnessEvent {
  readonly origin?: string;
  readonly status: number;
  readonly size?: number;
  readonly reason?: string;
  /**
   * The log-signed checkpoint of a refused request whose signature verified: possible evidence of log
   * misbehaviour, which tlog-witness allows the witness to keep.
   */
  readonly evidence?: string;
}

export class WitnessConfigError extends Error {
  override readonly name = 'WitnessConfigError';
}

type Refusal = { readonly status: 400 | 403 | 404 | 422; readonly reason: string };

const refuse = (status: Refusal['status'], reason: string): Refusal => ({ status, reason });

function parseLogs(logs: readonly WitnessedLog[]): Map<string, VerifierKey[]> {
  const keysByOrigin = new Map<string, VerifierKey[]>();
  for (const { origin, logKey } of logs) {
    if (origin === '' || /[\n\r]/.test(origin)) {
      throw new WitnessConfigError(
        `The log origin ${JSON.stringify(origin)} is not a checkpoint origin line.`,
      );
    }
    let key: VerifierKey;
    try {
      key = parseVerifierKey(logKey);
    } catch {
      throw new WitnessConfigError(
        `The key of the log ${origin} is not a signed-note verifier key (name+hash+base64).`,
      );
    }
    keysByOrigin.set(origin, [...(keysByOrigin.get(origin) ?? []), key]);
  }
  if (keysByOrigin.size === 0) throw new WitnessConfigError('A witness needs at least one log to witness.');
  return keysByOrigin;
}

/** The witness's key and logs, checked; throws WitnessConfigError naming what is wrong (never the key). */
export function parseWitnessConfig(options: Pick<WitnessOptions, 'signerKey' | 'logs'>): {
  key: SignerKey;
  logs: Map<string, VerifierKey[]>;
} {
  let key: SignerKey;
  try {
    key = parseSignerKey(options.signerKey);
  } catch {
    throw new WitnessConfigError('The witness key is not a signed-note signer key (PRIVATE+KEY+…).');
  }
  if (key.type !== COSIGNATURE_V1_KEY_TYPE) {
    throw new WitnessConfigError(
      `The witness key ${key.name} is of signature type 0x0${key.type}; a witness cosigns with type 0x04 (make one with keygen).`,
    );
  }
  return { key, logs: parseLogs(options.logs) };
}

/** Whether the signature verifies under the key, by the key's signature type. */
function verifiesUnder(text: string, signature: NoteSignature, key: VerifierKey): boolean {
  return key.type === COSIGNATURE_V1_KEY_TYPE
    ? verifyCosignature(text, signature, key).valid
    : verifyNoteSignature(text, signature, key);
}

/** The signature lines a note gets by these signatures: what the witness answers (tlog-witness 200 body). */
function signatureLines(text: string, signatures: readonly NoteSignature[]): string {
  return formatNote({ text, signatures }).slice(text.length + 1);
}

export class Witness {
  readonly #key: SignerKey;
  readonly #logs: Map<string, VerifierKey[]>;
  readonly #store: WitnessStateStore;
  readonly #now: () => number;
  /** The tail of each origin's queue: check-then-persist must not interleave (tlog-witness's rollback race). */
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #onEvent: (event: WitnessEvent) => void;

  constructor(options: WitnessOptions) {
    const { key, logs } = parseWitnessConfig(options);
    this.#key = key;
    this.#logs = logs;
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    const listener = options.onEvent;
    // An operator's logging that fails must not turn a cosignature already persisted into a 500.
    this.#onEvent = (event) => {
      try {
        listener?.(event);
      } catch {}
    };
  }

  get name(): string {
    return this.#key.name;
  }

  /** The witness's verifier key string, what a log's trust policy lists. */
  get verifierKey(): string {
    return this.#key.text;
  }

  /** The origins the witness cosigns for. */
  get origins(): string[] {
    return [...this.#logs.keys()];
  }

  /**
   * The latest cosigned checkpoint of the log whose origin hashes (SHA-256, lowercase hex) to this:
   * tlog-witness's monitoring endpoint. Undefined if there is none.
   */
  async latestCheckpoint(hashOfOrigin: string): Promise<string | undefined> {
    const origin = this.origins.find((candidate) => originHash(candidate) === hashOfOrigin);
    if (origin === undefined) return undefined;
    const state = await this.#store.load(origin);
    return state?.checkpoint;
  }

  /** Answers one add-checkpoint request body. Rejects only if the state store fails (a 500). */
  async addCheckpoint(body: Uint8Array): Promise<AddCheckpointOutcome> {
    let request: ReturnType<typeof parseAddCheckpointRequest>;
    let note: Note;
    let checkpoint: Checkpoint;
    try {
      request = parseAddCheckpointRequest(body);
      note = parseNote(request.note);
      checkpoint = parseCheckpoint(note.text);
    } catch (error) {
      // Both errors describe the request's shape and never quote it.
      const reason =
        error instanceof MalformedRequestError
          ? error.message
          : `The checkpoint is not a signed checkpoint note: ${error instanceof NoteError ? error.message : 'unreadable'}.`;
      return this.#report(refuse(400, reason));
    }
    const { origin } = checkpoint;
    const logKeys = this.#logs.get(origin);
    if (!logKeys)
      return this.#report(refuse(404, 'This witness does not know the log of that origin.'), origin);
    const logSignatures = this.#verifiedLogSignatures(note, logKeys);
    if (!Array.isArray(logSignatures)) return this.#report(logSignatures, origin);
    const evidence = request.note;
    if (request.oldSize > checkpoint.size) {
      return this.#report(refuse(400, 'The old size is larger than the checkpoint size.'), origin, evidence);
    }
    return this.#serialized(origin, async () => {
      const stored = await this.#store.load(origin);
      const storedSize = stored?.size ?? 0;
      if (request.oldSize !== storedSize) {
        this.#onEvent({ origin, status: 409, size: storedSize });
        return { status: 409, size: storedSize };
      }
      // Never cosigned (size 0): every tree extends the empty one.
      const storedRoot = stored?.root ?? EMPTY_ROOT;
      const inconsistency = this.#inconsistency(request.oldSize, request.proof, storedRoot, checkpoint);
      if (inconsistency) return this.#report(inconsistency, origin, evidence);
      const timestamp = Math.floor(this.#now() / 1000);
      const cosignature = cosign(note.text, timestamp, this.#key);
      const cosigned = formatNote({ text: note.text, signatures: [...logSignatures, cosignature] });
      // Durable before the answer: a cosignature out and a state lost would let a restart cosign a fork.
      await this.#store.save({ origin, size: checkpoint.size, root: checkpoint.root, checkpoint: cosigned });
      this.#onEvent({ origin, status: 200, size: checkpoint.size });
      return { status: 200, body: signatureLines(note.text, [cosignature]) };
    });
  }

  /** The log's signatures on the note, all verified; or the 403 the spec asks for. */
  #verifiedLogSignatures(note: Note, logKeys: readonly VerifierKey[]): NoteSignature[] | Refusal {
    const verified: NoteSignature[] = [];
    for (const signature of note.signatures) {
      // signed-note: signatures of unknown keys are ignored, even if they share a name or an ID.
      const key = logKeys.find((k) => k.name === signature.name && k.keyHash === signature.keyHash);
      if (!key) continue;
      if (!verifiesUnder(note.text, signature, key)) {
        return refuse(403, "A signature by the log's key does not verify.");
      }
      verified.push(signature);
    }
    return verified.length > 0
      ? verified
      : refuse(403, "The checkpoint carries no signature by the log's key.");
  }

  /** Why the checkpoint does not extend the stored tree, or undefined if it does. */
  #inconsistency(
    oldSize: number,
    proof: readonly Hash[],
    storedRoot: Hash,
    checkpoint: Checkpoint,
  ): Refusal | undefined {
    if (checkpoint.size === 0 && !hashesEqual(checkpoint.root, EMPTY_ROOT)) {
      return refuse(422, 'A checkpoint of size 0 must have the root of the empty tree.');
    }
    if (oldSize === 0) {
      return proof.length === 0 ? undefined : refuse(422, 'From size 0 the consistency proof must be empty.');
    }
    if (oldSize === checkpoint.size && !hashesEqual(storedRoot, checkpoint.root)) {
      return refuse(422, 'The checkpoint has another root than the one cosigned at its size: a fork.');
    }
    if (!verifyConsistency(oldSize, checkpoint.size, proof, storedRoot, checkpoint.root)) {
      return refuse(422, 'The consistency proof does not verify.');
    }
    return undefined;
  }

  #report(refusal: Refusal, origin?: string, evidence?: string): Refusal {
    this.#onEvent({
      status: refusal.status,
      reason: refusal.reason,
      ...(origin === undefined ? {} : { origin }),
      ...(evidence === undefined ? {} : { evidence }),
    });
    return refusal;
  }

  #serialized<T>(origin: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(origin) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(origin, tail);
    void tail.then(() => {
      if (this.#queues.get(origin) === tail) this.#queues.delete(origin);
    });
    return result;
  }
}
