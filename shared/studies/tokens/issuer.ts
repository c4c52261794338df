/**
 * The sponsor's side of issuance (RFC 9578 §6.2): a TokenRequest parsed strictly and answered with a
 * TokenResponse, the blind signature. Whether this patient may have a token (the invitation) is the
 * caller's check, made after parsing and before signing (invitations.ts).
 *
 *   struct {                                  struct {
 *     uint16_t token_type = 0x0002;             uint8_t blind_sig[256];
 *     uint8_t  truncated_token_key_id;        } TokenResponse;
 *     uint8_t  blinded_msg[256];
 *   } TokenRequest;
 */

import { publicVerif } from '@cloudflare/privacypass-ts';
import { bigIntToBytes, bytesToBigInt } from './bytes.js';
import type { IssuerKeyPair, IssuerPublicKey, WebCryptoKey } from './issuer-key.js';
import {
  AUTHENTICATOR_BYTES,
  BLIND_RSA_TOKEN_TYPE,
  TOKEN_REQUEST_BYTES,
  TOKEN_RESPONSE_BYTES,
} from './token.js';
import { StudyTokenError } from './token-error.js';

const PUBLIC_EXPONENT = 65537n;

/** A TokenRequest whose layout, type, key and range were checked. */
export interface ParsedTokenRequest {
  readonly blindedMessage: Uint8Array;
}

export function parseTokenRequest(bytes: Uint8Array, issuerKey: IssuerPublicKey): ParsedTokenRequest {
  if (!(bytes instanceof Uint8Array))
    throw new StudyTokenError('invalid-encoding', 'the token request is not bytes');
  if (bytes.length < TOKEN_REQUEST_BYTES)
    throw new StudyTokenError(
      'truncated',
      `the token request has ${bytes.length} bytes, fewer than ${TOKEN_REQUEST_BYTES}`,
    );
  if (bytes.length > TOKEN_REQUEST_BYTES)
    throw new StudyTokenError(
      'extended',
      `the token request has ${bytes.length} bytes, more than ${TOKEN_REQUEST_BYTES}`,
    );
  if ((((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0)) !== BLIND_RSA_TOKEN_TYPE)
    throw new StudyTokenError(
      'wrong-token-type',
      'the token request is not for token type 0x0002 (blind RSA 2048)',
    );
  // RFC 9578 §6.2: the last byte of the token key ID, enough to pick among an issuer's few keys.
  if (bytes[2] !== issuerKey.tokenKeyId[issuerKey.tokenKeyId.length - 1])
    throw new StudyTokenError('foreign-issuer', 'the token request is for another issuer key');
  const blindedMessage = bytes.slice(3);
  const m = bytesToBigInt(blindedMessage);
  // An honest blinded message is m·r^e mod n with m, r invertible: never 0, always below n.
  if (m === 0n || m >= issuerKey.modulus)
    throw new StudyTokenError(
      'invalid-request',
      'the blinded message is not a nonzero integer below the modulus',
    );
  return { blindedMessage };
}

/** RSASP1 of RFC 8017 §5.2.1 on a 256-byte big-endian input: the one use of the private key. */
export type RsaPrivateOperation = (input: Uint8Array) => Promise<Uint8Array>;

/**
 * RSASP1 through `@cloudflare/blindrsa-ts` (BlindSign of RFC 9474 §4.3): Web Crypto only, so it runs
 * anywhere, but in variable-time big integers and slowly (docs/STUDIES.md, "Tokens"); the service and the
 * sponsor's CLI use OpenSSL's (issuer-openssl.ts).
 */
export function libraryPrivateOperation(privateKey: WebCryptoKey): RsaPrivateOperation {
  const suite = publicVerif.BLIND_RSA.suite[publicVerif.BlindRSAMode.PSS]();
  return (input) => suite.blindSign(privateKey, input);
}

/**
 * BlindSign (RFC 9474 §4.3) with the private operation's input blinded again here, whatever performs
 * it: RFC 9474 §7.1 asks for a side-channel mitigation such as RSA blinding, so what is raised to d is
 * random and independent of what the requester sent.
 */
export async function issueTokenResponse(
  pair: IssuerKeyPair,
  request: ParsedTokenRequest,
  privateOperation: RsaPrivateOperation = libraryPrivateOperation(pair.privateKey),
): Promise<Uint8Array> {
  const n = pair.publicKey.modulus;
  const m = bytesToBigInt(request.blindedMessage);
  // parseTokenRequest checked the range against the key it was given; this is the key that signs.
  if (m === 0n || m >= n)
    throw new StudyTokenError(
      'invalid-request',
      'the blinded message is not a nonzero integer below the modulus',
    );
  const r = randomUnitBelow(n);
  const blinded = (m * powPublic(r, n)) % n;
  const signature = await privateOperation(bigIntToBytes(blinded, AUTHENTICATOR_BYTES));
  if (signature.length !== AUTHENTICATOR_BYTES)
    throw new Error('the RSA private operation returned a wrong length');
  const s = (bytesToBigInt(signature) * invertBlinded(r, n)) % n;
  // RFC 9474 §4.3 step 3–4: check the result with the public key, so no faulty value ever leaves.
  if (powPublic(s, n) !== m) throw new Error('blind signing failed its own check');
  return bigIntToBytes(s, TOKEN_RESPONSE_BYTES);
}

/** x^e mod n with the public exponent: square-and-multiply over a public value. */
function powPublic(x: bigint, n: bigint): bigint {
  let result = 1n;
  let base = x % n;
  for (let e = PUBLIC_EXPONENT; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % n;
    base = (base * base) % n;
  }
  return result;
}

/**
 * r⁻¹ mod n through a second random factor v: the variable-time Euclid runs on r·v, which is uniform
 * whatever r is, so its timing says nothing about r.
 */
function invertBlinded(r: bigint, n: bigint): bigint {
  const v = randomUnitBelow(n);
  return (invertModulo((r * v) % n, n) * v) % n;
}

function invertModulo(a: bigint, n: bigint): bigint {
  let [oldR, rem] = [a, n];
  let [oldS, s] = [1n, 0n];
  while (rem !== 0n) {
    const q = oldR / rem;
    [oldR, rem] = [rem, oldR - q * rem];
    [oldS, s] = [s, oldS - q * s];
  }
  // gcd > 1 would mean a factor of n was drawn at random: treat it as the failure it is.
  if (oldR !== 1n) throw new Error('the blinding factor is not invertible');
  return ((oldS % n) + n) % n;
}

/** Uniform in [1, n) by rejection on n's byte length; n has its top bit set, so under 2 draws on average. */
function randomUnitBelow(n: bigint): bigint {
  for (;;) {
    const candidate = bytesToBigInt(crypto.getRandomValues(new Uint8Array(AUTHENTICATOR_BYTES)));
    if (candidate !== 0n && candidate < n) return candidate;
  }
}
