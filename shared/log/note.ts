/**
 * C2SP signed notes (https://c2sp.org/signed-note): the note format, key IDs, verifier and signer
 * keys ("vkey", "skey") and Ed25519 note signatures (signature type 0x01). Knows nothing of trees.
 *
 * Stricter than the spec where it costs a conforming peer nothing: base64 must be canonical (no
 * stray bits in the last character) and a vkey's key ID lowercase hex, as every implementation
 * writes them, so one signature has one encoding.
 */

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64 } from '@scure/base';

export const ED25519_KEY_TYPE = 0x01;
/** c2sp.org/tlog-cosignature: timestamped Ed25519 checkpoint cosignatures. */
export const COSIGNATURE_V1_KEY_TYPE = 0x04;

/** signed-note: verifiers must accept at least 16; the Go reference stops at 100. */
export const MAX_SIGNATURES = 100;
export const MAX_NOTE_BYTES = 1024 * 1024;

const KEY_BYTES = 32;
const KEY_HASH_BYTES = 4;
const ED25519_SIGNATURE_BYTES = 64;
const SIGNATURE_PREFIX = '— ';
const PRIVATE_KEY_PREFIX = 'PRIVATE+KEY+';

const utf8 = new TextEncoder();

/** A malformed note, key or checkpoint; the message says what is wrong, never a secret. */
export class NoteError extends Error {
  override readonly name = 'NoteError';
}

export interface NoteSignature {
  readonly name: string;
  /** uint32 */
  readonly keyHash: number;
  /** The bytes after the 4-byte key hash. */
  readonly signature: Uint8Array;
}

export interface Note {
  /** Ends with "\n". */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

export interface VerifierKey {
  readonly name: string;
  readonly keyHash: number;
  readonly type: number;
  /** 32 bytes */
  readonly publicKey: Uint8Array;
  /** The vkey string. */
  readonly text: string;
}

export interface SignerKey extends VerifierKey {
  /** The 32-byte Ed25519 private seed. */
  readonly seed: Uint8Array;
}

/** SHA-256(name || "\n" || type || key)[:4] as a big-endian uint32 (signed-note, "Signatures"). */
export function keyHash(name: string, typeAndPublicKey: Uint8Array): number {
  const nameBytes = utf8.encode(`${name}\n`);
  const input = new Uint8Array(nameBytes.length + typeAndPublicKey.length);
  input.set(nameBytes);
  input.set(typeAndPublicKey, nameBytes.length);
  const digest = sha256(input);
  return new DataView(digest.buffer, digest.byteOffset, KEY_HASH_BYTES).getUint32(0);
}

// Unicode White_Space (\s, plus U+0085, which \s leaves out) and '+'.
const NAME_FORBIDDEN = /[\s\u0085+]/u;
// In a /u regex a surrogate class matches only unpaired surrogates, which have no UTF-8 encoding.
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** signed-note: no ASCII control characters (below U+0020), newline aside where allowed. */
function hasControlCharacter(text: string, allowNewline: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && !(allowNewline && code === 0x0a)) return true;
  }
  return false;
}

/** signed-note: a key name is non-empty and holds no Unicode space and no '+'. */
export function isValidKeyName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name !== '' &&
    !NAME_FORBIDDEN.test(name) &&
    !hasControlCharacter(name, false) &&
    !LONE_SURROGATE.test(name)
  );
}

/** Throws unless `text` can be a note's text: valid UTF-8, no control characters, ends with "\n". */
export function checkNoteText(text: unknown): asserts text is string {
  if (typeof text !== 'string') throw new NoteError('the note text is not a string');
  if (!text.endsWith('\n')) throw new NoteError('the note text does not end with a newline');
  checkCharacters(text, 'the note text');
}

function checkCharacters(text: string, what: string): void {
  if (hasControlCharacter(text, true)) throw new NoteError(`${what} contains a control character`);
  if (LONE_SURROGATE.test(text)) throw new NoteError(`${what} is not valid Unicode (an unpaired surrogate)`);
}

function decodeBase64(value: string, what: string): Uint8Array {
  try {
    return base64.decode(value);
  } catch {
    throw new NoteError(`${what} is not canonical padded base64`);
  }
}

