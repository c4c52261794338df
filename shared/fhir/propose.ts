/**
 * From a health record's resources to the values it proposes for a form's fields, as a clinician
 * would read the record: for each coded field the latest observation whose status is final, amended
 * or corrected (a component of a panel counts as an observation of its own code), converted through
 * UCUM into a unit the field offers (kept in its own unit where the field has it), the age from the
 * birth date, the sex from the administrative gender, yes/no from the conditions. Pure: the same
 * resources, fields and day give the same proposals; a SMART launch can hand it what it fetched.
 * A value that cannot be read safely (no unit, a unit that does not convert) throws
 * `HealthRecordError` naming it, so nothing is filled from a record read wrongly.
 */

import type { Field, FieldValue } from '../computations/computation.js';
import { isRecord } from '../records.js';
import { ageOn, calendarDay } from './age.js';
import { codingMatches, type FieldCodes } from './codes.js';
import { type FhirResource, HealthRecordError } from './record.js';
import type { UnitConverter } from './units.js';

export interface ImportContext {
  /** Now, on this device: ages are taken on its calendar day, staleness counted to it. */
  readonly now: Date;
  readonly units: UnitConverter;
}

/** Where a proposed value comes from, to be shown before anything is filled. */
export interface ValueSource {
  /** e.g. "Observation/chol-2" */
  readonly resource: string;
  /** e.g. "Cholesterol [Mass/volume] in Serum or Plasma (LOINC 2093-3)" */
  readonly what: string;
  /** The date the record gives the value, as written there (absent for a birth date or gender). */
  readonly date?: string;
  /** The value as recorded, e.g. "5.2 mmol/L" */
  readonly recorded: string;
}

export interface FieldProposal {
  readonly field: string;
  readonly label: string;
  /** What would be filled; absent when the record gives nothing usable for this field (see `note`). */
  readonly value?: FieldValue;
  /** The value as the form will show it, e.g. "81.6 kg" or "Yes". */
  readonly shown?: string;
  readonly source?: ValueSource;
  /** Set when the value is older than the field's limit: what to tell the patient. */
  readonly stale?: string;
  /** Anything else the patient should know about this row (what was left out, why nothing). */
  readonly note?: string;
}

type CodedField = Exclude<Field, { kind: 'date' | 'series' }> & { readonly codes: FieldCodes };

const USABLE_STATUSES = ['final', 'amended', 'corrected'];
const UCUM_SYSTEM = 'http://unitsofmeasure.org';
const DAY_MS = 86_400_000;
const FHIR_DATE_TIME = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** The proposals for every field of `fields` that names codes, in the form's order. */
export function proposeFieldValues(
  resources: readonly FhirResource[],
  fields: readonly Field[],
  context: ImportContext,
): readonly FieldProposal[] {
  const coded = fields.filter(
    (f): f is CodedField => f.kind !== 'date' && f.kind !== 'series' && f.codes !== undefined,
  );
  return coded.map((field) => {
    const { codes } = field;
    if (codes.patient === 'birthDate') return ageProposal(field, resources, context);
    if (codes.patient === 'gender') return genderProposal(field, resources);
    if (codes.conditions)
      return conditionProposal(field, codes.conditions, codes.history === true, resources);
    return observationProposal(field, resources, context);
  });
}

const nothing = (field: CodedField, note: string): FieldProposal => ({
  field: field.name,
  label: field.label,
  note,
});

function patientOf(resources: readonly FhirResource[]): FhirResource | undefined {
  return resources.find((r) => r.resourceType === 'Patient');
}

function reference(resource: FhirResource): string {
  return `${resource.resourceType}/${typeof resource.id === 'string' ? resource.id : '(no id)'}`;
}

function ageProposal(field: CodedField, resources: readonly FhirResource[], context: ImportContext) {
  const patient = patientOf(resources);
  const birthDate = patient?.birthDate;
  if (!patient || typeof birthDate !== 'string') return nothing(field, 'The record gives no birth date.');
  if (field.kind !== 'number') return nothing(field, 'This field is not a number.');
  const years = field.units.find((u) => field.codes.ucum?.[u.id] === 'a');
  if (!years) return nothing(field, 'This field takes no age in years.');
  const age = ageOn(birthDate, calendarDay(context.now));
  if ('invalid' in age) throw new HealthRecordError(`The record's patient: ${age.invalid}.`);
  if ('between' in age)
    return nothing(
      field,
      `The birth date ${birthDate} does not give the day: you are ${age.between[0]} or ${age.between[1]}. Enter your age yourself.`,
    );
  const source = { resource: reference(patient), what: 'Birth date', recorded: birthDate };
  if (age.years < years.min || age.years > years.max)
    return { ...nothing(field, outOfRange(field.label, `${age.years} years`, years)), source };
  return {
    field: field.name,
    label: field.label,
    value: { value: age.years, unit: years.id },
    shown: `${age.years} ${years.label}`,
    source,
  };
}

