/**
 * Gets the worker ready to encrypt in a group before the patient presses Compute: reads the current
 * public key, loads the group's backend (libsodium for ristretto255) and builds the fixed-base tables
 * it offers for g and for that key (once each: the group keeps them). For ffdhe3072 that is ~60 ms of
 * work once per page that would otherwise land on the first computation.
 */

import type { GroupName } from '../../shared/groups/group.js';
import { withScheme } from '../../shared/scheme.js';
import { publicKeyFromWire } from '../../shared/wire.js';
import { backendsFor } from './backends.js';
import { currentPublicKey } from './keystore.js';

export async function prepareGroup(groupName: GroupName): Promise<undefined> {
  const [{ publicKey }, backends] = await Promise.all([currentPublicKey(groupName), backendsFor(groupName)]);
  withScheme(
    groupName,
    ({ group }) => {
      group.prepareBase?.(group.generator);
      group.prepareBase?.(publicKeyFromWire(group, publicKey));
    },
    backends,
  );
  return undefined;
}
