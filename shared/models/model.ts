/**
 * A model file (docs/MODELS.md): an operator's risk model as data. A weighted sum of features the
 * device derives from form fields (features.ts), then a public link that turns the sum into the result.
 * The public part (this file's `ModelDescription`) is what the catalog publishes and the browser
 * builds its form, encoding and interpretation from; a private model's weights and ρ live in a separate
 * `<id>.private.json` that only the service reads. The same `parseModel` checks a file on the service
 * and a catalog entry in the browser.
 */

import type { Severity, UnitOption } from '../computations/computation.js';
import { type FieldCodes, parseFieldCodes } from '../fhir/codes.js';
import { isRecord } from '../records.js';
import {
  type Constant,
  type Expression,
  expressionRange,
  type FieldDomain,
  ModelError,
  parseConstant,
  parseExpression,
} from './features.js';

export const MODEL_FORMAT = 'sealed-vitals-model/1';

/** A unit of a number field; `toBase` converts a value in it to the field's first unit. */
export interface ModelUnit extends UnitOption {
  readonly toBase?: number;
}

export type ModelField =
  | {
      readonly kind: 'number';
      readonly name: string;
      readonly label: string;
      readonly help?: string;
      readonly units: readonly [ModelUnit, ...ModelUnit[]];
      /** The health-record codes that feed it (docs/MODELS.md, docs/FHIR.md). */
      readonly codes?: FieldCodes;
    }
  | {
      readonly kind: 'boolean';
      readonly name: string;
      readonly label: string;
      readonly help?: string;
      readonly codes?: FieldCodes;
    }
  | {
      readonly kind: 'choice';
      readonly name: string;
      readonly label: string;
      readonly options: readonly { readonly value: string; readonly label: string }[];
      readonly codes?: FieldCodes;
    };

export interface ModelFeature {
  readonly name: string;
  readonly label: string;
  readonly from: Expression;
}

/**
 * The choices whose values pick which feature slots carry values: every feature is sent once per
 * stratum, E(0) in the others, so the service never learns which stratum the patient is in. One choice
 * (`field`: a stratum is one of its values, `female`) or several (`fields`: a stratum is one value of
 * each, joined by `/` in the fields' order, `female/black`; `/` is in no name, so a key reads one way).
 */
export type Strata = OneFieldStrata | CombinedStrata;

interface StrataSlots {
  /** Every stratum once: the slots' order in the catalog (default: the options' order, crossed). */
  readonly order: readonly string[];
  /** An intercept per stratum (an input of 1 in the patient's slot) rather than one for all. */
  readonly interceptPerStratum: boolean;
}

export interface OneFieldStrata extends StrataSlots {
  readonly field: string;
}

export interface CombinedStrata extends StrataSlots {
  readonly fields: readonly string[];
}

/** Joins one value of each strata field into a stratum key (`female/black`). */
export const STRATUM_SEPARATOR = '/';

/** The choice fields whose values make the stratum, in the key's order. */
export function strataFields(strata: Strata): readonly string[] {
  return 'field' in strata ? [strata.field] : strata.fields;
}

/** The patient's stratum: the strata fields' values, joined. */
export function stratumKey(strata: Strata, choice: (field: string) => string): string {
  return strataFields(strata).map(choice).join(STRATUM_SEPARATOR);
}

/** What a stratum's inputs are named with: `Female`, `FemaleBlack` (`lnAgeFemaleBlack`). */
export function stratumSuffix(stratum: string): string {
  return stratum.split(STRATUM_SEPARATOR).map(capitalized).join('');
}

export type Link =
  | { readonly kind: 'score' }
  | { readonly kind: 'logistic' }
  /** 1 − S0^exp(Σβx − mean) */
  | { readonly kind: 'cox'; readonly baselineSurvival: Constant; readonly mean: Constant }
  /** exp(Σβx), for a log-linear model */
  | { readonly kind: 'exponential' };

export const LINKS = ['score', 'logistic', 'cox', 'exponential'] as const;

