/**
 * Model files at scale (issue 11): the service's start-up with 100 generated model files against the
 * built-in ones only, and a 40-feature model (private and public) side by side with the small models
 * the service ships: the client's work in Node, evaluations per second over HTTP with the v2 proof,
 * and Compute → result in Chromium.
 *
 * The models are generated as data, in the documented format (docs/MODELS.md), from a fixed seed (only
 * the private models' ρ is drawn fresh), and loaded with the service's own loader before anything is
 * timed. Start-up is timed from the spawn of `node dist/server/server/main.js` (as `npm start` runs it,
 * after `npm run build:server`, which this section runs first) to the first 200 from
 * /api/v1/health/ready, polled every few milliseconds.
 */

import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { bytesToHex, numberToBytesLE } from '@noble/curves/utils.js';
import { temporaryLogDir } from '../server/log/test-support.js';
import {
  DEFAULT_MODELS_DIR,
  loadServedCatalog,
  publicModelFile,
  readModelFile,
  type ServedComputation,
} from '../server/served-catalog.js';
import { CATALOG_PATH_V2 } from '../shared/api.js';
import type { Computation, FieldValue, FormValues } from '../shared/computations/computation.js';
import { ristretto255Group } from '../shared/groups/ristretto255.js';
import {
  deriveBounds,
  exactLinearPredictor,
  linkResult,
  stratumOf,
} from '../shared/models/model-computation.js';
import { randomBelow } from '../shared/random.js';
import { type BrowserResult, benchBrowser } from './browser.js';
import { benchComputation, type ComputationResult, type Sample, sampleForm } from './computations.js';
import { benchHttp, type HttpResult, SHIPPED } from './http.js';
import { measure } from './measure.js';

/** The 40-feature models, and the shipped model each is compared with (same kind of proof). */
export const LARGE_MODELS = [
  { id: 'bench-40-private', private: true, comparedWith: 'framingham-2008' },
  { id: 'bench-40-public', private: false, comparedWith: 'cha2ds2-vasc' },
] as const;
const LINKS = ['score', 'logistic', 'cox', 'exponential'] as const;
type LinkKind = (typeof LINKS)[number];
const PRECISION = { features: 3, weights: 3 };
const NUMBER_MIN = 1;
const NUMBER_MAX = 200;

/** mulberry32: the same models on every run, so that runs compare. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface ModelSpec {
  readonly id: string;
  readonly title: string;
  readonly features: number;
  readonly private: boolean;
  readonly link: LinkKind;
  readonly stratified: boolean;
}

/**
 * Features come in blocks of four over two fields: a measurement x (its value, ln x and a hinge
 * max(x − knot, 0)) and a yes/no condition; a stratified model adds a sex field and a weight set per sex.
 */
