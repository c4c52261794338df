/**
 * Saving a result to the connected health record, in Chromium against the loopback FHIR server
 * (e2e/smart/fhir-server.ts) and a build with write-back (VITE_SMART_WRITE=1): the launch asks for
 * `patient/RiskAssessment.c patient/Observation.c`; "Save to your health record" appears on a
 * history entry only when the granted scopes allow creating its resource type; nothing is written
 * before the patient confirms a dialog naming the resource type, the value, the server and the
 * patient; then the server holds one RiskAssessment about the launch's patient with the probability
 * the card showed, valid FHIR R4, its inputs contained. A refused write shows the server's reason,
 * never the token; the server refuses a resource about another patient.
 */

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Observation, RiskAssessment } from '../web/features/history/fhir-export.js';
import {
  type FhirValidator,
  fhirR4Validator,
  SCHEMA_COMPILE_TIMEOUT_MS,
} from '../web/features/history/test-support.js';
import { BMI_TITLE, computeResult, field, fillBmi, navigateToComputation } from './pages.js';
import { setUpSmartBrowserTests, storedText } from './smart/browser.js';

const { fhirServer, browserTests, registerApp } = await setUpSmartBrowserTests({ write: true });

const FRAMINGHAM_TITLE = 'Framingham 10-year cardiovascular risk';
const SAVE = /^Save to your health record/;
const WRITE_SCOPES = ['patient/RiskAssessment.c', 'patient/Observation.c'];

let validate: FhirValidator;
beforeAll(() => {
  validate = fhirR4Validator();
}, SCHEMA_COMPILE_TIMEOUT_MS);

/** A new page, connected by a standalone launch from the Framingham calculator. */
async function connectedPage(): Promise<{ page: Page; consoleLines: string[] }> {
  registerApp();
  const page = await browserTests.newPage();
  const consoleLines: string[] = [];
  page.on('console', (message) => consoleLines.push(message.text()));
  await page.goto('/computations/framingham-2008');
  await page.getByRole('heading', { level: 1, name: FRAMINGHAM_TITLE }).waitFor();
  await page.getByRole('button', { name: 'Connect your health record' }).click();
  await page.getByRole('button', { name: 'Fill from your health record (connected)' }).waitFor();
  return { page, consoleLines };
}

/** Computes Framingham as typed (the page is on its calculator); the card's value, e.g. "10.5 %". */
async function computeFramingham(page: Page): Promise<string> {
  await page.getByRole('radio', { name: 'Female', exact: true }).check();
  await field(page, 'Age').fill('61');
  await field(page, 'Total cholesterol unit').selectOption('mg/dL');
  await field(page, 'Total cholesterol').fill('180');
  await field(page, 'HDL cholesterol unit').selectOption('mg/dL');
  await field(page, 'HDL cholesterol').fill('47');
  await field(page, 'Systolic blood pressure').fill('124');
  await field(page, 'Current smoker').setChecked(true);
  return (await computeResult(page)).value;
}

async function computeBmi(page: Page): Promise<string> {
  await navigateToComputation(page, BMI_TITLE);
  await fillBmi(page, { weight: '83.7', weightUnit: 'kg', height: '176.4', heightUnit: 'cm' });
  return (await computeResult(page)).value;
}

/** In-app navigation: the page, and so the connection in its memory, stays. */
async function openHistory(page: Page, entries: number): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
  await page
    .getByTestId('history-entry')
    .nth(entries - 1)
    .waitFor();
}

function section(page: Page, title: string) {
  return page.getByRole('region', { name: title, exact: true });
}

/** "10.5 %" → 10.5 */
function leadingNumber(display: string): number {
  const match = /^\d+(\.\d+)?/.exec(display);
  if (!match) throw new Error(`No number in “${display}”`);
  return Number(match[0]);
}

function writes() {
  return fhirServer.requests.filter((r) => r.method === 'POST' && r.url.startsWith('/fhir/'));
}

function askedScopes(): string[] {
  const authorization = fhirServer.requests.filter((r) => r.url.startsWith('/auth/authorize')).at(-1);
  return (new URL(authorization?.url ?? '/', fhirServer.origin).searchParams.get('scope') ?? '').split(' ');
}

