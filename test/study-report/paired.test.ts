import { describe, expect, it } from 'vitest';
import { meanSd, pairedTTest, studentTwoSidedP, verdict } from '../../src/study-report/paired.ts';

describe("Student's t tail probability", () => {
  it('matches the closed forms for one and two degrees of freedom', () => {
    for (const t of [0, 0.3, 1, 2.5, 12.706, 100]) {
      expect(studentTwoSidedP(t, 1)).toBeCloseTo(1 - (2 / Math.PI) * Math.atan(t), 12);
      expect(studentTwoSidedP(-t, 2)).toBeCloseTo(1 - t / Math.sqrt(2 + t * t), 12);
    }
  });

  it('gives 5 % at the tabulated two-sided critical values', () => {
    const critical: [number, number][] = [[1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [6, 2.447], [9, 2.262], [10, 2.228], [30, 2.042]];
    for (const [df, t] of critical) expect(Math.abs(studentTwoSidedP(t, df) - 0.05), `df ${df}`).toBeLessThan(2e-4);
  });

  it('gives 1 at t = 0, 0 at infinite t, and approaches the normal tail for many degrees of freedom', () => {
    expect(studentTwoSidedP(0, 7)).toBe(1);
    expect(studentTwoSidedP(Number.POSITIVE_INFINITY, 3)).toBe(0);
    expect(studentTwoSidedP(1.959964, 2000)).toBeCloseTo(0.05, 3);
  });

  it('refuses a non-integer number of degrees of freedom', () => {
    expect(() => studentTwoSidedP(1, 0)).toThrow(/degrees of freedom/);
    expect(() => studentTwoSidedP(1, 2.5)).toThrow(/degrees of freedom/);
  });
});

describe('the paired comparison of TL and scratch over seeds', () => {
  it('computes mean, spread, t and p of the differences on a hand-worked example', () => {
    // d = [1, 2, 2]: mean 5/3, sd = sqrt(1/3), t = 5, df = 2 → p = 1 − 5/√27.
    const r = pairedTTest([1, 2, 3], [2, 4, 5]);
    expect(r.n).toBe(3);
    expect(r.meanDiff).toBeCloseTo(5 / 3, 12);
    expect(r.sdDiff).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(r.t).toBeCloseTo(5, 12);
    expect(r.p).toBeCloseTo(1 - 5 / Math.sqrt(27), 12);
    expect(r.bLarger).toBe(3);
  });

  it('says TL is better when scratch is worse (higher MAP) in every seed by much more than the spread', () => {
    const v = verdict([1.0, 1.1, 0.95], [1.6, 1.75, 1.58]);
    expect(v.kind).toBe('TL better');
    expect(v.p).toBeLessThan(0.05);
  });

  it('says scratch is better in the mirrored case', () => {
    expect(verdict([1.6, 1.75, 1.58], [1.0, 1.1, 0.95]).kind).toBe('scratch better');
  });

  it('says within spread when the seeds disagree about the sign', () => {
    const v = verdict([1.0, 1.5, 1.2], [1.3, 1.1, 1.25]);
    expect(v.kind).toBe('within spread');
    expect(v.p).toBeGreaterThan(0.05);
  });

  it('with two seeds needs the two differences to agree closely', () => {
    // d = [0.5, 0.52]: t = 0.51 / (0.01414/√2) = 51 → p ≈ 0.012.
    expect(verdict([1, 1], [1.5, 1.52]).kind).toBe('TL better');
    // d = [0.5, 0.3]: t = 0.4 / 0.1 = 4 → p ≈ 0.16: consistent sign, still within spread.
    expect(verdict([1, 1], [1.5, 1.3]).kind).toBe('within spread');
  });

  it('with one seed gives no verdict, only which method was lower', () => {
    const v = verdict([1.2], [1.5]);
    expect(v.kind).toBe('one seed');
    expect(v.lower).toBe('TL');
    expect(Number.isNaN(v.p)).toBe(true);
    expect(verdict([1.5], [1.2]).lower).toBe('scratch');
  });

  it('treats identical non-zero differences as infinitely significant and identical values as no difference', () => {
    expect(verdict([1, 2, 3], [1.5, 2.5, 3.5]).kind).toBe('TL better');
    expect(verdict([1, 2], [1, 2]).kind).toBe('within spread');
  });

  it('refuses samples of different lengths', () => {
    expect(() => pairedTTest([1, 2], [1])).toThrow(/length/);
  });

  it('gives the sample standard deviation (n − 1)', () => {
    expect(meanSd([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, sd: Math.sqrt(32 / 7), n: 8 });
    expect(Number.isNaN(meanSd([3]).sd)).toBe(true);
  });
});
