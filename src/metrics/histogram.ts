/**
 * Fixed-binning histograms, the raw material of every comparison metric (docs/formats.md §5). Bins are
 * half-open [lo_i, hi_i) except the last, which includes its upper edge so that a proxy value of
 * exactly +1 (theta = pi, E_mu = m_mu) lands in the grid instead of overflowing.
 */

/** A 1D histogram with uniform bins over [lo, hi]. */
export interface Hist1D {
  readonly lo: number;
  readonly hi: number;
  readonly bins: number;
  /** Entries per bin (weights summed when weighted). */
  readonly counts: Float64Array;
  /** Entries outside [lo, hi] or NaN: kept so a report can say what fell outside. */
  readonly outside: number;
}

/** A 2D histogram with uniform bins over [xlo, xhi] × [ylo, yhi]; counts are row-major in x: `counts[ix * ny + iy]`. */
export interface Hist2D {
  readonly x: { lo: number; hi: number; bins: number };
  readonly y: { lo: number; hi: number; bins: number };
  readonly counts: Float64Array;
  readonly outside: number;
}

/** Bin index of `v` in `bins` uniform bins over [lo, hi], or −1 outside (NaN included). */
function binOf(v: number, lo: number, hi: number, bins: number, scale: number): number {
  if (!(v >= lo && v <= hi)) return -1;
  const i = Math.floor((v - lo) * scale);
  return i >= bins ? bins - 1 : i;
}

/** Histogram of `values` in `bins` uniform bins over [lo, hi]; optional per-entry weights. */
export function hist1d(values: ArrayLike<number>, lo: number, hi: number, bins: number, weights?: ArrayLike<number>): Hist1D {
  if (!(hi > lo) || !(bins >= 1)) throw new RangeError(`hist1d needs lo < hi and bins ≥ 1, got [${lo}, ${hi}] with ${bins} bins`);
  const counts = new Float64Array(bins);
  const scale = bins / (hi - lo);
  let outside = 0;
  for (let k = 0; k < values.length; k++) {
    const i = binOf(values[k]!, lo, hi, bins, scale);
    const w = weights ? weights[k]! : 1;
    if (i < 0) outside += w;
    else counts[i]! += w;
  }
  return { lo, hi, bins, counts, outside };
}

/** 2D histogram of (x, y) pairs in nx × ny uniform bins. */
export function hist2d(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  xr: { lo: number; hi: number; bins: number },
  yr: { lo: number; hi: number; bins: number },
): Hist2D {
  if (x.length !== y.length) throw new RangeError(`hist2d needs columns of one length, got ${x.length} and ${y.length}`);
  const counts = new Float64Array(xr.bins * yr.bins);
  const sx = xr.bins / (xr.hi - xr.lo);
  const sy = yr.bins / (yr.hi - yr.lo);
  let outside = 0;
  for (let k = 0; k < x.length; k++) {
    const i = binOf(x[k]!, xr.lo, xr.hi, xr.bins, sx);
    const j = binOf(y[k]!, yr.lo, yr.hi, yr.bins, sy);
    if (i < 0 || j < 0) outside++;
    else counts[i * yr.bins + j]!++;
  }
  return { x: { ...xr }, y: { ...yr }, counts, outside };
}

/** Sum of all bin contents. */
export function total(counts: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < counts.length; i++) s += counts[i]!;
  return s;
}

/** Lower edges plus the final upper edge of a uniform binning. */
export function binEdges(lo: number, hi: number, bins: number): number[] {
  return Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
}
