/**
 * A history entry as FHIR R4, for a clinician's system (docs/FHIR-EXPORT.md): a risk model's result as a
 * `RiskAssessment`, a measure's (BMI, eGFR, clearance, the readings summary) as an `Observation`; the
 * values the patient entered as contained Observations it points to (`basis`, or `derivedFrom` for an
 * Observation), coded with the fields' own LOINC and UCUM codes (shared/fhir/clinical-codes.ts, a model
 * file's `codes`); the computation as a contained Device (its id, version and fingerprint) and as the
 * `method`; and a `note` saying that the device verified the answer's proof before decrypting it. Pure:
 * the page turns the result into a file, on the device, and sends it nowhere.
 */

import type { Computation, Field, FieldValue, Quantity } from '../../../shared/computations/computation.js';
import { catalogEntryFingerprint, computationFingerprint } from '../../../shared/proofs/fingerprint.js';
import type { HistoryEntry } from './entry.js';

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const ADMINISTRATIVE_GENDER = 'http://hl7.org/fhir/administrative-gender';
const SNOMED = 'http://snomed.info/sct';
/** An identifier that is a URI (here `urn:uuid:` of the history entry): FHIR's own system for that. */
const URI_IDENTIFIER = 'urn:ietf:rfc:3986';
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// The subset of FHIR R4 written here (the tests validate every file against the R4 JSON schema).
export interface Coding {
  readonly system?: string;
  readonly code?: string;
  readonly display?: string;
}
export interface CodeableConcept {
  readonly coding?: readonly Coding[];
  readonly text?: string;
}
export interface FhirQuantity {
  readonly value: number;
  readonly unit?: string;
  readonly system?: string;
  readonly code?: string;
}
export interface Reference {
  readonly reference?: string;
  readonly display?: string;
}
interface Annotation {
  readonly time?: string;
  readonly text: string;
}
interface Narrative {
  readonly status: 'generated';
  readonly div: string;
}
export interface Observation {
  readonly resourceType: 'Observation';
  readonly id?: string;
  readonly text?: Narrative;
  readonly contained?: readonly (Observation | Device)[];
  readonly identifier?: readonly { readonly system: string; readonly value: string }[];
  readonly status: 'final';
  readonly category?: readonly CodeableConcept[];
  readonly code: CodeableConcept;
  readonly subject?: Reference;
  readonly effectiveDateTime?: string;
  readonly effectivePeriod?: { readonly start: string; readonly end: string };
  readonly issued?: string;
  readonly valueQuantity?: FhirQuantity;
  readonly valueCodeableConcept?: CodeableConcept;
  readonly valueBoolean?: boolean;
  readonly valueString?: string;
  readonly interpretation?: readonly CodeableConcept[];
  readonly note?: readonly Annotation[];
  readonly method?: CodeableConcept;
  readonly device?: Reference;
  readonly derivedFrom?: readonly Reference[];
  readonly component?: readonly {
    readonly code: CodeableConcept;
    readonly valueInteger?: number;
  }[];
}
export interface Device {
  readonly resourceType: 'Device';
  readonly id: string;
  readonly identifier?: readonly { readonly type: CodeableConcept; readonly value: string }[];
  readonly deviceName: readonly {
    readonly name: string;
    readonly type: 'user-friendly-name' | 'model-name';
  }[];
  readonly type: CodeableConcept;
  readonly version: readonly { readonly value: string }[];
}
export interface RiskAssessment {
  readonly resourceType: 'RiskAssessment';
  readonly id?: string;
  readonly text?: Narrative;
  readonly contained: readonly (Observation | Device)[];
  readonly identifier?: readonly { readonly system: string; readonly value: string }[];
  readonly status: 'final';
  readonly method: CodeableConcept;
  readonly code?: CodeableConcept;
  readonly subject: Reference;
  readonly occurrenceDateTime: string;
  readonly performer: Reference;
  readonly basis: readonly Reference[];
  readonly prediction: readonly {
    readonly outcome: CodeableConcept;
    readonly probabilityDecimal?: number;
    readonly qualitativeRisk?: CodeableConcept;
    readonly whenRange?: { readonly high: FhirQuantity };
    readonly rationale?: string;
  }[];
  readonly note: readonly Annotation[];
}
export type ResultResource = RiskAssessment | Observation;
export interface Bundle {
  readonly resourceType: 'Bundle';
  readonly type: 'collection';
  readonly timestamp: string;
  readonly entry: readonly { readonly fullUrl?: string; readonly resource: ResultResource }[];
}

