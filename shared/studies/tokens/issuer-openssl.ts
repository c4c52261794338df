/**
 * RSASP1 by OpenSSL through `node:crypto`, for the Node processes that issue (the sponsor's CLI, the
 * service): constant-time and blinded by OpenSSL itself, and far faster than the Web Crypto fallback
 * (docs/STUDIES.md, "Tokens"). Never imported by the web bundle.
 */

import { constants, KeyObject, privateDecrypt } from 'node:crypto';
import type { RsaPrivateOperation } from './issuer.js';
import type { WebCryptoKey } from './issuer-key.js';

export function opensslPrivateOperation(privateKey: WebCryptoKey): RsaPrivateOperation {
  const key = KeyObject.from(privateKey);
  // Raw RSA with no padding is m^d mod n: exactly RSASP1, which BlindSign needs.
  return async (input) => new Uint8Array(privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, input));
}
