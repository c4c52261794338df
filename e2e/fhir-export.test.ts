/**
 * The history's FHIR export in Chromium: Framingham and BMI computed through the encrypted path, the
 * whole history downloaded as a Bundle and one result as a resource of its own, read back here and
 * checked against what the result card showed (value, grade, fingerprint) and against HL7's FHIR R4
 * JSON schema; made on the device, with no request and nothing of it in a URL or the console.
 */

import { readFile } from 'node:fs/promises';
import type { Download, Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import type {
  Bundle,
  Observation,
  ResultResource,
  RiskAssessment,
} from '../web/features/history/fhir-export.js';
import {
  type FhirValidator,
  fhirR4Validator,
  SCHEMA_COMPILE_TIMEOUT_MS,
} from '../web/features/history/test-support.js';
import { setUpBrowserTests } from './harness.js';
import { recordExchanges } from './outgoing.js';
import { BMI_TITLE, computeResult, field, fillBmi, openComputation } from './pages.js';

const browserTests = setUpBrowserTests();

let validate: FhirValidator;
beforeAll(() => {
  validate = fhirR4Validator();
}, SCHEMA_COMPILE_TIMEOUT_MS);

const FRAMINGHAM_TITLE = 'Framingham 10-year cardiovascular risk';

interface Card {
  readonly value: string;
  readonly category: string;
  readonly fingerprint: string;
}

async function card(page: Page): Promise<Card> {
  const shown = await computeResult(page);
  return { ...shown, fingerprint: (await page.getByTestId('result-fingerprint').textContent()) ?? '' };
}

/** "10.5 %" → 10.5, "26.9 kg/m²" → 26.9 */
function leadingNumber(display: string): number {
  const match = /^\d+(\.\d+)?/.exec(display);
  if (!match) throw new Error(`No number in “${display}”`);
  return Number(match[0]);
}

async function downloaded(
  page: Page,
  press: () => Promise<void>,
): Promise<{ file: Download; json: unknown }> {
  const download = page.waitForEvent('download');
  await press();
  const file = await download;
  return { file, json: JSON.parse(await readFile((await file.path()) ?? '', 'utf8')) };
}

function contained(resource: ResultResource, reference: string | undefined) {
  const found = resource.contained?.find((r) => `#${r.id}` === reference);
  if (!found) throw new Error(`${reference} is not in the resource`);
  return found as Observation;
}

function inputCoded(resource: ResultResource, loinc: string): Observation {
  const references =
    resource.resourceType === 'RiskAssessment' ? resource.basis : (resource.derivedFrom ?? []);
  const found = references
    .map((r) => contained(resource, r.reference))
    .find((o) => o.code.coding?.some((c) => c.system === 'http://loinc.org' && c.code === loinc));
  if (!found) throw new Error(`No input coded ${loinc}`);
  return found;
}

/** The Device the result names as who computed it: the computation, its version and fingerprint. */
function computationOf(resource: ResultResource) {
  const reference = resource.resourceType === 'RiskAssessment' ? resource.performer : resource.device;
  const device = resource.contained?.find((r) => `#${r.id}` === reference?.reference);
  if (device?.resourceType !== 'Device') throw new Error('No Device for the computation');
  return {
    id: device.deviceName.find((n) => n.type === 'model-name')?.name,
    version: device.version[0]?.value,
    fingerprint: device.identifier?.[0]?.value,
  };
}

describe('FHIR export from the history', () => {
  test('Framingham and BMI as a Bundle and one by one, as the cards showed them, valid R4', async () => {
    const context = await browserTests.newContext();
    const page = await context.newPage();
    const logged: string[] = [];
    page.on('console', (message) => logged.push(message.text()));

    await openComputation(page, FRAMINGHAM_TITLE);
    await page.getByRole('radio', { name: 'Female', exact: true }).check();
    await field(page, 'Age').fill('61');
    await field(page, 'Total cholesterol unit').selectOption('mg/dL');
    await field(page, 'Total cholesterol').fill('180');
    await field(page, 'HDL cholesterol unit').selectOption('mmol/L');
    await field(page, 'HDL cholesterol').fill('1.22');
    await field(page, 'Systolic blood pressure').fill('124');
    await field(page, 'Current smoker').setChecked(true);
    const risk = await card(page);

    await openComputation(page, BMI_TITLE);
    await fillBmi(page, { weight: '83.7', weightUnit: 'kg', height: '176.4', heightUnit: 'cm' });
    const bmi = await card(page);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
    await page.getByTestId('history-entry').nth(1).waitFor();
    const exchanges = recordExchanges(context);

    const all = await downloaded(page, () => page.getByRole('button', { name: 'Download as FHIR' }).click());
    expect(all.file.suggestedFilename()).toMatch(/^sealed-vitals-history-\d{4}-\d\d-\d\d\.fhir\.json$/);
    // The file is a Blob the page made: its address names the Blob, never the content.
    expect(all.file.url()).toMatch(/^blob:/);
    expect(validate(all.json)).toEqual([]);
    const bundle = all.json as Bundle;
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.type).toBe('collection');
    const [assessment, observation] = bundle.entry.map((e) => e.resource) as [RiskAssessment, Observation];

    // Framingham: a RiskAssessment with the risk the card showed, in percent as R4 writes it.
    expect(assessment.resourceType).toBe('RiskAssessment');
    expect(assessment.prediction[0]?.probabilityDecimal).toBe(leadingNumber(risk.value));
    expect(assessment.prediction[0]?.qualitativeRisk?.text).toBe(risk.category);
    expect(computationOf(assessment)).toEqual({
      id: 'framingham-2008',
      version: '1',
      fingerprint: risk.fingerprint,
    });
    expect(assessment.method.text).toContain(risk.fingerprint);
    expect(assessment.note[0]?.text).toMatch(/verified that proof before it decrypted the result/);
    const hdl = inputCoded(assessment, '14646-4');
    expect(hdl.valueQuantity).toEqual({
      value: 1.22,
      unit: 'mmol/L',
      system: 'http://unitsofmeasure.org',
      code: 'mmol/L',
    });
    expect(inputCoded(assessment, '2093-3').valueQuantity?.value).toBe(180);
    expect(inputCoded(assessment, '8480-6').valueQuantity?.code).toBe('mm[Hg]');
    expect(inputCoded(assessment, '72166-2').valueCodeableConcept?.coding?.[0]?.code).toBe('77176002');

    // BMI: an Observation coded 39156-5 with the value the card showed.
    expect(observation.resourceType).toBe('Observation');
    expect(observation.code.coding?.[0]).toMatchObject({ system: 'http://loinc.org', code: '39156-5' });
    expect(observation.valueQuantity).toEqual({
      value: leadingNumber(bmi.value),
      unit: 'kg/m²',
      system: 'http://unitsofmeasure.org',
      code: 'kg/m2',
    });
    expect(observation.interpretation?.[0]?.text).toBe(bmi.category);
    expect(computationOf(observation)).toEqual({ id: 'bmi', version: '1', fingerprint: bmi.fingerprint });
    expect(inputCoded(observation, '29463-7').valueQuantity?.value).toBe(83.7);
    expect(inputCoded(observation, '8302-2').valueQuantity?.value).toBe(176.4);

    // One result on its own: the same resource as in the Bundle.
    const row = page.getByRole('region', { name: BMI_TITLE, exact: true }).getByTestId('history-entry');
    const one = await downloaded(page, () =>
      row.getByRole('button', { name: /^FHIR file of the result of/ }).click(),
    );
    expect(one.file.suggestedFilename()).toMatch(/^sealed-vitals-bmi-\d{4}-\d\d-\d\d\.fhir\.json$/);
    expect(validate(one.json)).toEqual([]);
    expect(one.json).toEqual(observation);

    // Made on this device: nothing sent (at most the public catalog and log, the same for every
    // patient, read again in the background), and no value in the console.
    expect(exchanges.filter((e) => e.method !== 'GET')).toEqual([]);
    expect(
      exchanges
        .map((e) => new URL(e.url).pathname)
        .filter((path) => path !== '/api/v2/computations' && !path.startsWith('/api/v2/log/')),
    ).toEqual([]);
    for (const shown of [risk.value, bmi.value, '83.7', '176.4'])
      expect(logged.filter((line) => line.includes(shown))).toEqual([]);
  });
});