export interface FhirExportOptions {
  /**
   * The absolute URL of the service's v2 catalog: the code system of computation ids (`method`), since
   * an id names a computation in the catalog of the service that computed it.
   */
  readonly catalogUrl: string;
  /**
   * Who the result is about. A file leaves it to the receiving system (the default names no one); a
   * result saved to a connected record names the launch's patient (`Patient/<id>`).
   */
  readonly subject?: Reference;
}

/** What LOINC calls the codes written here, and the category a clinician's system files each under. */
const LOINC_CODES: Readonly<Record<string, { display: string; category?: string; substance?: string }>> = {
  '29463-7': { display: 'Body weight', category: 'vital-signs' },
  '3141-9': { display: 'Body weight Measured', category: 'vital-signs' },
  '8302-2': { display: 'Body height', category: 'vital-signs' },
  '39156-5': { display: 'Body mass index (BMI) [Ratio]', category: 'vital-signs' },
  '8480-6': { display: 'Systolic blood pressure', category: 'vital-signs' },
  '8462-4': { display: 'Diastolic blood pressure', category: 'vital-signs' },
  '8867-4': { display: 'Heart rate', category: 'vital-signs' },
  '2093-3': {
    display: 'Cholesterol [Mass/volume] in Serum or Plasma',
    category: 'laboratory',
    substance: '14647-2',
  },
  '14647-2': { display: 'Cholesterol [Moles/volume] in Serum or Plasma', category: 'laboratory' },
  '2085-9': {
    display: 'Cholesterol in HDL [Mass/volume] in Serum or Plasma',
    category: 'laboratory',
    substance: '14646-4',
  },
  '14646-4': { display: 'Cholesterol in HDL [Moles/volume] in Serum or Plasma', category: 'laboratory' },
  '2160-0': {
    display: 'Creatinine [Mass/volume] in Serum or Plasma',
    category: 'laboratory',
    substance: '14682-9',
  },
  '14682-9': { display: 'Creatinine [Moles/volume] in Serum or Plasma', category: 'laboratory' },
  '98979-8': {
    display:
      'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)',
    category: 'laboratory',
  },
  '35591-7': {
    display: 'Creatinine renal clearance predicted by Cockcroft-Gault formula',
    category: 'laboratory',
  },
  '2339-0': { display: 'Glucose [Mass/volume] in Blood', category: 'laboratory' },
  '15074-8': { display: 'Glucose [Moles/volume] in Blood', category: 'laboratory' },
  '41950-7': { display: 'Number of steps in 24 hour Measured', category: 'activity' },
  '72166-2': { display: 'Tobacco smoking status', category: 'social-history' },
};

/** A measure's result: its LOINC code and the UCUM code of the unit it is shown in. */
interface ResultCode {
  readonly loinc?: string;
  readonly text: string;
  readonly ucum?: string;
  readonly unit: string;
}

/**
 * The results that are measures, by computation id. Cockcroft–Gault is coded 35591-7 (predicted by
 * the Cockcroft–Gault formula), not 2164-2, which LOINC defines as clearance measured from 24-hour urine.
 */
const MEASURE_RESULTS: Readonly<Record<string, ResultCode>> = {
  bmi: { loinc: '39156-5', text: 'Body-mass index', ucum: 'kg/m2', unit: 'kg/m²' },
  'ckd-epi-2021': {
    loinc: '98979-8',
    text: 'eGFR (CKD-EPI 2021)',
    ucum: 'mL/min/{1.73_m2}',
    unit: 'mL/min/1.73 m²',
  },
  'cockcroft-gault': {
    loinc: '35591-7',
    text: 'Creatinine clearance (Cockcroft–Gault)',
    ucum: 'mL/min',
    unit: 'mL/min',
  },
};

