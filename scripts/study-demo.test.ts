/**
 * `npm run study -- demo`: a whole study over HTTP (ceremony, real tokens, proofs, closing, two trustees
 * decrypting); the record it writes verifies, its totals are the sums of the synthetic answers, and the
 * directory holds only what is published (no trustee secret).
 */

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { RECORD_FILES, recordVerifies } from '../shared/studies/record.js';
import { runDemo } from './study-demo.js';

const out = join(mkdtempSync(join(tmpdir(), 'sealed-vitals-demo-test-')), 'record');
afterAll(() => rmSync(join(out, '..'), { recursive: true, force: true }));

it('runs a study of 12 patients end to end; its record verifies and holds the sums of their answers', {
  timeout: 180_000,
}, async () => {
  const report = await runDemo(12, out, () => undefined);
  expect(report.accepted).toBe(12);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(recordVerifies(report.checks)).toBe(true);
  expect(report.totalsMatchAnswers).toBe(true);
  expect(readdirSync(out).sort()).toEqual(Object.values(RECORD_FILES).sort());
});
