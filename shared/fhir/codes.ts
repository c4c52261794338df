/**
 * Field codes: which coded values of a health record feed a form field (docs/FHIR.md). Data, written
 * once per field next to the field (a computation's `fields`, or a model file's), and checked here
 * once: a code's system, its form and its check digit (LOINC's mod 10, SNOMED CT's Verhoeff), so a
 * typo stops the start naming the field rather than silently matching nothing.
 */

import type { Computation } from '../computations/computation.js';
import { ModelError } from '../models/features.js';
import { isRecord } from '../records.js';

/** The code systems a field may name, written `loinc:2093-3`, `snomed:73211009`, `icd10:E11`. */
export type CodeSystem = 'loinc' | 'snomed' | 'icd10';

export interface Code {
  readonly system: CodeSystem;
  readonly code: string;
}

/**
 * What feeds one field. Exactly one source: `observations` (LOINC codes of observations, or of
 * components of a panel, such as systolic pressure in 85354-9), `conditions` (SNOMED CT or ICD-10
 * codes of the patient's conditions, for a yes/no field) or `patient` (the Patient's birth date for
 * an age, its administrative gender for a sex).
 */
export interface FieldCodes {
  readonly observations?: readonly string[];
  /** A yes/no or choice field read from an observation's coded answer: field value → answer codes. */
  readonly answers?: Readonly<Record<string, readonly string[]>>;
  readonly conditions?: readonly string[];
  /** A condition counts whatever its clinical status (a history of stroke), not only while active. */
  readonly history?: boolean;
  readonly patient?: 'birthDate' | 'gender';
  /** A number field's unit id → its UCUM code, so record values convert into the units the form offers. */
  readonly ucum?: Readonly<Record<string, string>>;
  /** g/mol of the substance, to convert between mass and substance concentrations (mg/dL ↔ mmol/L). */
  readonly molarMass?: number;
  /** An observation older than this many days is flagged as stale. */
  readonly maxAgeDays?: number;
}

/** What `parseFieldCodes` needs to know of the field it checks codes for. */
export type CodedField =
  | { readonly kind: 'number'; readonly units: readonly { readonly id: string }[] }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'choice'; readonly options: readonly { readonly value: string }[] }
  | { readonly kind: 'date' | 'series' };

export const CODE_SYSTEM_URIS: Readonly<Record<CodeSystem, readonly string[]>> = {
  loinc: ['http://loinc.org', 'urn:oid:2.16.840.1.113883.6.1'],
  snomed: ['http://snomed.info/sct', 'urn:oid:2.16.840.1.113883.6.96'],
  icd10: [
    'http://hl7.org/fhir/sid/icd-10',
    'http://hl7.org/fhir/sid/icd-10-cm',
    'urn:oid:2.16.840.1.113883.6.3',
    'urn:oid:2.16.840.1.113883.6.90',
  ],
};

