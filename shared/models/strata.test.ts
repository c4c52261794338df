/**
 * Strata by more than one choice field (docs/MODELS.md, "Strata"): the Pooled Cohort Equations' four
 * equations by sex × race as one model file (fixtures/pooled-cohort-2013.model.json). What the file
 * parses to, what it publishes, and the message each mistake gets; the one-field form as it was.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODELS_DIR, publicModelFile } from '../../server/served-catalog.js';
import type { FormValues } from '../computations/computation.js';
import { ModelError } from './features.js';
import { type ModelDescription, parseModel } from './model.js';
import { deriveBounds, modelComputation, modelInputs, stratumOf } from './model-computation.js';

type Json = Record<string, unknown>;
const readJson = (file: string | URL) => JSON.parse(readFileSync(file, 'utf8')) as Json;

const PCE = readJson(new URL('./fixtures/pooled-cohort-2013.model.json', import.meta.url));
const STRATA = ['female/white', 'female/black', 'male/white', 'male/black'];

/** The message `parseModel` refuses a file with (fails the test if it is accepted). */
function refusal(file: Json): string {
  try {
    parseModel(file);
  } catch (error) {
    if (error instanceof ModelError) return error.message;
    throw error;
  }
  throw new Error('The model was accepted.');
}

const pce = parseModel(PCE);
if (!pce.coefficients) throw new Error('The fixture is a public model.');
const publishedPce = { ...pce, derived: deriveBounds(pce, pce.coefficients) };
const weights = PCE.weights as Record<string, Json>;
const link = PCE.link as Json;

describe('strata by two choice fields (sex × race)', () => {
  it('parses to every combination, the first field outermost, and publishes the same form', () => {
    expect(pce.strata).toEqual({ fields: ['sex', 'race'], order: STRATA, interceptPerStratum: false });
    const published = JSON.parse(JSON.stringify(publishedPce));
    expect(parseModel(published, true)).toEqual(published);
  });

  it('sends every feature once per stratum, named with both values', () => {
    const names = modelInputs(pce).map((input) => input.name);
    expect(names).toHaveLength(13 * 4);
    expect(names.slice(0, 2)).toEqual(['lnAgeFemaleWhite', 'lnAge2FemaleWhite']);
    expect(names).toContain('lnAgeSbpUntreatedFemaleBlack');
    expect(names.at(-1)).toBe('diabetesMaleBlack');
  });

  it('takes the patient’s stratum from both fields: only its slots carry values', () => {
    const computation = modelComputation(publishedPce);
    for (const [sex, race] of STRATA.map((s) => s.split('/') as [string, string])) {
      const values: FormValues = {
        sex,
        race,
        age: { value: 55, unit: 'years' },
        totalCholesterol: { value: 213, unit: 'mg/dL' },
        hdl: { value: 50, unit: 'mg/dL' },
        sbp: { value: 120, unit: 'mmHg' },
        treated: false,
        smoker: true,
        diabetes: true,
      };
      expect(stratumOf(pce, values)).toBe(`${sex}/${race}`);
      const suffix = `${sex[0]?.toUpperCase()}${sex.slice(1)}${race[0]?.toUpperCase()}${race.slice(1)}`;
      const plaintexts = computation.encodeInputs(values);
      for (const [input, x] of Object.entries(plaintexts)) {
        if (!input.endsWith(suffix)) expect(x, input).toBe(0n);
      }
      expect(plaintexts[`lnAge${suffix}`]).toBe(BigInt(Math.round(Math.log(55) * 1e4)));
      expect(plaintexts[`diabetes${suffix}`]).toBe(10_000n);
    }
  });

  it.each<[string, (file: Json) => Json, string]>([
    [
      'a stratum left out of the order',
      (f) => ({ ...f, strata: { fields: ['sex', 'race'], order: STRATA.slice(0, 3) } }),
      'strata.order: misses male/black: every stratum of sex × race once',
    ],
    [
      'a stratum listed twice',
      (f) => ({ ...f, strata: { fields: ['sex', 'race'], order: [...STRATA.slice(0, 3), 'female/white'] } }),
      'strata.order[3]: female/white is listed twice',
    ],
    [
      'a stratum that is not a combination',
      (f) => ({ ...f, strata: { fields: ['sex', 'race'], order: ['female', ...STRATA.slice(1)] } }),
      'strata.order[0]: "female" is not a stratum: one value of each of sex × race, joined by "/" (female/white)',
    ],
    [
      'a strata field that is not a choice',
      (f) => ({ ...f, strata: { fields: ['sex', 'smoker'] } }),
      'strata.fields[1]: must name a choice field of this model',
    ],
    [
      'a strata field twice',
      (f) => ({ ...f, strata: { fields: ['sex', 'sex'] } }),
      'strata.fields[1]: sex is listed twice',
    ],
    [
      'one field as a list',
      (f) => ({ ...f, strata: { fields: ['sex'] } }),
      'strata.fields: must list two or more choice fields (one: write "field")',
    ],
    [
      'field and fields',
      (f) => ({ ...f, strata: { field: 'sex', fields: ['sex', 'race'] } }),
      'strata: give field (one choice) or fields (several), not both',
    ],
    [
      'a stratum without weights',
      (f) => {
        const { 'male/black': _, ...rest } = weights;
        return { ...f, weights: rest };
      },
      'weights.male/black: is missing: every stratum needs its weights (male/black has none)',
    ],
    [
      'weights nested by field instead of keyed by stratum',
      (f) => ({ ...f, weights: { female: { white: weights['female/white'] } } }),
      'weights.female: is not a stratum of this model (female/white, female/black, male/white, male/black)',
    ],
    [
      'a Cox mean missing a stratum',
      (f) => {
        const { 'female/black': _, ...mean } = link.mean as Json;
        return { ...f, link: { ...link, mean } };
      },
      'link.mean: must give one number for each stratum (female/white, female/black, male/white, male/black): female/black missing',
    ],
    [
      'a baseline survival for one field only',
      (f) => ({ ...f, link: { ...link, baselineSurvival: { female: 0.96, male: 0.91 } } }),
      'link.baselineSurvival: must give one number for each stratum (female/white, female/black, male/white, male/black): female/white, female/black, male/white, male/black missing',
    ],
  ])('refuses %s', (_, broken, message) => {
    expect(refusal(broken(PCE))).toBe(message);
  });
});

