/**
 * The codes of the quantities and conditions the shipped calculators ask for, in one table (STYLE:
 * "map codes to fields in one table"): LOINC for observations, SNOMED CT and ICD-10 for conditions,
 * each with the UCUM code of every unit its fields offer. The built-in model files that are not
 * shipped with the app (CKD-EPI 2021, PREVENT) write the same codes as data; a test keeps them equal.
 */

import type { FieldCodes } from './codes.js';

const YEAR = 365;

export const AGE: FieldCodes = { patient: 'birthDate', ucum: { years: 'a' } };
export const SEX: FieldCodes = { patient: 'gender' };

/** Body weight (29463-7), and body weight measured (3141-9). */
export const BODY_WEIGHT: FieldCodes = {
  observations: ['loinc:29463-7', 'loinc:3141-9'],
  ucum: { kg: 'kg', lb: '[lb_av]' },
  maxAgeDays: YEAR,
};

export const BODY_HEIGHT: FieldCodes = {
  observations: ['loinc:8302-2'],
  ucum: { cm: 'cm', in: '[in_i]' },
  maxAgeDays: 5 * YEAR,
};

/** Alone or as a component of a blood-pressure panel (85354-9, 55284-4). */
export const SYSTOLIC_PRESSURE: FieldCodes = {
  observations: ['loinc:8480-6'],
  ucum: { mmHg: 'mm[Hg]' },
  maxAgeDays: YEAR,
};

/** Mass (2093-3) or substance (14647-2) concentration in serum or plasma. */
const CHOLESTEROL = ['loinc:2093-3', 'loinc:14647-2'];
const HDL = ['loinc:2085-9', 'loinc:14646-4'];
/** Cholesterol, C27H46O (HDL is measured as the cholesterol it carries). */
const CHOLESTEROL_G_PER_MOL = 386.65;
const CHOLESTEROL_UNITS = { 'mg/dL': 'mg/dL', 'mmol/L': 'mmol/L' };

export const TOTAL_CHOLESTEROL: FieldCodes = {
  observations: CHOLESTEROL,
  ucum: CHOLESTEROL_UNITS,
  molarMass: CHOLESTEROL_G_PER_MOL,
  maxAgeDays: YEAR,
};

export const HDL_CHOLESTEROL: FieldCodes = {
  observations: HDL,
  ucum: CHOLESTEROL_UNITS,
  molarMass: CHOLESTEROL_G_PER_MOL,
  maxAgeDays: YEAR,
};

/** Creatinine in serum or plasma, mass (2160-0) or substance (14682-9); C4H7N3O. */
export function serumCreatinine(ucum: Readonly<Record<string, string>>): FieldCodes {
  return {
    observations: ['loinc:2160-0', 'loinc:14682-9'],
    ucum,
    molarMass: 113.12,
    maxAgeDays: YEAR,
  };
}

/** Smoking status (72166-2) and the SNOMED CT answers that mean a current smoker, or not. */
export const CURRENT_SMOKER: FieldCodes = {
  observations: ['loinc:72166-2'],
  answers: {
    yes: [
      'snomed:449868002',
      'snomed:428041000124106',
      'snomed:77176002',
      'snomed:428071000124103',
      'snomed:428061000124105',
    ],
    no: ['snomed:8517006', 'snomed:266919005'],
  },
  maxAgeDays: YEAR,
};

export const DIABETES: FieldCodes = {
  conditions: [
    'snomed:73211009',
    'snomed:46635009',
    'snomed:44054006',
    'icd10:E10',
    'icd10:E11',
    'icd10:E13',
  ],
};

export const HYPERTENSION: FieldCodes = {
  conditions: ['snomed:38341003', 'snomed:59621000', 'icd10:I10', 'icd10:I11', 'icd10:I12', 'icd10:I13'],
};

export const HEART_FAILURE: FieldCodes = {
  conditions: ['snomed:84114007', 'snomed:42343007', 'icd10:I50'],
};

/** Stroke, TIA or thromboembolism at any time: a resolved one still counts. */
export const PRIOR_STROKE: FieldCodes = {
  conditions: [
    'snomed:230690007',
    'snomed:432504007',
    'snomed:266257000',
    'icd10:I63',
    'icd10:I64',
    'icd10:G45',
    'icd10:I74',
    'icd10:Z86.73',
  ],
  history: true,
};

/** Prior myocardial infarction, peripheral artery disease or aortic plaque, at any time. */
export const VASCULAR_DISEASE: FieldCodes = {
  conditions: ['snomed:22298006', 'snomed:399957001', 'icd10:I21', 'icd10:I22', 'icd10:I25.2', 'icd10:I70'],
  history: true,
};
