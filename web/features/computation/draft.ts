/**
 * The form as typed: text exactly as entered (so nothing is lost or reformatted after an error),
 * read into the catalog's `FormValues` only to validate and encode.
 */

import type { Computation, Field, FieldValue, FormValues } from '../../../shared/computations/computation.js';
import type { FormErrors } from '../../../shared/computations/form.js';

export interface Draft {
  /** Per number field: the text typed and the chosen unit id. */
  readonly numbers: Readonly<Record<string, { readonly text: string; readonly unit: string }>>;
  readonly flags: Readonly<Record<string, boolean>>;
  /** Per choice field: the chosen option; absent until the patient chooses. */
  readonly choices: Readonly<Record<string, string>>;
  /** Per series field: the text typed for each reading, in order. */
  readonly series: Readonly<Record<string, readonly string[]>>;
  /** Per date field: "YYYY-MM-DD" as the date control gives it, or "" when cleared. */
  readonly dates: Readonly<Record<string, string>>;
}

/** Today on this device's calendar, as a date control writes it. */
export function today(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function emptyDraft(computation: Computation): Draft {
  const numbers: Record<string, { text: string; unit: string }> = {};
  const flags: Record<string, boolean> = {};
  const series: Record<string, readonly string[]> = {};
  const dates: Record<string, string> = {};
  for (const field of computation.fields) {
    if (field.kind === 'number') numbers[field.name] = { text: '', unit: field.units[0].id };
    if (field.kind === 'boolean') flags[field.name] = false;
    // One empty reading to start from, so the list is never a bare "Add" button.
    if (field.kind === 'series') series[field.name] = [''];
    if (field.kind === 'date') dates[field.name] = today();
  }
  return { numbers, flags, choices: {}, series, dates };
}

/** A decimal number with a point or a comma (many locales type 83,7); NaN for anything else. */
export function parseDecimal(text: string): number {
  const trimmed = text.trim();
  return /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/.test(trimmed) ? Number(trimmed.replace(',', '.')) : Number.NaN;
}

/**
 * A whole-number reading: digits only. "10,000" steps must not be read as a decimal 10 (nor "1.500" as
 * 1.5), so a separator of any kind reads as NaN and the patient is asked for a whole number.
 */
export function parseWholeNumber(text: string): number {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

/**
 * Why the text typed for a number could not be read, in words that say what to type instead;
 * undefined when it reads, or is empty (validation then asks for it).
 */
export function unreadableNumber(
  field: Extract<Field, { kind: 'number' }>,
  text: string,
  unitId: string,
): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || !Number.isNaN(parseDecimal(trimmed))) return undefined;
  const name = field.label.toLowerCase();
  const chosen = field.units.find((unit) => unit.id === unitId)?.label ?? '';
  const withUnit = /^[+-]?[\d.,]+\s*([^\d\s.,]+)\.?$/u.exec(trimmed);
  if (withUnit?.[1]) {
    const typed = withUnit[1].toLowerCase();
    const named = field.units.find(
      (unit) => unit.label.toLowerCase() === typed || unit.id.toLowerCase() === typed,
    );
    if (/^e[+-]?\d*$/.test(typed)) return `Write ${name} as a plain number (such as 100, not 1e2).`;
    return named && named.label !== chosen
      ? `Type only the number for ${name}, and choose ${named.label} in the list next to it.`
      : `Type only the number for ${name}: the unit (${chosen}) is already next to it.`;
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)e[+-]?\d+$/i.test(trimmed))
    return `Write ${name} as a plain number (such as 100, not 1e2).`;
  if (!/\d/.test(trimmed)) return `${field.label} must be written in digits (0–9), not in words.`;
  return `${field.label} must be one number, with at most one decimal point.`;
}

/** The messages of number fields whose text is not a number at all, by field (see `unreadableNumber`). */
export function unreadableNumbers(computation: Computation, draft: Draft): FormErrors {
  const errors: Record<string, string> = {};
  for (const field of computation.fields) {
    const number = draft.numbers[field.name];
    if (field.kind !== 'number' || !number) continue;
    const message = unreadableNumber(field, number.text, number.unit);
    if (message) errors[field.name] = message;
  }
  return errors;
}

export function formValuesOf(computation: Computation, draft: Draft): FormValues {
  const values: Record<string, FieldValue> = {};
  for (const field of computation.fields) {
    const value = fieldValue(field, draft);
    if (value !== undefined) values[field.name] = value;
  }
  return values;
}

function fieldValue(field: Field, draft: Draft): FieldValue | undefined {
  switch (field.kind) {
    case 'number': {
      const number = draft.numbers[field.name];
      return number && { value: parseDecimal(number.text), unit: number.unit };
    }
    case 'boolean':
      return draft.flags[field.name];
    case 'choice':
      return draft.choices[field.name];
    case 'date':
      return draft.dates[field.name];
    case 'series': {
      // Readings with a decimal step (glucose) read like any number; whole ones allow no separator.
      const choice = draft.choices[field.boundsBy.field];
      const step = (choice === undefined ? undefined : field.boundsBy.bounds[choice])?.step ?? 1;
      const parse = step < 1 ? parseDecimal : parseWholeNumber;
      // A blank reading reads as NaN, so validation names it rather than dropping it silently.
      return draft.series[field.name]?.map(parse);
    }
  }
}