describe('input names: a feature with its stratum suffix', () => {
  const renamed = (from: string, to: string) => (f: Json) => ({
    ...f,
    features: (f.features as Json[]).map((x) => (x.name === from ? { ...x, name: to } : x)),
    weights: Object.fromEntries(
      Object.entries(weights).map(([s, w]) => [
        s,
        Object.fromEntries(Object.entries(w).map(([k, v]) => [k === from ? to : k, v])),
      ]),
    ),
  });

  it('may have 32 characters, not 33', () => {
    // 21 + "FemaleWhite" (11) = 32; 22 + 11 = 33.
    expect(() => parseModel(renamed('smoker', 'smokerAtTheFirstVisit')(PCE))).not.toThrow();
    expect(refusal(renamed('smoker', 'smokerAtTheFirstVisits')(PCE))).toBe(
      'features.smokerAtTheFirstVisits: with its stratum suffix the input smokerAtTheFirstVisitsFemaleWhite ' +
        'has 33 characters, more than 32: shorten the feature name or the strata fields’ option values',
    );
  });

  it('must not be another input’s (here: age + FeMale and ageFe + Male)', () => {
    const sex = {
      kind: 'choice',
      name: 'sex',
      label: 'Sex',
      options: [
        { value: 'male', label: 'Male' },
        { value: 'feMale', label: 'Female' },
      ],
    };
    const feature = (name: string) => ({ name, label: name, from: { value: 'age' } });
    const file = {
      ...PCE,
      fields: [sex, ...(PCE.fields as Json[]).filter((f) => f.name !== 'sex' && f.name !== 'race')],
      strata: { field: 'sex' },
      features: [feature('age'), feature('ageFe')],
      link: { kind: 'score' },
      weights: { male: { age: 1, ageFe: 1 }, feMale: { age: 1, ageFe: 1 } },
    };
    expect(refusal(file)).toBe(
      'features.age: makes the input ageFeMale, as another feature or stratum does: rename one',
    );
  });
});

describe('the one-field form, unchanged', () => {
  it.each([
    ['framingham-2008', '{"field":"sex","order":["male","female"],"interceptPerStratum":false}'],
    ['ckd-epi-2021', '{"field":"sex","order":["female","male"],"interceptPerStratum":true}'],
  ])('%s publishes its strata as before', (id, published) => {
    const model: ModelDescription = parseModel(readJson(publicModelFile(DEFAULT_MODELS_DIR, id)));
    expect(JSON.stringify(model.strata)).toBe(published);
    expect(modelInputs(model)[0]?.name).toMatch(/^[a-zA-Z0-9]+(Male|Female)$/);
  });
});