/** The readings summary's measures (shared/computations/readings-summary.ts `MEASURES`), coded. */
const READING_CODES: Readonly<Record<string, { readonly loinc: string; readonly ucum: string }>> = {
  glucose: { loinc: '2339-0', ucum: 'mg/dL' },
  glucoseMmol: { loinc: '15074-8', ucum: 'mmol/L' },
  systolic: { loinc: '8480-6', ucum: 'mm[Hg]' },
  heartRate: { loinc: '8867-4', ucum: '/min' },
  steps: { loinc: '41950-7', ucum: '/d' },
};

/** What a risk model predicts, by computation id; another model's outcome is its title. */
const RISK_OUTCOMES: Readonly<Record<string, { readonly text: string; readonly years?: number }>> = {
  'framingham-2008': { text: 'Cardiovascular disease (general, Framingham 2008)', years: 10 },
  'prevent-2023': { text: 'Cardiovascular disease (AHA PREVENT)', years: 10 },
  'cha2ds2-vasc': { text: 'Stroke or systemic thromboembolism' },
  'mayo-lung-nodule': { text: 'Malignancy of the pulmonary nodule' },
};

/**
 * A yes/no field read from a coded observation, written back as that observation's answer. Smoking
 * status: a current smoker is SNOMED CT's "Smoker" (how often unknown); "no" stays text, since it does
 * not tell a former smoker from one who never smoked.
 */
const ANSWERS: Readonly<Record<string, { readonly yes: CodeableConcept; readonly no: CodeableConcept }>> = {
  '72166-2': {
    yes: { coding: [{ system: SNOMED, code: '77176002', display: 'Smoker' }], text: 'Current smoker' },
    no: { text: 'Not a current smoker' },
  },
};

const PATIENT: Reference = { display: 'The patient who computed this result (not named in this file)' };
const DEVICE_ID = 'computation';

/** The form of the result: a risk model's (probability or score) or a measure's. */
type ResultKind =
  | { readonly kind: 'probability'; readonly scale: number }
  | { readonly kind: 'score' }
  | { readonly kind: 'measure' };

function resultKind(computation: Computation | undefined): ResultKind {
  const model = computation?.model;
  if (!model) return { kind: 'measure' };
  switch (model.link.kind) {
    case 'cox':
    case 'logistic':
      return { kind: 'probability', scale: model.display.scale };
    case 'score':
      return { kind: 'score' };
    case 'exponential':
      return { kind: 'measure' };
  }
}

/** The number of decimals the result card shows the value with ("26.9 kg/m²" → 1, "8,412 steps" → 0). */
export function shownDecimals(display: string): number {
  return /^-?[\d,]*\.(\d+)/.exec(display)?.[1]?.length ?? 0;
}

