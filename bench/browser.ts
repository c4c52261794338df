/**
 * In headless Chromium, the built web app (dist/web, built here when missing) against the real
 * service on loopback: for each computation, the time from pressing Compute to the result on screen,
 * keys already made, and the longest main-thread task meanwhile. Both are taken inside the page
 * (the click event's time stamp, a MutationObserver for the result, the Long Tasks API), so the
 * driver's own round trips are not counted. The Long Tasks API reports tasks of 50 ms and more only:
 * "none" means every task was shorter.
 */

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium, type Page } from 'playwright-core';
import { buildApp } from '../server/app.js';
import type { LogRoutesOptions } from '../server/routes/log.js';
import type { Computation, FormValues } from '../shared/computations/computation.js';
import { catalogSamples, type Sample } from './computations.js';

export interface FirstLoad {
  /** Every script the app shell loads before it is idle, gzipped at level 9, in bytes. */
  readonly scripts: readonly { readonly url: string; readonly bytes: number; readonly gzipBytes: number }[];
  readonly totalGzipBytes: number;
}

export interface BrowserResult {
  readonly id: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly maxMs: number;
  /** Longest main-thread task over all runs, or null when none reached 50 ms. */
  readonly longestTaskMs: number | null;
  /** Median of each step the page measures (web/features/computation/run.ts), in ms. */
  readonly stepsMs: Readonly<Record<string, number>>;
}

interface ComputeTiming {
  readonly ms: number;
  readonly longestTaskMs: number | null;
  readonly stepsMs: Readonly<Record<string, number>>;
}

