/**
 * A smoke run of the benchmark's end-to-end section (issue 6: `npm run bench` is not part of
 * `npm test`, a smoke run of it may be): every computation goes through the same code the
 * benchmark times, and what the patient would be shown is checked; and the models section's
 * generated files and its in-process part (issue 11). No timing is asserted.
 */

import { rmSync } from 'node:fs';
import { expect, test } from 'vitest';
import { loadServedCatalog } from '../server/served-catalog.js';
import { COMPUTATIONS } from '../shared/computations/catalog.js';
import { benchComputations } from './computations.js';
import { benchClient, GENERATED_MODELS, LARGE_MODELS, largeModelSamples, writeModelsDir } from './models.js';

test('the end-to-end section runs every computation and gets the right answers', { timeout: 120_000 }, () => {
  const results = benchComputations();
  expect(results.map((r) => r.id)).toEqual(COMPUTATIONS.map((c) => c.id));
  const shown = Object.fromEntries(results.map((r) => [r.id, r.value]));
  // The sample patients of bench/computations.ts, computed by hand.
  expect(shown.bmi).toBeCloseTo(83.7 / 1.764 ** 2, 1);
  expect(shown['cha2ds2-vasc']).toBe(4); // age 65–74, female, hypertension, diabetes
  // Glucose readings 95 + (7i mod 40) for i = 0…30: their mean.
  const readings = Array.from({ length: 31 }, (_, i) => 95 + ((i * 7) % 40));
  expect(shown['readings-summary']).toBeCloseTo(readings.reduce((a, b) => a + b) / 31, 1);
  for (const result of results) {
    expect(result.requestBytes).toBeGreaterThan(0);
    expect(result.responseBytes).toBeGreaterThan(0);
    for (const phase of [result.encrypt, result.evaluate, result.decrypt]) {
      expect(phase.runs).toBeGreaterThan(0);
    }
  }
});

test('the models section generates valid model files and computes the 40-feature models right', {
  timeout: 120_000,
}, () => {
  const dir = writeModelsDir(GENERATED_MODELS);
  try {
    // The service's own loader: any invalid generated file throws here.
    const catalog = loadServedCatalog(dir);
    const generated = [...catalog.values()].filter((s) => s.computation.id.startsWith('bench-'));
    expect(generated).toHaveLength(GENERATED_MODELS);
    const kinds = new Set(
      generated.map((s) => `${s.computation.evaluation.kind} ${s.computation.model?.link.kind}`),
    );
    expect(kinds.size).toBeGreaterThanOrEqual(8); // every link, public and private
    for (const { id } of LARGE_MODELS) expect(catalog.get(id)?.computation.inputs).toHaveLength(40);
    // benchClient checks every generated model's answer against the plaintext one, or throws.
    const results = benchClient(largeModelSamples(catalog), catalog, dir);
    expect(results.map((r) => r.id)).toEqual([
      'framingham-2008',
      'bench-40-private',
      'cha2ds2-vasc',
      'bench-40-public',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
