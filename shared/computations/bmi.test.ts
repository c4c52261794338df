import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bmi, whoBmiClass } from './bmi.js';
import { type FormValues, named, type Plaintexts } from './computation.js';

/** Exact definitions of the pound and the inch (international yard and pound agreement, 1959). */
const KG_PER_LB = 0.45359237;
const M_PER_INCH = 0.0254;
/** Relative gap between the rounded clinical constant 703 and the exact 1 lb/in² in kg/m². */
const CONSTANT_703_ERROR = Math.abs(KG_PER_LB / M_PER_INCH ** 2 / 703 - 1);
/** Room for binary floating point in the unit conversions (values are at most ~10^4). */
const FLOAT_SLACK = 1e-9;

/** What the client shows: the outputs the service would return for these inputs, divided on the device. */
function bmiFromEncoding(values: FormValues): number {
  const inputs = bmi.encodeInputs(values);
  const weight = named(inputs, 'weight');
  const height = named(inputs, 'height');
  const outputs: Plaintexts = { numerator: weight * 100000n, denominator: height * height };
  return bmi.interpret(outputs, values).value;
}

/**
 * The BMI interval that the 0.1 kg / 1 mm encoding allows around a true weight and height:
 * weight moves by at most 0.05 kg and height by at most 0.5 mm when rounded.
 */
function roundingInterval(kg: number, metres: number): [number, number] {
  return [(kg - 0.05) / (metres + 0.0005) ** 2, (kg + 0.05) / (metres - 0.0005) ** 2];
}

function expectWithin(value: number, [low, high]: [number, number], relativeSlack: number): void {
  expect(value).toBeGreaterThanOrEqual(low * (1 - relativeSlack));
  expect(value).toBeLessThanOrEqual(high * (1 + relativeSlack));
}

describe('bmi.encodeInputs against the plaintext formulas', () => {
  it('matches kg/m² within the rounding of the encoding', () => {
    const kg = fc.double({ min: 1, max: 650, noNaN: true });
    const cm = fc.double({ min: 30, max: 280, noNaN: true });
    fc.assert(
      fc.property(kg, cm, (weight, height) => {
        const values = { weight: { value: weight, unit: 'kg' }, height: { value: height, unit: 'cm' } };
        const inputs = bmi.encodeInputs(values);
        expect(Math.abs(Number(named(inputs, 'weight')) / 10 - weight)).toBeLessThanOrEqual(
          0.05 + FLOAT_SLACK,
        );
        expect(Math.abs(Number(named(inputs, 'height')) - height * 10)).toBeLessThanOrEqual(
          0.5 + FLOAT_SLACK,
        );
        expectWithin(bmiFromEncoding(values), roundingInterval(weight, height / 100), FLOAT_SLACK);
      }),
      { numRuns: 1000 },
    );
  });

  it('matches 703·lb/in² within the rounding of the encoding and of the constant 703', () => {
    const lb = fc.double({ min: 2.3, max: 1433, noNaN: true });
    const inches = fc.double({ min: 11.9, max: 110.2, noNaN: true });
    fc.assert(
      fc.property(lb, inches, (weight, height) => {
        const values = { weight: { value: weight, unit: 'lb' }, height: { value: height, unit: 'in' } };
        const reference = (703 * weight) / height ** 2;
        const [low, high] = roundingInterval(weight * KG_PER_LB, height * M_PER_INCH);
        // Scale the interval onto the reference so only the encoding and 703's rounding separate them.
        const exact = (weight * KG_PER_LB) / (height * M_PER_INCH) ** 2;
        const interval: [number, number] = [(low / exact) * reference, (high / exact) * reference];
        expectWithin(bmiFromEncoding(values), interval, CONSTANT_703_ERROR + FLOAT_SLACK);
      }),
      { numRuns: 1000 },
    );
  });

  it('mixes units: lb with cm, kg with in', () => {
    const lbCm = { weight: { value: 150, unit: 'lb' }, height: { value: 170, unit: 'cm' } };
    expectWithin(bmiFromEncoding(lbCm), roundingInterval(150 * KG_PER_LB, 1.7), FLOAT_SLACK);
    const kgIn = { weight: { value: 70, unit: 'kg' }, height: { value: 68, unit: 'in' } };
    expectWithin(bmiFromEncoding(kgIn), roundingInterval(70, 68 * M_PER_INCH), FLOAT_SLACK);
  });
});

describe('bmi.interpret', () => {
  it('shows one decimal and the WHO class of 70 kg at 1.75 m', () => {
    const values = { weight: { value: 70, unit: 'kg' }, height: { value: 175, unit: 'cm' } };
    const result = bmi.interpret({ numerator: 700n * 100000n, denominator: 1750n * 1750n }, values);
    expect(result.value).toBeCloseTo(70 / 1.75 ** 2, 12);
    expect(result.display).toBe(`${(70 / 1.75 ** 2).toFixed(1)} kg/m²`);
    expect(result.category).toBe('Normal weight');
    expect(result.severity).toBe('normal');
  });
});

describe('whoBmiClass', () => {
  /** ../reference/clinical.md: the WHO adult classes and the lower bound of each after the first. */
  const CLASSES = [
    'Severe thinness',
    'Moderate thinness',
    'Mild thinness',
    'Normal weight',
    'Overweight',
    'Obesity class I',
    'Obesity class II',
    'Obesity class III',
  ];
  const LOWER_BOUNDS = [16, 17, 18.5, 25, 30, 35, 40];

  it.each(LOWER_BOUNDS.map((bound, i) => [bound, CLASSES[i + 1], CLASSES[i]] as const))(
    'puts %d in %s and just below it in %s',
    (bound, atOrAbove, below) => {
      expect(whoBmiClass(bound).category).toBe(atOrAbove);
      expect(whoBmiClass(bound + 0.01).category).toBe(atOrAbove);
      expect(whoBmiClass(bound - 0.1).category).toBe(below);
      // Classified as displayed: a value that shows as the bound is in the upper class.
      expect(whoBmiClass(bound - 0.01).category).toBe(atOrAbove);
    },
  );

  it('covers the extremes of the protocol range', () => {
    // The lightest patient at the tallest height, and the heaviest at the shortest.
    expect(whoBmiClass(1 / 2.8 ** 2).category).toBe(CLASSES[0]);
    expect(whoBmiClass(650 / 0.3 ** 2).category).toBe(CLASSES[7]);
  });

  it('is monotone in the BMI', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 5, max: 80, noNaN: true }),
        fc.double({ min: 5, max: 80, noNaN: true }),
        (a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(CLASSES.indexOf(whoBmiClass(low).category)).toBeLessThanOrEqual(
            CLASSES.indexOf(whoBmiClass(high).category),
          );
        },
      ),
    );
  });
});
