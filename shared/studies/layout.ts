/**
 * A study's contribution layout (docs/STUDIES.md, "The layout"): the ordered ciphertext slots one
 * contribution carries, what integer each encrypts, and the proof that makes each one honest. Only what
 * the declared statistics need is carried (a square only for a standard deviation, a stratum's copy
 * of a slot only when the study is stratified), because every slot costs a ciphertext and a proof in
 * every contribution the bulletin board keeps.
 *
 * Every slot encrypts a non-negative integer: a number x becomes x·10^precision − min·10^precision
 * ∈ [0, R], so totals decode from [0, contributions·max] and a range proof is always on [0, R].
 */

import {
  type ChoiceMeasure,
  type Measure,
  type NumberMeasure,
  parseStudyFile,
  STUDY_LIMITS,
  type Study,
  StudyError,
  scaled,
  strataMeasure,
} from './study-file.js';

/** What a slot encrypts for one patient (before any stratum factor). */
export type SlotQuantity =
  /** A number: x·10^precision − min·10^precision. */
  | { readonly kind: 'value' }
  /** The square of the same measure's value slot. */
  | { readonly kind: 'square' }
  /** 1 when the number lies in histogram bin `bin`, else 0. */
  | { readonly kind: 'bin'; readonly bin: number }
  /** 1 when the boolean is true. */
  | { readonly kind: 'true' }
  /** 1 when the choice is `option`. */
  | { readonly kind: 'option'; readonly option: string };

export interface Slot {
  readonly index: number;
  /** `systolic.value`, `systolic.square`, `systolic.bin[2]`, `controlled.true`, `adherence.option.never`;
   * a stratum's copy ends in `@ageBand.under50`. */
  readonly name: string;
  readonly measure: string;
  readonly quantity: SlotQuantity;
  /** For a stratum's copy: the stratifying option; it encrypts quantity × [patient is in that stratum]. */
  readonly stratum?: string;
  /** The largest integer one contribution's slot can hold (the smallest is 0). */
  readonly max: bigint;
}

/** Σ coefficient·slot, computed by the verifier from the contribution's ciphertexts. */
export interface LinearTerm {
  readonly slot: number;
  readonly coefficient: bigint;
}

export type SlotProof =
  /** The slot encrypts an integer in [0, max]. */
  | { readonly kind: 'range'; readonly slot: number; readonly max: bigint }
  /** The slot encrypts 0 or 1. */
  | { readonly kind: 'bit'; readonly slot: number }
  /** Exactly one of the slots encrypts 1, the others 0. */
  | { readonly kind: 'one-hot'; readonly slots: readonly number[] }
  /** `slot` encrypts x·y, where `left` encrypts x (a value or a bit) and `right` encrypts y. */
  | { readonly kind: 'product'; readonly slot: number; readonly left: number; readonly right: number }
  /** Σ terms encrypts an integer in [0, max]: no slot of its own; `about` says which bound it proves. */
  | {
      readonly kind: 'derived-range';
      readonly terms: readonly LinearTerm[];
      readonly max: bigint;
      readonly about: string;
    };

export interface StrataLayout {
  readonly measure: string;
  /** The strata, in the stratifying measure's option order. */
  readonly options: readonly string[];
  /** The stratifying measure's own option slots: bits[j] is 1 for a patient in stratum j. */
  readonly bits: readonly number[];
  /**
   * copies[j][b]: the slot holding base slot b × bits[j], for every stratum but the last; −1 where none
   * is carried (the stratifier's own slots, and the last member of a one-hot group, whose stratum total
   * is the stratum's count minus the other members'). The last stratum's totals are the overall totals
   * minus the other strata's: nothing is carried for it.
   */
  readonly copies: readonly (readonly number[])[];
}

