import { describe, expect, it } from 'vitest';
import { binEdges, hist1d, hist2d, total } from '../../src/metrics/histogram.ts';

describe('histograms', () => {
  it('put edge values in the right bins, the upper edge in the last bin', () => {
    const h = hist1d([-1, -0.5, 0, 0.999, 1, 1.0001, Number.NaN], -1, 1, 4);
    expect(Array.from(h.counts)).toEqual([1, 1, 1, 2]);
    expect(h.outside).toBe(2);
  });

  it('index 2D bins as counts[ix * ny + iy]', () => {
    const h = hist2d([-0.9, 0.9], [0.9, -0.9], { lo: -1, hi: 1, bins: 2 }, { lo: -1, hi: 1, bins: 3 });
    expect(Array.from(h.counts)).toEqual([0, 0, 1, 1, 0, 0]);
    expect(total(h.counts)).toBe(2);
  });

  it('sum weights when given and list bins + 1 edges', () => {
    expect(Array.from(hist1d([0.1, 0.1, 0.9], 0, 1, 2, [2, 0.5, 3]).counts)).toEqual([2.5, 3]);
    expect(binEdges(0, 1, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});
