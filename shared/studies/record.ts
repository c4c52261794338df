/**
 * A study's published record (docs/STUDIES.md, "The record") and its verifier: from the record's files
 * alone — the study file, the ceremony, the bulletin board of contributions, the tally, the trustees'
 * partial decryptions and the result — every step is checked again. `npm run study -- verify DIR`
 * prints the report; a record verifies only if every check holds.
 */

import { base64urlnopad } from '@scure/base';
import { AdditiveDecoder } from '../additive-decoder.js';
import type { Group } from '../groups/group.js';
import { isRecord } from '../records.js';
import {
  type ContributionWire,
  contributionClaims,
  type ParsedContribution,
  parseContribution,
  type StudyStatement,
  studyDigest,
} from './contribution.js';
import {
  bytesFromWire,
  type CeremonyRecord,
  type Ciphertext,
  checkCeremonyRecord,
  ciphertextFromWire,
  ciphertextToWire,
  commitmentMessageFromWire,
  commitmentMessageToWire,
  parseElement,
  partialDecryptionFromBytes,
  partialDecryptionToBytes,
  shareMessageFromWire,
  shareMessageToWire,
  verificationMessageFromWire,
  verifyBatch,
} from './crypto/index.js';
import { parseStudy, studyLayout } from './layout.js';
import { releaseStatistics } from './statistics.js';
import { decryptionClaims, decryptTotals, sumSlots, type TrusteeDecryption, tallyContext } from './tally.js';
import { importIssuerPublicKey } from './tokens/issuer-key.js';
import { StudyTokenVerifier } from './tokens/verifier.js';

/** The record's files, parsed as JSON (names as in a record directory). */
export interface StudyRecordFiles {
  /** study.json: the study file as published. */
  readonly study: unknown;
  /** ceremony.json: `{threshold, trusteeKeys, commitments, shares, verifications}`. */
  readonly ceremony: unknown;
  /** contributions.json: the bulletin board, `[{seq, contribution}]` in order. */
  readonly contributions: unknown;
  /** tally.json: `{contributions, totals}`, the slot sums as ciphertexts. */
  readonly tally: unknown;
  /** decryptions.json: `[{trustee, partials}]`, one partial decryption per slot total. */
  readonly decryptions: unknown;
  /** result.json: `{totals, release}`. */
  readonly result: unknown;
}

export const RECORD_FILES = {
  study: 'study.json',
  ceremony: 'ceremony.json',
  contributions: 'contributions.json',
  tally: 'tally.json',
  decryptions: 'decryptions.json',
  result: 'result.json',
} as const satisfies Record<keyof StudyRecordFiles, string>;

/** The checks of a record, in the order they run; a record verifies when all of them ran and held. */
export const RECORD_CHECKS = [
  'study file',
  'key ceremony',
  'contributions',
  'tally',
  'partial decryptions',
  'result',
] as const;

export interface RecordCheck {
  readonly check: (typeof RECORD_CHECKS)[number];
  readonly ok: boolean;
  readonly detail: string;
}

/** Every check of the record, in order; a check that cannot run because an earlier one failed is absent. */
export function recordVerifies(checks: readonly RecordCheck[]): boolean {
  return checks.length === RECORD_CHECKS.length && checks.every((c) => c.ok);
}

