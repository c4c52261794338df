/**
 * Summary of up to 31 daily readings of one measure, on additive ElGamal: the service returns
 * E(Σx) and E(Σx²); the client shows count, mean and standard deviation. The readings, the measure
 * and even how many readings there are stay on the device: every one of the 31 slots is sent, empty
 * ones as E(0), and which measure it is never leaves the device.
 *
 * Exact integers throughout: each reading travels in units of its measure's step (tenths for glucose,
 * whole for the others), so 5.4 mmol/L is sent as 54 and the service's sums stay whole. So that
 * decoding stays fast for the largest sums (31 × 100 000² ≈ 3·10^11 would need a ~560 000-step search),
 * each square is sent split at 2^17: x² = high·2^17 + low. The service sums highs and lows apart, each
 * sum under 2^23, and the client puts Σx² back together.
 *
 * The mean is graded against the guideline the measure is usually compared with (GRADES below); the
 * dates of the readings (one a day, the last on the day the patient gives) stay on the device too.
 */

import { type Computation, named, type SeriesBounds, type Severity } from './computation.js';
import { readChoice, readDate, readSeries } from './form.js';

export const MAX_READINGS = 31;
/** The largest reading in steps of its measure (100 000 steps/day; 600 mg/dL is 6 000 tenths). */
const MAX_READING = 100_000;
const SQUARE_SPLIT_BITS = 17n;
const SQUARE_SPLIT = 1n << SQUARE_SPLIT_BITS;

const slots = Array.from({ length: MAX_READINGS }, (_, i) => i + 1);

/** One output of the summary: the sum, with weight 1, of every slot's input of one kind. */
function sumOf(prefix: string) {
  return { weights: Object.fromEntries(slots.map((i) => [`${prefix}${i}`, 1])), constant: 0 };
}

export const MEASURES = {
  glucose: { label: 'Blood glucose', unit: 'mg/dL', min: 20, max: 600, step: 0.1 },
  glucoseMmol: { label: 'Blood glucose', unit: 'mmol/L', min: 1.1, max: 33.3, step: 0.1 },
  systolic: { label: 'Systolic blood pressure', unit: 'mmHg', min: 60, max: 260, step: 1 },
  heartRate: { label: 'Resting heart rate', unit: 'beats/min', min: 25, max: 220, step: 1 },
  steps: { label: 'Steps', unit: 'steps/day', min: 0, max: MAX_READING, step: 1 },
} as const satisfies Readonly<Record<string, SeriesBounds>>;
export type Measure = keyof typeof MEASURES;

/** A reading in whole steps of its measure, as the protocol carries it. */
function stepsOf(measure: SeriesBounds): number {
  return Math.round(1 / (measure.step ?? 1));
}

interface Grade {
  /** Upper bound, exclusive, of the mean as displayed. */
  readonly below: number;
  readonly category: string;
  readonly severity: Severity;
}

/**
 * What each measure's mean is compared with. Glucose: ADA Standards of Care in Diabetes 2024, §2
 * (fasting plasma glucose: normal < 100 mg/dL, prediabetes 100–125, diabetes ≥ 126) and §6
 * (hypoglycaemia level 1 < 70, level 2 < 54 mg/dL), in mmol/L as the ADA rounds them (3.0, 3.9, 5.6,
 * 7.0). Systolic: ACC/AHA 2017 (Whelton et al., Hypertension 2018), Table 11's home-monitoring
 * equivalents (normal < 120, elevated 120–129, stage 1 130–134, stage 2 ≥ 135 mmHg). Heart rate: the
 * AHA's adult resting range of 60–100 beats/min. Steps: Tudor-Locke & Bassett, Sports Med 2004
 * (< 5 000 sedentary, 5 000–7 499 low active, 7 500–9 999 somewhat active, ≥ 10 000 active).
 */
const GRADES: Readonly<Record<Measure, { readonly source: string; readonly grades: readonly Grade[] }>> = {
  glucose: {
    source: 'fasting values of the ADA Standards of Care 2024',
    grades: [
      { below: 54, category: 'Very low (below 54 mg/dL)', severity: 'danger' },
      { below: 70, category: 'Low (below 70 mg/dL)', severity: 'warning' },
      { below: 100, category: 'In the normal fasting range (70–99 mg/dL)', severity: 'normal' },
      { below: 126, category: 'Prediabetes range if fasting (100–125 mg/dL)', severity: 'warning' },
      { below: Infinity, category: 'Diabetes range if fasting (126 mg/dL or more)', severity: 'danger' },
    ],
  },
  glucoseMmol: {
    source: 'fasting values of the ADA Standards of Care 2024',
    grades: [
      { below: 3.0, category: 'Very low (below 3.0 mmol/L)', severity: 'danger' },
      { below: 3.9, category: 'Low (below 3.9 mmol/L)', severity: 'warning' },
      { below: 5.6, category: 'In the normal fasting range (3.9–5.5 mmol/L)', severity: 'normal' },
      { below: 7.0, category: 'Prediabetes range if fasting (5.6–6.9 mmol/L)', severity: 'warning' },
      { below: Infinity, category: 'Diabetes range if fasting (7.0 mmol/L or more)', severity: 'danger' },
    ],
  },
  systolic: {
    source: 'home-reading thresholds of the ACC/AHA 2017 guideline',
    grades: [
      { below: 120, category: 'Normal (below 120 mmHg)', severity: 'normal' },
      { below: 130, category: 'Elevated (120–129 mmHg)', severity: 'warning' },
      { below: 135, category: 'Stage 1 hypertension (130–134 mmHg at home)', severity: 'warning' },
      { below: Infinity, category: 'Stage 2 hypertension (135 mmHg or more at home)', severity: 'danger' },
    ],
  },
  heartRate: {
    source: 'the American Heart Association’s adult resting range',
    grades: [
      { below: 60, category: 'Below the usual resting range (under 60 beats/min)', severity: 'info' },
      // 100 itself is in the range: the first mean shown above it is 100.1.
      { below: 100.05, category: 'In the usual resting range (60–100 beats/min)', severity: 'normal' },
      {
        below: Infinity,
        category: 'Above the usual resting range (over 100 beats/min)',
        severity: 'warning',
      },
    ],
  },
  steps: {
    source: 'Tudor-Locke and Bassett’s step-count levels (2004)',
    grades: [
      { below: 5000, category: 'Sedentary (under 5,000 a day)', severity: 'warning' },
      { below: 7500, category: 'Low active (5,000–7,499 a day)', severity: 'info' },
      { below: 10_000, category: 'Somewhat active (7,500–9,999 a day)', severity: 'normal' },
      { below: Infinity, category: 'Active (10,000 or more a day)', severity: 'normal' },
    ],
  },
};

