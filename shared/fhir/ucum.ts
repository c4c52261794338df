/**
 * The UnitConverter over `@lhncbc/ucum-lhc`, the National Library of Medicine's UCUM implementation
 * (the units FHIR quantities are written in). Its tables are large: import this module dynamically.
 */

import ucum from '@lhncbc/ucum-lhc';
import type { UnitConverter } from './units.js';

export function ucumConverter(): UnitConverter {
  const utils = ucum.UcumLhcUtils.getInstance();
  return {
    isValid(unit) {
      return utils.validateUnitString(unit).status === 'valid';
    },
    convert(value, from, to, molarMass) {
      const result = utils.convertUnitTo(
        from,
        value,
        to,
        molarMass === undefined ? {} : { molecularWeight: molarMass },
      );
      return result.status === 'succeeded' &&
        typeof result.toVal === 'number' &&
        Number.isFinite(result.toVal)
        ? result.toVal
        : undefined;
    },
  };
}