export async function verifyRecord<E>(group: Group<E>, files: StudyRecordFiles): Promise<RecordCheck[]> {
  const checks: RecordCheck[] = [];
  type Check = RecordCheck['check'];
  const pass = (check: Check, detail: string) => checks.push({ check, ok: true, detail });
  const fail = (check: Check, detail: string) => {
    checks.push({ check, ok: false, detail });
    return checks;
  };
  const attempt = <T>(check: Check, work: () => T): T | undefined => {
    try {
      return work();
    } catch (error) {
      fail(check, error instanceof Error ? error.message : String(error));
      return undefined;
    }
  };

  // The study file.
  const study = attempt('study file', () => parseStudy(files.study));
  if (!study) return checks;
  if (study.jointKey === undefined)
    return fail('study file', 'it has no joint key: it is a draft, not a study');
  const jointKey = parseElement(
    group,
    bytesFromWire(study.jointKey, 'jointKey', 32),
    'the study file’s jointKey',
  );
  const digest = studyDigest(files.study);
  pass(
    'study file',
    `${study.id}: ${study.measures.length} measures, digest ${base64urlnopad.encode(digest)}`,
  );

  // The ceremony: its record holds, and its outcome is the study's joint key and trustees.
  const ceremony = attempt('key ceremony', () => parseCeremony(group, study.id, files.ceremony));
  if (!ceremony) return checks;
  const outcome = attempt('key ceremony', () => checkCeremonyRecord(group, ceremony.params, ceremony.record));
  if (!outcome) return checks;
  const studyKeys = study.trustees.members.map((m) => m.publicKey);
  const ceremonyKeys = ceremony.params.trusteeKeys.map((k) => base64urlnopad.encode(group.toBytes(k)));
  if (ceremony.params.threshold !== study.trustees.threshold || ceremonyKeys.join() !== studyKeys.join())
    return fail('key ceremony', 'its trustees or threshold are not the study file’s');
  if (!group.equals(outcome.jointKey, jointKey))
    return fail('key ceremony', 'its joint key is not the study file’s jointKey');
  pass(
    'key ceremony',
    `${studyKeys.length} trustees, threshold ${study.trustees.threshold}; joint key matches`,
  );

  // The bulletin board: every token valid and spent once, every proof valid (one batch).
  const statement: StudyStatement<E> = { study, layout: studyLayout(study), digest, jointKey };
  const board = attempt('contributions', () => parseBoard(files.contributions));
  if (!board) return checks;
  const issuerKey = await importIssuerPublicKey(base64urlnopad.decode(study.tokenIssuer.publicKey));
  const tokens = new StudyTokenVerifier(
    { issuerName: study.tokenIssuer.name, studyId: study.id, opens: study.opens },
    issuerKey,
  );
  const spent = new Set<string>();
  const parsed: ParsedContribution<E>[] = [];
  for (const { seq, contribution } of board) {
    let one: ParsedContribution<E>;
    try {
      one = parseContribution(group, statement, contribution);
    } catch (error) {
      return fail('contributions', `contribution ${seq}: ${(error as Error).message}`);
    }
    try {
      const { spendKey } = await tokens.verify(one.token);
      const key = base64urlnopad.encode(spendKey);
      if (spent.has(key)) return fail('contributions', `contribution ${seq} spends a token already spent`);
      spent.add(key);
    } catch (error) {
      return fail('contributions', `contribution ${seq}'s token: ${(error as Error).message}`);
    }
    parsed.push(one);
  }
  const proofs = verifyBatch(
    group,
    parsed.flatMap((c, i) => contributionClaims(group, statement, c, `contribution ${board[i]?.seq}`)),
  );
  if (!proofs.valid)
    return fail('contributions', proofs.failures.map((f) => `${f.name}: ${f.reason}`).join('; '));
  pass('contributions', `${board.length} contributions, every token valid and spent once, every proof valid`);

  // The tally is the sum of exactly those contributions.
  const totals = sumSlots(
    group,
    statement.layout.slots.length,
    parsed.map((c) => c.slots),
  );
  const tally = attempt('tally', () => parseTally(group, files.tally, totals.length));
  if (!tally) return checks;
  if (tally.contributions !== board.length)
    return fail('tally', `it counts ${tally.contributions} contributions; the board holds ${board.length}`);
  const differing = totals.findIndex(
    (t, i) => ciphertextToWire(group, t) !== ciphertextToWire(group, tally.totals[i] as Ciphertext<E>),
  );
  if (differing >= 0) return fail('tally', `slot ${differing} is not the sum of the board's ciphertexts`);
  pass('tally', `${totals.length} slot totals, each the sum of the ${board.length} contributions`);

  // The trustees' partial decryptions.
  const context = tallyContext(digest, board.length);
  const decryptions = attempt('partial decryptions', () =>
    parseDecryptions(group, files.decryptions, totals.length),
  );
  if (!decryptions) return checks;
  const trustees = new Set(decryptions.map((d) => d.trustee));
  if (trustees.size !== decryptions.length) return fail('partial decryptions', 'a trustee appears twice');
  if (decryptions.length < study.trustees.threshold)
    return fail(
      'partial decryptions',
      `${decryptions.length} trustees; the threshold is ${study.trustees.threshold}`,
    );
  const unknown = decryptions.find((d) => outcome.verificationKeys[d.trustee - 1] === undefined);
  if (unknown) return fail('partial decryptions', `there is no trustee ${unknown.trustee}`);
  const partialClaims = decryptions.flatMap((d) =>
    decryptionClaims(group, totals, d, outcome.verificationKeys[d.trustee - 1] as E, context),
  );
  const partials = verifyBatch(group, partialClaims);
  if (!partials.valid)
    return fail('partial decryptions', partials.failures.map((f) => `${f.name}: ${f.reason}`).join('; '));
  pass('partial decryptions', `trustees ${[...trustees].join(', ')}: every proof valid`);

  // The released figures are the decoded totals' statistics.
  const decoded = attempt('result', () =>
    decryptTotals(
      group,
      study,
      totals,
      decryptions.slice(0, study.trustees.threshold),
      board.length,
      new AdditiveDecoder(),
    ),
  );
  if (!decoded) return checks;
  const result = attempt('result', () => parseResult(files.result));
  if (!result) return checks;
  if (decoded.join() !== result.totals.join())
    return fail('result', 'its totals are not the decrypted tally');
  const release = releaseStatistics(study, decoded, board.length);
  if (JSON.stringify(release) !== JSON.stringify(result.release))
    return fail('result', 'its released statistics are not those of the decrypted totals');
  pass('result', `totals and released statistics recomputed from the tally: they match`);
  return checks;
}

