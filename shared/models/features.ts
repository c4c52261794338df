/**
 * The closed vocabulary a model file derives its features in (docs/MODELS.md, "Features"): a feature
 * is a small expression over the form's fields, evaluated on the device. Each expression is a JSON
 * object with one key:
 *   {"value": field}                 a number field in its first unit, or a yes/no field as 0 or 1
 *   {"is": [field, option]}          1 when a choice (or yes/no) field has that value, else 0
 *   {"ln": e}  {"log10": e}          logarithms (e must be > 0 for every value the form accepts)
 *   {"power": [e, p]}                e^p
 *   {"product": [e, e]}              the product of two values
 *   {"difference": [e, e]}           the first value minus the second (non-HDL = total − HDL cholesterol)
 *   {"min": [e, knot]}  {"max": [e, knot]}   hinges
 *   {"between": [e, from, below]}    1 when from ≤ e < below (either may be null: unbounded), else 0
 *   {"centre": [e, c]}               e − c
 *   {"times": [e, c]}  {"divide": [e, c]}    scaling (e.g. a creatinine by its κ)
 * A constant (p, knot, c, from, below) is a number, or, in a stratified model, an object giving one
 * number per stratum (e.g. {"female": 0.7, "male": 0.9}; with several strata fields, per combination:
 * {"female/white": …, "female/black": …, …}).
 */

import { isRecord } from '../records.js';

export type Constant = number | Readonly<Record<string, number>>;

export type Expression =
  | { readonly value: string }
  | { readonly is: readonly [string, string | boolean] }
  | { readonly ln: Expression }
  | { readonly log10: Expression }
  | { readonly power: readonly [Expression, Constant] }
  | { readonly product: readonly [Expression, Expression] }
  | { readonly difference: readonly [Expression, Expression] }
  | { readonly min: readonly [Expression, Constant] }
  | { readonly max: readonly [Expression, Constant] }
  | { readonly between: readonly [Expression, Constant | null, Constant | null] }
  | { readonly centre: readonly [Expression, Constant] }
  | { readonly times: readonly [Expression, Constant] }
  | { readonly divide: readonly [Expression, Constant] };

export const TRANSFORMS = [
  'value',
  'is',
  'ln',
  'log10',
  'power',
  'product',
  'difference',
  'min',
  'max',
  'between',
  'centre',
  'times',
  'divide',
] as const;

/** What an expression may read: a number field's range in its first unit, or a choice's options. */
export type FieldDomain =
  | { readonly kind: 'number'; readonly min: number; readonly max: number }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'choice'; readonly options: readonly string[] };

export interface Interval {
  readonly min: number;
  readonly max: number;
}

/** A model file's error: the path of the field in the file, and what is wrong with it. */
export class ModelError extends Error {
  override readonly name = 'ModelError';
  constructor(
    readonly field: string,
    readonly why: string,
  ) {
    super(`${field}: ${why}`);
  }
}

