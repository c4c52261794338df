/**
 * One patient's contribution to a study (docs/STUDIES.md, "Contributions"): every slot of the study's
 * layout encrypted under the joint key, and every proof the layout lists, all bound to one context —
 * the study file, the token the contribution spends, and all of its ciphertexts — so that no proof can
 * be moved to another study, another token or another contribution.
 *
 * The patient's browser builds it (`buildContribution`); the service and any verifier turn it into
 * claims (`contributionClaims`) and check many contributions' claims in one batch
 * (`crypto/batch.ts`, `verifyBatch`).
 */

import { sha256 } from '@noble/hashes/sha2.js';
import canonicalize from 'canonicalize';
import { ProtocolError } from '../errors.js';
import type { Group } from '../groups/group.js';
import { concatBytes, item } from '../proofs/bytes.js';
import { isRecord } from '../records.js';
import {
  bitProofEquations,
  bytesFromWire,
  bytesToWire,
  type Ciphertext,
  type Claim,
  ciphertextFromWire,
  ciphertextToBytes,
  ciphertextToWire,
  claim,
  combineCiphertexts,
  combineOpenings,
  encrypt,
  multiplyCiphertext,
  type Opening,
  oneHotProofEquations,
  productProofEquations,
  proveBit,
  proveOneHot,
  proveProduct,
  proveRange,
  rangeProofEquations,
  type ScalarSource,
  systemScalars,
} from './crypto/index.js';
import { mod } from './crypto/scalars.js';
import { type Answers, plaintextSlots, type SlotProof, type StudyLayout } from './layout.js';
import type { Study } from './study-file.js';

/** The wire form (JSON): elements and proofs as unpadded base64url, in the layout's order. */
export interface ContributionWire {
  readonly study: string;
  /** The Privacy Pass token it spends (shared/studies/tokens/). */
  readonly token: string;
  /** One ciphertext per layout slot: A ‖ B, 64 bytes. */
  readonly slots: readonly string[];
  /** One proof per entry of the layout's `proofs`. */
  readonly proofs: readonly string[];
}

/** What a contribution is about: the study as published, its layout and its joint key. */
export interface StudyStatement<E> {
  readonly study: Study;
  readonly layout: StudyLayout;
  /** SHA-256 of the study file's JCS (RFC 8785) canonical JSON: `studyDigest`. */
  readonly digest: Uint8Array;
  readonly jointKey: E;
}

const CONTEXT_LABEL = 'sealed-vitals/study/v1/contribution';

/** SHA-256 of the study file's canonical JSON (RFC 8785), as published: what every proof is bound to. */
export function studyDigest(file: unknown): Uint8Array {
  const text = canonicalize(file);
  if (text === undefined) throw new TypeError('A study file is a JSON object.');
  return sha256(new TextEncoder().encode(text));
}

/**
 * The context every proof of a contribution is made in:
 * item(label) ‖ item(study digest) ‖ item(SHA-256(token)) ‖ item(slot₀ ‖ … ‖ slotₙ₋₁).
 */
export function contributionContext(
  digest: Uint8Array,
  token: Uint8Array,
  slots: readonly Uint8Array[],
): Uint8Array {
  return concatBytes([item(CONTEXT_LABEL), item(digest), item(sha256(token)), item(concatBytes(slots))]);
}

/**
 * Encrypts the answers slot by slot and proves each slot as the layout says. The answers are checked
 * (`plaintextSlots` names a bad one); the token is the one this contribution will spend.
 */
export function buildContribution<E>(
  group: Group<E>,
  statement: StudyStatement<E>,
  answers: Answers,
  token: Uint8Array,
  scalars: ScalarSource = systemScalars,
): ContributionWire {
  const { study, layout, jointKey } = statement;
  const values = plaintextSlots(study, answers);
  const products = new Map(
    layout.proofs.flatMap((p) => (p.kind === 'product' ? [[p.slot, p] as const] : [])),
  );
  const ciphertexts: Ciphertext<E>[] = [];
  const openings: Opening[] = [];
  // Product slots are made from their operands (x·Y + Enc(0; t)), which come before them.
  const productSecrets = new Map<number, bigint>();
  for (const slot of layout.slots) {
    const product = products.get(slot.index);
    if (product === undefined) {
      const { ciphertext, opening } = encrypt(group, jointKey, at(values, slot.index), scalars);
      ciphertexts.push(ciphertext);
      openings.push(opening);
      continue;
    }
    const x = at(openings, product.left);
    const y = at(ciphertexts, product.right);
    const yOpening = at(openings, product.right);
    const { z, t } = multiplyCiphertext(group, jointKey, x.value, y, scalars);
    ciphertexts.push(z);
    // Z's opening: x·y, with randomness x·r_Y + t.
    openings.push({ value: x.value * yOpening.value, randomness: mod(x.value * yOpening.randomness + t) });
    productSecrets.set(slot.index, t);
  }
  const slotBytes = ciphertexts.map((c) => ciphertextToBytes(group, c));
  const context = contributionContext(statement.digest, token, slotBytes);
  function prove(proof: SlotProof): Uint8Array {
    switch (proof.kind) {
      case 'range':
        return proveRange(
          group,
          jointKey,
          at(ciphertexts, proof.slot),
          at(openings, proof.slot),
          proof.max,
          context,
          scalars,
        );
      case 'bit':
        return proveBit(
          group,
          jointKey,
          at(ciphertexts, proof.slot),
          at(openings, proof.slot),
          context,
          scalars,
        );
      case 'one-hot':
        return proveOneHot(
          group,
          jointKey,
          proof.slots.map((s) => at(ciphertexts, s)),
          proof.slots.map((s) => at(openings, s)),
          context,
          scalars,
        );
      case 'product':
        return proveProduct(
          group,
          jointKey,
          productStatement(ciphertexts, proof),
          { x: at(openings, proof.left), t: productSecret(productSecrets, proof.slot) },
          context,
          scalars,
        );
      case 'derived-range': {
        const terms = proof.terms.map(
          ({ slot, coefficient }) => [at(ciphertexts, slot), coefficient] as const,
        );
        const openingTerms = proof.terms.map(
          ({ slot, coefficient }) => [at(openings, slot), coefficient] as const,
        );
        return proveRange(
          group,
          jointKey,
          combineCiphertexts(group, terms),
          combineOpenings(openingTerms),
          proof.max,
          context,
          scalars,
        );
      }
    }
  }
  const proofs = layout.proofs.map(prove);
  return {
    study: study.id,
    token: bytesToWire(token),
    slots: ciphertexts.map((c) => ciphertextToWire(group, c)),
    proofs: proofs.map(bytesToWire),
  };
}

