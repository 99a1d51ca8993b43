import { describe, expect, it } from 'vitest';
import { distributionSpec, lossName, methodColor, COLORS, proxyMapsSpec, spansDecades, trainingCurvesSpec } from '../../src/plot/charts.ts';
import { renderSvg, svgToPng } from '../../src/plot/render.ts';

const h1 = { lo: 0, hi: 2, bins: 4, reference: [10, 1000, 100, 0], generated: [12, 990, 95, 1] };

describe('plots', () => {
  it('render a distribution to SVG with labelled axes, legend and ratio panel', async () => {
    const svg = await renderSvg(distributionSpec(h1, { axis: 'E_μ (GeV)', title: 'E_μ at 1 GeV', generated: 'TL · nu-argon', color: COLORS.TL }));
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['E_μ (GeV)', 'events / bin', 'gen / ref', 'reference', 'TL · nu-argon']) expect(svg).toContain(text);
    expect(svg).toContain(COLORS.TL);
  });

  it('use a log scale only when counts span more than two decades', () => {
    expect(spansDecades([1, 50])).toBe(false);
    expect(spansDecades([0, 1, 1000])).toBe(true);
    expect(spansDecades([0, 0])).toBe(false);
  });

  it('rasterise SVG to a PNG at the requested scale', async () => {
    const svg = await renderSvg(distributionSpec(h1, { axis: 'x (GeV)', title: 't', generated: 'g', color: '#000' }));
    const width = Number(/width="(\d+)"/.exec(svg)![1]);
    const png = svgToPng(svg, 2);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(2 * width); // IHDR width
  });

  it('draw proxy maps only for populated bins and pulls for bins with any entry', () => {
    const bins = 2;
    const spec = proxyMapsSpec({ bins, lo: -1, hi: 1, reference: [4, 0, 0, 1], generated: [1, 0, 2, 0] }, { generated: 'gen', title: 't' }) as { hconcat: { data: { values: unknown[] } }[] };
    expect(spec.hconcat.map((p) => p.data.values.length)).toEqual([2, 2, 3]);
  });

  it('give each method one colour everywhere', () => {
    expect(methodColor('TL')).toBe(COLORS.TL);
    expect(methodColor('scratch')).toBe(COLORS.scratch);
    expect(methodColor(undefined)).toBe(COLORS.generated);
  });

  it('name the GAN losses in words and mark the chosen epoch', async () => {
    expect(lossName('loss_g')).toBe('generator loss');
    expect(lossName('d_loss')).toBe('discriminator loss');
    expect(lossName('val_loss_gen')).toBe('val generator loss');
    const svg = await renderSvg(trainingCurvesSpec({ epochs: [1, 2, 3], losses: { loss_g: [1, 0.9, 0.8] }, valMap: [2, 1, 1.5], chosenEpoch: 2 }, 'Training'));
    expect(svg).toContain('chosen epoch 2');
    expect(svg).toContain('validation MAP');
  });
});
