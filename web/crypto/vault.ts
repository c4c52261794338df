/**
 * The data key: one random AES-256-GCM key that seals everything this device keeps (the key sets,
 * the history, the form drafts), itself stored only wrapped under the patient's unlock keys — a
 * passkey's PRF output (WebAuthn PRF extension, through HKDF) and/or a passphrase (Argon2id) — and
 * so never in the profile in a usable form. Unlocked, it lives in this worker's memory only, as a
 * non-extractable CryptoKey, and is dropped after the patient's idle time, on "Lock now", and with
 * the last tab (workers end with their pages).
 *
 * Tabs share one unlock: a worker that starts while another holds the key (a Web Lock says so) asks
 * for it on a BroadcastChannel and gets the CryptoKey by structured clone, never its bytes; a lock
 * in any tab locks them all. "No protection on this device" stores the data key in the clear, which
 * the keys page says.
 */

import { base64urlnopad } from '@scure/base';
import { createStore, get, set } from 'idb-keyval';
import { isRecord } from '../../shared/records.js';
import { openBytes, sealBytes } from './aes-gcm.js';
import {
  isAcceptedKdf,
  newPassphraseKdf,
  type PassphraseKdf,
  passkeyKey,
  passphraseKey,
} from './passphrase-kdf.js';
import { VAULT_CHANGED_CHANNEL, type VaultSetUp, type VaultState } from './protocol.js';

const store = createStore('sealed-vitals', 'keys');
const VAULT_KEY = 'vault';
const KEY_LOCK = 'sealed-vitals:keys';
/** Held (shared) by every worker holding the data key: a new worker knows whether to ask. */
const UNLOCKED_LOCK = 'sealed-vitals:unlocked';
const SHARING_CHANNEL = 'sealed-vitals:vault-key';
export const DEFAULT_IDLE_MINUTES = 15;
export const IDLE_MINUTES_ALLOWED = [1, 5, 15, 30, 60, 240] as const;

interface SealedWire {
  readonly iv: string;
  readonly ciphertext: string;
}

type Unlocker =
  | { readonly kind: 'passphrase'; readonly kdf: PassphraseKdf; readonly sealedKey: SealedWire }
  | {
      readonly kind: 'passkey';
      /** base64url of the WebAuthn credential id and of the PRF input it is asked with. */
      readonly credentialId: string;
      readonly prfSalt: string;
      readonly sealedKey: SealedWire;
    };

interface VaultRecord {
  readonly version: 1;
  /** Random; names this data key in every sealed record's additional data. */
  readonly id: string;
  readonly createdAt: string;
  readonly unlockers: readonly Unlocker[];
  /** Only with no protection: the data key itself, base64url. */
  readonly openKey?: string;
  readonly idleMinutes: number;
}

export interface DataKey {
  readonly id: string;
  readonly key: CryptoKey;
}

/** The device is locked (or not set up): nothing sealed can be read or written until it unlocks. */
export class LockedError extends Error {
  override readonly name = 'LockedError';
  constructor() {
    super('Your keys and history are locked: unlock them to continue.');
  }
}

/** A passphrase or passkey that does not open the data key; says nothing more. */
export class UnlockError extends Error {
  override readonly name = 'UnlockError';
}

let unlocked: DataKey | undefined;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
let idleMinutes = DEFAULT_IDLE_MINUTES;
let releaseUnlockedLock: (() => void) | undefined;

// Reading the state

export async function vaultState(): Promise<VaultState> {
  const record = await readVault();
  if (!record) {
    unlocked = undefined;
    return { status: 'new', migrating: await hasLegacyData() };
  }
  idleMinutes = record.idleMinutes;
  if (record.openKey !== undefined && unlocked?.id !== record.id) {
    hold({ id: record.id, key: await importDataKey(new Uint8Array(base64urlnopad.decode(record.openKey))) });
  }
  if (unlocked?.id !== record.id) {
    unlocked = undefined;
    const shared = await askOtherTabs(record.id);
    if (shared) hold(shared);
  }
  const passkey = record.unlockers.find((unlocker) => unlocker.kind === 'passkey');
  const protection = {
    protected: record.openKey === undefined,
    passphrase: record.unlockers.some((unlocker) => unlocker.kind === 'passphrase'),
    passkey: passkey ? { credentialId: passkey.credentialId, prfSalt: passkey.prfSalt } : undefined,
    idleMinutes: record.idleMinutes,
  };
  return unlocked ? { status: 'unlocked', ...protection } : { status: 'locked', ...protection };
}

