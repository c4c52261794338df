/**
 * Unit conversion as the import needs it, behind an interface so the pure selection code does not
 * load UCUM's tables: `ucum.ts` implements it with the maintained UCUM library, loaded only when a
 * patient picks a file.
 */

export interface UnitConverter {
  /** Whether `unit` is a valid UCUM expression. */
  isValid(unit: string): boolean;
  /**
   * `value` in `from` expressed in `to`; `molarMass` (g/mol) lets mass and substance concentrations
   * convert. Undefined when the units do not convert into each other.
   */
  convert(value: number, from: string, to: string, molarMass?: number): number | undefined;
}
