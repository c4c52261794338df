/**
 * The device's ElGamal keys, kept in IndexedDB and used only inside the crypto worker.
 *
 * At rest every private key is wrapped with AES-256-GCM under a *non-extractable* WebCrypto key that
 * is stored beside it (IndexedDB keeps a CryptoKey by structured clone): script can ask the browser
 * to use that key but never read it, so neither a dump of the database nor its files hold a private
 * key in the clear. Keys are unwrapped in memory for one operation and dropped.
 *
 * Keys come in sets, one key pair per catalog group, made together and shown as one fingerprint.
 * Rotating makes a new current set and keeps the old ones to read old results until the patient
 * deletes them. Every change happens under one Web Lock, so two tabs opening a fresh profile at once
 * still end up with one set of keys, and every change is announced to the other tabs.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { base64urlnopad } from '@scure/base';
import { createStore, getMany, setMany } from 'idb-keyval';
import { type GroupKeyPair, type GroupPublicKey, generateGroupKeyPair } from '../../shared/client.js';
import { COMPUTATIONS } from '../../shared/computations/catalog.js';
import { type GroupName, isGroupName } from '../../shared/groups/group.js';
import { withScheme } from '../../shared/scheme.js';
import { type PublicKeyWire, publicKeyToWire } from '../../shared/wire.js';
import { openBytes, sealBytes } from './aes-gcm.js';
import { BackupError } from './backup.js';
import { isRecord } from './json.js';
import { KEYS_CHANGED_CHANNEL, type KeyringInfo, type KeySetInfo } from './protocol.js';

const store = createStore('sealed-vitals', 'keys');
const RECORD_KEY = 'device-keys';
const WRAPPING_KEY_KEY = 'wrapping-key';
const LOCK_NAME = 'sealed-vitals:keys';

/** Every group some computation needs: one key pair each, in every set. */
const CATALOG_GROUPS: readonly GroupName[] = [...new Set(COMPUTATIONS.map((c) => c.group))].sort();

interface WrappedPrivateKey {
  /** base64url of the 12-byte GCM IV. */
  readonly iv: string;
  /** base64url of the AES-GCM ciphertext and tag of the private key's big-endian bytes. */
  readonly ciphertext: string;
}

interface StoredGroupKey {
  readonly publicKey: PublicKeyWire;
  readonly wrappedPrivateKey: WrappedPrivateKey;
}

/** A key set as a backup carries it: the private key in the clear, as lowercase hex. */
interface PlainGroupKey {
  readonly publicKey: PublicKeyWire;
  readonly privateKey: string;
}

interface KeySet<K> {
  readonly id: string;
  readonly createdAt: string;
  readonly retiredAt?: string;
  readonly keys: Readonly<Partial<Record<GroupName, K>>>;
}

interface KeyringRecordV2 {
  readonly version: 2;
  /** Id of the set new computations are encrypted to. */
  readonly current: string;
  readonly keySets: readonly KeySet<StoredGroupKey>[];
}

/** What a backup holds of the keys: every set, unwrapped. Only ever inside a sealed backup. */
export interface PlainKeyring {
  readonly current: string;
  readonly keySets: readonly KeySet<PlainGroupKey>[];
}

interface Keyring {
  readonly wrappingKey: CryptoKey;
  readonly record: KeyringRecordV2;
}

/** A problem with the stored keys; its message is meant for the patient and never holds key material. */
export class KeyStoreError extends Error {
  override readonly name = 'KeyStoreError';
}

const UNREADABLE =
  'The keys stored in this browser are damaged or from another version of the app; they were left as they are.';

// Reading

export async function keyringInfo(): Promise<KeyringInfo> {
  return infoOf((await openKeyring()).record);
}

/** The current public key of `group`: encryption needs nothing more, so nothing is unwrapped. */
export async function currentPublicKey(group: GroupName): Promise<GroupPublicKey> {
  const stored = currentSet((await openKeyring()).record).keys[group];
  if (!stored) throw new KeyStoreError(`No ${group} key is stored in this set.`);
  return { group, publicKey: stored.publicKey };
}

/** Runs `use` with the key pair of whichever set holds `publicKey` (current or older). */
export async function withKeyPairFor<R>(
  publicKey: PublicKeyWire,
  use: (pair: GroupKeyPair) => R,
): Promise<R> {
  const { wrappingKey, record } = await openKeyring();
  const set = record.keySets.find(
    (candidate) => candidate.keys[publicKey.group]?.publicKey.y === publicKey.y,
  );
  if (!set) {
    throw new KeyStoreError(
      'The keys this result was encrypted to are not on this device: they were deleted, or belong to another device.',
    );
  }
  return use(await unwrapPair(wrappingKey, set, publicKey.group));
}

