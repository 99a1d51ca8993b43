import { describe, expect, it } from 'vitest';
import { modelGroups, pairBySeed, sizeLabel, studyTable, variantOf, verdictRows, type LoadedEvaluation } from '../../src/study-report/study.ts';

function ev(id: string, method: string, size: number | undefined, maps: number[], emds: number[], opts: { spread?: [number, number]; seed?: number; freeze?: number | string; domain?: string } = {}): LoadedEvaluation {
  const points = maps.map((m, i) => ({ point: `E_nu = ${i + 1} GeV`, E_nu: i + 1, events: 1, map_nonzero: m, map_gt5: m, emd_E_mu_proxy: emds[i]!, emd_theta_proxy: emds[i]!, emd_mean: emds[i]! }));
  if (opts.spread) points.push({ point: 'spread', E_nu: null as unknown as number, events: 1, map_nonzero: opts.spread[0], map_gt5: opts.spread[0], emd_E_mu_proxy: opts.spread[1], emd_theta_proxy: opts.spread[1], emd_mean: opts.spread[1] });
  const labels = { domain: opts.domain ?? 'nu-argon', method, ...(size !== undefined ? { size } : {}), ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.freeze !== undefined ? { freeze: opts.freeze } : {}) };
  return { id, labels, backend: 'x', seed: 1, points, histograms: [] };
}

describe('the study table', () => {
  it('averages over fixed energies, keeps the spread point apart and marks the best method per row', () => {
    const t = studyTable([
      ev('a', 'scratch', 10000, [1.2, 1.4], [0.02, 0.04], { spread: [5, 5] }),
      ev('b', 'TL', 10000, [0.9, 1.1], [0.03, 0.05]),
      ev('c', 'TL', 100000, [0.85, 0.85], [0.01, 0.01]),
    ]);
    expect(t.methods).toEqual(['TL', 'scratch']);
    expect(t.rows.map((r) => r.size)).toEqual(['10k', '100k']);
    const row = t.rows[0]!;
    expect(row.cells.TL!.map.mean).toBeCloseTo(1.0, 12);
    expect(row.cells.scratch!.map.mean).toBeCloseTo(1.3, 12);
    expect(row.cells.scratch!.mapSpread!.mean).toBe(5);
    expect(row.cells.TL!.bestMap).toBe(true);
    expect(row.cells.scratch!.bestMap).toBe(false);
    expect(row.cells.scratch!.bestEmd).toBe(true); // 0.03 < 0.04
    expect(t.rows[1]!.cells.TL!.bestMap).toBe(false); // alone in its row: nothing to compare
  });

  it('aggregates seeds: mean and sample spread of each seed’s mean over the fixed energies', () => {
    const t = studyTable([ev('a1', 'TL', 10000, [1, 2], [0, 0], { seed: 1 }), ev('a2', 'TL', 10000, [2, 3], [0, 0], { seed: 2 }), ev('a3', 'TL', 10000, [3, 4], [0, 0], { seed: 3 })]);
    expect(t.rows).toHaveLength(1);
    const c = t.rows[0]!.cells.TL!;
    expect(c.map.mean).toBeCloseTo(2.5, 12); // seeds give 1.5, 2.5, 3.5
    expect(c.map.sd).toBeCloseTo(1, 12);
    expect(c.map.values.map((v) => v.seed)).toEqual(['1', '2', '3']);
    expect(c.evaluations).toEqual(['a1', 'a2', 'a3']);
  });

  it('puts the base model in every row of its domain, and in a row of its own where it is alone', () => {
    const t = studyTable([
      ev('tl', 'TL', 10000, [1], [0]),
      ev('tl2', 'TL', 100000, [0.9], [0]),
      ev('base', 'base', undefined, [3], [0]),
      ev('base-c', 'base', 2000000, [1.1], [0], { domain: 'nu-carbon' }),
    ]);
    expect(t.methods).toEqual(['TL', 'base']);
    expect(t.rows.map((r) => [r.domain, r.size, Object.keys(r.cells).sort().join('+')])).toEqual([
      ['nu-argon', '10k', 'TL+base'],
      ['nu-argon', '100k', 'TL+base'],
      ['nu-carbon', '2M', 'base'],
    ]);
  });

  it('writes training sizes the way physicists say them', () => {
    expect([sizeLabel(10000), sizeLabel(100000), sizeLabel(4000000), sizeLabel(1234), sizeLabel('all')]).toEqual(['10k', '100k', '4M', '1234', 'all']);
  });
});

describe('groups, variants and verdict rows', () => {
  it('makes a variant of every label beyond domain, size, method and seed', () => {
    expect(variantOf(ev('x', 'TL', 10000, [1], [0], { seed: 2, freeze: 3 }))).toBe('freeze 3');
    expect(variantOf(ev('x', 'TL', 10000, [1], [0], { seed: 2 }))).toBe('');
    const g = modelGroups([ev('a', 'TL', 10000, [1], [0], { freeze: 10 }), ev('b', 'TL', 10000, [1], [0], { freeze: 2 }), ev('c', 'TL', 10000, [1], [0], { freeze: 'all-lr' })]);
    expect(g.map((x) => x.column)).toEqual(['TL (freeze 2)', 'TL (freeze 10)', 'TL (freeze all-lr)']);
  });

  it('pairs seeds by label and ignores seeds only one side has', () => {
    const [tl, scratch] = modelGroups([
      ev('t1', 'TL', 10000, [1.0], [0], { seed: 1 }), ev('t2', 'TL', 10000, [1.1], [0], { seed: 2 }), ev('t3', 'TL', 10000, [1.2], [0], { seed: 3 }),
      ev('s2', 'scratch', 10000, [2.1], [0], { seed: 2 }), ev('s1', 'scratch', 10000, [2.0], [0], { seed: 1 }),
    ]);
    expect(pairBySeed(tl!.points[0]!.map, scratch!.points[0]!.map)).toEqual({ seeds: ['1', '2'], a: [1.0, 1.1], b: [2.0, 2.1] });
  });

  it('compares each TL group with scratch of the same domain and size, point by point and over the fixed energies', () => {
    const evs = [1, 2, 3].flatMap((s) => [
      ev(`t${s}`, 'TL', 10000, [1 + 0.01 * s, 1.5 + 0.02 * s], [0.01, 0.02], { seed: s, spread: [1, 0.01] }),
      ev(`s${s}`, 'scratch', 10000, [1.5 + 0.01 * s, 1.5 - 0.03 * s], [0.01, 0.02], { seed: s, spread: [1.4, 0.02] }),
    ]);
    const rows = verdictRows(modelGroups([...evs, ev('b', 'base', undefined, [4, 4], [0.1, 0.1])]));
    expect(rows).toHaveLength(1);
    const r = rows[0]!;
    expect(r.cells.map((c) => [c.label, c.map.kind])).toEqual([
      ['E_nu = 1 GeV', 'TL better'], // scratch higher by exactly 0.5 in every seed
      ['E_nu = 2 GeV', 'within spread'], // differences −0.05, −0.1, −0.15: one sign, but spread as large as the mean
      ['spread', 'TL better'],
    ]);
    expect(r.cells[0]!.seeds).toEqual(['1', '2', '3']);
    expect(r.cells[1]!.map.p).toBeGreaterThan(0.05);
    expect(r.overall.map.n).toBe(3);
  });

  it('gives no verdict row without a scratch model of the same domain and size', () => {
    expect(verdictRows(modelGroups([ev('t', 'TL', 10000, [1], [0]), ev('s', 'scratch', 100000, [1], [0])]))).toEqual([]);
  });
});
