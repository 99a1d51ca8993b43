import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { sortedFinite, wasserstein1, wasserstein1Sorted } from '../../src/metrics/emd.ts';
import { Rng } from '../../src/util/rng.ts';

/** scipy's algorithm written out naively: CDFs by counting at every point of the pooled sample. */
function naiveW1(u: number[], v: number[]): number {
  const all = [...u, ...v].sort((a, b) => a - b);
  const cdf = (s: number[], x: number) => s.filter((y) => y <= x).length / s.length;
  let sum = 0;
  for (let k = 0; k + 1 < all.length; k++) sum += Math.abs(cdf(u, all[k]!) - cdf(v, all[k]!)) * (all[k + 1]! - all[k]!);
  return sum;
}

function normals(n: number, seed: number, shift = 0): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = shift + Math.sqrt(-2 * Math.log(rng.nextOpen())) * Math.cos(2 * Math.PI * rng.next());
  return out;
}

describe('earth mover distance', () => {
  it('is zero for identical samples', () => {
    const a = normals(100_000, 3);
    expect(wasserstein1(a, Float64Array.from(a).reverse())).toBe(0);
  });

  it('equals the shift between a sample and its translate', () => {
    const a = normals(200_000, 4);
    for (const d of [0.05, 0.37, -1.5]) {
      expect(wasserstein1(a, a.map((x) => x + d))).toBeCloseTo(Math.abs(d), 12);
    }
  });

  it('matches the integral of the CDF difference on a hand-computed case', () => {
    // F_u − F_v = 1/4 on [0,1), 1/2 on [1,2), 1/4 on [2,3): the area is 1.
    expect(wasserstein1([0, 1], [0, 1, 2, 3])).toBeCloseTo(1, 15);
    expect(wasserstein1([0, 1, 3], [5, 6, 8])).toBeCloseTo(5, 15);
  });

  it('agrees with a naive evaluation of scipy formula on samples with ties and unequal sizes', () => {
    const rng = new Rng(9);
    for (let t = 0; t < 20; t++) {
      const u = Array.from({ length: 5 + (t % 7) * 9 }, () => Math.round(rng.next() * 20) / 4);
      const v = Array.from({ length: 3 + (t % 5) * 11 }, () => Math.round(rng.next() * 24) / 4 - 1);
      expect(wasserstein1(u, v)).toBeCloseTo(naiveW1(u, v), 12);
    }
  });

  it('ends on samples that are all NaN or infinite, and on NaN passed to the sorted form (issue 14, item 1: it once never advanced on NaN)', () => {
    const nan = Array.from({ length: 5000 }, () => Number.NaN);
    expect(wasserstein1(nan, [0, 1])).toBeNaN(); // nothing left of the first sample
    expect(Number.isNaN(wasserstein1Sorted([Number.NaN, 0.5, Number.NaN], [0, 1]))).toBe(true);
    expect(wasserstein1([Number.POSITIVE_INFINITY, 0], [0, 1])).toBe(Number.POSITIVE_INFINITY);
  });

  it('ignores NaN entries', () => {
    expect(wasserstein1([0, Number.NaN, 1], [0, 1, Number.NaN])).toBe(0);
  });

  it('sorts large arrays exactly as a numeric sort does, negatives and zeros included', () => {
    const a = normals(50_000, 5).map((x, i) => (i % 101 === 0 ? -0 : i % 103 === 0 ? Number.NaN : x * 1e3));
    const expected = Float64Array.from(a).sort().filter((x) => !Number.isNaN(x));
    const got = sortedFinite(a);
    expect(got.length).toBe(expected.length);
    expect(Array.from(got).every((x, i) => x === expected[i])).toBe(true);
  });

  const scipy = (() => {
    try {
      execFileSync('python3', ['-c', 'import scipy.stats'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!scipy)('matches scipy.stats.wasserstein_distance on random samples (skipped without python3 + scipy)', () => {
    const u = Array.from(normals(3000, 6));
    const v = Array.from(normals(2000, 7, 0.2)).map((x) => x * 1.3);
    const out = execFileSync('python3', ['-c', 'import sys, json; from scipy.stats import wasserstein_distance as w; d = json.load(sys.stdin); print(repr(float(w(d[0], d[1]))))'], {
      input: JSON.stringify([u, v]),
    });
    expect(wasserstein1(u, v)).toBeCloseTo(Number(out.toString().trim()), 12);
  });
});