function rounded(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

/** The fingerprint of what the answer's proof was verified against (the card shows the same). */
function fingerprintOf(entry: HistoryEntry, computation: Computation | undefined): string | undefined {
  if (entry.sealed.catalogEntry) return catalogEntryFingerprint(entry.sealed.catalogEntry);
  return computation && computation.version === entry.computationVersion
    ? computationFingerprint(computation)
    : undefined;
}

function loincCoding(code: string): Coding {
  const known = LOINC_CODES[code]?.display;
  return { system: LOINC, code, ...(known ? { display: known } : {}) };
}

function categoryOf(loinc: string | undefined): CodeableConcept[] | undefined {
  const category = loinc ? LOINC_CODES[loinc]?.category : undefined;
  return category ? [{ coding: [{ system: OBSERVATION_CATEGORY, code: category }] }] : undefined;
}

function codeFrom(system: string, codes: readonly string[] | undefined): string | undefined {
  const prefix = `${system}:`;
  return codes?.find((code) => code.startsWith(prefix))?.slice(prefix.length);
}

/**
 * The LOINC code for a number field's value in the unit it was entered in: a substance concentration
 * (mmol/L) has its own code, next to the mass concentration (mg/dL) the field names first.
 */
function quantityCode(field: Extract<Field, { kind: 'number' }>, ucum: string | undefined) {
  const first = codeFrom('loinc', field.codes?.observations);
  if (!first) return undefined;
  const substance = LOINC_CODES[first]?.substance;
  return substance && ucum?.includes('mol') ? substance : first;
}

function quantity(value: number, unit: string, ucum: string | undefined): FhirQuantity {
  return { value, unit, ...(ucum ? { system: UCUM, code: ucum } : {}) };
}

function containedId(name: string): string {
  return `input-${name.replace(/[^A-Za-z0-9\-.]/g, '-')}`.slice(0, 64);
}

/** What a yes/no, choice or number field's value says, as a contained Observation (no series, no date). */
function fieldObservation(field: Field, value: FieldValue, id: string): Observation | undefined {
  const base = { resourceType: 'Observation', id, status: 'final' } as const;
  switch (field.kind) {
    case 'number': {
      if (typeof value !== 'object' || Array.isArray(value)) return undefined;
      const entered = value as Quantity;
      const option = field.units.find((unit) => unit.id === entered.unit);
      const ucum = field.codes?.ucum?.[entered.unit];
      const loinc = quantityCode(field, ucum);
      const category = categoryOf(loinc);
      return {
        ...base,
        ...(category ? { category } : {}),
        code: { ...(loinc ? { coding: [loincCoding(loinc)] } : {}), text: field.label },
        valueQuantity: quantity(entered.value, option?.label ?? entered.unit, ucum),
      };
    }
    case 'boolean': {
      if (typeof value !== 'boolean') return undefined;
      const loinc = codeFrom('loinc', field.codes?.observations);
      const answers = loinc ? ANSWERS[loinc] : undefined;
      if (!loinc || !answers) return { ...base, code: { text: field.label }, valueBoolean: value };
      const category = categoryOf(loinc);
      return {
        ...base,
        ...(category ? { category } : {}),
        code: { coding: [loincCoding(loinc)], text: field.label },
        valueCodeableConcept: value ? answers.yes : answers.no,
      };
    }
    case 'choice': {
      if (typeof value !== 'string') return undefined;
      const label = field.options.find((option) => option.value === value)?.label ?? value;
      const gender = field.codes?.patient === 'gender';
      return {
        ...base,
        code: { text: field.label },
        valueCodeableConcept: gender
          ? { coding: [{ system: ADMINISTRATIVE_GENDER, code: value, display: label }], text: label }
          : { text: label },
      };
    }
    case 'date':
    case 'series':
      return undefined;
  }
}

/** The calendar day `offset` days from `day` ("YYYY-MM-DD"), in the same form. */
function dayFrom(day: string, offset: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, (d ?? 1) + offset)).toISOString().slice(0, 10);
}

/** A series field's readings, one contained Observation a day, the last on its `datedBy` day. */
function seriesObservations(
  computation: Computation,
  field: Extract<Field, { kind: 'series' }>,
): (inputs: HistoryEntry['inputs']) => Observation[] {
  return (inputs) => {
    const readings = inputs[field.name];
    const measure = inputs[field.boundsBy.field];
    if (!Array.isArray(readings) || typeof measure !== 'string') return [];
    const bounds = field.boundsBy.bounds[measure];
    const code = computation.id === 'readings-summary' ? READING_CODES[measure] : undefined;
    const lastDay = field.datedBy ? inputs[field.datedBy] : undefined;
    const category = categoryOf(code?.loinc);
    return (readings as readonly number[]).map((reading, index) => ({
      resourceType: 'Observation',
      id: containedId(`${field.name}-${index + 1}`),
      status: 'final',
      ...(category ? { category } : {}),
      code: {
        ...(code ? { coding: [loincCoding(code.loinc)] } : {}),
        text: bounds?.label ?? field.label,
      },
      ...(typeof lastDay === 'string'
        ? { effectiveDateTime: dayFrom(lastDay, index - (readings.length - 1)) }
        : {}),
      valueQuantity: quantity(reading, bounds?.unit ?? '', code?.ucum),
    }));
  };
}