const LOINC = /^(\d{1,7})-(\d)$/;
const SNOMED = /^[1-9]\d{5,17}$/;
const ICD10 = /^[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?$/;
/** UCUM's printable ASCII, no spaces (UCUM §2.1); the library checks the rest when a file is read. */
const UCUM_TEXT = /^[!-~]+$/;
const KEYS = [
  'observations',
  'answers',
  'conditions',
  'history',
  'patient',
  'ucum',
  'molarMass',
  'maxAgeDays',
] as const;

/** LOINC's check digit: mod 10 over the code's digits, doubling every other one from the right. */
export function loincCheckDigit(digits: string): number {
  let sum = 0;
  [...digits].reverse().forEach((d, i) => {
    const n = Number(d) * (i % 2 === 0 ? 2 : 1);
    sum += n > 9 ? n - 9 : n;
  });
  return (10 - (sum % 10)) % 10;
}

const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/** Whether a SNOMED CT identifier's last digit is its Verhoeff check digit (SNOMED CT TIG 6.4). */
export function verhoeffValid(digits: string): boolean {
  let c = 0;
  [...digits].reverse().forEach((d, i) => {
    c = VERHOEFF_D[c]?.[VERHOEFF_P[i % 8]?.[Number(d)] ?? 0] ?? 0;
  });
  return c === 0;
}

/** Reads `system:code`; throws `ModelError` at `path` naming what is wrong. */
export function parseCode(text: unknown, path: string, systems: readonly CodeSystem[]): Code {
  const expected = systems.map((s) => `${s}:…`).join(' or ');
  if (typeof text !== 'string') throw new ModelError(path, `must be a code written ${expected}`);
  const colon = text.indexOf(':');
  const system = text.slice(0, colon) as CodeSystem;
  const code = text.slice(colon + 1);
  if (colon < 0 || !systems.includes(system))
    throw new ModelError(path, `${JSON.stringify(text)} must be written ${expected}`);
  if (system === 'loinc') {
    const match = LOINC.exec(code);
    if (!match) throw new ModelError(path, `${text} is not a LOINC code (digits, "-", a check digit)`);
    if (loincCheckDigit(match[1] as string) !== Number(match[2]))
      throw new ModelError(path, `${text}: the LOINC check digit is wrong`);
  } else if (system === 'snomed') {
    if (!SNOMED.test(code)) throw new ModelError(path, `${text} is not a SNOMED CT identifier (6–18 digits)`);
    if (!verhoeffValid(code)) throw new ModelError(path, `${text}: the SNOMED CT check digit is wrong`);
  } else if (!ICD10.test(code)) {
    throw new ModelError(path, `${text} is not an ICD-10 code (such as E11 or I50.9)`);
  }
  return { system, code };
}

function codeList(value: unknown, path: string, systems: readonly CodeSystem[]): string[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new ModelError(path, 'must be a non-empty array of codes');
  const codes = value.map((c, i) => {
    parseCode(c, `${path}[${i}]`, systems);
    return c as string;
  });
  const twice = codes.find((c, i) => codes.indexOf(c) !== i);
  if (twice) throw new ModelError(path, `names ${twice} twice`);
  return codes;
}

/**
 * Checks a field's `codes` (untrusted: a model file's, or a catalog entry's); throws `ModelError`
 * with `path` and what is wrong.
 */
export function parseFieldCodes(value: unknown, field: CodedField, path: string): FieldCodes {
  if (!isRecord(value)) throw new ModelError(path, 'must be an object');
  const extra = Object.keys(value).find((k) => !(KEYS as readonly string[]).includes(k));
  if (extra !== undefined) throw new ModelError(`${path}.${extra}`, 'unknown field');
  const sources = (['observations', 'conditions', 'patient'] as const).filter((k) => value[k] !== undefined);
  if (sources.length !== 1)
    throw new ModelError(path, 'must name exactly one of observations, conditions or patient');
  const at = (key: string) => `${path}.${key}`;
  const refuse = (key: string, why: string) => {
    if (value[key] !== undefined) throw new ModelError(at(key), why);
  };
  const codes: Record<string, unknown> = {};

  if (value.observations !== undefined) {
    codes.observations = codeList(value.observations, at('observations'), ['loinc']);
    if (value.maxAgeDays !== undefined) {
      const days = value.maxAgeDays;
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 36_500)
        throw new ModelError(at('maxAgeDays'), 'must be a whole number of days, 1 to 36500');
      codes.maxAgeDays = days;
    }
  } else {
    refuse('maxAgeDays', 'applies to observations only');
  }

  if (field.kind === 'number') {
    if (value.conditions !== undefined || value.patient === 'gender')
      throw new ModelError(path, 'a number field is read from observations or the birth date');
    refuse('answers', 'a number field takes an observation’s quantity, not coded answers');
    refuse('history', 'applies to conditions only');
    codes.ucum = parseUcum(value.ucum, field.units, at('ucum'));
    if (value.molarMass !== undefined) {
      const mass = value.molarMass;
      if (typeof mass !== 'number' || !Number.isFinite(mass) || mass <= 0)
        throw new ModelError(at('molarMass'), 'must be a number of g/mol above 0');
      if (value.observations === undefined)
        throw new ModelError(at('molarMass'), 'applies to observations only');
      codes.molarMass = mass;
    }
  } else {
    refuse('ucum', 'applies to number fields only');
    refuse('molarMass', 'applies to number fields only');
  }

  if (value.patient !== undefined) {
    const wanted = field.kind === 'number' ? 'birthDate' : field.kind === 'choice' ? 'gender' : undefined;
    if (value.patient !== wanted)
      throw new ModelError(
        at('patient'),
        'must be "birthDate" for a number field (an age) or "gender" for a choice field (a sex)',
      );
    if (field.kind === 'choice') {
      const values = field.options.map((o) => o.value);
      if (!values.includes('female') || !values.includes('male'))
        throw new ModelError(at('patient'), 'gender fills a choice with the options female and male');
    }
    codes.patient = value.patient;
  }

  if (value.conditions !== undefined) {
    if (field.kind !== 'boolean')
      throw new ModelError(at('conditions'), 'a condition answers a yes/no field only');
    codes.conditions = codeList(value.conditions, at('conditions'), ['snomed', 'icd10']);
    if (value.history !== undefined) {
      if (typeof value.history !== 'boolean') throw new ModelError(at('history'), 'must be true or false');
      codes.history = value.history;
    }
  } else {
    refuse('history', 'applies to conditions only');
  }

  if (value.observations !== undefined && (field.kind === 'boolean' || field.kind === 'choice')) {
    const answers = value.answers;
    const keys = field.kind === 'boolean' ? ['yes', 'no'] : field.options.map((o) => o.value);
    if (!isRecord(answers))
      throw new ModelError(at('answers'), `must map ${keys.join(', ')} to the answer codes that mean it`);
    const wrong = Object.keys(answers).find((k) => !keys.includes(k));
    if (wrong !== undefined)
      throw new ModelError(at(`answers.${wrong}`), `must be one of ${keys.join(', ')}`);
    const parsed = Object.fromEntries(
      Object.entries(answers).map(([k, list]) => [k, codeList(list, at(`answers.${k}`), ['snomed'])]),
    );
    const all = Object.values(parsed).flat();
    const twice = all.find((c, i) => all.indexOf(c) !== i);
    if (twice) throw new ModelError(at('answers'), `gives ${twice} two meanings`);
    codes.answers = parsed;
  } else {
    refuse('answers', 'applies to yes/no and choice fields read from observations');
  }
  if (field.kind === 'date' || field.kind === 'series')
    throw new ModelError(path, `a ${field.kind} field is not filled from a record`);
  return codes as FieldCodes;
}

