import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { Plaintexts } from '../../../shared/computations/computation.js';
import type { EvaluateRequest } from '../../../shared/wire.js';

/** The worker stands in as a queue of encryptions this test finishes by hand. */
const calls: { plaintexts: Plaintexts; finish: (tag: string) => void; fail: () => void }[] = [];
vi.mock('../../crypto/client.js', () => ({
  encryptForComputation: (_id: string, plaintexts: Plaintexts) =>
    new Promise<EvaluateRequest>((resolve, reject) => {
      calls.push({
        plaintexts,
        finish: (tag) => resolve({ publicKey: { group: 'ristretto255', y: tag }, inputs: {} }),
        fail: () => reject(new Error('storage refused')),
      });
    }),
}));
const { EncryptAhead } = await import('./encrypt-ahead.js');

const A = { weight: 70n };
const B = { weight: 71n };
const C = { weight: 72n };
/** Lets queued promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const tagOf = async (encrypted: Promise<{ request: EvaluateRequest }> | undefined) =>
  (await encrypted)?.request.publicKey.y;

beforeEach(() => {
  calls.length = 0;
});

describe('EncryptAhead', () => {
  test('hands the encryption of exactly the offered values to Compute, once', async () => {
    const ahead = new EncryptAhead();
    ahead.offer('bmi', A);
    ahead.offer('bmi', { ...A });
    await settle();
    expect(calls).toHaveLength(1);
    calls[0]?.finish('a');
    expect(await tagOf(ahead.take('bmi', { ...A }))).toBe('a');
    // Used up: the same values again get no ciphertexts that were already sent.
    expect(ahead.take('bmi', A)).toBeUndefined();
  });

  test('gives nothing for other values or another computation, and drops what it had', async () => {
    const ahead = new EncryptAhead();
    ahead.offer('bmi', A);
    expect(ahead.take('bmi', B)).toBeUndefined();
    expect(ahead.take('bmi', A)).toBeUndefined();
    ahead.offer('bmi', A);
    expect(ahead.take('cockcroft-gault', A)).toBeUndefined();
  });

  test('while one encryption runs, only the newest of the values offered meanwhile is made next', async () => {
    const ahead = new EncryptAhead();
    ahead.offer('bmi', A);
    await settle();
    ahead.offer('bmi', B);
    ahead.offer('bmi', C);
    await settle();
    expect(calls.map((call) => call.plaintexts)).toEqual([A]);
    calls[0]?.finish('a');
    await settle();
    expect(calls.map((call) => call.plaintexts)).toEqual([A, C]);
    const taken = ahead.take('bmi', C);
    calls[1]?.finish('c');
    expect(await tagOf(taken)).toBe('c');
  });

  test('a Compute taken while the encryption still runs waits for it', async () => {
    const ahead = new EncryptAhead();
    ahead.offer('bmi', A);
    const taken = ahead.take('bmi', A);
    await settle();
    calls[0]?.finish('a');
    expect(await tagOf(taken)).toBe('a');
  });

  test('after the keys change, nothing encrypted before is handed out', async () => {
    const ahead = new EncryptAhead();
    ahead.offer('bmi', A);
    ahead.clear();
    expect(ahead.take('bmi', A)).toBeUndefined();
  });

  test('a failed encryption is not reported until Compute takes it', async () => {
    const ahead = new EncryptAhead();
    ahead.offer('bmi', A);
    await settle();
    calls[0]?.fail();
    await settle();
    await expect(ahead.take('bmi', A)).rejects.toThrow('storage refused');
  });
});
