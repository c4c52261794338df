/**
 * The command for a study's published record (docs/STUDIES.md, "The record"):
 *   npm run study -- verify DIR    check the record in DIR from scratch: the study file, the key
 *                                  ceremony, every contribution's token and proofs, that the tally is
 *                                  the sum of exactly those contributions, every partial decryption's
 *                                  proof, and the released figures; exit 0 only if everything holds.
 *   npm run study -- demo --patients N --out DIR
 *                                  run a whole study on this machine (scripts/study-demo.ts): a 2-of-3
 *                                  ceremony, N synthetic patients contributing over HTTP with real
 *                                  tokens and proofs, closing, two trustees decrypting; write its
 *                                  record in DIR and verify it.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RISTRETTO255 } from '../server/groups.js';
import {
  RECORD_FILES,
  recordVerifies,
  type StudyRecordFiles,
  verifyRecord,
} from '../shared/studies/record.js';
import { runDemo } from './study-demo.js';

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

const USAGE = 'usage: npm run study -- verify DIR | demo --patients N --out DIR';

async function demo(args: readonly string[]): Promise<void> {
  const patients = Number(args[args.indexOf('--patients') + 1]);
  const out = args[args.indexOf('--out') + 1];
  if (!args.includes('--patients') || !Number.isInteger(patients) || patients < 1 || patients > 100_000)
    throw new Error(`--patients must be a whole number from 1 to 100,000.\n${USAGE}`);
  if (!args.includes('--out') || !out) throw new Error(`--out DIR is missing.\n${USAGE}`);
  if (existsSync(out) && readdirSync(out).length > 0)
    throw new Error(`${out} is not empty: the demo writes a new record.`);
  const report = await runDemo(patients, out, (line) => console.log(line));
  if (!recordVerifies(report.checks) || !report.totalsMatchAnswers) process.exitCode = 1;
}

const [command, dir] = process.argv.slice(2);
try {
  if (command === 'demo') await demo(process.argv.slice(3));
  else if (command !== 'verify' || !dir) throw new Error(USAGE);
  else {
    // The service's libsodium group (the addon, or its WASM build).
    const checks = await verifyRecord(RISTRETTO255, readRecord(dir));
    for (const { check, ok, detail } of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${check}: ${detail}`);
    const verified = recordVerifies(checks);
    console.log(verified ? 'The record verifies.' : 'The record does NOT verify.');
    if (!verified) process.exitCode = 1;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
