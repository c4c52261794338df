/**
 * The app believes no answer that does not prove itself (protocol v2). Against a service that forges
 * a result and keeps the honest proof, replays an older answer, or sends a selective-failure probe
 * (a result that would decode for some inputs and fail for others), the app decrypts nothing, says
 * so, and never sends the same ciphertexts again; an honest answer is shown as verified.
 */

import type { Page, Route } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { ffdheGroup, ristretto255Group } from '../shared/groups/index.js';
import { base64UrlToBytes, bytesToBase64Url } from '../shared/wire.js';
import { setUpBrowserTests } from './harness.js';
import {
  BMI_TITLE,
  CHA2DS2_VASC_TITLE,
  computeExpectingAlert,
  computeResult,
  field,
  fillBmi,
  fillCha2ds2Vasc,
  openComputation,
} from './pages.js';

const browserTests = setUpBrowserTests();
const EVALUATE = '**/api/v2/computations/*/evaluate';
const FAILED = 'The service’s answer failed verification; nothing was decrypted.';

interface Wire {
  readonly a: string;
  readonly b: string;
}
interface Answer {
  outputs: Record<string, Wire>;
  proof: unknown;
}
interface Request {
  inputs: Record<string, Wire>;
}

/** How an attacker who holds the patient's public key alters ciphertexts, in either kind of group. */
interface Tampering {
  /** E(m) → E(m + 1) (additive) or E(2m) (multiplicative), with no randomness of its own. */
  shift(c: Wire): Wire;
  /** E(m) · E(x)^k: the output made to depend on an input beyond what is declared. */
  mixIn(c: Wire, input: Wire, k: bigint): Wire;
}

const additive: Tampering = (() => {
  const g = ristretto255Group;
  const el = (s: string) => g.fromBytes(base64UrlToBytes(s, 'element'));
  const wire = (e: ReturnType<typeof el>) => bytesToBase64Url(g.toBytes(e));
  return {
    shift: (c) => ({ a: c.a, b: wire(g.multiply(el(c.b), g.generator)) }),
    mixIn: (c, x, k) => ({
      a: wire(g.multiply(el(c.a), g.pow(el(x.a), k))),
      b: wire(g.multiply(g.multiply(el(c.b), g.pow(el(x.b), k)), g.powGenerator(-k))),
    }),
  };
})();

const multiplicative: Tampering = (() => {
  const g = ffdheGroup('ffdhe3072');
  const el = (s: string) => g.fromBytes(base64UrlToBytes(s, 'element'));
  const wire = (e: bigint) => bytesToBase64Url(g.toBytes(e));
  return {
    shift: (c) => ({ a: c.a, b: wire(g.multiply(el(c.b), g.p - 2n)) }),
    mixIn: (c, x, k) => ({
      a: wire(g.multiply(el(c.a), g.pow(el(x.a), k))),
      b: wire(g.multiply(el(c.b), g.pow(el(x.b), k))),
    }),
  };
})();

interface Case {
  readonly title: string;
  readonly tampering: Tampering;
  /** The input the selective-failure probe mixes into the first output. */
  readonly probedInput: string;
  fill(page: Page, variant: number): Promise<void>;
}

const CASES: readonly Case[] = [
  {
    title: CHA2DS2_VASC_TITLE,
    tampering: additive,
    probedInput: 'diabetes',
    fill: (page, variant) =>
      fillCha2ds2Vasc(page, { age: 70 + variant, sex: 'Female', conditions: ['Hypertension'] }),
  },
  {
    title: 'Framingham 10-year cardiovascular risk',
    tampering: additive,
    probedInput: 'diabetesMale',
    async fill(page, variant) {
      await page.getByRole('radio', { name: 'Male', exact: true }).check();
      await field(page, 'Age').fill(String(55 + variant));
      await field(page, 'Total cholesterol').fill('213');
      await field(page, 'HDL cholesterol').fill('50');
      await field(page, 'Systolic blood pressure').fill('125');
    },
  },
  {
    title: 'Readings summary',
    tampering: additive,
    probedInput: 'reading1',
    async fill(page, variant) {
      await page.getByRole('radio', { name: 'Systolic blood pressure (mmHg)', exact: true }).check();
      await field(page, 'Reading 1').fill(String(128 + variant));
      if ((await field(page, 'Reading 2').count()) === 0) {
        await page.getByRole('button', { name: 'Add a reading' }).click();
      }
      await field(page, 'Reading 2').fill('131');
    },
  },
  {
    title: 'Creatinine clearance (Cockcroft–Gault)',
    tampering: multiplicative,
    probedInput: 'creatinine',
    async fill(page, variant) {
      await field(page, 'Age').fill(String(60 + variant));
      await page.getByRole('radio', { name: 'Female', exact: true }).check();
      await field(page, 'Weight').fill('68');
      await field(page, 'Serum creatinine').fill('1.1');
    },
  },
  {
    title: BMI_TITLE,
    tampering: multiplicative,
    probedInput: 'weight',
    fill: (page, variant) =>
      fillBmi(page, { weight: String(70 + variant), weightUnit: 'kg', height: '175', heightUnit: 'cm' }),
  },
];

