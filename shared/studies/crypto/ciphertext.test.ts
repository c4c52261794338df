import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../errors.js';
import {
  ciphertextFromBytes,
  ciphertextFromWire,
  ciphertextToBytes,
  ciphertextToWire,
  combineCiphertexts,
  combineOpenings,
  encrypt,
  encryptWith,
  subtractPlaintext,
  sumCiphertexts,
} from './ciphertext.js';
import { bytesFromWire, bytesToWire } from './codec.js';
import { decryptToPoint, group, jointKeyForTests as K, testScalars } from './test-support.js';

const G = group.generator;

describe('study ciphertexts', () => {
  it('encrypt m·G under the joint key, and add and scale homomorphically', () => {
    const x = encrypt(group, K, 7n, testScalars);
    const y = encrypt(group, K, 35n, testScalars);
    expect(decryptToPoint(x.ciphertext).equals(G.multiply(7n))).toBe(true);
    expect(decryptToPoint(sumCiphertexts(group, [x.ciphertext, y.ciphertext])).equals(G.multiply(42n))).toBe(
      true,
    );
    const combined = combineCiphertexts(group, [
      [x.ciphertext, 3n],
      [y.ciphertext, -1n],
    ]);
    expect(decryptToPoint(combined).equals(G.multiply(14n).negate())).toBe(true);
    const opening = combineOpenings([
      [x.opening, 3n],
      [y.opening, -1n],
    ]);
    expect(opening.value).toBe(-14n);
    const reencrypted = encryptWith(group, K, opening);
    expect(reencrypted.a.equals(combined.a) && reencrypted.b.equals(combined.b)).toBe(true);
    expect(decryptToPoint(subtractPlaintext(group, x.ciphertext, 5n)).equals(G.multiply(2n))).toBe(true);
  });

  it('round-trip through bytes and the wire form', () => {
    const { ciphertext } = encrypt(group, K, 1n, testScalars);
    const bytes = ciphertextToBytes(group, ciphertext);
    expect(bytes.length).toBe(64);
    const wire = ciphertextToWire(group, ciphertext);
    expect(wire).toMatch(/^[A-Za-z0-9_-]{86}$/);
    const back = ciphertextFromWire(group, wire, 'ciphertext');
    expect(ciphertextToBytes(group, back)).toEqual(bytes);
    expect(ciphertextToBytes(group, ciphertextFromBytes(group, bytes, 'c'))).toEqual(bytes);
  });

  it('refuse a wrong length, a non-canonical element and an identity A, naming the element', () => {
    const bytes = ciphertextToBytes(group, encrypt(group, K, 1n, testScalars).ciphertext);
    expect(() => ciphertextFromBytes(group, bytes.slice(1), 'measure 2')).toThrow(
      /measure 2 must be 64 bytes/,
    );
    const nonCanonicalB = Uint8Array.from(bytes);
    nonCanonicalB.fill(0xff, 32);
    expect(() => ciphertextFromBytes(group, nonCanonicalB, 'measure 2')).toThrow(
      /measure 2: B is not a canonical/,
    );
    const identityA = Uint8Array.from(bytes);
    identityA.fill(0, 0, 32);
    expect(() => ciphertextFromBytes(group, identityA, 'measure 2')).toThrow(
      /measure 2: A must not be the identity/,
    );
    const identityB = Uint8Array.from(bytes);
    identityB.fill(0, 32);
    expect(() => ciphertextFromBytes(group, identityB, 'total')).not.toThrow();
    expect(() => ciphertextFromBytes(group, identityA, 'x')).toThrow(ProtocolError);
  });

  it('parse the wire form strictly: padding, other alphabets and non-canonical spellings are refused', () => {
    const wire = bytesToWire(new Uint8Array([1, 2, 3, 4]));
    expect(bytesFromWire(wire, 'w')).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(() => bytesFromWire(`${wire}==`, 'w')).toThrow(/w is not unpadded base64url/);
    expect(() => bytesFromWire('AQ+D', 'w')).toThrow(/base64url/);
    // "AQID" decodes to 01 02 03; "AQIF" would carry nonzero unused bits if it were 2 bytes: "AQI" vs "AQJ".
    expect(() => bytesFromWire('AQJ', 'w')).toThrow(/w is not/);
    expect(() => bytesFromWire(42, 'w')).toThrow(/w must be a string/);
    expect(() => bytesFromWire(wire, 'w', 5)).toThrow(/w must be 5 bytes, not 4/);
  });
});
