/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the checkpoint note text, and a client's
 * check of a signed checkpoint against its trust policy: the log's key (signed-note, type 0x01) and
 * a quorum of witnesses (c2sp.org/tlog-cosignature, type 0x04).
 */

import { base64 } from '@scure/base';
import { verifyCosignature } from './cosignature.js';
import type { Hash } from './merkle.js';
import {
  COSIGNATURE_V1_KEY_TYPE,
  checkNoteText,
  ED25519_KEY_TYPE,
  type Note,
  NoteError,
  type NoteSignature,
  parseNote,
  parseVerifierKey,
  type VerifierKey,
  verifyNoteSignature,
} from './note.js';

const HASH_BYTES = 32;

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Hash;
  readonly extensions: readonly string[];
}

/** tlog-checkpoint "Note text": an origin, a size and a root line, then optional extension lines. */
export function formatCheckpoint(c: Checkpoint): string {
  if (typeof c.origin !== 'string' || c.origin === '' || c.origin.includes('\n'))
    throw new NoteError('a checkpoint origin is one non-empty line');
  if (!Number.isSafeInteger(c.size) || c.size < 0)
    throw new NoteError('a checkpoint size is a non-negative safe integer');
  if (!(c.root instanceof Uint8Array) || c.root.length !== HASH_BYTES)
    throw new NoteError('a checkpoint root is 32 bytes');
  if (!c.extensions.every((line) => typeof line === 'string' && line !== '' && !line.includes('\n')))
    throw new NoteError('a checkpoint extension is one non-empty line');
  const text = [c.origin, String(c.size), base64.encode(c.root), ...c.extensions]
    .map((line) => `${line}\n`)
    .join('');
  checkNoteText(text);
  return text;
}

export function parseCheckpoint(text: string): Checkpoint {
  checkNoteText(text);
  const [origin, size, root, ...extensions] = text.slice(0, -1).split('\n');
  if (origin === undefined || size === undefined || root === undefined)
    throw new NoteError('a checkpoint has at least three lines: origin, size and root hash');
  if (origin === '') throw new NoteError('the checkpoint origin is empty');
  // Decimal without leading zeros (0 itself aside): one size, one spelling.
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size)))
    throw new NoteError('the checkpoint size is not a decimal safe integer without leading zeros');
  let rootBytes: Uint8Array;
  try {
    rootBytes = base64.decode(root);
  } catch {
    throw new NoteError('the checkpoint root hash is not canonical padded base64');
  }
  if (rootBytes.length !== HASH_BYTES) throw new NoteError('the checkpoint root hash is not 32 bytes');
  if (extensions.some((line) => line === '')) throw new NoteError('a checkpoint extension line is empty');
  return { origin, size: Number(size), root: rootBytes, extensions };
}

export interface LogPolicy {
  readonly origin: string;
  /** The log's type 0x01 vkey, named after the origin. */
  readonly logKey: string;
  /** Type 0x04 vkeys. */
  readonly witnesses: readonly string[];
  readonly quorum: number;
  readonly local?: boolean;
}

const POLICY_MEMBERS = new Set(['origin', 'logKey', 'witnesses', 'quorum', 'local']);

function policyKey(vkey: unknown, field: string, type: number): VerifierKey {
  if (typeof vkey !== 'string') throw new NoteError(`the policy's ${field} is not a string`);
  let key: VerifierKey;
  try {
    key = parseVerifierKey(vkey);
  } catch (error) {
    throw new NoteError(`the policy's ${field}: ${(error as Error).message}`);
  }
  if (key.type !== type) throw new NoteError(`the policy's ${field} is not a type 0x0${type} key`);
  return key;
}

