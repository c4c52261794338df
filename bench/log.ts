/**
 * The transparency log (issue 17, docs/TRANSPARENCY.md), side by side in one run:
 * - **publishing**: `publish` (server/log/publish.ts) appending 1, 10 and 1,000 new model versions to
 *   a fresh log that already holds the built-in catalog, cosigned by three witnesses over HTTP on
 *   loopback (server/witness/http.ts, each with a fresh state), in rounds taken in turn across the
 *   three sizes. A round is split where `publish` hands the signed checkpoint to the witnesses and
 *   where it gets their answers back; the new entries' canonical JSON, their append (`appendEntries`,
 *   the same lines into a log of its own) and one checkpoint signature are also timed apart;
 * - **the catalog check** in headless Chromium (web/crypto/trusted-catalog.ts, its User Timing measure
 *   `sealed-vitals:catalog-check`), each sample a fresh browser context loading the home page, for the
 *   catalog the app ships (no proof), the built-in one (3 models the app does not ship, each with an
 *   inclusion proof in the checkpoint, whose signature and cosignatures are verified) and the
 *   built-in one with 40 generated models more; the page and its crypto worker each check it;
 * - **Compute → result** (bench/browser.ts) for a computation the app ships and a model it does not.
 */

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page, Worker } from 'playwright-core';
import { buildApp } from '../server/app.js';
import { appendEntries } from '../server/log/log-files.js';
import { publish } from '../server/log/publish.js';
import { openLocalTransparency, temporaryLogDir } from '../server/log/test-support.js';
import { servedEntries } from '../server/log/transparency.js';
import {
  DEFAULT_MODELS_DIR,
  loadServedCatalog,
  privateModelFile,
  publicModelFile,
} from '../server/served-catalog.js';
import { type RunningWitness, startWitness } from '../server/witness/http.js';
import { CATALOG_PATH_V2, LOG_CHECKPOINT_PATH, LOG_INCLUSION_PATH, LOG_PATH } from '../shared/api.js';
import { isShipped } from '../shared/catalog-entry.js';
import { findComputation } from '../shared/computations/catalog.js';
import { formatCheckpoint, type LogPolicy } from '../shared/log/checkpoint.js';
import { entryBytes, type LogEntry } from '../shared/log/entries.js';
import {
  COSIGNATURE_V1_KEY_TYPE,
  ED25519_KEY_TYPE,
  generateSignerKey,
  parseSignerKey,
  type SignerKey,
  signNote,
} from '../shared/log/note.js';
import { type BrowserResult, benchBrowser, ensureWebBuild, launchChromium, STATIC_DIR } from './browser.js';
import { sampleForm } from './computations.js';
import { measure } from './measure.js';
import { typicalForm, writeModelsDir } from './models.js';

export const NEW_VERSIONS = [1, 10, 1_000] as const;
const ORIGIN = 'localhost/sealed-vitals/bench-log';
const WITNESSES = 3;
const QUORUM = 2;
const MEASURE = 'sealed-vitals:catalog-check';
/** The model whose Compute needs the log (the app does not ship it), beside one the app ships. */
const LOGGED_MODEL = 'ckd-epi-2021';
const SHIPPED_MODEL = 'framingham-2008';
const GENERATED_MODELS = 40;

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const tenths = (ms: number) => Math.round(ms * 10) / 10;
const hundredths = (ms: number) => Math.round(ms * 100) / 100;

/** One timed publish, split where `publish` hands over to the witnesses and gets their answers. */
export interface PublishTiming {
  /** Lock, read the log, append + fsync the new lines, hash them into the tree, sign the checkpoint. */
  readonly beforeCosignMs: number;
  /** The three witnesses asked in parallel over HTTP, until the last answer. */
  readonly cosignMs: number;
  /** Verify the cosignatures, sign again, write + fsync + rename the checkpoint. */
  readonly checkpointMs: number;
  readonly totalMs: number;
  /** `appendEntries` alone, the same lines into a log of its own holding the catalog. */
  readonly appendAloneMs: number;
  /** The new entries' RFC 8785 canonical JSON alone (what publish hashes and appends). */
  readonly canonicalAloneMs: number;
}

