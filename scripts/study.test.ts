/** `npm run study -- verify DIR` on a record written to disk: exit 0 when it verifies, 1 naming the check when not. */

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORD_FILES, type StudyRecordFiles } from '../shared/studies/record.js';
import { makeStudyRecord } from '../shared/studies/test-support.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sealed-vitals-study-record-'));

function write(record: StudyRecordFiles): void {
  for (const [part, name] of Object.entries(RECORD_FILES))
    writeFileSync(join(dir, name), JSON.stringify(record[part as keyof StudyRecordFiles]));
}

async function verify(): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run('npx', ['tsx', 'scripts/study.ts', 'verify', dir]);
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('npm run study -- verify', () => {
  let record: StudyRecordFiles;
  beforeAll(async () => {
    record = await makeStudyRecord(4);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 on a record that verifies, and 1 naming the failed check on one that does not', {
    timeout: 60_000,
  }, async () => {
    write(record);
    const good = await verify();
    expect(good.output).toContain('The record verifies.');
    expect(good.code).toBe(0);

    const result = record.result as { totals: string[] };
    write({
      ...record,
      result: { ...result, totals: result.totals.map((t, i) => (i === 0 ? String(BigInt(t) + 1n) : t)) },
    });
    const bad = await verify();
    expect(bad.output).toContain('FAIL result: its totals are not the decrypted tally');
    expect(bad.code).toBe(1);
  });
});