/** Every key set with its private keys unwrapped, for a backup to seal at once. */
export async function exportKeyring(): Promise<PlainKeyring> {
  const { wrappingKey, record } = await openKeyring();
  const keySets = await Promise.all(
    record.keySets.map(async (set) => {
      const keys: Partial<Record<GroupName, PlainGroupKey>> = {};
      for (const group of groupsOf(set)) {
        const pair = await unwrapPair(wrappingKey, set, group);
        keys[group] = { publicKey: pair.publicKey, privateKey: pair.privateKey.toString(16) };
      }
      return { ...set, keys };
    }),
  );
  return { current: record.current, keySets };
}

// Changing

/** New current keys; the ones they replace stay, marked as retired. */
export async function rotateKeys(): Promise<KeyringInfo> {
  const { record } = await changeKeyring(async ({ wrappingKey, record }) => {
    const fresh = await newKeySet(wrappingKey);
    const now = new Date().toISOString();
    const keySets = record.keySets.map((set) =>
      set.id === record.current ? { ...set, retiredAt: now } : set,
    );
    return { version: 2, current: fresh.id, keySets: [fresh, ...keySets] };
  });
  return infoOf(record);
}

/** Deletes an older key set for good; the current one cannot be deleted (rotate first). */
export async function deleteKeySet(id: string): Promise<KeyringInfo> {
  const { record } = await changeKeyring(async ({ record }) => {
    if (id === record.current) {
      throw new KeyStoreError('The keys in use cannot be deleted: make new keys first, then delete these.');
    }
    if (!record.keySets.some((set) => set.id === id)) {
      throw new KeyStoreError('Those keys are no longer on this device.');
    }
    return { ...record, keySets: record.keySets.filter((set) => set.id !== id) };
  });
  return infoOf(record);
}

/**
 * Adds a backup's key sets to this device and makes the backup's current set current. Sets already
 * here (same public keys) are kept as they are; the device's own current set is retired, not deleted.
 * Everything is checked first (each private key must give its public key), so a bad backup changes
 * nothing.
 */
export async function importKeyring(value: unknown): Promise<{ info: KeyringInfo; added: number }> {
  const plain = parsePlainKeyring(value);
  const pairs = plain.keySets.map((set) => ({ set, pairs: checkedPairs(set) }));
  let added = 0;
  const { record } = await changeKeyring(async ({ wrappingKey, record }) => {
    const now = new Date().toISOString();
    const byFingerprint = new Map(record.keySets.map((set) => [fingerprintOf(set), set]));
    const takenIds = new Set(record.keySets.map((set) => set.id));
    let current = record.current;
    const importedSets: KeySet<StoredGroupKey>[] = [];
    for (const { set, pairs: setPairs } of pairs) {
      const existing = byFingerprint.get(fingerprintOf(set));
      const id = existing?.id ?? (takenIds.has(set.id) ? crypto.randomUUID() : set.id);
      if (!existing) {
        const keys: Partial<Record<GroupName, StoredGroupKey>> = {};
        for (const pair of setPairs) keys[pair.group] = await wrapPair(wrappingKey, id, pair);
        importedSets.push({ ...set, id, keys });
        takenIds.add(id);
        added += 1;
      }
      if (set.id === plain.current) current = id;
    }
    const keySets = [...importedSets, ...record.keySets].map((set) =>
      set.id === current
        ? withoutRetirement(set)
        : set.id === record.current
          ? { ...set, retiredAt: now }
          : set,
    );
    return withEveryCatalogGroup(wrappingKey, { version: 2, current, keySets });
  });
  return { info: infoOf(record), added };
}

// The stored record

/** The stored keyring, first made (or completed with a new catalog group) when needed. */
async function openKeyring(): Promise<Keyring> {
  const stored = await readKeyring();
  if (stored && hasEveryCatalogGroup(stored.record)) return stored;
  return underLock(readOrCreateLocked);
}

/** Runs a change on the freshest keyring under the lock, saves it and tells the other tabs. */
function changeKeyring(change: (keyring: Keyring) => Promise<KeyringRecordV2>): Promise<Keyring> {
  return underLock(async () => {
    const keyring = await readOrCreateLocked();
    return saveKeyring({ wrappingKey: keyring.wrappingKey, record: await change(keyring) });
  });
}

function underLock<R>(work: () => Promise<R>): Promise<R> {
  // Old browsers lack Web Locks; without them two tabs could make two identities, so refuse.
  if (!('locks' in navigator)) {
    throw new KeyStoreError('This browser is too old to keep keys safely across tabs (no Web Locks).');
  }
  return navigator.locks.request(LOCK_NAME, work);
}

