/**
 * Framingham 2008 general cardiovascular disease, 10-year risk (D'Agostino et al., Circulation 2008),
 * a private model file (server/models/framingham-2008.model.json) shipped with the app: features on the
 * device (ln age, ln cholesterols, ln systolic pressure treated or not, smoker, diabetes, ×10^4), once
 * per sex with E(0) in the other sex's slots, so the service evaluates both without knowing which
 * counts. The weights stay in the service's private file; the app ships what the service derives from
 * them and publishes (the decode range, the fixed-point error bound) and the commitment W it verifies
 * every answer against (server/model-commitment.test.ts checks they are what the service publishes).
 */

import description from '../../server/models/framingham-2008.model.json' with { type: 'json' };
import { parseModel } from '../models/model.js';
import { modelComputation } from '../models/model-computation.js';
import type { Computation } from './computation.js';

export const FRAMINGHAM_PUBLISHED = {
  derived: { linearPredictor: { min: 400_000_000, max: 3_700_000_000 }, error: 0.0014 },
  commitment: '3FdA_5DIMSP662lnrbDAX6Pdi5OR3ktS4LU3eo9qJiE',
} as const;

export const framingham: Computation = modelComputation(
  { ...parseModel(description), derived: FRAMINGHAM_PUBLISHED.derived },
  { kind: 'private-linear', commitment: FRAMINGHAM_PUBLISHED.commitment },
);