export interface PublishRow {
  readonly newVersions: number;
  readonly rounds: number;
  readonly totalMs: number;
  readonly beforeCosignMs: number;
  readonly cosignMs: number;
  readonly checkpointMs: number;
  readonly appendAloneMs: number;
  readonly canonicalAloneMs: number;
  /** The new entries' bytes, as appended. */
  readonly newBytes: number;
  /** This row's total over the one-version row's. */
  readonly totalRatio: number;
}

interface LogKeys {
  readonly logKey: SignerKey;
  readonly witnessKeys: readonly string[];
  readonly policy: LogPolicy;
}

function logKeys(): LogKeys {
  const log = generateSignerKey(ORIGIN, ED25519_KEY_TYPE);
  const witnesses = Array.from({ length: WITNESSES }, (_, i) =>
    generateSignerKey(`bench-witness-${i + 1}`, COSIGNATURE_V1_KEY_TYPE),
  );
  return {
    logKey: parseSignerKey(log.signerKey),
    witnessKeys: witnesses.map((w) => w.signerKey),
    policy: {
      origin: ORIGIN,
      logKey: log.verifierKey,
      witnesses: witnesses.map((w) => w.verifierKey),
      quorum: QUORUM,
    },
  };
}

/** `count` new versions of the catalog's models, taken in turn (the first model's next version, …). */
function newVersions(catalog: readonly LogEntry[], count: number): LogEntry[] {
  return Array.from({ length: count }, (_, i) => {
    const logged = catalog[i % catalog.length];
    if (logged?.kind !== 'model') throw new TypeError('The catalog is logged as models.');
    const version = Number(logged.entry.version) + 1 + Math.floor(i / catalog.length);
    return { kind: 'model', entry: { ...logged.entry, version } };
  });
}

const lineOf = (entry: LogEntry) => new TextDecoder().decode(entryBytes(entry));

async function publishRound(
  keys: LogKeys,
  catalog: readonly LogEntry[],
  added: readonly LogEntry[],
): Promise<PublishTiming> {
  const root = mkdtempSync(join(tmpdir(), 'sealed-vitals-bench-log-'));
  const dir = join(root, 'log');
  mkdirSync(dir);
  const witnesses: RunningWitness[] = [];
  try {
    const logs = [{ origin: ORIGIN, logKey: keys.policy.logKey }];
    for (const [i, signerKey] of keys.witnessKeys.entries())
      witnesses.push(await startWitness({ signerKey, logs, stateDir: join(root, `witness-${i + 1}`) }));
    const urls = witnesses.map((w) => w.url);
    const options = { dir, logKey: keys.logKey, policy: keys.policy };
    const first = await publish({ ...options, entries: catalog, witnesses: urls });
    if (!first.quorum) throw new Error(`The catalog was not cosigned: ${first.refusals.join('; ')}`);

    const at = { handedOver: 0, answered: 0 };
    const started = performance.now();
    const result = await publish({
      ...options,
      entries: added,
      witnesses: async () => {
        at.handedOver = performance.now();
        return {
          urls,
          close: async () => {
            at.answered = performance.now();
          },
        };
      },
    });
    const ended = performance.now();
    if (result.appended.length !== added.length || result.cosignedBy.length !== WITNESSES)
      throw new Error(
        `Appended ${result.appended.length} of ${added.length}, cosigned by ${result.cosignedBy.length}: ` +
          result.refusals.join('; '),
      );

    const canonicalStarted = performance.now();
    const lines = added.map(lineOf);
    const canonicalAloneMs = performance.now() - canonicalStarted;
    const alone = join(root, 'append-alone');
    mkdirSync(alone);
    appendEntries(alone, catalog.map(lineOf));
    const appendStarted = performance.now();
    appendEntries(alone, lines);
    const appendAloneMs = performance.now() - appendStarted;
    return {
      beforeCosignMs: at.handedOver - started,
      cosignMs: at.answered - at.handedOver,
      checkpointMs: ended - at.answered,
      totalMs: ended - started,
      appendAloneMs,
      canonicalAloneMs,
    };
  } finally {
    await Promise.all(witnesses.map((w) => w.close()));
    rmSync(root, { recursive: true, force: true });
  }
}