/** BENCH_STATIC_DIR: measure another build (e.g. `vite build --outDir …`) without replacing dist/web. */
export const STATIC_DIR =
  process.env.BENCH_STATIC_DIR ?? fileURLToPath(new URL('../dist/web', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RUNS = 5;
/** How long after the last field the driver presses Compute (see `benchBrowser`). */
const PATIENT_PAUSE_MS = 1_500;
const tenths = (ms: number) => Math.round(ms * 10) / 10;

/** Fills the form from the sample values, through the same labels a patient sees. */
async function fillForm(page: Page, computation: Computation, values: FormValues): Promise<void> {
  for (const field of computation.fields) {
    const value = values[field.name];
    const byLabel = (label: string) => page.getByLabel(label, { exact: true });
    if (field.kind === 'number' && typeof value === 'object' && value !== null && 'unit' in value) {
      if (field.units.length > 1) await byLabel(`${field.label} unit`).selectOption(value.unit);
      await byLabel(field.label).fill(String(value.value));
    } else if (field.kind === 'boolean' && typeof value === 'boolean') {
      await byLabel(field.label).setChecked(value);
    } else if (field.kind === 'date' && typeof value === 'string') {
      await byLabel(field.label).fill(value);
    } else if (field.kind === 'choice') {
      const option = field.options.find((o) => o.value === value);
      if (!option) throw new Error(`No option ${String(value)} for ${field.name}`);
      await page.getByRole('radio', { name: option.label, exact: true }).check();
    } else if (field.kind === 'series' && Array.isArray(value)) {
      // The form may remember readings from the last run: fill those there are, add the rest.
      const readings = value as readonly number[];
      const shown = await page.getByLabel(/^Reading \d+$/).count();
      for (const [i, reading] of readings.entries()) {
        if (i < shown) {
          await byLabel(`Reading ${i + 1}`).fill(String(reading));
        } else {
          await page.getByRole('button', { name: 'Add a reading' }).click();
          await page.keyboard.type(String(reading));
        }
      }
    } else {
      throw new Error(`The sample form has no usable value for ${computation.id}.${field.name}.`);
    }
  }
}

/** Arms the in-page probes, presses Compute, and returns the time to the result and its parts. */
async function timeCompute(page: Page): Promise<ComputeTiming> {
  await page.evaluate(() => {
    performance.clearMeasures();
    const probe = { clickedAt: 0, shownAt: 0, longest: 0 };
    Object.assign(window, { __benchProbe: probe });
    document.addEventListener('click', (event) => (probe.clickedAt = event.timeStamp), {
      capture: true,
      once: true,
    });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) probe.longest = Math.max(probe.longest, entry.duration);
    }).observe({ type: 'longtask' });
    const observer = new MutationObserver(() => {
      if (document.querySelector('[data-testid="result-value"]')) {
        probe.shownAt = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
  });
  await page.getByRole('button', { name: 'Compute' }).click();
  // A failed run shows why instead of a result: report that, not a timeout.
  const failure = page.locator('.result-anchor [role="alert"]');
  await page.getByTestId('result-value').or(failure).first().waitFor();
  if (await failure.isVisible()) throw new Error(`Compute failed: ${await failure.textContent()}`);
  // Long-task entries are delivered after the task ends: give the observer a frame to report.
  await page.waitForTimeout(100);
  const probe = await page.evaluate(
    () =>
      (window as unknown as { __benchProbe: { clickedAt: number; shownAt: number; longest: number } })
        .__benchProbe,
  );
  const stepsMs = await page.evaluate(() =>
    Object.fromEntries(
      performance
        .getEntriesByType('measure')
        .filter((entry) => entry.name.startsWith('sealed-vitals:'))
        .map((entry) => [entry.name.slice('sealed-vitals:'.length), entry.duration]),
    ),
  );
  return {
    ms: probe.shownAt - probe.clickedAt,
    longestTaskMs: probe.longest > 0 ? probe.longest : null,
    stepsMs,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** A fresh clone has no build yet: make one, as `npm run build:web` would. */
export function ensureWebBuild(): void {
  if (existsSync(`${STATIC_DIR}/index.html`)) return;
  console.log('No dist/web yet: building the web app first.');
  execFileSync('npm', ['run', 'build:web'], { stdio: 'inherit' });
}

/** Debian's Chromium, headless, with the flags every browser benchmark uses. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
}

/** What a first visit downloads in JavaScript (the crypto worker included if the shell starts it). */
async function firstLoad(browser: Browser, baseUrl: string): Promise<FirstLoad> {
  const context = await browser.newContext({ baseURL: baseUrl });
  const page = await context.newPage();
  const pending: Promise<{ url: string; bytes: number; gzipBytes: number }>[] = [];
  page.on('response', (response) => {
    if (!response.url().endsWith('.js')) return;
    pending.push(
      response.body().then((body) => ({
        url: new URL(response.url()).pathname,
        bytes: body.length,
        gzipBytes: gzipSync(body, { level: 9 }).length,
      })),
    );
  });
  await page.goto('/', { waitUntil: 'networkidle' });
  const scripts = await Promise.all(pending);
  await context.close();
  return { scripts, totalGzipBytes: scripts.reduce((sum, s) => sum + s.gzipBytes, 0) };
}

export interface BrowserOptions {
  /** What to compute (default: every computation the app ships, with its sample patient). */
  readonly samples?: readonly Sample[];
  /** The service's models directory (default: the built-in models). */
  readonly modelsDir?: string;
  /** The transparency log to serve (default: none; a model the app does not ship is then refused). */
  readonly log?: LogRoutesOptions;
}

export async function benchBrowser({
  samples = catalogSamples(),
  modelsDir,
  log,
}: BrowserOptions = {}): Promise<{
  firstLoad: FirstLoad;
  computations: BrowserResult[];
}> {
  ensureWebBuild();
  const server = await buildApp({
    staticDir: STATIC_DIR,
    logger: false,
    rateLimit: false,
    overload: false,
    ...(modelsDir === undefined ? {} : { modelsDir }),
    ...(log === undefined ? {} : { log }),
  });
  const baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const shell = await firstLoad(browser, baseUrl);
    const context = await browser.newContext({ baseURL: baseUrl });
    const page = await context.newPage();
    // First use: "no protection", so each page load below opens the keys without an unlock (its cost
    // is measured apart, bench/unlock.ts); results are still sealed at rest as on any device.
    // (A build from before protection at rest shows the keys at once: BENCH_STATIC_DIR comparisons.)
    await page.goto('/keys');
    const unprotected = page.getByRole('button', { name: 'No protection on this device' });
    await unprotected.or(page.getByTestId('current-keys')).first().waitFor();
    if (await unprotected.isVisible()) {
      await unprotected.click();
      await page.getByRole('dialog').getByRole('button', { name: 'Use no protection' }).click();
    }
    await page.getByTestId('current-keys').waitFor();
    const results: BrowserResult[] = [];
    for (const { computation, form } of samples) {
      const times: number[] = [];
      const steps = new Map<string, number[]>();
      let longest: number | null = null;
      // The first run makes the keys (and warms the worker up): not counted.
      for (let run = 0; run <= RUNS; run++) {
        await page.goto('/');
        const navigation = page.getByRole('navigation', { name: 'Main' });
        await navigation.getByRole('button', { name: 'Calculators' }).click();
        await navigation.getByRole('link', { name: computation.title, exact: true }).click();
        await page.getByRole('heading', { level: 1, name: computation.title }).waitFor();
        await fillForm(page, computation, form);
        // A patient takes seconds to fill a form; the driver takes milliseconds. The pause lets the
        // worker finish what it does while a form is filled in (keys, tables, encrypting ahead), so
        // what is timed is Compute → result as a patient gets it.
        await page.waitForTimeout(PATIENT_PAUSE_MS);
        const timing = await timeCompute(page).catch(async (error: unknown) => {
          const shot = `/tmp/bench-browser-${computation.id}.png`;
          await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
          throw new Error(`${computation.id}, run ${run}: ${String(error)} (the page: ${shot})`);
        });
        if (run === 0) continue;
        times.push(timing.ms);
        for (const [step, ms] of Object.entries(timing.stepsMs)) {
          steps.set(step, [...(steps.get(step) ?? []), ms]);
        }
        if (timing.longestTaskMs !== null) longest = Math.max(longest ?? 0, timing.longestTaskMs);
      }
      results.push({
        id: computation.id,
        runs: times.length,
        medianMs: tenths(median(times)),
        maxMs: tenths(Math.max(...times)),
        longestTaskMs: longest === null ? null : tenths(longest),
        stepsMs: Object.fromEntries([...steps].map(([step, ms]) => [step, tenths(median(ms))])),
      });
    }
    return { firstLoad: shell, computations: results };
  } finally {
    await browser.close();
    await server.close();
  }
}