/** The inputs as entered, as contained Observations: coded where the field has codes, text otherwise. */
function inputObservations(entry: HistoryEntry, computation: Computation | undefined): Observation[] {
  if (!computation) {
    // A computation this version no longer knows: its raw names and values, as text where not a quantity.
    return Object.entries(entry.inputs).map(([name, value]) => {
      const base = {
        resourceType: 'Observation',
        id: containedId(name),
        status: 'final',
        code: { text: name },
      } as const;
      if (typeof value === 'boolean') return { ...base, valueBoolean: value };
      if (typeof value === 'string') return { ...base, valueString: value };
      if (Array.isArray(value)) return { ...base, valueString: value.join(', ') };
      const entered = value as Quantity;
      return { ...base, valueQuantity: quantity(entered.value, entered.unit, undefined) };
    });
  }
  const selectors = new Set(
    computation.fields.flatMap((field) => (field.kind === 'series' ? [field.boundsBy.field] : [])),
  );
  return computation.fields.flatMap((field) => {
    if (field.kind === 'series') return seriesObservations(computation, field)(entry.inputs);
    const value = entry.inputs[field.name];
    if (value === undefined || selectors.has(field.name)) return [];
    const observation = fieldObservation(field, value, containedId(field.name));
    return observation ? [observation] : [];
  });
}

function computationDevice(entry: HistoryEntry, title: string, fingerprint: string | undefined): Device {
  return {
    resourceType: 'Device',
    id: DEVICE_ID,
    ...(fingerprint
      ? {
          identifier: [
            {
              type: {
                text: 'Sealed Vitals computation fingerprint (SHA-256 of its catalog entry, 128 bits)',
              },
              value: fingerprint,
            },
          ],
        }
      : {}),
    deviceName: [
      { name: title, type: 'user-friendly-name' },
      { name: entry.computationId, type: 'model-name' },
    ],
    type: { text: 'Health calculator (software): a computation of Sealed Vitals' },
    version: [{ value: String(entry.computationVersion) }],
  };
}

function methodOf(
  entry: HistoryEntry,
  title: string,
  fingerprint: string | undefined,
  options: FhirExportOptions,
): CodeableConcept {
  return {
    coding: [{ system: options.catalogUrl, code: entry.computationId, display: title }],
    text:
      `${title}, version ${entry.computationVersion}` +
      (fingerprint ? `, fingerprint ${fingerprint}` : '') +
      ', evaluated on encrypted values; its proof verified on the patient’s device',
  };
}

