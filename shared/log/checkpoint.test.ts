import { base64 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import {
  type Checkpoint,
  CheckpointRefused,
  formatCheckpoint,
  type LogPolicy,
  parseCheckpoint,
  parseLogPolicy,
  verifyCheckpoint,
} from './checkpoint.js';
import { cosign } from './cosignature.js';
import { leafHash, MerkleTree } from './merkle.js';
import {
  COSIGNATURE_V1_KEY_TYPE,
  formatNote,
  formatVerifierKey,
  generateSignerKey,
  keyHash,
  NoteError,
  type NoteSignature,
  parseSignerKey,
  type SignerKey,
  signNote,
} from './note.js';

// C2SP/C2SP@5ba5ee83 tlog-checkpoint.md, the example checkpoint.
const SOFA = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
// transparency-dev/formats@0b850f1a log/note_test.go, TestSumDBNoteParsing.
const SUMDB = 'go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n';

describe('checkpoint text', () => {
  it('parses and formats the C2SP tlog-checkpoint example (C2SP/C2SP tlog-checkpoint.md)', () => {
    const checkpoint = parseCheckpoint(SOFA);
    expect(checkpoint).toEqual({
      origin: 'example.com/behind-the-sofa',
      size: 20852163,
      root: base64.decode('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I='),
      extensions: [],
    });
    expect(formatCheckpoint(checkpoint)).toBe(SOFA);
  });

  it('parses the sum.golang.org checkpoint (transparency-dev/formats log/note_test.go)', () => {
    expect(parseCheckpoint(SUMDB)).toMatchObject({ origin: 'go.sum database tree', size: 6476701 });
  });

  it('keeps extension lines, and formats an empty tree as size 0', () => {
    const checkpoint: Checkpoint = {
      origin: 'o',
      size: 0,
      root: new Uint8Array(32),
      extensions: ['a b', 'c'],
    };
    const text = formatCheckpoint(checkpoint);
    expect(text).toBe('o\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\na b\nc\n');
    expect(parseCheckpoint(text)).toEqual(checkpoint);
  });

  const root = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';
  it.each([
    ['a size with a leading zero', `o\n020852163\n${root}\n`, /leading zeros/],
    ['a size of 00', `o\n00\n${root}\n`, /leading zeros/],
    ['a negative size', `o\n-1\n${root}\n`, /size/],
    ['a size with a plus sign', `o\n+1\n${root}\n`, /size/],
    ['a size in exponent form', `o\n1e3\n${root}\n`, /size/],
    ['a size beyond 2^53 - 1', `o\n9007199254740993\n${root}\n`, /safe integer/],
    ['an empty size', `o\n\n${root}\n`, /size/],
    ['a 31-byte root', `o\n1\n${base64.encode(new Uint8Array(31))}\n`, /32 bytes/],
    ['a 33-byte root', `o\n1\n${base64.encode(new Uint8Array(33))}\n`, /32 bytes/],
    ['an unpadded root', `o\n1\n${root.slice(0, -1)}\n`, /base64/],
    ['a base64url root', `o\n1\n${root.replace('/', '_')}\n`, /base64/],
    ['an empty origin', `\n1\n${root}\n`, /origin is empty/],
    ['two lines', 'o\n1\n', /three lines/],
    ['an empty extension line', `o\n1\n${root}\n\next\n`, /extension/],
    ['no final newline', `o\n1\n${root}`, /newline/],
  ])('refuses %s', (_, text, message) => {
    expect(() => parseCheckpoint(text)).toThrow(message);
    expect(() => parseCheckpoint(text)).toThrow(NoteError);
  });

  it('refuses to format what it would not parse', () => {
    const good: Checkpoint = { origin: 'o', size: 1, root: new Uint8Array(32), extensions: [] };
    for (const bad of [
      { ...good, origin: '' },
      { ...good, origin: 'a\nb' },
      { ...good, size: -1 },
      { ...good, size: 0.5 },
      { ...good, root: new Uint8Array(31) },
      { ...good, extensions: [''] },
      { ...good, extensions: ['a\nb'] },
    ])
      expect(() => formatCheckpoint(bad), JSON.stringify(bad)).toThrow(NoteError);
  });
});

// Scenarios after transparency-dev/formats log/note_test.go (TestParseCheckpoint) with witnesses as
// cosigners: keys are generated, as the Go test's witnesses are type 0x01 note keys.
const ORIGIN = 'example.com/log';
const skey = (name: string, type?: number) => parseSignerKey(generateSignerKey(name, type).signerKey);
const logKey = skey(ORIGIN);
const witnesses = ['w1.example', 'w2.example', 'w3.example'].map((n) => skey(n, COSIGNATURE_V1_KEY_TYPE));
const policy = parseLogPolicy({
  origin: ORIGIN,
  logKey: logKey.text,
  witnesses: witnesses.map((w) => w.text),
  quorum: 2,
});
const tree = new MerkleTree([leafHash(new Uint8Array([1])), leafHash(new Uint8Array([2]))]);
const TEXT = formatCheckpoint({ origin: ORIGIN, size: tree.size, root: tree.root(), extensions: [] });

function signed(text: string, signers: readonly (SignerKey | NoteSignature)[]): string {
  const signatures = signers.map((s) =>
    'seed' in s
      ? s.type === COSIGNATURE_V1_KEY_TYPE
        ? cosign(text, 1_700_000_000, s)
        : signNote(text, s)
      : s,
  );
  return formatNote({ text, signatures });
}

const refusal = (message: string) => {
  try {
    verifyCheckpoint(message, policy);
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointRefused);
    return (error as Error).message;
  }
  throw new Error('the checkpoint was accepted');
};

