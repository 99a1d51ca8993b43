/**
 * Pulls and the mean absolute pull (MAP) between a reference and a generated histogram
 * (docs/formats.md §5; Hirsch et al.'s cGAN transfer-learning study). For equal sample sizes,
 *   pull_i = (n_ref,i − n_gen,i) / sqrt(n_ref,i + n_gen,i),
 * and MAP is the mean of |pull_i| over the selected bins. When both counts come from the same
 * distribution, pull_i is approximately standard normal, so MAP → E|N(0,1)| = sqrt(2/pi) ≈ 0.798.
 */
import { unreachable } from '../util/unreachable.ts';


/** Which bins enter the MAP: both counts non-zero (the paper's rule), or both above 5 (Gaussian regime). */
export type BinRule = 'nonzero' | 'gt5';

export const BIN_RULES: readonly BinRule[] = ['nonzero', 'gt5'];

/** sqrt(2/pi): the MAP of a statistically perfect model in the large-count limit. */
export const PERFECT_MAP = Math.sqrt(2 / Math.PI);

/** Whether bin counts `a`, `b` pass `rule`. */
export function binSelected(a: number, b: number, rule: BinRule): boolean {
  switch (rule) {
    case 'nonzero':
      return a > 0 && b > 0;
    case 'gt5':
      return a > 5 && b > 5;
    default:
      unreachable(rule);
  }
}

/**
 * Pull per bin, (ref − gen)/sqrt(ref + gen); NaN where both are empty (undefined pull).
 * Counts are used as they are: callers compare samples of equal size (evaluate generates as many events
 * as the reference holds), so no normalisation is applied.
 */
export function pulls(ref: ArrayLike<number>, gen: ArrayLike<number>): Float64Array {
  if (ref.length !== gen.length) throw new RangeError(`pulls need histograms of one binning, got ${ref.length} and ${gen.length} bins`);
  const out = new Float64Array(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const a = ref[i]!;
    const b = gen[i]!;
    out[i] = a + b > 0 ? (a - b) / Math.sqrt(a + b) : Number.NaN;
  }
  return out;
}

export interface MapResult {
  /** Mean |pull| over the selected bins (NaN when no bin is selected). */
  readonly map: number;
  /** Number of bins selected by the rule. */
  readonly bins: number;
}

/** MAP of two histograms under a bin-selection rule. */
export function meanAbsPull(ref: ArrayLike<number>, gen: ArrayLike<number>, rule: BinRule = 'nonzero'): MapResult {
  if (ref.length !== gen.length) throw new RangeError(`MAP needs histograms of one binning, got ${ref.length} and ${gen.length} bins`);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const a = ref[i]!;
    const b = gen[i]!;
    if (!binSelected(a, b, rule)) continue;
    sum += Math.abs(a - b) / Math.sqrt(a + b);
    n++;
  }
  return { map: n > 0 ? sum / n : Number.NaN, bins: n };
}
