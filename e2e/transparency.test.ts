/**
 * Issue 17's findings, tried in Chromium as an operator who controls the service would: the service
 * here logs and serves Framingham version 2 (a new commitment) honestly, and each test then answers
 * this one device differently — an unlogged version, a checkpoint without its quorum, a forked or
 * rolled-back log (signed with the real log key, and with colluding witnesses' keys), an older
 * version, a look-alike of a shipped calculator. Each is refused with the message the patient sees,
 * and nothing is sent; the honest version is used after its inclusion proof.
 */

import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, numberToBytesLE } from '@noble/curves/utils.js';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { readLog } from '../server/log/log-files.js';
import { signedCheckpoint } from '../server/log/test-support.js';
import { DEFAULT_MODELS_DIR, loadServedCatalog } from '../server/served-catalog.js';
import { computationToWireV2 } from '../shared/computations/catalog.js';
import { ristretto255Group } from '../shared/groups/ristretto255.js';
import { entryBytes, hashToBase64Url, modelLogEntry } from '../shared/log/entries.js';
import { leafHash, MerkleTree } from '../shared/log/merkle.js';
import type { SignerKey } from '../shared/log/note.js';
import { randomBelow } from '../shared/random.js';
import { setUpBrowserTests } from './harness.js';
import { computeExpectingAlert, computeResult, field, openComputation } from './pages.js';

const TITLE = 'Framingham 10-year cardiovascular risk';
const ID = 'framingham-2008';

/** The built-in models, with Framingham at version 2: a new ρ, so a new commitment, as new-version makes. */
function modelsWithFraminghamV2(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sealed-vitals-models-v2-'));
  for (const name of readdirSync(DEFAULT_MODELS_DIR))
    copyFileSync(join(DEFAULT_MODELS_DIR, name), join(dir, name));
  const bump = (name: string, change: (json: Record<string, unknown>) => Record<string, unknown>) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(change(JSON.parse(readFileSync(file, 'utf8')))));
  };
  bump(`${ID}.model.json`, (json) => ({ ...json, version: 2 }));
  const rho = bytesToHex(numberToBytesLE(randomBelow(ristretto255Group.order), 32));
  bump(`${ID}.private.json`, (json) => ({ ...json, version: 2, rho }));
  return dir;
}

const modelsDir = modelsWithFraminghamV2();
const browserTests = setUpBrowserTests({ modelsDir });

const PATIENT = { sex: 'Male', age: 61, cholesterol: 180, hdl: 47, sbp: 124 } as const;

async function fillFramingham(page: Page): Promise<void> {
  await page.getByRole('radio', { name: PATIENT.sex, exact: true }).check();
  await field(page, 'Age').fill(String(PATIENT.age));
  await field(page, 'Total cholesterol').fill(String(PATIENT.cholesterol));
  await field(page, 'HDL cholesterol').fill(String(PATIENT.hdl));
  await field(page, 'Systolic blood pressure').fill(String(PATIENT.sbp));
  await field(page, 'Current smoker').setChecked(true);
  await field(page, 'Diabetes').setChecked(true);
}

/** Every evaluation the page or its worker sends. */
function evaluationsSent(page: Page): string[] {
  const sent: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().includes('/evaluate')) sent.push(request.url());
  });
  return sent;
}

/** The log as the service holds it: its entries' lines, in order. */
function honestLines(): string[] {
  return [...readLog(browserTests.transparency.logDir).lines];
}

/**
 * A log of `lines` that the operator signs with the real log key; `cosigners` are witnesses
 * colluding with it (their real keys). Served to one page in place of the real log.
 */
function forgedLog(lines: readonly string[], cosigners: readonly SignerKey[]) {
  const { policy, logKey } = browserTests.transparency;
  const encoder = new TextEncoder();
  const tree = new MerkleTree(lines.map((line) => leafHash(encoder.encode(line))));
  return { tree, checkpoint: signedCheckpoint(policy.origin, tree, logKey, cosigners) };
}