function modelFiles(spec: ModelSpec, random: () => number): { model: object; secret?: object } {
  const blocks = Math.ceil(spec.features / 4);
  const fields: object[] = spec.stratified
    ? [
        {
          kind: 'choice',
          name: 'sex',
          label: 'Sex',
          options: [
            { value: 'female', label: 'Female' },
            { value: 'male', label: 'Male' },
          ],
        },
      ]
    : [];
  const features: { name: string; label: string; from: object; scale: number; typical: number }[] = [];
  for (let j = 1; j <= blocks; j++) {
    const knot = 50 + 10 * (j % 5);
    const middle = (NUMBER_MIN + NUMBER_MAX) / 2;
    const block = [
      { name: `x${j}`, label: `Measure ${j}`, from: { value: `x${j}` }, scale: 0.02, typical: middle },
      {
        name: `lnX${j}`,
        label: `ln measure ${j}`,
        from: { ln: { value: `x${j}` } },
        scale: 0.5,
        typical: Math.log(middle),
      },
      {
        name: `x${j}Over${knot}`,
        label: `Measure ${j} over ${knot}`,
        from: { max: [{ centre: [{ value: `x${j}` }, knot] }, 0] },
        scale: 0.01,
        typical: Math.max(middle - knot, 0),
      },
      {
        name: `condition${j}`,
        label: `Condition ${j}`,
        from: { value: `condition${j}` },
        scale: 0.8,
        typical: 0.5,
      },
    ].slice(0, spec.features - features.length);
    fields.push({
      kind: 'number',
      name: `x${j}`,
      label: `Measure ${j}`,
      units: [{ id: 'u', label: 'units', min: NUMBER_MIN, max: NUMBER_MAX, step: j % 2 === 0 ? 0.1 : 1 }],
    });
    if (block.length === 4) fields.push({ kind: 'boolean', name: `condition${j}`, label: `Condition ${j}` });
    features.push(...block);
  }
  // An exponential link's result is e^Σβx: small weights keep it a readable number.
  const damping = spec.link === 'exponential' ? 0.1 : 1;
  const weightSet = () =>
    Object.fromEntries(
      features.map((f) => [
        f.name,
        Number(((random() * 2 - 1) * f.scale * damping).toFixed(PRECISION.weights)),
      ]),
    );
  const strata = spec.stratified ? ['female', 'male'] : [];
  const sets = spec.stratified ? strata.map(weightSet) : [weightSet()];
  const weights = spec.stratified ? Object.fromEntries(strata.map((s, i) => [s, sets[i]])) : sets[0];
  const intercept = spec.link === 'exponential' ? 3 : Number((random() * 4 - 2).toFixed(3));
  // Cox: the cohort's mean Σβx, here Σβx at the fields' middle values.
  const means = sets.map((set = {}) =>
    Number((intercept + features.reduce((sum, f) => sum + (set[f.name] ?? 0) * f.typical, 0)).toFixed(4)),
  );
  const mean = spec.stratified ? Object.fromEntries(strata.map((s, i) => [s, means[i]])) : means[0];
  const probability = spec.link === 'logistic' || spec.link === 'cox';
  const link = spec.link === 'cox' ? { kind: 'cox', baselineSurvival: 0.9, mean } : { kind: spec.link };
  const model = {
    format: 'sealed-vitals-model/1',
    id: spec.id,
    version: 1,
    title: spec.title,
    description: 'Generated for the benchmark: invented coefficients, not a clinical model.',
    citation: 'Sealed Vitals benchmark (bench/models.ts).',
    private: spec.private,
    fields,
    ...(spec.stratified ? { strata: { field: 'sex' } } : {}),
    features: features.map(({ name, label, from }) => ({ name, label, from })),
    precision: PRECISION,
    link,
    display: probability
      ? { template: '{value} %', decimals: 1, scale: 100 }
      : { template: '{value} units', decimals: 1 },
    grades: [
      { below: probability ? 10 : 0, category: 'Lower', severity: 'normal' },
      { category: 'Higher', severity: 'warning' },
    ],
    explanation: 'A generated model: {value}.',
    ...(spec.private ? {} : { weights, intercept }),
  };
  if (!spec.private) return { model };
  const rho = bytesToHex(numberToBytesLE(randomBelow(ristretto255Group.order), 32));
  return { model, secret: { id: spec.id, version: 1, weights, intercept, rho } };
}

/** The 100 generated models: the two 40-feature ones, then 98 of 3–40 features, every link, half private. */
function modelSpecs(count: number): ModelSpec[] {
  const specs: ModelSpec[] = LARGE_MODELS.map((large) => ({
    id: large.id,
    title: `Benchmark model, 40 features (${large.private ? 'private' : 'public'})`,
    features: 40,
    private: large.private,
    link: 'logistic',
    stratified: false,
  }));
  for (let i = specs.length; i < count; i++) {
    const features = 3 + ((i * 7) % 38);
    const link = LINKS[i % LINKS.length] as LinkKind;
    // Every link both public and private.
    const isPrivate = Math.floor(i / LINKS.length) % 2 === 1;
    specs.push({
      id: `bench-model-${String(i).padStart(3, '0')}`,
      title: `Benchmark model ${i} (${link}, ${isPrivate ? 'private' : 'public'}, ${features} features)`,
      features,
      private: isPrivate,
      link,
      stratified: i % 5 === 0,
    });
  }
  return specs;
}

/** A models directory: the built-in model files, plus `count` generated ones (the large ones first). */
export function writeModelsDir(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'sealed-vitals-models-'));
  for (const name of readdirSync(DEFAULT_MODELS_DIR).filter((n) => n.endsWith('.json')))
    copyFileSync(join(DEFAULT_MODELS_DIR, name), join(dir, name));
  const random = seeded(11);
  for (const spec of modelSpecs(count)) {
    const { model, secret } = modelFiles(spec, random);
    writeFileSync(publicModelFile(dir, spec.id), `${JSON.stringify(model, null, 2)}\n`);
    if (secret) writeFileSync(join(dir, `${spec.id}.private.json`), `${JSON.stringify(secret, null, 2)}\n`);
  }
  return dir;
}

