/**
 * Fast validation metrics used during training (DESIGN.md §1): a small version of the evaluation's
 * MAP and EMD, computed on proxies (E'_mu, theta') in [−1, 1]². The full metrics live in src/metrics.
 */

/** Counts of (a, b) ∈ [−1, 1]² in bins×bins bins (row-major a then b); values outside are dropped. */
export function histogram2d(a: ArrayLike<number>, b: ArrayLike<number>, bins: number): Float64Array {
  const h = new Float64Array(bins * bins);
  const s = bins / 2;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (!(x >= -1 && x <= 1 && y >= -1 && y <= 1)) continue;
    const ix = Math.min(bins - 1, Math.floor((x + 1) * s));
    const iy = Math.min(bins - 1, Math.floor((y + 1) * s));
    h[ix * bins + iy]! += 1;
  }
  return h;
}

/**
 * Mean absolute pull over bins where both histograms are non-zero:
 * pull_i = (n_ref,i − n_gen,i)/sqrt(n_ref,i + n_gen,i) (DESIGN.md §1). Equal sample sizes assumed
 * (a statistically perfect model gives ≈ sqrt(2/π) ≈ 0.80). Returns NaN when no bin qualifies.
 */
export function meanAbsPull(ref: Float64Array, gen: Float64Array): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    const g = gen[i]!;
    if (r > 0 && g > 0) {
      s += Math.abs(r - g) / Math.sqrt(r + g);
      k++;
    }
  }
  return k ? s / k : Number.NaN;
}

/**
 * 1D Wasserstein-1 distance between two samples (empirical CDFs), as
 * scipy.stats.wasserstein_distance computes it: ∫ |F_u(x) − F_v(x)| dx.
 */
export function wasserstein1(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const a = Float64Array.from(u).sort();
  const b = Float64Array.from(v).sort();
  const na = a.length;
  const nb = b.length;
  if (!na || !nb) return Number.NaN;
  let i = 0;
  let j = 0;
  let x = Math.min(a[0]!, b[0]!);
  let d = 0;
  while (i < na || j < nb) {
    const next = j >= nb || (i < na && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    d += Math.abs(i / na - j / nb) * (next - x);
    x = next;
    while (i < na && a[i]! === next) i++;
    while (j < nb && b[j]! === next) j++;
  }
  return d;
}

export interface ValidationScore {
  map: number;
  emd: number;
  emd_mu: number;
  emd_theta: number;
}

/** MAP on a bins×bins histogram and mean EMD of the two proxies, reference vs generated. */
export function validationScore(ref: { mu: ArrayLike<number>; theta: ArrayLike<number> }, gen: { mu: ArrayLike<number>; theta: ArrayLike<number> }, bins: number): ValidationScore {
  const map = meanAbsPull(histogram2d(ref.mu, ref.theta, bins), histogram2d(gen.mu, gen.theta, bins));
  const emd_mu = wasserstein1(ref.mu, gen.mu);
  const emd_theta = wasserstein1(ref.theta, gen.theta);
  return { map, emd: (emd_mu + emd_theta) / 2, emd_mu, emd_theta };
}

/**
 * Bins for a validation set of n events: ~25 events per bin in the average occupied bin keeps the
 * pulls Gaussian-ish; clamped to [8, 50] (50 is the paper's binning).
 */
export function validationBins(n: number): number {
  return Math.max(8, Math.min(50, Math.floor(Math.sqrt(n / 25))));
}
