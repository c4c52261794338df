/**
 * The batching verifier: contributions that arrive together are verified together; a bad one in a
 * batch is refused alone, naming its proof, and the others of its batch are accepted.
 */

import { readFileSync } from 'node:fs';
import { base64urlnopad } from '@scure/base';
import { describe, expect, it } from 'vitest';
import type { Group } from '../../shared/groups/group.js';
import { ristretto255Group } from '../../shared/groups/ristretto255.js';
import { ristretto255NativeGroup } from '../../shared/groups/ristretto255-native.js';
import {
  buildContribution,
  type ContributionWire,
  type ParsedContribution,
  parseContribution,
  type StudyStatement,
  studyDigest,
} from '../../shared/studies/contribution.js';
import { parseStudy, studyLayout } from '../../shared/studies/layout.js';
import { ContributionVerifier, VerifierBusyError } from './contribution-verifier.js';

type E = unknown;
const group = (ristretto255NativeGroup ?? ristretto255Group) as Group<E>;
const example = JSON.parse(
  readFileSync(new URL('../../studies/home-blood-pressure.study.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

/** A small study (one boolean, one 3-way choice) under a fresh key: proofs are cheap to make. */
function statementFor(id: string): StudyStatement<E> {
  const jointKey = group.powGenerator(group.randomSecretExponent());
  const { stratifyBy: _, ...rest } = example;
  const file = {
    ...rest,
    id,
    measures: [
      { kind: 'boolean', name: 'smoker', label: 'Smoker', statistics: { proportion: { level: 0.95 } } },
      {
        kind: 'choice',
        name: 'band',
        label: 'Band',
        options: ['low', 'mid', 'high'].map((value) => ({ value, label: value })),
        statistics: { proportion: { level: 0.95 } },
      },
    ],
    jointKey: base64urlnopad.encode(group.toBytes(jointKey)),
  };
  const study = parseStudy(file);
  return { study, layout: studyLayout(study), digest: studyDigest(file), jointKey };
}

const one = statementFor('one-study');
const two = statementFor('two-study');
const token = (i: number) => new TextEncoder().encode(`a token ${i}`);

function contribution(statement: StudyStatement<E>, i: number): ContributionWire {
  return buildContribution(group, statement, { smoker: i % 2 === 0, band: 'mid' }, token(i));
}

function tamper(wire: ContributionWire, proof: number): ContributionWire {
  const bytes = base64urlnopad.decode(wire.proofs[proof] as string);
  bytes[100] = (bytes[100] as number) ^ 1;
  const proofs = wire.proofs.slice();
  proofs[proof] = base64urlnopad.encode(bytes);
  return { ...wire, proofs };
}

describe('ContributionVerifier', () => {
  it('verifies what arrives within its window as one batch, across studies', async () => {
    const verifier = new ContributionVerifier(group, {
      windowMs: 50,
      maxContributions: 100,
      maxWaiting: 100,
    });
    const verdicts = await Promise.all(
      [one, two, one, two, one].map((statement, i) =>
        verifier.verify(statement, parseContribution(group, statement, contribution(statement, i))),
      ),
    );
    expect(verdicts.every((v) => v.valid)).toBe(true);
    expect(verifier.counters).toEqual({ batches: 1, contributions: 5, largestBatch: 5, failedBatches: 0 });
  });

  it('starts a batch as soon as it is full, and bounds its size', async () => {
    const verifier = new ContributionVerifier(group, {
      windowMs: 60_000,
      maxContributions: 3,
      maxWaiting: 100,
    });
    const verdicts = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        verifier.verify(one, parseContribution(group, one, contribution(one, i))),
      ),
    );
    expect(verdicts.every((v) => v.valid)).toBe(true);
    expect(verifier.counters).toMatchObject({ batches: 2, largestBatch: 3 });
  });

  it('refuses only the bad contributions of a failed batch, naming their proofs', async () => {
    const verifier = new ContributionVerifier(group, {
      windowMs: 50,
      maxContributions: 100,
      maxWaiting: 100,
    });
    const wires = Array.from({ length: 6 }, (_, i) => contribution(one, i));
    wires[2] = tamper(wires[2] as ContributionWire, 1);
    // Proofs made for another token: every proof's context differs.
    wires[4] = { ...(wires[4] as ContributionWire), token: base64urlnopad.encode(token(99)) };
    const verdicts = await Promise.all(
      wires.map((wire) => verifier.verify(one, parseContribution(group, one, wire))),
    );
    expect(verdicts.map((v) => v.valid)).toEqual([true, true, false, true, false, true]);
    expect(verdicts[2]?.failures).toEqual([
      {
        name: 'proofs[1] (one-hot of band.option.low, band.option.mid, band.option.high)',
        reason: expect.any(String),
      },
    ]);
    expect(verdicts[4]?.failures.map((f) => f.name)).toEqual([
      'proofs[0] (bit of smoker.true)',
      'proofs[1] (one-hot of band.option.low, band.option.mid, band.option.high)',
    ]);
    expect(verifier.counters).toMatchObject({ batches: 1, failedBatches: 1 });
  });

  it('refuses a malformed proof without holding up the others', async () => {
    const verifier = new ContributionVerifier(group, {
      windowMs: 50,
      maxContributions: 100,
      maxWaiting: 100,
    });
    const good = contribution(one, 0);
    const second = contribution(one, 1);
    const short = { ...second, proofs: [second.proofs[0] as string, 'AAAA'] };
    const verdicts = await Promise.all(
      [good, short].map((wire) => verifier.verify(one, parseContribution(group, one, wire))),
    );
    expect(verdicts[0]?.valid).toBe(true);
    expect(verdicts[1]?.valid).toBe(false);
    expect(verdicts[1]?.failures.map((f) => f.name)).toEqual([
      'proofs[1] (one-hot of band.option.low, band.option.mid, band.option.high)',
    ]);
    // The malformed one was set aside: the batch itself held.
    expect(verifier.counters.failedBatches).toBe(0);
  });

  it('refuses at once beyond maxWaiting, and takes contributions again once the line is down', async () => {
    const verifier = new ContributionVerifier(group, { windowMs: 20, maxContributions: 2, maxWaiting: 2 });
    const [a, b, c] = [0, 1, 2].map((i) => parseContribution(group, one, contribution(one, i))) as [
      ParsedContribution<E>,
      ParsedContribution<E>,
      ParsedContribution<E>,
    ];
    const waiting = [verifier.verify(one, a), verifier.verify(one, b)];
    await expect(verifier.verify(one, c)).rejects.toBeInstanceOf(VerifierBusyError);
    expect((await Promise.all(waiting)).every((v) => v.valid)).toBe(true);
    expect((await verifier.verify(one, c)).valid).toBe(true);
  });

  it('refuses nonsensical options', () => {
    const options = { windowMs: 1, maxContributions: 4, maxWaiting: 8 };
    expect(() => new ContributionVerifier(group, { ...options, windowMs: -1 })).toThrow(/windowMs/);
    expect(() => new ContributionVerifier(group, { ...options, maxContributions: 0 })).toThrow(
      /maxContributions/,
    );
    expect(() => new ContributionVerifier(group, { ...options, maxWaiting: 0 })).toThrow(/maxWaiting/);
  });
});
