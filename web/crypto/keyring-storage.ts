/**
 * The keyring at rest: one record, the whole keyring sealed under the data key (vault.ts). Every
 * change happens under one Web Lock on the freshest record, so two tabs never make two identities,
 * and is announced to the other tabs. Also reads what an older version stored — key sets whose
 * private keys were wrapped under a non-extractable key kept beside them — to move it under the
 * data key once, on first unlock.
 */

import { bytesToHex } from '@noble/hashes/utils.js';
import { base64urlnopad } from '@scure/base';
import { createStore, delMany, get, getMany, set } from 'idb-keyval';
import type { GroupName } from '../../shared/groups/group.js';
import { isRecord } from '../../shared/records.js';
import type { PublicKeyWire } from '../../shared/wire.js';
import { openBytes } from './aes-gcm.js';
import {
  CATALOG_GROUPS,
  currentSet,
  hasEveryCatalogGroup,
  isKeySet,
  isPlainKeyring,
  type KeySet,
  KeyStoreError,
  type PlainGroupKey,
  type PlainKeyring,
  plainKey,
  UNREADABLE,
} from './keyring-records.js';
import { KEYS_CHANGED_CHANNEL } from './protocol.js';
import { type DataKey, dataKey, openJson, sealJson } from './vault.js';

const store = createStore('sealed-vitals', 'keys');
const KEYRING_KEY = 'keyring';
const LOCK_NAME = 'sealed-vitals:keys';
const CONTEXT = 'sealed-vitals keyring v3';

/** The keyring, made (or completed with a new catalog group) when needed. */
export async function openKeyring(): Promise<PlainKeyring> {
  const key = await dataKey();
  const stored = await readKeyring(key);
  if (stored && hasEveryCatalogGroup(stored)) return stored;
  return underLock(async () => readOrCreateLocked(await dataKey()));
}

/** Runs a change on the freshest keyring under the lock, seals and saves it, and tells the other tabs. */
export function changeKeyring(change: (keyring: PlainKeyring) => Promise<PlainKeyring> | PlainKeyring) {
  return underLock(async () => {
    const key = await dataKey();
    const keyring = await readOrCreateLocked(key);
    return saveKeyring(key, await change(keyring));
  });
}

/**
 * Moves the keyring from `from` (the data key being replaced, or none on first use) to `to`, taking
 * in any key sets an older version left wrapped beside their wrapping key; then deletes those.
 * Called by vault.ts under the key lock, before the new data key's record is written.
 */
export async function resealKeyring(from: DataKey | undefined, to: DataKey): Promise<void> {
  const current = from ? await readKeyring(from) : undefined;
  const legacy = await readLegacyKeyring();
  let keyring = current ?? legacy;
  if (current && legacy) {
    const here = new Set(current.keySets.map((set) => set.id));
    keyring = {
      ...current,
      keySets: [...current.keySets, ...legacy.keySets.filter((set) => !here.has(set.id))],
    };
  }
  keyring = keyring ? await withEveryCatalogGroup(keyring) : await firstKeyring();
  await writeKeyring(to, keyring);
  if (legacy) await delMany([LEGACY_RECORD_KEY, LEGACY_WRAPPING_KEY_KEY], store);
}

function underLock<R>(work: () => Promise<R>): Promise<R> {
  // Old browsers lack Web Locks; without them two tabs could make two identities, so refuse.
  if (!('locks' in navigator)) {
    throw new KeyStoreError('This browser is too old to keep keys safely across tabs (no Web Locks).');
  }
  return navigator.locks.request(LOCK_NAME, work);
}

/** Only while holding the lock: read again, since another tab may have written meanwhile. */
async function readOrCreateLocked(key: DataKey): Promise<PlainKeyring> {
  const stored = await readKeyring(key);
  if (stored && hasEveryCatalogGroup(stored)) return stored;
  return saveKeyring(key, stored ? await withEveryCatalogGroup(stored) : await firstKeyring());
}

async function readKeyring(key: DataKey): Promise<PlainKeyring | undefined> {
  let sealed: unknown;
  try {
    sealed = await get<unknown>(KEYRING_KEY, store);
  } catch {
    throw storageRefused();
  }
  if (sealed === undefined) return undefined;
  let keyring: unknown;
  try {
    keyring = await openJson(key, CONTEXT, sealed);
  } catch {
    // Anything unexpected is refused rather than overwritten: it may hold keys from another version.
    throw new KeyStoreError(UNREADABLE);
  }
  if (!isPlainKeyring(keyring)) throw new KeyStoreError(UNREADABLE);
  return keyring;
}

const changes = new BroadcastChannel(KEYS_CHANGED_CHANNEL);