async function benchPublish(rounds: number): Promise<{
  rows: PublishRow[];
  signMs: number;
  catalogEntries: number;
  samples: Record<string, PublishTiming[]>;
}> {
  const keys = logKeys();
  const catalog = await servedEntries(loadServedCatalog(), undefined);
  const samples = new Map<number, PublishTiming[]>(NEW_VERSIONS.map((n) => [n, []]));
  // One untimed round of each first; then rounds over the three sizes in turn, so that a change in
  // the machine's load during the run falls on all three alike.
  for (let round = -1; round < rounds; round++) {
    for (const count of NEW_VERSIONS) {
      const timing = await publishRound(keys, catalog, newVersions(catalog, count));
      if (round >= 0) samples.get(count)?.push(timing);
    }
  }
  const text = formatCheckpoint({
    origin: ORIGIN,
    size: catalog.length + 1,
    root: new Uint8Array(32),
    extensions: [],
  });
  const signMs = measure(() => signNote(text, keys.logKey), { minRuns: 50 }).medianMs;
  const of = (timings: readonly PublishTiming[], key: keyof PublishTiming) =>
    hundredths(median(timings.map((t) => t[key])));
  const rows = NEW_VERSIONS.map((count) => {
    const timings = samples.get(count) ?? [];
    return {
      newVersions: count,
      rounds: timings.length,
      totalMs: of(timings, 'totalMs'),
      beforeCosignMs: of(timings, 'beforeCosignMs'),
      cosignMs: of(timings, 'cosignMs'),
      checkpointMs: of(timings, 'checkpointMs'),
      appendAloneMs: of(timings, 'appendAloneMs'),
      canonicalAloneMs: of(timings, 'canonicalAloneMs'),
      newBytes: newVersions(catalog, count).reduce((sum, entry) => sum + entryBytes(entry).length, 0),
    };
  });
  const oneVersion = rows[0]?.totalMs ?? Number.NaN;
  return {
    rows: rows.map((row) => ({ ...row, totalRatio: hundredths(row.totalMs / oneVersion) })),
    signMs: Number(signMs.toFixed(3)),
    catalogEntries: catalog.length,
    samples: Object.fromEntries([...samples].map(([count, timings]) => [String(count), timings])),
  };
}

/** One fresh context's load of the home page: both checks of the catalog, from the measures. */
export interface CatalogCheckTiming {
  /** The worker's start (its time origin) to its verdicts. */
  readonly workerVerdictsMs: number;
  /** The worker's check alone: catalog fetched, checkpoint and proofs fetched and verified. */
  readonly workerCheckMs: number;
  /** The page's navigation start to its verdicts (what the list of calculators waits for). */
  readonly pageListedMs: number;
  /** Requests the worker's check made to the log's routes (checkpoint, inclusion proofs). */
  readonly logRequests: number;
  /** In the worker's check (resource timing): from its start to the catalog's last byte. */
  readonly workerCatalogFetchMs: number;
  /** In the worker's check: its requests to the log, one after another, start to last byte, summed. */
  readonly workerLogFetchMs: number;
  /**
   * In the worker's check: from the checkpoint's last byte to the first proof's request, which is
   * verifying the checkpoint's signature and cosignatures (and hashing the first entry); 0 without proofs.
   */
  readonly workerCheckpointVerifyMs: number;
}

