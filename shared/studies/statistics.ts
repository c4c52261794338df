/**
 * The released statistics (docs/STUDIES.md, "Statistics" and "Suppression"): from the decoded total
 * of every slot and the number of accepted contributions, the figures the study declared, overall and
 * per stratum, with the minimum cohort enforced. Totals stay exact bigints through every sum and product;
 * only the final quotient of each figure becomes a double, so two implementations agree to the last
 * digit or two.
 */

import { type StudyLayout, studyLayout, valueOffset } from './layout.js';
import { normalQuantile, studentTQuantile } from './quantiles.js';
import type { Measure, NumberMeasure, Study } from './study-file.js';

export interface ConfidenceInterval {
  readonly level: number;
  readonly lower: number;
  readonly upper: number;
}

export interface NumberRelease {
  readonly kind: 'number';
  readonly unit: string;
  readonly count?: number;
  readonly mean?: number;
  /** The sample standard deviation (n − 1), and the Student-t interval for the mean. */
  readonly sd?: { readonly value: number; readonly meanInterval: ConfidenceInterval };
  readonly histogram?: readonly { readonly from: number; readonly to: number; readonly count: number }[];
}

export interface ShareRelease {
  readonly option: string;
  readonly count: number;
  readonly proportion: number;
  /** Wilson score interval. */
  readonly interval: ConfidenceInterval;
}

export interface BooleanRelease {
  readonly kind: 'boolean';
  readonly count?: number;
  /** The share of true answers. */
  readonly proportion?: Omit<ShareRelease, 'option'>;
}

export interface ChoiceRelease {
  readonly kind: 'choice';
  readonly count?: number;
  /** One per option, in the options' order. */
  readonly proportions?: readonly ShareRelease[];
}

export type MeasureRelease = NumberRelease | BooleanRelease | ChoiceRelease;

export type SuppressionReason =
  /** Fewer contributions than the minimum cohort. */
  | 'below-minimum-cohort'
  /** Enough contributions, but releasing it would give away a suppressed stratum by subtraction. */
  | 'complementary';

export type CohortRelease =
  | { readonly suppressed: true; readonly reason: SuppressionReason }
  | {
      readonly suppressed: false;
      readonly count: number;
      /** measure name → its figures, in the study's measure order (the stratifier left out per stratum). */
      readonly measures: Readonly<Record<string, MeasureRelease>>;
    };

export interface StudyRelease {
  readonly study: string;
  /** Accepted contributions: always published, whatever is suppressed. */
  readonly contributions: number;
  readonly minimumCohort: number;
  readonly overall: CohortRelease;
  readonly strata?: {
    readonly measure: string;
    readonly groups: readonly ({ readonly stratum: string } & CohortRelease)[];
  };
}

/** Totals that no honest tally of this study can give: the tally or its decryption is wrong. */
export class TotalsError extends Error {
  override readonly name = 'TotalsError';
}

/** The exact totals of one cohort: its count, and the total of every base slot within it. */
interface CohortTotals {
  readonly count: bigint;
  readonly base: readonly bigint[];
}

/**
 * The statistics `study` declares, from `totals` (one decoded total per slot, in layout order) and the
 * number of accepted contributions; throws `TotalsError` when the totals are impossible.
 */
export function releaseStatistics(
  study: Study,
  totals: readonly bigint[],
  contributions: number | bigint,
): StudyRelease {
  const layout = studyLayout(study);
  const n = BigInt(contributions);
  if (n < 0n || n > BigInt(Number.MAX_SAFE_INTEGER))
    throw new TotalsError('Impossible number of contributions.');
  checkTotals(layout, totals, n);
  const overall: CohortTotals = { count: n, base: totals.slice(0, layout.baseCount) };
  const strata = layout.strata ? strataTotals(layout, totals, overall) : undefined;
  const minimum = BigInt(study.minimumCohort);
  const release = (cohort: CohortTotals, skip?: string): CohortRelease => ({
    suppressed: false,
    count: Number(cohort.count),
    measures: Object.fromEntries(
      study.measures
        .filter((m) => m.name !== skip)
        .map((m) => [m.name, measureRelease(m, layout, cohort)] as const),
    ),
  });
  const result: StudyRelease = {
    study: study.id,
    contributions: Number(n),
    minimumCohort: study.minimumCohort,
    overall: n < minimum ? { suppressed: true, reason: 'below-minimum-cohort' } : release(overall),
  };
  if (!layout.strata || !strata) return result;
  const reasons = suppression(
    strata.map((s) => s.count),
    minimum,
  );
  const measure = layout.strata.measure;
  return {
    ...result,
    strata: {
      measure,
      groups: strata.map((cohort, j) => {
        const stratum = layout.strata?.options[j] as string;
        const reason = reasons[j];
        return reason === undefined
          ? { stratum, ...release(cohort, measure) }
          : { stratum, suppressed: true as const, reason };
      }),
    },
  };
}

