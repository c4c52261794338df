/**
 * A smoke run of the benchmark's end-to-end section (issue 6: `npm run bench` is not part of
 * `npm test`, a smoke run of it may be): every computation goes through the same code the
 * benchmark times, and what the patient would be shown is checked. No timing is asserted.
 */

import { expect, test } from 'vitest';
import { COMPUTATIONS } from '../shared/computations/catalog.js';
import { benchComputations } from './computations.js';

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
