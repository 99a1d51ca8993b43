import { describe, expect, it } from 'vitest';
import { hist2d } from '../../src/metrics/histogram.ts';
import { meanAbsPull, PERFECT_MAP, pulls } from '../../src/metrics/map.ts';
import { Rng } from '../../src/util/rng.ts';

function uniformPlane(n: number, seed: number): { x: Float64Array; y: Float64Array } {
  const rng = new Rng(seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) { x[i] = 2 * rng.next() - 1; y[i] = 2 * rng.next() - 1; }
  return { x, y };
}

const grid = { lo: -1, hi: 1, bins: 50 };

describe('mean absolute pull', () => {
  it('is zero for identical histograms under both bin rules', () => {
    const { x, y } = uniformPlane(20_000, 1);
    const h = hist2d(x, y, grid, grid);
    expect(meanAbsPull(h.counts, h.counts, 'nonzero').map).toBe(0);
    expect(meanAbsPull(h.counts, h.counts, 'gt5').map).toBe(0);
  });

  it('is close to sqrt(2/pi) for two independent 1M samples of one distribution', () => {
    // With 1M events spread uniformly over 2500 bins each bin holds ~400 counts, so every pull is close
    // to a standard normal and |pull| has mean sqrt(2/pi) and standard deviation sqrt(1 − 2/pi) ≈ 0.603.
    // The MAP of 2500 independent bins therefore scatters by 0.603/sqrt(2500) ≈ 0.012; 4 sigma is the
    // tolerance (the discreteness bias at 400 counts per bin is < 0.001).
    const a = uniformPlane(1_000_000, 11);
    const b = uniformPlane(1_000_000, 12);
    const ha = hist2d(a.x, a.y, grid, grid);
    const hb = hist2d(b.x, b.y, grid, grid);
    const r = meanAbsPull(ha.counts, hb.counts, 'nonzero');
    expect(r.bins).toBe(2500);
    const sigma = Math.sqrt(1 - 2 / Math.PI) / Math.sqrt(r.bins);
    expect(Math.abs(r.map - PERFECT_MAP)).toBeLessThan(4 * sigma);
  });

  it('counts only bins where both are non-zero, or both above 5', () => {
    const ref = [0, 1, 6, 10, 3, 0, 8];
    const gen = [0, 2, 7, 0, 6, 4, 5];
    const nonzero = meanAbsPull(ref, gen, 'nonzero');
    const gt5 = meanAbsPull(ref, gen, 'gt5');
    expect(nonzero.bins).toBe(4); // bins 1, 2, 4, 6
    expect(gt5.bins).toBe(1); // bin 2 only (8 vs 5 fails: 5 is not above 5)
    expect(gt5.map).toBeCloseTo(1 / Math.sqrt(13), 14);
    const expected = (1 / Math.sqrt(3) + 1 / Math.sqrt(13) + 3 / Math.sqrt(9) + 3 / Math.sqrt(13)) / 4;
    expect(nonzero.map).toBeCloseTo(expected, 14);
  });

  it('gives NaN when no bin is selected and NaN pulls for doubly empty bins', () => {
    expect(meanAbsPull([0, 3], [2, 0], 'nonzero').map).toBeNaN();
    const p = pulls([0, 4], [0, 0]);
    expect(p[0]).toBeNaN();
    expect(p[1]).toBe(2);
  });

  it('rejects histograms of different binnings', () => {
    expect(() => meanAbsPull([1, 2], [1], 'nonzero')).toThrow(/one binning/);
  });
});