/** Only while holding the lock: read again, since another tab may have written meanwhile. */
async function readOrCreateLocked(): Promise<Keyring> {
  const stored = await readKeyring();
  if (stored && hasEveryCatalogGroup(stored.record)) return stored;
  const wrappingKey = stored?.wrappingKey ?? (await newWrappingKey());
  const record = stored
    ? await withEveryCatalogGroup(wrappingKey, stored.record)
    : await firstRecord(wrappingKey);
  return saveKeyring({ wrappingKey, record });
}

async function readKeyring(): Promise<Keyring | undefined> {
  let wrappingKey: unknown;
  let record: unknown;
  try {
    // One read transaction, so the key and the record are from the same write.
    [wrappingKey, record] = await getMany<unknown>([WRAPPING_KEY_KEY, RECORD_KEY], store);
  } catch {
    throw storageRefused();
  }
  if (record === undefined) return undefined;
  // Anything unexpected is refused rather than overwritten: it may hold keys from another version.
  if (!isKeyringRecordV2(record)) throw new KeyStoreError(UNREADABLE);
  if (!(wrappingKey instanceof CryptoKey)) {
    throw new KeyStoreError(
      'The keys stored in this browser cannot be unlocked (their wrapping key is missing). Restore a backup.',
    );
  }
  return { wrappingKey, record };
}

const changes = new BroadcastChannel(KEYS_CHANGED_CHANNEL);

async function saveKeyring(keyring: Keyring): Promise<Keyring> {
  try {
    await setMany(
      [
        [WRAPPING_KEY_KEY, keyring.wrappingKey],
        [RECORD_KEY, keyring.record],
      ],
      store,
    );
  } catch {
    throw storageRefused();
  }
  changes.postMessage('changed');
  return keyring;
}

function storageRefused(): KeyStoreError {
  return new KeyStoreError(
    'This browser did not let the app keep its keys (IndexedDB); a private window may block it.',
  );
}

function newWrappingKey(): Promise<CryptoKey> {
  // extractable: false — the browser will use it but never hand out its bytes, even to this code.
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

async function firstRecord(wrappingKey: CryptoKey): Promise<KeyringRecordV2> {
  const set = await newKeySet(wrappingKey);
  return { version: 2, current: set.id, keySets: [set] };
}

function hasEveryCatalogGroup(record: KeyringRecordV2): boolean {
  const set = record.keySets.find((candidate) => candidate.id === record.current);
  return set !== undefined && CATALOG_GROUPS.every((group) => set.keys[group]);
}

/** Adds a key for any group the catalog uses that the current set lacks; keeps every existing key. */
async function withEveryCatalogGroup(
  wrappingKey: CryptoKey,
  record: KeyringRecordV2,
): Promise<KeyringRecordV2> {
  const set = currentSet(record);
  const keys = { ...set.keys };
  for (const group of CATALOG_GROUPS.filter((name) => !set.keys[name])) {
    keys[group] = await wrapPair(wrappingKey, set.id, generateGroupKeyPair(group));
  }
  return {
    ...record,
    keySets: record.keySets.map((other) => (other.id === set.id ? { ...set, keys } : other)),
  };
}

async function newKeySet(wrappingKey: CryptoKey): Promise<KeySet<StoredGroupKey>> {
  const id = crypto.randomUUID();
  const keys: Partial<Record<GroupName, StoredGroupKey>> = {};
  for (const group of CATALOG_GROUPS)
    keys[group] = await wrapPair(wrappingKey, id, generateGroupKeyPair(group));
  return { id, createdAt: new Date().toISOString(), keys };
}

function currentSet(record: KeyringRecordV2): KeySet<StoredGroupKey> {
  const set = record.keySets.find((candidate) => candidate.id === record.current);
  if (!set) throw new KeyStoreError(UNREADABLE);
  return set;
}

// Wrapping

/** Names the slot a wrapped key belongs to, so a ciphertext moved to another slot does not open. */
function wrapContext(setId: string, publicKey: PublicKeyWire): string {
  return `sealed-vitals private key v2\n${setId}\n${publicKey.group}\n${publicKey.y}`;
}

async function wrapPair(wrappingKey: CryptoKey, setId: string, pair: GroupKeyPair): Promise<StoredGroupKey> {
  const hex = pair.privateKey.toString(16);
  const bytes = hexToBytes(hex.length % 2 === 0 ? hex : `0${hex}`);
  const sealed = await sealBytes(wrappingKey, bytes, wrapContext(setId, pair.publicKey));
  return {
    publicKey: pair.publicKey,
    wrappedPrivateKey: {
      iv: base64urlnopad.encode(sealed.iv),
      ciphertext: base64urlnopad.encode(sealed.ciphertext),
    },
  };
}

async function unwrapPair(
  wrappingKey: CryptoKey,
  set: KeySet<StoredGroupKey>,
  group: GroupName,
): Promise<GroupKeyPair> {
  const stored = set.keys[group];
  if (!stored) throw new KeyStoreError(`No ${group} key is stored in this set.`);
  let bytes: Uint8Array;
  try {
    bytes = await openBytes(
      wrappingKey,
      {
        iv: new Uint8Array(base64urlnopad.decode(stored.wrappedPrivateKey.iv)),
        ciphertext: new Uint8Array(base64urlnopad.decode(stored.wrappedPrivateKey.ciphertext)),
      },
      wrapContext(set.id, stored.publicKey),
    );
  } catch {
    throw new KeyStoreError(
      'A key stored in this browser could not be unlocked: it was changed, or its wrapping key was replaced.',
    );
  }
  return { group, privateKey: BigInt(`0x${bytesToHex(bytes)}`), publicKey: stored.publicKey };
}

// Checking records and backups

function isKeyringRecordV2(value: unknown): value is KeyringRecordV2 {
  return (
    isRecord(value) &&
    value.version === 2 &&
    typeof value.current === 'string' &&
    Array.isArray(value.keySets) &&
    value.keySets.every((set) => isKeySet(set, isWrappedKey))
  );
}

function parsePlainKeyring(value: unknown): PlainKeyring {
  if (
    isRecord(value) &&
    typeof value.current === 'string' &&
    Array.isArray(value.keySets) &&
    value.keySets.length > 0 &&
    value.keySets.every((set) => isKeySet(set, isPlainKey)) &&
    value.keySets.some((set) => set.id === value.current)
  ) {
    return { current: value.current, keySets: value.keySets };
  }
  throw new BackupError('This backup file is damaged (its keys are not valid).');
}

function isKeySet<K>(value: unknown, isKey: (key: unknown) => key is K): value is KeySet<K> {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    isIsoDate(value.createdAt) &&
    (value.retiredAt === undefined || isIsoDate(value.retiredAt)) &&
    isRecord(value.keys) &&
    Object.entries(value.keys).every(
      ([group, key]) =>
        isGroupName(group) && isKey(key) && isRecord(key) && isPublicKeyOf(group, key.publicKey),
    )
  );
}