describe('saving a result to the connected health record', () => {
  test('Framingham, saved after the click and the confirmation: the server holds it, about the patient, valid R4', async () => {
    const { page, consoleLines } = await connectedPage();
    expect(askedScopes()).toEqual(expect.arrayContaining(WRITE_SCOPES));
    const shown = await computeFramingham(page);
    await openHistory(page, 1);
    const before = (await fhirServer.created()).length;

    // The click opens a confirmation that says what would be written; nothing is sent yet.
    const save = section(page, FRAMINGHAM_TITLE).getByRole('button', { name: SAVE });
    await save.click();
    const dialog = page.getByRole('dialog', { name: 'Save this result to your health record?' });
    await dialog.waitFor();
    const said = (await dialog.textContent()) ?? '';
    expect(said).toContain(
      `This writes one RiskAssessment to your health record at ${new URL(fhirServer.origin).host}`,
    );
    expect(said).toContain(fhirServer.issuer);
    expect(said).toContain(`Patient/${fhirServer.patientId}`);
    expect(said).toContain(`${FRAMINGHAM_TITLE}: ${leadingNumber(shown)} %`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(writes()).toEqual([]);

    await save.click();
    await dialog.getByRole('button', { name: 'Save to my record' }).click();
    const saved = page.getByTestId('saved-to-record');
    await saved.waitFor();

    const created = (await fhirServer.created()).slice(before);
    expect(created).toHaveLength(1);
    const assessment = created[0] as RiskAssessment & { id: string };
    expect(await saved.textContent()).toBe(
      `Saved to your health record at ${new URL(fhirServer.origin).host} as RiskAssessment/${assessment.id}.`,
    );
    expect(assessment.resourceType).toBe('RiskAssessment');
    expect(assessment.subject).toEqual({ reference: `Patient/${fhirServer.patientId}` });
    expect(assessment.prediction[0]?.probabilityDecimal).toBe(leadingNumber(shown));
    expect(validate(assessment)).toEqual([]);
    // The inputs went contained, as in a FHIR file: the systolic pressure as typed, in UCUM.
    const inputs = assessment.basis.map((b) => assessment.contained.find((r) => `#${r.id}` === b.reference));
    expect(inputs).toHaveLength(8);
    const sbp = inputs.find(
      (o) => o?.resourceType === 'Observation' && o.code.coding?.some((c) => c.code === '8480-6'),
    ) as Observation | undefined;
    expect(sbp?.valueQuantity).toMatchObject({ value: 124, code: 'mm[Hg]' });

    // One write, the token in its Authorization header only; not on the page, in storage or the console.
    const token = fhirServer.issuedTokens.at(-1) ?? '';
    expect(writes()).toEqual([
      { method: 'POST', url: '/fhir/RiskAssessment', authorization: `Bearer ${token}` },
    ]);
    expect(JSON.stringify(assessment)).not.toContain(token);
    expect(await page.locator('body').textContent()).not.toContain(token);
    expect(await storedText(page)).not.toContain(token);
    expect(consoleLines.filter((line) => line.includes(token))).toEqual([]);
    // Saved: the button gives way to where it went, so one click writes once.
    expect(await section(page, FRAMINGHAM_TITLE).getByRole('button', { name: SAVE }).count()).toBe(0);
  }, 120_000);

  test('the button only where the granted scopes allow creating that resource type', async () => {
    const writesBefore = writes().length;
    // The patient unticks the RiskAssessment write at sign-in: BMI (an Observation) may be saved, Framingham not.
    fhirServer.declineScopes(['patient/RiskAssessment.c']);
    try {
      const { page } = await connectedPage();
      expect(askedScopes()).toEqual(expect.arrayContaining(WRITE_SCOPES));
      await computeFramingham(page);
      await computeBmi(page);
      await openHistory(page, 2);
      const fhirFile = { name: /^FHIR file of the result of/ };
      await section(page, FRAMINGHAM_TITLE).getByRole('button', fhirFile).waitFor();
      expect(await section(page, FRAMINGHAM_TITLE).getByRole('button', { name: SAVE }).count()).toBe(0);
      expect(await section(page, BMI_TITLE).getByRole('button', { name: SAVE }).count()).toBe(1);
    } finally {
      fhirServer.declineScopes([]);
    }
    // Neither is granted: no button at all.
    fhirServer.declineScopes(WRITE_SCOPES);
    try {
      const { page } = await connectedPage();
      await computeFramingham(page);
      await computeBmi(page);
      await openHistory(page, 2);
      await section(page, BMI_TITLE)
        .getByRole('button', { name: /^FHIR file of the result of/ })
        .waitFor();
      expect(await page.getByRole('button', { name: SAVE }).count()).toBe(0);
    } finally {
      fhirServer.declineScopes([]);
    }
    expect(writes()).toHaveLength(writesBefore);
  }, 180_000);

  test('a refused write shows the server’s reason and no token; the server refuses another patient', async () => {
    const { page, consoleLines } = await connectedPage();
    const shown = await computeBmi(page);
    expect(shown).toContain('kg/m²');
    await openHistory(page, 1);
    const before = (await fhirServer.created()).length;
    // Between the launch and the click, the patient withdraws the write at the server.
    fhirServer.withdrawScope('patient/Observation.c');

    await section(page, BMI_TITLE).getByRole('button', { name: SAVE }).click();
    const dialog = page.getByRole('dialog', { name: 'Save this result to your health record?' });
    expect(await dialog.textContent()).toContain('This writes one Observation');
    await dialog.getByRole('button', { name: 'Save to my record' }).click();
    const failure = page.getByTestId('save-to-record-failed');
    await failure.waitFor();
    expect(await failure.textContent()).toBe(
      'The health record server refused to save it (403): This access does not allow creating Observation ' +
        'resources (patient/Observation.c). Nothing was saved.',
    );
    const token = fhirServer.issuedTokens.at(-1) ?? '';
    expect(await page.locator('body').textContent()).not.toContain(token);
    expect(await storedText(page)).not.toContain(token);
    expect(consoleLines.filter((line) => line.includes(token))).toEqual([]);
    expect(await fhirServer.created()).toHaveLength(before);

    // The server itself: with a token that may create RiskAssessments, one about another patient is refused.
    const { page: other } = await connectedPage();
    await other.close();
    const response = await fetch(`${fhirServer.issuer}/RiskAssessment`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${fhirServer.issuedTokens.at(-1)}`,
        'content-type': 'application/fhir+json',
      },
      body: JSON.stringify({
        resourceType: 'RiskAssessment',
        status: 'final',
        subject: { reference: 'Patient/other-patient' },
      }),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      resourceType: 'OperationOutcome',
      issue: [
        {
          severity: 'error',
          code: 'forbidden',
          diagnostics: `A RiskAssessment may be written about Patient/${fhirServer.patientId} only, not about Patient/other-patient.`,
        },
      ],
    });
    expect(await fhirServer.created()).toHaveLength(before);
  }, 120_000);
});