/** Checks an untrusted expression: known transforms only, fields that exist, constants per stratum. */
export function parseExpression(
  value: unknown,
  path: string,
  domains: ReadonlyMap<string, FieldDomain>,
  strata: readonly string[] | undefined,
): Expression {
  if (!isRecord(value) || Object.keys(value).length !== 1) {
    throw new ModelError(path, `must be an object with one key, one of ${TRANSFORMS.join(', ')}`);
  }
  const [key, argument] = Object.entries(value)[0] as [string, unknown];
  const at = `${path}.${key}`;
  const sub = (v: unknown, i?: number) =>
    parseExpression(v, i === undefined ? at : `${at}[${i}]`, domains, strata);
  const constant = (v: unknown, i: number, nullable = false): Constant | null =>
    parseConstant(v, `${at}[${i}]`, strata, nullable);
  const pair = (n: number): readonly unknown[] => {
    if (!Array.isArray(argument) || argument.length !== n)
      throw new ModelError(at, `must be an array of ${n} items`);
    return argument;
  };
  switch (key) {
    case 'value': {
      const domain = typeof argument === 'string' ? domains.get(argument) : undefined;
      if (!domain || domain.kind === 'choice')
        throw new ModelError(at, 'must name a number or yes/no field of this model');
      return { value: argument as string };
    }
    case 'is': {
      const [field, option] = pair(2);
      const domain = typeof field === 'string' ? domains.get(field) : undefined;
      if (!domain || domain.kind === 'number')
        throw new ModelError(`${at}[0]`, 'must name a choice or yes/no field of this model');
      const valid =
        domain.kind === 'boolean'
          ? typeof option === 'boolean'
          : typeof option === 'string' && domain.options.includes(option);
      if (!valid) throw new ModelError(`${at}[1]`, `is not a value of ${String(field)}`);
      return { is: [field as string, option as string | boolean] };
    }
    case 'ln':
      return { ln: sub(argument) };
    case 'log10':
      return { log10: sub(argument) };
    case 'product': {
      const [a, b] = pair(2);
      return { product: [sub(a, 0), sub(b, 1)] };
    }
    case 'difference': {
      const [a, b] = pair(2);
      return { difference: [sub(a, 0), sub(b, 1)] };
    }
    case 'between': {
      const [e, from, below] = pair(3);
      return { between: [sub(e, 0), constant(from, 1, true), constant(below, 2, true)] };
    }
    case 'power':
    case 'min':
    case 'max':
    case 'centre':
    case 'times':
    case 'divide': {
      const [e, c] = pair(2);
      const parsed = [sub(e, 0), constant(c, 1) as Constant] as const;
      if (key === 'divide' && constantValues(parsed[1]).includes(0))
        throw new ModelError(`${at}[1]`, 'divides by 0');
      return { [key]: parsed } as Expression;
    }
    default:
      throw new ModelError(at, `unknown transform (the vocabulary is ${TRANSFORMS.join(', ')})`);
  }
}

export function parseConstant(
  value: unknown,
  path: string,
  strata: readonly string[] | undefined,
  nullable = false,
): Constant | null {
  if (value === null && nullable) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (isRecord(value) && strata) {
    const keys = Object.keys(value);
    const missing = strata.filter((s) => !keys.includes(s));
    const extra = keys.filter((k) => !strata.includes(k));
    if (missing.length > 0 || extra.length > 0)
      throw new ModelError(
        path,
        `must give one number for each stratum (${strata.join(', ')}): ` +
          (missing.length > 0 ? `${missing.join(', ')} missing` : `${extra.join(', ')} is not one`),
      );
    for (const s of strata) {
      if (typeof value[s] !== 'number' || !Number.isFinite(value[s]))
        throw new ModelError(`${path}.${s}`, 'must be a finite number');
    }
    return value as Record<string, number>;
  }
  throw new ModelError(
    path,
    strata ? 'must be a number or one number per stratum' : 'must be a finite number',
  );
}

function constantValues(c: Constant): number[] {
  return typeof c === 'number' ? [c] : Object.values(c);
}

/** A constant's value in a stratum (a stratified constant needs the stratum). */
export function constantIn(c: Constant, stratum: string | undefined): number {
  if (typeof c === 'number') return c;
  const value = stratum === undefined ? undefined : c[stratum];
  if (value === undefined) throw new TypeError('A stratified constant was read outside a stratum.');
  return value;
}

/** What the form's fields hold, in each number field's first unit. */
export type FieldReader = (name: string) => number | boolean | string;

