import { describe, expect, it } from 'vitest';
import {
  CeremonyError,
  type CeremonyParameters,
  type CommitmentMessage,
  checkCeremonyRecord,
  commitmentMessageFromWire,
  commitmentMessageToWire,
  encryptShares,
  receiveShares,
  type ShareMessage,
  shareBinding,
  shareMessageFromWire,
  shareMessageToWire,
  startCeremony,
  verificationMessageFromWire,
} from './ceremony.js';
import { deterministicScalars } from './deterministic-scalars.js';
import { encryptShare } from './share-encryption.js';
import { flipBit, group, type Point } from './test-support.js';

function trustees(n: number, k: number, seed: string) {
  const scalars = deterministicScalars(seed);
  const secretKeys = Array.from({ length: n }, () => scalars.scalar());
  const params: CeremonyParameters<Point> = {
    studyId: 'study:hypertension-2027',
    threshold: k,
    trusteeKeys: secretKeys.map((x) => group.powGenerator(x)),
  };
  const started = secretKeys.map((_, i) => startCeremony(group, params, i + 1, scalars));
  const commitments = started.map((s) => s.message);
  const shares = started.flatMap((s, i) => encryptShares(group, params, i + 1, s.polynomial, scalars));
  return { params, secretKeys, started, commitments, shares, scalars };
}

type Run = ReturnType<typeof trustees>;

function round3(run: Run, commitments: readonly CommitmentMessage<Point>[], shares: readonly ShareMessage[]) {
  return run.secretKeys.map((secretKey, i) =>
    receiveShares(
      group,
      run.params,
      { index: i + 1, secretKey, polynomial: run.started[i]?.polynomial ?? [] },
      commitments,
      shares,
    ),
  );
}

