/**
 * The `difference` transform (docs/MODELS.md, "Features"): the first expression minus the second, as
 * PREVENT's non-HDL cholesterol is total minus HDL cholesterol. Checked, evaluated and bounded like
 * every other transform.
 */

import { describe, expect, it } from 'vitest';
import {
  evaluateExpression,
  expressionRange,
  type FieldDomain,
  type FieldReader,
  ModelError,
  parseExpression,
} from './features.js';

const domains = new Map<string, FieldDomain>([
  ['total', { kind: 'number', min: 130, max: 320 }],
  ['hdl', { kind: 'number', min: 20, max: 100 }],
  ['statin', { kind: 'boolean' }],
  ['sex', { kind: 'choice', options: ['female', 'male'] }],
]);

const nonHdl = { difference: [{ value: 'total' }, { value: 'hdl' }] };
const values: Record<string, number | boolean | string> = { total: 200, hdl: 45, statin: true, sex: 'male' };
const read: FieldReader = (name) => values[name] as number | boolean | string;

describe('{"difference": [e, e]}', () => {
  it('is the first value minus the second, also inside other transforms', () => {
    expect(evaluateExpression(parseExpression(nonHdl, 'from', domains, undefined), read, undefined)).toBe(
      155,
    );
    const centred = parseExpression(
      { product: [{ centre: [{ times: [nonHdl, 0.02586] }, 3.5] }, { value: 'statin' }] },
      'from',
      domains,
      undefined,
    );
    expect(evaluateExpression(centred, read, undefined)).toBeCloseTo(155 * 0.02586 - 3.5, 12);
  });

  it('ranges from the first’s minimum less the second’s maximum to the first’s maximum less the second’s minimum', () => {
    const parsed = parseExpression(nonHdl, 'from', domains, undefined);
    expect(expressionRange(parsed, domains, undefined, 'from')).toEqual({ min: 30, max: 300 });
    const reversed = parseExpression(
      { difference: [{ value: 'hdl' }, { value: 'total' }] },
      'from',
      domains,
      undefined,
    );
    expect(expressionRange(reversed, domains, undefined, 'from')).toEqual({ min: -300, max: -30 });
  });

  it('takes per-stratum constants inside either side', () => {
    const parsed = parseExpression(
      { difference: [{ value: 'total' }, { times: [{ value: 'hdl' }, { female: 1, male: 2 }] }] },
      'from',
      domains,
      ['female', 'male'],
    );
    expect(evaluateExpression(parsed, read, 'male')).toBe(110);
    expect(expressionRange(parsed, domains, 'male', 'from')).toEqual({ min: -70, max: 280 });
  });

  it.each<[string, unknown, string]>([
    ['one operand', { difference: [{ value: 'total' }] }, 'from.difference: must be an array of 2 items'],
    ['a constant operand', { difference: [{ value: 'total' }, 50] }, 'from.difference[1]: must be an object'],
    [
      'a choice field as a value',
      { difference: [{ value: 'total' }, { value: 'sex' }] },
      'from.difference[1].value: must name a number or yes/no field',
    ],
  ])('refuses %s, naming where', (_, expression, message) => {
    expect(() => parseExpression(expression, 'from', domains, undefined)).toThrow(ModelError);
    expect(() => parseExpression(expression, 'from', domains, undefined)).toThrow(message);
  });

  it('refuses a logarithm of a difference that can be ≤ 0', () => {
    const parsed = parseExpression(
      { ln: { difference: [{ value: 'hdl' }, { value: 'total' }] } },
      'from',
      domains,
      undefined,
    );
    expect(() => expressionRange(parsed, domains, undefined, 'from')).toThrow(
      'from.ln: can be ≤ 0 for a value the form accepts',
    );
  });
});
