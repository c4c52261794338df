/**
 * Adding a backup's key sets to this device: everything is checked first (each private key must give
 * its public key), so a bad backup changes nothing; sets already here (same public keys) are kept as
 * they are, and the backup's current set becomes current, the device's own retired, not deleted.
 */

import type { GroupKeyPair } from '../../shared/client.js';
import { withScheme } from '../../shared/scheme.js';
import { publicKeyToWire } from '../../shared/wire.js';
import { BackupError } from './backup-error.js';
import {
  fingerprintOf,
  groupsOf,
  infoOf,
  isPlainKeyring,
  type KeySet,
  type PlainGroupKey,
  type PlainKeyring,
  withoutRetirement,
} from './keyring-records.js';
import { changeKeyring, withEveryCatalogGroup } from './keyring-storage.js';
import type { KeyringInfo } from './protocol.js';

export async function importKeyring(value: unknown): Promise<{ info: KeyringInfo; added: number }> {
  if (!isPlainKeyring(value)) throw new BackupError('This backup file is damaged (its keys are not valid).');
  const plain = value;
  for (const set of plain.keySets) checkedPairs(set);
  let added = 0;
  const keyring = await changeKeyring((stored) => {
    added = 0;
    const now = new Date().toISOString();
    const byFingerprint = new Map(stored.keySets.map((set) => [fingerprintOf(set), set]));
    const takenIds = new Set(stored.keySets.map((set) => set.id));
    let current = stored.current;
    const importedSets: KeySet[] = [];
    for (const set of plain.keySets) {
      const existing = byFingerprint.get(fingerprintOf(set));
      const id = existing?.id ?? (takenIds.has(set.id) ? crypto.randomUUID() : set.id);
      if (!existing) {
        importedSets.push({ ...set, id });
        takenIds.add(id);
        added += 1;
      }
      if (set.id === plain.current) current = id;
    }
    const keySets = [...importedSets, ...stored.keySets].map((set) =>
      set.id === current
        ? withoutRetirement(set)
        : set.id === stored.current
          ? { ...set, retiredAt: now }
          : set,
    );
    return withEveryCatalogGroup({ current, keySets } satisfies PlainKeyring);
  });
  return { info: infoOf(keyring), added };
}

/** Each pair of a backup's set, refused unless its private key gives exactly its public key. */
function checkedPairs(set: KeySet): GroupKeyPair[] {
  return groupsOf(set).map((group) => {
    const key = set.keys[group] as PlainGroupKey;
    const privateKey = BigInt(`0x${key.privateKey}`);
    const matches = withScheme(group, ({ group: g }) => {
      if (privateKey <= 0n || privateKey >= g.order) return false;
      return publicKeyToWire(g, g.powGenerator(privateKey)).y === key.publicKey.y;
    });
    if (!matches)
      throw new BackupError('This backup file is damaged (a private key does not match its public key).');
    return { group, privateKey, publicKey: key.publicKey };
  });
}