function genderProposal(field: CodedField, resources: readonly FhirResource[]): FieldProposal {
  const patient = patientOf(resources);
  const gender = patient?.gender;
  if (!patient || typeof gender !== 'string')
    return nothing(field, 'The record gives no administrative gender.');
  if (field.kind !== 'choice') return nothing(field, 'This field is not a choice.');
  const option = field.options.find((o) => o.value === gender);
  const source = { resource: reference(patient), what: 'Administrative gender', recorded: gender };
  if (!option)
    return {
      ...nothing(field, `The record says “${gender}”, which is not one of this calculator's options.`),
      source,
    };
  return { field: field.name, label: field.label, value: option.value, shown: option.label, source };
}

function codingsOf(concept: unknown): readonly Record<string, unknown>[] {
  return isRecord(concept) && Array.isArray(concept.coding) ? concept.coding.filter(isRecord) : [];
}

function conceptMatches(concept: unknown, codes: readonly string[]): Record<string, unknown> | undefined {
  return codingsOf(concept).find((c) => codingMatches(codes, c.system, c.code));
}

function statusIn(concept: unknown, statuses: readonly string[]): boolean {
  return codingsOf(concept).some((c) => typeof c.code === 'string' && statuses.includes(c.code));
}

function describe(concept: unknown, coding: Record<string, unknown>, system: string): string {
  const text =
    (typeof coding.display === 'string' && coding.display) ||
    (isRecord(concept) && typeof concept.text === 'string' && concept.text) ||
    '';
  const code = `${system} ${String(coding.code)}`;
  return text ? `${text} (${code})` : code;
}

function conditionProposal(
  field: CodedField,
  codes: readonly string[],
  history: boolean,
  resources: readonly FhirResource[],
): FieldProposal {
  const conditions = resources.filter((r) => r.resourceType === 'Condition');
  if (conditions.length === 0) return nothing(field, 'The record lists no conditions: answer this yourself.');
  const standing = conditions.filter((c) => !statusIn(c.verificationStatus, ['refuted', 'entered-in-error']));
  const matching = standing.filter((c) => conceptMatches(c.code, codes));
  // A condition without a clinical status is taken as recorded: active unless it says it abated.
  const counts = (c: FhirResource) =>
    history ||
    (c.clinicalStatus === undefined
      ? c.abatementDateTime === undefined && c.abatementPeriod === undefined && c.abatementAge === undefined
      : statusIn(c.clinicalStatus, ['active', 'recurrence', 'relapse']));
  const found = matching.find(counts);
  if (found) {
    const coding = conceptMatches(found.code, codes) as Record<string, unknown>;
    const system = codingMatches(
      codes.filter((c) => c.startsWith('snomed:')),
      coding.system,
      coding.code,
    )
      ? 'SNOMED CT'
      : 'ICD-10';
    const date = [found.onsetDateTime, found.recordedDate].find((d) => typeof d === 'string') as
      | string
      | undefined;
    const unconfirmed = statusIn(found.verificationStatus, ['unconfirmed', 'provisional', 'differential']);
    return {
      field: field.name,
      label: field.label,
      value: true,
      shown: 'Yes',
      source: {
        resource: reference(found),
        what: describe(found.code, coding, system),
        ...(date ? { date } : {}),
        recorded: history ? 'recorded' : 'active',
      },
      ...(unconfirmed ? { note: 'The record marks this diagnosis as not confirmed.' } : {}),
    };
  }
  const n = conditions.length;
  return {
    field: field.name,
    label: field.label,
    value: false,
    shown: 'No',
    note: `None of the record's ${n} condition${n === 1 ? '' : 's'} is ${history ? 'one of these' : 'an active one of these'}: check this if your record may be incomplete.`,
  };
}

/** An observation's value of `codes`: the observation's own, or a component's (a panel). */
interface Reading {
  readonly observation: FhirResource;
  /** The element holding the value: the observation or one of its components. */
  readonly holder: Record<string, unknown>;
  readonly coding: Record<string, unknown>;
  readonly concept: unknown;
  readonly date?: string;
  readonly time: number;
}