/** Checks a trust policy read from JSON; throws NoteError naming the field at fault. */
export function parseLogPolicy(value: unknown): LogPolicy {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new NoteError('the log policy is not a JSON object');
  const record = value as Record<string, unknown>;
  // An unknown member is most likely a misspelt one that would otherwise be silently left out.
  const unknown = Object.keys(record).find((member) => !POLICY_MEMBERS.has(member));
  if (unknown !== undefined) throw new NoteError(`the policy has an unknown member "${unknown}"`);
  const { origin, logKey, witnesses, quorum, local } = record;
  if (typeof origin !== 'string' || origin === '' || origin.includes('\n'))
    throw new NoteError("the policy's origin is not one non-empty line");
  // signed-note: the log's key name SHOULD be its origin; requiring it keeps one name for one log.
  if (policyKey(logKey, 'logKey', ED25519_KEY_TYPE).name !== origin)
    throw new NoteError("the policy's logKey is not named after the origin");
  if (!Array.isArray(witnesses)) throw new NoteError("the policy's witnesses is not a list");
  const keys = witnesses.map((w: unknown, i) => policyKey(w, `witnesses[${i}]`, COSIGNATURE_V1_KEY_TYPE));
  const distinct = (of: (k: VerifierKey) => string | number) => new Set(keys.map(of)).size === keys.length;
  if (!distinct((k) => k.name)) throw new NoteError("the policy's witnesses do not have distinct names");
  if (!distinct((k) => k.keyHash)) throw new NoteError("the policy's witnesses do not have distinct key IDs");
  // A v1 cosignature does not commit to the cosigner's name, so one key under two names would count
  // twice towards the quorum.
  if (!distinct((k) => base64.encode(k.publicKey)))
    throw new NoteError("the policy's witnesses do not have distinct public keys");
  const minimum = keys.length === 0 ? 0 : 1;
  if (typeof quorum !== 'number' || !Number.isInteger(quorum) || quorum < minimum || quorum > keys.length)
    throw new NoteError(`the policy's quorum is not an integer from ${minimum} to ${keys.length}`);
  if (local !== undefined && typeof local !== 'boolean')
    throw new NoteError("the policy's local is not a boolean");
  return {
    origin,
    logKey: logKey as string,
    witnesses: keys.map((k) => k.text),
    quorum,
    ...(local === undefined ? {} : { local }),
  };
}

export interface VerifiedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: Note;
  readonly cosignedBy: readonly { name: string; timestamp: number }[];
}

/** A signed checkpoint the policy does not trust; the message completes "The checkpoint was refused: …". */
export class CheckpointRefused extends Error {
  override readonly name = 'CheckpointRefused';
}

function signaturesOf(note: Note, key: VerifierKey): NoteSignature[] {
  // signed-note: a key is its name and key ID together; a line matching one but not both is ignored.
  return note.signatures.filter((s) => s.name === key.name && s.keyHash === key.keyHash);
}

function belowQuorum(count: number, witnesses: number, quorum: number): string {
  const of = witnesses === 1 ? 'the 1 witness' : `the ${witnesses} witnesses`;
  return `it is cosigned by ${count} of ${of}; ${quorum} ${quorum === 1 ? 'is' : 'are'} needed`;
}

/**
 * Parses and checks a signed checkpoint: the policy's origin, a valid log signature, and valid
 * cosignatures from at least `quorum` distinct policy witnesses. Throws CheckpointRefused for a
 * checkpoint the policy does not accept (malformed ones included), NoteError for an invalid policy.
 */
export function verifyCheckpoint(signedCheckpoint: string, policy: LogPolicy): VerifiedCheckpoint {
  const logKey = parseVerifierKey(policy.logKey);
  const witnessKeys = policy.witnesses.map(parseVerifierKey);
  let note: Note;
  let checkpoint: Checkpoint;
  try {
    note = parseNote(signedCheckpoint);
    checkpoint = parseCheckpoint(note.text);
  } catch (error) {
    throw new CheckpointRefused(`it is not a signed checkpoint (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (checkpoint.origin !== policy.origin)
    throw new CheckpointRefused("it is not a checkpoint of this policy's log");
  const logSignatures = signaturesOf(note, logKey);
  if (logSignatures.length === 0) throw new CheckpointRefused("it is not signed by the log's key");
  // signed-note: a signature from a known key that fails to verify should reject the whole note.
  if (!logSignatures.every((s) => verifyNoteSignature(note.text, s, logKey)))
    throw new CheckpointRefused("its signature by the log's key does not verify");
  const cosignedBy: { name: string; timestamp: number }[] = [];
  for (const key of witnessKeys) {
    const results = signaturesOf(note, key).map((s) => verifyCosignature(note.text, s, key));
    if (results.length === 0) continue;
    if (!results.every((r) => r.valid))
      throw new CheckpointRefused(`its cosignature by the witness ${key.name} does not verify`);
    // A witness counts once however many lines it has; the latest time is its freshest statement.
    cosignedBy.push({ name: key.name, timestamp: Math.max(...results.map((r) => r.timestamp)) });
  }
  if (cosignedBy.length < policy.quorum)
    throw new CheckpointRefused(belowQuorum(cosignedBy.length, witnessKeys.length, policy.quorum));
  return { checkpoint, note, cosignedBy };
}