/**
 * The unlocked data key, counted as use (the idle time starts again). A worker that has not looked
 * yet first reads the record (no protection: the key is there) and asks the other tabs.
 */
export async function dataKey(): Promise<DataKey> {
  if (!unlocked) await vaultState();
  if (!unlocked) throw new LockedError();
  touch();
  return unlocked;
}

// Setting up and unlocking

/**
 * Protects this device for the first time, or again after "no protection": a new data key, wrapped
 * under each chosen unlock key (or stored open), and `reseal` moves everything sealed (or, on first
 * use, left by an older version in the clear) under it before the new record is written.
 */
export async function setUpVault(
  choice: VaultSetUp,
  reseal: (from: DataKey | undefined, to: DataKey) => Promise<void>,
): Promise<VaultState> {
  await navigator.locks.request(KEY_LOCK, async () => {
    const existing = await readVault();
    if (existing && existing.openKey === undefined) {
      throw new UnlockError('This device is already protected (perhaps from another tab).');
    }
    const raw = crypto.getRandomValues(new Uint8Array(32));
    const id = crypto.randomUUID();
    const unlockers: Unlocker[] = [];
    try {
      if (choice.passkey) {
        const wrapping = await passkeyKey(choice.passkey.prfOutput, id);
        unlockers.push({
          kind: 'passkey',
          credentialId: choice.passkey.credentialId,
          prfSalt: choice.passkey.prfSalt,
          sealedKey: await sealDataKey(wrapping, raw, id, 'passkey'),
        });
      }
      if (choice.passphrase !== undefined) {
        if (choice.passphrase.length === 0) throw new UnlockError('Choose a passphrase.');
        const kdf = await newPassphraseKdf();
        const wrapping = await passphraseKey(choice.passphrase, kdf);
        unlockers.push({
          kind: 'passphrase',
          kdf,
          sealedKey: await sealDataKey(wrapping, raw, id, 'passphrase'),
        });
      }
      if (unlockers.length === 0 && !choice.unprotected)
        throw new UnlockError('Choose how to unlock this device.');
      const to = { id, key: await importDataKey(raw) };
      const from = existing?.openKey
        ? {
            id: existing.id,
            key: await importDataKey(new Uint8Array(base64urlnopad.decode(existing.openKey))),
          }
        : undefined;
      await reseal(from, to);
      const record: VaultRecord = {
        version: 1,
        id,
        createdAt: new Date().toISOString(),
        unlockers,
        ...(unlockers.length === 0 ? { openKey: base64urlnopad.encode(raw) } : {}),
        idleMinutes: existing?.idleMinutes ?? DEFAULT_IDLE_MINUTES,
      };
      await set(VAULT_KEY, record, store);
      hold(to);
    } finally {
      raw.fill(0);
    }
  });
  announce();
  return vaultState();
}

export async function unlockWithPassphrase(passphrase: string): Promise<VaultState> {
  const record = await requireVault();
  const unlocker = record.unlockers.find((candidate) => candidate.kind === 'passphrase');
  if (unlocker?.kind !== 'passphrase' || !isAcceptedKdf(unlocker.kdf)) {
    throw new UnlockError('This device is not protected with a passphrase.');
  }
  const wrapping = await passphraseKey(passphrase, unlocker.kdf);
  return unlockWith(record, wrapping, unlocker, 'The passphrase is not the one that protects this device.');
}

export async function unlockWithPasskey(prfOutput: Uint8Array<ArrayBuffer>): Promise<VaultState> {
  const record = await requireVault();
  const unlocker = record.unlockers.find((candidate) => candidate.kind === 'passkey');
  if (!unlocker) throw new UnlockError('This device is not protected with a passkey.');
  const wrapping = await passkeyKey(prfOutput, record.id);
  return unlockWith(record, wrapping, unlocker, 'That passkey is not the one that protects this device.');
}