export function evaluateExpression(e: Expression, read: FieldReader, stratum: string | undefined): number {
  const c = (k: Constant) => constantIn(k, stratum);
  const ev = (x: Expression) => evaluateExpression(x, read, stratum);
  if ('value' in e) {
    const v = read(e.value);
    return typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
  }
  if ('is' in e) return read(e.is[0]) === e.is[1] ? 1 : 0;
  if ('ln' in e) return Math.log(ev(e.ln));
  if ('log10' in e) return Math.log10(ev(e.log10));
  if ('power' in e) return ev(e.power[0]) ** c(e.power[1]);
  if ('product' in e) return ev(e.product[0]) * ev(e.product[1]);
  if ('difference' in e) return ev(e.difference[0]) - ev(e.difference[1]);
  if ('min' in e) return Math.min(ev(e.min[0]), c(e.min[1]));
  if ('max' in e) return Math.max(ev(e.max[0]), c(e.max[1]));
  if ('between' in e) {
    const [x, from, below] = e.between;
    const v = ev(x);
    return (from === null || v >= c(from)) && (below === null || v < c(below)) ? 1 : 0;
  }
  if ('centre' in e) return ev(e.centre[0]) - c(e.centre[1]);
  if ('times' in e) return ev(e.times[0]) * c(e.times[1]);
  return ev(e.divide[0]) / c(e.divide[1]);
}

/**
 * The range of an expression over every value the form accepts (interval arithmetic: exact for each
 * transform, possibly wider for a feature that uses a field twice). Throws `ModelError` where a
 * transform is undefined for some accepted value (ln of a value that can be 0).
 */
export function expressionRange(
  e: Expression,
  domains: ReadonlyMap<string, FieldDomain>,
  stratum: string | undefined,
  path: string,
): Interval {
  const c = (k: Constant) => constantIn(k, stratum);
  const r = (x: Expression, step: string) => expressionRange(x, domains, stratum, `${path}.${step}`);
  const corners = (values: number[]): Interval => ({ min: Math.min(...values), max: Math.max(...values) });
  if ('value' in e) {
    const d = domains.get(e.value);
    return d?.kind === 'number' ? { min: d.min, max: d.max } : { min: 0, max: 1 };
  }
  if ('is' in e || 'between' in e) return { min: 0, max: 1 };
  if ('ln' in e || 'log10' in e) {
    const inner = 'ln' in e ? r(e.ln, 'ln') : r(e.log10, 'log10');
    if (!(inner.min > 0))
      throw new ModelError(
        `${path}.${'ln' in e ? 'ln' : 'log10'}`,
        'can be ≤ 0 for a value the form accepts',
      );
    const f = 'ln' in e ? Math.log : Math.log10;
    return { min: f(inner.min), max: f(inner.max) };
  }
  if ('power' in e) {
    const inner = r(e.power[0], 'power[0]');
    const p = c(e.power[1]);
    if (!Number.isInteger(p) && inner.min < 0)
      throw new ModelError(`${path}.power`, 'a fractional power of a value that can be negative');
    if (p < 0 && inner.min <= 0 && inner.max >= 0)
      throw new ModelError(`${path}.power`, 'a negative power of a value that can be 0');
    const values = [inner.min ** p, inner.max ** p];
    if (inner.min < 0 && inner.max > 0 && p > 0) values.push(0);
    return corners(values);
  }
  if ('product' in e) {
    const [a, b] = [r(e.product[0], 'product[0]'), r(e.product[1], 'product[1]')];
    return corners([a.min * b.min, a.min * b.max, a.max * b.min, a.max * b.max]);
  }
  if ('difference' in e) {
    const [a, b] = [r(e.difference[0], 'difference[0]'), r(e.difference[1], 'difference[1]')];
    return { min: a.min - b.max, max: a.max - b.min };
  }
  if ('min' in e) {
    const inner = r(e.min[0], 'min[0]');
    const k = c(e.min[1]);
    return { min: Math.min(inner.min, k), max: Math.min(inner.max, k) };
  }
  if ('max' in e) {
    const inner = r(e.max[0], 'max[0]');
    const k = c(e.max[1]);
    return { min: Math.max(inner.min, k), max: Math.max(inner.max, k) };
  }
  if ('centre' in e) {
    const inner = r(e.centre[0], 'centre[0]');
    const k = c(e.centre[1]);
    return { min: inner.min - k, max: inner.max - k };
  }
  const [x, k] = 'times' in e ? [e.times[0], c(e.times[1])] : [e.divide[0], 1 / c(e.divide[1])];
  const inner = r(x, 'times' in e ? 'times[0]' : 'divide[0]');
  return corners([inner.min * k, inner.max * k]);
}