export interface Grade {
  /** The grade applies to displayed values below this (the last grade has none). */
  readonly below?: number;
  readonly category: string;
  readonly severity: Severity;
  readonly advice?: string;
}

export type Grades =
  | readonly Grade[]
  /** Grades that depend on a choice field (e.g. sex). */
  | { readonly by: string; readonly values: Readonly<Record<string, readonly Grade[]>> };

/** Weights per feature, or per stratum then per feature. */
export type Weights =
  | Readonly<Record<string, number>>
  | Readonly<Record<string, Readonly<Record<string, number>>>>;

export interface ModelCoefficients {
  readonly weights: Weights;
  readonly intercept: Constant;
}

export interface ModelDescription {
  readonly format: typeof MODEL_FORMAT;
  readonly id: string;
  readonly version: number;
  readonly title: string;
  readonly description: string;
  readonly citation: string;
  /** Whether the service keeps the weights to itself (in `<id>.private.json`). */
  readonly private: boolean;
  readonly fields: readonly ModelField[];
  readonly strata?: Strata;
  readonly features: readonly ModelFeature[];
  /** Decimal digits kept of each feature and each weight (fixed point). */
  readonly precision: { readonly features: number; readonly weights: number };
  readonly link: Link;
  /** The output's name in the catalog (default `linearPredictor`). */
  readonly output: string;
  readonly display: { readonly template: string; readonly decimals: number; readonly scale: number };
  readonly grades: Grades;
  readonly explanation: string;
  /** A sentence per displayed value, for `{note}` in the explanation. */
  readonly notes?: Readonly<Record<string, string>>;
  /** Plausibility: a note when field `less[0]` is not below field `less[1]` (first units). */
  readonly checks?: readonly { readonly less: readonly [string, string]; readonly message: string }[];
  /** A public model's coefficients (a private one's are in its private file). */
  readonly coefficients?: ModelCoefficients;
}

/** What the service derives at load and publishes with the description. */
export interface DerivedBounds {
  /** Every honest linear predictor, in the declaration's integer units (padded for a private model). */
  readonly linearPredictor: { readonly min: number; readonly max: number };
  /** Largest difference between the fixed-point and the exact linear predictor. */
  readonly error: number;
}

export interface PublishedModel extends ModelDescription {
  readonly derived: DerivedBounds;
}

const NAME = /^[a-z][a-zA-Z0-9]{0,31}$/;
const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SEVERITIES: readonly Severity[] = ['normal', 'info', 'warning', 'danger'];
/** Most inputs a request may carry (shared/wire.ts MAX_INPUTS). */
export const MAX_MODEL_INPUTS = 128;

const DESCRIPTION_KEYS = [
  'format',
  'id',
  'version',
  'title',
  'description',
  'citation',
  'private',
  'fields',
  'strata',
  'features',
  'precision',
  'link',
  'output',
  'display',
  'grades',
  'explanation',
  'notes',
  'checks',
  'weights',
  'intercept',
] as const;

/** Keys that belong only in a private file: finding one in a public file is refused outright. */
const PRIVATE_ONLY = ['rho'];

/**
 * Checks an untrusted public model description (a model file, or a catalog entry's `model` with
 * `derived` when `published`); throws `ModelError` naming the field and what is wrong.
 */
