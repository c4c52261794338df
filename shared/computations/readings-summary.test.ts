import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encryptInputs, generateGroupKeyPair } from '../client.js';
import { named } from './computation.js';
import { validateForm } from './form.js';
import { MAX_READINGS, MEASURES, type Measure, readingsSummary, summarize } from './readings-summary.js';
import { encryptedRoundTrip, evaluateInTheClear } from './test-support.js';

const MEASURE_NAMES = Object.keys(MEASURES) as Measure[];

/** A measure and 1–31 whole readings within its bounds, its extremes drawn more often. */
const series = fc.constantFrom(...MEASURE_NAMES).chain((measure) => {
  const { min, max } = MEASURES[measure];
  const reading = fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max));
  return fc.record({
    measure: fc.constant(measure),
    readings: fc.array(reading, { minLength: 1, maxLength: MAX_READINGS }),
  });
});

/** Σx and Σx² in exact integers, computed here from the readings themselves. */
function plaintextSums(readings: readonly number[]) {
  const xs = readings.map(BigInt);
  return { sum: xs.reduce((s, x) => s + x, 0n), sumOfSquares: xs.reduce((s, x) => s + x * x, 0n) };
}

/** Σx² as the client puts it back together from the two sums the service returns. */
const reassembled = (outputs: Readonly<Record<string, bigint>>) =>
  named(outputs, 'sumOfSquaresHigh') * 2n ** 17n + named(outputs, 'sumOfSquaresLow');

const LARGEST = { measure: 'steps', readings: Array<number>(MAX_READINGS).fill(MEASURES.steps.max) } as const;

const key = generateGroupKeyPair('ristretto255');

describe('readings-summary sums', () => {
  it('returns the exact Σx and Σx² of 1,000 random series of every measure', () => {
    const measuresSeen = new Set<string>();
    fc.assert(
      fc.property(series, (values) => {
        measuresSeen.add(values.measure);
        expect(validateForm(readingsSummary, values)).toEqual({});
        const outputs = evaluateInTheClear(readingsSummary, readingsSummary.encodeInputs(values));
        const { sum, sumOfSquares } = plaintextSums(values.readings);
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
        const { sum, sumOfSquares } = plaintextSums(values.readings);
        expect([named(outputs, 'sum'), reassembled(outputs)]).toEqual([sum, sumOfSquares]);
      }),
      // 93 inputs: about 0.3 s a run. The largest sums (31 × 100 000 steps) are always tried.
      { numRuns: 5, examples: [[LARGEST]] },
    );
  }, 30_000);

  it('sends all 93 inputs whatever the count, empty slots as 0, each square split at 2^17', () => {
    fc.assert(
      fc.property(series, ({ measure, readings }) => {
        const inputs = readingsSummary.encodeInputs({ measure, readings });
        expect(Object.keys(inputs).sort()).toEqual(readingsSummary.inputs.map((i) => i.name).sort());
        expect(Object.keys(inputs)).toHaveLength(3 * MAX_READINGS);
        for (let slot = 1; slot <= MAX_READINGS; slot++) {
          const x = BigInt(readings[slot - 1] ?? 0);
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
      fc.property(series, ({ readings }) => {
        const { sum, sumOfSquares } = plaintextSums(readings);
        const summary = summarize(readings.length, sum, sumOfSquares);
        const expected = reference(readings);
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
    const { sum, sumOfSquares } = plaintextSums(readings);
    const summary = summarize(readings.length, sum, sumOfSquares);
    // 16 of 100 000 and 15 of 99 999: variance = 16·15/(31·30) exactly.
    expect(summary.standardDeviation).toBeCloseTo(Math.sqrt((16 * 15) / (31 * 30)), 12);
    expect(summarize(3, 30n, 300n).standardDeviation).toBe(0);
  });

  it('shows the mean in the measure’s unit, the count, and the spread when there is one', () => {
    const glucose = { measure: 'glucose', readings: [90, 110, 100] };
    const outputs = evaluateInTheClear(readingsSummary, readingsSummary.encodeInputs(glucose));
    const result = readingsSummary.interpret(outputs, glucose);
    expect(result.value).toBe(100);
    expect(result.display).toBe('100.0 mg/dL');
    expect(result.category).toBe('Blood glucose: mean of 3 readings');
    expect(result.explanation).toContain('Standard deviation 10.0 mg/dL');

    const steps = { measure: 'steps', readings: [8000] };
    const single = readingsSummary.interpret(
      evaluateInTheClear(readingsSummary, readingsSummary.encodeInputs(steps)),
      steps,
    );
    expect([single.display, single.category]).toEqual(['8000 steps/day', 'Steps: mean of 1 reading']);
    expect(single.explanation).not.toContain('Standard deviation');

    const steady = { measure: 'heartRate', readings: [62, 62, 62] };
    const same = readingsSummary.interpret(
      evaluateInTheClear(readingsSummary, readingsSummary.encodeInputs(steady)),
      steady,
    );
    expect(same.explanation).toBe('Standard deviation 0 beats/min: every reading is the same.');
  });
});
