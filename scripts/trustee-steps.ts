/**
 * A trustee's steps (docs/STUDIES.md, "Trustees"), as files: the trustee's own secret file (its private
 * key, then its polynomial, then its share of the joint key; written with mode 0600 and never printed),
 * and the public messages of each round in a directory all trustees share. `scripts/trustee.ts` is the
 * command line around them.
 */

import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { base64urlnopad } from '@scure/base';
import { RISTRETTO255 as group } from '../server/groups.js';
import { studyDigest } from '../shared/studies/contribution.js';
import {
  bytesFromWire,
  type CeremonyParameters,
  checkCeremonyRecord,
  ciphertextFromWire,
  commitmentMessageFromWire,
  commitmentMessageToWire,
  encryptShares,
  parseElement,
  partialDecrypt,
  partialDecryptionToBytes,
  receiveShares,
  shareMessageFromWire,
  shareMessageToWire,
  startCeremony,
  verificationMessageFromWire,
} from '../shared/studies/crypto/index.js';
import { ceremonyFile } from '../shared/studies/record.js';
import { parseStudyFile, type Study } from '../shared/studies/study-file.js';
import { tallyContext } from '../shared/studies/tally.js';

type Element = ReturnType<typeof group.powGenerator>;

/** What a trustee keeps to itself, as decimal strings. */
interface SecretFile {
  readonly secretKey: string;
  readonly study?: string;
  readonly polynomial?: readonly string[];
  readonly secretShare?: string;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new Error(`${path} cannot be read as JSON.`);
  }
}

/** Written whole or not at all, readable by its owner only. */
function writeSecret(path: string, secret: SecretFile): void {
  const partial = `${path}.tmp`;
  writeFileSync(partial, `${JSON.stringify(secret)}\n`, { mode: 0o600 });
  chmodSync(partial, 0o600);
  renameSync(partial, path);
}

function readSecret(path: string): SecretFile {
  const value = readJson(path) as Partial<SecretFile>;
  if (typeof value.secretKey !== 'string' || !/^\d+$/.test(value.secretKey))
    throw new Error(`${path} is not a trustee's secret file.`);
  return value as SecretFile;
}