export interface StudyLayout {
  readonly slots: readonly Slot[];
  /** Slots 0 … baseCount − 1 are the measures' own; the rest are strata copies. */
  readonly baseCount: number;
  /** In the order a contribution carries them: each slot is the subject of exactly one non-derived proof. */
  readonly proofs: readonly SlotProof[];
  /** Every one-hot group of base slots (histogram bins, choice options). */
  readonly groups: readonly (readonly number[])[];
  readonly strata?: StrataLayout;
  /** measure name → the base slots it owns, in order. */
  readonly byMeasure: ReadonlyMap<string, readonly number[]>;
}

/** Parses a study file and checks that its layout fits in a contribution (`STUDY_LIMITS.maxSlots`). */
export function parseStudy(value: unknown): Study {
  const study = parseStudyFile(value);
  const { slots } = studyLayout(study);
  if (slots.length > STUDY_LIMITS.maxSlots)
    throw new StudyError(
      study.stratifyBy === undefined ? 'measures' : 'stratifyBy',
      `make ${slots.length} ciphertexts per contribution, more than the limit ${STUDY_LIMITS.maxSlots}: ` +
        'release fewer statistics, fewer bins or options, or fewer strata',
    );
  return study;
}

/** R = (max − min)·10^precision: the value slot's range. */
export function rangeSteps(measure: NumberMeasure): bigint {
  return (
    (scaled(measure.max, measure.precision) as bigint) - (scaled(measure.min, measure.precision) as bigint)
  );
}

/** min·10^precision: added to a value slot to give back x·10^precision. */
export function valueOffset(measure: NumberMeasure): bigint {
  return scaled(measure.min, measure.precision) as bigint;
}

/** A bin's bounds as value-slot integers (shifted by the offset). */
export function binBounds(measure: NumberMeasure, bin: number): { lo: bigint; hi: bigint } {
  const b = measure.statistics.histogram?.bins[bin];
  if (b === undefined) throw new RangeError(`${measure.name} has no bin ${bin}`);
  const offset = valueOffset(measure);
  return {
    lo: (scaled(b.from, measure.precision) as bigint) - offset,
    hi: (scaled(b.to, measure.precision) as bigint) - offset,
  };
}

/** Whether a number measure carries its value slot: only its mean and standard deviation need it. */
export function carriesValue(measure: NumberMeasure): boolean {
  return measure.statistics.mean || measure.statistics.sd !== undefined;
}

const layouts = new WeakMap<Study, StudyLayout>();

/** The study's layout (computed once per parsed study). */
export function studyLayout(study: Study): StudyLayout {
  const known = layouts.get(study);
  if (known) return known;
  const layout = buildLayout(study);
  layouts.set(study, layout);
  return layout;
}

function buildLayout(study: Study): StudyLayout {
  const slots: Slot[] = [];
  const proofs: SlotProof[] = [];
  const groups: number[][] = [];
  const byMeasure = new Map<string, number[]>();
  const stratifier = strataMeasure(study);
  const add = (measure: Measure, quantity: SlotQuantity, suffix: string, max: bigint) => {
    const index = slots.length;
    slots.push({ index, name: `${measure.name}.${suffix}`, measure: measure.name, quantity, max });
    byMeasure.get(measure.name)?.push(index);
    return index;
  };
  for (const measure of study.measures) {
    byMeasure.set(measure.name, []);
    if (measure.kind === 'number') {
      const R = rangeSteps(measure);
      const histogram = measure.statistics.histogram;
      const value = carriesValue(measure) ? add(measure, { kind: 'value' }, 'value', R) : undefined;
      // With bins covering [min, max], the bin proofs below bound the value: no range proof of its own.
      if (value !== undefined && histogram === undefined) proofs.push({ kind: 'range', slot: value, max: R });
      if (value !== undefined && measure.statistics.sd !== undefined) {
        const square = add(measure, { kind: 'square' }, 'square', R * R);
        proofs.push({ kind: 'product', slot: square, left: value, right: value });
      }
      if (histogram !== undefined) {
        const bins = histogram.bins.map((_, k) => add(measure, { kind: 'bin', bin: k }, `bin[${k}]`, 1n));
        groups.push(bins);
        proofs.push({ kind: 'one-hot', slots: bins });
        if (value !== undefined) proofs.push(...binProofs(measure, value, bins));
      }
    } else if (measure.kind === 'boolean') {
      if (measure.statistics.proportion !== undefined) {
        proofs.push({ kind: 'bit', slot: add(measure, { kind: 'true' }, 'true', 1n) });
      }
    } else if (measure.statistics.proportion !== undefined || measure === stratifier) {
      const options = measure.options.map((o) =>
        add(measure, { kind: 'option', option: o.value }, `option.${o.value}`, 1n),
      );
      groups.push(options);
      proofs.push({ kind: 'one-hot', slots: options });
    }
  }
  const baseCount = slots.length;
  const strata = stratifier ? addStrataCopies(stratifier, slots, proofs, groups, byMeasure) : undefined;
  return { slots, baseCount, proofs, groups, ...(strata ? { strata } : {}), byMeasure };
}

