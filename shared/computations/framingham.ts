/**
 * Framingham 2008 general cardiovascular disease, 10-year risk (D'Agostino et al., Circulation 2008),
 * a private model file (models/framingham-2008.model.json) shipped with the app: features on the
 * device (ln age, ln cholesterols, ln systolic pressure treated or not, smoker, diabetes, ×10^4), once
 * per sex with E(0) in the other sex's slots, so the service evaluates both without knowing which
 * counts. The weights stay in the service's private file; the app ships what the service derives from
 * them and publishes (the decode range, the fixed-point error bound) and the commitment W it verifies
 * every answer against (server/model-commitment.test.ts checks they are what the service publishes).
 */

import description from '../../models/framingham-2008.model.json' with { type: 'json' };
import {
  AGE,
  CURRENT_SMOKER,
  DIABETES,
  HDL_CHOLESTEROL,
  SEX,
  SYSTOLIC_PRESSURE,
  TOTAL_CHOLESTEROL,
} from '../fhir/clinical-codes.js';
import { withFieldCodes } from '../fhir/codes.js';
import { parseModel } from '../models/model.js';
import { modelComputation } from '../models/model-computation.js';
import type { Computation } from './computation.js';

export const FRAMINGHAM_PUBLISHED = {
  derived: { linearPredictor: { min: 400_000_000, max: 3_700_000_000 }, error: 0.0014 },
  commitment: '3FdA_5DIMSP662lnrbDAX6Pdi5OR3ktS4LU3eo9qJiE',
} as const;

/**
 * The health-record codes of its fields ship with the app, not in the model file: in the file they
 * would change the logged entry of version 1, and a new version of a private model is a new ρ and W.
 */
export const framingham: Computation = withFieldCodes(
  modelComputation(
    { ...parseModel(description), derived: FRAMINGHAM_PUBLISHED.derived },
    { kind: 'private-linear', commitment: FRAMINGHAM_PUBLISHED.commitment },
  ),
  {
    sex: SEX,
    age: AGE,
    totalCholesterol: TOTAL_CHOLESTEROL,
    hdl: HDL_CHOLESTEROL,
    sbp: SYSTOLIC_PRESSURE,
    smoker: CURRENT_SMOKER,
    diabetes: DIABETES,
  },
);
