import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COSIGNATURE_V1_KEY_TYPE,
  ED25519_KEY_TYPE,
  formatNote,
  generateSignerKey,
  keyHash,
  NoteError,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifyNoteSignature,
} from './note.js';

// golang/mod sumdb/note/note_test.go (fe2ec04f): TestNewVerifier, TestNewSigner, TestSign, TestOpen.
const GO_NOTE = 'golang/mod@fe2ec04f sumdb/note/note_test.go';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const NEUMANN_TEXT =
  'If you think cryptography is the answer to your problem,\n' +
  "then you don't know what your problem is.\n";
const PETER_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

// Ed25519 in loops: a timeout for a loaded machine, not the 5 s default.
describe(`the Go signed-note vectors (${GO_NOTE})`, { timeout: 60_000 }, () => {
  it('parses the PeterNeumann vkey and its key ID', () => {
    const key = parseVerifierKey(PETER_VKEY);
    expect(key).toMatchObject({
      name: 'PeterNeumann',
      keyHash: 0xc74f20a3,
      type: ED25519_KEY_TYPE,
      text: PETER_VKEY,
    });
    expect(keyHash(key.name, new Uint8Array([key.type, ...key.publicKey]))).toBe(0xc74f20a3);
  });

  it('derives the vkey from the skey (the pair round-trips)', () => {
    const signer = parseSignerKey(PETER_SKEY);
    expect(signer.text).toBe(PETER_VKEY);
    expect(signer.publicKey).toEqual(parseVerifierKey(PETER_VKEY).publicKey);
  });

  it('signs the Neumann text to exactly the Go output (Ed25519 is deterministic)', () => {
    const signature = signNote(NEUMANN_TEXT, parseSignerKey(PETER_SKEY));
    expect(formatNote({ text: NEUMANN_TEXT, signatures: [signature] })).toBe(`${NEUMANN_TEXT}\n${PETER_SIG}`);
  });

  it('opens the note signed by PeterNeumann and EnochRoot, and verifies both', () => {
    const message = `${NEUMANN_TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
    const note = parseNote(message);
    expect(note.text).toBe(NEUMANN_TEXT);
    expect(note.signatures.map((s) => [s.name, s.keyHash])).toEqual([
      ['PeterNeumann', 0xc74f20a3],
      ['EnochRoot', 0xaf0cfe78],
    ]);
    const [peter, enoch] = note.signatures as [(typeof note.signatures)[0], (typeof note.signatures)[0]];
    expect(verifyNoteSignature(note.text, peter, parseVerifierKey(PETER_VKEY))).toBe(true);
    expect(verifyNoteSignature(note.text, enoch, parseVerifierKey(ENOCH_VKEY))).toBe(true);
    // Each signature only for its own key.
    expect(verifyNoteSignature(note.text, peter, parseVerifierKey(ENOCH_VKEY))).toBe(false);
    expect(formatNote(note)).toBe(message);
  });

  it('refuses an invalid signature from the known key (TestOpen: "ABCD" spliced in)', () => {
    const bad = parseNote(`${NEUMANN_TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`);
    expect(verifyNoteSignature(bad.text, bad.signatures[0] as never, parseVerifierKey(PETER_VKEY))).toBe(
      false,
    );
  });

  it.each([
    ['no blank line and no signatures', NEUMANN_TEXT],
    ['a blank line but no signatures', `${NEUMANN_TEXT}\n`],
    ['no final newline', `${NEUMANN_TEXT}\n${PETER_SIG.slice(0, -1)}`],
    ['a control character', `\x01${NEUMANN_TEXT}\n${PETER_SIG}`],
    [
      'a name with a space and no final newline',
      `${NEUMANN_TEXT}\n${PETER_SIG.replace('PeterNeumann', 'Bad Name')}`,
    ],
    ['a line that is not a signature', `${NEUMANN_TEXT}\n${PETER_SIG}Unexpected line.\n`],
    ['101 signatures', `${NEUMANN_TEXT}\n${PETER_SIG.repeat(101)}`],
  ])('refuses a message with %s (TestOpen badMsgs)', (_, message) => {
    expect(() => parseNote(message)).toThrow(NoteError);
  });
  // TestOpen's "\xff" case is an invalid UTF-8 byte: a JS string cannot hold one (a caller decoding
  // bytes with a fatal TextDecoder refuses it before this code sees it).

  it('refuses every proper substring and every one-character change of the vkey (TestNewVerifier)', () => {
    for (let i = 0; i <= PETER_VKEY.length; i++)
      for (let j = i + 1; j <= PETER_VKEY.length; j++)
        if (i !== 0 || j !== PETER_VKEY.length)
          expect(() => parseVerifierKey(PETER_VKEY.slice(i, j)), PETER_VKEY.slice(i, j)).toThrow(NoteError);
    for (let i = 0; i < PETER_VKEY.length; i++) {
      const changed =
        PETER_VKEY.slice(0, i) + String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) + PETER_VKEY.slice(i + 1);
      expect(() => parseVerifierKey(changed), changed).toThrow(NoteError);
    }
    // A key of the wrong length and an unknown algorithm, each with a matching key ID. (The first has
    // stray bits in its last base64 character too, which Go lets through and we refuse first.)
    expect(() =>
      parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='),
    ).toThrow(NoteError);
    expect(() =>
      parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
    ).toThrow(/type/);
  });

  it('refuses every proper substring and every one-character change of the skey (TestNewSigner)', () => {
    for (let i = 0; i <= PETER_SKEY.length; i++)
      for (let j = i + 1; j <= PETER_SKEY.length; j++)
        if (i !== 0 || j !== PETER_SKEY.length)
          expect(() => parseSignerKey(PETER_SKEY.slice(i, j))).toThrow(NoteError);
    for (let i = 0; i < PETER_SKEY.length; i++) {
      const changed =
        PETER_SKEY.slice(0, i) + String.fromCharCode(PETER_SKEY.charCodeAt(i) + 1) + PETER_SKEY.slice(i + 1);
      expect(() => parseSignerKey(changed)).toThrow(NoteError);
    }
  });

  it('never quotes a signer key in an error', () => {
    const mangled = `${PETER_SKEY.slice(0, -2)}zz`;
    expect(() => parseSignerKey(mangled)).toThrow(NoteError);
    try {
      parseSignerKey(mangled);
    } catch (error) {
      expect((error as Error).message).not.toContain('AYEKFALV');
    }
  });
});

// transparency-dev/formats@0b850f1a log/note_test.go: key pairs of TestParseCheckpoint, and the
// sum.golang.org checkpoint of TestSumDBNoteParsing with BenchmarkParse's extra signatures.
describe('the transparency-dev/formats vectors (log/note_test.go)', () => {
  it.each([
    [
      'PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ',
      'Log+2271c621+AemuH5ooBpEPcr+W8onrjA1NfuzBVHdezakU81Ekarvs',
    ],
    [
      'PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci',
      'Known+451c786d+AXAQ0T7lbwuY4ABJ9/MYY9bWV3hmSyOGVt2x42NkmdUH',
    ],
    [
      'PRIVATE+KEY+KnownAgain+4893b26c+ARhZda/l25zjGZswYLDZsLNRzNpmv5wYTN9IoTr1OJ2+',
      'KnownAgain+4893b26c+AQ+LR7BFF/F/dkpIBjBpSvT0crkteizuUkavAoGeaYMj',
    ],
    [
      'PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU',
      'Unknown+fdbb2e08+AWgRIYZ+8x1Vl+1Q+sR8zciNHiYI1SdlBjNw+RV0rots',
    ],
  ])('%s derives %s', (skey, vkey) => {
    expect(parseSignerKey(skey).text).toBe(vkey);
    expect(parseVerifierKey(vkey).keyHash).toBe(parseSignerKey(skey).keyHash);
  });

  it('verifies the sum.golang.org checkpoint and three more signatures on it', () => {
    const message = `go.sum database tree
6476701
mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=

— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=
— monkeys 202ffh9ve46Mqbhuyb4wnC2Pwdan5EsXQym/tF1ggXJqhjGosU4T5intH4iKMRgDLxrnXuIjRaU2NbvAnaepM6Y+8ww=
— bananas z2OfE+2bbsBZ7NLgfuslc0v7NFW2QyexJ7fhePpoL2N/P7N/COd5S+JNHbQEAlYzz2C5sg0E+x/MggS1mDR6t3/9rQw=
— witness 8TqG25yWGFLdT7WPf/WoyeG3LwqtkXP+8S3yykOVm6EMh4hPgCke6eSVPU4BdtXNMPJBXKF+UpDbGgCdcpR8SVSoqAU=
`;
    const keys = [
      'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8',
      'monkeys+db4d9f7e+AULaJMvTtDLHPUcUrjdDad9vDlh/PTfC2VV60JUtCfWT',
      'bananas+cf639f13+AaPjhFnPCQnid/Ql32KWhmh+uk72FVRfK+2DLmO3BI3M',
      'witness+f13a86db+AdYV1Ztajd9BvyjP2HgpwrqYL6TjOwIjGMOq8Bu42xbN',
    ].map(parseVerifierKey);
    const note = parseNote(message);
    expect(note.signatures).toHaveLength(4);
    note.signatures.forEach((signature, i) => {
      expect(verifyNoteSignature(note.text, signature, keys[i] as never)).toBe(true);
    });
  });

  // note/note_cosigv1_test.go, TestCoSigV1NewVerifier.
  it('parses an Ed25519 vkey and a cosignature/v1 vkey, and refuses the bad ones', () => {
    expect(parseVerifierKey('TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6').type).toBe(
      ED25519_KEY_TYPE,
    );
    expect(
      parseVerifierKey('remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2'),
    ).toMatchObject({
      type: COSIGNATURE_V1_KEY_TYPE,
      keyHash: 0xda77ade7,
    });
    for (const bad of [
      'bananas.sigstore.dev+12344556',
      'rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!',
      'rekor.sigstore.dev+12345678+AwEB',
      'rekor.sigstore.dev+NOT_A_NUMBER+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6',
      'rekor.sigstore.dev+00000000+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6',
    ])
      expect(() => parseVerifierKey(bad), bad).toThrow(NoteError);
  });
});

// C2SP/C2SP@5ba5ee83 signed-note.md: the "Example" vkey and note, and the opening poem (no key given).
describe('the C2SP signed-note examples (C2SP/C2SP signed-note.md)', () => {
  it('verifies the example.com/foo note', () => {
    const note = parseNote(
      'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n',
    );
    const key = parseVerifierKey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
    expect(note.text).toBe('This is an example message.\n');
    expect(verifyNoteSignature(note.text, note.signatures[0] as never, key)).toBe(true);
  });

  it('keeps empty lines inside the text: the last blank line separates the signatures', () => {
    const text =
      'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n';
    const line =
      '— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n';
    const note = parseNote(`${text}\n${line}`);
    expect(note.text).toBe(text);
    expect(note.signatures[0]).toMatchObject({ name: 'quasimodo.example/salvatore', keyHash: 0x367ba04b });
    expect(formatNote(note)).toBe(`${text}\n${line}`);
  });
});

describe('parseNote edge cases', () => {
  const signed = () => {
    const { signerKey } = generateSignerKey('example.com/log');
    const key = parseSignerKey(signerKey);
    return { key, line: formatNote({ text: 'x\n', signatures: [signNote('x\n', key)] }).slice(3) };
  };

  it.each([
    ['a missing blank line', (line: string) => `x\n${line}`, /blank line/],
    ['bad base64', (line: string) => `x\n\n${line.replace(/ \S+\n$/, ' !!!!\n')}`, /base64/],
    ['non-canonical base64 (stray bits)', () => 'x\n\n— a AAAAAAB=\n', /base64/],
    ['a signature line without the em dash', (line: string) => `x\n\n${line.replace('— ', '- ')}`, /em dash/],
    ['text without a trailing newline (so no blank line)', (line: string) => `x\n${line}`, /blank line/],
    ['a signature too short for a key ID and a signature', () => 'x\n\n— a AAAAAA==\n', /too short/],
    ['an empty key name', (line: string) => `x\n\n${line.replace(/^— \S+/, '— ')}`, /key name/],
    ['a lone surrogate', (line: string) => `\ud800x\n\n${line}`, /Unicode/],
    ['a carriage return', (line: string) => `x\r\n\n${line}`, /control/],
    ['more than 1 MiB', (line: string) => `${'x'.repeat(1024 * 1024)}\n\n${line}`, /longer/],
  ])('refuses %s', (_, build, message) => {
    expect(() => parseNote(build(signed().line))).toThrow(message);
  });

  it('accepts 100 signatures', () => {
    const { line } = signed();
    expect(parseNote(`x\n\n${line.repeat(100)}`).signatures).toHaveLength(100);
  });
});

describe('keys', () => {
  it('generates keys of both types that round-trip and verify', () => {
    for (const type of [ED25519_KEY_TYPE, COSIGNATURE_V1_KEY_TYPE]) {
      const { signerKey, verifierKey } = generateSignerKey('witness.example/w1', type);
      const signer = parseSignerKey(signerKey);
      expect(signer.text).toBe(verifierKey);
      expect(parseVerifierKey(verifierKey)).toMatchObject({
        type,
        keyHash: signer.keyHash,
        name: signer.name,
      });
      expect(signer.seed).toHaveLength(32);
    }
  });

  it('refuses invalid names and types', () => {
    for (const name of ['', 'a b', 'a+b', 'a\u00a0b', 'a\u2003b', 'a\nb', 'a\u0085b'])
      expect(() => generateSignerKey(name), JSON.stringify(name)).toThrow(NoteError);
    expect(() => generateSignerKey('a', 0x02)).toThrow(NoteError);
  });

  it('refuses uppercase key IDs (signed-note writes lowercase hex)', () => {
    expect(() => parseVerifierKey(PETER_VKEY.replace('c74f20a3', 'C74F20A3'))).toThrow(/lowercase/);
  });

  it('signs notes only with a type 0x01 key, and verifies only type 0x01 signatures', () => {
    const cosigner = parseSignerKey(generateSignerKey('w', COSIGNATURE_V1_KEY_TYPE).signerKey);
    expect(() => signNote('x\n', cosigner)).toThrow(NoteError);
    const signer = parseSignerKey(generateSignerKey('w').signerKey);
    const signature = signNote('x\n', signer);
    expect(verifyNoteSignature('x\n', signature, { ...signer, type: COSIGNATURE_V1_KEY_TYPE })).toBe(false);
  });

  it('refuses to sign or format text that is not a note text', () => {
    const signer = parseSignerKey(generateSignerKey('w').signerKey);
    expect(() => signNote('no newline', signer)).toThrow(NoteError);
    expect(() => formatNote({ text: 'x\n', signatures: [] })).toThrow(NoteError);
    expect(() => formatNote({ text: 'x', signatures: [signNote('x\n', signer)] })).toThrow(NoteError);
  });

  it('verifyNoteSignature never throws', () => {
    const key = parseVerifierKey(PETER_VKEY);
    const junk = { name: 'PeterNeumann', keyHash: 0xc74f20a3, signature: new Uint8Array(64) };
    expect(verifyNoteSignature(NEUMANN_TEXT, junk, key)).toBe(false);
    expect(verifyNoteSignature(NEUMANN_TEXT, { ...junk, signature: new Uint8Array(3) }, key)).toBe(false);
    expect(verifyNoteSignature(NEUMANN_TEXT, null as never, key)).toBe(false);
    expect(verifyNoteSignature(NEUMANN_TEXT, junk, { ...key, publicKey: new Uint8Array(5) })).toBe(false);
  });
});

// Ed25519 in loops: a timeout for a loaded machine, not the 5 s default.
describe('property: sign → format → parse → verify', { timeout: 60_000 }, () => {
  const noteText = fc
    .array(
      fc
        .string({ unit: 'grapheme', maxLength: 40 })
        .map((line) => [...line].filter((c) => c >= ' ').join('')),
      { minLength: 1, maxLength: 6 },
    )
    .map((lines) => `${lines.join('\n')}\n`);
  const signer = parseSignerKey(generateSignerKey('example.com/log').signerKey);

  it('round-trips, and any changed byte of the text fails', () => {
    fc.assert(
      fc.property(noteText, fc.nat(), fc.integer({ min: 1, max: 255 }), (text, at, xor) => {
        const message = formatNote({ text, signatures: [signNote(text, signer)] });
        const note = parseNote(message);
        expect(note.text).toBe(text);
        expect(verifyNoteSignature(note.text, note.signatures[0] as never, signer)).toBe(true);
        const bytes = new TextEncoder().encode(text);
        bytes[at % bytes.length] = (bytes[at % bytes.length] ?? 0) ^ xor;
        const changed = new TextDecoder().decode(bytes);
        fc.pre(changed !== text);
        expect(verifyNoteSignature(changed, note.signatures[0] as never, signer)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