function writePublic(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** A new trustee key pair: the secret file is written, the public key returned (for the study file). */
export function makeTrusteeKey(secretPath: string): string {
  if (existsSync(secretPath)) throw new Error(`${secretPath} exists: a trustee key is never overwritten.`);
  const secretKey = group.randomSecretExponent();
  writeSecret(secretPath, { secretKey: secretKey.toString() });
  return base64urlnopad.encode(group.toBytes(group.powGenerator(secretKey)));
}

interface Trustee {
  readonly study: Study;
  readonly params: CeremonyParameters<Element>;
  readonly index: number;
  readonly secret: SecretFile;
  readonly secretKey: bigint;
}

/** The study (a draft: no joint key yet is fine), the ceremony's parameters, and this trustee's place in it. */
function trusteeOf(studyPath: string, secretPath: string): Trustee {
  const study = parseStudyFile(readJson(studyPath));
  const secret = readSecret(secretPath);
  const secretKey = BigInt(secret.secretKey);
  const own = base64urlnopad.encode(group.toBytes(group.powGenerator(secretKey)));
  const position = study.trustees.members.findIndex((m) => m.publicKey === own);
  if (position < 0) throw new Error(`The key in ${secretPath} is not one of ${study.id}'s trustees.`);
  if (secret.study !== undefined && secret.study !== study.id)
    throw new Error(`${secretPath} holds a ceremony of study ${secret.study}, not ${study.id}.`);
  return { study, params: ceremonyParameters(study), index: position + 1, secret, secretKey };
}

function ceremonyParameters(study: Study): CeremonyParameters<Element> {
  return {
    studyId: study.id,
    threshold: study.trustees.threshold,
    trusteeKeys: study.trustees.members.map((m, i) =>
      parseElement(group, bytesFromWire(m.publicKey, `trustees.members[${i}].publicKey`, 32), m.name),
    ),
  };
}

const roundFile = (dir: string, round: 1 | 2 | 3, index: number) => join(dir, `round${round}-${index}.json`);

/** Every trustee's message of a round, named by index; a missing one is named. */
function readRound(dir: string, round: 1 | 2 | 3, trustees: number): unknown[] {
  return Array.from({ length: trustees }, (_, i) => {
    const path = roundFile(dir, round, i + 1);
    if (!existsSync(path))
      throw new Error(`Round ${round} is not complete: ${path} is missing (trustee ${i + 1}).`);
    return readJson(path);
  });
}

/** Round 1: a fresh polynomial (kept in the secret file) and its commitments with proofs (published). */
export function commitRound(studyPath: string, secretPath: string, dir: string): string {
  const t = trusteeOf(studyPath, secretPath);
  if (t.secret.polynomial)
    throw new Error(`${secretPath} has committed already: a polynomial is drawn once.`);
  const { polynomial, message } = startCeremony(group, t.params, t.index);
  writeSecret(secretPath, { ...t.secret, study: t.study.id, polynomial: polynomial.map(String) });
  const path = roundFile(dir, 1, t.index);
  writePublic(path, commitmentMessageToWire(group, message));
  return path;
}

/** Round 2: this trustee's shares, each encrypted to the trustee it is for. */
export function shareRound(studyPath: string, secretPath: string, dir: string): string {
  const t = trusteeOf(studyPath, secretPath);
  if (!t.secret.polynomial) throw new Error(`${secretPath} has not committed yet (round 1).`);
  const shares = encryptShares(group, t.params, t.index, t.secret.polynomial.map(BigInt));
  const path = roundFile(dir, 2, t.index);
  writePublic(path, shares.map(shareMessageToWire));
  return path;
}

/** Round 3: checks every share received against its sender's commitments; keeps this trustee's share. */
export function checkRound(
  studyPath: string,
  secretPath: string,
  dir: string,
): { path: string; complaints: string[] } {
  const t = trusteeOf(studyPath, secretPath);
  if (!t.secret.polynomial) throw new Error(`${secretPath} has not committed yet (round 1).`);
  const n = t.params.trusteeKeys.length;
  const commitments = readRound(dir, 1, n).map((m) => commitmentMessageFromWire(group, m));
  const shares = readRound(dir, 2, n).flatMap((list) => (list as unknown[]).map(shareMessageFromWire));
  const { secretShare, message } = receiveShares(
    group,
    t.params,
    { index: t.index, secretKey: t.secretKey, polynomial: t.secret.polynomial.map(BigInt) },
    commitments,
    shares,
  );
  if (secretShare !== undefined)
    writeSecret(secretPath, { ...t.secret, secretShare: secretShare.toString() });
  const path = roundFile(dir, 3, t.index);
  writePublic(path, message);
  return { path, complaints: message.complaints.map((c) => `trustee ${c.against}: ${c.reason}`) };
}

/** The ceremony's public record from the three rounds, checked; returns the joint key for the study file. */
export function assembleRecord(studyPath: string, dir: string, out: string): string {
  const study = parseStudyFile(readJson(studyPath));
  const params = ceremonyParameters(study);
  const n = params.trusteeKeys.length;
  const record = {
    commitments: readRound(dir, 1, n).map((m) => commitmentMessageFromWire(group, m)),
    shares: readRound(dir, 2, n).flatMap((list) => (list as unknown[]).map(shareMessageFromWire)),
    verifications: readRound(dir, 3, n).map(verificationMessageFromWire),
  };
  // Throws naming the trustees to blame when the ceremony does not hold.
  const { jointKey } = checkCeremonyRecord(group, params, record);
  writePublic(out, ceremonyFile(group, params, record));
  return base64urlnopad.encode(group.toBytes(jointKey));
}

/** This trustee's partial decryption of every total of a published tally (an entry of decryptions.json). */
export function decryptTally(studyPath: string, secretPath: string, tallyPath: string, out: string): void {
  const file = readJson(studyPath);
  const t = trusteeOf(studyPath, secretPath);
  if (t.secret.secretShare === undefined)
    throw new Error(`${secretPath} holds no share: finish the ceremony first.`);
  const tally = readJson(tallyPath) as { contributions?: unknown; totals?: unknown };
  if (typeof tally.contributions !== 'number' || !Array.isArray(tally.totals))
    throw new Error(`${tallyPath} is not a tally ({"contributions", "totals"}).`);
  const secretShare = BigInt(t.secret.secretShare);
  const trustee = { index: t.index, secretShare, verificationKey: group.powGenerator(secretShare) };
  const context = tallyContext(studyDigest(file), tally.contributions);
  const partials = tally.totals.map((total, slot) =>
    partialDecrypt(
      group,
      trustee,
      ciphertextFromWire(group, total, `${tallyPath}: totals[${slot}]`),
      context,
    ),
  );
  writePublic(out, {
    trustee: t.index,
    partials: partials.map((p) => base64urlnopad.encode(partialDecryptionToBytes(group, p))),
  });
}