/** Answers the log's routes from `log` for this page (its worker's requests included). */
async function serveLog(page: Page | BrowserContext, log: ReturnType<typeof forgedLog>): Promise<void> {
  await page.route('**/api/v2/log/**', async (route: Route) => {
    const url = new URL(route.request().url());
    const number = (name: string) => Number(url.searchParams.get(name));
    if (url.pathname.endsWith('/checkpoint'))
      return route.fulfill({ contentType: 'text/plain', body: log.checkpoint });
    if (url.pathname.endsWith('/inclusion')) {
      const [index, size] = [number('index'), number('size')];
      const proof = log.tree.inclusionProof(index, size).map(hashToBase64Url);
      return route.fulfill({ json: { index, size, proof } });
    }
    if (url.pathname.endsWith('/consistency')) {
      const [from, to] = [number('from'), number('to')];
      return route.fulfill({
        json: { from, to, proof: log.tree.consistencyProof(from, to).map(hashToBase64Url) },
      });
    }
    return route.continue();
  });
}

/** Serves the catalog with Framingham's entry replaced by `entry` (undefined: dropped), others as they are. */
async function serveCatalog(
  page: Page | BrowserContext,
  change: (entries: Record<string, unknown>[]) => Record<string, unknown>[],
): Promise<void> {
  await page.route('**/api/v2/computations', async (route) => {
    const real = await route.fetch();
    const catalog = (await real.json()) as { computations: Record<string, unknown>[] };
    await route.fulfill({ response: real, json: { computations: change(catalog.computations) } });
  });
}

/** Framingham's real catalog entry at version `version` with another commitment: another model. */
function otherFramingham(version: number, index: number): Record<string, unknown> {
  const real = loadServedCatalog(modelsDir).get(ID);
  if (!real) throw new Error('Framingham is served');
  const entry = JSON.parse(JSON.stringify(computationToWireV2(real.computation))) as Record<string, unknown>;
  // 7·G: a valid element, standing for the commitment to a model with other weights.
  const evaluation = { kind: 'private-linear', commitment: 'RPU1IJJuyB-9Wjh4Rb6334WpaiTs4Yc4vc-mp4IqF20' };
  const model = { ...(entry.model as Record<string, unknown>), version };
  return { ...entry, version, evaluation, model, log: { index } };
}

const lineOf = (entry: Record<string, unknown>) => new TextDecoder().decode(entryBytes(modelLogEntry(entry)));
const replaceFramingham = (entry: Record<string, unknown>) => (entries: Record<string, unknown>[]) =>
  entries.map((e) => (e.id === ID ? entry : e));

async function expectRefused(page: Page, why: RegExp): Promise<void> {
  const sent = evaluationsSent(page);
  await openComputation(page, TITLE);
  await fillFramingham(page);
  const alert = await computeExpectingAlert(page);
  expect(alert).toContain('does not trust what the service now declares, so nothing was sent');
  expect(alert).toMatch(why);
  expect(sent).toEqual([]);
}

