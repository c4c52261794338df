import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encryptInputs, generateGroupKeyPair } from '../client.js';
import { named } from './computation.js';
import { validateForm } from './form.js';
import { MAX_READINGS, MEASURES, type Measure, readingsSummary, summarize } from './readings-summary.js';
import { encryptedRoundTrip, evaluateInTheClear } from './test-support.js';

const MEASURE_NAMES = Object.keys(MEASURES) as Measure[];

/** Readings in whole steps of their measure (tenths for glucose), as they travel. */
const scaleOf = (measure: Measure) => Math.round(1 / MEASURES[measure].step);

/** A measure and 1–31 readings within its bounds and on its step, its extremes drawn more often. */
const series = fc.constantFrom(...MEASURE_NAMES).chain((measure) => {
  const { min, max } = MEASURES[measure];
  const scale = scaleOf(measure);
  const inSteps = fc.oneof(
    fc.integer({ min: Math.round(min * scale), max: Math.round(max * scale) }),
    fc.constantFrom(Math.round(min * scale), Math.round(max * scale)),
  );
  return fc.record({
    measure: fc.constant(measure),
    lastDay: fc.constant('2026-03-01'),
    readings: fc.array(
      inSteps.map((steps) => steps / scale),
      { minLength: 1, maxLength: MAX_READINGS },
    ),
  });
});

/** Σx and Σx² in exact integers of the measure's step, computed here from the readings themselves. */
function plaintextSums(readings: readonly number[], measure: Measure) {
  const xs = readings.map((x) => BigInt(Math.round(x * scaleOf(measure))));
  return { sum: xs.reduce((s, x) => s + x, 0n), sumOfSquares: xs.reduce((s, x) => s + x * x, 0n) };
}

/** Σx² as the client puts it back together from the two sums the service returns. */
const reassembled = (outputs: Readonly<Record<string, bigint>>) =>
  named(outputs, 'sumOfSquaresHigh') * 2n ** 17n + named(outputs, 'sumOfSquaresLow');

const LARGEST = {
  measure: 'steps',
  lastDay: '2026-03-01',
  readings: Array<number>(MAX_READINGS).fill(MEASURES.steps.max),
} as const;

const key = generateGroupKeyPair('ristretto255');

