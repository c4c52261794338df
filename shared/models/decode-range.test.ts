/**
 * The decode range's limit (2^34 values a browser decodes): a private model's range is padded, so a
 * model just inside the limit as public is outside it as private, and the message says why.
 */

import { describe, expect, it } from 'vitest';
import { ModelError } from './features.js';
import { parseModel } from './model.js';
import { deriveBounds, MAX_DECODE_WIDTH } from './model-computation.js';

/** Σβx = weight · x for x in 0…250: a range of 250 · weight + 1 values. */
function oneTermModel(weight: number) {
  const model = parseModel({
    format: 'sealed-vitals-model/1',
    id: 'range-test',
    version: 1,
    title: 'Range test',
    description: 'A model for the decode range.',
    citation: 'None.',
    private: false,
    fields: [
      { kind: 'number', name: 'x', label: 'x', units: [{ id: 'u', label: 'u', min: 0, max: 250, step: 1 }] },
    ],
    features: [{ name: 'term', label: 'term', from: { value: 'x' } }],
    precision: { features: 0, weights: 0 },
    link: { kind: 'score' },
    display: { template: '{value}', decimals: 0 },
    grades: [{ category: 'Any', severity: 'normal' }],
    explanation: '{value}',
    weights: { term: weight },
  });
  if (!model.coefficients) throw new Error('a public model has coefficients');
  return { model, coefficients: model.coefficients };
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ModelError) return error.why;
    throw error;
  }
  throw new Error('not refused');
}

describe('the decode range', () => {
  // 90 % of the limit: inside it as public, beyond it once padded by an eighth on each side.
  const nearTheLimit = oneTermModel(Math.round((0.9 * MAX_DECODE_WIDTH) / 250));

  it('a public model near the limit is served', () => {
    const { linearPredictor } = deriveBounds(nearTheLimit.model, nearTheLimit.coefficients);
    expect(linearPredictor.max - linearPredictor.min + 1).toBeLessThanOrEqual(MAX_DECODE_WIDTH);
  });

  it('the same model made private is refused, and the message names the padding', () => {
    const why = refusal(() =>
      deriveBounds({ ...nearTheLimit.model, private: true }, nearTheLimit.coefficients),
    );
    expect(why).toMatch(
      /^the linear predictor spans 1\.55e\+10 values at this precision: a public model may/,
    );
    expect(why).toContain('widened by an eighth on each side');
    expect(why).toContain('lower precision.weights or precision.features to make it private');
  });

  it('a model beyond the limit even unpadded gets the plain message, public or private', () => {
    const tooWide = oneTermModel(Math.round((1.1 * MAX_DECODE_WIDTH) / 250));
    for (const isPrivate of [false, true]) {
      const why = refusal(() => deriveBounds({ ...tooWide.model, private: isPrivate }, tooWide.coefficients));
      expect(why).toMatch(
        /^the linear predictor spans [\d.]+e\+10 values at this precision, more than the 2\^34/,
      );
    }
  });
});