/**
 * The chosen bin holds the value: V − Σₖ loₖ·Bₖ ∈ [0, W] and Σₖ hiₖ·Bₖ − V ∈ [0, W], W the widest
 * bin. With exactly one Bₖ = 1 these say loₖ ≤ V ≤ hiₖ, and so 0 ≤ V ≤ R as the bins cover [min, max].
 */
function binProofs(measure: NumberMeasure, value: number, bins: readonly number[]): SlotProof[] {
  const bounds = bins.map((_, k) => binBounds(measure, k));
  const widest = largest(bounds.map((b) => b.hi - b.lo));
  const lower: LinearTerm[] = [{ slot: value, coefficient: 1n }];
  const upper: LinearTerm[] = [];
  bins.forEach((slot, k) => {
    const { lo, hi } = bounds[k] as { lo: bigint; hi: bigint };
    if (lo !== 0n) lower.push({ slot, coefficient: -lo });
    if (hi !== 0n) upper.push({ slot, coefficient: hi });
  });
  upper.push({ slot: value, coefficient: -1n });
  return [
    { kind: 'derived-range', terms: lower, max: widest, about: `${measure.name}: value ≥ its bin’s from` },
    { kind: 'derived-range', terms: upper, max: widest, about: `${measure.name}: value ≤ its bin’s to` },
  ];
}

function addStrataCopies(
  stratifier: ChoiceMeasure,
  slots: Slot[],
  proofs: SlotProof[],
  groups: readonly (readonly number[])[],
  byMeasure: Map<string, number[]>,
): StrataLayout {
  const bits = byMeasure.get(stratifier.name) as number[];
  const base = slots.slice();
  const lastOfGroup = new Set(groups.map((g) => g[g.length - 1] as number));
  const copies = stratifier.options.slice(0, -1).map((option, j) =>
    base.map((slot) => {
      if (slot.measure === stratifier.name || lastOfGroup.has(slot.index)) return -1;
      const index = slots.length;
      slots.push({
        ...slot,
        index,
        name: `${slot.name}@${stratifier.name}.${option.value}`,
        stratum: option.value,
      });
      proofs.push({ kind: 'product', slot: index, left: bits[j] as number, right: slot.index });
      return index;
    }),
  );
  return { measure: stratifier.name, options: stratifier.options.map((o) => o.value), bits, copies };
}

/** A patient's answers: a number, a boolean or an option's value per measure name. */
export type Answers = Readonly<Record<string, number | boolean | string>>;

/** An answer the study cannot take; `measure` is the measure's name. */
export class AnswerError extends Error {
  override readonly name = 'AnswerError';
  constructor(
    readonly measure: string,
    readonly why: string,
  ) {
    super(`answers.${measure}: ${why}`);
  }
}

