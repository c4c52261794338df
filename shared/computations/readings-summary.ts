/**
 * Summary of up to 31 daily readings of one measure, on additive ElGamal: the service returns
 * E(Σx) and E(Σx²); the client shows count, mean and standard deviation. The readings, the measure
 * and even how many readings there are stay on the device: every one of the 31 slots is sent, empty
 * ones as E(0), and which measure it is never leaves the device.
 *
 * Exact integers throughout. So that decoding stays fast for the largest sums (31 × 100 000² ≈ 3·10^11
 * would need a ~560 000-step search), each square is sent split at 2^17: x² = high·2^17 + low. The
 * service sums highs and lows apart, each sum under 2^23, and the client puts Σx² back together.
 */

import { type AdditiveComputation, named } from './computation.js';
import { readChoice, readSeries } from './form.js';

export const MAX_READINGS = 31;
const MAX_READING = 100_000;
const SQUARE_SPLIT_BITS = 17n;
const SQUARE_SPLIT = 1n << SQUARE_SPLIT_BITS;

const slots = Array.from({ length: MAX_READINGS }, (_, i) => i + 1);

export const MEASURES = {
  glucose: { label: 'Blood glucose', unit: 'mg/dL', min: 20, max: 600 },
  systolic: { label: 'Systolic blood pressure', unit: 'mmHg', min: 60, max: 260 },
  heartRate: { label: 'Resting heart rate', unit: 'beats/min', min: 25, max: 220 },
  steps: { label: 'Steps', unit: 'steps/day', min: 0, max: MAX_READING },
} as const;
export type Measure = keyof typeof MEASURES;

export interface ReadingsSummary {
  readonly count: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1); undefined for a single reading. */
  readonly standardDeviation: number | undefined;
}

/** Count, mean and sample SD from the exact sums. */
export function summarize(count: number, sum: bigint, sumOfSquares: bigint): ReadingsSummary {
  const n = BigInt(count);
  const mean = Number(sum) / count;
  if (count < 2) return { count, mean, standardDeviation: undefined };
  // n·Σx² − (Σx)² is exact in integers; only the final division and root are floating point.
  const scaledVariance = n * sumOfSquares - sum * sum;
  return { count, mean, standardDeviation: Math.sqrt(Number(scaledVariance) / (count * (count - 1))) };
}

export const readingsSummary: AdditiveComputation = {
  id: 'readings-summary',
  version: 1,
  title: 'Readings summary',
  description: 'Mean and spread of up to 31 daily readings (glucose, blood pressure, heart rate or steps).',
  scheme: 'additive',
  group: 'ristretto255',
  inputs: slots.flatMap((i) => [
    {
      name: `reading${i}`,
      label: `Reading ${i} (0 if empty)`,
      unit: 'measure unit',
      min: 0,
      max: MAX_READING,
    },
    {
      name: `squareHigh${i}`,
      label: `⌊reading ${i}² / 2^17⌋`,
      unit: '2^17',
      min: 0,
      max: Math.floor(MAX_READING ** 2 / 2 ** 17),
    },
    { name: `squareLow${i}`, label: `reading ${i}² mod 2^17`, unit: '1', min: 0, max: 2 ** 17 - 1 },
  ]),
  outputs: [
    { name: 'sum', min: 0, max: MAX_READINGS * MAX_READING },
    { name: 'sumOfSquaresHigh', min: 0, max: MAX_READINGS * Math.floor(MAX_READING ** 2 / 2 ** 17) },
    { name: 'sumOfSquaresLow', min: 0, max: MAX_READINGS * (2 ** 17 - 1) },
  ],
  fields: [
    {
      kind: 'choice',
      name: 'measure',
      label: 'Measure',
      options: Object.entries(MEASURES).map(([value, m]) => ({ value, label: `${m.label} (${m.unit})` })),
    },
    {
      kind: 'series',
      name: 'readings',
      label: 'Readings',
      maxItems: MAX_READINGS,
      boundsBy: { field: 'measure', bounds: MEASURES },
    },
  ],

  encodeInputs(values) {
    const readings = readSeries(values, 'readings');
    const plaintexts: Record<string, bigint> = {};
    for (const i of slots) {
      const reading = readings[i - 1];
      const x = reading === undefined ? 0n : BigInt(Math.round(reading));
      plaintexts[`reading${i}`] = x;
      plaintexts[`squareHigh${i}`] = (x * x) >> SQUARE_SPLIT_BITS;
      plaintexts[`squareLow${i}`] = (x * x) % SQUARE_SPLIT;
    }
    return plaintexts;
  },

  evaluate(ops, inputs) {
    const sumOf = (prefix: string) =>
      ops.weightedSum(slots.map((i) => [named(inputs, `${prefix}${i}`), 1n] as const));
    return {
      sum: sumOf('reading'),
      sumOfSquaresHigh: sumOf('squareHigh'),
      sumOfSquaresLow: sumOf('squareLow'),
    };
  },

  interpret(outputs, values) {
    const measure = MEASURES[readChoice(values, 'measure') as Measure];
    const count = readSeries(values, 'readings').length;
    const sumOfSquares =
      named(outputs, 'sumOfSquaresHigh') * SQUARE_SPLIT + named(outputs, 'sumOfSquaresLow');
    const summary = summarize(count, named(outputs, 'sum'), sumOfSquares);
    const sd = summary.standardDeviation;
    const digits = measure.max >= 1000 ? 0 : 1;
    return {
      value: summary.mean,
      display: `${summary.mean.toFixed(digits)} ${measure.unit}`,
      category: `${measure.label}: mean of ${count} reading${count === 1 ? '' : 's'}`,
      severity: 'info',
      explanation:
        sd === undefined
          ? 'One reading: no spread to show yet.'
          : sd === 0
            ? `Standard deviation 0 ${measure.unit}: every reading is the same.`
            : `Standard deviation ${sd.toFixed(digits)} ${measure.unit}: about two thirds of your readings lie within ` +
              `${(summary.mean - sd).toFixed(digits)}–${(summary.mean + sd).toFixed(digits)} ${measure.unit}.`,
    };
  },
};