function keyHashBytes(hash: number): Uint8Array {
  const bytes = new Uint8Array(KEY_HASH_BYTES);
  new DataView(bytes.buffer).setUint32(0, hash);
  return bytes;
}

function parseSignatureLine(line: string, number: number): NoteSignature {
  const where = `signature line ${number}`;
  if (!line.startsWith(SIGNATURE_PREFIX))
    throw new NoteError(`${where} does not start with an em dash (U+2014) and a space`);
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw new NoteError(`${where} has no space between the key name and the signature`);
  const name = rest.slice(0, space);
  if (!isValidKeyName(name)) throw new NoteError(`${where} has an invalid key name`);
  const bytes = decodeBase64(rest.slice(space + 1), `the signature on ${where}`);
  if (bytes.length <= KEY_HASH_BYTES) throw new NoteError(`the signature on ${where} is too short`);
  return {
    name,
    keyHash: new DataView(bytes.buffer, bytes.byteOffset).getUint32(0),
    signature: bytes.slice(KEY_HASH_BYTES),
  };
}

/** Parses a signed note; signatures are only decoded here, not verified. */
export function parseNote(message: string): Note {
  if (typeof message !== 'string') throw new NoteError('the note is not a string');
  // A string's UTF-8 is never shorter than its UTF-16 length, so the cheap test comes first.
  if (message.length > MAX_NOTE_BYTES || utf8.encode(message).length > MAX_NOTE_BYTES)
    throw new NoteError(`the note is longer than ${MAX_NOTE_BYTES} bytes`);
  checkCharacters(message, 'the note');
  // signed-note: the text may hold empty lines; the last one separates it from the signatures.
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('the note has no blank line between its text and its signatures');
  const text = message.slice(0, split + 1);
  const block = message.slice(split + 2);
  if (block === '') throw new NoteError('the note has no signature lines');
  if (!block.endsWith('\n')) throw new NoteError('the note does not end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES)
    throw new NoteError(`the note has more than ${MAX_SIGNATURES} signatures`);
  return { text, signatures: lines.map((line, i) => parseSignatureLine(line, i + 1)) };
}

function checkSignature(signature: NoteSignature): void {
  if (!isValidKeyName(signature.name)) throw new NoteError('a signature has an invalid key name');
  if (!Number.isInteger(signature.keyHash) || signature.keyHash < 0 || signature.keyHash > 0xffff_ffff)
    throw new NoteError('a signature key hash is not a uint32');
  if (!(signature.signature instanceof Uint8Array) || signature.signature.length === 0)
    throw new NoteError('a signature has no signature bytes');
}

function signatureLine(signature: NoteSignature): string {
  const bytes = new Uint8Array(KEY_HASH_BYTES + signature.signature.length);
  bytes.set(keyHashBytes(signature.keyHash));
  bytes.set(signature.signature, KEY_HASH_BYTES);
  return `${SIGNATURE_PREFIX}${signature.name} ${base64.encode(bytes)}\n`;
}

/** The note as text; throws NoteError on a note parseNote would refuse. */
export function formatNote(note: Note): string {
  checkNoteText(note.text);
  if (note.signatures.length === 0) throw new NoteError('a note needs at least one signature');
  if (note.signatures.length > MAX_SIGNATURES)
    throw new NoteError(`a note has at most ${MAX_SIGNATURES} signatures`);
  note.signatures.forEach(checkSignature);
  return `${note.text}\n${note.signatures.map(signatureLine).join('')}`;
}

/** "<name>+<8 hex key ID>+<base64(type || key)>" */
export function formatVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  const typeAndKey = new Uint8Array([type, ...publicKey]);
  const hash = keyHash(name, typeAndKey).toString(16).padStart(8, '0');
  return `${name}+${hash}+${base64.encode(typeAndKey)}`;
}

