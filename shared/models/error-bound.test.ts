/**
 * The published fixed-point error bound: a feature that is exact at the features' precision adds no
 * rounding of its own, so a score of indicators, and of indicators times whole values, has bound 0.
 */

import { describe, expect, it } from 'vitest';
import { parseModel } from './model.js';
import { deriveBounds } from './model-computation.js';

const wholeNumber = (name: string, step: number) => ({
  kind: 'number',
  name,
  label: name,
  units: [{ id: 'u', label: 'u', min: 0, max: 250, step }],
});

function boundOf(from: unknown, step = 1, features = 0) {
  const file = {
    format: 'sealed-vitals-model/1',
    id: 'bound-test',
    version: 1,
    title: 'Bound test',
    description: 'A model for the error bound.',
    citation: 'None.',
    private: false,
    fields: [
      wholeNumber('sbp', step),
      wholeNumber('dbp', step),
      { kind: 'boolean', name: 'treated', label: 'Treated' },
    ],
    features: [{ name: 'term', label: 'term', from }],
    precision: { features, weights: 0 },
    link: { kind: 'score' },
    display: { template: '{value}', decimals: 0 },
    grades: [{ category: 'Any', severity: 'normal' }],
    explanation: '{value}',
    weights: { term: 1 },
  };
  const model = parseModel(file);
  if (!model.coefficients) throw new Error('a public model has coefficients');
  return deriveBounds(model, model.coefficients).error;
}

const band = (field: string, below: number) => ({ between: [{ value: field }, null, below] });

describe('the error bound counts exact features as exact', () => {
  it('a product of two bands is an indicator: bound 0', () => {
    expect(boundOf({ product: [band('sbp', 90), band('dbp', 61)] })).toBe(0);
  });

  it('a whole-step value times a yes/no field is exact: bound 0', () => {
    expect(boundOf({ product: [{ value: 'sbp' }, { value: 'treated' }] })).toBe(0);
  });

  it('a product of two values is not (0.1 × 0.1 is not whole at one digit)', () => {
    expect(boundOf({ product: [{ value: 'sbp' }, { value: 'dbp' }] }, 0.1, 1)).toBeGreaterThan(0);
  });

  it('an indicator times a logarithm is not', () => {
    expect(
      boundOf({ product: [{ ln: { max: [{ value: 'sbp' }, 1] } }, { value: 'treated' }] }),
    ).toBeGreaterThan(0);
  });
});
