/** A history entry's inputs in words, from the computation's own form fields ("Weight 83.7 kg; …"). */

import type { Computation, FieldValue, FormValues } from '../../../shared/computations/computation.js';

const number = new Intl.NumberFormat('en', { maximumFractionDigits: 10 });

export function describeInputs(computation: Computation | undefined, inputs: FormValues): string {
  if (!computation) {
    // A computation this version no longer offers: its raw names and values.
    return Object.entries(inputs)
      .map(([name, value]) => `${name}: ${rawValue(value)}`)
      .join('; ');
  }
  const parts: string[] = [];
  for (const field of computation.fields) {
    const value = inputs[field.name];
    if (value === undefined) continue;
    switch (field.kind) {
      case 'number': {
        if (typeof value !== 'object' || isSeries(value)) break;
        const unit = field.units.find((option) => option.id === value.unit)?.label ?? value.unit;
        parts.push(`${field.label} ${number.format(value.value)} ${unit}`);
        break;
      }
      case 'boolean':
        if (value === true) parts.push(field.label);
        break;
      case 'choice': {
        const option = field.options.find((candidate) => candidate.value === value);
        parts.push(`${field.label}: ${option?.label ?? rawValue(value)}`);
        break;
      }
      case 'series':
        if (typeof value === 'object' && isSeries(value))
          parts.push(`${field.label}: ${value.map((item) => number.format(item)).join(', ')}`);
        break;
    }
  }
  return parts.join('; ');
}

function rawValue(value: FieldValue): string {
  if (typeof value !== 'object') return String(value);
  if (isSeries(value)) return value.map((item) => number.format(item)).join(', ');
  return `${number.format(value.value)} ${value.unit}`;
}

function isSeries(value: Exclude<FieldValue, boolean | string>): value is readonly number[] {
  return Array.isArray(value);
}
