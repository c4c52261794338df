/**
 * What a computation is: declared once here, so the web form, the client's encoding, the service's
 * evaluation and the client's interpretation cannot drift apart (STYLE: one file per computation).
 */

import type { Declaration, DeclaredShape } from '../declaration.js';
import type { Ciphertext } from '../elgamal.js';
import type { FieldCodes } from '../fhir/codes.js';
import type { GroupName } from '../groups/group.js';
import type { PublishedModel } from '../models/model.js';

/** A protocol input: an integer plaintext with its unit and bounds, as the public catalog shows it. */
export interface InputSpec {
  readonly name: string;
  readonly label: string;
  readonly unit: string;
  readonly min: number;
  readonly max: number;
}

/** A protocol output and the bounds every honest result lies in (the client's decode range). */
export interface OutputSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /**
   * An integer where decoding starts looking (default: the middle of the range): a typical result,
   * found sooner. Client side only, never sent on the wire.
   */
  readonly likely?: number;
}

/** One way to type a quantity, with the bounds that keep its encoding inside the protocol range. */
export interface UnitOption {
  readonly id: string;
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly step: number;
  /** The range the underlying model was fitted on: values outside it are accepted with a warning. */
  readonly fitted?: { readonly min: number; readonly max: number };
}

/** Bounds and unit of a series' values, chosen by another field (e.g. which measure the readings are of). */
export interface SeriesBounds {
  readonly label: string;
  readonly unit: string;
  readonly min: number;
  readonly max: number;
  /** The smallest difference between two readings (1, or 0.1 for one decimal); default 1. */
  readonly step?: number;
}

/** What the patient fills in. Fields are not protocol inputs: the client derives inputs from them. */
export type Field =
  | {
      readonly kind: 'number';
      readonly name: string;
      readonly label: string;
      readonly help?: string;
      /** The first unit is the default. */
      readonly units: readonly [UnitOption, ...UnitOption[]];
      /** The health-record codes that feed it (docs/FHIR.md). */
      readonly codes?: FieldCodes;
    }
  | {
      readonly kind: 'boolean';
      readonly name: string;
      readonly label: string;
      readonly help?: string;
      readonly codes?: FieldCodes;
    }
  /** A calendar day (value "YYYY-MM-DD"), today at the latest; it stays on the device. */
  | { readonly kind: 'date'; readonly name: string; readonly label: string; readonly help?: string }
  | {
      readonly kind: 'choice';
      readonly name: string;
      readonly label: string;
      readonly options: readonly { readonly value: string; readonly label: string }[];
      readonly codes?: FieldCodes;
    }
  | {
      /** Up to `maxItems` readings (whole or to their bounds' step), e.g. one a day; they stay on the device. */
      readonly kind: 'series';
      readonly name: string;
      readonly label: string;
      readonly help?: string;
      readonly maxItems: number;
      /** The choice field whose value selects the bounds, and the bounds per choice. */
      readonly boundsBy: { readonly field: string; readonly bounds: Readonly<Record<string, SeriesBounds>> };
      /** The date field holding the last reading's day; the ones before it are one a day earlier. */
      readonly datedBy?: string;
    };

export interface Quantity {
  readonly value: number;
  readonly unit: string;
}
export type FieldValue = Quantity | boolean | string | readonly number[];
export type FormValues = Readonly<Record<string, FieldValue>>;

export type Severity = 'normal' | 'info' | 'warning' | 'danger';

/** A decrypted result in the patient's terms. */
export interface Interpretation {
  /** The number itself, for charts and tests. */
  readonly value: number;
  /** e.g. "24.2 kg/m²" */
  readonly display: string;
  /** e.g. "Normal weight" */
  readonly category: string;
  readonly severity: Severity;
  /** One or two sentences on what the result means, and where it comes from. */
  readonly explanation: string;
  /** The decrypted quantity behind the result, for the technical panel (e.g. "Σβx = 23.8975"). */
  readonly technical?: string;
}

export type Plaintexts = Readonly<Record<string, bigint>>;
export type Ciphertexts<E> = Readonly<Record<string, Ciphertext<E>>>;

/** Homomorphic operations on E(m) in a multiplicative (ffdhe) group. */
export interface MultiplicativeOps<E> {
  multiply(c1: Ciphertext<E>, c2: Ciphertext<E>): Ciphertext<E>;
  power(c: Ciphertext<E>, exponent: bigint): Ciphertext<E>;
  multiplyByConstant(c: Ciphertext<E>, constant: bigint): Ciphertext<E>;
}

/** Homomorphic operations on E(m) in an additive (exponential ElGamal, ristretto255) group. */
export interface AdditiveOps<E> {
  add(c1: Ciphertext<E>, c2: Ciphertext<E>): Ciphertext<E>;
  subtract(c1: Ciphertext<E>, c2: Ciphertext<E>): Ciphertext<E>;
  multiplyByInteger(c: Ciphertext<E>, factor: bigint): Ciphertext<E>;
  addConstant(c: Ciphertext<E>, constant: bigint): Ciphertext<E>;
  /** Σ weight·E(m) over the named inputs. */
  weightedSum(terms: readonly (readonly [Ciphertext<E>, bigint])[]): Ciphertext<E>;
}

/**
 * A computation as the client knows it. What the service computes is `evaluation`, data that the
 * service evaluates from and proves its answer against (spec v2: "Declarations"): there is no
 * evaluation code per computation. A private model's declaration is its commitment; its weights live
 * only in the service's model file (models/).
 */
export interface Computation {
  readonly id: string;
  readonly version: number;
  readonly title: string;
  readonly description: string;
  /** Multiplicative ElGamal over an ffdhe group, or additive over ristretto255. */
  readonly scheme: 'multiplicative' | 'additive';
  readonly group: GroupName;
  readonly inputs: readonly InputSpec[];
  readonly outputs: readonly OutputSpec[];
  readonly fields: readonly Field[];
  readonly evaluation: Declaration;
  /** A model file's public part, for a computation built from one (published in the v2 catalog). */
  readonly model?: PublishedModel;
  /** Public constants a client needs to interpret the outputs (published in the catalog). */
  readonly parameters?: Readonly<Record<string, number>>;
  /**
   * Client side, on the device: turns valid form values into protocol plaintexts.
   * Call `validateForm` first; this assumes every field is present and in range.
   */
  encodeInputs(values: FormValues): Plaintexts;
  /** Client side: what the decrypted outputs mean. May use the form values, which never left the device. */
  interpret(outputs: Plaintexts, values: FormValues): Interpretation;
  /**
   * Client side, on valid form values: a note when they are each in range but unlikely together
   * (40 kg at 250 cm), so the patient checks them; it never blocks computing.
   */
  plausibility?(values: FormValues): string | undefined;
}

/** The names a computation's declaration is read against, in catalog order. */
export function declaredShape(computation: Computation): DeclaredShape {
  return {
    group: computation.group,
    inputs: computation.inputs.map((i) => i.name),
    outputs: computation.outputs.map((o) => o.name),
  };
}

/** The named entry of a record the protocol guarantees complete (the service checks input names first). */
export function named<T>(record: Readonly<Record<string, T>>, name: string): T {
  const value = record[name];
  if (value === undefined) throw new TypeError(`Missing ${name}; the input set was not checked.`);
  return value;
}
