/**
 * The study's verdict in one cell (domain × size × energy): does transfer learning beat training from
 * scratch by more than the seed-to-seed spread? A paired comparison over seeds: seed s of TL and seed s
 * of scratch share the training sample and the reference sample, so their difference cancels what the
 * two have in common and keeps what the method changes.
 *
 * The test is Student's paired t-test, two-sided, at 5 %. Why not a sign test or Wilcoxon's signed-rank
 * test: with n seeds their smallest possible two-sided p-value is 2 / 2ⁿ, so with the 2–5 seeds a
 * study can afford they can never reach 5 % (n = 5 gives 0.0625), however large and consistent the
 * difference. The t-test can, at the price of assuming the per-seed differences scatter normally — a
 * fair assumption for a mean |pull| over hundreds of bins, and the only way few seeds say anything.
 * What it can say (docs/report.md §2):
 * - 1 seed: nothing about the spread; the cell shows the sign of the difference, marked "1 seed".
 * - 2 seeds (1 degree of freedom): a verdict needs |t| > 12.71, i.e. both differences of one sign and
 *   their mean larger than ~6.4 × their difference.
 * - 3 seeds: |t| > 4.30; 5 seeds: |t| > 2.78.
 */

/**
 * Two-sided tail probability of Student's t distribution, P(|T| ≥ |t|), for an integer number of
 * degrees of freedom `df` ≥ 1. Exact finite sums of Abramowitz & Stegun 26.7.3 (odd df) and 26.7.4
 * (even df) in θ = atan(|t|/√df): no special functions needed. t = ±∞ gives 0.
 */
export function studentTwoSidedP(t: number, df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be an integer ≥ 1, got ${df}`);
  if (Number.isNaN(t)) return Number.NaN;
  const theta = Math.atan(Math.abs(t) / Math.sqrt(df));
  const s = Math.sin(theta);
  const c2 = Math.cos(theta) ** 2;
  let inside: number; // A(t|df) = P(|T| < |t|)
  if (df % 2 === 1) {
    // (2/π)(θ + sinθ cosθ [1 + (2/3)cos²θ + (2·4)/(3·5)cos⁴θ + … up to cos^(df−3)θ])
    let term = 1;
    let sum = df > 1 ? 1 : 0;
    for (let k = 1; 2 * k + 1 <= df - 2; k++) {
      term *= (2 * k) / (2 * k + 1) * c2;
      sum += term;
    }
    inside = (2 / Math.PI) * (theta + s * Math.cos(theta) * sum);
  } else {
    // sinθ [1 + (1/2)cos²θ + (1·3)/(2·4)cos⁴θ + … up to cos^(df−2)θ]
    let term = 1;
    let sum = 1;
    for (let k = 1; 2 * k <= df - 2; k++) {
      term *= (2 * k - 1) / (2 * k) * c2;
      sum += term;
    }
    inside = s * sum;
  }
  return Math.min(1, Math.max(0, 1 - inside));
}

/** Mean and sample standard deviation (n − 1); sd is NaN for fewer than two values. */
export function meanSd(values: readonly number[]): { mean: number; sd: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, sd: Number.NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, sd: Number.NaN, n };
  const ss = values.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)), n };
}

export interface PairedTest {
  /** Number of pairs. */
  n: number;
  /** Mean of (b − a) over the pairs, and its standard deviation (NaN for n < 2). */
  meanDiff: number;
  sdDiff: number;
  /** t = mean / (sd/√n); ±Infinity when every difference is equal and non-zero; NaN for n < 2. */
  t: number;
  /** Two-sided p-value (NaN for n < 2). */
  p: number;
  /** Pairs where b > a. */
  bLarger: number;
}

/** Student's paired t-test of b − a (same length, paired by index). */
export function pairedTTest(a: readonly number[], b: readonly number[]): PairedTest {
  if (a.length !== b.length) throw new RangeError(`paired samples differ in length: ${a.length} vs ${b.length}`);
  const d = a.map((x, i) => b[i]! - x);
  const { mean, sd, n } = meanSd(d);
  const bLarger = d.filter((x) => x > 0).length;
  if (n < 2) return { n, meanDiff: mean, sdDiff: Number.NaN, t: Number.NaN, p: Number.NaN, bLarger };
  let t: number;
  if (sd > 0) t = mean / (sd / Math.sqrt(n));
  else t = mean === 0 ? 0 : Math.sign(mean) * Number.POSITIVE_INFINITY;
  return { n, meanDiff: mean, sdDiff: sd, t, p: studentTwoSidedP(t, n - 1), bLarger };
}

/** Significance level of the verdicts (two-sided). */
export const VERDICT_ALPHA = 0.05;

export type VerdictKind = 'TL better' | 'scratch better' | 'within spread' | 'one seed';

export interface Verdict extends PairedTest {
  kind: VerdictKind;
  /** With one seed: which method had the lower (better) value, if any. */
  lower?: 'TL' | 'scratch';
}

/**
 * The verdict for one cell from per-seed values of a lower-is-better metric (MAP, EMD), paired by
 * index: "TL better" when scratch − TL is significantly positive, "scratch better" when significantly
 * negative, "within spread" otherwise; "one seed" when there is a single pair (no spread to compare).
 */
export function verdict(tl: readonly number[], scratch: readonly number[], alpha = VERDICT_ALPHA): Verdict {
  const test = pairedTTest(tl, scratch);
  if (test.n < 2) {
    const lower = test.meanDiff > 0 ? 'TL' : test.meanDiff < 0 ? 'scratch' : undefined;
    return { ...test, kind: 'one seed', ...(lower ? { lower } : {}) };
  }
  if (test.p < alpha) return { ...test, kind: test.meanDiff > 0 ? 'TL better' : 'scratch better' };
  return { ...test, kind: 'within spread' };
}