function isWrappedKey(value: unknown): value is StoredGroupKey {
  return (
    isRecord(value) &&
    isRecord(value.wrappedPrivateKey) &&
    typeof value.wrappedPrivateKey.iv === 'string' &&
    typeof value.wrappedPrivateKey.ciphertext === 'string'
  );
}

function isPlainKey(value: unknown): value is PlainGroupKey {
  return (
    isRecord(value) && typeof value.privateKey === 'string' && /^[0-9a-f]{1,1024}$/.test(value.privateKey)
  );
}

function isPublicKeyOf(group: GroupName, value: unknown): value is PublicKeyWire {
  return isRecord(value) && value.group === group && typeof value.y === 'string';
}

function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}

/** Each pair of a backup's set, refused unless its private key gives exactly its public key. */
function checkedPairs(set: KeySet<PlainGroupKey>): GroupKeyPair[] {
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

function withoutRetirement<K>(set: KeySet<K>): KeySet<K> {
  const { retiredAt: _retired, ...rest } = set;
  return rest;
}

// What the page sees

function infoOf(record: KeyringRecordV2): KeyringInfo {
  const current = currentSet(record);
  const older = record.keySets
    .filter((set) => set.id !== current.id)
    .sort((a, b) => (b.retiredAt ?? b.createdAt).localeCompare(a.retiredAt ?? a.createdAt));
  return { current: keySetInfo(current), older: older.map(keySetInfo) };
}

function keySetInfo(set: KeySet<StoredGroupKey>): KeySetInfo {
  const groups = groupsOf(set);
  const publicKeys = groups.map((group) => (set.keys[group] as StoredGroupKey).publicKey);
  return {
    id: set.id,
    fingerprint: fingerprintOf(set),
    createdAt: set.createdAt,
    ...(set.retiredAt === undefined ? {} : { retiredAt: set.retiredAt }),
    groups,
    publicKeys,
  };
}

function groupsOf<K>(set: KeySet<K>): GroupName[] {
  return (Object.keys(set.keys) as GroupName[]).sort();
}

/**
 * SHA-256 over one line `<group> <y>` per public key of the set, sorted; the first 16 hex digits
 * in groups of 4 — enough to tell two key sets apart at a glance, not a security check.
 */
function fingerprintOf(set: KeySet<{ readonly publicKey: PublicKeyWire }>): string {
  const lines = Object.values(set.keys)
    .map((key) => `${key.publicKey.group} ${key.publicKey.y}\n`)
    .sort()
    .join('');
  const digits = bytesToHex(sha256(utf8ToBytes(lines))).slice(0, 16);
  return digits.replace(/(.{4})(?=.)/g, '$1 ');
}
