/**
 * A model description as a `Computation`: its protocol inputs (every feature once per stratum), its
 * declaration's integer matrix at the declared fixed-point precision, the decode range and error bound
 * derived from the weights and the fields' ranges, and the client's encoding and interpretation.
 * The service and the browser run this same code on the same description.
 */

import type {
  Computation,
  Field,
  FormValues,
  InputSpec,
  Interpretation,
  Plaintexts,
} from '../computations/computation.js';
import { readChoice, readFlag, readQuantity } from '../computations/form.js';
import type { Declaration, DeclaredMatrix } from '../declaration.js';
import {
  constantIn,
  type Expression,
  evaluateExpression,
  expressionRange,
  type FieldReader,
  type Interval,
  ModelError,
} from './features.js';
import {
  type DerivedBounds,
  domainOf,
  type Grade,
  type ModelCoefficients,
  type ModelDescription,
  type PublishedModel,
  stratumKey,
  stratumSuffix,
  weightOf,
} from './model.js';

/** The widest linear-predictor range a browser decodes (baby-step giant-step over it). */
export const MAX_DECODE_WIDTH = 2 ** 34;

interface Slot {
  readonly input: string;
  /** A feature's name, or undefined for a stratum's intercept input (always 1). */
  readonly feature: string | undefined;
  readonly stratum: string | undefined;
}

/** The protocol inputs in catalog order: stratum by stratum, feature by feature, then its intercept. */
function slotsOf(model: ModelDescription): Slot[] {
  const { strata } = model;
  if (!strata) return model.features.map((f) => ({ input: f.name, feature: f.name, stratum: undefined }));
  return strata.order.flatMap((stratum) => [
    ...model.features.map((f) => ({ input: `${f.name}${stratumSuffix(stratum)}`, feature: f.name, stratum })),
    ...(strata.interceptPerStratum
      ? [{ input: `intercept${stratumSuffix(stratum)}`, feature: undefined, stratum }]
      : []),
  ]);
}

const scaleOf = (digits: number) => 10 ** digits;

function domains(model: ModelDescription) {
  return new Map(model.fields.map((f) => [f.name, domainOf(f)] as const));
}

/** Each slot's range in fixed point (0 included in a stratified model: the other strata send 0). */
function slotRanges(model: ModelDescription): { slot: Slot; real: Interval; fixed: Interval }[] {
  const d = domains(model);
  const fs = scaleOf(model.precision.features);
  return slotsOf(model).map((slot) => {
    const feature = model.features.find((f) => f.name === slot.feature);
    const real = feature
      ? expressionRange(feature.from, d, slot.stratum, `features.${feature.name}.from`)
      : { min: 1, max: 1 };
    return { slot, real, fixed: { min: Math.round(real.min * fs), max: Math.round(real.max * fs) } };
  });
}

export function modelInputs(model: ModelDescription): InputSpec[] {
  const stratified = model.strata !== undefined;
  return slotRanges(model).map(({ slot, fixed }) => {
    const feature = model.features.find((f) => f.name === slot.feature);
    const what = feature ? feature.label : 'intercept (1)';
    return {
      name: slot.input,
      label: stratified ? `${what} (${slot.stratum} stratum; 0 in the others)` : what,
      unit: `10^-${model.precision.features}`,
      min: stratified ? Math.min(0, fixed.min) : fixed.min,
      max: stratified ? Math.max(0, fixed.max) : fixed.max,
    };
  });
}

/** The declaration's integers: weights ×10^w, the intercept ×10^(f+w) (or ×10^w on its input). */
export function modelMatrix(model: ModelDescription, coefficients: ModelCoefficients): DeclaredMatrix {
  const ws = scaleOf(model.precision.weights);
  const row = slotsOf(model).map(({ feature, stratum }) =>
    BigInt(
      Math.round(
        (feature === undefined
          ? constantIn(coefficients.intercept, stratum)
          : weightOf(coefficients.weights, feature, stratum)) * ws,
      ),
    ),
  );
  const constant =
    typeof coefficients.intercept === 'number'
      ? BigInt(Math.round(coefficients.intercept * ws * scaleOf(model.precision.features)))
      : 0n;
  return { coefficients: [row], constants: [constant] };
}

/**
 * The decode range (every honest linear predictor, in the declaration's integers) and the largest
 * fixed-point error, from the weights and the fields' ranges. A private model's range is padded and
 * rounded outwards, so it does not give its exact weights away. Throws `ModelError` when the range is
 * wider than a browser decodes.
 */