export function parseModel(value: unknown): ModelDescription;
export function parseModel(value: unknown, published: true): PublishedModel;
export function parseModel(value: unknown, published = false): ModelDescription | PublishedModel {
  if (!isRecord(value)) throw new ModelError('(file)', 'is not a JSON object');
  for (const key of PRIVATE_ONLY) {
    if (Object.hasOwn(value, key))
      throw new ModelError(key, 'belongs in the private file (<id>.private.json), never in the public one');
  }
  // Published (a catalog entry's `model`), a public model's weights come as `coefficients`.
  if (published && isRecord(value.coefficients)) {
    const { coefficients, ...rest } = value;
    return parseModel({ ...rest, ...coefficients }, true);
  }
  const allowed: readonly string[] = published ? [...DESCRIPTION_KEYS, 'derived'] : DESCRIPTION_KEYS;
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0)
    throw new ModelError(
      unknown[0] as string,
      unknown[0] === 'derived' ? 'is computed at load; remove it' : 'unknown field',
    );
  if (value.format !== MODEL_FORMAT) throw new ModelError('format', `must be "${MODEL_FORMAT}"`);
  if (typeof value.id !== 'string' || !ID.test(value.id) || value.id.length > 64)
    throw new ModelError('id', 'must be lowercase letters and digits in words joined by "-" (at most 64)');
  const version = value.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version >= 2 ** 32)
    throw new ModelError('version', 'must be an integer in [1, 2³²)');
  const text = (key: string) => {
    const v = value[key];
    if (typeof v !== 'string' || v.trim() === '') throw new ModelError(key, 'must be a non-empty string');
    return v;
  };
  if (typeof value.private !== 'boolean') throw new ModelError('private', 'must be true or false');
  const fields = parseFields(value.fields);
  const domains = new Map(fields.map((f) => [f.name, domainOf(f)] as const));
  const strata = value.strata === undefined ? undefined : parseStrata(value.strata, fields);
  const strataValues = strata?.order;
  const features = parseFeatures(value.features, domains, strataValues);
  const inputs =
    features.length * (strataValues?.length ?? 1) +
    (strata?.interceptPerStratum ? (strataValues?.length ?? 0) : 0);
  if (inputs > MAX_MODEL_INPUTS)
    throw new ModelError(
      'features',
      `make ${inputs} inputs, more than the ${MAX_MODEL_INPUTS} a request may carry`,
    );
  checkInputNames(features, strata);
  const description: ModelDescription = {
    format: MODEL_FORMAT,
    id: value.id,
    version,
    title: text('title'),
    description: text('description'),
    citation: text('citation'),
    private: value.private,
    fields,
    ...(strata ? { strata } : {}),
    features,
    precision: parsePrecision(value.precision),
    link: parseLink(value.link, strataValues),
    output: value.output === undefined ? 'linearPredictor' : parseName(value.output, 'output'),
    display: parseDisplay(value.display),
    grades: parseGrades(value.grades, fields),
    explanation: text('explanation'),
    ...(value.notes === undefined ? {} : { notes: parseNotes(value.notes) }),
    ...(value.checks === undefined ? {} : { checks: parseChecks(value.checks, domains) }),
  };
  const hasCoefficients = value.weights !== undefined || value.intercept !== undefined;
  if (description.private && hasCoefficients)
    throw new ModelError(
      value.weights !== undefined ? 'weights' : 'intercept',
      'a private model’s coefficients belong in its private file (<id>.private.json), never in the public one',
    );
  if (!description.private && !hasCoefficients)
    throw new ModelError('weights', 'a public model (private: false) must give its weights and intercept');
  const withCoefficients = description.private
    ? description
    : { ...description, coefficients: parseCoefficients(value, description, '') };
  if (!published) return withCoefficients;
  return { ...withCoefficients, derived: parseDerived(value.derived) };
}

