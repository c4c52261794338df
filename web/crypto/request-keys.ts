/**
 * The key each request is encrypted to: a fresh blinding of the current stored key
 * (shared/key-blinding.ts), so two requests carry unrelated keys. The worker remembers δ for the
 * encryptions it made (until their answer is in the history, which keeps it sealed), and finds the
 * key pair of any key a request carried: blinded (from that memory or the history) or, for requests
 * made before blinding, a stored key itself.
 */

import type { GroupKeyPair } from '../../shared/client.js';
import type { GroupName } from '../../shared/groups/group.js';
import { blindKeyPair, blindPublicKey, deltaFromHex, type KeyBlinding } from '../../shared/key-blinding.js';
import type { PublicKeyWire } from '../../shared/wire.js';
import { backendsFor } from './backends.js';
import { KeyStoreError } from './keyring-records.js';
import { currentPublicKey, withKeyPairFor } from './keystore.js';
import { blindingInHistory } from './sealed-records.js';

/** Encryptions made ahead and never sent are many; the oldest are forgotten first. */
const MAX_PENDING = 64;
const pending = new Map<string, KeyBlinding>();

function keyOf(publicKey: PublicKeyWire): string {
  return `${publicKey.group} ${publicKey.y}`;
}

/** A fresh key for one request, blinded from the current stored key of `group`. */
export async function freshRequestKey(group: GroupName): Promise<PublicKeyWire> {
  const [base, backends] = await Promise.all([currentPublicKey(group), backendsFor(group)]);
  const { publicKey, blinding } = blindPublicKey(base, backends);
  if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value as string);
  pending.set(keyOf(publicKey), blinding);
  return publicKey;
}

/** How the key of a request this worker encrypted was blinded; taken once its answer is recorded. */
export function takePendingBlinding(publicKey: PublicKeyWire): KeyBlinding | undefined {
  const blinding = pending.get(keyOf(publicKey));
  pending.delete(keyOf(publicKey));
  return blinding;
}

/** Runs `use` with the key pair of `publicKey`, the key a request carried. */
export async function withRequestKeyPair<R>(
  publicKey: PublicKeyWire,
  use: (pair: GroupKeyPair) => R,
): Promise<R> {
  const blinding = pending.get(keyOf(publicKey)) ?? (await blindingInHistory(publicKey));
  if (!blinding) return withKeyPairFor(publicKey, use);
  const backends = await backendsFor(publicKey.group);
  const delta = deltaFromHex(publicKey.group, blinding.delta);
  return withKeyPairFor(blinding.base, (stored) => {
    const pair = blindKeyPair(stored, delta, backends);
    if (pair.publicKey.y !== publicKey.y) {
      throw new KeyStoreError(
        'The key this result was encrypted to does not match its record on this device.',
      );
    }
    return use(pair);
  });
}