export function deriveBounds(
  model: ModelDescription,
  coefficients: ModelCoefficients,
  where = 'weights',
): DerivedBounds {
  const matrix = modelMatrix(model, coefficients);
  const row = matrix.coefficients[0] as readonly bigint[];
  const ranges = slotRanges(model);
  const [fs, ws] = [scaleOf(model.precision.features), scaleOf(model.precision.weights)];
  const exactFeatures = new Set(model.features.filter((f) => isExactAt(model, f.from)).map((f) => f.name));
  const gates = new Map(model.features.map((f) => [f.name, gateOf(model, f.from)] as const));
  const constant = Number(matrix.constants[0]);
  let [low, high, error] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0];
  for (const stratum of model.strata?.order ?? [undefined]) {
    let [min, max] = [constant, constant];
    let err =
      typeof coefficients.intercept === 'number'
        ? Math.abs(constant / (fs * ws) - coefficients.intercept)
        : 0;
    // Terms gated by mutually exclusive conditions (one value of a choice, disjoint age bands): at
    // most one is non-zero, so together they span the hull of each one's range and 0.
    const groups = new Map<string, { min: number; max: number }[]>();
    ranges.forEach(({ slot, real, fixed }, i) => {
      if (slot.stratum !== stratum) return;
      const w = Number(row[i]);
      const term = {
        min: Math.min(w * fixed.min, w * fixed.max),
        max: Math.max(w * fixed.min, w * fixed.max),
      };
      const exact =
        slot.feature === undefined
          ? constantIn(coefficients.intercept, stratum)
          : weightOf(coefficients.weights, slot.feature, stratum);
      const largest = Math.max(Math.abs(real.min), Math.abs(real.max));
      const featureError = slot.feature === undefined || exactFeatures.has(slot.feature) ? 0 : 0.5 / fs;
      err += Math.abs(w / ws - exact) * largest + (Math.abs(w) / ws) * featureError;
      const group = slot.feature === undefined ? undefined : exclusiveGroup(gates, slot.feature);
      if (group === undefined) {
        min += term.min;
        max += term.max;
      } else groups.set(group, [...(groups.get(group) ?? []), term]);
    });
    for (const terms of groups.values()) {
      min += Math.min(0, ...terms.map((t) => t.min));
      max += Math.max(0, ...terms.map((t) => t.max));
    }
    [low, high, error] = [Math.min(low, min), Math.max(high, max), Math.max(error, err)];
  }
  const fits = (from: number, to: number) =>
    Number.isSafeInteger(from) && Number.isSafeInteger(to) && to - from + 1 <= MAX_DECODE_WIDTH;
  if (model.private && fits(low, high) && !fits(...padded(low, high))) {
    const [paddedLow, paddedHigh] = padded(low, high);
    throw new ModelError(
      where,
      `the linear predictor spans ${(high - low + 1).toPrecision(3)} values at this precision: a public ` +
        `model may, but a private one's range is widened by an eighth on each side (so it does not give ` +
        `the weights away), to ${(paddedHigh - paddedLow + 1).toPrecision(3)}, more than the 2^34 a browser ` +
        'decodes: lower precision.weights or precision.features to make it private',
    );
  }
  if (model.private) [low, high] = padded(low, high);
  if (!fits(low, high)) {
    throw new ModelError(
      where,
      `the linear predictor spans ${(high - low + 1).toPrecision(3)} values at this precision, more than the ` +
        "2^34 a browser decodes: lower precision.weights or precision.features, or check the weights' magnitude",
    );
  }
  return { linearPredictor: { min: low, max: high }, error: roundUp(error) };
}

/**
 * Whether a feature's fixed-point value is exact: an indicator, a whole-step field at this precision,
 * or one of those times an indicator (0 or itself: CURB-65's "both pressures low" is such a product).
 */
function isExactAt(model: ModelDescription, e: Expression): boolean {
  if (isIndicator(model, e)) return true;
  if ('product' in e) {
    const [a, b] = e.product;
    return (isIndicator(model, a) && isExactAt(model, b)) || (isIndicator(model, b) && isExactAt(model, a));
  }
  if (!('value' in e)) return false;
  const field = model.fields.find((f) => f.name === e.value);
  if (field?.kind !== 'number') return true;
  const fs = scaleOf(model.precision.features);
  const whole = (x: number) => Math.abs(x * fs - Math.round(x * fs)) < 1e-9;
  return field.units.length === 1 && field.units.every((u) => whole(u.step) && whole(u.min));
}

/** Whether an expression is always 0 or 1: a choice or yes/no indicator, a band, or a product of them. */
function isIndicator(model: ModelDescription, e: Expression): boolean {
  if ('is' in e || 'between' in e) return true;
  if ('value' in e) return model.fields.find((f) => f.name === e.value)?.kind === 'boolean';
  if ('product' in e) return e.product.every((factor) => isIndicator(model, factor));
  return false;
}

/** The condition an indicator feature (or a value times an indicator) is non-zero under. */
type Gate =
  | { readonly field: string; readonly equals: string | boolean }
  | { readonly field: string; readonly from: number; readonly below: number };