/** The grade of a mean as displayed (`digits` decimals), so "129.96" shown as "130.0" is stage 1. */
export function gradeMean(measure: Measure, mean: number, digits: number): Grade {
  const shown = Number(mean.toFixed(digits));
  const { grades } = GRADES[measure];
  return grades.find((grade) => shown < grade.below) ?? (grades[grades.length - 1] as Grade);
}

const day = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

/** The day `offset` days from `from` (negative: before it), at local midnight. */
export function readingDay(from: Date, offset: number): Date {
  return new Date(from.getFullYear(), from.getMonth(), from.getDate() + offset);
}

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

export const readingsSummary: Computation = {
  id: 'readings-summary',
  // 2: readings travel in steps of their measure (tenths of mg/dL or mmol/L for glucose), no longer whole units.
  version: 2,
  title: 'Readings summary',
  description:
    'The average and spread of up to 31 daily readings (blood glucose, blood pressure, heart rate or steps), compared with the usual guideline ranges.',
  scheme: 'additive',
  group: 'ristretto255',
  inputs: slots.flatMap((i) => [
    {
      name: `reading${i}`,
      label: `Reading ${i} (0 if empty)`,
      unit: "the measure's step (0.1 for glucose, else 1)",
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
      kind: 'date',
      name: 'lastDay',
      label: 'Date of the last reading',
      help: 'The readings are one a day, the last on this date. Dates stay on this device.',
    },
    {
      kind: 'series',
      name: 'readings',
      label: 'Readings',
      maxItems: MAX_READINGS,
      boundsBy: { field: 'measure', bounds: MEASURES },
      datedBy: 'lastDay',
    },
  ],

  encodeInputs(values) {
    const scale = stepsOf(MEASURES[readChoice(values, 'measure') as Measure]);
    const readings = readSeries(values, 'readings');
    const plaintexts: Record<string, bigint> = {};
    for (const i of slots) {
      const reading = readings[i - 1];
      const x = reading === undefined ? 0n : BigInt(Math.round(reading * scale));
      plaintexts[`reading${i}`] = x;
      plaintexts[`squareHigh${i}`] = (x * x) >> SQUARE_SPLIT_BITS;
      plaintexts[`squareLow${i}`] = (x * x) % SQUARE_SPLIT;
    }
    return plaintexts;
  },

  evaluation: {
    kind: 'public-linear',
    outputs: {
      sum: sumOf('reading'),
      sumOfSquaresHigh: sumOf('squareHigh'),
      sumOfSquaresLow: sumOf('squareLow'),
    },
  },

  interpret(outputs, values) {
    const measureId = readChoice(values, 'measure') as Measure;
    const measure = MEASURES[measureId];
    const scale = stepsOf(measure);
    const count = readSeries(values, 'readings').length;
    const sumOfSquares =
      named(outputs, 'sumOfSquaresHigh') * SQUARE_SPLIT + named(outputs, 'sumOfSquaresLow');
    const inSteps = summarize(count, named(outputs, 'sum'), sumOfSquares);
    const mean = inSteps.mean / scale;
    const sd = inSteps.standardDeviation === undefined ? undefined : inSteps.standardDeviation / scale;
    // Steps are shown whole; the other measures to 0.1, the precision a mean of them deserves.
    const digits = measure.max >= 1000 ? 0 : 1;
    const format = (x: number) =>
      x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    const grade = gradeMean(measureId, mean, digits);
    const last = readDate(values, 'lastDay');
    const first = readingDay(last, -(count - 1));
    const days = count === 1 ? `on ${day.format(first)}` : `from ${day.format(first)} to ${day.format(last)}`;
    const spread =
      sd === undefined
        ? 'With one reading there is no spread to show yet.'
        : sd === 0
          ? 'Every reading is the same.'
          : `About two thirds of them lie within ${format(mean - sd)}–${format(mean + sd)} ${measure.unit} ` +
            `(standard deviation ${format(sd)}).`;
    return {
      value: mean,
      display: `${format(mean)} ${measure.unit}`,
      category: grade.category,
      severity: grade.severity,
      explanation:
        `The average of ${count} ${measure.label.toLowerCase()} reading${count === 1 ? '' : 's'} ${days}, ` +
        `compared with the ${GRADES[measureId].source}. ${spread} One average is not a diagnosis: ` +
        'show your readings to your clinician.',
    };
  },
};
