/**
 * A whole study's published record made in one process, for tests of the record's verifier: a 2-of-3
 * ceremony, a token issuer, patients who each get a real token and contribute, the tally, and the
 * partial decryptions of trustees 1 and 3.
 */

import { readFileSync } from 'node:fs';
import { base64urlnopad } from '@scure/base';
import { ristretto255Group as group } from '../groups/ristretto255.js';
import { buildContribution, parseContribution, type StudyStatement, studyDigest } from './contribution.js';
import {
  checkCeremonyRecord,
  encryptShares,
  partialDecrypt,
  receiveShares,
  startCeremony,
} from './crypto/index.js';
import { parseStudy, studyLayout } from './layout.js';
import { ceremonyFile, decryptionsFile, resultFile, type StudyRecordFiles, tallyFile } from './record.js';
import { releaseStatistics } from './statistics.js';
import { syntheticAnswers } from './synthetic-answers.js';
import { decryptTotals, sumSlots, tallyContext } from './tally.js';
import { requestStudyToken } from './tokens/client.js';
import { issueTokenResponse, parseTokenRequest } from './tokens/issuer.js';
import { generateIssuerKeyPair } from './tokens/issuer-key.js';
import { opensslPrivateOperation } from './tokens/issuer-openssl.js';

type Point = ReturnType<typeof group.powGenerator>;

const EXAMPLE = JSON.parse(
  readFileSync(new URL('../../studies/home-blood-pressure.study.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

/** A 2-of-3 key ceremony run in one process: its parameters and record, the joint key, the trustees' shares. */
export function runCeremony(studyId: string) {
  const secrets = [1, 2, 3].map(() => group.randomSecretExponent());
  const params = { studyId, threshold: 2, trusteeKeys: secrets.map((x) => group.powGenerator(x)) };
  const started = [1, 2, 3].map((index) => startCeremony(group, params, index));
  const commitments = started.map((s) => s.message);
  const shares = started.flatMap((s, i) => encryptShares(group, params, i + 1, s.polynomial));
  const received = started.map((s, i) =>
    receiveShares(
      group,
      params,
      { index: i + 1, secretKey: secrets[i] as bigint, polynomial: s.polynomial },
      commitments,
      shares,
    ),
  );
  const record = { commitments, shares, verifications: received.map((r) => r.message) };
  const { jointKey, verificationKeys } = checkCeremonyRecord(group, params, record);
  const trustees = received.map((r, i) => ({
    index: i + 1,
    secretShare: r.secretShare as bigint,
    verificationKey: verificationKeys[i] as Point,
  }));
  return { params, record, jointKey, trustees };
}

export async function makeStudyRecord(patients: number): Promise<StudyRecordFiles> {
  const { params, record, jointKey, trustees } = runCeremony(EXAMPLE.id as string);

  // The sponsor's token issuer, and the study file with both keys.
  const issuer = await generateIssuerKeyPair();
  const tokenIssuer = EXAMPLE.tokenIssuer as { name: string };
  const file = {
    ...EXAMPLE,
    trustees: {
      threshold: 2,
      members: (EXAMPLE.trustees as { members: { name: string }[] }).members.map((m, i) => ({
        name: m.name,
        publicKey: base64urlnopad.encode(group.toBytes(params.trusteeKeys[i] as Point)),
      })),
    },
    tokenIssuer: { name: tokenIssuer.name, publicKey: base64urlnopad.encode(issuer.publicKey.spki) },
    jointKey: base64urlnopad.encode(group.toBytes(jointKey)),
  };
  const study = parseStudy(file);
  const statement: StudyStatement<Point> = {
    study,
    layout: studyLayout(study),
    digest: studyDigest(file),
    jointKey,
  };
  const scope = { issuerName: tokenIssuer.name, studyId: study.id, opens: study.opens };

  // Each patient: a token, then a contribution that spends it.
  const sign = opensslPrivateOperation(issuer.privateKey);
  const board = [];
  for (let i = 0; i < patients; i++) {
    const pending = await requestStudyToken(scope, issuer.publicKey);
    const response = await issueTokenResponse(
      issuer,
      parseTokenRequest(pending.request, issuer.publicKey),
      sign,
    );
    const token = await pending.finalize(response);
    board.push({ seq: i + 1, contribution: buildContribution(group, statement, syntheticAnswers(i), token) });
  }

  // The tally, decrypted by trustees 1 and 3.
  const slots = board.map((b) => parseContribution(group, statement, b.contribution).slots);
  const totals = sumSlots(group, statement.layout.slots.length, slots);
  const context = tallyContext(statement.digest, patients);
  const decryptions = [1, 3].map((index) => {
    const trustee = trustees[index - 1] as (typeof trustees)[number];
    return { trustee: index, partials: totals.map((t) => partialDecrypt(group, trustee, t, context)) };
  });
  const decoded = decryptTotals(group, study, totals, decryptions, patients);
  return {
    study: file,
    ceremony: ceremonyFile(group, params, record),
    contributions: board,
    tally: tallyFile(group, totals, patients),
    decryptions: decryptionsFile(group, decryptions),
    result: resultFile(decoded, releaseStatistics(study, decoded, patients)),
  };
}
