/**
 * A transparency log for tests, as `npm start` runs it: the local policy and keys under the data
 * directory (the ones the web build was made with), a log in a directory of the test's own, what the
 * service serves published to it and cosigned by the local witnesses. The keys are handed to the test,
 * which can then play a dishonest operator (the log key) or colluding witnesses.
 */

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatCheckpoint } from '../../shared/log/checkpoint.js';
import { cosign } from '../../shared/log/cosignature.js';
import type { MerkleTree } from '../../shared/log/merkle.js';
import { formatNote, parseSignerKey, type SignerKey, signNote } from '../../shared/log/note.js';
import type { LogRoutesOptions } from '../routes/log.js';
import { loadServedCatalog } from '../served-catalog.js';
import { ensureLocalLog, LOG_KEY_FILE, localLogDir, localWitnessKeys, POLICY_FILE } from './local-log.js';
import { LogReader } from './log-files.js';
import {
  type PublishingLog,
  readTrustPolicy,
  servedEntries,
  startPublishing,
  type TrustPolicy,
} from './transparency.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const DEFAULT_DATA_DIR = join(repoRoot, 'data');

export interface LocalTransparency {
  readonly log: LogRoutesOptions;
  readonly policy: TrustPolicy;
  readonly logDir: string;
  readonly logKey: SignerKey;
  readonly witnessKeys: readonly SignerKey[];
  readonly publishing: PublishingLog;
  close(): Promise<void>;
}

export async function openLocalTransparency(options: {
  logDir: string;
  staticDir?: string | undefined;
  modelsDir?: string | undefined;
  dataDir?: string;
}): Promise<LocalTransparency> {
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  ensureLocalLog(dataDir);
  const policyFile = join(localLogDir(dataDir), POLICY_FILE);
  const logKeyFile = join(localLogDir(dataDir), LOG_KEY_FILE);
  const policy = readTrustPolicy(policyFile);
  const appVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string })
    .version;
  const entries = await servedEntries(
    loadServedCatalog(options.modelsDir),
    options.staticDir ? { dir: options.staticDir, appVersion } : undefined,
  );
  const publishing = await startPublishing(
    { dataDir, logDir: options.logDir, policyFile, logKeyFile, publish: true },
    policy,
    entries,
    () => undefined,
  );
  return {
    log: { reader: new LogReader(options.logDir), policy },
    policy,
    logDir: options.logDir,
    logKey: parseSignerKey(readFileSync(logKeyFile, 'utf8').trim()),
    witnessKeys: localWitnessKeys(dataDir).map(parseSignerKey),
    publishing,
    close: () => publishing.close(),
  };
}

/**
 * A log directory of its own for a service a test starts: a test's models or build must never be
 * appended to the developer's log under data/ (a changed model there would stop the next npm start).
 */
export function temporaryLogDir(): string {
  return mkdtempSync(join(tmpdir(), 'sealed-vitals-log-'));
}

/**
 * A checkpoint of `tree` signed with `logKey` and cosigned by `cosigners`: what the log's operator,
 * with colluding witnesses if any, can make of any tree it likes.
 */
export function signedCheckpoint(
  origin: string,
  tree: MerkleTree,
  logKey: SignerKey,
  cosigners: readonly SignerKey[],
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const text = formatCheckpoint({ origin, size: tree.size, root: tree.root(), extensions: [] });
  return formatNote({
    text,
    signatures: [signNote(text, logKey), ...cosigners.map((key) => cosign(text, timestamp, key))],
  });
}
