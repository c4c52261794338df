/** Key blinding: y′ = g^x′ for every δ, answers to y′ verify and decrypt with x′, and keys are unrelated. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateAndProve } from '../server/evaluation.js';
import { encryptInputs, generateGroupKeyPair, verifyAndDecryptOutputs } from './client.js';
import { bmi } from './computations/bmi.js';
import { cha2ds2Vasc } from './computations/cha2ds2-vasc.js';
import { serve } from './computations/test-support.js';
import { ffdheGroup } from './groups/index.js';
import { ristretto255SodiumGroup } from './groups/ristretto255-sodium.js';
import { blindKeyPair, blindPublicKey, deltaFromHex } from './key-blinding.js';
import { withScheme } from './scheme.js';
import { publicKeyFromWire, publicKeyToWire } from './wire.js';

const sodium = { ristretto255: ristretto255SodiumGroup };

describe.each(['ffdhe3072', 'ristretto255'] as const)('%s', (groupName) => {
  const base = generateGroupKeyPair(groupName);

  it('y′ = g^(x + δ) for every fresh δ, and δ round-trips through its hex', () => {
    fc.assert(
      fc.property(fc.integer(), () => {
        const { publicKey, blinding } = blindPublicKey(base, sodium);
        expect(blinding.base).toEqual(base.publicKey);
        const pair = blindKeyPair(base, deltaFromHex(groupName, blinding.delta), sodium);
        expect(pair.publicKey).toEqual(publicKey);
        // Computed independently: g^x · g^δ with the reference group, no tables.
        const expected = withScheme(groupName, ({ group }) =>
          publicKeyToWire(
            group,
            group.multiply(
              group.powGenerator(base.privateKey),
              group.powGenerator(BigInt(`0x${blinding.delta}`)),
            ),
          ),
        );
        expect(publicKey).toEqual(expected);
      }),
      { numRuns: 8 },
    );
  });

  it('two blindings of one key are different keys, neither the stored one', () => {
    const keys = new Set(Array.from({ length: 16 }, () => blindPublicKey(base, sodium).publicKey.y));
    expect(keys.size).toBe(16);
    expect(keys.has(base.publicKey.y)).toBe(false);
  });

  it('a wrong δ gives a pair whose public key is not the request’s', () => {
    const { publicKey, blinding } = blindPublicKey(base, sodium);
    const wrong = blindKeyPair(base, deltaFromHex(groupName, blinding.delta) + 1n, sodium);
    expect(wrong.publicKey).not.toEqual(publicKey);
  });
});

describe('answers to a blinded key', () => {
  it.each([
    ['bmi', bmi, { weight: 837n, height: 1764n }, { numerator: 837n * 100_000n, denominator: 1764n * 1764n }],
    [
      'cha2ds2-vasc',
      cha2ds2Vasc,
      Object.fromEntries(
        cha2ds2Vasc.inputs.map((input) => [input.name, input.name === 'age75plus' ? 1n : 0n]),
      ),
      undefined,
    ],
  ] as const)(
    '%s: verify and decrypt with x′ (the fixed-base shortcut gives the same ciphertexts’ plaintexts)',
    (_, computation, plaintexts, expected) => {
      const base = generateGroupKeyPair(computation.group);
      const backends = computation.group === 'ristretto255' ? sodium : {};
      // The stored key's table, as the worker's prepare step builds it, so y′ takes the derived path.
      withScheme(
        computation.group,
        ({ group }) => group.prepareBase?.(publicKeyFromWire(group, base.publicKey)),
        backends,
      );
      fc.assert(
        fc.property(fc.integer(), () => {
          const { publicKey, blinding } = blindPublicKey(base, backends);
          const request = JSON.parse(
            JSON.stringify(
              encryptInputs(computation, { group: computation.group, publicKey }, plaintexts, backends),
            ),
          );
          expect(request.publicKey).toEqual(publicKey);
          const response = JSON.parse(JSON.stringify(evaluateAndProve(serve(computation), request)));
          const pair = blindKeyPair(base, deltaFromHex(computation.group, blinding.delta), backends);
          const outputs = verifyAndDecryptOutputs(computation, pair, request, response, backends);
          if (expected) expect(outputs).toEqual(expected);
          else expect(outputs).toEqual({ score: 2n });
          // The stored key does not open it: x alone is not the key the answer is for.
          expect(() => verifyAndDecryptOutputs(computation, base, request, response, backends)).toThrow();
        }),
        { numRuns: 3 },
      );
    },
  );
});

describe('ffdhe derived bases', () => {
  it('pow(y′, k) through the tables equals plain exponentiation, for secret and long exponents', () => {
    const group = ffdheGroup('ffdhe3072');
    const base = generateGroupKeyPair('ffdhe3072');
    const y = publicKeyFromWire(group, base.publicKey);
    group.prepareBase?.(y, 665);
    const { publicKey } = blindPublicKey(base);
    const blinded = publicKeyFromWire(group, publicKey);
    const p = group.p;
    const plain = (e: bigint, k: bigint) => {
      let result = 1n;
      let b = e % p;
      let rest = k % group.order;
      while (rest > 0n) {
        if (rest & 1n) result = (result * b) % p;
        b = (b * b) % p;
        rest >>= 1n;
      }
      return result;
    };
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: (1n << 280n) - 1n }),
        fc.bigInt({ min: 1n, max: (1n << 665n) - 1n }),
        (short, long) => {
          expect(group.pow(blinded, short)).toBe(plain(blinded, short));
          expect(group.pow(blinded, long)).toBe(plain(blinded, long));
          expect(group.pow(blinded, group.order + short)).toBe(plain(blinded, short));
        },
      ),
      { numRuns: 6 },
    );
  });
});