/** Checks the weights and intercept of a model (a public file's, or a private file's). */
export function parseCoefficients(
  value: Record<string, unknown>,
  description: ModelDescription,
  where: string,
): ModelCoefficients {
  const strata = description.strata?.order;
  const names = description.features.map((f) => f.name);
  const at = (field: string) => `${where}${field}`;
  const flat = (record: unknown, path: string): Record<string, number> => {
    if (!isRecord(record)) throw new ModelError(path, 'must be an object of feature: weight');
    const extra = Object.keys(record).filter((k) => !names.includes(k));
    if (extra.length > 0) throw new ModelError(`${path}.${extra[0]}`, 'is not a feature of this model');
    for (const name of names) {
      const w = record[name];
      if (typeof w !== 'number' || !Number.isFinite(w))
        throw new ModelError(`${path}.${name}`, 'must be a finite number (0 to leave the feature out)');
    }
    return record as Record<string, number>;
  };
  let weights: Weights;
  if (strata) {
    const record = value.weights;
    if (!isRecord(record))
      throw new ModelError(at('weights'), `must give weights per stratum (${strata.join(', ')})`);
    const extra = Object.keys(record).filter((k) => !strata.includes(k));
    if (extra.length > 0)
      throw new ModelError(
        at(`weights.${extra[0]}`),
        `is not a stratum of this model (${strata.join(', ')})`,
      );
    const missing = strata.filter((s) => record[s] === undefined);
    if (missing.length > 0)
      throw new ModelError(
        at(`weights.${missing[0]}`),
        `is missing: every stratum needs its weights (${missing.join(', ')} ${missing.length > 1 ? 'have' : 'has'} none)`,
      );
    weights = Object.fromEntries(strata.map((s) => [s, flat(record[s], at(`weights.${s}`))]));
  } else {
    weights = flat(value.weights, at('weights'));
  }
  const intercept = parseConstant(value.intercept ?? 0, at('intercept'), strata) as Constant;
  if (typeof intercept !== 'number' && !description.strata?.interceptPerStratum)
    throw new ModelError(at('intercept'), 'is per stratum, but strata.interceptPerStratum is not true');
  if (typeof intercept === 'number' && description.strata?.interceptPerStratum)
    throw new ModelError(at('intercept'), 'must give one number per stratum (strata.interceptPerStratum)');
  return { weights, intercept };
}

/** A feature's weight in a stratum. */
export function weightOf(weights: Weights, feature: string, stratum: string | undefined): number {
  const scope =
    stratum === undefined ? weights : (weights as Record<string, Record<string, number>>)[stratum];
  const w = (scope as Record<string, unknown> | undefined)?.[feature];
  if (typeof w !== 'number') throw new TypeError(`No weight for ${feature}; parse the model first.`);
  return w;
}

