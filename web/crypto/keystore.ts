/**
 * The device's ElGamal keys, used only inside the crypto worker: reading them, rotating and deleting
 * sets. At rest the whole keyring is sealed under the data key (vault.ts, keyring-storage.ts), which
 * only the patient's passkey or passphrase opens; nothing here works while the device is locked.
 *
 * Keys come in sets, one key pair per catalog group, made together and shown as one fingerprint.
 * Rotating makes a new current set and keeps the old ones to read old results until the patient
 * deletes them.
 */

import type { GroupKeyPair, GroupPublicKey } from '../../shared/client.js';
import type { GroupName } from '../../shared/groups/group.js';
import type { PublicKeyWire } from '../../shared/wire.js';
import { currentSet, infoOf, KeyStoreError, type PlainKeyring, pairOf } from './keyring-records.js';
import { changeKeyring, newKeySet, openKeyring } from './keyring-storage.js';
import type { KeyringInfo } from './protocol.js';

export { KeyStoreError, type PlainKeyring } from './keyring-records.js';

export async function keyringInfo(): Promise<KeyringInfo> {
  return infoOf(await openKeyring());
}

/** The current public key of `group`: encryption needs nothing more. */
export async function currentPublicKey(group: GroupName): Promise<GroupPublicKey> {
  const stored = currentSet(await openKeyring()).keys[group];
  if (!stored) throw new KeyStoreError(`No ${group} key is stored in this set.`);
  return { group, publicKey: stored.publicKey };
}

/** Runs `use` with the key pair of whichever set holds `publicKey` (current or older). */
export async function withKeyPairFor<R>(
  publicKey: PublicKeyWire,
  use: (pair: GroupKeyPair) => R,
): Promise<R> {
  const keyring = await openKeyring();
  const set = keyring.keySets.find(
    (candidate) => candidate.keys[publicKey.group]?.publicKey.y === publicKey.y,
  );
  if (!set) {
    throw new KeyStoreError(
      'The keys this result was encrypted to are not on this device: they were deleted, or belong to another device.',
    );
  }
  return use(pairOf(set, publicKey.group));
}

/** Every key set with its private keys, for a backup to seal at once. */
export function exportKeyring(): Promise<PlainKeyring> {
  return openKeyring();
}

/** New current keys; the ones they replace stay, marked as retired. */
export async function rotateKeys(): Promise<KeyringInfo> {
  const keyring = await changeKeyring(async (stored) => {
    const fresh = await newKeySet();
    const now = new Date().toISOString();
    const keySets = stored.keySets.map((set) =>
      set.id === stored.current ? { ...set, retiredAt: now } : set,
    );
    return { current: fresh.id, keySets: [fresh, ...keySets] };
  });
  return infoOf(keyring);
}

/** Deletes an older key set for good; the current one cannot be deleted (rotate first). */
export async function deleteKeySet(id: string): Promise<KeyringInfo> {
  const keyring = await changeKeyring((stored) => {
    if (id === stored.current) {
      throw new KeyStoreError('The keys in use cannot be deleted: make new keys first, then delete these.');
    }
    if (!stored.keySets.some((set) => set.id === id)) {
      throw new KeyStoreError('Those keys are no longer on this device.');
    }
    return { ...stored, keySets: stored.keySets.filter((set) => set.id !== id) };
  });
  return infoOf(keyring);
}