function parseUcum(value: unknown, units: readonly { readonly id: string }[], path: string) {
  if (!isRecord(value))
    throw new ModelError(
      path,
      'must give the UCUM code of each of the field’s units, e.g. {"lb": "[lb_av]"}',
    );
  const ids = units.map((u) => u.id);
  const wrong = Object.keys(value).find((k) => !ids.includes(k));
  if (wrong !== undefined) throw new ModelError(`${path}.${wrong}`, 'is not a unit of this field');
  const missing = ids.find((id) => value[id] === undefined);
  if (missing !== undefined) throw new ModelError(`${path}.${missing}`, 'is missing: give its UCUM code');
  for (const id of ids) {
    const code = value[id];
    if (typeof code !== 'string' || !UCUM_TEXT.test(code))
      throw new ModelError(`${path}.${id}`, 'must be a UCUM code (printable ASCII, no spaces)');
  }
  return value as Record<string, string>;
}

/** Whether a record's coding (`system` URI, `code`) is one of `codes` (`system:code`). */
export function codingMatches(codes: readonly string[], system: unknown, code: unknown): boolean {
  if (typeof system !== 'string' || typeof code !== 'string') return false;
  const named = (Object.keys(CODE_SYSTEM_URIS) as CodeSystem[]).find((s) =>
    CODE_SYSTEM_URIS[s].includes(system),
  );
  if (!named) return false;
  return codes.some((listed) => {
    const [listedSystem, listedCode] = [
      listed.slice(0, listed.indexOf(':')),
      listed.slice(listed.indexOf(':') + 1),
    ];
    if (listedSystem !== named) return false;
    // ICD-10 is a hierarchy written in the code: E11 (type 2 diabetes) takes in E11.9 and E119.
    if (named === 'icd10') return code.replace('.', '').toUpperCase().startsWith(listedCode.replace('.', ''));
    return code === listedCode;
  });
}

/**
 * A computation whose fields carry `codes` (by field name), checked: for the model files the app
 * ships, whose codes ship with the app rather than in the file (docs/FHIR.md says why).
 */
export function withFieldCodes(
  computation: Computation,
  byField: Readonly<Record<string, FieldCodes>>,
): Computation {
  const unknown = Object.keys(byField).find((name) => !computation.fields.some((f) => f.name === name));
  if (unknown !== undefined) throw new TypeError(`${computation.id} has no field ${unknown}.`);
  const fields = computation.fields.map((field) => {
    const codes = byField[field.name];
    if (codes === undefined || field.kind === 'date' || field.kind === 'series') return field;
    return { ...field, codes: parseFieldCodes(codes, field, `${computation.id}.fields.${field.name}.codes`) };
  });
  return { ...computation, fields };
}
