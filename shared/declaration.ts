/**
 * What a computation declares the service computes (spec v2: "Declarations"), as data: public weights,
 * public exponents, or a commitment to secret weights. The service evaluates from it and proves its
 * answer against it; a client checks a declaration it is shown with `parseDeclaration` and verifies
 * against the one it trusts.
 */

import { type GroupName, isGroupName } from './groups/group.js';
import { ristretto255Group } from './groups/ristretto255.js';
import { isRecord } from './records.js';
import { base64UrlToBytes } from './wire.js';

export interface LinearOutput {
  readonly weights: Readonly<Record<string, number>>;
  readonly constant: number;
}

export interface MonomialOutput {
  readonly exponents: Readonly<Record<string, number>>;
  readonly constant: number;
}

export type Declaration =
  | { readonly kind: 'public-linear'; readonly outputs: Readonly<Record<string, LinearOutput>> }
  /** `commitment`: W, a ristretto255 element in unpadded base64url. */
  | { readonly kind: 'private-linear'; readonly commitment: string }
  | { readonly kind: 'public-monomial'; readonly outputs: Readonly<Record<string, MonomialOutput>> };

export type DeclarationKind = Declaration['kind'];

/** The names a declaration is read against: the catalog entry's, in catalog order. */
export interface DeclaredShape {
  readonly group: GroupName;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/**
 * A declaration as integer matrices in catalog order: row j is output j, column i input i, an input
 * left out of `weights` or `exponents` a 0; `constants[j]` is tⱼ or kⱼ.
 */
export interface DeclaredMatrix {
  readonly coefficients: readonly (readonly bigint[])[];
  readonly constants: readonly bigint[];
}

export class DeclarationError extends Error {
  override readonly name = 'DeclarationError';
}

const MAX_EXPONENT = 2 ** 32;

/** Checks an untrusted declaration against the entry it belongs to; throws `DeclarationError`. */
export function parseDeclaration(value: unknown, shape: DeclaredShape): Declaration {
  if (!isRecord(value)) throw new DeclarationError('evaluation is not an object');
  const fail = (why: string) => new DeclarationError(`${String(value.kind)} declaration: ${why}`);
  if (!isGroupName(shape.group)) throw fail('unknown group');
  const additive = shape.group === 'ristretto255';
  switch (value.kind) {
    case 'private-linear': {
      if (!additive) throw fail('a linear declaration needs group ristretto255');
      exactKeys(value, ['kind', 'commitment'], fail);
      if (typeof value.commitment !== 'string') throw fail('commitment is not a string');
      try {
        ristretto255Group.fromBytes(base64UrlToBytes(value.commitment, 'commitment'));
      } catch {
        throw fail('commitment is not a ristretto255 element');
      }
      return { kind: 'private-linear', commitment: value.commitment };
    }
    case 'public-linear': {
      if (!additive) throw fail('a linear declaration needs group ristretto255');
      const outputs = parseOutputs(value, shape, 'weights', fail, (w) => Number.isSafeInteger(w));
      return {
        kind: 'public-linear',
        outputs: mapValues(outputs, (o) => ({ weights: o.coefficients, constant: o.constant })),
      };
    }
    case 'public-monomial': {
      if (additive) throw fail('a monomial declaration needs an ffdhe group');
      const exponent = (e: number) => Number.isInteger(e) && e >= 0 && e < MAX_EXPONENT;
      const outputs = parseOutputs(
        value,
        shape,
        'exponents',
        fail,
        exponent,
        (k) => Number.isSafeInteger(k) && k >= 1,
      );
      return {
        kind: 'public-monomial',
        outputs: mapValues(outputs, (o) => ({ exponents: o.coefficients, constant: o.constant })),
      };
    }
    default:
      throw new DeclarationError('evaluation.kind is none of public-linear, private-linear, public-monomial');
  }
}

function parseOutputs(
  value: Record<string, unknown>,
  shape: DeclaredShape,
  field: 'weights' | 'exponents',
  fail: (why: string) => DeclarationError,
  validCoefficient: (n: number) => boolean,
  validConstant: (n: number) => boolean = (n) => Number.isSafeInteger(n),
): Record<string, ParsedOutput> {
  exactKeys(value, ['kind', 'outputs'], fail);
  const { outputs } = value;
  if (!isRecord(outputs)) throw fail('outputs is not an object');
  exactKeys(outputs, shape.outputs, fail);
  const parsed: Record<string, ParsedOutput> = {};
  for (const name of shape.outputs) {
    const output = outputs[name];
    if (!isRecord(output)) throw fail(`output ${name} is not an object`);
    exactKeys(output, [field, 'constant'], fail);
    const coefficients = output[field];
    if (!isRecord(coefficients)) throw fail(`${name}.${field} is not an object`);
    for (const [input, n] of Object.entries(coefficients)) {
      if (!shape.inputs.includes(input)) throw fail(`${name}.${field} names an unknown input`);
      if (typeof n !== 'number' || !validCoefficient(n))
        throw fail(`${name}.${field}.${input} is out of range`);
    }
    const constant = output.constant;
    if (typeof constant !== 'number' || !validConstant(constant))
      throw fail(`${name}.constant is out of range`);
    parsed[name] = { coefficients: { ...(coefficients as Record<string, number>) }, constant };
  }
  return parsed;
}

interface ParsedOutput {
  readonly coefficients: Record<string, number>;
  readonly constant: number;
}

function mapValues<T, U>(record: Record<string, T>, f: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));
}

function exactKeys(
  record: Record<string, unknown>,
  expected: readonly string[],
  fail: (why: string) => DeclarationError,
): void {
  const keys = Object.keys(record);
  const missing = expected.filter((k) => !Object.hasOwn(record, k));
  const extra = keys.filter((k) => !expected.includes(k));
  if (missing.length > 0) throw fail(`missing ${missing.join(', ')}`);
  if (extra.length > 0) throw fail(`unexpected ${extra.join(', ')}`);
}

/** A public declaration's weights or exponents as matrices in catalog order. */
export function declaredMatrix(
  declaration: Exclude<Declaration, { kind: 'private-linear' }>,
  shape: Pick<DeclaredShape, 'inputs' | 'outputs'>,
): DeclaredMatrix {
  const rows = shape.outputs.map((name) => {
    const output = declaration.outputs[name];
    if (!output) throw new DeclarationError(`${declaration.kind} declaration: no output ${name}`);
    const coefficients: Readonly<Record<string, number>> =
      'weights' in output ? output.weights : output.exponents;
    return {
      coefficients: shape.inputs.map((input) => BigInt(coefficients[input] ?? 0)),
      constant: BigInt(output.constant),
    };
  });
  return { coefficients: rows.map((r) => r.coefficients), constants: rows.map((r) => r.constant) };
}

/** Whether two declarations of one entry declare the same function (an omitted weight is a 0). */
export function sameDeclaration(a: Declaration, b: Declaration, shape: DeclaredShape): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'private-linear' || b.kind === 'private-linear') {
    return a.kind === 'private-linear' && b.kind === 'private-linear' && a.commitment === b.commitment;
  }
  const [x, y] = [declaredMatrix(a, shape), declaredMatrix(b, shape)];
  const same = (u: readonly bigint[], v: readonly bigint[]) =>
    u.length === v.length && u.every((n, i) => n === v[i]);
  return (
    same(x.constants, y.constants) && x.coefficients.every((row, j) => same(row, y.coefficients[j] ?? []))
  );
}