async function unlockWith(
  record: VaultRecord,
  wrapping: CryptoKey,
  unlocker: Unlocker,
  refusal: string,
): Promise<VaultState> {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = await openBytes(wrapping, sealedFromWire(unlocker.sealedKey), keyContext(record.id, unlocker.kind));
  } catch {
    throw new UnlockError(refusal);
  }
  try {
    hold({ id: record.id, key: await importDataKey(raw) });
  } finally {
    raw.fill(0);
  }
  announce();
  return vaultState();
}

/** Drops the data key here and in every other tab. */
export function lock(): Promise<VaultState> {
  dropKey();
  sharing.postMessage({ kind: 'locked' } satisfies SharingMessage);
  announce();
  return vaultState();
}

export async function setIdleMinutes(minutes: number): Promise<VaultState> {
  if (!(IDLE_MINUTES_ALLOWED as readonly number[]).includes(minutes)) {
    throw new UnlockError('Choose one of the offered idle times.');
  }
  await navigator.locks.request(KEY_LOCK, async () => {
    const record = await requireVault();
    await set(VAULT_KEY, { ...record, idleMinutes: minutes }, store);
  });
  idleMinutes = minutes;
  touch();
  sharing.postMessage({ kind: 'active', idleMinutes: minutes } satisfies SharingMessage);
  announce();
  return vaultState();
}

/** The patient used the app (in any tab): the idle time starts again. */
export function touch(): void {
  if (!unlocked) return;
  restartIdleTimer();
  const now = Date.now();
  if (now - lastActivityShared > 10_000) {
    lastActivityShared = now;
    sharing.postMessage({ kind: 'active' } satisfies SharingMessage);
  }
}
let lastActivityShared = 0;

// Holding the key

function hold(key: DataKey): void {
  unlocked = key;
  restartIdleTimer();
  if (!releaseUnlockedLock) {
    void navigator.locks.request(
      UNLOCKED_LOCK,
      { mode: 'shared' },
      () =>
        new Promise<void>((release) => {
          releaseUnlockedLock = release;
        }),
    );
  }
}

function dropKey(): void {
  unlocked = undefined;
  if (idleTimer !== undefined) clearTimeout(idleTimer);
  idleTimer = undefined;
  releaseUnlockedLock?.();
  releaseUnlockedLock = undefined;
}

function restartIdleTimer(): void {
  if (idleTimer !== undefined) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    void readVault().then((record) => {
      // With no protection there is nothing to lock: the key is in the profile anyway.
      if (record?.openKey !== undefined) return restartIdleTimer();
      void lock();
    });
  }, idleMinutes * 60_000);
}

// Sharing between tabs

type SharingMessage =
  | { readonly kind: 'ask'; readonly id: string }
  | { readonly kind: 'key'; readonly id: string; readonly key: CryptoKey }
  | { readonly kind: 'locked' }
  | { readonly kind: 'active'; readonly idleMinutes?: number };

const sharing = new BroadcastChannel(SHARING_CHANNEL);
sharing.addEventListener('message', ({ data }: MessageEvent<SharingMessage>) => {
  if (data.kind === 'ask' && unlocked?.id === data.id) {
    sharing.postMessage({ kind: 'key', id: unlocked.id, key: unlocked.key } satisfies SharingMessage);
  } else if (data.kind === 'locked' && unlocked) {
    dropKey();
    announce();
  } else if (data.kind === 'active' && unlocked) {
    if (data.idleMinutes !== undefined) idleMinutes = data.idleMinutes;
    restartIdleTimer();
  }
});

/** The data key from a tab that holds it, if any does (asked only when the Web Lock says one does). */
async function askOtherTabs(id: string): Promise<DataKey | undefined> {
  const { held = [] } = await navigator.locks.query();
  if (!held.some((lockInfo) => lockInfo.name === UNLOCKED_LOCK)) return undefined;
  return new Promise((resolve) => {
    const listener = ({ data }: MessageEvent<SharingMessage>) => {
      if (data.kind !== 'key' || data.id !== id || !(data.key instanceof CryptoKey)) return;
      finish({ id, key: data.key });
    };
    const finish = (key: DataKey | undefined) => {
      clearTimeout(timer);
      sharing.removeEventListener('message', listener);
      resolve(key);
    };
    const timer = setTimeout(() => finish(undefined), 2_000);
    sharing.addEventListener('message', listener);
    sharing.postMessage({ kind: 'ask', id } satisfies SharingMessage);
  });
}

