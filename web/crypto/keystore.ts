/**
 * The device's ElGamal keys, kept in IndexedDB and used only inside the crypto worker.
 * IndexedDB rather than localStorage: it is reachable from a worker, so private keys never
 * have to pass through the page's thread.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { createStore, get, update } from 'idb-keyval';
import { type GroupKeyPair, generateGroupKeyPair } from '../../shared/client.js';
import { COMPUTATIONS } from '../../shared/computations/catalog.js';
import { type GroupName, isGroupName } from '../../shared/groups/group.js';
import type { PublicKeyWire } from '../../shared/wire.js';
import type { KeyInfo } from './protocol.js';

const store = createStore('sealed-vitals', 'keys');
const RECORD_KEY = 'device-keys';

/** Every group some computation needs: one key pair each. */
const CATALOG_GROUPS: readonly GroupName[] = [...new Set(COMPUTATIONS.map((c) => c.group))].sort();

interface StoredKeyPair {
  /** The private exponent or scalar, lowercase hex. */
  readonly privateKey: string;
  readonly publicKey: PublicKeyWire;
}

interface KeyRecordV1 {
  readonly version: 1;
  readonly createdAt: string;
  readonly keys: Readonly<Partial<Record<GroupName, StoredKeyPair>>>;
}

/** A problem with the stored keys; its message is meant for the patient and never holds key material. */
export class KeyStoreError extends Error {
  override readonly name = 'KeyStoreError';
}

export interface DeviceKeys {
  readonly info: KeyInfo;
  keyFor(group: GroupName): GroupKeyPair;
}

let deviceKeys: Promise<DeviceKeys> | undefined;

/** The device's keys, generated on first use and reused after every reload. */
export function loadDeviceKeys(): Promise<DeviceKeys> {
  deviceKeys ??= openOrCreate().catch((error: unknown) => {
    deviceKeys = undefined; // let the next request try again
    throw error;
  });
  return deviceKeys;
}

async function openOrCreate(): Promise<DeviceKeys> {
  let record: KeyRecordV1 | undefined;
  try {
    // Read and write in one transaction, so two tabs opening at once still end up with one set of keys.
    await update<unknown>(RECORD_KEY, (stored) => withEveryCatalogGroup(readRecord(stored)), store);
    record = readRecord(await get<unknown>(RECORD_KEY, store));
  } catch (error) {
    if (error instanceof KeyStoreError) throw error;
    throw new KeyStoreError(
      'This browser did not let the app keep its keys (IndexedDB); a private window may block it.',
    );
  }
  if (!record) throw new KeyStoreError('The keys could not be read back from this browser’s storage.');
  return toDeviceKeys(record);
}

/** Adds a key for any group the catalog uses that the record lacks; keeps every existing key. */
function withEveryCatalogGroup(record: KeyRecordV1 | undefined): KeyRecordV1 {
  const missing = CATALOG_GROUPS.filter((group) => !record?.keys[group]);
  if (record && missing.length === 0) return record;
  const keys: Partial<Record<GroupName, StoredKeyPair>> = { ...record?.keys };
  for (const group of missing) {
    const pair = generateGroupKeyPair(group);
    keys[group] = { privateKey: pair.privateKey.toString(16), publicKey: pair.publicKey };
  }
  return { version: 1, createdAt: record?.createdAt ?? new Date().toISOString(), keys };
}

/**
 * The stored record if it is a well-formed version 1; `undefined` when there is none.
 * Anything else is refused rather than overwritten: it may hold keys from a newer version.
 */
function readRecord(stored: unknown): KeyRecordV1 | undefined {
  if (stored === undefined) return undefined;
  if (!isKeyRecordV1(stored)) {
    throw new KeyStoreError(
      'The keys stored in this browser are damaged or from a newer version of the app.',
    );
  }
  return stored;
}

function isKeyRecordV1(value: unknown): value is KeyRecordV1 {
  return (
    isRecord(value) &&
    value.version === 1 &&
    typeof value.createdAt === 'string' &&
    isRecord(value.keys) &&
    Object.entries(value.keys).every(([group, pair]) => isStoredKeyPair(group, pair))
  );
}

function isStoredKeyPair(group: string, pair: unknown): boolean {
  return (
    isGroupName(group) &&
    isRecord(pair) &&
    typeof pair.privateKey === 'string' &&
    /^[0-9a-f]+$/.test(pair.privateKey) &&
    isRecord(pair.publicKey) &&
    pair.publicKey.group === group &&
    typeof pair.publicKey.y === 'string'
  );
}

function toDeviceKeys(record: KeyRecordV1): DeviceKeys {
  const pairs = new Map<GroupName, GroupKeyPair>();
  for (const group of CATALOG_GROUPS) {
    const stored = record.keys[group];
    if (!stored) throw new KeyStoreError(`No ${group} key is stored.`);
    pairs.set(group, { group, privateKey: BigInt(`0x${stored.privateKey}`), publicKey: stored.publicKey });
  }
  return {
    info: {
      fingerprint: fingerprintOf([...pairs.values()].map((pair) => pair.publicKey)),
      createdAt: record.createdAt,
      groups: [...pairs.keys()],
    },
    keyFor(group) {
      const pair = pairs.get(group);
      if (!pair) throw new KeyStoreError(`No key for ${group} on this device.`);
      return pair;
    },
  };
}

/**
 * SHA-256 over one line `<group> <y>` per public key, in group-name order; the first 16 hex digits
 * in groups of 4 — enough to tell two devices apart at a glance, not a security check.
 */
function fingerprintOf(publicKeys: readonly PublicKeyWire[]): string {
  const lines = publicKeys
    .map((key) => `${key.group} ${key.y}\n`)
    .sort()
    .join('');
  const digits = bytesToHex(sha256(utf8ToBytes(lines))).slice(0, 16);
  return digits.replace(/(.{4})(?=.)/g, '$1 ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