async function saveKeyring(key: DataKey, keyring: PlainKeyring): Promise<PlainKeyring> {
  await writeKeyring(key, keyring);
  changes.postMessage('changed');
  return keyring;
}

async function writeKeyring(key: DataKey, keyring: PlainKeyring): Promise<void> {
  const sealed = await sealJson(key, CONTEXT, keyring);
  try {
    await set(KEYRING_KEY, sealed, store);
  } catch {
    throw storageRefused();
  }
}

function storageRefused(): KeyStoreError {
  return new KeyStoreError(
    'This browser did not let the app keep its keys (IndexedDB); a private window may block it.',
  );
}

async function firstKeyring(): Promise<PlainKeyring> {
  const set = await newKeySet();
  return { current: set.id, keySets: [set] };
}

/** A new key pair in `group`: the groups' code loads when keys are made, not with the worker. */
async function generatedKey(group: GroupName): Promise<PlainGroupKey> {
  const { generateGroupKeyPair } = await import('../../shared/client.js');
  return plainKey(generateGroupKeyPair(group));
}

export async function newKeySet(): Promise<KeySet> {
  const keys: Partial<Record<GroupName, PlainGroupKey>> = {};
  for (const group of CATALOG_GROUPS) keys[group] = await generatedKey(group);
  return { id: crypto.randomUUID(), createdAt: new Date().toISOString(), keys };
}

/** Adds a key for any group the catalog uses that the current set lacks; keeps every existing key. */
export async function withEveryCatalogGroup(keyring: PlainKeyring): Promise<PlainKeyring> {
  const set = currentSet(keyring);
  const keys = { ...set.keys };
  for (const group of CATALOG_GROUPS.filter((name) => !set.keys[name])) {
    keys[group] = await generatedKey(group);
  }
  return {
    ...keyring,
    keySets: keyring.keySets.map((other) => (other.id === set.id ? { ...set, keys } : other)),
  };
}

// What an older version stored

const LEGACY_RECORD_KEY = 'device-keys';
const LEGACY_WRAPPING_KEY_KEY = 'wrapping-key';

interface LegacyWrappedKey {
  readonly publicKey: PublicKeyWire;
  readonly wrappedPrivateKey: { readonly iv: string; readonly ciphertext: string };
}

/** The older version's record (version 2), its private keys unwrapped; undefined when there is none. */
async function readLegacyKeyring(): Promise<PlainKeyring | undefined> {
  const [wrappingKey, record] = await getMany<unknown>([LEGACY_WRAPPING_KEY_KEY, LEGACY_RECORD_KEY], store);
  if (record === undefined) return undefined;
  if (
    !isRecord(record) ||
    record.version !== 2 ||
    typeof record.current !== 'string' ||
    !Array.isArray(record.keySets) ||
    !record.keySets.every((set) => isKeySet(set, isLegacyWrappedKey)) ||
    !(wrappingKey instanceof CryptoKey)
  ) {
    throw new KeyStoreError(UNREADABLE);
  }
  const keySets = await Promise.all(
    (record.keySets as KeySet<LegacyWrappedKey>[]).map(async (set) => {
      const keys: Partial<Record<GroupName, PlainGroupKey>> = {};
      for (const [group, stored] of Object.entries(set.keys) as [GroupName, LegacyWrappedKey][]) {
        keys[group] = {
          publicKey: stored.publicKey,
          privateKey: await unwrapLegacy(wrappingKey, set.id, stored),
        };
      }
      return { ...set, keys };
    }),
  );
  const keyring = { current: record.current, keySets };
  if (!isPlainKeyring(keyring)) throw new KeyStoreError(UNREADABLE);
  return keyring;
}

function isLegacyWrappedKey(value: unknown): value is LegacyWrappedKey {
  return (
    isRecord(value) &&
    isRecord(value.wrappedPrivateKey) &&
    typeof value.wrappedPrivateKey.iv === 'string' &&
    typeof value.wrappedPrivateKey.ciphertext === 'string'
  );
}

async function unwrapLegacy(
  wrappingKey: CryptoKey,
  setId: string,
  stored: LegacyWrappedKey,
): Promise<string> {
  const { publicKey } = stored;
  try {
    const bytes = await openBytes(
      wrappingKey,
      {
        iv: new Uint8Array(base64urlnopad.decode(stored.wrappedPrivateKey.iv)),
        ciphertext: new Uint8Array(base64urlnopad.decode(stored.wrappedPrivateKey.ciphertext)),
      },
      `sealed-vitals private key v2\n${setId}\n${publicKey.group}\n${publicKey.y}`,
    );
    return BigInt(`0x${bytesToHex(bytes)}`).toString(16);
  } catch {
    throw new KeyStoreError(
      'A key stored by an earlier version could not be unlocked: it was changed, or its wrapping key was replaced.',
    );
  }
}
