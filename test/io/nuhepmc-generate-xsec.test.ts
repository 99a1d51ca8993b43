/**
 * A model trained on reference-generator events carries their σ(E_nu) table, so `nugan generate`
 * writes NuHepMC files that can be normalised (G.R.5 flux-averaged cross section, E.C.2 tot_xs per
 * event) with the same σ the training data had.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelInfo } from '../../src/gan/model.ts';
import { readEventTable } from '../../src/io/event-table.ts';
import { crossSectionTableOf, totalSigma } from '../../src/io/nuhepmc-xsec.ts';
import { nugan, parseHepMC3 } from './nuhepmc-fixtures.ts';

const root = mkdtempSync(path.join(tmpdir(), 'nugan-gen-xsec-'));
let model = '';
let trainingTable = '';

beforeAll(async () => {
  const pipeline = path.join(root, 'p.yaml');
  writeFileSync(
    pipeline,
    [
      'name: gen-xsec',
      'stages:',
      '  data:',
      '    uses: simulate',
      '    with: { domain: nu-argon, events: 3000, enu: { uniform: [0.5, 5] } }',
      '  model:',
      '    uses: train',
      '    with: { data: data, epochs: 1, architecture: { blocks: 1, width: 8 }, val_events: 500, threads: 1 }',
      '',
    ].join('\n'),
  );
  const store = path.join(root, 'store');
  await nugan('run', pipeline, '--store', store);
  const output = async (stage: string, name: string): Promise<string> =>
    (JSON.parse((await nugan('show', stage, pipeline, '--store', store, '--json')).stdout) as { stages: { outputs: Record<string, string> }[] }).stages[0]!.outputs[name]!;
  model = await output('model', 'model');
  trainingTable = await output('data', 'events');
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('generated NuHepMC files and the cross section', () => {
  it("keep the training data's sigma(E_nu) table in the saved model", async () => {
    const info = await readModelInfo(model);
    const { meta } = await readEventTable(trainingTable);
    expect(info.cross_sections).toEqual(meta.cross_sections);
  });

  it('state sigma_tot(E_nu) as the flux-averaged cross section of a fixed-energy sample, and tot_xs on every event', async () => {
    const out = path.join(root, 'fixed.hepmc3');
    await nugan('generate', '--model', model, '--enu', '2', '--events', '20', '--device', 'cpu', '--out', out);
    const file = parseHepMC3(out);
    const table = crossSectionTableOf((await readEventTable(trainingTable)).meta)!;
    const sigma = Number(file.run.get('NuHepMC.FluxAveragedTotalCrossSection'));
    expect(sigma).toBeCloseTo(totalSigma(table, 2), 6);
    expect(file.events).toHaveLength(20);
    for (const ev of file.events) expect(Number(ev.attrs.get('tot_xs'))).toBeCloseTo(sigma, 6);
  });

  it('state the harmonic-mean cross section of a uniform E_nu range, as simulate does in its conditional mode', async () => {
    const gen = path.join(root, 'range.hepmc3');
    await nugan('generate', '--model', model, '--enu-range', '0.5:5', '--events', '20', '--device', 'cpu', '--out', gen);
    const sim = path.join(root, 'sim.hepmc3');
    await nugan('simulate', '--domain', 'nu-argon', '--enu-range', '0.5:5', '--events', '20', '--threads', '1', '--out', sim);
    const a = Number(parseHepMC3(gen).run.get('NuHepMC.FluxAveragedTotalCrossSection'));
    const b = Number(parseHepMC3(sim).run.get('NuHepMC.FluxAveragedTotalCrossSection'));
    expect(a).toBeGreaterThan(0);
    expect(a).toBeCloseTo(b, 6);
  });
});
