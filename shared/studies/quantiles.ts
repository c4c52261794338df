// biome-ignore-all lint/correctness/noPrecisionLoss: the published coefficients, digit for digit, so a reader can check them against AS 241 and Lanczos.

/**
 * The two quantiles the released intervals need: the standard normal's (Wilson intervals) and Student's
 * t (the interval for a mean). Written here rather than taken from a library because the figures a
 * study releases must be reproducible by a third party from docs/STUDIES.md: both are computed to
 * near double precision (relative error below 1e-11 in the tested ranges), so any careful implementation
 * prints the same digits.
 */

/**
 * Φ⁻¹(p): Wichura's algorithm AS 241 (PPND16, Applied Statistics 37, 1988), relative accuracy about
 * 1e-16 over (0, 1).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), not ${p}`);
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
          45921.953931549871457) *
          r +
          13731.693765509461125) *
          r +
          1971.5909503065514427) *
          r +
          133.14166789178437745) *
          r +
          3.387132872796366608)) /
      (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r +
        21213.794301586595867) *
        r +
        5394.1960214247511077) *
        r +
        687.1870074920579083) *
        r +
        42.313330701600911252) *
        r +
        1)
    );
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x =
      (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
        1.27045825245236838258) *
        r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
        0.14810397642748007459) *
        r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1);
  } else {
    r -= 5;
    x =
      (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
        0.026532189526576123093) *
        r +
        0.29656057182850489123) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
        7.868691311456132591e-4) *
        r +
        0.0148753612908506148525) *
        r +
        0.13692988092273580531) *
        r +
        0.59983220655588793769) *
        r +
        1);
  }
  return q < 0 ? -x : x;
}

/**
 * The p-quantile of Student's t with `df` degrees of freedom (df a positive integer): closed forms for
 * 1 and 2 degrees of freedom, an expansion in 1/df from 10⁴ on, otherwise the root of P(T > t) = 1 − p
 * (`studentTail`) found by bisection then Newton steps.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must be in (0, 1), not ${p}`);
  if (!Number.isInteger(df) || df < 1)
    throw new RangeError(`studentTQuantile: df must be a whole number ≥ 1`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  if (df === 1) return Math.tan(Math.PI * (p - 0.5));
  if (df === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  if (df >= LARGE_DF) return largeDfQuantile(normalQuantile(p), df);
  const q = 1 - p;
  // The normal quantile is below the t quantile: grow an upper bracket from there.
  let lo = 0;
  let hi = Math.max(1, normalQuantile(p));
  while (studentTail(hi, df) > q) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 60 && hi - lo > 1e-3 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTail(mid, df) > q) lo = mid;
    else hi = mid;
  }
  let t = (lo + hi) / 2;
  // ln of the density's constant Γ((df+1)/2) / (Γ(df/2)·√(df·π)).
  const logDensityConstant = logGammaHalfStep(df / 2) - 0.5 * Math.log(df * Math.PI);
  for (let i = 0; i < 8; i++) {
    const density = Math.exp(logDensityConstant - ((df + 1) / 2) * Math.log1p((t * t) / df));
    // The tail falls as t grows, at the rate of the density.
    const step = (studentTail(t, df) - q) / density;
    t += step;
    if (Math.abs(step) <= 1e-15 * t) break;
  }
  return t;
}

/**
 * From here the expansion in 1/df is exact to double precision for every level a study may declare
 * (the first omitted term is below 1e-16 at df = 10⁴, z < 4), where the continued fraction, whose x
 * is then within 1e-4 of 1, loses digits (about 1e-10 at df = 10⁷).
 */
const LARGE_DF = 10_000;

/** t = z + g₁/ν + g₂/ν² + g₃/ν³ + g₄/ν⁴ (Abramowitz & Stegun 26.7.5), z the normal quantile. */
function largeDfQuantile(z: number, df: number): number {
  const z2 = z * z;
  const g1 = (z * (z2 + 1)) / 4;
  const g2 = (z * ((5 * z2 + 16) * z2 + 3)) / 96;
  const g3 = (z * (((3 * z2 + 19) * z2 + 17) * z2 - 15)) / 384;
  const g4 = (z * ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945)) / 92160;
  return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
}

/**
 * P(T > t) for t ≥ 0: ½·I_x(df/2, ½) with x = df/(df + t²). Computed from t and df directly, so that
 * nothing near 1 is subtracted (x and ln x come from t²/df), and ln B(df/2, ½) comes from
 * `logGammaHalfStep` (no difference of two large ln Γ): the tail keeps its digits for any df.
 */
export function studentTail(t: number, df: number): number {
  if (!(t >= 0)) throw new RangeError('studentTail: t must be ≥ 0');
  if (t === 0) return 0.5;
  const a = df / 2;
  const ratio = (t * t) / df;
  const x = 1 / (1 + ratio);
  const oneMinusX = ratio / (1 + ratio);
  // ln(x^a (1 − x)^½ / B(a, ½)), with ln B(a, ½) = ln Γ(½) − (ln Γ(a + ½) − ln Γ(a)).
  const logFront =
    -a * Math.log1p(ratio) + 0.5 * Math.log(oneMinusX) - 0.5 * Math.log(Math.PI) + logGammaHalfStep(a);
  const front = Math.exp(logFront);
  const beta =
    x < (a + 1) / (a + 2.5)
      ? (front * betaFraction(x, a, 0.5)) / a
      : 1 - (front * betaFraction(oneMinusX, 0.5, a)) / 0.5;
  return 0.5 * beta;
}

/**
 * ln Γ(a + ½) − ln Γ(a). For a ≥ 50 by Stirling's series with the large terms cancelled by hand
 * (a·ln(1 + 1/2a) − ½ + ½·ln a, then the series' corrections), so its absolute error stays near 1e-16
 * where the two ln Γ would each be off by an ulp of a large number.
 */
export function logGammaHalfStep(a: number): number {
  if (a < 50) return logGamma(a + 0.5) - logGamma(a);
  const series = (z: number) => {
    const z2 = z * z;
    return (1 / z) * (1 / 12 - (1 / z2) * (1 / 360 - (1 / z2) * (1 / 1260 - 1 / (1680 * z2))));
  };
  return a * Math.log1p(1 / (2 * a)) - 0.5 + 0.5 * Math.log(a) + series(a + 0.5) - series(a);
}

/** I_x(a, b), by the continued fraction (modified Lentz), on the side where it converges fast. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(x >= 0 && x <= 1)) throw new RangeError('regularizedBeta: x must be in [0, 1]');
  if (x === 0 || x === 1) return x;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** The continued fraction of I_x(a, b) (Numerical Recipes' betacf). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) return h;
  }
  throw new Error('regularizedBeta: the continued fraction did not converge');
}

/** ln Γ(x) for x > 0: Lanczos (g = 7, 9 terms), relative error about 1e-15. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const y = x - 1;
  let sum = c[0] as number;
  for (let i = 1; i < g + 2; i++) sum += (c[i] as number) / (y + i);
  const t = y + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}
