/** `npm run bench`: prints the tables and writes bench/results/latest.json. */

import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { benchComputations } from './computations.js';
import { formatMs } from './measure.js';

const computations = benchComputations();

console.log(
  '\nPer computation, one process, median of repeated runs (Node %s, %s)',
  process.version,
  os.cpus()[0]?.model,
);
console.table(
  computations.map((r) => ({
    computation: r.id,
    group: r.group,
    'client encode+encrypt': formatMs(r.encrypt.medianMs),
    'service evaluate': formatMs(r.evaluate.medianMs),
    'client decrypt+decode': formatMs(r.decrypt.medianMs),
    'request bytes': r.requestBytes,
    'response bytes': r.responseBytes,
  })),
);

const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  new URL('latest.json', resultsDir),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, computations }, null, 2)}\n`,
);
console.log('Wrote bench/results/latest.json');