describe('verifyCheckpoint', () => {
  const [w1, w2, w3] = witnesses as [SignerKey, SignerKey, SignerKey];

  it('accepts the log signature and a quorum of cosignatures, in any order, ignoring unknown lines', () => {
    const stranger = skey('stranger.example', COSIGNATURE_V1_KEY_TYPE);
    const verified = verifyCheckpoint(signed(TEXT, [w2, stranger, logKey, w1]), policy);
    expect(verified.checkpoint).toEqual(parseCheckpoint(TEXT));
    expect(verified.note.text).toBe(TEXT);
    expect(verified.cosignedBy).toEqual([
      { name: 'w1.example', timestamp: 1_700_000_000 },
      { name: 'w2.example', timestamp: 1_700_000_000 },
    ]);
    expect(verifyCheckpoint(signed(TEXT, [logKey, w1, w2, w3]), policy).cosignedBy).toHaveLength(3);
  });

  it('refuses a checkpoint of another origin, even one signed by the log key', () => {
    const other = TEXT.replace(ORIGIN, 'example.com/other');
    expect(refusal(signed(other, [logKey, w1, w2]))).toBe("it is not a checkpoint of this policy's log");
  });

  it('refuses a checkpoint without the log signature (TestParseCheckpoint "just known")', () => {
    expect(refusal(signed(TEXT, [w1, w2, w3]))).toBe("it is not signed by the log's key");
  });

  it('refuses a log signature by another key of the same name (an unknown key, so ignored)', () => {
    const impostor = skey(ORIGIN);
    expect(refusal(signed(TEXT, [impostor, w1, w2]))).toBe("it is not signed by the log's key");
  });

  it("refuses a signature line with the log key's name and ID that does not verify", () => {
    const forged = { ...signNote(TEXT, skey(ORIGIN)), keyHash: logKey.keyHash };
    expect(refusal(signed(TEXT, [logKey, forged, w1, w2]))).toBe(
      "its signature by the log's key does not verify",
    );
  });

  it('refuses a checkpoint below the quorum', () => {
    expect(refusal(signed(TEXT, [logKey, w1]))).toBe('it is cosigned by 1 of the 3 witnesses; 2 are needed');
    expect(refusal(signed(TEXT, [logKey]))).toBe('it is cosigned by 0 of the 3 witnesses; 2 are needed');
  });

  it('counts a witness once however many of its cosignatures the note holds', () => {
    const again = cosign(TEXT, 1_700_000_100, w1);
    expect(refusal(signed(TEXT, [logKey, w1, again, w1]))).toBe(
      'it is cosigned by 1 of the 3 witnesses; 2 are needed',
    );
    expect(verifyCheckpoint(signed(TEXT, [logKey, w1, again, w2]), policy).cosignedBy[0]).toEqual({
      name: 'w1.example',
      timestamp: 1_700_000_100,
    });
  });

  it("refuses a policy witness's cosignature that does not verify (one taken from another checkpoint)", () => {
    const otherText = formatCheckpoint({ origin: ORIGIN, size: 1, root: tree.root(1), extensions: [] });
    const stale = cosign(otherText, 1_700_000_000, w3);
    expect(refusal(signed(TEXT, [logKey, w1, w2, stale]))).toBe(
      'its cosignature by the witness w3.example does not verify',
    );
  });

  it('does not count a note signature by a witness key, nor a cosignature by the log key', () => {
    const asNote = { ...signNote(TEXT, { ...w1, type: 0x01 }), keyHash: w1.keyHash };
    expect(refusal(signed(TEXT, [logKey, asNote, w2]))).toMatch(/w1\.example does not verify/);
    const logCosignature = {
      ...cosign(TEXT, 1, { ...logKey, type: COSIGNATURE_V1_KEY_TYPE }),
      keyHash: logKey.keyHash,
    };
    expect(refusal(signed(TEXT, [logCosignature, w1, w2]))).toBe(
      "its signature by the log's key does not verify",
    );
  });

  it('refuses what is not a signed checkpoint, as a CheckpointRefused', () => {
    expect(refusal(TEXT)).toMatch(/^it is not a signed checkpoint \(.*blank line/);
    expect(refusal(signed('not a checkpoint\n', [logKey]))).toMatch(/^it is not a signed checkpoint/);
  });

  it('needs only the log signature when the policy has no witnesses', () => {
    const alone = parseLogPolicy({ origin: ORIGIN, logKey: logKey.text, witnesses: [], quorum: 0 });
    expect(verifyCheckpoint(signed(TEXT, [logKey]), alone).cosignedBy).toEqual([]);
  });
});

describe('parseLogPolicy', () => {
  const good = { origin: ORIGIN, logKey: logKey.text, witnesses: witnesses.map((w) => w.text), quorum: 2 };

  it('returns the policy, with local only when given', () => {
    expect(parseLogPolicy(good)).toEqual(good);
    expect(parseLogPolicy({ ...good, local: true })).toEqual({ ...good, local: true });
    expect('local' in parseLogPolicy(good)).toBe(false);
  });

  const sameName = skey('w1.example', COSIGNATURE_V1_KEY_TYPE).text;
  const sameKey = formatVerifierKey(
    'w9.example',
    COSIGNATURE_V1_KEY_TYPE,
    (witnesses[0] as SignerKey).publicKey,
  );
  it.each<[string, unknown, RegExp]>([
    ['not an object', [], /JSON object/],
    ['an unknown member', { ...good, quorom: 2 }, /"quorom"/],
    ['an empty origin', { ...good, origin: '' }, /origin/],
    ['an origin of two lines', { ...good, origin: `${ORIGIN}\nx` }, /origin/],
    ['a logKey that is not a vkey', { ...good, logKey: 'nonsense' }, /logKey/],
    [
      'a logKey of type 0x04',
      { ...good, logKey: (witnesses[0] as SignerKey).text },
      /logKey is not a type 0x01/,
    ],
    [
      'a logKey named otherwise',
      { ...good, logKey: skey('example.com/other').text },
      /logKey is not named after/,
    ],
    ['witnesses that are not a list', { ...good, witnesses: 'w' }, /witnesses/],
    ['a witness of type 0x01', { ...good, witnesses: [logKey.text] }, /witnesses\[0\] is not a type 0x04/],
    ['a witness that is not a string', { ...good, witnesses: [3] }, /witnesses\[0\]/],
    ['two witnesses of one name', { ...good, witnesses: [...good.witnesses, sameName] }, /distinct names/],
    [
      'two witnesses of one public key',
      { ...good, witnesses: [...good.witnesses, sameKey] },
      /distinct public keys/,
    ],
    ['a quorum of 0 with witnesses', { ...good, quorum: 0 }, /quorum is not an integer from 1 to 3/],
    ['a quorum above the witnesses', { ...good, quorum: 4 }, /quorum/],
    ['a fractional quorum', { ...good, quorum: 1.5 }, /quorum/],
    ['a quorum that is a string', { ...good, quorum: '2' }, /quorum/],
    [
      'a quorum of 1 without witnesses',
      { ...good, witnesses: [], quorum: 1 },
      /quorum is not an integer from 0 to 0/,
    ],
    ['a local that is not a boolean', { ...good, local: 'yes' }, /local/],
  ])('refuses %s, naming the field', (_, value, message) => {
    expect(() => parseLogPolicy(value)).toThrow(message);
    expect(() => parseLogPolicy(value)).toThrow(NoteError);
  });

  it('refuses two witnesses with one key ID (a 32-bit ID collides after some 2^16 tries)', () => {
    const { publicKey } = witnesses[0] as SignerKey;
    const typeAndKey = new Uint8Array([COSIGNATURE_V1_KEY_TYPE, ...publicKey]);
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; pair === undefined; i++) {
      const name = `w${i}.example`;
      const id = keyHash(name, typeAndKey);
      const earlier = seen.get(id);
      if (earlier !== undefined) pair = [earlier, name];
      seen.set(id, name);
    }
    const colliding = pair.map((name) => formatVerifierKey(name, COSIGNATURE_V1_KEY_TYPE, publicKey));
    expect(() => parseLogPolicy({ ...good, witnesses: colliding, quorum: 1 })).toThrow(/distinct key IDs/);
  });

  it('is what verifyCheckpoint trusts: a policy type-checks as LogPolicy', () => {
    const typed: LogPolicy = parseLogPolicy(good);
    expect(typed.quorum).toBe(2);
  });
});
