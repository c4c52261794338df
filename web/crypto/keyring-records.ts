/**
 * What a keyring is: key sets (one key pair per catalog group, made together), the checks a stored
 * or restored one passes before it is used, and what the page may see of it (fingerprints, dates).
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { GroupKeyPair } from '../../shared/client.js';
import { COMPUTATIONS } from '../../shared/computations/catalog.js';
import { type GroupName, isGroupName } from '../../shared/groups/group.js';
import { isRecord } from '../../shared/records.js';
import type { PublicKeyWire } from '../../shared/wire.js';
import type { KeyringInfo, KeySetInfo } from './protocol.js';

/** Every group some computation needs: one key pair each, in every set. */
export const CATALOG_GROUPS: readonly GroupName[] = [...new Set(COMPUTATIONS.map((c) => c.group))].sort();

/** One key pair as it is sealed at rest and carried in a backup: the private key as lowercase hex. */
export interface PlainGroupKey {
  readonly publicKey: PublicKeyWire;
  readonly privateKey: string;
}

export interface KeySet<K = PlainGroupKey> {
  readonly id: string;
  readonly createdAt: string;
  readonly retiredAt?: string;
  readonly keys: Readonly<Partial<Record<GroupName, K>>>;
}

/** Every key set of the device; sealed whole under the data key (vault.ts), and in backups. */
export interface PlainKeyring {
  /** Id of the set new computations are encrypted to. */
  readonly current: string;
  readonly keySets: readonly KeySet[];
}

/** A problem with the stored keys; its message is meant for the patient and never holds key material. */
export class KeyStoreError extends Error {
  override readonly name = 'KeyStoreError';
}

export const UNREADABLE =
  'The keys stored in this browser are damaged or from another version of the app; they were left as they are.';

export function plainKey(pair: GroupKeyPair): PlainGroupKey {
  return { publicKey: pair.publicKey, privateKey: pair.privateKey.toString(16) };
}

export function pairOf(set: KeySet, group: GroupName): GroupKeyPair {
  const key = set.keys[group];
  if (!key) throw new KeyStoreError(`No ${group} key is stored in this set.`);
  return { group, privateKey: BigInt(`0x${key.privateKey}`), publicKey: key.publicKey };
}

export function currentSet(keyring: PlainKeyring): KeySet {
  const set = keyring.keySets.find((candidate) => candidate.id === keyring.current);
  if (!set) throw new KeyStoreError(UNREADABLE);
  return set;
}

export function hasEveryCatalogGroup(keyring: PlainKeyring): boolean {
  const set = keyring.keySets.find((candidate) => candidate.id === keyring.current);
  return set !== undefined && CATALOG_GROUPS.every((group) => set.keys[group]);
}

export function groupsOf<K>(set: KeySet<K>): GroupName[] {
  return (Object.keys(set.keys) as GroupName[]).sort();
}

export function withoutRetirement<K>(set: KeySet<K>): KeySet<K> {
  const { retiredAt: _retired, ...rest } = set;
  return rest;
}

// Checks

/** A keyring as sealed at rest or in a backup: at least one set, the current one among them. */
export function isPlainKeyring(value: unknown): value is PlainKeyring {
  return (
    isRecord(value) &&
    typeof value.current === 'string' &&
    Array.isArray(value.keySets) &&
    value.keySets.length > 0 &&
    value.keySets.every((set) => isKeySet(set, isPlainKey)) &&
    value.keySets.some((set) => isRecord(set) && set.id === value.current)
  );
}

export function isKeySet<K>(value: unknown, isKey: (key: unknown) => key is K): value is KeySet<K> {
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

// What the page sees

export function infoOf(keyring: PlainKeyring): KeyringInfo {
  const current = currentSet(keyring);
  const older = keyring.keySets
    .filter((set) => set.id !== current.id)
    .sort((a, b) => (b.retiredAt ?? b.createdAt).localeCompare(a.retiredAt ?? a.createdAt));
  return { current: keySetInfo(current), older: older.map(keySetInfo) };
}

function keySetInfo(set: KeySet): KeySetInfo {
  const groups = groupsOf(set);
  const publicKeys = groups.map((group) => (set.keys[group] as PlainGroupKey).publicKey);
  return {
    id: set.id,
    fingerprint: fingerprintOf(set),
    createdAt: set.createdAt,
    ...(set.retiredAt === undefined ? {} : { retiredAt: set.retiredAt }),
    groups,
    publicKeys,
  };
}

/**
 * SHA-256 over one line `<group> <y>` per public key of the set, sorted; the first 16 hex digits
 * in groups of 4 — enough to tell two key sets apart at a glance, not a security check.
 */
export function fingerprintOf(set: KeySet<{ readonly publicKey: PublicKeyWire }>): string {
  const lines = Object.values(set.keys)
    .map((key) => `${key.publicKey.group} ${key.publicKey.y}\n`)
    .sort()
    .join('');
  const digits = bytesToHex(sha256(utf8ToBytes(lines))).slice(0, 16);
  return digits.replace(/(.{4})(?=.)/g, '$1 ');
}
