/**
 * Validation during training: MAP and EMD of generated against held-out events on the proxy plane
 * (E'_mu, theta') ∈ [−1, 1]², with the evaluation's own code (src/metrics): one MAP and one EMD in
 * the whole product, so the epoch training keeps is chosen by the metric the report shows.
 */
import { wasserstein1 } from '../metrics/emd.ts';
import { hist2d } from '../metrics/histogram.ts';
import { meanAbsPull } from '../metrics/map.ts';

export interface ValidationScore {
  /** MAP over bins where both histograms are non-zero. */
  map: number;
  /** Mean of the two proxies' EMDs. */
  emd: number;
  emd_mu: number;
  emd_theta: number;
}

/**
 * Bins per axis for a validation set of n events: ~25 events in the average occupied bin keeps the
 * pulls near-Gaussian; clamped to [8, 50] (50 is the papers' binning, which evaluation uses).
 */
export function validationBins(n: number): number {
  return Math.max(8, Math.min(50, Math.floor(Math.sqrt(n / 25))));
}

/** Bins per axis of the monitor samples' MAP: the papers' (and the evaluation's) 50 × 50. */
export const MONITOR_BINS = 50;

/** Columns of interleaved proxies [n, 2]. */
export function proxyPairs(x: Float32Array, n: number): { mu: Float64Array; theta: Float64Array } {
  const mu = new Float64Array(n);
  const theta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    mu[i] = x[2 * i]!;
    theta[i] = x[2 * i + 1]!;
  }
  return { mu, theta };
}

/** MAP on a bins×bins histogram of [−1, 1]² and the EMDs of both proxies, reference vs generated. */
export function validationScore(ref: { mu: ArrayLike<number>; theta: ArrayLike<number> }, gen: { mu: ArrayLike<number>; theta: ArrayLike<number> }, bins: number): ValidationScore {
  const axis = { lo: -1, hi: 1, bins };
  const map = meanAbsPull(hist2d(ref.mu, ref.theta, axis, axis).counts, hist2d(gen.mu, gen.theta, axis, axis).counts).map;
  const emd_mu = wasserstein1(ref.mu, gen.mu);
  const emd_theta = wasserstein1(ref.theta, gen.theta);
  return { map, emd: (emd_mu + emd_theta) / 2, emd_mu, emd_theta };
}

/** Index of the first non-finite value of `x`, or −1. */
export function firstNonFinite(x: ArrayLike<number>): number {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) return i;
  return -1;
}