/** The middle of each number field's range (at its step), every other yes/no field yes, first options. */
export function typicalForm(computation: Computation): FormValues {
  const values: Record<string, FieldValue> = {};
  for (const [i, field] of computation.fields.entries()) {
    if (field.kind === 'boolean') values[field.name] = i % 2 === 0;
    else if (field.kind === 'choice') values[field.name] = field.options[0]?.value ?? '';
    else if (field.kind === 'number') {
      const [unit] = field.units;
      const step = unit.step ?? 1;
      const middle = Math.round((unit.min + unit.max) / 2 / step) * step;
      values[field.name] = { value: Number(middle.toFixed(6)), unit: unit.id };
    } else throw new Error(`${computation.id}.${field.name}: no typical value for a ${field.kind} field.`);
  }
  return values;
}

/**
 * The result as the patient would be shown it, in plain floating point from the model file's
 * coefficients, and how far the fixed point may move it (a logistic link moves by at most ε/4).
 */
function plaintextResult(modelsDir: string, id: string, form: FormValues): { value: number; bound: number } {
  const { description, privateModel } = readModelFile(publicModelFile(modelsDir, id));
  const coefficients = privateModel?.coefficients ?? description.coefficients;
  if (!coefficients || description.link.kind !== 'logistic') throw new Error(`${id}: not a generated model`);
  const stratum = stratumOf(description, form);
  const { scale } = description.display;
  const { error } = deriveBounds(description, coefficients);
  return {
    value: linkResult(description, exactLinearPredictor(description, coefficients, form), stratum) * scale,
    bound: (error / 4) * scale + 1e-9,
  };
}

