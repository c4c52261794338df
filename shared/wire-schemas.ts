/**
 * The protocol's JSON bodies as TypeBox schemas (spec: "HTTP API"): the service validates every body
 * with them and they feed its OpenAPI document. The types are taken from them (`Static`), and
 * `wire.ts` hands those on; the web bundle imports only types from here, never the schema library,
 * whose builders run when the module loads and so cannot be left out of a bundle that imports it.
 */

import { type Static, Type } from '@sinclair/typebox';
import { GROUP_NAMES } from './groups/group.js';
import { MAX_INPUTS } from './wire.js';

/** Largest element (ffdhe4096, 512 bytes) in unpadded base64url. */
const MAX_ELEMENT_CHARS = Math.ceil((512 * 4) / 3);

const ElementString = Type.String({ minLength: 1, maxLength: MAX_ELEMENT_CHARS });
const Name = Type.String({ pattern: '^[a-z][a-zA-Z0-9]{0,31}$' });
const strict = { additionalProperties: false } as const;

export const GroupNameSchema = Type.Union(GROUP_NAMES.map((name) => Type.Literal(name)));

export const PublicKeySchema = Type.Object({ group: GroupNameSchema, y: ElementString }, strict);
export type PublicKeyWire = Static<typeof PublicKeySchema>;

export const CiphertextSchema = Type.Object({ a: ElementString, b: ElementString }, strict);
export type CiphertextWire = Static<typeof CiphertextSchema>;

// additionalProperties: names outside the pattern are refused too, not let through unvalidated.
const CiphertextsByName = Type.Record(Name, CiphertextSchema, {
  maxProperties: MAX_INPUTS,
  additionalProperties: false,
});

export const EvaluateRequestSchema = Type.Object(
  { publicKey: PublicKeySchema, inputs: CiphertextsByName },
  strict,
);
export type EvaluateRequest = Static<typeof EvaluateRequestSchema>;

export const EvaluateResponseSchema = Type.Object(
  { computation: Type.String(), version: Type.Integer(), outputs: CiphertextsByName },
  strict,
);
export type EvaluateResponse = Static<typeof EvaluateResponseSchema>;

const IntegerBound = Type.Integer();
export const ComputationSchema = Type.Object(
  {
    id: Type.String(),
    version: Type.Integer({ minimum: 1 }),
    title: Type.String(),
    description: Type.String(),
    group: GroupNameSchema,
    inputs: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          label: Type.String(),
          unit: Type.String(),
          min: IntegerBound,
          max: IntegerBound,
        },
        strict,
      ),
    ),
    outputs: Type.Array(Type.Object({ name: Type.String(), min: IntegerBound, max: IntegerBound }, strict)),
    /** Our extension: public constants needed to interpret the outputs (e.g. Framingham's S0). */
    parameters: Type.Optional(Type.Record(Type.String(), Type.Number())),
  },
  strict,
);
export type ComputationWire = Static<typeof ComputationSchema>;

export const CatalogResponseSchema = Type.Object({ computations: Type.Array(ComputationSchema) }, strict);
export type CatalogResponse = Static<typeof CatalogResponseSchema>;

// ─── v2 (protocol-v2.md): declarations and proofs ──────────────────────────────────────────────

const Coefficients = Type.Record(Name, Type.Integer(), { additionalProperties: false });
const outputsOf = (field: 'weights' | 'exponents') =>
  Type.Record(Name, Type.Object({ [field]: Coefficients, constant: Type.Integer() }, strict), {
    additionalProperties: false,
  });

/** The `evaluation` of a v2 catalog entry; `parseDeclaration` (declaration.ts) checks its rules. */
export const DeclarationSchema = Type.Union([
  Type.Object({ kind: Type.Literal('public-linear'), outputs: outputsOf('weights') }, strict),
  Type.Object({ kind: Type.Literal('private-linear'), commitment: ElementString }, strict),
  Type.Object({ kind: Type.Literal('public-monomial'), outputs: outputsOf('exponents') }, strict),
]);

/**
 * A model file's public part with what the service derived (shared/models/model.ts, docs/MODELS.md),
 * checked by `parseModel`, not by this schema.
 */
export const PublishedModelSchema = Type.Record(Type.String(), Type.Unknown(), {
  description:
    'The public part of a model file (docs/MODELS.md), with the decode range and error bound derived at load',
});

export const ComputationV2Schema = Type.Object(
  {
    ...ComputationSchema.properties,
    evaluation: DeclarationSchema,
    model: Type.Optional(PublishedModelSchema),
    /** Where the entry is in the transparency log (docs/TRANSPARENCY.md): its leaf's index. */
    log: Type.Optional(Type.Object({ index: Type.Integer({ minimum: 0 }) }, strict)),
  },
  strict,
);
export type ComputationV2Wire = Static<typeof ComputationV2Schema>;

export const CatalogResponseV2Schema = Type.Object({ computations: Type.Array(ComputationV2Schema) }, strict);
export type CatalogResponseV2 = Static<typeof CatalogResponseV2Schema>;

/** A Fiat–Shamir proof: its challenge and one response per secret scalar, each in base64url. */
export const ProofSchema = Type.Object(
  { challenge: ElementString, responses: Type.Array(ElementString, { maxItems: 4 * MAX_INPUTS * 8 }) },
  strict,
);
export type ProofWire = Static<typeof ProofSchema>;

export const EvaluateResponseV2Schema = Type.Object(
  { ...EvaluateResponseSchema.properties, proof: ProofSchema },
  strict,
);
export type EvaluateResponseV2 = Static<typeof EvaluateResponseV2Schema>;

export const HealthResponseSchema = Type.Object({ status: Type.Literal('ok') });

/** RFC 9457 problem details, with the protocol's stable `code`. */
export const ProblemSchema = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  code: Type.String(),
});
export type Problem = Static<typeof ProblemSchema>;