/** A contribution as parsed from the wire: its elements checked, not yet its proofs. */
export interface ParsedContribution<E> {
  readonly token: Uint8Array;
  readonly slots: readonly Ciphertext<E>[];
  readonly proofs: readonly Uint8Array[];
  readonly context: Uint8Array;
}

/**
 * Parses an untrusted contribution for this study: the members, the number of slots and proofs, every
 * element. Throws `ProtocolError` naming what is wrong. (The token is checked by its own verifier.)
 */
export function parseContribution<E>(
  group: Group<E>,
  statement: StudyStatement<E>,
  value: unknown,
): ParsedContribution<E> {
  const { study, layout } = statement;
  if (!isRecord(value)) throw invalid('a contribution is a JSON object');
  const unknown = Object.keys(value).filter((k) => !['study', 'token', 'slots', 'proofs'].includes(k));
  if (unknown.length > 0) throw invalid(`unknown member ${JSON.stringify(unknown[0])}`);
  if (value.study !== study.id) throw invalid(`study must be "${study.id}"`);
  const token = bytesFromWire(value.token, 'token');
  const { slots, proofs } = value;
  if (!Array.isArray(slots) || slots.length !== layout.slots.length)
    throw invalid(`slots must be an array of ${layout.slots.length} ciphertexts`);
  if (!Array.isArray(proofs) || proofs.length !== layout.proofs.length)
    throw invalid(`proofs must be an array of ${layout.proofs.length} proofs`);
  const ciphertexts = slots.map((text, i) =>
    ciphertextFromWire(group, text, `slots[${i}] (${at(layout.slots, i).name})`),
  );
  const proofBytes = proofs.map((text, i) => bytesFromWire(text, `proofs[${i}]`));
  const context = contributionContext(
    statement.digest,
    token,
    ciphertexts.map((c) => ciphertextToBytes(group, c)),
  );
  return { token, slots: ciphertexts, proofs: proofBytes, context };
}

/** The claims of one parsed contribution: one per proof, named `<name>: proofs[i] (<kind>)`. */
export function contributionClaims<E>(
  group: Group<E>,
  statement: StudyStatement<E>,
  contribution: ParsedContribution<E>,
  name: string,
): Claim<E>[] {
  const { layout, jointKey } = statement;
  const { slots, proofs, context } = contribution;
  return layout.proofs.map((proof, i) =>
    claim(`${name}: proofs[${i}] (${describe(layout, proof)})`, () => {
      const bytes = at(proofs, i);
      switch (proof.kind) {
        case 'range':
          return rangeProofEquations(group, jointKey, at(slots, proof.slot), proof.max, bytes, context);
        case 'bit':
          return bitProofEquations(group, jointKey, at(slots, proof.slot), bytes, context);
        case 'one-hot':
          return oneHotProofEquations(
            group,
            jointKey,
            proof.slots.map((s) => at(slots, s)),
            bytes,
            context,
          );
        case 'product':
          return productProofEquations(group, jointKey, productStatement(slots, proof), bytes, context);
        case 'derived-range': {
          const terms = proof.terms.map(({ slot, coefficient }) => [at(slots, slot), coefficient] as const);
          return rangeProofEquations(
            group,
            jointKey,
            combineCiphertexts(group, terms),
            proof.max,
            bytes,
            context,
          );
        }
      }
    }),
  );
}

function productSecret(secrets: ReadonlyMap<number, bigint>, slot: number): bigint {
  const t = secrets.get(slot);
  if (t === undefined) throw new RangeError(`Slot ${slot} was not made as a product.`);
  return t;
}

function productStatement<E>(
  ciphertexts: readonly Ciphertext<E>[],
  proof: Extract<SlotProof, { kind: 'product' }>,
) {
  return { x: at(ciphertexts, proof.left), y: at(ciphertexts, proof.right), z: at(ciphertexts, proof.slot) };
}

function describe(layout: StudyLayout, proof: SlotProof): string {
  switch (proof.kind) {
    case 'range':
    case 'bit':
    case 'product':
      return `${proof.kind} of ${at(layout.slots, proof.slot).name}`;
    case 'one-hot':
      return `one-hot of ${proof.slots.map((s) => at(layout.slots, s).name).join(', ')}`;
    case 'derived-range':
      return `range of ${proof.about}`;
  }
}

function invalid(why: string): ProtocolError {
  return new ProtocolError('validation-failed', `The contribution is not valid: ${why}.`);
}

function at<T>(list: readonly T[], index: number): T {
  const value = list[index];
  if (value === undefined) throw new RangeError(`No entry ${index} in the layout.`);
  return value;
}
