import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseToken, TOKEN_BYTES, tokenFromWire, tokenToWire } from './token.js';
import { StudyTokenError } from './token-error.js';

// RFC 9578 Appendix A.2, test vector 1: the token's fields at their RFC 9577 §2.2 offsets.
const RFC_TOKEN =
  '0002aa72019d1f951df197021ce63876fe8b0a02dc1c31a12b0a2dd1508d07827f055969f643b4cfda5196d4aa86aeb5368834f4f06de46950ed435b3b81bd036d44ca572f8982a9ca248a3056186322d93ca147266121ddeb5632c07f1f71cd2708bc6a21b533d07294b5e900faf5537dd3eb33cee4e08c9670d1e5358fd184b0e00c637174f5206b14c7bb0e724ebf6b56271e5aa2ed94c051c4a433d302b23bc52460810d489fb050f9de5c868c6c1b06e3849fd087629f704cc724bc0d0984d5c339686fcdd75f9a9cdd25f37f855f6f4c584d84f716864f546b696d620c5bd41a811498de84ff9740ba3003ba2422d26b91eb745c084758974642a42078201543246ddb58030ea8e722376aa82484dca9610a8fb7e018e396165462e17a03e40ea7e128c090a911ecc708066cb201833010c1ebd4e910fc8e27a1be467f78671836a508257123a45e4e0ae2180a434bd1037713466347a8ebe46439d3da1970';
const RFC_NONCE = 'aa72019d1f951df197021ce63876fe8b0a02dc1c31a12b0a2dd1508d07827f05';
// SHA-256 of test vector 1's token_challenge, and of its pkS.
const RFC_CHALLENGE_DIGEST = '5969f643b4cfda5196d4aa86aeb5368834f4f06de46950ed435b3b81bd036d44';
const RFC_TOKEN_KEY_ID = 'ca572f8982a9ca248a3056186322d93ca147266121ddeb5632c07f1f71cd2708';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));

function reasonOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof StudyTokenError) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('parseToken', () => {
  it('splits RFC 9578 A.2 vector 1 into its fields', () => {
    const parsed = parseToken(fromHex(RFC_TOKEN));
    expect(hex(parsed.nonce)).toBe(RFC_NONCE);
    expect(hex(parsed.challengeDigest)).toBe(RFC_CHALLENGE_DIGEST);
    expect(hex(parsed.tokenKeyId)).toBe(RFC_TOKEN_KEY_ID);
    expect(hex(parsed.tokenInput)).toBe(RFC_TOKEN.slice(0, 2 * 98));
    expect(hex(parsed.authenticator)).toBe(RFC_TOKEN.slice(2 * 98));
    expect(TOKEN_BYTES).toBe(354);
  });

  it('names a truncated, an extended and a wrong-type token', () => {
    const token = fromHex(RFC_TOKEN);
    expect(reasonOf(() => parseToken(token.subarray(0, TOKEN_BYTES - 1)))).toBe('truncated');
    expect(reasonOf(() => parseToken(new Uint8Array(0)))).toBe('truncated');
    expect(reasonOf(() => parseToken(new Uint8Array([...token, 0])))).toBe('extended');
    for (const type of [0x0001, 0x0000, 0xda7a, 0x0102]) {
      const other = token.slice();
      other[0] = type >> 8;
      other[1] = type & 0xff;
      expect(reasonOf(() => parseToken(other))).toBe('wrong-token-type');
    }
  });

  it('copies its fields, so the caller’s buffer can change afterwards', () => {
    const token = fromHex(RFC_TOKEN);
    const parsed = parseToken(token);
    token.fill(0);
    expect(hex(parsed.nonce)).toBe(RFC_NONCE);
  });

  it('refuses every length but 354 (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 800 }), (bytes) => {
        const reason = reasonOf(() => parseToken(bytes));
        if (bytes.length < TOKEN_BYTES) return reason === 'truncated';
        if (bytes.length > TOKEN_BYTES) return reason === 'extended';
        return reason === (bytes[0] === 0 && bytes[1] === 2 ? 'accepted' : 'wrong-token-type');
      }),
      { numRuns: 200 },
    );
  });
});

describe('the token in JSON', () => {
  it('round-trips as unpadded base64url', () => {
    const token = fromHex(RFC_TOKEN);
    const wire = tokenToWire(token);
    expect(wire).toMatch(/^[A-Za-z0-9_-]{472}$/);
    expect(tokenFromWire(wire)).toEqual(token);
  });

  it('refuses padding, the standard alphabet, stray bits, non-strings and oversized members', () => {
    const wire = tokenToWire(fromHex(RFC_TOKEN));
    expect(reasonOf(() => tokenFromWire(`${wire}==`))).toBe('invalid-encoding');
    expect(reasonOf(() => tokenFromWire(`+${wire.slice(1)}`))).toBe('invalid-encoding');
    // 353 bytes take 471 characters with 2 spare bits, which must be zero: 'B' sets one.
    const short = tokenToWire(fromHex(RFC_TOKEN).subarray(0, 353));
    expect(reasonOf(() => tokenFromWire(`${short.slice(0, -1)}B`))).toBe('invalid-encoding');
    expect(reasonOf(() => parseToken(tokenFromWire(short)))).toBe('truncated');
    expect(reasonOf(() => tokenFromWire(42))).toBe('invalid-encoding');
    expect(reasonOf(() => tokenFromWire('A'.repeat(100_000)))).toBe('extended');
  });
});