export function capitalized(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

/**
 * Every input's name (a feature's, with its stratum's suffix; a stratum's intercept) must itself be a
 * name of at most 32 characters, and no two may be the same (`aB` + `C` and `a` + `BC` would be).
 */
function checkInputNames(features: readonly ModelFeature[], strata: Strata | undefined) {
  const seen = new Set<string>();
  const check = (input: string, at: string) => {
    if (!NAME.test(input))
      throw new ModelError(
        at,
        `with its stratum suffix the input ${input} has ${input.length} characters, more than 32: ` +
          'shorten the feature name or the strata fields’ option values',
      );
    if (seen.has(input))
      throw new ModelError(at, `makes the input ${input}, as another feature or stratum does: rename one`);
    seen.add(input);
  };
  for (const suffix of strata?.order.map(stratumSuffix) ?? ['']) {
    for (const feature of features) check(`${feature.name}${suffix}`, `features.${feature.name}`);
    if (strata?.interceptPerStratum) check(`intercept${suffix}`, 'strata.interceptPerStratum');
  }
}

function parseName(value: unknown, path: string): string {
  if (typeof value !== 'string' || !NAME.test(value))
    throw new ModelError(path, 'must be a name: a lowercase letter, then letters and digits (at most 32)');
  return value;
}

function exactKeys(
  record: Record<string, unknown>,
  path: string,
  required: string[],
  optional: string[] = [],
) {
  for (const key of required)
    if (!Object.hasOwn(record, key)) throw new ModelError(`${path}.${key}`, 'is missing');
  const extra = Object.keys(record).filter((k) => !required.includes(k) && !optional.includes(k));
  if (extra.length > 0) throw new ModelError(`${path}.${extra[0]}`, 'unknown field');
}

function label(record: Record<string, unknown>, key: string, path: string): string {
  const v = record[key];
  if (typeof v !== 'string' || v.trim() === '')
    throw new ModelError(`${path}.${key}`, 'must be a non-empty string');
  return v;
}

function finite(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ModelError(path, 'must be a finite number');
  return v;
}

function parseFields(value: unknown): ModelField[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new ModelError('fields', 'must be a non-empty array');
  const seen = new Set<string>();
  return value.map((field, i) => {
    const path = `fields[${i}]`;
    if (!isRecord(field)) throw new ModelError(path, 'must be an object');
    const name = parseName(field.name, `${path}.name`);
    if (seen.has(name)) throw new ModelError(`${path}.name`, `${name} is used twice`);
    seen.add(name);
    const at = `fields.${name}`;
    switch (field.kind) {
      case 'boolean':
        exactKeys(field, at, ['kind', 'name', 'label'], ['help', 'codes']);
        return {
          kind: 'boolean',
          name,
          label: label(field, 'label', at),
          ...(field.help === undefined ? {} : { help: label(field, 'help', at) }),
          ...codesOf(field, { kind: 'boolean' }, at),
        };
      case 'choice': {
        exactKeys(field, at, ['kind', 'name', 'label', 'options'], ['codes']);
        const { options } = field;
        if (!Array.isArray(options) || options.length < 2)
          throw new ModelError(`${at}.options`, 'must list at least two options');
        const parsed = options.map((o, j) => {
          if (!isRecord(o)) throw new ModelError(`${at}.options[${j}]`, 'must be an object');
          exactKeys(o, `${at}.options[${j}]`, ['value', 'label']);
          return {
            value: parseName(o.value, `${at}.options[${j}].value`),
            label: label(o, 'label', `${at}.options[${j}]`),
          };
        });
        if (new Set(parsed.map((o) => o.value)).size !== parsed.length)
          throw new ModelError(`${at}.options`, 'has a value twice');
        return {
          kind: 'choice',
          name,
          label: label(field, 'label', at),
          options: parsed,
          ...codesOf(field, { kind: 'choice', options: parsed }, at),
        };
      }
      case 'number': {
        exactKeys(field, at, ['kind', 'name', 'label', 'units'], ['help', 'codes']);
        const { units } = field;
        if (!Array.isArray(units) || units.length === 0)
          throw new ModelError(`${at}.units`, 'must list at least one unit');
        const parsed = units.map((u, j) => parseUnit(u, `${at}.units[${j}]`, j === 0));
        return {
          kind: 'number',
          name,
          label: label(field, 'label', at),
          ...(field.help === undefined ? {} : { help: label(field, 'help', at) }),
          units: parsed as [ModelUnit, ...ModelUnit[]],
          ...codesOf(field, { kind: 'number', units: parsed }, at),
        };
      }
      default:
        throw new ModelError(`${at}.kind`, 'must be number, boolean or choice');
    }
  });
}

/** A field's `codes`, checked (absent stays absent, so a file without codes is published as it was). */
function codesOf(
  field: Record<string, unknown>,
  shape: Parameters<typeof parseFieldCodes>[1],
  at: string,
): { codes?: FieldCodes } {
  return field.codes === undefined ? {} : { codes: parseFieldCodes(field.codes, shape, `${at}.codes`) };
}

function parseUnit(value: unknown, path: string, first: boolean): ModelUnit {
  if (!isRecord(value)) throw new ModelError(path, 'must be an object');
  exactKeys(value, path, ['id', 'label', 'min', 'max', 'step'], ['fitted', 'toBase']);
  const id = label(value, 'id', path);
  const [min, max, step] = [
    finite(value.min, `${path}.min`),
    finite(value.max, `${path}.max`),
    finite(value.step, `${path}.step`),
  ];
  if (!(min < max)) throw new ModelError(`${path}.max`, 'must be above min');
  if (!(step > 0)) throw new ModelError(`${path}.step`, 'must be above 0');
  let fitted: { min: number; max: number } | undefined;
  if (value.fitted !== undefined) {
    const f = value.fitted;
    if (!isRecord(f)) throw new ModelError(`${path}.fitted`, 'must be {"min", "max"}');
    exactKeys(f, `${path}.fitted`, ['min', 'max']);
    fitted = { min: finite(f.min, `${path}.fitted.min`), max: finite(f.max, `${path}.fitted.max`) };
    if (!(fitted.min < fitted.max)) throw new ModelError(`${path}.fitted.max`, 'must be above fitted.min');
  }
  if (first && value.toBase !== undefined && value.toBase !== 1)
    throw new ModelError(`${path}.toBase`, 'the first unit is the base: leave toBase out');
  if (!first && value.toBase === undefined)
    throw new ModelError(`${path}.toBase`, 'is missing: the factor that converts this unit to the first one');
  const toBase = value.toBase === undefined ? undefined : finite(value.toBase, `${path}.toBase`);
  if (toBase !== undefined && !(toBase > 0)) throw new ModelError(`${path}.toBase`, 'must be above 0');
  return {
    id,
    label: label(value, 'label', path),
    min,
    max,
    step,
    ...(fitted ? { fitted } : {}),
    ...(first || toBase === undefined ? {} : { toBase }),
  };
}

/** A field's range in its first unit: the hull of every unit's range converted. */
export function domainOf(field: ModelField): FieldDomain {
  if (field.kind === 'boolean') return { kind: 'boolean' };
  if (field.kind === 'choice') return { kind: 'choice', options: field.options.map((o) => o.value) };
  const lows = field.units.map((u) => u.min * (u.toBase ?? 1));
  const highs = field.units.map((u) => u.max * (u.toBase ?? 1));
  return { kind: 'number', min: Math.min(...lows), max: Math.max(...highs) };
}

function parseStrata(value: unknown, fields: readonly ModelField[]): Strata {
  if (!isRecord(value)) throw new ModelError('strata', 'must be an object');
  exactKeys(value, 'strata', [], ['field', 'fields', 'order', 'interceptPerStratum']);
  if (value.field !== undefined && value.fields !== undefined)
    throw new ModelError('strata', 'give field (one choice) or fields (several), not both');
  if (value.interceptPerStratum !== undefined && typeof value.interceptPerStratum !== 'boolean')
    throw new ModelError('strata.interceptPerStratum', 'must be true or false');
  const interceptPerStratum = value.interceptPerStratum === true;
  const choice = (name: unknown, at: string) => {
    const field = fields.find((f) => f.name === name);
    if (field?.kind !== 'choice') throw new ModelError(at, 'must name a choice field of this model');
    return field;
  };
  if (value.fields === undefined) {
    if (value.field === undefined) throw new ModelError('strata.field', 'is missing');
    const field = choice(value.field, 'strata.field');
    const options = field.options.map((o) => o.value);
    const order = value.order === undefined ? options : value.order;
    if (!Array.isArray(order) || order.length !== options.length || !options.every((o) => order.includes(o)))
      throw new ModelError(
        'strata.order',
        `must list each option of ${field.name} once (${options.join(', ')})`,
      );
    return { field: field.name, order: order as string[], interceptPerStratum };
  }
  const list = value.fields;
  if (!Array.isArray(list) || list.length < 2)
    throw new ModelError('strata.fields', 'must list two or more choice fields (one: write "field")');
  const chosen = list.map((name, i) => choice(name, `strata.fields[${i}]`));
  chosen.forEach((field, i) => {
    if (chosen.indexOf(field) !== i)
      throw new ModelError(`strata.fields[${i}]`, `${field.name} is listed twice`);
  });
  // Every combination of one value per field, the first field's values outermost.
  const combinations = chosen.reduce<string[]>(
    (keys, field) =>
      keys.flatMap((key) =>
        field.options.map((o) => (key ? `${key}${STRATUM_SEPARATOR}${o.value}` : o.value)),
      ),
    [''],
  );
  const names = chosen.map((f) => f.name).join(' × ');
  const order = value.order === undefined ? combinations : value.order;
  if (!Array.isArray(order)) throw new ModelError('strata.order', `must list every stratum of ${names} once`);
  order.forEach((key, i) => {
    if (typeof key !== 'string' || !combinations.includes(key))
      throw new ModelError(
        `strata.order[${i}]`,
        `${JSON.stringify(key)} is not a stratum: one value of each of ${names}, joined by "${STRATUM_SEPARATOR}" (${combinations[0]})`,
      );
    if (order.indexOf(key) !== i) throw new ModelError(`strata.order[${i}]`, `${key} is listed twice`);
  });
  const missing = combinations.filter((key) => !order.includes(key));
  if (missing.length > 0)
    throw new ModelError('strata.order', `misses ${missing.join(', ')}: every stratum of ${names} once`);
  return { fields: chosen.map((f) => f.name), order: order as string[], interceptPerStratum };
}

function parseFeatures(
  value: unknown,
  domains: ReadonlyMap<string, FieldDomain>,
  strata: readonly string[] | undefined,
): ModelFeature[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new ModelError('features', 'must be a non-empty array');
  const seen = new Set<string>();
  return value.map((feature, i) => {
    const path = `features[${i}]`;
    if (!isRecord(feature)) throw new ModelError(path, 'must be an object');
    const name = parseName(feature.name, `${path}.name`);
    if (seen.has(name)) throw new ModelError(`${path}.name`, `${name} is used twice`);
    if (strata && name === 'intercept') throw new ModelError(`${path}.name`, '“intercept” is reserved');
    seen.add(name);
    const at = `features.${name}`;
    exactKeys(feature, at, ['name', 'label', 'from']);
    const from = parseExpression(feature.from, `${at}.from`, domains, strata);
    // Every accepted value must give a finite feature: checked here, once, for each stratum.
    for (const stratum of strata ?? [undefined]) {
      const range = expressionRange(from, domains, stratum, `${at}.from`);
      if (!Number.isFinite(range.min) || !Number.isFinite(range.max))
        throw new ModelError(`${at}.from`, 'is not finite for every value the form accepts');
    }
    return { name, label: label(feature, 'label', at), from };
  });
}

function parsePrecision(value: unknown): ModelDescription['precision'] {
  if (!isRecord(value)) throw new ModelError('precision', 'must be {"features": digits, "weights": digits}');
  exactKeys(value, 'precision', ['features', 'weights']);
  const digits = (key: 'features' | 'weights') => {
    const v = value[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 6)
      throw new ModelError(`precision.${key}`, 'must be a whole number of decimal digits, 0 to 6');
    return v;
  };
  return { features: digits('features'), weights: digits('weights') };
}

function parseLink(value: unknown, strata: readonly string[] | undefined): Link {
  if (!isRecord(value)) throw new ModelError('link', 'must be an object with a kind');
  switch (value.kind) {
    case 'score':
    case 'logistic':
    case 'exponential':
      exactKeys(value, 'link', ['kind']);
      return { kind: value.kind };
    case 'cox': {
      exactKeys(value, 'link', ['kind', 'baselineSurvival', 'mean']);
      const s0 = parseConstant(value.baselineSurvival, 'link.baselineSurvival', strata) as Constant;
      const all = typeof s0 === 'number' ? [s0] : Object.values(s0);
      if (!all.every((s) => s > 0 && s < 1))
        throw new ModelError('link.baselineSurvival', 'must be between 0 and 1');
      return {
        kind: 'cox',
        baselineSurvival: s0,
        mean: parseConstant(value.mean, 'link.mean', strata) as Constant,
      };
    }
    default:
      throw new ModelError('link.kind', `must be one of ${LINKS.join(', ')}`);
  }
}

function parseDisplay(value: unknown): ModelDescription['display'] {
  if (!isRecord(value)) throw new ModelError('display', 'must be an object');
  exactKeys(value, 'display', ['template', 'decimals'], ['scale']);
  if (typeof value.template !== 'string' || !value.template.includes('{value}'))
    throw new ModelError('display.template', 'must be a string with {value} in it, e.g. "{value} %"');
  const decimals = value.decimals;
  if (typeof decimals !== 'number' || !Number.isInteger(decimals) || decimals < 0 || decimals > 6)
    throw new ModelError('display.decimals', 'must be a whole number, 0 to 6');
  const scale = value.scale === undefined ? 1 : finite(value.scale, 'display.scale');
  if (!(scale > 0)) throw new ModelError('display.scale', 'must be above 0');
  return { template: value.template, decimals, scale };
}

function parseGradeList(value: unknown, path: string): Grade[] {
  if (!Array.isArray(value) || value.length === 0) throw new ModelError(path, 'must be a non-empty array');
  let previous = Number.NEGATIVE_INFINITY;
  return value.map((grade, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(grade)) throw new ModelError(at, 'must be an object');
    exactKeys(grade, at, ['category', 'severity'], ['below', 'advice']);
    const last = i === value.length - 1;
    if (last !== (grade.below === undefined))
      throw new ModelError(
        `${at}.below`,
        last ? 'the last grade takes every value left: leave below out' : 'is missing',
      );
    if (grade.below !== undefined) {
      const below = finite(grade.below, `${at}.below`);
      if (!(below > previous)) throw new ModelError(`${at}.below`, 'must be above the previous grade’s');
      previous = below;
    }
    if (!SEVERITIES.includes(grade.severity as Severity))
      throw new ModelError(`${at}.severity`, `must be one of ${SEVERITIES.join(', ')}`);
    return {
      ...(grade.below === undefined ? {} : { below: grade.below as number }),
      category: label(grade, 'category', at),
      severity: grade.severity as Severity,
      ...(grade.advice === undefined ? {} : { advice: label(grade, 'advice', at) }),
    };
  });
}

