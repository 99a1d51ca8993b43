import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.ts';

describe('Rng (xoshiro128**)', () => {
  it('repeats the same sequence for the same seed and stream', () => {
    const a = new Rng(42, 3), b = new Rng(42, 3);
    for (let i = 0; i < 100; i++) expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it('gives different sequences for different streams and seeds', () => {
    const seq = (r: Rng): number[] => Array.from({ length: 8 }, () => r.nextUint32());
    expect(seq(new Rng(1, 0))).not.toEqual(seq(new Rng(1, 1)));
    expect(seq(new Rng(1, 0))).not.toEqual(seq(new Rng(2, 0)));
  });

  it('draws uniform doubles in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = new Rng(7);
    const n = 200_000;
    let s = 0, s2 = 0, lo = 1, hi = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      s += u; s2 += u * u; lo = Math.min(lo, u); hi = Math.max(hi, u);
    }
    // standard error of the mean is 1/sqrt(12 n) ≈ 6.5e-4: 5σ bounds
    expect(Math.abs(s / n - 0.5)).toBeLessThan(3.3e-3);
    expect(Math.abs(s2 / n - (s / n) ** 2 - 1 / 12)).toBeLessThan(2e-3);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
  });

  it('never returns 0 from nextOpen, so a logarithm of it is finite', () => {
    const r = new Rng(0);
    for (let i = 0; i < 10_000; i++) expect(Number.isFinite(Math.log(r.nextOpen()))).toBe(true);
  });
});
