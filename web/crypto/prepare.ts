/**
 * Gets the worker ready to encrypt in a group before the patient presses Compute: reads the current
 * public key, loads the group's backend (libsodium for ristretto255) and builds the fixed-base tables
 * it offers for g and for that key (once each: the group keeps them), long enough for the proofs'
 * responses too. That is work once per page that would otherwise land on the first computation.
 */

import type { GroupName } from '../../shared/groups/group.js';
import { honestResponseBits } from '../../shared/proofs/proof-scalars.js';
import { withScheme } from '../../shared/scheme.js';
import { publicKeyFromWire } from '../../shared/wire.js';
import { backendsFor } from './backends.js';
import { currentPublicKey } from './keystore.js';

export async function prepareGroup(groupName: GroupName): Promise<undefined> {
  const [{ publicKey }, backends] = await Promise.all([currentPublicKey(groupName), backendsFor(groupName)]);
  withScheme(
    groupName,
    ({ group }) => {
      // ffdhe: tables long enough for the proof's responses too, so verifying costs no squarings.
      const bits = group.name === 'ristretto255' ? undefined : honestResponseBits(group.name);
      group.prepareBase?.(group.generator, bits);
      group.prepareBase?.(publicKeyFromWire(group, publicKey), bits);
    },
    backends,
  );
  return undefined;
}
