/**
 * The contribution layout (docs/STUDIES.md, "The layout"): which slots and proofs a study's contribution
 * carries, what each slot encrypts for given answers, and the answers it refuses.
 */

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AnswerError,
  type Answers,
  binBounds,
  type LinearTerm,
  parseStudy,
  plaintextSlots,
  slotTotalBound,
  slotTotalBounds,
  studyLayout,
} from './layout.js';
import type { NumberMeasure, Study } from './study-file.js';

type Json = Record<string, unknown>;
const EXAMPLE = JSON.parse(
  readFileSync(new URL('../../studies/home-blood-pressure.study.json', import.meta.url), 'utf8'),
) as Json;
const example = parseStudy(EXAMPLE);

/** The example's header with other measures and, optionally, strata. */
function studyWith(measures: Json[], stratifyBy?: string): Study {
  return parseStudy({ ...EXAMPLE, measures, stratifyBy });
}

const twelveBit = (name: string, statistics: Json) => ({
  kind: 'number',
  name,
  label: name,
  unit: 'u',
  min: 0,
  max: 4095,
  precision: 0,
  statistics,
});
const fourWay = {
  kind: 'choice',
  name: 'answer',
  label: 'Answer',
  options: ['a', 'b', 'c', 'd'].map((value) => ({ value, label: value })),
  statistics: { proportion: { level: 0.95 } },
};

/** Σ coefficient·plaintext: what a derived ciphertext encrypts. */
const derived = (terms: readonly LinearTerm[], plain: readonly bigint[]) =>
  terms.reduce((sum, t) => sum + t.coefficient * (plain[t.slot] as bigint), 0n);

function refusal(study: Study, answers: Answers): AnswerError {
  try {
    plaintextSlots(study, answers);
  } catch (error) {
    if (error instanceof AnswerError) return error;
    throw error;
  }
  throw new Error('The answers were accepted.');
}

