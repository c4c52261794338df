/**
 * Studies (docs/STUDIES.md): the reference contribution — three measures with 12-bit ranges
 * (mean only) and one 4-way choice — built and checked through `shared/studies/contribution.ts`: its
 * record size, proving time, verification one contribution at a time and batched, with noble and (when
 * built) the libsodium addon, and a tally of many contributions decrypted by two trustees of three.
 */

import { readFileSync } from 'node:fs';
import { base64urlnopad } from '@scure/base';
import type { Group } from '../shared/groups/group.js';
import { ristretto255Group } from '../shared/groups/ristretto255.js';
import { ristretto255NativeGroup } from '../shared/groups/ristretto255-native.js';
import {
  buildContribution,
  type ContributionWire,
  contributionClaims,
  parseContribution,
  type StudyStatement,
  studyDigest,
} from '../shared/studies/contribution.js';
import { partialDecrypt, verifyBatch } from '../shared/studies/crypto/index.js';
import { parseStudy, studyLayout } from '../shared/studies/layout.js';
import { decryptTotals, sumSlots, tallyContext } from '../shared/studies/tally.js';

/** The example study's trustees and issuer, with the reference measures and a joint key the bench holds. */
function referenceStudy<E>(group: Group<E>, secret: bigint): { statement: StudyStatement<E>; file: object } {
  const example = JSON.parse(
    readFileSync(new URL('../studies/home-blood-pressure.study.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  const number = (name: string) => ({
    kind: 'number',
    name,
    label: name,
    unit: 'unit',
    min: 0,
    max: 409.5,
    precision: 1,
    statistics: { count: true, mean: true },
  });
  const file = {
    ...example,
    id: 'bench-reference',
    measures: [
      number('first'),
      number('second'),
      number('third'),
      {
        kind: 'choice',
        name: 'answer',
        label: 'answer',
        options: ['a', 'b', 'c', 'd'].map((value) => ({ value, label: value })),
        statistics: { count: true, proportion: { level: 0.95 } },
      },
    ],
    stratifyBy: undefined,
    jointKey: base64urlnopad.encode(group.toBytes(group.powGenerator(secret))),
  };
  const study = parseStudy(JSON.parse(JSON.stringify(file)));
  return {
    file,
    statement: {
      study,
      layout: studyLayout(study),
      digest: studyDigest(JSON.parse(JSON.stringify(file))),
      jointKey: group.powGenerator(secret),
    },
  };
}

const answersOf = (n: number) => ({
  first: ((n * 37) % 4096) / 10,
  second: ((n * 101) % 4096) / 10,
  third: ((n * 7) % 4096) / 10,
  answer: ['a', 'b', 'c', 'd'][n % 4] as string,
});
const tokenOf = (n: number) => new TextEncoder().encode(`bench token ${n}`.padEnd(48, '.'));

export interface StudiesBackendResult {
  readonly backend: string;
  readonly proveMs: number;
  readonly verifyOneMs: number;
  readonly verifyBatchedMs: number;
  readonly batch: number;
}

export interface StudiesResult {
  readonly recordBytes: number;
  readonly recordBase64urlChars: number;
  readonly backends: readonly StudiesBackendResult[];
  readonly tally: { readonly contributions: number; readonly sumMs: number; readonly decryptMs: number };
}

function timeBackend<E>(
  backend: string,
  group: Group<E>,
  proving: number,
  batch: number,
): StudiesBackendResult {
  const { statement } = referenceStudy(group, 0x5eed_5eedn);
  let start = performance.now();
  const made = Array.from({ length: proving }, (_, n) =>
    buildContribution(group, statement, answersOf(n), tokenOf(n)),
  );
  const proveMs = (performance.now() - start) / proving;
  const wires = Array.from({ length: batch }, (_, n) => made[n % proving] as ContributionWire);
  const claimsOf = (wire: ContributionWire, n: number) =>
    contributionClaims(group, statement, parseContribution(group, statement, wire), `contribution ${n}`);
  start = performance.now();
  for (const [n, wire] of wires.entries()) {
    if (!verifyBatch(group, claimsOf(wire, n)).valid) throw new Error('An honest contribution failed.');
  }
  const verifyOneMs = (performance.now() - start) / batch;
  start = performance.now();
  if (!verifyBatch(group, wires.flatMap(claimsOf)).valid) throw new Error('An honest batch failed.');
  const verifyBatchedMs = (performance.now() - start) / batch;
  return { backend, proveMs, verifyOneMs, verifyBatchedMs, batch };
}

/** Sums `contributions` (copies of a few made ones: the sum costs the same) and decrypts with trustees 1 and 3. */
function timeTally(contributions: number): StudiesResult['tally'] {
  const group = ristretto255Group;
  const secret = 0x7a11_7a11n;
  const { statement } = referenceStudy(group, secret);
  const made = Array.from(
    { length: 8 },
    (_, n) =>
      parseContribution(group, statement, buildContribution(group, statement, answersOf(n), tokenOf(n)))
        .slots,
  );
  let start = performance.now();
  const totals = sumSlots(
    group,
    statement.layout.slots.length,
    Array.from({ length: contributions }, (_, n) => made[n % made.length] as (typeof made)[number]),
  );
  const sumMs = performance.now() - start;
  // A dealer's 2-of-3 sharing of the key (the ceremony's outcome, without the ceremony): s(i) = secret + a·i.
  const a = group.randomSecretExponent();
  const trustees = [1, 2, 3].map((index) => {
    const secretShare = (secret + a * BigInt(index)) % group.order;
    return { index, secretShare, verificationKey: group.powGenerator(secretShare) };
  });
  const context = tallyContext(statement.digest, contributions);
  start = performance.now();
  const decryptions = [trustees[0], trustees[2]].map((t) => {
    if (!t) throw new Error('No such trustee.');
    return { trustee: t.index, partials: totals.map((total) => partialDecrypt(group, t, total, context)) };
  });
  decryptTotals(group, statement.study, totals, decryptions, contributions);
  const decryptMs = performance.now() - start;
  return { contributions, sumMs, decryptMs };
}

export function benchStudies(quick: boolean): StudiesResult {
  const sample = buildContribution(
    ristretto255Group,
    referenceStudy(ristretto255Group, 3n).statement,
    answersOf(1),
    tokenOf(1),
  );
  const recordBytes =
    sample.slots.reduce((sum, s) => sum + base64urlnopad.decode(s).length, 0) +
    sample.proofs.reduce((sum, p) => sum + base64urlnopad.decode(p).length, 0);
  const backends = [timeBackend('noble', ristretto255Group, quick ? 2 : 5, quick ? 4 : 20)];
  if (ristretto255NativeGroup)
    backends.push(timeBackend('libsodium addon', ristretto255NativeGroup, quick ? 4 : 20, quick ? 20 : 200));
  return {
    recordBytes,
    recordBase64urlChars: JSON.stringify(sample).length,
    backends,
    tally: timeTally(quick ? 1_000 : 10_000),
  };
}