function dateOf(observation: FhirResource): string | undefined {
  const period = isRecord(observation.effectivePeriod) ? observation.effectivePeriod : {};
  const candidates = [
    observation.effectiveDateTime,
    observation.effectiveInstant,
    period.end,
    period.start,
    observation.issued,
  ];
  return candidates.find((d): d is string => typeof d === 'string' && FHIR_DATE_TIME.test(d));
}

function readingsOf(resources: readonly FhirResource[], codes: readonly string[]) {
  const usable: Reading[] = [];
  const skipped = new Map<string, number>();
  for (const observation of resources) {
    if (observation.resourceType !== 'Observation') continue;
    const holders = [observation, ...(Array.isArray(observation.component) ? observation.component : [])];
    for (const holder of holders.filter(isRecord)) {
      const coding = conceptMatches(holder.code, codes);
      if (!coding) continue;
      const status = typeof observation.status === 'string' ? observation.status : 'without a status';
      if (!USABLE_STATUSES.includes(status)) {
        skipped.set(status, (skipped.get(status) ?? 0) + 1);
        continue;
      }
      // A value the record says is absent is no reading.
      if (holder.dataAbsentReason !== undefined) continue;
      const date = dateOf(observation);
      const time = date === undefined ? Number.NEGATIVE_INFINITY : Date.parse(date);
      usable.push({
        observation,
        holder,
        coding,
        concept: holder.code,
        ...(date === undefined ? {} : { date }),
        time: Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time,
      });
    }
  }
  // The latest; of readings at the same time, the first in the file.
  const latest = usable.reduce<Reading | undefined>(
    (best, r) => (!best || r.time > best.time ? r : best),
    undefined,
  );
  const left = [...skipped].map(([status, count]) => `${count} ${status}`).join(', ');
  return {
    latest,
    count: usable.length,
    ...(left ? { skippedNote: `Left out: ${left} (only final, amended or corrected values are used).` } : {}),
  };
}

function observationProposal(field: CodedField, resources: readonly FhirResource[], context: ImportContext) {
  const codes = field.codes.observations ?? [];
  const { latest, count, skippedNote } = readingsOf(resources, codes);
  if (!latest) return nothing(field, skippedNote ?? 'The record has no value for this.');
  const what = describe(latest.concept, latest.coding, 'LOINC');
  const where = `${reference(latest.observation)}${latest.date ? `, ${latest.date}` : ''}`;
  const older = count > 1 ? `The latest of ${count} values.` : undefined;
  const notes = [older, skippedNote].filter(Boolean).join(' ');
  const stale = staleness(latest, field.codes.maxAgeDays, context.now);
  const common = {
    field: field.name,
    label: field.label,
    ...(stale ? { stale } : {}),
    ...(notes ? { note: notes } : {}),
  };
  if (field.kind === 'number') {
    const quantity = readQuantity(field, latest.holder, where, context.units);
    const source = {
      resource: reference(latest.observation),
      what,
      ...(latest.date ? { date: latest.date } : {}),
      recorded: quantity.recorded,
    };
    const converted = intoFieldUnit(field, quantity, where, context.units);
    const unit = field.units.find((u) => u.id === converted.unit) as (typeof field.units)[number];
    const value = onStep(converted.value, unit.step);
    const shown = `${value.toFixed(decimalsOf(unit.step))} ${unit.label}`;
    if (value < unit.min || value > unit.max)
      return { ...common, source, note: outOfRange(field.label, shown, unit) };
    return { ...common, value: { value, unit: unit.id }, shown, source };
  }
  // A yes/no or choice answer coded in the observation's value.
  const answers = field.codes.answers ?? {};
  const answer = codingsOf(latest.holder.valueCodeableConcept).find((c) =>
    Object.values(answers).some((list) => codingMatches(list, c.system, c.code)),
  );
  const recordedAnswer = answer
    ? describe(latest.holder.valueCodeableConcept, answer, 'SNOMED CT')
    : answerText(latest.holder.valueCodeableConcept);
  const source = {
    resource: reference(latest.observation),
    what,
    ...(latest.date ? { date: latest.date } : {}),
    recorded: recordedAnswer,
  };
  const key =
    answer && Object.keys(answers).find((k) => codingMatches(answers[k] ?? [], answer.system, answer.code));
  if (key === undefined)
    return {
      ...common,
      source,
      note: `The record's latest answer (${recordedAnswer}) does not say: answer this yourself.`,
    };
  if (field.kind === 'boolean')
    return { ...common, value: key === 'yes', shown: key === 'yes' ? 'Yes' : 'No', source };
  const option = field.options.find((o) => o.value === key);
  return { ...common, value: key, shown: option?.label ?? key, source };
}

