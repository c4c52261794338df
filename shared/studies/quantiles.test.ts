// biome-ignore-all lint/correctness/noPrecisionLoss: reference values as published, digit for digit.

/**
 * The quantiles behind the released intervals, against published values (R's qt and qnorm, to the
 * digits printed by `print(qt(p, df), digits = 16)`) and the closed forms for 1 and 2 degrees of freedom.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  logGamma,
  logGammaHalfStep,
  normalQuantile,
  regularizedBeta,
  studentTail,
  studentTQuantile,
} from './quantiles.js';

const close = (actual: number, expected: number, relative = 1e-12) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.abs(expected));

describe('normalQuantile', () => {
  it.each([
    [0.975, 1.959963984540054],
    [0.995, 2.575829303548901],
    [0.95, 1.644853626951472],
    [0.9, 1.281551565544601],
    [0.75, 0.6744897501960817],
    [1e-10, -6.361340902404056],
    [0.99995, 3.890591886413094],
  ])('Φ⁻¹(%d) = %d', (p, z) => close(normalQuantile(p), z, 1e-14));

  it('is odd about ½ and refuses p outside (0, 1)', () => {
    expect(normalQuantile(0.5)).toBe(0);
    close(normalQuantile(0.025), -normalQuantile(0.975), 1e-15);
    for (const p of [0, 1, -0.1, Number.NaN]) expect(() => normalQuantile(p)).toThrow(RangeError);
  });
});

describe('studentTQuantile', () => {
  it.each([
    [0.975, 3, 3.182446305284263],
    [0.975, 4, 2.776445105197799],
    [0.975, 5, 2.570581835636314],
    [0.975, 10, 2.228138851986274],
    [0.975, 19, 2.093024054408263],
    [0.975, 30, 2.042272456301238],
    [0.975, 100, 1.983971518523552],
    [0.95, 4, 2.131846786326649],
    [0.995, 9, 3.249835541592143],
    [0.9995, 3, 12.92397863670603],
    [0.995, 1000, 2.580754698065393],
    // Computed with mpmath at 40 digits (findroot on betainc): large df, where ln Γ differences lose digits.
    [0.975, 1000, 1.9623390808264081],
    [0.975, 99, 1.9842169515864171],
    [0.975, 101, 1.9837310029556058],
    [0.9, 250, 1.2849470554222559],
    [0.99, 12345, 2.3266499832035426],
    [0.995, 100000, 2.575878469908375],
    [0.975, 9999, 1.9602012636213573],
    [0.975, 10000, 1.9602012398906259],
    [0.9999, 10000, 3.7203958691176681],
    [0.975, 1000000, 1.9599663568141067],
    [0.975, 10000000, 1.9599642217672051],
  ])('t(%d; %d) = %d', (p, df, t) => close(studentTQuantile(p, df), t, 1e-11));

  it('has the closed forms for 1 and 2 degrees of freedom', () => {
    close(studentTQuantile(0.975, 1), 12.70620473617471);
    close(studentTQuantile(0.995, 1), 63.65674116287399);
    close(studentTQuantile(0.975, 2), 4.302652729749464);
    close(studentTQuantile(0.975, 2), 0.95 / Math.sqrt(2 * 0.975 * 0.025), 1e-15);
  });

  it('tends to the normal quantile as the degrees of freedom grow', () => {
    // z + (z³ + z)/4ν, the next term below 1e-11 at ν = 10⁶.
    const z = normalQuantile(0.975);
    close(studentTQuantile(0.975, 1_000_000), z + (z ** 3 + z) / 4e6, 1e-11);
    expect(studentTQuantile(0.975, 100_000)).toBeGreaterThan(z);
  });

  it('inverts the distribution: F(t(p)) = p, odd about ½, growing with p', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5001, max: 0.9999, noNaN: true }),
        fc.integer({ min: 3, max: 500 }),
        (p, df) => {
          const t = studentTQuantile(p, df);
          close(studentTail(t, df), 1 - p, 1e-11);
          expect(studentTQuantile(1 - p, df)).toBe(-t);
          expect(studentTQuantile(Math.min(0.99999, p + 1e-4), df)).toBeGreaterThan(t);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses a p outside (0, 1) or degrees of freedom that are not a positive whole number', () => {
    expect(() => studentTQuantile(1, 5)).toThrow(RangeError);
    expect(() => studentTQuantile(0.975, 0)).toThrow(RangeError);
    expect(() => studentTQuantile(0.975, 2.5)).toThrow(RangeError);
  });
});

describe('the special functions', () => {
  it('logGamma matches ln((n − 1)!) and Γ(½) = √π', () => {
    expect(Math.abs(logGamma(1))).toBeLessThan(1e-15);
    expect(Math.abs(logGamma(2))).toBeLessThan(1e-15);
    close(logGamma(10), Math.log(362880), 1e-14);
    close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14);
    close(logGamma(100.5), 361.4355404677776, 1e-14);
  });

  it('logGammaHalfStep keeps its digits for large a (mpmath, 40 digits)', () => {
    close(logGammaHalfStep(50), 1.9535115443757412, 1e-15);
    close(logGammaHalfStep(100.5), 2.3038350877858686, 1e-15);
    close(logGammaHalfStep(5e5), 6.5611814387021644, 1e-15);
    close(logGammaHalfStep(5e6), 7.7124742101991872, 1e-15);
    close(logGammaHalfStep(49.5), logGamma(50) - logGamma(49.5), 1e-13);
  });

  it('regularizedBeta matches closed forms', () => {
    // I_x(1, b) = 1 − (1 − x)^b; I_x(a, 1) = x^a.
    close(regularizedBeta(0.3, 1, 4), 1 - 0.7 ** 4, 1e-13);
    close(regularizedBeta(0.8, 5, 1), 0.8 ** 5, 1e-13);
    expect(regularizedBeta(0, 2, 3)).toBe(0);
    expect(regularizedBeta(1, 2, 3)).toBe(1);
  });
});