describe('slots and proofs', () => {
  it('carries, for the target contribution (three 12-bit numbers, one 4-way choice), only what the statistics need', () => {
    const meanAndSd = studyWith([
      ...['a', 'b', 'c'].map((n) => twelveBit(n, { mean: true, sd: { level: 0.95 } })),
      fourWay,
    ]);
    expect(studyLayout(meanAndSd).slots.map((s) => s.name)).toEqual([
      'a.value',
      'a.square',
      'b.value',
      'b.square',
      'c.value',
      'c.square',
      'answer.option.a',
      'answer.option.b',
      'answer.option.c',
      'answer.option.d',
    ]);
    expect(studyLayout(meanAndSd).proofs).toEqual([
      { kind: 'range', slot: 0, max: 4095n },
      { kind: 'product', slot: 1, left: 0, right: 0 },
      { kind: 'range', slot: 2, max: 4095n },
      { kind: 'product', slot: 3, left: 2, right: 2 },
      { kind: 'range', slot: 4, max: 4095n },
      { kind: 'product', slot: 5, left: 4, right: 4 },
      { kind: 'one-hot', slots: [6, 7, 8, 9] },
    ]);
    const meansOnly = studyWith([...['a', 'b', 'c'].map((n) => twelveBit(n, { mean: true })), fourWay]);
    expect(studyLayout(meansOnly).slots).toHaveLength(7);
    const countsOnly = studyWith([
      twelveBit('a', { count: true }),
      { ...fourWay, statistics: { count: true } },
    ]);
    expect(studyLayout(countsOnly).slots).toHaveLength(0);
  });

  it('carries a histogram alone as its bins, with no value slot and no bin-bound proofs', () => {
    const study = studyWith([
      twelveBit('a', {
        histogram: {
          bins: [
            { from: 0, to: 999 },
            { from: 1000, to: 4095 },
          ],
        },
      }),
    ]);
    expect(studyLayout(study).slots.map((s) => s.name)).toEqual(['a.bin[0]', 'a.bin[1]']);
    expect(studyLayout(study).proofs).toEqual([{ kind: 'one-hot', slots: [0, 1] }]);
  });

  it('lays out the example: 16 own slots, then 11 copies for each stratum but the last', () => {
    const layout = studyLayout(example);
    expect(layout.baseCount).toBe(16);
    expect(layout.slots).toHaveLength(16 + 2 * 11);
    expect(layout.strata?.options).toEqual(['under50', 'from50to69', 'from70']);
    expect(layout.strata?.bits).toEqual([9, 10, 11]);
    expect(layout.slots[16]?.name).toBe('systolic.value@ageBand.under50');
    // No copy of a one-hot group's last member (the stratum's count minus the others'), nor of ageBand.
    const copied = layout.slots.filter((s) => s.stratum === 'under50').map((s) => s.name.split('@')[0]);
    expect(copied).not.toContain('systolic.bin[3]');
    expect(copied).not.toContain('missedDoses.option.fourOrMore');
    expect(copied.some((n) => n?.startsWith('ageBand'))).toBe(false);
  });

  it.each([
    ['the example', example],
    ['a study without strata', studyWith([twelveBit('a', { mean: true, sd: { level: 0.9 } }), fourWay])],
  ])('proves every slot of %s exactly once (a binned value by its bin’s two derived proofs)', (_, study) => {
    const layout = studyLayout(study);
    const subjects = layout.proofs.flatMap((p) =>
      p.kind === 'one-hot' ? p.slots : p.kind === 'derived-range' ? [] : [p.slot],
    );
    const binned = layout.slots.filter(
      (s) =>
        s.quantity.kind === 'value' &&
        s.stratum === undefined &&
        layout.slots.some((b) => b.measure === s.measure && b.quantity.kind === 'bin'),
    );
    for (const value of binned) {
      expect(subjects).not.toContain(value.index);
      const about = layout.proofs.filter(
        (p) => p.kind === 'derived-range' && p.terms.some((t) => t.slot === value.index),
      );
      expect(about).toHaveLength(2);
    }
    expect([...subjects, ...binned.map((s) => s.index)].sort((a, b) => a - b)).toEqual(
      layout.slots.map((s) => s.index),
    );
    for (const proof of layout.proofs) {
      if (proof.kind === 'product') {
        expect(proof.left).toBeLessThan(proof.slot);
        expect(proof.right).toBeLessThan(proof.slot);
      }
      if (proof.kind === 'derived-range')
        for (const t of proof.terms) expect(t.slot).toBeLessThan(layout.slots.length);
    }
  });

  it('bounds each slot’s total by its per-contribution maximum times the contributions', () => {
    const bounds = slotTotalBounds(example, 1000);
    expect(bounds[0]).toBe(180_000n); // systolic.value: R = 250 − 70
    expect(bounds[1]).toBe(180n * 180n * 1000n); // systolic.square
    expect(bounds[2]).toBe(1000n);
    expect(slotTotalBound(example, 1000)).toBe(32_400_000n);
    expect(slotTotalBound(example, 0)).toBe(0n);
    expect(() => slotTotalBound(example, -1)).toThrow(RangeError);
  });
});