function answerText(concept: unknown): string {
  if (isRecord(concept) && typeof concept.text === 'string') return concept.text;
  const coding = codingsOf(concept)[0];
  return coding ? `${String(coding.display ?? '')} ${String(coding.code ?? '')}`.trim() : 'no coded answer';
}

function staleness(reading: Reading, maxAgeDays: number | undefined, now: Date): string | undefined {
  if (reading.date === undefined) return 'The record gives no date for this value.';
  if (maxAgeDays === undefined) return undefined;
  const days = Math.floor((now.getTime() - reading.time) / DAY_MS);
  if (days <= maxAgeDays) return undefined;
  return `From ${reading.date.slice(0, 10)}, more than ${describeDays(maxAgeDays)} ago: measure it again if you can.`;
}

function describeDays(days: number): string {
  if (days % 365 === 0) return days === 365 ? 'a year' : `${days / 365} years`;
  if (days % 30 === 0) return days === 30 ? 'a month' : `${days / 30} months`;
  return `${days} days`;
}

interface RecordedQuantity {
  readonly value: number;
  /** Its UCUM code. */
  readonly ucum: string;
  readonly recorded: string;
}

function readQuantity(
  field: Extract<CodedField, { kind: 'number' }>,
  holder: Record<string, unknown>,
  where: string,
  units: UnitConverter,
): RecordedQuantity {
  const quantity = holder.valueQuantity;
  if (!isRecord(quantity) || typeof quantity.value !== 'number' || !Number.isFinite(quantity.value))
    throw new HealthRecordError(`${field.label} in ${where} has no number as its value.`);
  const { value } = quantity;
  const written = [quantity.unit, quantity.code].find((u) => typeof u === 'string' && u !== '') as
    | string
    | undefined;
  if (quantity.comparator !== undefined)
    throw new HealthRecordError(
      `${field.label} in ${where} is recorded as ${String(quantity.comparator)} ${value}${written ? ` ${written}` : ''}, not as one value.`,
    );
  const systemOk = quantity.system === undefined || quantity.system === UCUM_SYSTEM;
  const code =
    systemOk && typeof quantity.code === 'string' && quantity.code !== '' ? quantity.code : undefined;
  const ucum =
    code ?? (typeof quantity.unit === 'string' && quantity.unit !== '' ? quantity.unit : undefined);
  if (ucum === undefined)
    throw new HealthRecordError(
      `${field.label} ${value} in ${where} has no unit, so it cannot be read safely.`,
    );
  if (!units.isValid(ucum))
    throw new HealthRecordError(
      `${field.label} ${value} ${written ?? ucum} in ${where}: “${ucum}” is not a UCUM unit, so it cannot be converted safely.`,
    );
  return { value, ucum, recorded: `${value} ${written ?? ucum}` };
}

/** The record's value in a unit the field offers: its own where the field has it, else converted. */
function intoFieldUnit(
  field: Extract<CodedField, { kind: 'number' }>,
  quantity: RecordedQuantity,
  where: string,
  units: UnitConverter,
): { value: number; unit: string } {
  const ucumOf = (id: string) => field.codes.ucum?.[id];
  const same = field.units.find((u) => {
    const code = ucumOf(u.id);
    const factor = code === undefined ? undefined : units.convert(1, quantity.ucum, code);
    return factor !== undefined && Math.abs(factor - 1) < 1e-12;
  });
  if (same) return { value: quantity.value, unit: same.id };
  for (const unit of field.units) {
    const code = ucumOf(unit.id);
    const value =
      code === undefined
        ? undefined
        : units.convert(quantity.value, quantity.ucum, code, field.codes.molarMass);
    if (value !== undefined) return { value, unit: unit.id };
  }
  throw new HealthRecordError(
    `${field.label} ${quantity.recorded} in ${where}: this unit does not convert to ${field.units.map((u) => u.label).join(' or ')}.`,
  );
}

function decimalsOf(step: number): number {
  const text = String(step);
  return text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
}

/** The value at the unit's resolution, as the form takes it. */
export function onStep(value: number, step: number): number {
  return Number((Math.round(value / step) * step).toFixed(decimalsOf(step)));
}

function outOfRange(label: string, shown: string, unit: { min: number; max: number; label: string }): string {
  return `The record's ${label.toLowerCase()} (${shown}) is outside what this calculator takes (${unit.min}–${unit.max} ${unit.label}).`;
}
