/** Differential: OpenSSL's e^k against the BigInt group's, for any integer k and edge elements. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFfdheGroup } from './ffdhe.js';
import { createOpensslFfdheGroup } from './ffdhe-openssl.js';
import type { FfdheGroupName } from './group.js';

describe.each<FfdheGroupName>(['ffdhe2048', 'ffdhe3072'])('%s on OpenSSL, against BigInt', (name) => {
  const bigint = createFfdheGroup(name);
  const openssl = createOpensslFfdheGroup(name);
  const q = bigint.order;
  const element = fc.bigInt({ min: 1n, max: (1n << 280n) - 1n }).map((k) => bigint.powGenerator(k));
  const exponent = fc.oneof(
    fc.constantFrom(0n, 1n, 2n, q - 1n, q, q + 1n, -1n, -q - 5n),
    fc.bigInt({ min: 0n, max: (1n << 280n) - 1n }),
    fc.bigInt({ min: -bigint.p, max: bigint.p }),
  );

  it('computes the same e^k', () => {
    fc.assert(
      fc.property(element, exponent, (e, k) => {
        expect(openssl.pow(e, k)).toBe(bigint.pow(e, k));
      }),
      { numRuns: 25 },
    );
    expect(openssl.pow(bigint.identity, 12345n)).toBe(bigint.identity);
    expect(openssl.pow(2n, 1n)).toBe(2n);
  });

  it('keeps everything else of the BigInt group', () => {
    expect(openssl.p).toBe(bigint.p);
    expect(openssl.powGenerator(12345n)).toBe(bigint.powGenerator(12345n));
  });
});
