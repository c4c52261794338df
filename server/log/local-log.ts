/**
 * The log that `npm start` needs on a fresh machine with nothing else installed: a log key, three
 * local witnesses' keys and a trust policy (2 of 3) that names itself local, made once under the
 * data directory and kept. The app built with it says its log is local (web/transparency/); a
 * deployment brings its own log key and independent witnesses instead (docs/OPERATIONS.md).
 */

import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { COSIGNATURE_V1_KEY_TYPE, ED25519_KEY_TYPE, generateSignerKey } from '../../shared/log/note.js';

export const LOCAL_LOG_ORIGIN = 'localhost/sealed-vitals/log';
const LOCAL_WITNESSES = ['local-witness-1', 'local-witness-2', 'local-witness-3'];
const LOCAL_QUORUM = 2;

const LOCAL_LOG_DIR = 'local-log';
export const POLICY_FILE = 'log-policy.json';
export const LOG_KEY_FILE = 'log.key';
export const WITNESS_KEYS_DIR = 'witnesses';
const KEY_SUFFIX = '.key';

/** Secret keys are readable by their owner only. */
function writeSecret(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Where the local log's keys and policy are kept, under the data directory. */
export function localLogDir(dataDir: string): string {
  return join(dataDir, LOCAL_LOG_DIR);
}

/**
 * Makes the local log's keys and policy under `dataDir` unless they are there. Made in a folder of
 * its own and renamed into place whole, so services started at once (tests, a cluster) all use the
 * one set that won the rename.
 */
export function ensureLocalLog(dataDir: string): void {
  const target = localLogDir(dataDir);
  if (existsSync(join(target, POLICY_FILE))) return;
  mkdirSync(dataDir, { recursive: true });
  const staging = mkdtempSync(join(dataDir, '.local-log-'));
  try {
    const log = generateSignerKey(LOCAL_LOG_ORIGIN, ED25519_KEY_TYPE);
    writeSecret(join(staging, LOG_KEY_FILE), `${log.signerKey}\n`);
    mkdirSync(join(staging, WITNESS_KEYS_DIR), { mode: 0o700 });
    const witnesses = LOCAL_WITNESSES.map((name) => {
      const witness = generateSignerKey(name, COSIGNATURE_V1_KEY_TYPE);
      writeSecret(join(staging, WITNESS_KEYS_DIR, `${name}${KEY_SUFFIX}`), `${witness.signerKey}\n`);
      return witness.verifierKey;
    });
    const policy = {
      origin: LOCAL_LOG_ORIGIN,
      logKey: log.verifierKey,
      witnesses,
      quorum: LOCAL_QUORUM,
      local: true,
    };
    writeFileSync(join(staging, POLICY_FILE), `${JSON.stringify(policy, null, 2)}\n`);
    try {
      renameSync(staging, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Another process made them first: theirs are the ones.
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The local witnesses' signer keys, as files in `<data>/local-log/witnesses/`. */
export function localWitnessKeys(dataDir: string): string[] {
  const dir = join(localLogDir(dataDir), WITNESS_KEYS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(KEY_SUFFIX))
    .sort()
    .map((name) => readFileSync(join(dir, name), 'utf8').trim());
}