describe('key ceremony', () => {
  it('makes a 3-of-5 joint key whose shares match the verification keys anyone computes', () => {
    const run = trustees(5, 3, 'honest');
    const results = round3(run, run.commitments, run.shares);
    expect(results.every((r) => r.message.complaints.length === 0)).toBe(true);
    const record = {
      commitments: run.commitments,
      shares: run.shares,
      verifications: results.map((r) => r.message),
    };
    const { jointKey, verificationKeys } = checkCeremonyRecord(group, run.params, record);
    const secret = run.started.reduce((sum, s) => (sum + (s.polynomial[0] as bigint)) % group.order, 0n);
    expect(jointKey.equals(group.powGenerator(secret))).toBe(true);
    results.forEach((r, i) => {
      expect(group.powGenerator(r.secretShare as bigint).equals(verificationKeys[i] as Point)).toBe(true);
    });
    // Any 3 secret shares interpolate the joint secret (threshold.test.ts decrypts with them).
    const [s1, s3, s5] = [0, 2, 4].map((i) => results[i]?.secretShare as bigint);
    const inv = (a: bigint) => {
      let r = 1n,
        b = ((a % group.order) + group.order) % group.order,
        e = group.order - 2n;
      for (; e > 0n; e >>= 1n, b = (b * b) % group.order) if (e & 1n) r = (r * b) % group.order;
      return r;
    };
    const w1 = (3n * 5n * inv(2n * 4n)) % group.order;
    const w3 = (1n * 5n * inv(-2n * 2n)) % group.order;
    const w5 = (1n * 3n * inv(-4n * -2n)) % group.order;
    expect(
      (((w1 * (s1 as bigint) + w3 * (s3 as bigint) + w5 * (s5 as bigint)) % group.order) + group.order) %
        group.order,
    ).toBe(secret);
  });

  it('names the trustee who sent a share that does not match its commitments, or does not decrypt', () => {
    const run = trustees(3, 2, 'bad-share');
    const wrongValue = encryptShare(
      group,
      run.params.trusteeKeys[2] as Point,
      12345n,
      shareBinding(group, run.params, 2, 3),
      run.scalars,
    );
    const shares = run.shares.map((s) =>
      s.from === 2 && s.to === 3
        ? { ...s, encrypted: wrongValue }
        : s.from === 1 && s.to === 2
          ? { ...s, encrypted: flipBit(s.encrypted, 40) }
          : s,
    );
    const results = round3(run, run.commitments, shares);
    expect(results[2]?.message.complaints).toEqual([
      { against: 2, reason: 'its share does not match its commitments' },
    ]);
    expect(results[1]?.message.complaints).toEqual([
      { against: 1, reason: 'its encrypted share does not decrypt: its MAC does not verify' },
    ]);
    expect(results[2]?.secretShare).toBeUndefined();
    expect(results[0]?.secretShare).toBeDefined();
    const record = { commitments: run.commitments, shares, verifications: results.map((r) => r.message) };
    expect(() => checkCeremonyRecord(group, run.params, record)).toThrow(CeremonyError);
    try {
      checkCeremonyRecord(group, run.params, record);
    } catch (error) {
      expect((error as CeremonyError).trustees).toEqual([1, 2]);
      expect((error as Error).message).toMatch(/trustee 2 trustee 3 complains: its share does not match/);
    }
  });

  it('names the trustee whose proof of knowledge fails, and one whose share was meant for another', () => {
    const run = trustees(3, 2, 'bad-proof');
    const forged = {
      ...run.commitments[1],
      proofs: [run.commitments[1]?.proofs[1], run.commitments[1]?.proofs[0]],
    } as CommitmentMessage<Point>;
    const commitments = [run.commitments[0], forged, run.commitments[2]] as CommitmentMessage<Point>[];
    const results = round3(run, commitments, run.shares);
    expect(results[0]?.message.complaints.map((c) => c.against)).toEqual([2]);
    const record = { commitments, shares: run.shares, verifications: results.map((r) => r.message) };
    expect(() => checkCeremonyRecord(group, run.params, record)).toThrow(
      /trustee 2 round 1: its proof of knowledge of coefficient 0 does not verify/,
    );

    // Trustee 1's share for 3, relabelled as for 2: bound to its recipient, it does not decrypt.
    const misdirected = run.shares.map((s) =>
      s.from === 1 && s.to === 2
        ? { ...s, encrypted: (run.shares.find((t) => t.from === 1 && t.to === 3) as ShareMessage).encrypted }
        : s,
    );
    expect(round3(run, run.commitments, misdirected)[1]?.message.complaints[0]?.against).toBe(1);
  });

  it('refuses an incomplete record and round-trips its messages through the wire form', () => {
    const run = trustees(3, 2, 'wire');
    const results = round3(run, run.commitments, run.shares);
    const verifications = results.map((r) => r.message);
    expect(() =>
      checkCeremonyRecord(group, run.params, {
        commitments: run.commitments,
        shares: run.shares.slice(1),
        verifications,
      }),
    ).toThrow(/trustee 1 sent 0 shares to trustee 2/);
    const wire = JSON.parse(
      JSON.stringify({
        commitments: run.commitments.map((m) => commitmentMessageToWire(group, m)),
        shares: run.shares.map(shareMessageToWire),
        verifications,
      }),
    );
    const record = {
      commitments: wire.commitments.map((m: unknown) => commitmentMessageFromWire(group, m)),
      shares: wire.shares.map(shareMessageFromWire),
      verifications: wire.verifications.map(verificationMessageFromWire),
    };
    expect(
      checkCeremonyRecord(group, run.params, record).jointKey.equals(
        checkCeremonyRecord(group, run.params, {
          commitments: run.commitments,
          shares: run.shares,
          verifications,
        }).jointKey,
      ),
    ).toBe(true);
    const bad = { ...wire.commitments[0], commitments: [wire.commitments[0].commitments[0], 'AAAA'] };
    expect(() => commitmentMessageFromWire(group, bad)).toThrow(
      /trustee 1's commitment message: K1 must be 32 bytes/,
    );
    expect(() => shareMessageFromWire({ ...wire.shares[0], extra: 1 })).toThrow(
      /exactly: from, to, encrypted/,
    );
  });
});

describe('ceremony parameters', () => {
  it('refuse a threshold outside [1, n] and two trustees with one key', () => {
    const key = group.powGenerator(7n);
    const other = group.powGenerator(8n);
    const params = (threshold: number, trusteeKeys: Point[]) => ({ studyId: 's', threshold, trusteeKeys });
    expect(() => startCeremony(group, params(3, [key, other]), 1)).toThrow(
      /threshold must be an integer in \[1, 2\]/,
    );
    expect(() => startCeremony(group, params(0, [key, other]), 1)).toThrow(/threshold/);
    expect(() => startCeremony(group, params(1, [key, other, key]), 1)).toThrow(
      /Trustees 1 and 3 have the same public key/,
    );
    expect(() => startCeremony(group, params(1, [key, other]), 3)).toThrow(/index is in \[1, 2\]/);
  });
});