function parseGrades(value: unknown, fields: readonly ModelField[]): Grades {
  if (Array.isArray(value)) return parseGradeList(value, 'grades');
  if (!isRecord(value))
    throw new ModelError('grades', 'must be an array of grades, or {"by": field, "values": …}');
  exactKeys(value, 'grades', ['by', 'values']);
  const field = fields.find((f) => f.name === value.by);
  if (field?.kind !== 'choice') throw new ModelError('grades.by', 'must name a choice field of this model');
  const values = value.values;
  if (!isRecord(values)) throw new ModelError('grades.values', 'must give grades per option');
  const result: Record<string, Grade[]> = {};
  for (const option of field.options) {
    result[option.value] = parseGradeList(values[option.value], `grades.values.${option.value}`);
  }
  const extra = Object.keys(values).filter((k) => !field.options.some((o) => o.value === k));
  if (extra.length > 0)
    throw new ModelError(`grades.values.${extra[0]}`, `is not an option of ${field.name}`);
  return { by: field.name, values: result };
}

function parseNotes(value: unknown): Record<string, string> {
  if (!isRecord(value)) throw new ModelError('notes', 'must be an object of displayed value: sentence');
  for (const [key, note] of Object.entries(value)) {
    if (typeof note !== 'string') throw new ModelError(`notes.${key}`, 'must be a string');
  }
  return value as Record<string, string>;
}