export interface CatalogCheckRow {
  readonly catalog: string;
  readonly computations: number;
  /** Models the app does not ship: each needs an inclusion proof. */
  readonly proofs: number;
  readonly contexts: number;
  readonly logRequests: number;
  readonly workerVerdictsMs: number;
  readonly workerCheckMs: number;
  readonly pageListedMs: number;
  readonly workerCatalogFetchMs: number;
  readonly workerLogFetchMs: number;
  readonly workerCheckpointVerifyMs: number;
  /** This row's worker check over the shipped catalog's. */
  readonly workerCheckRatio: number;
  readonly pageListedRatio: number;
}

interface Measured {
  readonly start: number;
  readonly duration: number;
}

/** Runs in the worker (serialized there: it cannot refer to MEASURE). */
function readMeasure(): Measured | undefined {
  const [entry] = performance.getEntriesByName('sealed-vitals:catalog-check');
  return entry ? { start: entry.startTime, duration: entry.duration } : undefined;
}

async function workerMeasure(worker: Worker): Promise<Measured> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const measured = await worker.evaluate(readMeasure);
    if (measured) return measured;
    if (Date.now() > deadline)
      throw new Error(
        `The crypto worker took no ${MEASURE} measure: is ${STATIC_DIR} a build from before it? ` +
          '(npm run build:web)',
      );
    await sleep(20);
  }
}

/** The calculators navigation lists every title: the check accepted every model (a refused one is left out). */
async function waitUntilListed(page: Page, titles: readonly string[]): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const text = document.querySelector('nav[aria-label="Main"]')?.textContent ?? '';
      return expected.every((title) => text.includes(title));
    },
    titles,
    { timeout: 60_000 },
  );
}

