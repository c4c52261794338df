/** Reading and validating what the patient typed, against the fields a computation declares. */

import type { Computation, Field, FieldValue, FormValues, Quantity, SeriesBounds } from './computation.js';

export type FormErrors = Readonly<Record<string, string>>;

/** Every field present and in range for its unit; the messages say what to type instead. */
export function validateForm(computation: Computation, values: FormValues): FormErrors {
  const errors: Record<string, string> = {};
  for (const field of computation.fields) {
    const message = fieldError(field, values[field.name], values);
    if (message) errors[field.name] = message;
  }
  return errors;
}

/**
 * Valid values the model was not fitted on (e.g. Framingham outside ages 30–74): the result is an
 * extrapolation, and the patient should be told so rather than have it silently computed.
 */
export function formWarnings(computation: Computation, values: FormValues): FormErrors {
  const warnings: Record<string, string> = {};
  for (const field of computation.fields) {
    const value = values[field.name];
    if (field.kind !== 'number' || !isQuantity(value)) continue;
    const unit = field.units.find((u) => u.id === value.unit);
    const fitted = unit?.fitted;
    if (unit && fitted && (value.value < fitted.min || value.value > fitted.max)) {
      warnings[field.name] =
        `The model was fitted on ${field.label.toLowerCase()} ${fitted.min}–${fitted.max} ${unit.label}: ` +
        'outside that range the result is an extrapolation.';
    }
  }
  return warnings;
}

/** The bounds that apply to a series, given the choice that selects them; undefined until chosen. */
export function seriesBounds(
  field: Extract<Field, { kind: 'series' }>,
  values: FormValues,
): SeriesBounds | undefined {
  const choice = values[field.boundsBy.field];
  return typeof choice === 'string' ? field.boundsBy.bounds[choice] : undefined;
}

function fieldError(field: Field, value: FieldValue | undefined, values: FormValues): string | undefined {
  switch (field.kind) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `Answer “${field.label}”.`;
    case 'choice':
      return typeof value === 'string' && field.options.some((o) => o.value === value)
        ? undefined
        : `Choose one option for “${field.label}”.`;
    case 'date':
      return dateError(field.label, value);
    case 'number': {
      if (!isQuantity(value) || Number.isNaN(value.value)) return `Enter ${field.label.toLowerCase()}.`;
      const unit = field.units.find((u) => u.id === value.unit);
      if (!unit) return `Choose a unit for ${field.label.toLowerCase()}.`;
      if (!Number.isFinite(value.value) || value.value < unit.min || value.value > unit.max) {
        const range = `${field.label} must be between ${unit.min} and ${unit.max} ${unit.label}.`;
        // A value out of range in one unit and in range in another was most likely typed in that one.
        const likely = field.units.find(
          (other) => other !== unit && value.value >= other.min && value.value <= other.max,
        );
        return likely
          ? `${range} Did you mean ${likely.label}? Then choose ${likely.label} next to the number.`
          : range;
      }
      return undefined;
    }
    case 'series': {
      const bounds = seriesBounds(field, values);
      if (!bounds) return `Choose what the ${field.label.toLowerCase()} are of first.`;
      if (!isSeries(value) || value.length === 0) return `Enter at least one reading.`;
      if (value.length > field.maxItems) return `Enter at most ${field.maxItems} readings.`;
      const bad = value.flatMap((x, index) => (isReading(x, bounds) ? [] : [index + 1]));
      if (bad.length === 0) return undefined;
      const kind = (bounds.step ?? 1) < 1 ? 'numbers with at most one decimal' : 'whole numbers';
      return bad.length === 1
        ? `Reading ${bad[0]} must be a number from ${bounds.min} to ${bounds.max} ${bounds.unit} (${kind}).`
        : `Readings ${listed(bad)} must be ${kind} from ${bounds.min} to ${bounds.max} ${bounds.unit}.`;
    }
  }
}

/** Whether `x` is a reading the bounds accept: in range and on their step (whole, or tenths). */
export function isReading(x: number, bounds: SeriesBounds): boolean {
  const steps = x / (bounds.step ?? 1);
  return (
    Number.isFinite(x) && x >= bounds.min && x <= bounds.max && Math.abs(steps - Math.round(steps)) < 1e-6
  );
}

/** "1, 2 and 5" */
function listed(numbers: readonly number[]): string {
  return numbers.length === 1
    ? String(numbers[0])
    : `${numbers.slice(0, -1).join(', ')} and ${numbers[numbers.length - 1]}`;
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A "YYYY-MM-DD" day that exists, and is not after today (this device's calendar). */
function dateError(label: string, value: FieldValue | undefined): string | undefined {
  const match = typeof value === 'string' ? ISO_DAY.exec(value) : null;
  if (!match) return `Enter ${label.toLowerCase()}.`;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day);
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day)
    return `${label} is not a date in the calendar.`;
  if (year < 1900) return `${label} must be after 1900.`;
  const now = new Date();
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  if (date > today) return `${label} cannot be in the future.`;
  return undefined;
}

function isQuantity(value: FieldValue | undefined): value is Quantity {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'value' in value;
}

function isSeries(value: FieldValue | undefined): value is readonly number[] {
  return Array.isArray(value) && value.every((x) => typeof x === 'number');
}

export function readQuantity(values: FormValues, name: string): Quantity {
  const value = values[name];
  if (!isQuantity(value)) throw new TypeError(`Field ${name} is not a quantity; validate the form first.`);
  return value;
}

export function readFlag(values: FormValues, name: string): boolean {
  const value = values[name];
  if (typeof value !== 'boolean')
    throw new TypeError(`Field ${name} is not a yes/no answer; validate the form first.`);
  return value;
}

export function readSeries(values: FormValues, name: string): readonly number[] {
  const value = values[name];
  if (!isSeries(value)) throw new TypeError(`Field ${name} is not a series; validate the form first.`);
  return value;
}

/** A date field's day, at local midnight. */
export function readDate(values: FormValues, name: string): Date {
  const match = ISO_DAY.exec(String(values[name]));
  if (!match) throw new TypeError(`Field ${name} is not a date; validate the form first.`);
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

export function readChoice(values: FormValues, name: string): string {
  const value = values[name];
  if (typeof value !== 'string')
    throw new TypeError(`Field ${name} is not a choice; validate the form first.`);
  return value;
}

/** Plaintext for a protocol input that is a yes/no indicator. */
export function indicator(flag: boolean): bigint {
  return flag ? 1n : 0n;
}