function parseChecks(
  value: unknown,
  domains: ReadonlyMap<string, FieldDomain>,
): NonNullable<ModelDescription['checks']> {
  if (!Array.isArray(value)) throw new ModelError('checks', 'must be an array');
  return value.map((check, i) => {
    const at = `checks[${i}]`;
    if (!isRecord(check)) throw new ModelError(at, 'must be an object');
    exactKeys(check, at, ['less', 'message']);
    const less = check.less;
    if (
      !Array.isArray(less) ||
      less.length !== 2 ||
      !less.every((n) => typeof n === 'string' && domains.get(n)?.kind === 'number')
    )
      throw new ModelError(`${at}.less`, 'must name two number fields of this model');
    return { less: [less[0], less[1]] as const, message: label(check, 'message', at) };
  });
}

function parseDerived(value: unknown): DerivedBounds {
  if (!isRecord(value)) throw new ModelError('derived', 'is missing from the published model');
  exactKeys(value, 'derived', ['linearPredictor', 'error']);
  const lp = value.linearPredictor;
  if (!isRecord(lp)) throw new ModelError('derived.linearPredictor', 'must be {"min", "max"}');
  exactKeys(lp, 'derived.linearPredictor', ['min', 'max']);
  const [min, max] = [lp.min, lp.max];
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || (min as number) > (max as number))
    throw new ModelError('derived.linearPredictor', 'must be safe integers, min ≤ max');
  const error = finite(value.error, 'derived.error');
  if (error < 0) throw new ModelError('derived.error', 'must be ≥ 0');
  return { linearPredictor: { min: min as number, max: max as number }, error };
}