function parseCeremony<E>(group: Group<E>, studyId: string, value: unknown) {
  if (!isRecord(value)) throw new TypeError('ceremony.json is not a JSON object.');
  const { threshold, trusteeKeys, commitments, shares, verifications } = value;
  if (typeof threshold !== 'number' || !Array.isArray(trusteeKeys))
    throw new TypeError('ceremony.json needs threshold and trusteeKeys.');
  if (!Array.isArray(commitments) || !Array.isArray(shares) || !Array.isArray(verifications))
    throw new TypeError('ceremony.json needs commitments, shares and verifications arrays.');
  const params = {
    studyId,
    threshold,
    trusteeKeys: trusteeKeys.map((k, i) =>
      parseElement(
        group,
        bytesFromWire(k, `ceremony.json: trusteeKeys[${i}]`, 32),
        `ceremony.json: trusteeKeys[${i}]`,
      ),
    ),
  };
  const record: CeremonyRecord<E> = {
    commitments: commitments.map((m) => commitmentMessageFromWire(group, m)),
    shares: shares.map(shareMessageFromWire),
    verifications: verifications.map(verificationMessageFromWire),
  };
  return { params, record };
}

function parseBoard(value: unknown): { seq: number; contribution: ContributionWire }[] {
  if (!Array.isArray(value)) throw new TypeError('contributions.json is not an array.');
  return value.map((entry, i) => {
    if (!isRecord(entry) || entry.seq !== i + 1)
      throw new TypeError(`contributions.json: entry ${i} must be {"seq": ${i + 1}, "contribution": …}.`);
    return { seq: i + 1, contribution: entry.contribution as ContributionWire };
  });
}

function parseTally<E>(group: Group<E>, value: unknown, slots: number) {
  if (!isRecord(value) || typeof value.contributions !== 'number' || !Array.isArray(value.totals))
    throw new TypeError('tally.json must be {"contributions": N, "totals": [...]}.');
  if (value.totals.length !== slots) throw new TypeError(`tally.json must hold ${slots} totals.`);
  return {
    contributions: value.contributions,
    totals: value.totals.map((t, i) => ciphertextFromWire(group, t, `tally.json: totals[${i}]`)),
  };
}

function parseDecryptions<E>(group: Group<E>, value: unknown, slots: number): TrusteeDecryption<E>[] {
  if (!Array.isArray(value)) throw new TypeError('decryptions.json is not an array.');
  return value.map((entry, i) => {
    if (!isRecord(entry) || typeof entry.trustee !== 'number' || !Array.isArray(entry.partials))
      throw new TypeError(`decryptions.json: entry ${i} must be {"trustee", "partials"}.`);
    if (entry.partials.length !== slots)
      throw new TypeError(`decryptions.json: entry ${i} must hold ${slots} partials.`);
    const trustee = entry.trustee;
    return {
      trustee,
      partials: entry.partials.map((p, slot) =>
        partialDecryptionFromBytes(
          group,
          trustee,
          bytesFromWire(p, `decryptions.json: trustee ${trustee}, slot ${slot}`),
        ),
      ),
    };
  });
}

function parseResult(value: unknown): { totals: string[]; release: unknown } {
  if (!isRecord(value) || !Array.isArray(value.totals))
    throw new TypeError('result.json must be {"totals", "release"}.');
  return { totals: value.totals.map(String), release: value.release };
}

/* Writing the record's files (the service's board and tally, the trustees' decryptions, the result). */

export function ceremonyFile<E>(
  group: Group<E>,
  params: { readonly threshold: number; readonly trusteeKeys: readonly E[] },
  record: CeremonyRecord<E>,
): unknown {
  return {
    threshold: params.threshold,
    trusteeKeys: params.trusteeKeys.map((k) => base64urlnopad.encode(group.toBytes(k))),
    commitments: record.commitments.map((m) => commitmentMessageToWire(group, m)),
    shares: record.shares.map(shareMessageToWire),
    verifications: record.verifications,
  };
}

export function tallyFile<E>(
  group: Group<E>,
  totals: readonly Ciphertext<E>[],
  contributions: number,
): unknown {
  return { contributions, totals: totals.map((t) => ciphertextToWire(group, t)) };
}

export function decryptionsFile<E>(group: Group<E>, decryptions: readonly TrusteeDecryption<E>[]): unknown {
  return decryptions.map((d) => ({
    trustee: d.trustee,
    partials: d.partials.map((p) => base64urlnopad.encode(partialDecryptionToBytes(group, p))),
  }));
}

export function resultFile(totals: readonly bigint[], release: unknown): unknown {
  return { totals: totals.map(String), release };
}
