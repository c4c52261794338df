import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encryptElement, generateKeyPair } from './elgamal.js';
import type { ProblemCode } from './errors.js';
import type { Group } from './groups/group.js';
import { ffdheGroup, ristretto255Group } from './groups/index.js';
import {
  base64UrlToBytes,
  bytesToBase64Url,
  ciphertextFromWire,
  ciphertextToWire,
  elementFromWire,
  elementToWire,
  publicKeyFromWire,
  publicKeyToWire,
} from './wire.js';
import { CiphertextSchema, EvaluateRequestSchema, PublicKeySchema } from './wire-schemas.js';

/** What a `ProtocolError` with this problem code looks like to `toThrow`. */
const protocolError = (code: ProblemCode) => expect.objectContaining({ name: 'ProtocolError', code });

describe('base64url', () => {
  it('encodes like RFC 4648 §5 without padding and decodes back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const text = bytesToBase64Url(bytes);
        // Node's encoder is an independent implementation of the same alphabet, unpadded.
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(base64UrlToBytes(text, 'x')).toEqual(bytes);
      }),
    );
  });

  it.each([
    ['padding', 'AA=='],
    ['a lone pad', 'AAA='],
    ["'+' from the standard alphabet", '+/8'],
    ["'/' from the standard alphabet", 'ab/c'],
    ['a space inside', 'AA AA'],
    ['leading whitespace', ' AAAA'],
    ['a trailing newline', 'AAAA\n'],
    ['non-zero trailing bits (1 byte)', 'AB'],
    ['non-zero trailing bits (2 bytes)', 'AAB'],
    ['an impossible length of 1 mod 4', 'AAAAA'],
    ['a single character', 'A'],
  ])('rejects %s as invalid-encoding', (_, text) => {
    expect(() => base64UrlToBytes(text, 'inputs.weight.a')).toThrow(protocolError('invalid-encoding'));
  });

  it('rejects any character outside the alphabet', () => {
    const outside = fc.string({ minLength: 1, maxLength: 1 }).filter((c) => !/^[A-Za-z0-9_-]$/.test(c));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 3, maxLength: 30 }), outside, fc.nat(), (bytes, bad, at) => {
        const text = bytesToBase64Url(bytes);
        const position = at % (text.length + 1);
        const corrupted = text.slice(0, position) + bad + text.slice(position);
        expect(() => base64UrlToBytes(corrupted, 'x')).toThrow(protocolError('invalid-encoding'));
      }),
    );
  });

  it('names the place in the body, not the text, in its error', () => {
    expect(() => base64UrlToBytes('AA==', 'inputs.weight.a')).toThrow(
      expect.objectContaining({ message: expect.stringContaining('inputs.weight.a') }),
    );
    expect(() => base64UrlToBytes('secretAA==', 'x')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret') }),
    );
  });
});

function describeWireCodec<E>(group: Group<E>, numRuns: number): void {
  describe(group.name, () => {
    const element = fc.bigInt({ min: 1n, max: 2n ** 64n }).map((k) => group.powGenerator(k));
    const identityWire = elementToWire(group, group.identity);

    it('round-trips elements at the fixed length', () => {
      fc.assert(
        fc.property(element, (e) => {
          const text = elementToWire(group, e);
          expect(base64UrlToBytes(text, 'x')).toHaveLength(group.elementBytes);
          expect(group.equals(elementFromWire(group, text, 'x'), e)).toBe(true);
        }),
        { numRuns },
      );
    });

    it('round-trips public keys and ciphertexts, which fit the schemas', () => {
      const { y } = generateKeyPair(group);
      const publicKey = publicKeyToWire(group, y);
      expect(publicKey.group).toBe(group.name);
      expect(Value.Check(PublicKeySchema, publicKey)).toBe(true);
      expect(group.equals(publicKeyFromWire(group, publicKey), y)).toBe(true);

      const ciphertext = encryptElement(group, y, group.powGenerator(5n));
      const wire = ciphertextToWire(group, ciphertext);
      expect(Value.Check(CiphertextSchema, wire)).toBe(true);
      expect(Value.Check(EvaluateRequestSchema, { publicKey, inputs: { weight: wire } })).toBe(true);
      const decoded = ciphertextFromWire(group, wire, 'inputs.weight');
      expect(group.equals(decoded.a, ciphertext.a)).toBe(true);
      expect(group.equals(decoded.b, ciphertext.b)).toBe(true);
    });

    it('rejects the identity as a public key and as a, but not as b', () => {
      const other = elementToWire(group, group.powGenerator(7n));
      expect(() => publicKeyFromWire(group, { group: group.name, y: identityWire })).toThrow(
        protocolError('invalid-element'),
      );
      expect(() => ciphertextFromWire(group, { a: identityWire, b: other }, 'c')).toThrow(
        protocolError('invalid-element'),
      );
      // An ffdhe encoding of 1 is no valid element at all; a ristretto255 b may be the identity (E(0)).
      if (group.name === 'ristretto255') {
        const c = ciphertextFromWire(group, { a: other, b: identityWire }, 'c');
        expect(group.equals(c.b, group.identity)).toBe(true);
      } else {
        expect(() => ciphertextFromWire(group, { a: other, b: identityWire }, 'c')).toThrow(
          protocolError('invalid-element'),
        );
      }
    });

    it('rejects a wrong-length element as invalid-encoding, naming where it is', () => {
      const short = bytesToBase64Url(new Uint8Array(group.elementBytes - 1));
      expect(() => elementFromWire(group, short, 'inputs.height.b')).toThrow(
        expect.objectContaining({
          name: 'ProtocolError',
          code: 'invalid-encoding',
          message: expect.stringContaining('inputs.height.b'),
        }),
      );
    });

    it('rejects a public key for another group as group-mismatch', () => {
      const otherGroup = group.name === 'ristretto255' ? 'ffdhe3072' : 'ristretto255';
      const y = elementToWire(group, group.powGenerator(3n));
      expect(() => publicKeyFromWire(group, { group: otherGroup, y })).toThrow(
        protocolError('group-mismatch'),
      );
    });
  });
}

describeWireCodec(ristretto255Group, 30);
describeWireCodec(ffdheGroup('ffdhe2048'), 10);
describeWireCodec(ffdheGroup('ffdhe3072'), 5);
describeWireCodec(ffdheGroup('ffdhe4096'), 3);

describe('schemas', () => {
  it('refuse extra properties and non-string elements', () => {
    expect(Value.Check(CiphertextSchema, { a: 'AA', b: 'AA', c: 'AA' })).toBe(false);
    expect(Value.Check(CiphertextSchema, { a: 'AA', b: 5 })).toBe(false);
    expect(Value.Check(PublicKeySchema, { group: 'ffdhe1024', y: 'AA' })).toBe(false);
  });

  it('cap an element at the length of the largest group', () => {
    const largest = bytesToBase64Url(new Uint8Array(ffdheGroup('ffdhe4096').elementBytes));
    expect(Value.Check(CiphertextSchema, { a: largest, b: largest })).toBe(true);
    expect(Value.Check(CiphertextSchema, { a: `${largest}AAAA`, b: largest })).toBe(false);
  });
});