function verificationNote(entry: HistoryEntry, title: string, fingerprint: string | undefined): Annotation {
  return {
    time: entry.computedAt,
    text:
      `Computed with Sealed Vitals on ${entry.computedAt}: the patient’s device encrypted the values entered ` +
      `(contained in this resource) and sent only ciphertexts. The service answered with a proof that its encrypted ` +
      `result is exactly ${title}, version ${entry.computationVersion}` +
      (fingerprint ? ` (fingerprint ${fingerprint})` : '') +
      ', applied to those ciphertexts; the device verified that proof before it decrypted the result. ' +
      'The values are as the patient entered them. General information, not a diagnosis.',
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function narrative(title: string, entry: HistoryEntry): Narrative {
  const summary = `${title}: ${entry.result.display} (${entry.result.category}), computed ${entry.computedAt} on the patient’s device, which verified the result’s proof.`;
  return {
    status: 'generated',
    div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${escapeHtml(summary)}</p></div>`,
  };
}

function identity(entry: HistoryEntry) {
  return {
    ...(FHIR_ID.test(entry.id) ? { id: entry.id } : {}),
    ...(UUID.test(entry.id)
      ? { identifier: [{ system: URI_IDENTIFIER, value: `urn:uuid:${entry.id}` }] }
      : {}),
  };
}

function measureValue(
  entry: HistoryEntry,
  computation: Computation | undefined,
  title: string,
): Pick<
  Observation,
  'code' | 'category' | 'valueQuantity' | 'valueString' | 'effectivePeriod' | 'component'
> {
  const value = rounded(entry.result.value, shownDecimals(entry.result.display));
  const known = MEASURE_RESULTS[entry.computationId];
  if (known) {
    const category = categoryOf(known.loinc);
    return {
      ...(category ? { category } : {}),
      code: { ...(known.loinc ? { coding: [loincCoding(known.loinc)] } : {}), text: known.text },
      valueQuantity: quantity(value, known.unit, known.ucum),
    };
  }
  const series = computation?.fields.find((field) => field.kind === 'series');
  const readings = series ? entry.inputs[series.name] : undefined;
  if (series?.kind === 'series' && Array.isArray(readings)) {
    // A summary of readings: the mean over the days they were taken on, and how many there were.
    const measure = entry.inputs[series.boundsBy.field];
    const bounds = typeof measure === 'string' ? series.boundsBy.bounds[measure] : undefined;
    const code =
      entry.computationId === 'readings-summary' && typeof measure === 'string'
        ? READING_CODES[measure]
        : undefined;
    const lastDay = series.datedBy ? entry.inputs[series.datedBy] : undefined;
    const category = categoryOf(code?.loinc);
    return {
      ...(category ? { category } : {}),
      code: {
        ...(code ? { coding: [loincCoding(code.loinc)] } : {}),
        text: `Mean of ${readings.length} daily readings: ${bounds?.label ?? series.label}`,
      },
      ...(typeof lastDay === 'string'
        ? { effectivePeriod: { start: dayFrom(lastDay, -(readings.length - 1)), end: lastDay } }
        : {}),
      valueQuantity: quantity(value, bounds?.unit ?? '', code?.ucum),
      component: [{ code: { text: 'Number of readings' }, valueInteger: readings.length }],
    };
  }
  // Another model file's measure (an exponential link): its unit is what its display template adds.
  if (computation?.model) {
    const unit = computation.model.display.template.replace('{value}', '').trim();
    return { code: { text: title }, valueQuantity: quantity(value, unit, undefined) };
  }
  return { code: { text: title }, valueString: entry.result.display };
}

function reference(resource: { readonly id?: string }): Reference {
  return { reference: `#${resource.id}` };
}

/** One history entry as a RiskAssessment (a risk model's result) or an Observation (a measure's). */
export function entryToFhir(
  entry: HistoryEntry,
  computation: Computation | undefined,
  options: FhirExportOptions,
): ResultResource {
  const title = computation?.title ?? entry.computationId;
  const fingerprint = fingerprintOf(entry, computation);
  const device = computationDevice(entry, title, fingerprint);
  const inputs = inputObservations(entry, computation);
  const shared = {
    ...identity(entry),
    text: narrative(title, entry),
    contained: [device, ...inputs],
    status: 'final',
    method: methodOf(entry, title, fingerprint, options),
    subject: options.subject ?? PATIENT,
    note: [verificationNote(entry, title, fingerprint)],
  } as const;
  const kind = resultKind(computation);
  if (kind.kind === 'measure') {
    return {
      resourceType: 'Observation',
      ...shared,
      ...measureValue(entry, computation, title),
      effectiveDateTime: entry.computedAt,
      issued: entry.computedAt,
      interpretation: [{ text: entry.result.category }],
      device: reference(device),
      derivedFrom: inputs.map(reference),
    } satisfies Observation;
  }
  const outcome = RISK_OUTCOMES[entry.computationId];
  const decimals = shownDecimals(entry.result.display);
  return {
    resourceType: 'RiskAssessment',
    ...shared,
    code: { text: title },
    occurrenceDateTime: entry.computedAt,
    performer: reference(device),
    basis: inputs.map(reference),
    prediction: [
      {
        outcome: { text: outcome?.text ?? title },
        // FHIR R4 writes a probability as a percentage (RiskAssessment.prediction.probability[x], ras-2).
        ...(kind.kind === 'probability'
          ? {
              probabilityDecimal: rounded(
                (entry.result.value * 100) / kind.scale,
                kind.scale === 100 ? decimals : decimals + 2,
              ),
            }
          : { rationale: `Score ${entry.result.display}` }),
        qualitativeRisk: { text: entry.result.category },
        ...(outcome?.years ? { whenRange: { high: quantity(outcome.years, 'years', 'a') } } : {}),
      },
    ],
  } satisfies RiskAssessment;
}

/** Every entry, oldest first, as a Bundle of type collection (a set of resources, no transaction). */
export function historyToFhirBundle(
  entries: readonly HistoryEntry[],
  computationOf: (entry: HistoryEntry) => Computation | undefined,
  options: FhirExportOptions & { readonly now: Date },
): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    timestamp: options.now.toISOString(),
    entry: entries.map((entry) => ({
      ...(UUID.test(entry.id) ? { fullUrl: `urn:uuid:${entry.id}` } : {}),
      resource: entryToFhir(entry, computationOf(entry), options),
    })),
  };
}
