import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { parseDeclaration } from '../declaration.js';
import { ffdheGroup } from '../groups/index.js';
import { CatalogResponseSchema, ComputationSchema } from '../wire-schemas.js';
import { additiveDecodingTableWidth, COMPUTATIONS, computationToWire, findComputation } from './catalog.js';
import { declaredShape } from './computation.js';

describe('catalog', () => {
  it('finds each computation by its unique id, and nothing else', () => {
    const ids = COMPUTATIONS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const computation of COMPUTATIONS) expect(findComputation(computation.id)).toBe(computation);
    expect(findComputation('unknown')).toBeUndefined();
    expect(findComputation('__proto__')).toBeUndefined();
  });

  it.each(COMPUTATIONS.map((c) => [c.id, c] as const))(
    'exposes exactly the spec’s Computation fields for %s',
    (_, computation) => {
      const wire = computationToWire(computation);
      // `parameters` is our one extension, present only where interpreting the outputs needs constants.
      const extension = computation.parameters ? ['parameters'] : [];
      expect(Object.keys(wire).sort()).toEqual(
        ['id', 'version', 'title', 'description', 'group', 'inputs', 'outputs', ...extension].sort(),
      );
      for (const input of wire.inputs)
        expect(Object.keys(input).sort()).toEqual(['label', 'max', 'min', 'name', 'unit']);
      for (const output of wire.outputs) expect(Object.keys(output).sort()).toEqual(['max', 'min', 'name']);
      expect(Value.Check(ComputationSchema, wire)).toBe(true);
      // A JSON trip loses nothing: no functions, bigints or undefined fields.
      expect(JSON.parse(JSON.stringify(wire))).toEqual(wire);
    },
  );

  it('declares bounds that are exact JSON integers and, for multiplicative groups, at most q', () => {
    for (const computation of COMPUTATIONS) {
      for (const { min, max } of [...computation.inputs, ...computation.outputs]) {
        expect(Number.isSafeInteger(min) && Number.isSafeInteger(max)).toBe(true);
        expect(min).toBeLessThanOrEqual(max);
      }
      if (computation.group === 'ristretto255') continue;
      // Spec "Plaintext encodings": products decode exactly only while they stay ≤ q.
      const { order } = ffdheGroup(computation.group);
      for (const { min, max } of [...computation.inputs, ...computation.outputs]) {
        expect(BigInt(min)).toBeGreaterThanOrEqual(1n);
        expect(BigInt(max)).toBeLessThanOrEqual(order);
      }
    }
  });

  it('declares an evaluation that a client accepts as it is', () => {
    for (const computation of COMPUTATIONS) {
      const wire = JSON.parse(JSON.stringify(computation.evaluation));
      expect(parseDeclaration(wire, declaredShape(computation))).toEqual(computation.evaluation);
    }
  });

  it('validates as a catalog response', () => {
    expect(Value.Check(CatalogResponseSchema, { computations: COMPUTATIONS.map(computationToWire) })).toBe(
      true,
    );
  });

  it('declares bmi as the spec does', () => {
    const bmi = findComputation('bmi');
    expect(bmi && computationToWire(bmi)).toMatchObject({
      version: 1,
      group: 'ffdhe3072',
      inputs: [
        { name: 'weight', min: 10, max: 6500 },
        { name: 'height', min: 300, max: 2800 },
      ],
      outputs: [
        { name: 'numerator', min: 10 * 100000, max: 6500 * 100000 },
        { name: 'denominator', min: 300 ** 2, max: 2800 ** 2 },
      ],
    });
  });

  it('declares cha2ds2-vasc as the spec does', () => {
    const score = findComputation('cha2ds2-vasc');
    const indicators = [
      'chf',
      'hypertension',
      'age65to74',
      'age75plus',
      'diabetes',
      'stroke',
      'vascular',
      'female',
    ];
    expect(score && computationToWire(score)).toMatchObject({
      version: 1,
      group: 'ristretto255',
      inputs: indicators.map((name) => ({ name, min: 0, max: 1 })),
      outputs: [{ name: 'score', min: 0, max: 9 }],
    });
  });

  it('sizes the decoder table ahead for the widest additive output of the catalog it is given', () => {
    const score = findComputation('cha2ds2-vasc');
    const bmi = findComputation('bmi');
    if (!score || !bmi) throw new Error('shipped computations');
    // 4·⌈√n⌉: bmi is multiplicative (nothing to search), CHA₂DS₂-VASc's score has 10 values.
    expect(additiveDecodingTableWidth([bmi])).toBe(4);
    expect(additiveDecodingTableWidth([bmi, score])).toBe(16);
    const wider = { ...score, id: 'wide', outputs: [{ name: 'score', min: -5, max: 10 ** 8 - 6 }] };
    expect(additiveDecodingTableWidth([score, wider])).toBe(40_000);
    const widest = { ...wider, outputs: [{ name: 'score', min: 0, max: 2 ** 40 }] };
    expect(additiveDecodingTableWidth([widest])).toBe(2 ** 18);
  });
});
