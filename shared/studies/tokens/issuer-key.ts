/**
 * The sponsor's issuer key for token type 0x0002 (RFC 9578 §6): RSA 2048, e = 65537, used as
 * RSABSSA-SHA384-PSS-Deterministic (RFC 9474 §5). The public key travels as a SubjectPublicKeyInfo with
 * the RSASSA-PSS OID and its parameters (SHA-384, MGF1-SHA-384, salt 48), RFC 9578 §6.5; its token key
 * ID is SHA-256 of those bytes. Web Crypto only, so the browser, the service and the sponsor's CLI
 * share it.
 */

import { publicVerif, util } from '@cloudflare/privacypass-ts';
import { base64urlnopad } from '@scure/base';
import { bytesToBigInt, publicBytesEqual } from './bytes.js';
import { AUTHENTICATOR_BYTES } from './token.js';
import { StudyTokenError } from './token-error.js';

const MODULUS_BITS = AUTHENTICATOR_BYTES * 8;
const PUBLIC_EXPONENT = 65537n;
// Web Crypto cannot import the RSASSA-PSS OID (w3c/webcrypto#325), so the key is imported as an
// rsaEncryption SPKI under these parameters; the PSS parameters are checked on the exported bytes.
const RSA_PSS_SHA384 = { name: 'RSA-PSS', hash: 'SHA-384' } as const;
/** A DER SPKI of an RSA 2048 key with PSS parameters is under 400 bytes; refuse anything far larger. */
const MAX_SPKI_BYTES = 1024;

/**
 * Web Crypto's key type, named through the global `crypto` so the same code type-checks against the
 * DOM library (web) and Node's types (the service build, which has no DOM library).
 */
export type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** What anyone may hold: the verifier, the patient's app, the study record. */
export interface IssuerPublicKey {
  /** The RSASSA-PSS SubjectPublicKeyInfo (DER) of RFC 9578 §6.5, whatever form it was imported from. */
  readonly spki: Uint8Array;
  /** SHA-256(spki): the token_key_id of RFC 9578 §6.5. */
  readonly tokenKeyId: Uint8Array;
  /** The modulus n, for the range check on signatures and blinded messages. */
  readonly modulus: bigint;
  /** Imported for RSA-PSS verification with SHA-384. */
  readonly verifyKey: WebCryptoKey;
}

/** The sponsor's pair. The private key is extractable because blind signing reads its parameters. */
export interface IssuerKeyPair {
  readonly publicKey: IssuerPublicKey;
  readonly privateKey: WebCryptoKey;
}

export async function generateIssuerKeyPair(): Promise<IssuerKeyPair> {
  const pair = await publicVerif.Issuer.generateKey(publicVerif.BlindRSAMode.PSS, {
    modulusLength: MODULUS_BITS,
    publicExponent: Uint8Array.of(1, 0, 1),
  });
  return { publicKey: await describePublicKey(pair.publicKey), privateKey: pair.privateKey };
}

/**
 * Imports an untrusted SPKI of an RSA 2048 key with e = 65537, in either of its two exact DER forms:
 * the RSASSA-PSS one RFC 9578 §6.5 publishes, or rsaEncryption as Web Crypto exports it. Each is
 * re-encoded and compared byte for byte, and the token key ID is always taken over the RSASSA-PSS
 * form, so one key has one token key ID.
 */
export async function importIssuerPublicKey(spki: Uint8Array): Promise<IssuerPublicKey> {
  if (!(spki instanceof Uint8Array) || spki.length === 0 || spki.length > MAX_SPKI_BYTES)
    throw new StudyTokenError(
      'invalid-issuer-key',
      'the issuer key is not a SubjectPublicKeyInfo of sensible size',
    );
  let key: WebCryptoKey;
  try {
    key = await crypto.subtle.importKey(
      'spki',
      util.convertRSASSAPSSToEnc(spki).slice(),
      RSA_PSS_SHA384,
      true,
      ['verify'],
    );
  } catch {
    throw new StudyTokenError('invalid-issuer-key', 'the issuer key is not an RSA SubjectPublicKeyInfo');
  }
  const described = await describePublicKey(key);
  const rsaEncryption = new Uint8Array(await crypto.subtle.exportKey('spki', key));
  if (!publicBytesEqual(described.spki, spki) && !publicBytesEqual(rsaEncryption, spki))
    throw new StudyTokenError(
      'invalid-issuer-key',
      'the issuer key is neither rsaEncryption nor RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt (RFC 9578 §6.5)',
    );
  return described;
}

/** PKCS #8 (DER) for the sponsor's own storage: it is the whole secret, keep it encrypted at rest. */
export async function exportIssuerPrivateKey(pair: IssuerKeyPair): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
}

/** Reads back what exportIssuerPrivateKey wrote, with the same checks on the public half. */
export async function importIssuerKeyPair(pkcs8: Uint8Array): Promise<IssuerKeyPair> {
  let privateKey: WebCryptoKey;
  try {
    privateKey = await crypto.subtle.importKey('pkcs8', pkcs8.slice(), RSA_PSS_SHA384, true, ['sign']);
  } catch {
    throw new StudyTokenError('invalid-issuer-key', 'the issuer private key is not an RSA PKCS #8 key');
  }
  const { n, e } = await crypto.subtle.exportKey('jwk', privateKey);
  if (n === undefined || e === undefined)
    throw new StudyTokenError('invalid-issuer-key', 'the issuer private key has no modulus or exponent');
  const publicKey = await crypto.subtle.importKey('jwk', { kty: 'RSA', n, e }, RSA_PSS_SHA384, true, [
    'verify',
  ]);
  return { publicKey: await describePublicKey(publicKey), privateKey };
}

async function describePublicKey(key: WebCryptoKey): Promise<IssuerPublicKey> {
  const { n, e } = await crypto.subtle.exportKey('jwk', key);
  if (n === undefined || e === undefined)
    throw new StudyTokenError('invalid-issuer-key', 'the issuer key has no modulus or exponent');
  const modulus = base64UrlToBigInt(n);
  // RFC 9578 §6: Nk = 256, so exactly 2048 bits; a smaller modulus would also change every length.
  if (modulus >> BigInt(MODULUS_BITS - 1) !== 1n)
    throw new StudyTokenError('invalid-issuer-key', `the issuer key is not an RSA ${MODULUS_BITS}-bit key`);
  if (base64UrlToBigInt(e) !== PUBLIC_EXPONENT)
    throw new StudyTokenError('invalid-issuer-key', 'the issuer key’s public exponent is not 65537');
  const spki = await publicVerif.getPublicKeyBytes(key);
  const tokenKeyId = new Uint8Array(await crypto.subtle.digest('SHA-256', spki.slice()));
  return { spki, tokenKeyId, modulus, verifyKey: key };
}

function base64UrlToBigInt(text: string): bigint {
  return bytesToBigInt(base64urlnopad.decode(text));
}