function gateOf(model: ModelDescription, e: Expression): Gate | undefined {
  if ('is' in e) return { field: e.is[0], equals: e.is[1] };
  if ('value' in e) {
    const field = model.fields.find((f) => f.name === e.value);
    return field?.kind === 'boolean' ? { field: e.value, equals: true } : undefined;
  }
  if ('between' in e) {
    const [x, from, below] = e.between;
    if (
      !('value' in x) ||
      (from !== null && typeof from !== 'number') ||
      (below !== null && typeof below !== 'number')
    )
      return undefined;
    return {
      field: x.value,
      from: from ?? Number.NEGATIVE_INFINITY,
      below: below ?? Number.POSITIVE_INFINITY,
    };
  }
  if ('product' in e) {
    const [a, b] = e.product;
    return gateOf(model, b) ?? gateOf(model, a);
  }
  return undefined;
}

function exclusive(a: Gate, b: Gate): boolean {
  if (a.field !== b.field) return false;
  if ('equals' in a && 'equals' in b) return a.equals !== b.equals;
  if ('from' in a && 'from' in b) return a.below <= b.from || b.below <= a.from;
  return false;
}

/** The field whose gates make `feature` one of a set of pairwise exclusive features, if any. */
function exclusiveGroup(gates: ReadonlyMap<string, Gate | undefined>, feature: string): string | undefined {
  const gate = gates.get(feature);
  if (!gate) return undefined;
  const members = [...gates.values()].filter((g): g is Gate => g?.field === gate.field);
  if (members.length < 2) return undefined;
  const pairwise = members.every((g, i) => members.every((h, j) => i === j || exclusive(g, h)));
  return pairwise ? gate.field : undefined;
}

/** Widened by an eighth of the width on each side, then out to a round number. */
function padded(low: number, high: number): [number, number] {
  const pad = Math.max(1, Math.ceil((high - low) / 8));
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(1, high - low))) - 1);
  return [Math.floor((low - pad) / unit) * unit, Math.ceil((high + pad) / unit) * unit];
}

/** Up to two significant digits, never down. */
function roundUp(x: number): number {
  if (x === 0) return 0;
  const unit = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Number((Math.ceil(x / unit) * unit).toPrecision(2));
}

/** The public description with what the service derived; a public model's weights come with it. */
export function publishModel(model: ModelDescription, coefficients: ModelCoefficients): PublishedModel {
  return { ...model, derived: deriveBounds(model, coefficients) };
}

/** A public model's declaration: its own weights, in catalog order. */
export function publicDeclaration(
  model: ModelDescription & { coefficients: ModelCoefficients },
): Declaration {
  const matrix = modelMatrix(model, model.coefficients);
  const row = matrix.coefficients[0] as readonly bigint[];
  const weights = Object.fromEntries(slotsOf(model).map((slot, i) => [slot.input, Number(row[i])]));
  return {
    kind: 'public-linear',
    outputs: { [model.output]: { weights, constant: Number(matrix.constants[0]) } },
  };
}

/**
 * What the form holds, each number in its field's first unit; a one-unit field's value at its step (the
 * resolution the model's error bound assumes: 59.5 years is taken as 60 where the step is 1).
 */
function fieldReader(model: ModelDescription, values: FormValues): FieldReader {
  return (name) => {
    const field = model.fields.find((f) => f.name === name);
    if (field?.kind === 'boolean') return readFlag(values, name);
    if (field?.kind === 'choice') return readChoice(values, name);
    const q = readQuantity(values, name);
    const unit = field?.units.find((u) => u.id === q.unit);
    // Only a one-unit field's features can count as exact in the error bound (`isExact`): its value
    // is taken at its step so that they are. Others are used as typed.
    const value =
      field?.kind === 'number' && field.units.length === 1 ? toStep(q.value, unit?.step) : q.value;
    return value * (unit?.toBase ?? 1);
  };
}

/** value rounded to a multiple of step, without binary-fraction noise (0.1 · 3 is 0.3). */
function toStep(value: number, step: number | undefined): number {
  if (step === undefined || step <= 0) return value;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number((Math.round(value / step) * step).toFixed(decimals));
}

/** The patient's stratum (`female`, `female/black`) from the strata fields' values; none if unstratified. */
export function stratumOf(model: ModelDescription, values: FormValues): string | undefined {
  return model.strata ? stratumKey(model.strata, (field) => readChoice(values, field)) : undefined;
}

/** Σβx in double precision from the real coefficients (no fixed point): the plaintext reference. */
export function exactLinearPredictor(
  model: ModelDescription,
  coefficients: ModelCoefficients,
  values: FormValues,
): number {
  const read = fieldReader(model, values);
  const stratum = stratumOf(model, values);
  return model.features.reduce(
    (sum, f) =>
      sum + weightOf(coefficients.weights, f.name, stratum) * evaluateExpression(f.from, read, stratum),
    constantIn(coefficients.intercept, stratum),
  );
}