/** Every evaluate request's body, and answers from `answer` (the real service's, changed or not). */
async function serveAnswers(
  page: Page,
  answer: (real: Answer, request: Request, calls: number) => Answer,
): Promise<string[]> {
  const bodies: string[] = [];
  await page.route(EVALUATE, async (route: Route) => {
    const body = route.request().postData() ?? '';
    bodies.push(body);
    const real = await route.fetch();
    const json = (await real.json()) as Answer;
    await route.fulfill({ response: real, json: answer(json, JSON.parse(body) as Request, bodies.length) });
  });
  return bodies;
}

async function expectNothingDecrypted(page: Page): Promise<void> {
  expect(await computeExpectingAlert(page)).toContain(FAILED);
  expect(await page.getByTestId('result-value').count()).toBe(0);
  expect(await page.getByTestId('transcript-proof').textContent()).toContain('nothing was decrypted');
}

describe.each(CASES)('$title', (c) => {
  test('an honest answer is shown as verified', async () => {
    const page = await browserTests.newPage();
    await openComputation(page, c.title);
    await c.fill(page, 0);
    await computeResult(page);
    expect(await page.getByTestId('result-verified').textContent()).toMatch(/^Verified: the service proved/);
    expect(await page.getByTestId('transcript-proof').textContent()).toMatch(/bytes, verified in/);
  });

  test('a forged result with the honest proof decrypts nothing, and the request is spent', async () => {
    const page = await browserTests.newPage();
    const bodies = await serveAnswers(page, (real, _, calls) => {
      if (calls > 1) return real;
      const [name, output] = Object.entries(real.outputs)[0] as [string, Wire];
      return { ...real, outputs: { ...real.outputs, [name]: c.tampering.shift(output) } };
    });
    await openComputation(page, c.title);
    await c.fill(page, 0);
    await expectNothingDecrypted(page);
    // The same values again: a fresh encryption is sent, never the spent one, and it is verified.
    await computeResult(page);
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).not.toBe(bodies[0]);
  });

  test('a replayed older answer decrypts nothing', async () => {
    const page = await browserTests.newPage();
    let first: Answer | undefined;
    await serveAnswers(page, (real) => {
      first ??= real;
      return first;
    });
    await openComputation(page, c.title);
    await c.fill(page, 0);
    await computeResult(page);
    await c.fill(page, 1);
    await expectNothingDecrypted(page);
  });

  test('a selective-failure probe decrypts nothing', async () => {
    const page = await browserTests.newPage();
    await serveAnswers(page, (real, request) => {
      const [name, output] = Object.entries(real.outputs)[0] as [string, Wire];
      const input = request.inputs[c.probedInput] as Wire;
      return { ...real, outputs: { ...real.outputs, [name]: c.tampering.mixIn(output, input, 400_000n) } };
    });
    await openComputation(page, c.title);
    await c.fill(page, 0);
    await expectNothingDecrypted(page);
  });
});

test('a catalog that declares another model for a version this app ships is refused, and nothing is sent', async () => {
  const page = await browserTests.newPage();
  await page.route('**/api/v2/computations', async (route) => {
    const real = await route.fetch();
    const catalog = (await real.json()) as { computations: { id: string; evaluation: unknown }[] };
    for (const entry of catalog.computations) {
      // 7·G: a valid element, standing for a commitment to some other model.
      if (entry.id === 'framingham-2008') {
        entry.evaluation = {
          kind: 'private-linear',
          commitment: 'RPU1IJJuyB-9Wjh4Rb6334WpaiTs4Yc4vc-mp4IqF20',
        };
      }
    }
    await route.fulfill({ response: real, json: catalog });
  });
  const sent: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') sent.push(request.url());
  });
  const framinghamCase = CASES.find((c) => c.title.startsWith('Framingham')) as Case;
  await openComputation(page, framinghamCase.title);
  await framinghamCase.fill(page, 0);
  const alert = await computeExpectingAlert(page);
  expect(alert).toContain('does not trust what the service now declares');
  expect(alert).toContain('differently from what this app ships with');
  expect(sent).toEqual([]);
});
