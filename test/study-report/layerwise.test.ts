/**
 * The layer-wise transfer figure on a tiny frozen-depth sweep (the shape of pipelines/layerwise.yaml):
 * TL models labelled `freeze: 0 … 2` and `all-lr`, two seeds each, and the base model.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTinyStudy, type TinyStudy } from './tiny-study.ts';

let study: TinyStudy;
let index: string;

beforeAll(async () => {
  study = await buildTinyStudy(await mkdtemp(path.join(os.tmpdir(), 'nugan-layerwise-')), 2000, { freeze: [0, 1, 2, 'all-lr'], seeds: [1, 2], detailEnergies: [] });
  index = await readFile(study.report, 'utf8');
});
afterAll(async () => rm(study.root, { recursive: true, force: true }));

describe('the layer-wise transfer figure', () => {
  it('is drawn for a study that sweeps the frozen depth, for MAP and EMD', async () => {
    const files = await readdir(path.join(path.dirname(study.report), 'plots'));
    expect(files).toContain('freeze-depth-map.svg');
    expect(files).toContain('freeze-depth-emd.svg');
    expect(index).toContain('id="layerwise"');
    expect(index).toContain('src="plots/freeze-depth-map.svg"');
  });

  it('puts the depths in order on the x axis, numbers first, and draws every seed and the base model', async () => {
    const svg = await readFile(path.join(path.dirname(study.report), 'plots', 'freeze-depth-map.svg'), 'utf8');
    const ticks = [...svg.matchAll(/<text[^>]*>(0|1|2|all-lr)<\/text>/g)].map((m) => m[1]);
    expect(ticks.slice(0, 4)).toEqual(['0', '1', '2', 'all-lr']);
    expect(svg).toContain('frozen blocks of G and D');
    // 4 depths × 2 seeds as open points.
    expect((svg.match(/<path transform="translate[^>]*fill="none"[^>]*opacity="0.75"|<path transform="translate[^>]*opacity="0.75"/g) ?? []).length).toBe(8);
    expect(svg).toContain('>base<'); // the base model's reference line in the legend
  });

  it('gives each depth a column of the study table and says there is no TL/scratch verdict to give', () => {
    const table = /<table class="study"[\s\S]*?<\/table>/.exec(index)![0];
    for (const c of ['TL (freeze 0)', 'TL (freeze 1)', 'TL (freeze 2)', 'TL (freeze all-lr)', 'base']) expect(table).toContain(`>${c}<`);
    expect(index).toContain('no pair of TL and from-scratch models');
  });
});
