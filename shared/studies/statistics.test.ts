/**
 * The released statistics (docs/STUDIES.md, "Statistics", "Suppression"): the figures released from the
 * sum of many contributions' slots equal the figures computed directly from the raw answers, overall
 * and per stratum, and a cohort below the minimum is suppressed exactly when it should be.
 */

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Answers, parseStudy, plaintextSlots, studyLayout } from './layout.js';
import { normalQuantile, studentTQuantile } from './quantiles.js';
import {
  type CohortRelease,
  type MeasureRelease,
  ratio,
  releaseStatistics,
  share,
  suppression,
  TotalsError,
} from './statistics.js';
import type { Measure, Study } from './study-file.js';

type Json = Record<string, unknown>;
const EXAMPLE = JSON.parse(
  readFileSync(new URL('../../studies/home-blood-pressure.study.json', import.meta.url), 'utf8'),
) as Json;

/** The example with a small minimum cohort, so that random cohorts release some strata and not others. */
const stratified = parseStudy({ ...EXAMPLE, minimumCohort: 4 });
/** Decimals, a histogram and a boolean, no strata. */
const flat = parseStudy({
  ...EXAMPLE,
  stratifyBy: undefined,
  minimumCohort: 3,
  measures: [
    {
      kind: 'number',
      name: 'hba1c',
      label: 'HbA1c',
      unit: '%',
      min: 4,
      max: 14,
      precision: 1,
      statistics: {
        count: true,
        mean: true,
        sd: { level: 0.9 },
        histogram: {
          bins: [
            { from: 4, to: 5.6 },
            { from: 5.7, to: 6.4 },
            { from: 6.5, to: 14 },
          ],
        },
      },
    },
    { kind: 'boolean', name: 'insulin', label: 'On insulin', statistics: { proportion: { level: 0.99 } } },
    {
      kind: 'number',
      name: 'weight',
      label: 'Weight',
      unit: 'kg',
      min: -10.5,
      max: 300.25,
      precision: 2,
      statistics: { mean: true },
    },
  ],
});

/** A random answer for each measure of `study`, at its precision. */
function answersOf(study: Study): fc.Arbitrary<Answers> {
  const one = (m: Measure): fc.Arbitrary<number | boolean | string> => {
    if (m.kind === 'boolean') return fc.boolean();
    if (m.kind === 'choice') return fc.constantFrom(...m.options.map((o) => o.value));
    const scale = 10 ** m.precision;
    return fc
      .integer({ min: Math.round(m.min * scale), max: Math.round(m.max * scale) })
      .map((k) => Number((k / scale).toFixed(m.precision)));
  };
  return fc.record(Object.fromEntries(study.measures.map((m) => [m.name, one(m)])));
}

/** The slot totals of a cohort: the sum of each contribution's plaintext slots (what the tally decrypts). */
function totalsOf(study: Study, cohort: readonly Answers[]): bigint[] {
  const totals = studyLayout(study).slots.map(() => 0n);
  for (const answers of cohort) {
    for (const [i, v] of plaintextSlots(study, answers).entries()) totals[i] = (totals[i] as bigint) + v;
  }
  return totals;
}

const near = (actual: number | undefined, expected: number) => {
  expect(actual).toBeDefined();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
};

/** The figures computed from the raw answers with ordinary floating point, as a statistician would. */
function expectDirect(
  study: Study,
  cohort: readonly Answers[],
  released: Readonly<Record<string, MeasureRelease>>,
  skip?: string,
) {
  const n = cohort.length;
  for (const m of study.measures) {
    if (m.name === skip) {
      expect(released[m.name]).toBeUndefined();
      continue;
    }
    const r = released[m.name];
    if (m.statistics.count) expect(r?.count).toBe(n);
    else expect(r?.count).toBeUndefined();
    if (m.kind === 'number' && r?.kind === 'number') {
      const xs = cohort.map((a) => a[m.name] as number);
      const mean = xs.reduce((s, x) => s + x, 0) / n;
      if (m.statistics.mean) near(r.mean, mean);
      if (m.statistics.sd) {
        const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
        near(r.sd?.value, sd);
        const half = (studentTQuantile((1 + m.statistics.sd.level) / 2, n - 1) * sd) / Math.sqrt(n);
        near(r.sd?.meanInterval.lower, mean - half);
        near(r.sd?.meanInterval.upper, mean + half);
        expect(r.sd?.meanInterval.level).toBe(m.statistics.sd.level);
      }
      const bins = m.statistics.histogram?.bins;
      if (bins)
        expect(r.histogram).toEqual(
          bins.map((b) => ({ ...b, count: xs.filter((x) => x >= b.from && x <= b.to).length })),
        );
    } else if (m.kind === 'boolean' && r?.kind === 'boolean') {
      const level = m.statistics.proportion?.level as number;
      const k = cohort.filter((a) => a[m.name] === true).length;
      expectWilson(r.proportion, k, n, level);
    } else if (m.kind === 'choice' && r?.kind === 'choice') {
      const level = m.statistics.proportion?.level as number;
      expect(r.proportions?.map((p) => p.option)).toEqual(m.options.map((o) => o.value));
      for (const p of r.proportions ?? [])
        expectWilson(p, cohort.filter((a) => a[m.name] === p.option).length, n, level);
    } else {
      throw new Error(`No release of the right kind for ${m.name}`);
    }
  }
}

