import { beforeEach, describe, expect, test } from 'vitest';
import { findComputation } from '../../shared/computations/catalog.js';
import type { Computation, Plaintexts } from '../../shared/computations/computation.js';
import { EncryptAhead, type Encrypted } from './encrypt-ahead.js';

/** The encryptions asked for, as a queue this test finishes by hand. */
const calls: { plaintexts: Plaintexts; finish: (tag: string) => void; fail: () => void }[] = [];
const encrypt = (_computation: Computation, plaintexts: Plaintexts) =>
  new Promise<Encrypted>((resolve, reject) => {
    calls.push({
      plaintexts,
      finish: (tag) =>
        resolve({
          request: { publicKey: { group: 'ffdhe3072', y: tag }, inputs: {} },
          requestBody: tag,
          encryptMs: 1,
        }),
      fail: () => reject(new Error('storage refused')),
    });
  });

const bmi = findComputation('bmi') as Computation;
const cockcroftGault = findComputation('cockcroft-gault') as Computation;
const A = { weight: 70n };
const B = { weight: 71n };
const C = { weight: 72n };
/** Lets queued promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const tagOf = async (encrypted: Promise<Encrypted> | undefined) => (await encrypted)?.request.publicKey.y;

beforeEach(() => {
  calls.length = 0;
});

describe('EncryptAhead', () => {
  test('hands the encryption of exactly the offered values to Compute, once', async () => {
    const ahead = new EncryptAhead(encrypt);
    void ahead.offer(bmi, A);
    void ahead.offer(bmi, { ...A });
    await settle();
    expect(calls).toHaveLength(1);
    calls[0]?.finish('a');
    expect(await tagOf(ahead.take(bmi, { ...A }))).toBe('a');
    // Used up: the same values again get no ciphertexts that were already sent.
    expect(ahead.take(bmi, A)).toBeUndefined();
  });

  test('gives nothing for other values, another computation or another version, and drops what it had', async () => {
    const ahead = new EncryptAhead(encrypt);
    void ahead.offer(bmi, A);
    expect(ahead.take(bmi, B)).toBeUndefined();
    expect(ahead.take(bmi, A)).toBeUndefined();
    void ahead.offer(bmi, A);
    expect(ahead.take(cockcroftGault, A)).toBeUndefined();
    void ahead.offer(bmi, A);
    expect(ahead.take({ ...bmi, version: bmi.version + 1 }, A)).toBeUndefined();
  });

  test('while one encryption runs, only the newest of the values offered meanwhile is made next', async () => {
    const ahead = new EncryptAhead(encrypt);
    void ahead.offer(bmi, A);
    await settle();
    void ahead.offer(bmi, B);
    void ahead.offer(bmi, C);
    await settle();
    expect(calls.map((call) => call.plaintexts)).toEqual([A]);
    calls[0]?.finish('a');
    await settle();
    expect(calls.map((call) => call.plaintexts)).toEqual([A, C]);
    const taken = ahead.take(bmi, C);
    calls[1]?.finish('c');
    expect(await tagOf(taken)).toBe('c');
  });

  test('a Compute taken while the encryption still runs waits for it', async () => {
    const ahead = new EncryptAhead(encrypt);
    void ahead.offer(bmi, A);
    const taken = ahead.take(bmi, A);
    await settle();
    calls[0]?.finish('a');
    expect(await tagOf(taken)).toBe('a');
  });

  test('after the keys change, nothing encrypted before is handed out', async () => {
    const ahead = new EncryptAhead(encrypt);
    void ahead.offer(bmi, A);
    ahead.clear();
    expect(ahead.take(bmi, A)).toBeUndefined();
  });

  test('a failed encryption is not reported until Compute takes it; the offer itself settles', async () => {
    const ahead = new EncryptAhead(encrypt);
    const offered = ahead.offer(bmi, A);
    await settle();
    calls[0]?.fail();
    await expect(offered).resolves.toBeUndefined();
    await expect(ahead.take(bmi, A)).rejects.toThrow('storage refused');
  });
});
