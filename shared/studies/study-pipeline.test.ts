/**
 * A whole study, without the network: a 2-of-3 key ceremony, patients' contributions built and
 * batch-verified, a tampered one named, the tally decrypted by two different pairs of trustees, and
 * the release equal to the statistics of the patients' own answers.
 */

import { readFileSync } from 'node:fs';
import { base64urlnopad } from '@scure/base';
import { beforeAll, describe, expect, it } from 'vitest';
import { ristretto255Group as group } from '../groups/ristretto255.js';
import {
  type buildContribution as Build,
  buildContribution,
  type ContributionWire,
  contributionClaims,
  parseContribution,
  type StudyStatement,
  studyDigest,
} from './contribution.js';
import { partialDecrypt, verifyBatch } from './crypto/index.js';
import { type Answers, parseStudy, plaintextSlots, studyLayout } from './layout.js';
import { releaseStatistics } from './statistics.js';
import { decryptionClaims, decryptTotals, sumSlots, type TrusteeDecryption, tallyContext } from './tally.js';
import { runCeremony } from './test-support.js';

type Point = ReturnType<typeof group.powGenerator>;
const EXAMPLE = JSON.parse(
  readFileSync(new URL('../../studies/home-blood-pressure.study.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
const PATIENTS = 24;

/** A 2-of-3 ceremony (test-support.ts); the example study file with its trustees and joint key. */
function ceremony() {
  const { params, jointKey, trustees } = runCeremony('home-blood-pressure');
  const file = {
    ...EXAMPLE,
    trustees: {
      threshold: 2,
      members: (EXAMPLE.trustees as { members: { name: string }[] }).members.map((m, i) => ({
        name: m.name,
        publicKey: base64urlnopad.encode(group.toBytes(params.trusteeKeys[i] as Point)),
      })),
    },
    jointKey: base64urlnopad.encode(group.toBytes(jointKey)),
  };
  return { file, jointKey, trustees };
}

function randomAnswers(i: number): Answers {
  const pick = <T>(list: readonly T[]) => list[(i * 7 + list.length) % list.length] as T;
  return {
    systolic: 95 + ((i * 37) % 110),
    diastolic: 55 + ((i * 23) % 60),
    controlled: i % 3 === 0,
    ageBand: pick(['under50', 'from50to69', 'from70']),
    missedDoses: ['none', 'one', 'twoOrThree', 'fourOrMore'][i % 4] as string,
  };
}

const token = (i: number) => new TextEncoder().encode(`token ${i}`);

describe('a study end to end', () => {
  let statement: StudyStatement<Point>;
  let trustees: ReturnType<typeof ceremony>['trustees'];
  let answers: Answers[];
  let contributions: ContributionWire[];

  beforeAll(() => {
    const made = ceremony();
    const study = parseStudy(made.file);
    statement = {
      study,
      layout: studyLayout(study),
      digest: studyDigest(made.file),
      jointKey: made.jointKey,
    };
    trustees = made.trustees;
    answers = Array.from({ length: PATIENTS }, (_, i) => randomAnswers(i));
    contributions = answers.map((a, i) =>
      (buildContribution as typeof Build<Point>)(group, statement, a, token(i)),
    );
  });

  it('verifies every honest contribution in one batch, and names a tampered one', () => {
    const claims = contributions.flatMap((c, i) =>
      contributionClaims(group, statement, parseContribution(group, statement, c), `contribution ${i}`),
    );
    expect(verifyBatch(group, claims).valid).toBe(true);

    // A slot of contribution 5 replaced by another patient's: every proof's context changes.
    const swapped = {
      ...contributions[5],
      slots: [contributions[6]?.slots[0], ...(contributions[5]?.slots.slice(1) ?? [])],
    };
    const parsed = parseContribution(group, statement, swapped);
    const result = verifyBatch(group, [
      ...contributionClaims(
        group,
        statement,
        parseContribution(group, statement, contributions[4]),
        'contribution 4',
      ),
      ...contributionClaims(group, statement, parsed, 'contribution 5'),
    ]);
    expect(result.valid).toBe(false);
    expect(result.failures.every((f) => f.name.startsWith('contribution 5'))).toBe(true);
  });

  it('refuses a contribution spent with another token: its proofs are bound to the one it was made for', () => {
    const moved = { ...contributions[0], token: base64urlnopad.encode(token(99)) } as ContributionWire;
    const claims = contributionClaims(group, statement, parseContribution(group, statement, moved), 'moved');
    expect(verifyBatch(group, claims).valid).toBe(false);
  });

  it('refuses answers out of range before encrypting anything', () => {
    expect(() =>
      buildContribution(group, statement, { ...randomAnswers(0), systolic: 400 }, token(0)),
    ).toThrow(/systolic/);
  });

  it('decrypts the same totals with any two trustees, and releases the statistics of the answers', () => {
    const slots = contributions.map((c) => parseContribution(group, statement, c).slots);
    const totals = sumSlots(group, statement.layout.slots.length, slots);
    const context = tallyContext(statement.digest, PATIENTS);
    const decryptionBy = (index: number): TrusteeDecryption<Point> => {
      const trustee = trustees[index - 1];
      if (!trustee) throw new Error(`no trustee ${index}`);
      return { trustee: index, partials: totals.map((t) => partialDecrypt(group, trustee, t, context)) };
    };
    const [one, two, three] = [1, 2, 3].map(decryptionBy) as TrusteeDecryption<Point>[];
    const claims = [one, two, three].flatMap((d) =>
      decryptionClaims(
        group,
        totals,
        d as TrusteeDecryption<Point>,
        trustees[(d?.trustee ?? 1) - 1]?.verificationKey as Point,
        context,
      ),
    );
    expect(verifyBatch(group, claims).valid).toBe(true);

    const expected = answers
      .map((a) => plaintextSlots(statement.study, a))
      .reduce((sum, slots) => sum.map((s, i) => s + (slots[i] as bigint)));
    const byOneAndThree = decryptTotals(
      group,
      statement.study,
      totals,
      [one as TrusteeDecryption<Point>, three as TrusteeDecryption<Point>],
      PATIENTS,
    );
    const byTwoAndThree = decryptTotals(
      group,
      statement.study,
      totals,
      [two as TrusteeDecryption<Point>, three as TrusteeDecryption<Point>],
      PATIENTS,
    );
    expect(byOneAndThree).toEqual(expected);
    expect(byTwoAndThree).toEqual(expected);
    expect(releaseStatistics(statement.study, byOneAndThree, PATIENTS)).toEqual(
      releaseStatistics(statement.study, expected, PATIENTS),
    );
    // One trustee alone cannot decrypt.
    expect(() =>
      decryptTotals(group, statement.study, totals, [one as TrusteeDecryption<Point>], PATIENTS),
    ).toThrow(/needs 2/);
  });
});