/** The parts of "<name>+<hex key ID>+<base64(type || key material)>", each checked. */
function parseKeyParts(
  value: string,
  what: string,
): { name: string; hash: number; type: number; key: Uint8Array } {
  const [name, hashHex, ...rest] = value.split('+');
  // The base64 alphabet has '+', so everything after the second '+' is the key.
  if (name === undefined || hashHex === undefined || rest.length === 0)
    throw new NoteError(`${what} does not have the three parts name+keyID+key`);
  if (!isValidKeyName(name)) throw new NoteError(`${what} has an empty key name or one with a space`);
  if (!/^[0-9a-f]{8}$/.test(hashHex))
    throw new NoteError(`the key ID of ${what} is not 8 lowercase hex digits`);
  const bytes = decodeBase64(rest.join('+'), `the key of ${what}`);
  const type = bytes[0];
  if (type !== ED25519_KEY_TYPE && type !== COSIGNATURE_V1_KEY_TYPE)
    throw new NoteError(`${what} is not of type 0x01 (Ed25519) or 0x04 (cosignature/v1)`);
  const key = bytes.slice(1);
  if (key.length !== KEY_BYTES) throw new NoteError(`the key of ${what} is not 32 bytes`);
  return { name, hash: Number.parseInt(hashHex, 16), type, key };
}

export function parseVerifierKey(vkey: string): VerifierKey {
  if (typeof vkey !== 'string') throw new NoteError('the verifier key is not a string');
  const { name, hash, type, key } = parseKeyParts(vkey, 'the verifier key');
  if (keyHash(name, new Uint8Array([type, ...key])) !== hash)
    throw new NoteError('the key ID of the verifier key does not match its name and key');
  return { name, keyHash: hash, type, publicKey: key, text: vkey };
}

/** "PRIVATE+KEY+<name>+<hex key ID>+<base64(type || seed)>"; errors never quote the key. */
export function parseSignerKey(skey: string): SignerKey {
  if (typeof skey !== 'string' || !skey.startsWith(PRIVATE_KEY_PREFIX))
    throw new NoteError('the signer key does not start with PRIVATE+KEY+');
  const {
    name,
    hash,
    type,
    key: seed,
  } = parseKeyParts(skey.slice(PRIVATE_KEY_PREFIX.length), 'the signer key');
  const publicKey = ed25519.getPublicKey(seed);
  // The key ID is of the public key, so it also checks that the seed is the one the ID was made for.
  if (keyHash(name, new Uint8Array([type, ...publicKey])) !== hash)
    throw new NoteError('the key ID of the signer key does not match its name and key');
  return { name, keyHash: hash, type, publicKey, seed, text: formatVerifierKey(name, type, publicKey) };
}

export function generateSignerKey(
  name: string,
  type: number = ED25519_KEY_TYPE,
): { signerKey: string; verifierKey: string } {
  if (!isValidKeyName(name)) throw new NoteError('a key name must be non-empty, without spaces or +');
  if (type !== ED25519_KEY_TYPE && type !== COSIGNATURE_V1_KEY_TYPE)
    throw new NoteError('a key is of type 0x01 (Ed25519) or 0x04 (cosignature/v1)');
  const { secretKey: seed, publicKey } = ed25519.keygen();
  const verifierKey = formatVerifierKey(name, type, publicKey);
  const [, hash] = verifierKey.split('+');
  return {
    signerKey: `${PRIVATE_KEY_PREFIX}${name}+${hash}+${base64.encode(new Uint8Array([type, ...seed]))}`,
    verifierKey,
  };
}

/** An Ed25519 signature (type 0x01) over the UTF-8 note text. */
export function signNote(text: string, key: SignerKey): NoteSignature {
  // A cosigner key signs only "cosignature/v1" messages: its signatures must never be note signatures.
  if (key.type !== ED25519_KEY_TYPE) throw new NoteError('only a type 0x01 (Ed25519) key signs notes');
  checkNoteText(text);
  return { name: key.name, keyHash: key.keyHash, signature: ed25519.sign(utf8.encode(text), key.seed) };
}

/** True only for a valid type 0x01 signature by this key (name and key ID included) on this text. */
export function verifyNoteSignature(text: string, signature: NoteSignature, key: VerifierKey): boolean {
  try {
    return (
      key.type === ED25519_KEY_TYPE &&
      signature.name === key.name &&
      signature.keyHash === key.keyHash &&
      signature.signature.length === ED25519_SIGNATURE_BYTES &&
      // Strict RFC 8032 encodings, not ZIP-215's relaxed ones: one valid signature, one encoding.
      ed25519.verify(signature.signature, utf8.encode(text), key.publicKey, { zip215: false })
    );
  } catch {
    return false;
  }
}
