/**
 * CHA₂DS₂-VASc stroke-risk score in atrial fibrillation (spec: "`cha2ds2-vasc`"), a public model file
 * (server/models/cha2ds2-vasc.model.json) shipped with the app: the service returns E(Σ weight·indicator);
 * age and sex become indicators on the device.
 */

import description from '../../server/models/cha2ds2-vasc.model.json' with { type: 'json' };
import { parseModel } from '../models/model.js';
import { modelComputation, publishModel } from '../models/model-computation.js';
import type { Computation } from './computation.js';

const model = parseModel(description);
if (!model.coefficients) throw new TypeError('cha2ds2-vasc.model.json lost its weights.');

export const cha2ds2Vasc: Computation = modelComputation(publishModel(model, model.coefficients));