/**
 * Which strata are suppressed, and why. A stratum below the minimum is; then, as long as the
 * suppressed strata together hold between 1 and minimum − 1 contributions (so that the overall
 * figures minus the released strata's would reveal a group that small), the released stratum with the
 * fewest contributions (the first in order among equals) is suppressed too. When the overall cohort is
 * below the minimum, every stratum is (each is smaller still).
 */
export function suppression(counts: readonly bigint[], minimum: bigint): (SuppressionReason | undefined)[] {
  const reasons: (SuppressionReason | undefined)[] = counts.map((c) =>
    c < minimum ? 'below-minimum-cohort' : undefined,
  );
  for (;;) {
    const hidden = counts.reduce((sum, c, j) => (reasons[j] ? sum + c : sum), 0n);
    if (hidden === 0n || hidden >= minimum) return reasons;
    let smallest = -1;
    counts.forEach((c, j) => {
      if (!reasons[j] && (smallest < 0 || c < (counts[smallest] as bigint))) smallest = j;
    });
    if (smallest < 0) return reasons;
    reasons[smallest] = 'complementary';
  }
}

function checkTotals(layout: StudyLayout, totals: readonly bigint[], n: bigint) {
  if (totals.length !== layout.slots.length)
    throw new TotalsError(`Expected ${layout.slots.length} totals (one per slot), got ${totals.length}.`);
  layout.slots.forEach((slot, i) => {
    const t = totals[i];
    if (typeof t !== 'bigint' || t < 0n || t > slot.max * n)
      throw new TotalsError(`The total of ${slot.name} is outside [0, ${slot.max * n}].`);
  });
  for (const group of layout.groups) {
    const sum = group.reduce((s, i) => s + (totals[i] as bigint), 0n);
    if (sum !== n)
      throw new TotalsError(
        `The totals of ${layout.slots[group[0] as number]?.measure} add up to ${sum}, not ${n}: one answer per contribution.`,
      );
  }
}

/**
 * Every stratum's totals: a carried copy's total; the last member of a one-hot group as the stratum's
 * count minus the other members'; the stratifier's own slots as the count or 0; and the last stratum as
 * the overall totals minus the others'.
 */
function strataTotals(layout: StudyLayout, totals: readonly bigint[], overall: CohortTotals): CohortTotals[] {
  const strata = layout.strata;
  if (!strata) return [];
  const own = new Set(strata.bits);
  const lastOf = new Map(layout.groups.map((g) => [g[g.length - 1] as number, g] as const));
  const cohorts = strata.copies.map((row, j): CohortTotals => {
    const count = totals[strata.bits[j] as number] as bigint;
    const base = row.map((index, b) => {
      if (own.has(b)) return b === strata.bits[j] ? count : 0n;
      return index >= 0 ? (totals[index] as bigint) : -1n;
    });
    for (const [last, group] of lastOf) {
      if (own.has(last)) continue;
      base[last] = count - group.slice(0, -1).reduce((s, i) => s + (base[i] as bigint), 0n);
    }
    return { count, base };
  });
  const remainder = (values: (c: CohortTotals) => bigint, whole: bigint) =>
    cohorts.reduce((rest, c) => rest - values(c), whole);
  cohorts.push({
    count: remainder((c) => c.count, overall.count),
    base: overall.base.map((whole, b) => remainder((c) => c.base[b] as bigint, whole)),
  });
  cohorts.forEach((cohort, j) => {
    cohort.base.forEach((t, b) => {
      const slot = layout.slots[b];
      if (slot && (t < 0n || t > slot.max * cohort.count))
        throw new TotalsError(
          `The total of ${slot.name} in stratum ${strata.options[j]} is impossible (${t}).`,
        );
    });
  });
  return cohorts;
}