const changes = new BroadcastChannel(VAULT_CHANGED_CHANNEL);

function announce(): void {
  changes.postMessage('changed');
}

// The stored record

async function readVault(): Promise<VaultRecord | undefined> {
  const value = await get<unknown>(VAULT_KEY, store);
  if (value === undefined) return undefined;
  if (!isVaultRecord(value)) {
    throw new UnlockError(
      'The protection stored in this browser is damaged or from another version of the app.',
    );
  }
  return value;
}

async function requireVault(): Promise<VaultRecord> {
  const record = await readVault();
  if (!record) throw new UnlockError('This device is not set up yet.');
  return record;
}

/** Data an older version kept unprotected: its keys (their wrapping key beside them) or its history. */
async function hasLegacyData(): Promise<boolean> {
  return (await get('device-keys', store)) !== undefined;
}

function isVaultRecord(value: unknown): value is VaultRecord {
  return (
    isRecord(value) &&
    value.version === 1 &&
    typeof value.id === 'string' &&
    typeof value.idleMinutes === 'number' &&
    Array.isArray(value.unlockers) &&
    value.unlockers.every(isUnlocker) &&
    (value.openKey === undefined ? value.unlockers.length > 0 : typeof value.openKey === 'string')
  );
}

function isUnlocker(value: unknown): value is Unlocker {
  if (!isRecord(value) || !isSealedWire(value.sealedKey)) return false;
  if (value.kind === 'passphrase') return isRecord(value.kdf);
  return (
    value.kind === 'passkey' && typeof value.credentialId === 'string' && typeof value.prfSalt === 'string'
  );
}

function isSealedWire(value: unknown): value is SealedWire {
  return isRecord(value) && typeof value.iv === 'string' && typeof value.ciphertext === 'string';
}

// Sealing

function keyContext(id: string, kind: Unlocker['kind']): string {
  return `sealed-vitals data key v1\n${id}\n${kind}`;
}

async function sealDataKey(
  wrapping: CryptoKey,
  raw: Uint8Array<ArrayBuffer>,
  id: string,
  kind: Unlocker['kind'],
): Promise<SealedWire> {
  return sealedToWire(await sealBytes(wrapping, raw, keyContext(id, kind)));
}

function importDataKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  // extractable: false — tabs share it by structured clone, never as bytes.
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

const utf8 = new TextEncoder();

/** Seals a JSON value under the data key, bound to `context` (what and where it is). */
export async function sealJson(key: DataKey, context: string, value: unknown): Promise<SealedWire> {
  const sealed = await sealBytes(key.key, utf8.encode(JSON.stringify(value)), `${context}\n${key.id}`);
  return sealedToWire(sealed);
}

/** Opens what `sealJson` sealed; throws when the key, the context or a bit differs. */
export async function openJson(key: DataKey, context: string, sealed: unknown): Promise<unknown> {
  if (!isSealedWire(sealed)) throw new UnlockError('A stored record is damaged.');
  const bytes = await openBytes(key.key, sealedFromWire(sealed), `${context}\n${key.id}`);
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
}

export function isSealed(value: unknown): value is SealedWire {
  return isSealedWire(value) && Object.keys(value as object).length === 2;
}

function sealedToWire(sealed: { iv: Uint8Array; ciphertext: Uint8Array }): SealedWire {
  return { iv: base64urlnopad.encode(sealed.iv), ciphertext: base64urlnopad.encode(sealed.ciphertext) };
}

function sealedFromWire(wire: SealedWire) {
  return {
    iv: new Uint8Array(base64urlnopad.decode(wire.iv)),
    ciphertext: new Uint8Array(base64urlnopad.decode(wire.ciphertext)),
  };
}
