/** The add-checkpoint body as C2SP tlog-witness writes it, and the near misses it must refuse. */

import { describe, expect, it } from 'vitest';
import {
  MAX_PROOF_LINES,
  MalformedRequestError,
  parseAddCheckpointRequest,
  parseTreeSize,
} from './request.js';

const encode = (text: string) => new TextEncoder().encode(text);
const NOTE = 'log.example/vitals\n1\nAAAA\n\n— log.example/vitals AAAA\n';
const HASH = Buffer.alloc(32, 0xab).toString('base64');

describe('parseAddCheckpointRequest', () => {
  it('reads the old size, the proof hashes and the note as sent', () => {
    const request = parseAddCheckpointRequest(encode(`old 20852014\n${HASH}\n${HASH}\n\n${NOTE}`));
    expect(request.oldSize).toBe(20852014);
    expect(request.proof.map((h) => Buffer.from(h).toString('hex'))).toEqual([
      'ab'.repeat(32),
      'ab'.repeat(32),
    ]);
    expect(request.note).toBe(NOTE);
    expect(parseAddCheckpointRequest(encode(`old 0\n\n${NOTE}`)).proof).toEqual([]);
  });

  it(`takes ${MAX_PROOF_LINES} proof lines and no more`, () => {
    const lines = (n: number) => `old 1\n${`${HASH}\n`.repeat(n)}\n${NOTE}`;
    expect(parseAddCheckpointRequest(encode(lines(MAX_PROOF_LINES))).proof).toHaveLength(MAX_PROOF_LINES);
    expect(() => parseAddCheckpointRequest(encode(lines(MAX_PROOF_LINES + 1)))).toThrow(
      MalformedRequestError,
    );
  });

  it('refuses a hash in non-canonical base64 (spare bits set), unpadded or URL-safe', () => {
    // The last character with its two spare bits set: a lenient decoder reads the same bytes.
    const nonCanonical = `${HASH.slice(0, 42)}v=`;
    expect(Buffer.from(nonCanonical, 'base64')).toEqual(Buffer.from(HASH, 'base64'));
    for (const hash of [nonCanonical, HASH.slice(0, 43), Buffer.alloc(32, 0xfb).toString('base64url')]) {
      expect(() => parseAddCheckpointRequest(encode(`old 1\n${hash}\n\n${NOTE}`))).toThrow(
        MalformedRequestError,
      );
    }
  });
});

describe('parseTreeSize', () => {
  it('reads ASCII decimals without leading zeroes, up to the largest safe integer', () => {
    expect(parseTreeSize('0')).toBe(0);
    expect(parseTreeSize('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    for (const text of ['', '00', '01', '-1', '+1', '1.0', '1e3', ' 1', '9007199254740992', '١']) {
      expect(parseTreeSize(text)).toBeUndefined();
    }
  });
});