describe('a model version every patient gets, or none (issue 17)', () => {
  test('an honest new version is used after its inclusion proof; the card shows its version, fingerprint and log entry', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, TITLE);
    await fillFramingham(page);
    await computeResult(page);
    await expect
      .poll(() => page.getByTestId('result-model').textContent())
      .toMatch(/version 2 \(not shipped with this app/);
    const fingerprint = (await page.getByTestId('result-fingerprint').textContent()) ?? '';
    expect(fingerprint).toMatch(/^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
    const index = honestLines().findIndex(
      (line) => line.includes('"id":"framingham-2008"') && line.includes('"version":2'),
    );
    expect(index).toBeGreaterThanOrEqual(0);
    expect(await page.getByTestId('result-verified').textContent()).toContain(
      `entry ${index} of the service’s public transparency log`,
    );
    await page.getByText('What left this device').click();
    const log = page.getByTestId('transcript-log');
    await expect.poll(() => log.textContent()).toContain(`inclusion proof of entry ${index}`);
  });

  test('finding 1: a version the log does not hold is refused (one device shown its own "new version")', async () => {
    const page = await browserTests.newPage();
    await serveCatalog(page, replaceFramingham(otherFramingham(7, 5)));
    await expectRefused(page, /version 7 is not in the public transparency log/);
  });

  test('a checkpoint signed by the log alone (no quorum of witnesses) is refused', async () => {
    const page = await browserTests.newPage();
    const forged = otherFramingham(7, honestLines().length);
    await serveCatalog(page, replaceFramingham(forged));
    await serveLog(page, forgedLog([...honestLines(), lineOf(forged)], []));
    await expectRefused(page, /cosigned by 0 of the 3 witnesses; 2 are needed/);
  });

  test('finding 2 and a fork: after an honest checkpoint, a forked one is refused even with colluding witnesses; a rollback too', async () => {
    const context = await browserTests.newContext();
    const honest = await context.newPage();
    await openComputation(honest, TITLE);
    await fillFramingham(honest);
    await computeResult(honest);
    await honest.close();

    // A forked tree of the same history but one entry, with a version 3 for this device only.
    const lines = honestLines();
    const forged = otherFramingham(3, lines.length);
    const forkedLines = [...lines.slice(0, -1), lineOf({ ...forged, title: 'x' }), lineOf(forged)];
    const colluders = browserTests.transparency.witnessKeys.slice(0, 2);
    const forkPage = await context.newPage();
    await serveCatalog(forkPage, replaceFramingham(forged));
    await serveLog(forkPage, forgedLog(forkedLines, colluders));
    await expectRefused(forkPage, /not an extension of the one this device has seen \(a forked log\)/);
    await forkPage.close();

    // The log as it was one entry ago, cosigned all the same: older than what this device has seen.
    const rollback = await context.newPage();
    await serveCatalog(rollback, replaceFramingham(otherFramingham(3, lines.length - 2)));
    await serveLog(rollback, forgedLog(lines.slice(0, -1), colluders));
    await expectRefused(rollback, /older than the one this device has already seen/);
    await rollback.close();

    // Version 1 again (the one the app ships): a version never goes back on a device.
    const older = await context.newPage();
    const v1 = loadServedCatalog().get(ID);
    if (!v1) throw new Error('Framingham is built in');
    await serveCatalog(
      older,
      replaceFramingham(JSON.parse(JSON.stringify(computationToWireV2(v1.computation)))),
    );
    await expectRefused(older, /already used version 2: a version never goes back/);
  });

  test('finding 4: a look-alike of a shipped calculator is not listed, and cannot be used', async () => {
    const page = await browserTests.newPage();
    const real = loadServedCatalog(modelsDir).get('cha2ds2-vasc');
    if (!real) throw new Error('CHA₂DS₂-VASc is built in');
    const entry = JSON.parse(JSON.stringify(computationToWireV2(real.computation))) as Record<
      string,
      unknown
    >;
    const lookalike = {
      ...entry,
      id: 'cha2ds2-vasc-update',
      model: { ...(entry.model as Record<string, unknown>), id: 'cha2ds2-vasc-update' },
    };
    await serveCatalog(page, (entries) => [...entries.filter((e) => e.id !== 'cha2ds2-vasc'), lookalike]);
    await page.goto('/');
    const navigation = page.getByRole('navigation', { name: 'Main' });
    await navigation.getByRole('button', { name: 'Calculators' }).click();
    await navigation.getByRole('link', { name: TITLE, exact: true }).waitFor();
    // Listed until the catalog is checked (the shipped calculators); then neither it nor its look-alike.
    await expect.poll(() => navigation.getByRole('link', { name: /CHA₂DS₂-VASc/ }).count()).toBe(0);
    await page.goto('/computations/cha2ds2-vasc-update');
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  });
});
