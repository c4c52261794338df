/** Reading and validating what the patient typed, against the fields a computation declares. */

import type { Computation, Field, FieldValue, FormValues, Quantity, UnitOption } from './computation.js';

export type FormErrors = Readonly<Record<string, string>>;

/** Every field present and in range for its unit; the messages say what to type instead. */
export function validateForm(computation: Computation, values: FormValues): FormErrors {
  const errors: Record<string, string> = {};
  for (const field of computation.fields) {
    const message = fieldError(field, values[field.name]);
    if (message) errors[field.name] = message;
  }
  return errors;
}

function fieldError(field: Field, value: FieldValue | undefined): string | undefined {
  switch (field.kind) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `Answer “${field.label}”.`;
    case 'choice':
      return typeof value === 'string' && field.options.some((o) => o.value === value)
        ? undefined
        : `Choose one option for “${field.label}”.`;
    case 'number': {
      if (!isQuantity(value) || Number.isNaN(value.value)) return `Enter ${field.label.toLowerCase()}.`;
      const unit = field.units.find((u) => u.id === value.unit);
      if (!unit) return `Choose a unit for ${field.label.toLowerCase()}.`;
      if (!Number.isFinite(value.value) || value.value < unit.min || value.value > unit.max) {
        return `${field.label} must be between ${unit.min} and ${unit.max} ${unit.label}.`;
      }
      return undefined;
    }
  }
}

function isQuantity(value: FieldValue | undefined): value is Quantity {
  return typeof value === 'object' && value !== null && typeof value.value === 'number';
}

export function defaultUnit(field: Extract<Field, { kind: 'number' }>): UnitOption {
  return field.units[0];
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