function expectWilson(
  released:
    | { count: number; proportion: number; interval: { level: number; lower: number; upper: number } }
    | undefined,
  k: number,
  n: number,
  level: number,
) {
  const z = normalQuantile((1 + level) / 2);
  const p = k / n;
  const center = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  expect(released?.count).toBe(k);
  near(released?.proportion, p);
  near(released?.interval.lower, Math.max(0, center - half));
  near(released?.interval.upper, Math.min(1, center + half));
}

describe('release from the sum of plaintext slots', () => {
  it('equals the statistics of the raw answers, without strata', () => {
    fc.assert(
      fc.property(fc.array(answersOf(flat), { minLength: 3, maxLength: 40 }), (cohort) => {
        const release = releaseStatistics(flat, totalsOf(flat, cohort), cohort.length);
        expect(release.contributions).toBe(cohort.length);
        expect(release.strata).toBeUndefined();
        if (release.overall.suppressed) throw new Error('A cohort of at least the minimum was suppressed.');
        expect(release.overall.count).toBe(cohort.length);
        expectDirect(flat, cohort, release.overall.measures);
      }),
      { numRuns: 60 },
    );
  });

  it('equals the statistics of the raw answers per stratum, and suppresses exactly the cohorts it should', () => {
    fc.assert(
      fc.property(fc.array(answersOf(stratified), { maxLength: 30 }), (cohort) => {
        const release = releaseStatistics(stratified, totalsOf(stratified, cohort), cohort.length);
        const minimum = stratified.minimumCohort;
        expect(release.overall.suppressed).toBe(cohort.length < minimum);
        if (!release.overall.suppressed) expectDirect(stratified, cohort, release.overall.measures);
        const groups = release.strata?.groups ?? [];
        expect(groups.map((g) => g.stratum)).toEqual(['under50', 'from50to69', 'from70']);
        const members = groups.map((g) => cohort.filter((a) => a.ageBand === g.stratum));
        // Below the minimum: suppressed as such. Released: at least the minimum, and its figures right.
        groups.forEach((g, j) => {
          const size = (members[j] as Answers[]).length;
          if (size < minimum)
            expect(g).toEqual({ stratum: g.stratum, suppressed: true, reason: 'below-minimum-cohort' });
          if (!g.suppressed) {
            expect(g.count).toBe(size);
            expectDirect(stratified, members[j] as Answers[], g.measures, 'ageBand');
          }
        });
        // Complementary suppression: exactly when the small strata together are 1 … minimum − 1, of the smallest other.
        const hiddenFirst = members.filter((m) => m.length < minimum).reduce((s, m) => s + m.length, 0);
        const complementary = groups.filter((g) => g.suppressed && g.reason === 'complementary');
        const candidates = members.filter((m) => m.length >= minimum).map((m) => m.length);
        if (hiddenFirst > 0 && hiddenFirst < minimum && candidates.length > 0) {
          expect(complementary).toHaveLength(1);
          const j = groups.indexOf(complementary[0] as (typeof groups)[number]);
          expect((members[j] as Answers[]).length).toBe(Math.min(...candidates));
        } else {
          expect(complementary).toHaveLength(0);
        }
        // Whatever is suppressed together is never a group of 1 … minimum − 1 (unless nothing is released).
        const hidden = groups.reduce(
          (s, g, j) => (g.suppressed ? s + (members[j] as Answers[]).length : s),
          0,
        );
        if (groups.some((g) => !g.suppressed)) expect(hidden === 0 || hidden >= minimum).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('suppresses everything, figures absent, when the whole cohort is below the minimum', () => {
    const cohort: Answers[] = [
      { systolic: 120, diastolic: 80, controlled: true, ageBand: 'under50', missedDoses: 'none' },
      { systolic: 150, diastolic: 95, controlled: false, ageBand: 'from70', missedDoses: 'one' },
    ];
    const release = releaseStatistics(stratified, totalsOf(stratified, cohort), 2);
    expect(release).toEqual({
      study: 'home-blood-pressure',
      contributions: 2,
      minimumCohort: 4,
      overall: { suppressed: true, reason: 'below-minimum-cohort' },
      strata: {
        measure: 'ageBand',
        groups: ['under50', 'from50to69', 'from70'].map((stratum) => ({
          stratum,
          suppressed: true,
          reason: 'below-minimum-cohort',
        })),
      },
    });
  });

  it('releases an exact example', () => {
    const cohort: Answers[] = [4.5, 5.7, 6.5, 14].map((hba1c, i) => ({
      hba1c,
      insulin: i % 2 === 0,
      weight: 70.25 + i,
    }));
    const release = releaseStatistics(flat, totalsOf(flat, cohort), 4).overall as Extract<
      CohortRelease,
      { suppressed: false }
    >;
    const hba1c = release.measures.hba1c as Extract<MeasureRelease, { kind: 'number' }>;
    expect(hba1c.mean).toBe(7.675);
    expect(hba1c.histogram?.map((b) => b.count)).toEqual([1, 1, 2]);
    // Deviations −3.175, −1.975, −1.175, 6.325: their squares add up to 55.3675.
    expect(hba1c.sd?.value).toBeCloseTo(Math.sqrt(55.3675 / 3), 13);
    expect(release.measures.weight).toEqual({ kind: 'number', unit: 'kg', mean: 71.75 });
  });
});

describe('impossible totals', () => {
  const cohort: Answers[] = Array.from({ length: 5 }, (_, i) => ({
    systolic: 120 + i,
    diastolic: 80,
    controlled: i > 2,
    ageBand: i < 3 ? 'under50' : 'from70',
    missedDoses: 'none',
  }));
  const totals = totalsOf(stratified, cohort);

  it('refuses a wrong number of totals, a total out of its range, and one-hot totals that do not add up', () => {
    expect(() => releaseStatistics(stratified, totals.slice(1), 5)).toThrow(TotalsError);
    expect(() => releaseStatistics(stratified, totals, 4)).toThrow(/outside|add up/);
    const swollen = totals.slice();
    swollen[2] = (swollen[2] as bigint) + 1n; // one more in systolic.bin[0]
    expect(() => releaseStatistics(stratified, swollen, 5)).toThrow(/systolic add up to 6, not 5/);
    const negative = totals.slice();
    negative[0] = -1n;
    expect(() => releaseStatistics(stratified, negative, 5)).toThrow(/systolic.value is outside/);
  });

  it('refuses stratum totals the overall totals cannot hold', () => {
    const layout = studyLayout(stratified);
    const copy = layout.slots.findIndex((s) => s.name === 'controlled.true@ageBand.under50');
    const changed = totals.slice();
    changed[copy] = 3n; // under50 has no true answer, and the overall total is 2: from70 would get −1.
    expect(() => releaseStatistics(stratified, changed, 5)).toThrow(
      /controlled.true in stratum from70 is impossible/,
    );
  });

  it('refuses a negative variance', () => {
    const answers: Answers[] = [5, 6, 7].map((hba1c) => ({ hba1c, insulin: false, weight: 80 }));
    const changed = totalsOf(flat, answers);
    changed[1] = 0n; // hba1c.square
    expect(() => releaseStatistics(flat, changed, 3)).toThrow(/hba1c give a negative variance/);
  });
});

describe('the pieces', () => {
  it('suppression adds the smallest released stratum when the suppressed ones are too few together', () => {
    expect(suppression([3n, 12n, 11n], 10n)).toEqual(['below-minimum-cohort', undefined, 'complementary']);
    expect(suppression([3n, 4n, 5n, 50n], 10n)).toEqual([
      'below-minimum-cohort',
      'below-minimum-cohort',
      'below-minimum-cohort',
      undefined,
    ]);
    expect(suppression([0n, 12n, 11n], 10n)).toEqual(['below-minimum-cohort', undefined, undefined]);
    expect(suppression([10n, 10n], 10n)).toEqual([undefined, undefined]);
    expect(suppression([9n, 10n, 10n], 10n)).toEqual(['below-minimum-cohort', 'complementary', undefined]);
  });

  it('share gives the Wilson interval of known cases', () => {
    // 0 of 10 at 95 %: [0, z²/(n + z²)].
    const z2 = normalQuantile(0.975) ** 2;
    const none = share(0n, 10n, 0.95);
    expect(none.interval.lower).toBe(0);
    expect(none.interval.upper).toBeCloseTo(z2 / (10 + z2), 14);
    // 10 of 10 mirrors it.
    expect(share(10n, 10n, 0.95).interval.lower).toBeCloseTo(1 - z2 / (10 + z2), 14);
    // 81 of 263 at 95 %: (0.2553, 0.3662), the textbook example.
    const some = share(81n, 263n, 0.95);
    expect(some.interval.lower).toBeCloseTo(0.25527, 4);
    expect(some.interval.upper).toBeCloseTo(0.36624, 4);
  });

  it('ratio divides bigints of any size to double precision', () => {
    expect(ratio(1n, 3n)).toBe(1 / 3);
    expect(ratio(-7n, 2n)).toBe(-3.5);
    expect(ratio(0n, 5n)).toBe(0);
    expect(ratio(10n ** 40n + 1n, 10n ** 40n)).toBe(1);
    expect(ratio(2n ** 200n, 3n * 2n ** 190n)).toBe(1024 / 3);
    expect(() => ratio(1n, 0n)).toThrow(RangeError);
  });
});
