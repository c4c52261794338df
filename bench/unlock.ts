/**
 * Protection at rest and key blinding, measured (issue 12; docs/PERFORMANCE.md §7):
 * - in headless Chromium, against the built app (dist/web) and the real service on loopback: setting up
 *   and unlocking with a passphrase (Argon2id in libsodium's WebAssembly) and with a passkey (a CDP
 *   virtual authenticator with PRF), from the click's time stamp to the keys on screen, inside the page;
 *   then Compute → result for BMI and CHA₂DS₂-VASc on the unlocked device;
 * - in Node, the same shared code the worker runs: one key blinding (y′ = y·g^δ, y + δ·G), and
 *   encrypting a request to a blinded key against encrypting it to the stored one.
 * Run: `npx vite build && npx tsx bench/unlock.ts`.
 */

import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { buildApp } from '../server/app.js';
import { encryptInputs, generateGroupKeyPair } from '../shared/client.js';
import { bmi } from '../shared/computations/bmi.js';
import { cha2ds2Vasc } from '../shared/computations/cha2ds2-vasc.js';
import { ristretto255SodiumGroup } from '../shared/groups/ristretto255-sodium.js';
import { blindPublicKey } from '../shared/key-blinding.js';
import { withScheme } from '../shared/scheme.js';
import { publicKeyFromWire } from '../shared/wire.js';

const RUNS = 5;
const PASSPHRASE = 'quartz meadow lantern oyster violin';
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const tenths = (ms: number) => Math.round(ms * 10) / 10;

/** From the click on `button` to `testId` on screen, timed inside the page. */
async function clickUntil(page: Page, button: string, testId: string): Promise<number> {
  const done = page.evaluate(
    (id) =>
      new Promise<number>((resolve) => {
        let clicked = 0;
        document.addEventListener('click', (event) => (clicked = event.timeStamp), {
          capture: true,
          once: true,
        });
        const observer = new MutationObserver(() => {
          if (clicked && document.querySelector(`[data-testid="${id}"]`)) {
            observer.disconnect();
            resolve(performance.now() - clicked);
          }
        });
        observer.observe(document.body, { subtree: true, childList: true });
      }),
    testId,
  );
  await page.getByRole('button', { name: button, exact: true }).click();
  return done;
}

async function inChromium() {
  const server = await buildApp({
    staticDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    logger: false,
    rateLimit: false,
    overload: false,
  });
  const address = await server.listen({ host: '127.0.0.1', port: 0 });
  const origin = `http://localhost:${new URL(address).port}`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const timings = {
    passphraseSetUp: [] as number[],
    passphraseUnlock: [] as number[],
    passkeySetUp: [] as number[],
    passkeyUnlock: [] as number[],
  };
  try {
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${origin}/keys`);
      const choice = page.getByTestId('protection-choice');
      await choice.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
      await choice.getByLabel('Passphrase again', { exact: true }).fill(PASSPHRASE);
      timings.passphraseSetUp.push(await clickUntil(page, 'Protect with this passphrase', 'current-keys'));
      await page.reload();
      await page.getByLabel('Your passphrase').fill(PASSPHRASE);
      timings.passphraseUnlock.push(await clickUntil(page, 'Unlock', 'current-keys'));
      await context.close();

      const keyContext = await browser.newContext();
      const keyPage = await keyContext.newPage();
      const cdp = await keyContext.newCDPSession(keyPage);
      await cdp.send('WebAuthn.enable');
      await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          ctap2Version: 'ctap2_1',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          hasPrf: true,
          automaticPresenceSimulation: true,
        },
      });
      await keyPage.goto(`${origin}/keys`);
      timings.passkeySetUp.push(await clickUntil(keyPage, 'Use a passkey', 'current-keys'));
      await keyPage.reload();
      timings.passkeyUnlock.push(await clickUntil(keyPage, 'Unlock with your passkey', 'current-keys'));
      await keyContext.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return Object.fromEntries(
    Object.entries(timings).map(([name, values]) => [
      name,
      { medianMs: tenths(median(values)), runs: values.length },
    ]),
  );
}

function inNode() {
  const rows: Record<string, { medianMs: number }> = {};
  const time = (name: string, work: () => void, runs = 50) => {
    work();
    const values: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      work();
      values.push(performance.now() - started);
    }
    rows[name] = { medianMs: Math.round(median(values) * 100) / 100 };
  };
  for (const [computation, backends, plaintexts] of [
    [bmi, {}, { weight: 837n, height: 1764n }],
    [
      cha2ds2Vasc,
      { ristretto255: ristretto255SodiumGroup },
      Object.fromEntries(cha2ds2Vasc.inputs.map((i) => [i.name, 0n])),
    ],
  ] as const) {
    const base = generateGroupKeyPair(computation.group);
    // As the worker's prepare step leaves it: tables for g and the stored key.
    withScheme(
      computation.group,
      ({ group }) => {
        group.prepareBase?.(group.generator);
        group.prepareBase?.(publicKeyFromWire(group, base.publicKey));
      },
      backends,
    );
    blindPublicKey(base, backends);
    time(`${computation.group}: blind the key (δ, y′)`, () => void blindPublicKey(base, backends));
    time(
      `${computation.id}: encrypt to the stored key`,
      () => void encryptInputs(computation, base, plaintexts, backends),
    );
    time(`${computation.id}: blind, then encrypt to y′`, () => {
      const { publicKey } = blindPublicKey(base, backends);
      encryptInputs(computation, { group: computation.group, publicKey }, plaintexts, backends);
    });
  }
  return rows;
}

console.log('Node (the worker’s shared code), median ms:');
console.table(inNode());
console.log(`Chromium, median of ${RUNS} (click → keys on screen):`);
console.table(await inChromium());
