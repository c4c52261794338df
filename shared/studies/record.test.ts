/**
 * The published record's verifier: a whole study's record verifies, and any changed ciphertext, proof,
 * token, tally, partial decryption or released figure is refused by the check it belongs to.
 */

import { base64urlnopad } from '@scure/base';
import { beforeAll, describe, expect, it } from 'vitest';
import { RISTRETTO255 as group } from '../../server/groups.js';
import {
  RECORD_CHECKS,
  type RecordCheck,
  recordVerifies,
  type StudyRecordFiles,
  verifyRecord,
} from './record.js';
import { makeStudyRecord } from './test-support.js';

const PATIENTS = 21;

/** The record's JSON, changed in place by each case. */
// biome-ignore lint/suspicious/noExplicitAny: each case reaches into a different file of the record.
type Json = any;

/** A deep copy of the record with one change. */
function altered(record: StudyRecordFiles, change: (copy: Json) => void): StudyRecordFiles {
  const copy = JSON.parse(JSON.stringify(record)) as Json;
  change(copy);
  return copy as unknown as StudyRecordFiles;
}

function flipByte(text: string, at: number): string {
  const bytes = base64urlnopad.decode(text);
  bytes[at] = (bytes[at] as number) ^ 0x01;
  return base64urlnopad.encode(bytes);
}

const failed = (checks: RecordCheck[]) => checks.filter((c) => !c.ok);

describe('a study record', () => {
  let record: StudyRecordFiles;
  beforeAll(async () => {
    record = await makeStudyRecord(PATIENTS);
  }, 120_000);

  it('verifies from its files alone, every check passing', { timeout: 60_000 }, async () => {
    const checks = await verifyRecord(group, record);
    expect(failed(checks)).toEqual([]);
    expect(checks.map((c) => c.check)).toEqual([...RECORD_CHECKS]);
    expect(recordVerifies(checks)).toBe(true);
  });

  it.each([
    [
      'a ciphertext of a contribution',
      'contributions',
      (r: Json) => {
        r.contributions[3].contribution.slots[0] = flipByte(r.contributions[3].contribution.slots[0], 40);
      },
    ],
    [
      'a byte of a proof',
      'contributions',
      (r: Json) => {
        r.contributions[7].contribution.proofs[2] = flipByte(r.contributions[7].contribution.proofs[2], 100);
      },
    ],
    [
      'a token spent twice',
      'contributions',
      (r: Json) => {
        r.contributions.push({ seq: PATIENTS + 1, contribution: r.contributions[0].contribution });
      },
    ],
    [
      'a contribution dropped from the board',
      'tally',
      (r: Json) => {
        r.contributions.pop();
      },
    ],
    [
      'a total of the tally',
      'tally',
      (r: Json) => {
        r.tally.totals[1] = r.tally.totals[2];
      },
    ],
    [
      'a partial decryption',
      'partial decryptions',
      (r: Json) => {
        r.decryptions[1].partials[0] = flipByte(r.decryptions[1].partials[0], 70);
      },
    ],
    [
      'a decryption by a trustee the ceremony does not have',
      'partial decryptions',
      (r: Json) => {
        r.decryptions[1].trustee = 7;
      },
    ],
    [
      'a released figure',
      'result',
      (r: Json) => {
        r.result.release.contributions += 1;
      },
    ],
    [
      'the joint key',
      'key ceremony',
      (r: Json) => {
        r.study.jointKey = r.ceremony.commitments[0].commitments[0];
      },
    ],
  ])('refuses %s, in the check "%s"', { timeout: 60_000 }, async (_what, check, change) => {
    const problems = failed(await verifyRecord(group, altered(record, change)));
    expect(problems.map((p) => p.check)).toEqual([check]);
  });
});
