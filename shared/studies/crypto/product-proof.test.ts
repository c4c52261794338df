import { describe, expect, it } from 'vitest';
import { encrypt } from './ciphertext.js';
import {
  multiplyCiphertext,
  PRODUCT_PROOF_BYTES,
  productProofEquations,
  proveProduct,
} from './product-proof.js';
import {
  context,
  decryptToPoint,
  flipBit,
  group,
  holds,
  jointKeyForTests as K,
  testScalars,
} from './test-support.js';

const G = group.generator;

describe('product proof', () => {
  it('proves a square (Y = X) and a stratified value (x a bit, Y the value)', () => {
    const x = encrypt(group, K, 12n, testScalars);
    const square = multiplyCiphertext(group, K, 12n, x.ciphertext, testScalars);
    expect(decryptToPoint(square.z).equals(G.multiply(144n))).toBe(true);
    const statement = { x: x.ciphertext, y: x.ciphertext, z: square.z };
    const proof = proveProduct(group, K, statement, { x: x.opening, t: square.t }, context, testScalars);
    expect(proof.length).toBe(PRODUCT_PROOF_BYTES);
    expect(holds(group, () => productProofEquations(group, K, statement, proof, context))).toBe(true);

    for (const bit of [0n, 1n]) {
      const stratum = encrypt(group, K, bit, testScalars);
      const value = encrypt(group, K, 80n, testScalars);
      const slot = multiplyCiphertext(group, K, bit, value.ciphertext, testScalars);
      expect(decryptToPoint(slot.z).equals(bit === 0n ? group.identity : G.multiply(80n))).toBe(true);
      const s = { x: stratum.ciphertext, y: value.ciphertext, z: slot.z };
      const p = proveProduct(group, K, s, { x: stratum.opening, t: slot.t }, context, testScalars);
      expect(holds(group, () => productProofEquations(group, K, s, p, context))).toBe(true);
    }
  });

  it('refuses a Z that is not x·Y, a changed byte and another context', () => {
    const x = encrypt(group, K, 5n, testScalars);
    const wrong = multiplyCiphertext(group, K, 6n, x.ciphertext, testScalars);
    const statement = { x: x.ciphertext, y: x.ciphertext, z: wrong.z };
    const forged = proveProduct(group, K, statement, { x: x.opening, t: wrong.t }, context, testScalars);
    expect(holds(group, () => productProofEquations(group, K, statement, forged, context))).toBe(false);

    const right = multiplyCiphertext(group, K, 5n, x.ciphertext, testScalars);
    const good = { ...statement, z: right.z };
    const proof = proveProduct(group, K, good, { x: x.opening, t: right.t }, context, testScalars);
    expect(holds(group, () => productProofEquations(group, K, good, proof, context))).toBe(true);
    for (let field = 0; field < 7; field++) {
      expect(
        holds(group, () => productProofEquations(group, K, good, flipBit(proof, 32 * field + 7), context)),
      ).toBe(false);
    }
    expect(holds(group, () => productProofEquations(group, K, good, proof, flipBit(context, 1)))).toBe(false);
    expect(holds(group, () => productProofEquations(group, K, { ...good, y: right.z }, proof, context))).toBe(
      false,
    );
  });
});
