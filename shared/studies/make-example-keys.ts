/**
 * Prints fresh example keys for a study file: three trustees' ristretto255 public keys, a joint key,
 * and an RSA-2048 SPKI for a token issuer (RSA-PSS, as WebCrypto exports it). The secrets are never
 * printed or kept: the keys are good for examples and tests only, as no one can use them.
 *
 *   npx tsx shared/studies/make-example-keys.ts
 */

import { ristretto255 } from '@noble/curves/ed25519.js';
import { base64urlnopad } from '@scure/base';
import { randomBelow } from '../random.js';

const Point = ristretto255.Point;
const element = () =>
  base64urlnopad.encode(Point.BASE.multiply(1n + randomBelow(Point.Fn.ORDER - 1n)).toBytes());

const pair = await crypto.subtle.generateKey(
  { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-384' },
  true,
  ['sign', 'verify'],
);
const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));

console.log(
  JSON.stringify(
    {
      trustees: [element(), element(), element()],
      jointKey: element(),
      tokenIssuer: base64urlnopad.encode(spki),
    },
    null,
    2,
  ),
);
