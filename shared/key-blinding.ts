/**
 * Key blinding: a fresh public key for every request, derived from the device's stored key pair, so
 * that two requests of one patient carry keys the service cannot tell apart from two patients' keys.
 *
 * With a fresh secret δ: y′ = y·g^δ (ffdhe) or y′ = y + δ·G (ristretto255), and x′ = x + δ (mod the
 * order), so y′ = g^x′ and y′ is an ordinary ElGamal key: anything encrypted to it decrypts with x′.
 * δ is drawn like a private key (the group's `randomSecretExponent`: uniform below ℓ for ristretto255,
 * an RFC 7919 §5.2 short exponent for ffdhe), so y′ is as uniform among the group's keys as y is.
 * Whoever knows δ can link y′ to y, so δ is kept with the request's history entry, sealed, never sent.
 */

import type { GroupKeyPair, GroupPublicKey } from './client.js';
import type { GroupName } from './groups/group.js';
import { type Backends, withScheme } from './scheme.js';
import { publicKeyFromWire, publicKeyToWire } from './wire.js';

/** How a request's key was derived from a stored key: the stored public key and δ (lowercase hex). */
export interface KeyBlinding {
  readonly base: GroupPublicKey['publicKey'];
  readonly delta: string;
}

export interface BlindedPublicKey {
  readonly publicKey: GroupPublicKey['publicKey'];
  readonly blinding: KeyBlinding;
}

/**
 * A fresh blinded key of `base`. The group is told how y′ relates to y (`prepareDerivedBase`), so
 * encrypting to y′ keeps the fixed-base tables of y and g: y′^r = y^r · g^(r·δ).
 */
export function blindPublicKey(base: GroupPublicKey, backends: Backends = {}): BlindedPublicKey {
  return withScheme(
    base.group,
    ({ group }) => {
      const y = publicKeyFromWire(group, base.publicKey);
      const delta = group.randomSecretExponent();
      const blinded = group.multiply(y, group.powGenerator(delta));
      group.prepareDerivedBase?.(blinded, y, delta);
      return {
        publicKey: publicKeyToWire(group, blinded),
        blinding: { base: base.publicKey, delta: delta.toString(16) },
      };
    },
    backends,
  );
}

/**
 * The key pair of a blinded key: x′ = x + δ mod the order, with y′ recomputed from x′ (so a wrong
 * δ or a key of another set gives a pair whose public key is not the request's, never a silent
 * wrong decryption: the caller compares it).
 */
export function blindKeyPair(pair: GroupKeyPair, delta: bigint, backends: Backends = {}): GroupKeyPair {
  return withScheme(
    pair.group,
    ({ group }) => {
      const privateKey = (pair.privateKey + delta) % group.order;
      return {
        group: pair.group,
        privateKey,
        publicKey: publicKeyToWire(group, group.powGenerator(privateKey)),
      };
    },
    backends,
  );
}

/** δ from its stored hex, refused unless 0 < δ < the group's order. */
export function deltaFromHex(group: GroupName, hex: string): bigint {
  if (!/^[0-9a-f]{1,128}$/.test(hex)) throw new RangeError('A key blinding is not valid hex.');
  const delta = BigInt(`0x${hex}`);
  const order = withScheme(group, ({ group: g }) => g.order);
  if (delta <= 0n || delta >= order) throw new RangeError('A key blinding is outside the group.');
  return delta;
}
