/**
 * `npm run bench [-- sections…] [--quick]`: prints the tables and writes bench/results/latest.json
 * (latest-<sections>.json when only some run). Sections: ops, e2e, peers, native, http, browser,
 * models, log, studies; all by default.
 * `--quick` shortens the HTTP runs (2 s instead of 10 s per row), the models' start-ups (one each) and
 * the log's rounds and browser contexts, for a smoke run.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { benchBrowser } from './browser.js';
import { benchComputations, benchPeers, type ComputationResult } from './computations.js';
import { BARE, benchHttp, LAYERS, SHIPPED } from './http.js';
import { benchLog, printLog } from './log.js';
import { formatMs } from './measure.js';
import { benchModels } from './models.js';
import { benchNative } from './native.js';
import { benchOperations } from './operations.js';
import { benchStudies } from './studies.js';

const SECTIONS = ['ops', 'e2e', 'peers', 'native', 'http', 'browser', 'models', 'log', 'studies'] as const;
type Section = (typeof SECTIONS)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const asked = args.filter((a): a is Section => (SECTIONS as readonly string[]).includes(a));
const unknown = args.filter((a) => a !== '--quick' && !(SECTIONS as readonly string[]).includes(a));
if (unknown.length > 0)
  throw new Error(`Unknown argument(s) ${unknown.join(', ')}; sections: ${SECTIONS.join(', ')}.`);
const run = (section: Section) => asked.length === 0 || asked.includes(section);

const machine = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model,
  cores: os.availableParallelism(),
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  // Anything else running skews every figure: the load average says how much.
  loadAverage1m: os.loadavg()[0],
};
console.log(
  `Node ${machine.node}, ${machine.cores} × ${machine.cpu}, load average ${machine.loadAverage1m?.toFixed(2)}`,
);
const results: Record<string, unknown> = { machine };

if (run('ops')) {
  const operations = benchOperations();
  results.operations = operations;
  console.log('\nPer operation, per group and backend, median');
  console.table(
    operations.map((r) => ({
      group: r.group,
      backend: r.backend,
      operation: r.operation,
      median: formatMs(r.timing.medianMs),
    })),
  );
}

const phaseRow = (r: ComputationResult) => ({
  scheme: r.scheme,
  computation: r.id,
  'client encode+encrypt': formatMs(r.encrypt.medianMs),
  'service evaluate': formatMs(r.evaluate.medianMs),
  'client (verify+)decrypt+interpret': formatMs(r.decrypt.medianMs),
  total: formatMs(r.encrypt.medianMs + r.evaluate.medianMs + r.decrypt.medianMs),
  'request bytes': r.requestBytes,
  'response bytes': r.responseBytes,
});

if (run('e2e') || run('peers')) {
  const ours = benchComputations();
  results.computations = ours;
  console.log('\nPer computation, end to end in one process, median of repeated runs');
  console.table(ours.map(phaseRow));
  console.log('\nThe proof (protocol v2): the service with and without it, side by side in this run');
  console.table(
    ours.map((r) => {
      const proved = r.evaluateWithProof?.medianMs ?? Number.NaN;
      return {
        computation: r.id,
        'evaluate (v1)': formatMs(r.evaluate.medianMs),
        'evaluate + prove (v2)': formatMs(proved),
        'proving cost ×': (proved / r.evaluate.medianMs).toFixed(2),
        'proof bytes': r.proofBytes,
      };
    }),
  );
  if (run('peers')) {
    const peers = await benchPeers(ours);
    results.peers = peers;
    console.log('\nThe same computations with the peer schemes (same evaluate code, results checked equal)');
    console.table([...ours, ...peers.results].sort((a, b) => a.id.localeCompare(b.id)).map(phaseRow));
    console.table(peers.keys);
  }
}

if (run('native')) {
  const native = await benchNative();
  results.native = native;
  console.log('\nThe machine’s limit: the same operations in native code');
  console.table(native.map((r) => ({ ...r, microseconds: r.microseconds.toFixed(1) })));
}

if (run('http')) {
  const durationSeconds = quick ? 2 : 10;
  // The bare service and the one that ships at every concurrency; each layer in between at 64.
  const ends = await benchHttp({ variants: [BARE, SHIPPED], connections: [1, 16, 64], durationSeconds });
  const layers = await benchHttp({ variants: LAYERS.slice(1, -1), connections: [64], durationSeconds });
  results.http = [...ends, ...layers];
  console.log('\nOver HTTP on loopback (autocannon, 2 service workers): answered and refused per second');
  console.table(ends);
  console.log('\nThe cost of each layer, at 64 connections');
  console.table(
    [...ends.filter((r) => r.connections === 64), ...layers].sort((a, b) => a.id.localeCompare(b.id)),
  );
}

if (run('browser')) {
  const browser = await benchBrowser();
  results.browser = browser;
  console.log('\nIn headless Chromium: first load of the app shell (JavaScript)');
  console.table(browser.firstLoad.scripts);
  console.log(`Total: ${(browser.firstLoad.totalGzipBytes / 1024).toFixed(1)} KiB gzipped`);
  console.log('\nIn headless Chromium: Compute → result on screen (keys already made)');
  console.table(
    browser.computations.map(({ stepsMs, ...row }) => ({
      ...row,
      ...Object.fromEntries(Object.entries(stepsMs).map(([step, ms]) => [`${step} ms`, ms])),
    })),
  );
}

if (run('models')) {
  const models = await benchModels({ quick });
  results.models = models;
  const { generated } = models;
  console.log(
    `\nStart-up of the built service (spawn → /api/v1/health/ready 200), ${generated.models} generated models (${generated.privateModels} private), ${generated.files} files with the built-ins`,
  );
  console.table(models.startUp);
  console.log(`100 model files / built-in only: ${models.startUpRatio}×`);
  console.log(
    '\nA 40-feature model beside a shipped one: the client in Node and the service in one process, median',
  );
  console.table(
    models.client.map((r) => ({
      computation: r.id,
      inputs: r.inputs,
      'client encode+encrypt': formatMs(r.encrypt.medianMs),
      'evaluate (v1)': formatMs(r.evaluate.medianMs),
      'evaluate + prove (v2)': formatMs(r.evaluateWithProof?.medianMs ?? Number.NaN),
      'client verify+decrypt+interpret': formatMs(r.decrypt.medianMs),
      'request bytes': r.requestBytes,
      'response bytes': r.responseBytes,
      'proof bytes': r.proofBytes,
    })),
  );
  console.log(
    `\nOver HTTP with the v2 proof, the service as shipped (autocannon, 2 workers), median of ${models.rounds.http.length} interleaved rounds`,
  );
  console.table(models.http);
  console.log(
    `\nIn headless Chromium: Compute → result with the proof verified, median of ${models.rounds.browser.length} interleaved rounds`,
  );
  console.table(
    models.browser.map(({ stepsMs, ...row }) => ({
      ...row,
      ...Object.fromEntries(Object.entries(stepsMs).map(([step, ms]) => [`${step} ms`, ms])),
    })),
  );
  console.log('\nThe 40-feature models over the shipped ones, side by side in this run');
  console.table(models.ratios);
}

if (run('log')) {
  const log = await benchLog({ quick });
  results.log = log;
  printLog(log);
}

if (run('studies')) {
  const studies = benchStudies(quick);
  results.studies = studies;
  console.log(
    `\nStudies: the reference contribution (3 measures of 12 bits, one 4-way choice) is ${studies.recordBytes} bytes ` +
      `(${studies.recordBase64urlChars} characters of JSON); target 4,096`,
  );
  console.table(
    studies.backends.map((b) => ({
      backend: b.backend,
      prove: formatMs(b.proveMs),
      'verify, one at a time': formatMs(b.verifyOneMs),
      'verify, batched': `${formatMs(b.verifyBatchedMs)} (${b.batch} at once)`,
      'batched per core': `${Math.round(1000 / b.verifyBatchedMs)}/s`,
    })),
  );
  const { tally } = studies;
  console.log(
    `Tally of ${tally.contributions.toLocaleString('en')} contributions: sum ${formatMs(tally.sumMs)}, ` +
      `two trustees' partial decryptions, combined and decoded ${formatMs(tally.decryptMs)}`,
  );
}

const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
const json = `${JSON.stringify(results, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
const name = asked.length === 0 ? 'latest.json' : `latest-${asked.join('-')}.json`;
writeFileSync(new URL(name, resultsDir), json);
console.log(`Wrote bench/results/${name}`);
