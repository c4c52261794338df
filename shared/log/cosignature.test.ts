import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cosign, cosignedMessage, verifyCosignature } from './cosignature.js';
import {
  COSIGNATURE_V1_KEY_TYPE,
  ED25519_KEY_TYPE,
  formatNote,
  generateSignerKey,
  NoteError,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
} from './note.js';

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const timestampOf = (signature: Uint8Array) =>
  Number(new DataView(signature.buffer, signature.byteOffset, 8).getBigUint64(0));

// C2SP/C2SP@5ba5ee83 tlog-cosignature.md: the example checkpoint with a cosignature, and the example
// signed message. The spec gives no witness key, so the example signature itself cannot be verified.
const SOFA = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SOFA_NOTE = `${SOFA}
— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==
`;

describe('the C2SP tlog-cosignature examples (C2SP/C2SP tlog-cosignature.md)', () => {
  it('signs exactly the example message: header line, time line, then the checkpoint text', () => {
    expect(decode(cosignedMessage(SOFA, 1679315147))).toBe(
      'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    );
  });

  it('lays out the example cosignature as key ID, 8-byte big-endian time, 64-byte signature', () => {
    const cosignature = parseNote(SOFA_NOTE).signatures[1];
    expect(cosignature?.name).toBe('witness.example.com/w1');
    expect(cosignature?.signature).toHaveLength(72);
    expect(timestampOf(cosignature?.signature as Uint8Array)).toBe(1679315147);
  });
});

// transparency-dev/formats@0b850f1a note/note_cosigv1_test.go, TestCoSigV1Timestamp ("works").
it('reads the time of the transparency-dev/formats cosignature vector (note/note_cosigv1_test.go)', () => {
  const note = parseNote(
    'x\n\n— w ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==\n',
  );
  expect(timestampOf(note.signatures[0]?.signature as Uint8Array)).toBe(1727964367);
});

// Ed25519 in loops: a timeout for a loaded machine, not the 5 s default.
describe('cosign and verifyCosignature', { timeout: 60_000 }, () => {
  const witness = parseSignerKey(generateSignerKey('witness.example/w1', COSIGNATURE_V1_KEY_TYPE).signerKey);
  const verifier = parseVerifierKey(witness.text);

  it('round-trips through a note and reports the time', () => {
    const cosignature = cosign(SOFA, 1_700_000_000, witness);
    expect(timestampOf(cosignature.signature)).toBe(1_700_000_000);
    const [line] = parseNote(formatNote({ text: SOFA, signatures: [cosignature] })).signatures;
    expect(verifyCosignature(SOFA, line as never, verifier)).toEqual({
      valid: true,
      timestamp: 1_700_000_000,
    });
  });

  it('fails on another text, another time, another key, or a note key', () => {
    const cosignature = cosign(SOFA, 1_700_000_000, witness);
    expect(verifyCosignature(SOFA.replace('20852163', '20852164'), cosignature, verifier).valid).toBe(false);
    const later = cosignature.signature.slice();
    new DataView(later.buffer).setBigUint64(0, 1_700_000_001n);
    expect(verifyCosignature(SOFA, { ...cosignature, signature: later }, verifier)).toEqual({
      valid: false,
      timestamp: 0,
    });
    const other = parseSignerKey(generateSignerKey('witness.example/w1', COSIGNATURE_V1_KEY_TYPE).signerKey);
    expect(verifyCosignature(SOFA, cosignature, other).valid).toBe(false);
    // The same key material as a type 0x01 key: a cosignature is not a note signature.
    expect(verifyCosignature(SOFA, cosignature, { ...verifier, type: ED25519_KEY_TYPE }).valid).toBe(false);
  });

  it('cosigns only with a type 0x04 key and a safe non-negative integer time', () => {
    const noteKey = parseSignerKey(generateSignerKey('log').signerKey);
    expect(() => cosign(SOFA, 1, noteKey)).toThrow(NoteError);
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53])
      expect(() => cosign(SOFA, bad, witness)).toThrow(NoteError);
    expect(decode(cosignedMessage(SOFA, 0)).split('\n')[1]).toBe('time 0');
  });

  it('never throws, and refuses times beyond 2^53 - 1', () => {
    const cosignature = cosign(SOFA, 5, witness);
    const huge = cosignature.signature.slice();
    new DataView(huge.buffer).setBigUint64(0, 2n ** 63n - 1n);
    expect(verifyCosignature(SOFA, { ...cosignature, signature: huge }, verifier).valid).toBe(false);
    expect(verifyCosignature(SOFA, { ...cosignature, signature: new Uint8Array(71) }, verifier).valid).toBe(
      false,
    );
    expect(verifyCosignature(SOFA, null as never, verifier).valid).toBe(false);
    expect(verifyCosignature(SOFA, cosignature, { ...verifier, publicKey: new Uint8Array(3) }).valid).toBe(
      false,
    );
  });

  it('property: any changed byte of the cosigned text or the signature fails', () => {
    const cosignature = cosign(SOFA, 1_700_000_000, witness);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (at, xor, inText) => {
        if (inText) {
          const bytes = new TextEncoder().encode(SOFA);
          bytes[at % bytes.length] = (bytes[at % bytes.length] ?? 0) ^ xor;
          expect(verifyCosignature(decode(bytes), cosignature, verifier).valid).toBe(false);
        } else {
          const signature = cosignature.signature.slice();
          signature[at % signature.length] = (signature[at % signature.length] ?? 0) ^ xor;
          expect(verifyCosignature(SOFA, { ...cosignature, signature }, verifier).valid).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });
});
