/**
 * The form as typed: text exactly as entered (so nothing is lost or reformatted after an error),
 * read into the catalog's `FormValues` only to validate and encode.
 */

import type { Computation, FieldValue, FormValues } from '../../../shared/computations/computation.js';

export interface Draft {
  /** Per number field: the text typed and the chosen unit id. */
  readonly numbers: Readonly<Record<string, { readonly text: string; readonly unit: string }>>;
  readonly flags: Readonly<Record<string, boolean>>;
  /** Per choice field: the chosen option; absent until the patient chooses. */
  readonly choices: Readonly<Record<string, string>>;
  /** Per series field: the text typed for each reading, in order. */
  readonly series: Readonly<Record<string, readonly string[]>>;
}

export function emptyDraft(computation: Computation): Draft {
  const numbers: Record<string, { text: string; unit: string }> = {};
  const flags: Record<string, boolean> = {};
  const series: Record<string, readonly string[]> = {};
  for (const field of computation.fields) {
    if (field.kind === 'number') numbers[field.name] = { text: '', unit: field.units[0].id };
    if (field.kind === 'boolean') flags[field.name] = false;
    // One empty reading to start from, so the list is never a bare "Add" button.
    if (field.kind === 'series') series[field.name] = [''];
  }
  return { numbers, flags, choices: {}, series };
}

/** A decimal number with a point or a comma (many locales type 83,7); NaN for anything else. */
export function parseDecimal(text: string): number {
  const trimmed = text.trim();
  return /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/.test(trimmed) ? Number(trimmed.replace(',', '.')) : Number.NaN;
}

/**
 * A reading: digits only. "10,000" steps must not be read as a decimal 10 (nor "1.500" as 1.5), so a
 * separator of any kind reads as NaN and the patient is asked for a whole number.
 */
export function parseWholeNumber(text: string): number {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

export function formValuesOf(computation: Computation, draft: Draft): FormValues {
  const values: Record<string, FieldValue> = {};
  for (const field of computation.fields) {
    const value = fieldValue(field.kind, field.name, draft);
    if (value !== undefined) values[field.name] = value;
  }
  return values;
}

function fieldValue(kind: Computation['fields'][number]['kind'], name: string, draft: Draft) {
  switch (kind) {
    case 'number': {
      const number = draft.numbers[name];
      return number && { value: parseDecimal(number.text), unit: number.unit };
    }
    case 'boolean':
      return draft.flags[name];
    case 'choice':
      return draft.choices[name];
    case 'series':
      // A blank reading reads as NaN, so validation names it rather than dropping it silently.
      return draft.series[name]?.map(parseWholeNumber);
  }
}
