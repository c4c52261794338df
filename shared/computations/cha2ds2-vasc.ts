/**
 * CHA₂DS₂-VASc stroke-risk score in atrial fibrillation (spec: "`cha2ds2-vasc`"), a public model file
 * (models/cha2ds2-vasc.model.json) shipped with the app: the service returns E(Σ weight·indicator);
 * age and sex become indicators on the device.
 */

import description from '../../models/cha2ds2-vasc.model.json' with { type: 'json' };
import {
  AGE,
  DIABETES,
  HEART_FAILURE,
  HYPERTENSION,
  PRIOR_STROKE,
  SEX,
  VASCULAR_DISEASE,
} from '../fhir/clinical-codes.js';
import { withFieldCodes } from '../fhir/codes.js';
import { parseModel } from '../models/model.js';
import { modelComputation, publishModel } from '../models/model-computation.js';
import type { Computation } from './computation.js';

const model = parseModel(description);
if (!model.coefficients) throw new TypeError('cha2ds2-vasc.model.json lost its weights.');

/** Its fields' health-record codes ship with the app, as Framingham's do (framingham.ts says why). */
export const cha2ds2Vasc: Computation = withFieldCodes(
  modelComputation(publishModel(model, model.coefficients)),
  {
    age: AGE,
    sex: SEX,
    chf: HEART_FAILURE,
    hypertension: HYPERTENSION,
    diabetes: DIABETES,
    stroke: PRIOR_STROKE,
    vascular: VASCULAR_DISEASE,
  },
);