describe('readings-summary sums', () => {
  it('returns the exact Σx and Σx² of 1,000 random series of every measure', () => {
    const measuresSeen = new Set<string>();
    fc.assert(
      fc.property(series, (values) => {
        measuresSeen.add(values.measure);
        expect(validateForm(readingsSummary, values)).toEqual({});
        const outputs = evaluateInTheClear(readingsSummary, readingsSummary.encodeInputs(values));
        const { sum, sumOfSquares } = plaintextSums(values.readings, values.measure);
        expect(named(outputs, 'sum')).toBe(sum);
        expect(reassembled(outputs)).toBe(sumOfSquares);
        for (const { name, min, max } of readingsSummary.outputs) {
          expect(Number(named(outputs, name)), name).toBeGreaterThanOrEqual(min);
          expect(Number(named(outputs, name)), name).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 1000, examples: [[LARGEST]] },
    );
    expect(measuresSeen).toEqual(new Set(MEASURE_NAMES));
  });

  it('gives the same integers through ristretto255 encryption, the service and decryption', () => {
    fc.assert(
      fc.property(series, (values) => {
        const inputs = readingsSummary.encodeInputs(values);
        const outputs = encryptedRoundTrip(readingsSummary, key, inputs);
        expect(outputs).toEqual(evaluateInTheClear(readingsSummary, inputs));
        const { sum, sumOfSquares } = plaintextSums(values.readings, values.measure);
        expect([named(outputs, 'sum'), reassembled(outputs)]).toEqual([sum, sumOfSquares]);
      }),
      // 93 inputs encrypted a run, so few runs. The largest sums (31 × 100 000 steps) are always tried.
      { numRuns: 5, examples: [[LARGEST]] },
    );
  }, 30_000);

  it('sends all 93 inputs whatever the count, empty slots as 0, each square split at 2^17', () => {
    fc.assert(
      fc.property(series, ({ measure, readings }) => {
        const inputs = readingsSummary.encodeInputs({ measure, readings });
        const scale = scaleOf(measure);
        expect(Object.keys(inputs).sort()).toEqual(readingsSummary.inputs.map((i) => i.name).sort());
        expect(Object.keys(inputs)).toHaveLength(3 * MAX_READINGS);
        for (let slot = 1; slot <= MAX_READINGS; slot++) {
          const x = BigInt(Math.round((readings[slot - 1] ?? 0) * scale));
          const high = named(inputs, `squareHigh${slot}`);
          const low = named(inputs, `squareLow${slot}`);
          expect(named(inputs, `reading${slot}`)).toBe(x);
          expect(high * 2n ** 17n + low).toBe(x * x);
          expect(low >= 0n && low < 2n ** 17n).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('sends a request of one size whatever the count: one reading or 31', () => {
    const encrypt = (readings: number[]) =>
      encryptInputs(readingsSummary, key, readingsSummary.encodeInputs({ measure: 'systolic', readings }));
    const one = encrypt([120]);
    const full = encrypt(Array<number>(MAX_READINGS).fill(120));
    expect(Object.keys(one.inputs)).toEqual(Object.keys(full.inputs));
    expect(JSON.stringify(one).length).toBe(JSON.stringify(full).length);
  });

  it('keeps every output’s search short: each declared range is under 2^23 wide', () => {
    // Σx² itself reaches 31·10^10 ≈ 2^38; split, no decode searches more than ~2^11.5 steps.
    for (const { min, max } of readingsSummary.outputs) expect(max - min).toBeLessThan(2 ** 23);
    expect(readingsSummary.outputs.map((o) => o.name)).toEqual([
      'sum',
      'sumOfSquaresHigh',
      'sumOfSquaresLow',
    ]);
  });
});

describe('readings-summary statistics', () => {
  /** Mean and sample standard deviation (n − 1) in double precision, the textbook two-pass way. */
  function reference(readings: readonly number[]) {
    const mean = readings.reduce((s, x) => s + x, 0) / readings.length;
    const squaredDeviations = readings.reduce((s, x) => s + (x - mean) ** 2, 0);
    return { mean, standardDeviation: Math.sqrt(squaredDeviations / (readings.length - 1)) };
  }

  it('summarizes count, mean and standard deviation as the two-pass formula does', () => {
    fc.assert(
      fc.property(series, ({ measure, readings }) => {
        const { sum, sumOfSquares } = plaintextSums(readings, measure);
        const summary = summarize(readings.length, sum, sumOfSquares);
        const expected = reference(readings.map((x) => Math.round(x * scaleOf(measure))));
        expect(summary.count).toBe(readings.length);
        expect(summary.mean).toBeCloseTo(expected.mean, 9);
        if (readings.length === 1) expect(summary.standardDeviation).toBeUndefined();
        else expect(summary.standardDeviation).toBeCloseTo(expected.standardDeviation, 6);
      }),
      { numRuns: 1000 },
    );
  });

  it('is exact where floating-point sums of squares cancel badly: 31 readings of 99 999 and 100 000', () => {
    const readings = Array.from({ length: MAX_READINGS }, (_, i) => (i % 2 === 0 ? 100_000 : 99_999));
    const { sum, sumOfSquares } = plaintextSums(readings, 'steps');
    const summary = summarize(readings.length, sum, sumOfSquares);
    // 16 of 100 000 and 15 of 99 999: variance = 16·15/(31·30) exactly.
    expect(summary.standardDeviation).toBeCloseTo(Math.sqrt((16 * 15) / (31 * 30)), 12);
    expect(summarize(3, 30n, 300n).standardDeviation).toBe(0);
  });

  /** The interpretation of a series, through the service's sums computed in the clear. */
  function interpretSeries(measure: Measure, readings: readonly number[], lastDay = '2026-03-01') {
    const values = { measure, lastDay, readings };
    return readingsSummary.interpret(
      evaluateInTheClear(readingsSummary, readingsSummary.encodeInputs(values)),
      values,
    );
  }

  it('shows the mean in the measure’s unit with its dates, graded, and the spread when there is one', () => {
    const glucose = interpretSeries('glucose', [90, 110.5, 99.5]);
    expect(glucose.value).toBeCloseTo(100, 9);
    expect(glucose.display).toBe('100.0 mg/dL');
    expect(glucose.category).toBe('Prediabetes range if fasting (100–125 mg/dL)');
    expect(glucose.explanation).toContain('The average of 3 blood glucose readings from ');
    expect(glucose.explanation).toContain('ADA Standards of Care 2024');
    expect(glucose.explanation).toContain('(standard deviation 10.3)');

    const single = interpretSeries('steps', [8000]);
    expect([single.display, single.category]).toEqual([
      '8,000 steps/day',
      'Somewhat active (7,500–9,999 a day)',
    ]);
    expect(single.explanation).toContain('With one reading there is no spread to show yet.');

    expect(interpretSeries('heartRate', [62, 62, 62]).explanation).toContain('Every reading is the same.');
  });

  it('sends mmol/L glucose in tenths, and grades it on the ADA’s mmol/L thresholds', () => {
    const values = { measure: 'glucoseMmol', lastDay: '2026-03-01', readings: [5.4, 6.1] };
    const inputs = readingsSummary.encodeInputs(values);
    expect([named(inputs, 'reading1'), named(inputs, 'reading2'), named(inputs, 'reading3')]).toEqual([
      54n,
      61n,
      0n,
    ]);
    const result = interpretSeries('glucoseMmol', [5.4, 6.1]);
    expect(result.display).toBe('5.8 mmol/L');
    expect(result.category).toBe('Prediabetes range if fasting (5.6–6.9 mmol/L)');
  });

  it('grades a mean as displayed: 129.7 mmHg is elevated, 129.96 shows as 130.0 and is stage 1', () => {
    expect(interpretSeries('systolic', [129, 130, 130]).category).toBe('Elevated (120–129 mmHg)');
    expect(interpretSeries('systolic', [...Array<number>(24).fill(130), 129]).category).toBe(
      'Stage 1 hypertension (130–134 mmHg at home)',
    );
    expect(interpretSeries('systolic', [140, 150]).severity).toBe('danger');
    expect(interpretSeries('heartRate', [100]).category).toBe(
      'In the usual resting range (60–100 beats/min)',
    );
    expect(interpretSeries('heartRate', [100, 101]).category).toBe(
      'Above the usual resting range (over 100 beats/min)',
    );
    expect(interpretSeries('glucoseMmol', [3.8]).category).toBe('Low (below 3.9 mmol/L)');
  });

  it('dates the readings one a day, the last on the day given', () => {
    const { explanation } = interpretSeries('steps', [1000, 2000, 3000], '2026-03-01');
    const day = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
    expect(explanation).toContain(
      `from ${day.format(new Date(2026, 1, 27))} to ${day.format(new Date(2026, 2, 1))}`,
    );
  });
});