describe('plaintextSlots', () => {
  const answers = {
    systolic: 128,
    diastolic: 82,
    controlled: true,
    ageBand: 'from50to69',
    missedDoses: 'one',
  };

  it('encrypts a number shifted by its min, its square, its bin, and each choice as one-hot', () => {
    const plain = plaintextSlots(example, answers);
    const byName = new Map(studyLayout(example).slots.map((s) => [s.name, plain[s.index]]));
    expect(byName.get('systolic.value')).toBe(58n);
    expect(byName.get('systolic.square')).toBe(58n * 58n);
    expect([0, 1, 2, 3].map((k) => byName.get(`systolic.bin[${k}]`))).toEqual([0n, 1n, 0n, 0n]);
    expect(byName.get('diastolic.value')).toBe(42n);
    expect(byName.get('controlled.true')).toBe(1n);
    expect(['under50', 'from50to69', 'from70'].map((o) => byName.get(`ageBand.option.${o}`))).toEqual([
      0n,
      1n,
      0n,
    ]);
    expect(byName.get('missedDoses.option.one')).toBe(1n);
    // Copies: the patient's stratum holds the values, the other stratum zeros.
    expect(byName.get('systolic.value@ageBand.from50to69')).toBe(58n);
    expect(byName.get('systolic.value@ageBand.under50')).toBe(0n);
    expect(byName.get('controlled.true@ageBand.from50to69')).toBe(1n);
    expect(byName.get('missedDoses.option.one@ageBand.under50')).toBe(0n);
  });

  it('keeps the bin bounds of the histogram: every value in range satisfies both derived proofs', () => {
    const layout = studyLayout(example);
    const derivedProofs = layout.proofs.filter((p) => p.kind === 'derived-range');
    expect(derivedProofs).toHaveLength(2);
    for (let systolic = 70; systolic <= 250; systolic++) {
      const plain = plaintextSlots(example, { ...answers, systolic });
      for (const proof of derivedProofs) {
        const v = derived(proof.terms, plain);
        expect(v >= 0n && v <= proof.max).toBe(true);
      }
    }
  });

  it('lets no derived proof hold for a value with the wrong bin chosen (a forged one-hot)', () => {
    const layout = studyLayout(example);
    const measure = example.measures[0] as NumberMeasure;
    const derivedProofs = layout.proofs.filter((p) => p.kind === 'derived-range');
    fc.assert(
      fc.property(fc.integer({ min: 70, max: 250 }), fc.integer({ min: 0, max: 3 }), (systolic, chosen) => {
        const plain = plaintextSlots(example, { ...answers, systolic });
        const { lo, hi } = binBounds(measure, chosen);
        const value = plain[0] as bigint;
        for (let k = 0; k < 4; k++) plain[2 + k] = k === chosen ? 1n : 0n;
        const holds = derivedProofs.every((p) => {
          const v = derived(p.terms, plain);
          return v >= 0n && v <= p.max;
        });
        expect(holds).toBe(value >= lo && value <= hi);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses answers out of range, too precise, of the wrong type, unknown or missing, naming the measure', () => {
    const cases: [Answers, string, RegExp][] = [
      [{ ...answers, systolic: 251 }, 'systolic', /from 70 to 250 mmHg/],
      [{ ...answers, systolic: 69 }, 'systolic', /from 70 to 250/],
      [{ ...answers, systolic: 128.5 }, 'systolic', /at most 0 decimals/],
      [{ ...answers, systolic: Number.NaN }, 'systolic', /finite number/],
      [{ ...answers, systolic: '128' }, 'systolic', /finite number/],
      [{ ...answers, controlled: 'yes' }, 'controlled', /true or false/],
      [
        { ...answers, ageBand: 'from18to49' },
        'ageBand',
        /one of the options \(under50, from50to69, from70\)/,
      ],
      [{ ...answers, missedDoses: true }, 'missedDoses', /one of the options/],
      [{ ...answers, weight: 80 }, 'weight', /not a measure/],
    ];
    for (const [given, measure, why] of cases) {
      const error = refusal(example, given);
      expect(error.measure).toBe(measure);
      expect(error.message).toMatch(new RegExp(`^answers\\.${measure}: `));
      expect(error.message).toMatch(why);
    }
    const { controlled: _, ...withoutControlled } = answers;
    expect(refusal(example, withoutControlled).message).toBe('answers.controlled: is missing');
  });

  it('takes decimals up to the precision and no further', () => {
    const study = studyWith([
      {
        kind: 'number',
        name: 'hba1c',
        label: 'HbA1c',
        unit: '%',
        min: 4,
        max: 14,
        precision: 1,
        statistics: { mean: true },
      },
    ]);
    expect(plaintextSlots(study, { hba1c: 7.3 })).toEqual([33n]);
    expect(plaintextSlots(study, { hba1c: 14 })).toEqual([100n]);
    expect(refusal(study, { hba1c: 7.25 }).message).toMatch(/at most 1 decimal$/);
    // One ulp above 7.3, as a sum of doubles can give: refused rather than silently rounded.
    expect(refusal(study, { hba1c: 7.300000000000001 }).message).toMatch(/at most 1 decimal/);
  });
});