/** The result from the linear predictor, by the model's link. */
export function linkResult(
  model: ModelDescription,
  linearPredictor: number,
  stratum: string | undefined,
): number {
  const { link } = model;
  switch (link.kind) {
    case 'score':
      return linearPredictor;
    case 'logistic':
      return 1 / (1 + Math.exp(-linearPredictor));
    case 'exponential':
      return Math.exp(linearPredictor);
    case 'cox':
      return (
        1 -
        constantIn(link.baselineSurvival, stratum) **
          Math.exp(linearPredictor - constantIn(link.mean, stratum))
      );
  }
}

function gradeOf(model: ModelDescription, shown: number, values: FormValues): Grade {
  const list = Array.isArray(model.grades)
    ? (model.grades as readonly Grade[])
    : (model.grades as { by: string; values: Record<string, readonly Grade[]> }).values[
        readChoice(values, (model.grades as { by: string }).by)
      ];
  const grades = list ?? [];
  return grades.find((g) => g.below === undefined || shown < g.below) ?? (grades[grades.length - 1] as Grade);
}

function fieldsOf(model: ModelDescription): Field[] {
  return model.fields.map((f) => f as Field);
}

/**
 * The computation a published model describes. `evaluation` is a private model's declaration (its
 * commitment); a public model's is built from its own weights.
 */
export function modelComputation(model: PublishedModel, evaluation?: Declaration): Computation {
  const declared = model.private
    ? evaluation
    : model.coefficients
      ? publicDeclaration({ ...model, coefficients: model.coefficients })
      : undefined;
  if (!declared || (model.private && declared.kind !== 'private-linear'))
    throw new ModelError(
      'private',
      'a private model is served with its commitment, a public one with its weights',
    );
  const { linearPredictor, error } = model.derived;
  const [fs, ws] = [scaleOf(model.precision.features), scaleOf(model.precision.weights)];
  const outputScale = fs * ws;
  const likely =
    model.link.kind === 'cox' && typeof model.link.mean === 'object'
      ? Object.values(model.link.mean).reduce((a, b) => a + b, 0) / Object.values(model.link.mean).length
      : model.link.kind === 'cox'
        ? (model.link.mean as number)
        : undefined;
  const slots = slotsOf(model);
  return {
    id: model.id,
    version: model.version,
    title: model.title,
    description: model.description,
    scheme: 'additive',
    group: 'ristretto255',
    inputs: modelInputs(model),
    outputs: [
      {
        name: model.output,
        min: linearPredictor.min,
        max: linearPredictor.max,
        ...(likely === undefined
          ? {}
          : {
              likely: Math.min(
                linearPredictor.max,
                Math.max(linearPredictor.min, Math.round(likely * outputScale)),
              ),
            }),
      },
    ],
    fields: fieldsOf(model),
    evaluation: declared,
    model,

    encodeInputs(values): Plaintexts {
      const read = fieldReader(model, values);
      const stratum = stratumOf(model, values);
      const plaintexts: Record<string, bigint> = {};
      for (const slot of slots) {
        const feature = model.features.find((f) => f.name === slot.feature);
        const x =
          slot.stratum !== stratum ? 0 : feature ? evaluateExpression(feature.from, read, stratum) : 1;
        plaintexts[slot.input] = BigInt(Math.round(x * fs));
      }
      return plaintexts;
    },

    interpret(outputs, values): Interpretation {
      const raw = outputs[model.output];
      if (raw === undefined) throw new TypeError(`Missing ${model.output}; the outputs were not checked.`);
      const lp = Number(raw) / outputScale;
      const result = linkResult(model, lp, stratumOf(model, values));
      const { template, decimals, scale } = model.display;
      const shown = Number((result * scale).toFixed(decimals));
      const display = template.replace('{value}', shown.toFixed(decimals));
      const grade = gradeOf(model, shown, values);
      const explanation = model.explanation
        .replaceAll('{value}', display)
        .replaceAll('{per100}', String(Math.round(result * 100)))
        .replaceAll('{note}', model.notes?.[shown.toFixed(decimals)] ?? '');
      return {
        value: result * scale,
        display,
        category: grade.category,
        severity: grade.severity,
        explanation: grade.advice ? `${explanation} ${grade.advice}` : explanation,
        technical: `Linear predictor Σβx = ${lp.toFixed(Math.min(6, model.precision.features + model.precision.weights))} (fixed-point error at most ${error})`,
      };
    },

    ...(model.checks
      ? {
          plausibility(values: FormValues) {
            const read = fieldReader(model, values);
            const failed = model.checks?.find((c) => !(Number(read(c.less[0])) < Number(read(c.less[1]))));
            return failed?.message;
          },
        }
      : {}),
  };
}
