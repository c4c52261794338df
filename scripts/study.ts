/**
 * The command for a study's published record (docs/STUDIES.md, "The record"):
 *   npm run study -- verify DIR    check the record in DIR from scratch: the study file, the key
 *                                  ceremony, every contribution's token and proofs, that the tally is
 *                                  the sum of exactly those contributions, every partial decryption's
 *                                  proof, and the released figures; exit 0 only if everything holds.
 * (`demo`, which runs a whole study over HTTP and writes its record, is not built yet.)
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RISTRETTO255 } from '../server/groups.js';
import {
  RECORD_FILES,
  recordVerifies,
  type StudyRecordFiles,
  verifyRecord,
} from '../shared/studies/record.js';

function readRecord(dir: string): StudyRecordFiles {
  const read = (name: string): unknown => {
    const path = join(dir, name);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new Error(`${path} cannot be read: a record holds ${Object.values(RECORD_FILES).join(', ')}.`);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${path} is not JSON.`);
    }
  };
  return {
    study: read(RECORD_FILES.study),
    ceremony: read(RECORD_FILES.ceremony),
    contributions: read(RECORD_FILES.contributions),
    tally: read(RECORD_FILES.tally),
    decryptions: read(RECORD_FILES.decryptions),
    result: read(RECORD_FILES.result),
  };
}

const [command, dir] = process.argv.slice(2);
try {
  if (command !== 'verify' || !dir) throw new Error('usage: npm run study -- verify DIR');
  // The service's libsodium group (the addon, or its WASM build).
  const checks = await verifyRecord(RISTRETTO255, readRecord(dir));
  for (const { check, ok, detail } of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${check}: ${detail}`);
  const verified = recordVerifies(checks);
  console.log(verified ? 'The record verifies.' : 'The record does NOT verify.');
  if (!verified) process.exitCode = 1;
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