async function checkOnce(browser: Browser, baseURL: string, titles: readonly string[]) {
  const context = await browser.newContext({ baseURL });
  try {
    const page = await context.newPage();
    const started = page.waitForEvent('worker');
    await page.goto('/');
    const worker = await started;
    // The page checks nothing itself: it lists what the worker's check accepted.
    await waitUntilListed(page, titles);
    const pageListedMs = await page.evaluate(() => performance.now());
    const inWorker = await workerMeasure(worker);
    const requests = await worker.evaluate(() =>
      (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((entry) => ({
        path: new URL(entry.name).pathname,
        start: entry.startTime,
        ms: entry.responseEnd - entry.startTime,
        end: entry.responseEnd,
      })),
    );
    const catalogFetched = requests.find((r) => r.path === CATALOG_PATH_V2);
    if (!catalogFetched) throw new Error("The worker's check did not fetch the catalog.");
    const logRequests = requests.filter((r) => r.path.startsWith(`${LOG_PATH}/`));
    const checkpoint = requests.find((r) => r.path === LOG_CHECKPOINT_PATH);
    const firstProof = requests.find((r) => r.path === LOG_INCLUSION_PATH);
    return {
      workerVerdictsMs: inWorker.start + inWorker.duration,
      workerCheckMs: inWorker.duration,
      pageListedMs,
      logRequests: logRequests.length,
      workerCatalogFetchMs: catalogFetched.end - inWorker.start,
      workerLogFetchMs: logRequests.reduce((sum, r) => sum + r.ms, 0),
      workerCheckpointVerifyMs: checkpoint && firstProof ? firstProof.start - checkpoint.end : 0,
    } satisfies CatalogCheckTiming;
  } finally {
    await context.close();
  }
}

/** A models directory with only the model files the app ships, at the versions it ships. */
function shippedModelsDir(): string {
  const dir = writeModelsDir(0);
  for (const { computation } of loadServedCatalog(dir).values()) {
    if (isShipped(computation)) continue;
    rmSync(publicModelFile(dir, computation.id), { force: true });
    rmSync(privateModelFile(dir, computation.id), { force: true });
  }
  return dir;
}

interface CatalogVariant {
  readonly name: string;
  readonly modelsDir?: string;
}

async function serveCatalog(variant: CatalogVariant) {
  const served = loadServedCatalog(variant.modelsDir);
  const transparency = await openLocalTransparency({
    logDir: temporaryLogDir(),
    staticDir: STATIC_DIR,
    modelsDir: variant.modelsDir,
  });
  if (!transparency.publishing.result?.quorum) throw new Error(`${variant.name}: the log was not cosigned.`);
  const server = await buildApp({
    staticDir: STATIC_DIR,
    logger: false,
    rateLimit: false,
    overload: false,
    log: transparency.log,
    ...(variant.modelsDir === undefined ? {} : { modelsDir: variant.modelsDir }),
  });
  const baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  const computations = [...served.values()].map((s) => s.computation);
  return {
    ...variant,
    baseUrl,
    transparency,
    titles: computations.map((c) => c.title),
    computations: computations.length,
    proofs: computations.filter((c) => !isShipped(c)).length,
    close: async () => {
      await server.close();
      await transparency.close();
      rmSync(transparency.logDir, { recursive: true, force: true });
    },
  };
}

async function benchCatalogCheck(
  browser: Browser,
  catalogs: readonly Awaited<ReturnType<typeof serveCatalog>>[],
  contexts: number,
): Promise<{ rows: CatalogCheckRow[]; samples: Record<string, CatalogCheckTiming[]> }> {
  const samples = catalogs.map(() => [] as CatalogCheckTiming[]);
  // One untimed load each (the service's first answers, Chromium's first compile); then the
  // catalogs in turn, a fresh context each time.
  for (let round = -1; round < contexts; round++) {
    for (const [i, catalog] of catalogs.entries()) {
      const timing = await checkOnce(browser, catalog.baseUrl, catalog.titles);
      if (round >= 0) samples[i]?.push(timing);
    }
  }
  const rows = catalogs.map((catalog, i) => {
    const timings = samples[i] ?? [];
    const of = (key: keyof CatalogCheckTiming) => tenths(median(timings.map((t) => t[key])));
    return {
      catalog: catalog.name,
      computations: catalog.computations,
      proofs: catalog.proofs,
      contexts: timings.length,
      logRequests: of('logRequests'),
      workerVerdictsMs: of('workerVerdictsMs'),
      workerCheckMs: of('workerCheckMs'),
      pageListedMs: of('pageListedMs'),
      workerCatalogFetchMs: of('workerCatalogFetchMs'),
      workerLogFetchMs: of('workerLogFetchMs'),
      workerCheckpointVerifyMs: of('workerCheckpointVerifyMs'),
    };
  });
  const [shipped] = rows;
  return {
    rows: rows.map((row) => ({
      ...row,
      workerCheckRatio: hundredths(row.workerCheckMs / (shipped?.workerCheckMs ?? Number.NaN)),
      pageListedRatio: hundredths(row.pageListedMs / (shipped?.pageListedMs ?? Number.NaN)),
    })),
    samples: Object.fromEntries(catalogs.map((c, i) => [c.name, samples[i] ?? []])),
  };
}

export interface LogResult {
  /** The machine's 1-minute load average when this section started and ended (2 cores here). */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly publish: Awaited<ReturnType<typeof benchPublish>>;
  readonly catalogCheck: Awaited<ReturnType<typeof benchCatalogCheck>>;
  /** Compute → result, keys already made (bench/browser.ts): one shipped, one the log vouches for. */
  readonly compute: readonly BrowserResult[];
}

export async function benchLog({ quick }: { quick: boolean }): Promise<LogResult> {
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const publishRounds = await benchPublish(quick ? 1 : 7);

  ensureWebBuild();
  const shippedDir = shippedModelsDir();
  const generatedDir = writeModelsDir(GENERATED_MODELS);
  const catalogs: Awaited<ReturnType<typeof serveCatalog>>[] = [];
  try {
    for (const variant of [
      { name: 'shipped only', modelsDir: shippedDir },
      { name: 'built-in' },
      { name: `built-in + ${GENERATED_MODELS} generated`, modelsDir: generatedDir },
    ])
      catalogs.push(await serveCatalog(variant));
    const browser = await launchChromium();
    let catalogCheck: LogResult['catalogCheck'];
    try {
      catalogCheck = await benchCatalogCheck(browser, catalogs, quick ? 2 : 9);
    } finally {
      await browser.close();
    }
    const builtIn = catalogs[1];
    const logged = loadServedCatalog(DEFAULT_MODELS_DIR).get(LOGGED_MODEL)?.computation;
    const shipped = findComputation(SHIPPED_MODEL);
    if (!builtIn || !logged || !shipped)
      throw new Error('The built-in catalog has changed: update bench/log.ts.');
    const { computations: compute } = await benchBrowser({
      samples: [
        { computation: shipped, form: sampleForm(shipped) },
        { computation: logged, form: typicalForm(logged) },
      ],
      log: builtIn.transparency.log,
    });
    const loadAverage = { start: loadAtStart, end: loadavg()[0] ?? Number.NaN };
    return { loadAverage, publish: publishRounds, catalogCheck, compute };
  } finally {
    await Promise.all(catalogs.map((c) => c.close()));
    rmSync(shippedDir, { recursive: true, force: true });
    rmSync(generatedDir, { recursive: true, force: true });
  }
}

const ms = (value: number) => `${value.toLocaleString('en-US')} ms`;

export function printLog(result: LogResult): void {
  const { publish: published, catalogCheck, compute, loadAverage } = result;
  console.log(
    `\nLoad average (1 min) ${loadAverage.start.toFixed(2)} when the log section started, ${loadAverage.end.toFixed(2)} when it ended`,
  );
  console.log(
    `\nLog append + cosign round (3 witnesses over HTTP, quorum 2), onto ${published.catalogEntries} ` +
      `entries, median of ${published.rows[0]?.rounds} rounds each; one checkpoint signature apart: ` +
      `${ms(published.signMs)}`,
  );
  console.table(
    published.rows.map((r) => ({
      'new versions': r.newVersions,
      total: ms(r.totalMs),
      'append + fsync + sign': ms(r.beforeCosignMs),
      'cosign round trip': ms(r.cosignMs),
      'checkpoint write': ms(r.checkpointMs),
      'new bytes': r.newBytes.toLocaleString('en-US'),
      'canonical JSON alone': ms(r.canonicalAloneMs),
      'appendEntries alone': ms(r.appendAloneMs),
      '× 1 version': r.totalRatio,
    })),
  );
  console.log(
    `\nIn headless Chromium: the catalog check on a fresh page, median of ${catalogCheck.rows[0]?.contexts} contexts`,
  );
  console.table(
    catalogCheck.rows.map((r) => ({
      catalog: r.catalog,
      computations: r.computations,
      'inclusion proofs': r.proofs,
      'log requests': r.logRequests,
      'worker: start → verdicts': ms(r.workerVerdictsMs),
      'worker: check': ms(r.workerCheckMs),
      'of which catalog fetch': ms(r.workerCatalogFetchMs),
      'log requests (summed)': ms(r.workerLogFetchMs),
      'checkpoint verified': ms(r.workerCheckpointVerifyMs),
      'page: navigation → listed': ms(r.pageListedMs),
      'worker check ×': r.workerCheckRatio,
      'page → listed ×': r.pageListedRatio,
    })),
  );
  console.log('\nIn headless Chromium: Compute → result (keys already made)');
  console.table(
    compute.map(({ stepsMs, ...row }) => ({
      ...row,
      ...Object.fromEntries(Object.entries(stepsMs).map(([step, value]) => [`${step} ms`, value])),
    })),
  );
}
