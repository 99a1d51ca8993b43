import { describe, expect, it } from 'vitest';
import { sizeLabel, studyTable, type LoadedEvaluation } from '../../src/study-report/study.ts';

function ev(id: string, method: string, size: number, maps: number[], emds: number[], spread?: [number, number]): LoadedEvaluation {
  const points = maps.map((m, i) => ({ point: `p${i}`, E_nu: i + 1, events: 1, map_nonzero: m, map_gt5: m, emd_E_mu_proxy: emds[i]!, emd_theta_proxy: emds[i]!, emd_mean: emds[i]! }));
  if (spread) points.push({ point: 'spread', E_nu: null as unknown as number, events: 1, map_nonzero: spread[0], map_gt5: spread[0], emd_E_mu_proxy: spread[1], emd_theta_proxy: spread[1], emd_mean: spread[1] });
  return { id, labels: { domain: 'nu-argon', size, method }, backend: 'x', seed: 1, points, histograms: [] };
}

describe('the study table', () => {
  it('averages over fixed energies, keeps the spread point apart and marks the best method per row', () => {
    const t = studyTable([
      ev('a', 'scratch', 10000, [1.2, 1.4], [0.02, 0.04], [5, 5]),
      ev('b', 'TL', 10000, [0.9, 1.1], [0.03, 0.05]),
      ev('c', 'TL', 100000, [0.85, 0.85], [0.01, 0.01]),
    ]);
    expect(t.methods).toEqual(['TL', 'scratch']);
    expect(t.rows.map((r) => r.size)).toEqual(['10k', '100k']);
    const row = t.rows[0]!;
    expect(row.cells.TL!.map).toBeCloseTo(1.0, 12);
    expect(row.cells.scratch!.map).toBeCloseTo(1.3, 12);
    expect(row.cells.scratch!.mapSpread).toBe(5);
    expect(row.cells.TL!.bestMap).toBe(true);
    expect(row.cells.scratch!.bestMap).toBe(false);
    expect(row.cells.scratch!.bestEmd).toBe(true); // 0.03 < 0.04
    expect(t.rows[1]!.cells.TL!.bestMap).toBe(false); // alone in its row: nothing to compare
  });

  it('writes training sizes the way physicists say them', () => {
    expect([sizeLabel(10000), sizeLabel(100000), sizeLabel(4000000), sizeLabel(1234), sizeLabel('all')]).toEqual(['10k', '100k', '4M', '1234', 'all']);
  });
});