/** The integer each slot encrypts for these answers, in slot order; refuses any answer the study cannot take. */
export function plaintextSlots(study: Study, answers: Answers): bigint[] {
  const layout = studyLayout(study);
  const extra = Object.keys(answers).find((k) => !study.measures.some((m) => m.name === k));
  if (extra !== undefined) throw new AnswerError(extra, 'is not a measure of this study');
  const values = new Map<string, Answer>();
  for (const measure of study.measures) {
    if (!Object.hasOwn(answers, measure.name)) throw new AnswerError(measure.name, 'is missing');
    values.set(measure.name, answerOf(measure, answers[measure.name]));
  }
  const base = layout.slots
    .slice(0, layout.baseCount)
    .map((slot) => slotPlaintext(slot.quantity, values.get(slot.measure) as Answer));
  const result = base.slice();
  const strata = layout.strata;
  if (strata) {
    for (const [j, row] of strata.copies.entries()) {
      const inStratum = base[strata.bits[j] as number] as bigint;
      for (const [b, index] of row.entries()) if (index >= 0) result[index] = inStratum * (base[b] as bigint);
    }
  }
  return result;
}

/** One measure's answer, checked: its value slot's integer and bin, its option, or its truth. */
interface Answer {
  readonly value?: bigint;
  readonly bin?: number;
  readonly option?: string;
  readonly truth?: boolean;
}

function slotPlaintext(quantity: SlotQuantity, answer: Answer): bigint {
  switch (quantity.kind) {
    case 'value':
      return answer.value as bigint;
    case 'square':
      return (answer.value as bigint) ** 2n;
    case 'bin':
      return answer.bin === quantity.bin ? 1n : 0n;
    case 'true':
      return answer.truth ? 1n : 0n;
    case 'option':
      return answer.option === quantity.option ? 1n : 0n;
  }
}

function answerOf(measure: Measure, answer: unknown): Answer {
  switch (measure.kind) {
    case 'boolean':
      if (typeof answer !== 'boolean') throw new AnswerError(measure.name, 'must be true or false');
      return { truth: answer };
    case 'choice':
      if (typeof answer !== 'string' || !measure.options.some((o) => o.value === answer))
        throw new AnswerError(
          measure.name,
          `must be one of the options (${measure.options.map((o) => o.value).join(', ')})`,
        );
      return { option: answer };
    case 'number': {
      if (typeof answer !== 'number' || !Number.isFinite(answer))
        throw new AnswerError(measure.name, 'must be a finite number');
      if (!(answer >= measure.min && answer <= measure.max))
        throw new AnswerError(measure.name, `must be from ${measure.min} to ${measure.max} ${measure.unit}`);
      const integer = scaled(answer, measure.precision);
      if (integer === undefined)
        throw new AnswerError(
          measure.name,
          `must have at most ${measure.precision} decimal${measure.precision === 1 ? '' : 's'}`,
        );
      const value = integer - valueOffset(measure);
      const bins = measure.statistics.histogram?.bins ?? [];
      const bin = bins.findIndex((_, k) => value <= binBounds(measure, k).hi);
      return { value, ...(bin >= 0 ? { bin } : {}) };
    }
  }
}

/** The largest total each slot can reach over `contributions` contributions (each total's least is 0). */
export function slotTotalBounds(study: Study, contributions: number | bigint): bigint[] {
  const n = BigInt(contributions);
  if (n < 0n) throw new RangeError('A negative number of contributions.');
  return studyLayout(study).slots.map((slot) => slot.max * n);
}

/** The largest total any slot can reach: the range a decoder of this study's totals must cover. */
export function slotTotalBound(study: Study, contributions: number | bigint): bigint {
  return largest(slotTotalBounds(study, contributions));
}

function largest(values: readonly bigint[]): bigint {
  let result = 0n;
  for (const v of values) if (v > result) result = v;
  return result;
}
