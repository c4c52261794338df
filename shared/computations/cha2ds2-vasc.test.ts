import { describe, expect, it } from 'vitest';
import { cha2ds2Vasc } from './cha2ds2-vasc.js';
import { type FormValues, named } from './computation.js';
import { evaluateInTheClear } from './test-support.js';

/** The declared weights applied to the encoded inputs, without encryption: cheap enough for all 384 cases. */
function scoreInTheClear(values: FormValues): bigint {
  return named(evaluateInTheClear(cha2ds2Vasc, cha2ds2Vasc.encodeInputs(values)), 'score');
}

const FLAGS = ['chf', 'hypertension', 'diabetes', 'stroke', 'vascular'] as const;
/** Both sides of both age boundaries, and the ends of the form's age range. */
const AGES = [18, 64, 65, 74, 75, 120];

interface Patient {
  readonly age: number;
  readonly female: boolean;
  readonly flags: Readonly<Record<(typeof FLAGS)[number], boolean>>;
}

/** Every combination of the five yes/no answers and sex (2^6), at every age above. */
function everyPatient(): Patient[] {
  const patients: Patient[] = [];
  for (let bits = 0; bits < 2 ** 6; bits++) {
    const flags = Object.fromEntries(
      FLAGS.map((name, i) => [name, (bits & (1 << i)) !== 0]),
    ) as Patient['flags'];
    for (const age of AGES) patients.push({ age, female: (bits & (1 << 5)) !== 0, flags });
  }
  return patients;
}

function formValues({ age, female, flags }: Patient): FormValues {
  return { age: { value: age, unit: 'years' }, sex: female ? 'female' : 'male', ...flags };
}

/** ../reference/clinical.md, point by point. */
function clinicalScore({ age, female, flags }: Patient): number {
  return (
    Number(flags.chf) +
    Number(flags.hypertension) +
    (age >= 75 ? 2 : 0) +
    Number(flags.diabetes) +
    2 * Number(flags.stroke) +
    Number(flags.vascular) +
    (age >= 65 && age <= 74 ? 1 : 0) +
    Number(female)
  );
}

describe('cha2ds2-vasc', () => {
  it('scores every combination of answers, sex and boundary age as clinical.md does', () => {
    const patients = everyPatient();
    expect(patients).toHaveLength(2 ** 6 * AGES.length);
    for (const patient of patients) {
      expect(scoreInTheClear(formValues(patient)), JSON.stringify(patient)).toBe(
        BigInt(clinicalScore(patient)),
      );
    }
  });

  it('encodes exactly the declared inputs, each an indicator, with at most one age band', () => {
    for (const patient of everyPatient()) {
      const inputs = cha2ds2Vasc.encodeInputs(formValues(patient));
      expect(Object.keys(inputs).sort()).toEqual(cha2ds2Vasc.inputs.map((i) => i.name).sort());
      for (const m of Object.values(inputs)) expect([0n, 1n]).toContain(m);
      expect(named(inputs, 'age65to74') + named(inputs, 'age75plus')).toBeLessThanOrEqual(1n);
    }
  });

  it('spans exactly the declared output range [0, 9]', () => {
    const scores = everyPatient().map(clinicalScore);
    expect(cha2ds2Vasc.outputs).toEqual([
      { name: 'score', min: Math.min(...scores), max: Math.max(...scores) },
    ]);
  });

  describe('risk category (ESC 2020: graded on the score without the point for female sex)', () => {
    const interpret = (score: number, sex: 'female' | 'male') =>
      cha2ds2Vasc.interpret({ score: BigInt(score) }, { sex });

    it.each([
      [0, 'Low risk'],
      [1, 'Moderate risk'],
      [2, 'High risk'],
      [9, 'High risk'],
    ])('a man scoring %i is at %s', (score, category) => {
      expect(interpret(score, 'male').category).toBe(category);
    });

    it.each([
      [1, 'Low risk'],
      [2, 'Moderate risk'],
      [3, 'High risk'],
      [9, 'High risk'],
    ])('a woman scoring %i is at %s', (score, category) => {
      expect(interpret(score, 'female').category).toBe(category);
    });

    it('shows the score out of 9 and never a higher category for a higher score', () => {
      for (const sex of ['female', 'male'] as const) {
        const order = ['Low risk', 'Moderate risk', 'High risk'];
        let previous = -1;
        for (let score = sex === 'female' ? 1 : 0; score <= 9; score++) {
          const result = interpret(score, sex);
          expect(result.display).toBe(`${score} of 9`);
          expect(result.value).toBe(score);
          const rank = order.indexOf(result.category);
          expect(rank).toBeGreaterThanOrEqual(previous);
          previous = rank;
        }
      }
    });
  });
});
