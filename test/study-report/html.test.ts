import { describe, expect, it } from 'vitest';
import { figureHtml, verdictTableHtml } from '../../src/study-report/html.ts';
import { modelGroups, verdictRows, type LoadedEvaluation } from '../../src/study-report/study.ts';

function ev(domain: string, method: string, seed: number, spreadLabel: string, map: number): LoadedEvaluation {
  const point = (label: string, E_nu: number | null) => ({ point: label, E_nu, events: 1, map_nonzero: map, map_gt5: map, emd_E_mu_proxy: 0.01, emd_theta_proxy: 0.01, emd_mean: 0.01 });
  return { id: `${domain}-${method}-${seed}`, labels: { domain, size: 10000, method, seed }, backend: 'x', seed, points: [point('E_nu = 1 GeV', 1), point(spreadLabel, null)], histograms: [] };
}

describe('the verdict table', () => {
  it('gives the spread points of all domains one column, though each reference has its own exact range', () => {
    const evs = [1, 2].flatMap((s) => [
      ev('nu-argon', 'TL', s, 'E_nu in [0.301, 9.99] GeV', 1 + 0.01 * s), ev('nu-argon', 'scratch', s, 'E_nu in [0.301, 9.99] GeV', 2),
      ev('antinu-carbon', 'TL', s, 'E_nu in [0.307, 10] GeV', 1), ev('antinu-carbon', 'scratch', s, 'E_nu in [0.307, 10] GeV', 2 + 0.01 * s),
    ]);
    const html = verdictTableHtml(verdictRows(modelGroups(evs)), 'map', (d) => `domain-${d}.html`);
    const heads = [...html.matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(heads).toEqual(['domain', 'training events', 'E_ν = 1 GeV', 'E_ν spread', 'mean over fixed E_ν']);
    expect(html).toContain('title="E_ν in [0.307, 10] GeV; E_ν in [0.301, 9.99] GeV"');
    for (const row of html.split('<tr>').slice(2)) expect((row.match(/<td class="verdict v-tl"/g) ?? []).length).toBe(3);
    expect(html).toContain('href="domain-nu-argon.html"');
  });
});

describe('a figure on a page', () => {
  it('is loaded lazily from its file, sized before it loads, and no wider than its image', () => {
    const html = figureHtml({ name: 'x', caption: 'W at 1 GeV <a>', file: 'plots/x.svg', width: 400, height: 300, also: ['plots/x.png'] });
    expect(html).toContain('<figure style="max-width:400px"><img loading="lazy" decoding="async" src="plots/x.svg" width="400" height="300" alt="W at 1 GeV &lt;a&gt;">');
    expect(html).toContain('<a href="plots/x.svg">SVG</a> · <a href="plots/x.png">PNG</a>');
  });
});
