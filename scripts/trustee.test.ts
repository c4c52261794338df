/**
 * The trustees' ceremony as files: three trustees make a 2-of-3 joint key through the three rounds; any
 * two of them decrypt a tally made under it; a trustee that sends a wrong share is named; secrets stay in
 * files only their owner can read.
 */

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64urlnopad } from '@scure/base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RISTRETTO255 as group } from '../server/groups.js';
import {
  bytesFromWire,
  CeremonyError,
  ciphertextToWire,
  combinePartialDecryptions,
  encrypt,
  parseElement,
  partialDecryptionFromBytes,
} from '../shared/studies/crypto/index.js';
import {
  assembleRecord,
  checkRound,
  commitRound,
  decryptTally,
  makeTrusteeKey,
  shareRound,
} from './trustee-steps.js';

const EXAMPLE = JSON.parse(
  readFileSync(new URL('../studies/home-blood-pressure.study.json', import.meta.url), 'utf8'),
) as { trustees: { members: { name: string }[] } };

let dir: string;
let studyPath: string;
let secrets: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealed-vitals-trustees-'));
  secrets = [1, 2, 3].map((i) => join(dir, `trustee-${i}.secret.json`));
  const keys = secrets.map((path) => makeTrusteeKey(path));
  // The study as drafted before the ceremony: its trustees' keys, no joint key yet.
  const { jointKey: _drafted, ceremony: _none, ...draft } = EXAMPLE as Record<string, unknown>;
  const members = EXAMPLE.trustees.members.map((m, i) => ({ name: m.name, publicKey: keys[i] }));
  studyPath = join(dir, 'study.json');
  writeFileSync(studyPath, JSON.stringify({ ...draft, trustees: { threshold: 2, members } }));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function runRounds(between?: () => void): void {
  for (const secret of secrets) commitRound(studyPath, secret, dir);
  for (const secret of secrets) shareRound(studyPath, secret, dir);
  between?.();
}

describe('npm run trustee', () => {
  it('makes a joint key that any two trustees can decrypt with, and keeps every secret in a 0600 file', () => {
    runRounds();
    for (const secret of secrets) expect(checkRound(studyPath, secret, dir).complaints).toEqual([]);
    const jointKey = assembleRecord(studyPath, dir, join(dir, 'ceremony.json'));
    for (const secret of secrets) expect(statSync(secret).mode & 0o777).toBe(0o600);

    const key = parseElement(group, bytesFromWire(jointKey, 'jointKey', 32), 'jointKey');
    const { ciphertext } = encrypt(group, key, 4242n);
    const tallyPath = join(dir, 'tally.json');
    writeFileSync(
      tallyPath,
      JSON.stringify({ contributions: 1, totals: [ciphertextToWire(group, ciphertext)] }),
    );
    const partialOf = (index: number) => {
      const out = join(dir, `partial-${index}.json`);
      decryptTally(studyPath, secrets[index - 1] as string, tallyPath, out);
      const written = JSON.parse(readFileSync(out, 'utf8')) as { trustee: number; partials: string[] };
      expect(written.trustee).toBe(index);
      return partialDecryptionFromBytes(group, index, base64urlnopad.decode(written.partials[0] as string));
    };
    const [one, two, three] = [1, 2, 3].map(partialOf);
    const expected = group.powGenerator(4242n);
    for (const pair of [
      [one, two],
      [one, three],
      [two, three],
    ])
      expect(group.equals(combinePartialDecryptions(group, ciphertext, pair as never, 2), expected)).toBe(
        true,
      );
  });

  it('names the trustee who sent a wrong share, and refuses to assemble the record', () => {
    runRounds(() => {
      // Trustee 2's share for trustee 3 replaced by its share for trustee 1: encrypted to another key.
      const path = join(dir, 'round2-2.json');
      const shares = JSON.parse(readFileSync(path, 'utf8')) as {
        from: number;
        to: number;
        encrypted: string;
      }[];
      const forOne = shares.find((s) => s.to === 1);
      writeFileSync(
        path,
        JSON.stringify(shares.map((s) => (s.to === 3 ? { ...s, encrypted: forOne?.encrypted } : s))),
      );
    });
    expect(checkRound(studyPath, secrets[0] as string, dir).complaints).toEqual([]);
    const third = checkRound(studyPath, secrets[2] as string, dir);
    expect(third.complaints).toHaveLength(1);
    expect(third.complaints[0]).toMatch(/^trustee 2: /);
    checkRound(studyPath, secrets[1] as string, dir);
    const refused = (() => {
      try {
        assembleRecord(studyPath, dir, join(dir, 'ceremony.json'));
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(CeremonyError);
    expect((refused as CeremonyError).trustees).toEqual([2]);
  });

  it('never overwrites a trustee key, and refuses a round out of order', () => {
    expect(() => makeTrusteeKey(secrets[0] as string)).toThrow(/never overwritten/);
    expect(() => shareRound(studyPath, secrets[0] as string, dir)).toThrow(/not committed/);
    commitRound(studyPath, secrets[0] as string, dir);
    expect(() => commitRound(studyPath, secrets[0] as string, dir)).toThrow(/drawn once/);
  });
});