const serverMain = fileURLToPath(new URL('../dist/server/server/main.js', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** The worker processes `npm start` runs by default (server/main.ts: one per core). */
const WORKERS = availableParallelism();

interface StartUpTimes {
  /** Spawn to the first 200 from /api/v1/health/ready: what a load balancer waits for. */
  readonly readyMs: number;
  /** Spawn to every worker's "listening" log line. */
  readonly allWorkersMs: number;
}

/** One start of the built service, stopped once every worker listens. */
async function startUpOnce(
  modelsDir: string | undefined,
  expectedComputations: number,
): Promise<StartUpTimes> {
  const port = await freePort();
  const { MODELS_DIR: _, ...env } = process.env;
  const started = performance.now();
  const server = spawn(process.execPath, [serverMain], {
    env: {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_DIR: temporaryLogDir(),
      ...(modelsDir ? { MODELS_DIR: modelsDir } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  server.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  // A worker still loading when the primary relays SIGTERM misses it and keeps running, so the
  // service is stopped only once every worker has logged that it listens.
  const allListening = new Promise<number>((resolve) => {
    let listening = 0;
    let pending = '';
    server.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      listening += lines.filter((line) => /Sealed Vitals .* on http:/.test(line)).length;
      if (listening === WORKERS) resolve(performance.now() - started);
    });
  });
  const base = `http://127.0.0.1:${port}`;
  const get = (path: string) => fetch(`${base}${path}`, { signal: AbortSignal.timeout(5_000) });
  let stopped = false;
  try {
    for (;;) {
      if (server.exitCode !== null) throw new Error(`The service exited before it was ready: ${stderr}`);
      const status = await get('/api/v1/health/ready').then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) break;
      await sleep(2);
    }
    const readyMs = performance.now() - started;
    const catalog = (await (await get(CATALOG_PATH_V2)).json()) as { computations: unknown[] };
    if (catalog.computations.length !== expectedComputations)
      throw new Error(
        `Served ${catalog.computations.length} computations, expected ${expectedComputations}.`,
      );
    const times = { readyMs, allWorkersMs: await allListening };
    server.kill('SIGTERM');
    stopped = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
    if (!stopped) throw new Error('The service did not stop within 15 s of SIGTERM.');
    return times;
  } finally {
    if (!stopped) server.kill('SIGKILL');
  }
}

export interface StartUp {
  readonly models: string;
  /** Computations the catalog lists once ready (code computations included). */
  readonly computations: number;
  readonly runs: number;
  /** Spawn to the first 200 from /api/v1/health/ready. */
  readonly readyMedianMs: number;
  readonly readyMinMs: number;
  readonly readyMaxMs: number;
  /** Spawn to every worker listening. */
  readonly allWorkersMedianMs: number;
  /** Loading the catalog alone (`loadServedCatalog`, what each worker does at start), in this process. */
  readonly catalogLoadMs: number;
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const tenths = (ms: number) => Math.round(ms * 10) / 10;

/** Start-ups alternated between the two directories, so both see the same machine. */
async function benchStartUp(
  variants: readonly { name: string; modelsDir?: string; computations: number }[],
  runs: number,
): Promise<StartUp[]> {
  const samples = variants.map(() => [] as StartUpTimes[]);
  // One untimed start each: the file cache and the first compilation of the code are not start-up.
  for (const variant of variants) await startUpOnce(variant.modelsDir, variant.computations);
  for (let run = 0; run < runs; run++) {
    for (const [i, variant] of variants.entries())
      samples[i]?.push(await startUpOnce(variant.modelsDir, variant.computations));
  }
  return variants.map((variant, i) => {
    const ready = (samples[i] ?? []).map((s) => s.readyMs);
    return {
      models: variant.name,
      computations: variant.computations,
      runs: ready.length,
      readyMedianMs: tenths(median(ready)),
      readyMinMs: tenths(Math.min(...ready)),
      readyMaxMs: tenths(Math.max(...ready)),
      allWorkersMedianMs: tenths(median((samples[i] ?? []).map((s) => s.allWorkersMs))),
      catalogLoadMs: tenths(
        measure(() => loadServedCatalog(variant.modelsDir), { warmup: 1, minRuns: 5, minMs: 0 }).medianMs,
      ),
    };
  });
}

export interface ClientResult extends ComputationResult {
  readonly inputs: number;
}

/** Each 40-feature model after the shipped model it is compared with, each with its patient. */
export function largeModelSamples(catalog: ReadonlyMap<string, ServedComputation>): Sample[] {
  const computationOf = (id: string) => {
    const found = catalog.get(id)?.computation;
    if (!found) throw new Error(`${id} is not served.`);
    return found;
  };
  return LARGE_MODELS.flatMap(({ id, comparedWith }) => {
    const small = computationOf(comparedWith);
    const computation = computationOf(id);
    return [
      { computation: small, form: sampleForm(small) },
      { computation, form: typicalForm(computation) },
    ];
  });
}

/**
 * The client's and the service's work in one process (bench/computations.ts), each generated model's
 * answer checked against the plaintext one: a benchmark of a wrong answer would be worthless.
 */
export function benchClient(
  samples: readonly Sample[],
  catalog: ReadonlyMap<string, ServedComputation>,
  modelsDir: string,
): ClientResult[] {
  return samples.map((sample) => {
    const { id } = sample.computation;
    const served = catalog.get(id);
    if (!served) throw new Error(`${id} is not served.`);
    const result = benchComputation(sample, served);
    if (id.startsWith('bench-')) {
      const expected = plaintextResult(modelsDir, id, sample.form);
      if (Math.abs(result.value - expected.value) > expected.bound)
        throw new Error(
          `${id}: the encrypted path gave ${result.value}, the plaintext one ${expected.value}.`,
        );
    }
    return { ...result, inputs: sample.computation.inputs.length };
  });
}

/** A 40-feature model's figure over its shipped counterpart's, from the same run. */
export interface Ratio {
  readonly model: string;
  readonly comparedWith: string;
  readonly measure: string;
  readonly ratio: number;
}

function ratios<R extends { readonly id: string }>(
  rows: readonly R[],
  measures: Readonly<Record<string, (row: R) => number>>,
): Ratio[] {
  return LARGE_MODELS.flatMap(({ id, comparedWith }) =>
    rows
      .filter((row) => row.id === id)
      .flatMap((row) => {
        const other = rows.find((r) => r.id === comparedWith);
        if (!other) return [];
        return Object.entries(measures).map(([measure, of]) => ({
          model: id,
          comparedWith,
          measure,
          ratio: Number((of(row) / of(other)).toFixed(2)),
        }));
      }),
  );
}

export interface ModelsResult {
  readonly generated: { readonly models: number; readonly privateModels: number; readonly files: number };
  readonly startUp: readonly StartUp[];
  /** 100 model files' start-up to ready over the built-in models'. */
  readonly startUpRatio: number;
  readonly client: readonly ClientResult[];
  /** Per row, the median of the rounds (`rounds` has them all). */
  readonly http: readonly HttpResult[];
  readonly browser: readonly BrowserResult[];
  readonly rounds: { readonly http: readonly HttpResult[][]; readonly browser: readonly BrowserResult[][] };
  readonly ratios: readonly Ratio[];
}

/** Per row, the round whose `by` is the median over the rounds (its other figures with it). */
function medianRows<R>(
  rounds: readonly (readonly R[])[],
  key: (row: R) => string,
  by: keyof R & string,
): R[] {
  return (rounds[0] ?? []).map((first) => {
    const same = rounds
      .flatMap((rows) => rows.filter((row) => key(row) === key(first)))
      .sort((a, b) => Number(a[by]) - Number(b[by]));
    return same[Math.floor(same.length / 2)] ?? first;
  });
}

export const GENERATED_MODELS = 100;

export async function benchModels({ quick }: { quick: boolean }): Promise<ModelsResult> {
  console.log('Building the service (npm run build:server) so that start-up runs the current tree.');
  execFileSync('npm', ['run', 'build:server'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const manyDir = writeModelsDir(GENERATED_MODELS);
  const largeDir = writeModelsDir(LARGE_MODELS.length);
  try {
    // The service's own loader, as its start runs it: a bad generated file stops the benchmark here.
    const many = loadServedCatalog(manyDir);
    const builtIn = loadServedCatalog();
    const large = loadServedCatalog(largeDir);
    const generated = [...many.values()].filter((s) => s.computation.id.startsWith('bench-'));
    if (generated.length !== GENERATED_MODELS)
      throw new Error(`Loaded ${generated.length} generated models.`);

    const startUp = await benchStartUp(
      [
        { name: 'built-in', computations: builtIn.size },
        { name: `built-in + ${GENERATED_MODELS} generated`, modelsDir: manyDir, computations: many.size },
      ],
      quick ? 1 : 7,
    );
    const samples = largeModelSamples(large);
    const client = benchClient(samples, large, largeDir);
    // Rounds, each over every model in turn: on a shared machine the load drifts during a run, and
    // the medians of interleaved rounds keep it from favouring whichever model ran at a quiet moment.
    const rounds = quick ? 1 : 3;
    const httpRounds: HttpResult[][] = [];
    const browserRounds: BrowserResult[][] = [];
    for (let round = 0; round < rounds; round++) {
      httpRounds.push(
        await benchHttp({
          variants: [SHIPPED],
          connections: quick ? [16] : [16, 64],
          durationSeconds: quick ? 2 : 5,
          samples,
          modelsDir: largeDir,
          protocol: 2,
        }),
      );
      browserRounds.push((await benchBrowser({ samples, modelsDir: largeDir })).computations);
    }
    const http = medianRows(httpRounds, (r) => `${r.id} ${r.connections}`, 'answeredPerSecond');
    const browser = medianRows(browserRounds, (r) => r.id, 'medianMs');
    return {
      generated: {
        models: generated.length,
        privateModels: generated.filter((s) => s.model !== undefined).length,
        files: readdirSync(manyDir).length,
      },
      startUp,
      startUpRatio: Number(
        ((startUp[1]?.readyMedianMs ?? Number.NaN) / (startUp[0]?.readyMedianMs ?? 1)).toFixed(2),
      ),
      client,
      http,
      browser,
      rounds: { http: httpRounds, browser: browserRounds },
      ratios: [
        ...ratios(client, {
          'client encrypt': (r) => r.encrypt.medianMs,
          'evaluate + prove': (r) => r.evaluateWithProof?.medianMs ?? Number.NaN,
          'client verify + decrypt': (r) => r.decrypt.medianMs,
        }),
        ...[...new Set(http.map((r) => r.connections))].flatMap((connections) =>
          ratios(
            http.filter((r) => r.connections === connections),
            { [`answered/s over HTTP, ${connections} connections`]: (r) => r.answeredPerSecond },
          ),
        ),
        ...ratios(browser, { 'Compute → result in Chromium': (r) => r.medianMs }),
      ],
    };
  } finally {
    rmSync(manyDir, { recursive: true, force: true });
    rmSync(largeDir, { recursive: true, force: true });
  }
}