function measureRelease(measure: Measure, layout: StudyLayout, cohort: CohortTotals): MeasureRelease {
  const slots = layout.byMeasure.get(measure.name) ?? [];
  const total = (k: number) => cohort.base[slots[k] as number] as bigint;
  const n = cohort.count;
  const count = measure.statistics.count ? { count: Number(n) } : {};
  switch (measure.kind) {
    case 'number':
      return numberRelease(measure, slots, cohort, count);
    case 'boolean': {
      const level = measure.statistics.proportion?.level;
      return {
        kind: 'boolean',
        ...count,
        ...(level === undefined ? {} : { proportion: share(total(0), n, level) }),
      };
    }
    case 'choice': {
      const level = measure.statistics.proportion?.level;
      return {
        kind: 'choice',
        ...count,
        ...(level === undefined
          ? {}
          : {
              proportions: measure.options.map((o, k) => ({ option: o.value, ...share(total(k), n, level) })),
            }),
      };
    }
  }
}

function numberRelease(
  measure: NumberMeasure,
  slots: readonly number[],
  cohort: CohortTotals,
  count: { count?: number },
): NumberRelease {
  const n = cohort.count;
  const { statistics, precision } = measure;
  const scale = 10n ** BigInt(precision);
  let next = 0;
  const take = () => cohort.base[slots[next++] as number] as bigint;
  const sum = statistics.mean || statistics.sd ? take() : 0n;
  const squares = statistics.sd ? take() : 0n;
  // x̄ = (n·offset + ΣV) / (n·10^p): the value slots are shifted by offset = min·10^p.
  const mean = ratio(n * valueOffset(measure) + sum, n * scale);
  let sd: NumberRelease['sd'];
  if (statistics.sd) {
    // s² = (n·ΣV² − (ΣV)²) / (n(n − 1)·10^2p): a shift does not change it.
    const numerator = n * squares - sum * sum;
    if (numerator < 0n) throw new TotalsError(`The totals of ${measure.name} give a negative variance.`);
    const value = Math.sqrt(ratio(numerator, n * (n - 1n) * scale * scale));
    const level = statistics.sd.level;
    const half = (studentTQuantile((1 + level) / 2, Number(n - 1n)) * value) / Math.sqrt(Number(n));
    sd = { value, meanInterval: { level, lower: mean - half, upper: mean + half } };
  }
  const bins = statistics.histogram?.bins;
  return {
    kind: 'number',
    unit: measure.unit,
    ...count,
    ...(statistics.mean ? { mean } : {}),
    ...(sd ? { sd } : {}),
    ...(bins ? { histogram: bins.map((b) => ({ from: b.from, to: b.to, count: Number(take()) })) } : {}),
  };
}

/** k of n with its Wilson score interval: (p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n). */
export function share(k: bigint, n: bigint, level: number): Omit<ShareRelease, 'option'> {
  const proportion = ratio(k, n);
  const z = normalQuantile((1 + level) / 2);
  const N = Number(n);
  const z2 = z * z;
  const center = (proportion + z2 / (2 * N)) / (1 + z2 / N);
  const half = (z / (1 + z2 / N)) * Math.sqrt((proportion * (1 - proportion)) / N + z2 / (4 * N * N));
  return {
    count: Number(k),
    proportion,
    // At k = 0 (k = n) the bound is 0 (1) exactly; rounding would leave a few ulps.
    interval: {
      level,
      lower: k === 0n ? 0 : Math.max(0, center - half),
      upper: k === n ? 1 : Math.min(1, center + half),
    },
  };
}

/** num / den as the nearest double or within an ulp of it, for bigints of any size (den > 0). */
export function ratio(num: bigint, den: bigint): number {
  if (den <= 0n) throw new RangeError('ratio: the denominator must be positive');
  if (num < 0n) return -ratio(-num, den);
  // Scale the quotient to about 64 significant bits, divide exactly, then let Number round once more.
  const shift = 64n - BigInt(num.toString(2).length - den.toString(2).length);
  const q = shift >= 0n ? (num << shift) / den : num / (den << -shift);
  return Number(q) * 2 ** Number(-shift);
}
