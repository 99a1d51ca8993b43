import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/contract/stage.ts';
import { concatBatches, type EventBatch } from '../../src/io/event-batch.ts';
import { readEventMeta, writeEventTable } from '../../src/io/event-table.ts';
import { channelOfProcId, readNuHepMC, type NuHepMCStats } from '../../src/io/nuhepmc.ts';
import { M_MU } from '../../src/physics/constants.ts';
import { tempDir } from './fixtures.ts';

async function read(file: string, stats?: NuHepMCStats): Promise<EventBatch> {
  const parts: EventBatch[] = [];
  for await (const b of readNuHepMC(file, { stats })) parts.push(b);
  return concatBatches(parts);
}

const HEAD = 'HepMC::Version 3.02.06\nHepMC::Asciiv3-START_EVENT_LISTING\nW CV\n';
const TAIL = 'HepMC::Asciiv3-END_EVENT_LISTING\n';

describe('NuHepMC', () => {
  it('reads back what the writer wrote: same events, channels, weights and metadata', async () => {
    const n = 300;
    const ev: EventBatch = { E_nu: new Float64Array(n), E_mu: new Float64Array(n), theta: new Float64Array(n), channel: new Uint8Array(n), weight: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      ev.E_nu[i] = 0.3 + i * 0.03;
      // E_mu > m_mu: a muon at rest has no direction to write.
      ev.E_mu[i] = M_MU + ((ev.E_nu[i]! - M_MU) * (((i * 37) % 100) + 0.5)) / 101;
      ev.theta[i] = (Math.PI * i) / (n - 1); // includes theta = 0 and theta = pi
      ev.channel![i] = i % 5;
      ev.weight![i] = 0.5 + (i % 4);
    }
    const file = path.join(tempDir(), 'gen.hepmc3');
    await writeEventTable(file, ev, { source: 'generate', domain: 'antinu-carbon', seed: 9 });
    const back = await read(file);
    expect(Array.from(back.E_nu)).toEqual(Array.from(ev.E_nu));
    expect(Array.from(back.E_mu)).toEqual(Array.from(ev.E_mu));
    for (let i = 0; i < n; i++) expect(Math.abs(back.theta[i]! - ev.theta[i]!)).toBeLessThan(1e-12);
    expect(Array.from(back.channel!)).toEqual(Array.from(ev.channel!));
    expect(Array.from(back.weight!)).toEqual(Array.from(ev.weight!));
    const meta = await readEventMeta(file);
    expect(meta).toMatchObject({ source: 'generate', domain: 'antinu-carbon', seed: 9, count: n });
    const text = readFileSync(file, 'utf8');
    // anti-nu_mu domain: beam -14 with status 4, mu+ with status 1.
    expect(text).toMatch(/^P 1 0 -14 0 0 \S+ \S+ 0 4$/m);
    expect(text).toMatch(/^P 3 -1 -13 .* 1$/m);
    expect(text).toMatch(/^A NuHepMC\.Version\.Major 1$/m);
    // The target nucleus at rest with its mass (12 u − 6 m_e = 11.1749 GeV).
    expect(text).toMatch(/^P 2 0 1000060120 0 0 0 11\.1748\d* 11\.1748\d* 20$/m);
    expect(text).toMatch(/^A 0 signal_process_id 200$/m);
    // A table without cross sections and without citations claims only the conventions it follows.
    expect(text).toMatch(/^A NuHepMC\.Conventions E\.C\.1 G\.C\.5 P\.C\.2$/m);
    expect(text).toMatch(/^A nugan\.CrossSection no cross section is known for these events/m);
    expect(text).not.toMatch(/FluxAveragedTotalCrossSection|Citations|tot_xs/);
  });

  it('writes GAN output (no channel column) with nugan process id 800 on every event and reads it back without channels', async () => {
    const n = 50;
    const ev: EventBatch = { E_nu: new Float64Array(n).fill(2), E_mu: new Float64Array(n), theta: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      ev.E_mu[i] = 0.2 + i * 0.03;
      ev.theta[i] = 0.01 * i;
    }
    const file = path.join(tempDir(), 'gan.hepmc3');
    await writeEventTable(file, ev, { source: 'nugan generate (model)', domain: 'nu-carbon', seed: 1 });
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^A NuHepMC\.ProcessIDs 800$/m);
    expect(text.match(/^A 0 signal_process_id 800$/gm)?.length).toBe(n);
    expect(text).toMatch(/^A nugan\.CrossSection unknown: the model carries no sigma/m);
    const back = await read(file);
    expect(back.channel).toBeUndefined();
    expect(Array.from(back.E_mu)).toEqual(Array.from(ev.E_mu));
    expect(Array.from(back.E_nu)).toEqual(Array.from(ev.E_nu));
  });

  it('takes the beam from status 4 and the muon from status 1, whatever their order, in MeV units', async () => {
    const file = path.join(tempDir(), 'order.hepmc3');
    writeFileSync(
      file,
      HEAD +
        // Laid out as nuwro2hepmc3 does: MEV CM units, target status 20, the primary-vertex muon as a
        // documentation line (status 3), the final-state muon (status 1) after the FSI vertex.
        'E 0 2 6\nU MEV CM\nW 2\nA 0 signal_process_id 500\n' +
        'P 1 0 1000060120 0 0 0 11177.9 11177.9 20\n' +
        'P 2 0 14 0 0 1500 1500 0 4\n' + // beam listed second
        'V -1 1 [1,2]\n' +
        'P 3 -1 13 0 0 900 900.5 105.658 3\n' +
        'P 4 -1 2212 0 0 700 1200 938.272 3\n' +
        'V -2 2 [3,4]\n' +
        'P 5 -2 13 600 0 800 1005.6 105.658 1\n' +
        'P 6 -2 2212 -600 0 700 1200 938.272 1\n' +
        TAIL,
    );
    const ev = await read(file);
    expect(ev.E_nu[0]).toBeCloseTo(1.5, 12);
    expect(ev.E_mu[0]).toBeCloseTo(1.0056, 12);
    expect(ev.theta[0]).toBeCloseTo(Math.atan2(600, 800), 12);
    expect(ev.channel![0]).toBe(2); // 500–599: non-resonant single pion → RES
    expect(ev.weight![0]).toBe(2);
  });

  it('drops NC and other-flavour events and counts them by reason', async () => {
    const file = path.join(tempDir(), 'mixed.hepmc3');
    const event = (no: number, beam: number, lep: number) =>
      `E ${no} 1 3\nU GEV MM\nP 1 0 ${beam} 0 0 1 1 0 4\nP 2 0 1000060120 0 0 0 11.178 11.178 20\nV -1 1 [1,2]\nP 3 -1 ${lep} 0.1 0 0.5 0.52 0.1057 1\n`;
    const imd = event(4, 14, 13).replace('U GEV MM\n', 'U GEV MM\nA 0 signal_process_id 700\n'); // inverse muon decay
    writeFileSync(file, HEAD + event(0, 14, 13) + event(1, 14, 14) + event(2, 12, 11) + event(3, 14, -13) + imd + TAIL);
    const stats: NuHepMCStats = { read: 0, kept: 0, dropped: {} };
    const ev = await read(file, stats);
    expect(ev.E_nu.length).toBe(1);
    expect(stats.read).toBe(5);
    expect(stats.dropped).toEqual({ 'other flavour': 1, 'no final-state muon (NC or other)': 2, 'neutrino-lepton scattering': 1 });
  });

  it('rejects a truncated file, an unknown unit and a short particle line, naming file and line', async () => {
    const dir = tempDir();
    const ok = 'E 0 1 3\nU GEV MM\nP 1 0 14 0 0 1 1 0 4\nV -1 1 [1]\nP 3 -1 13 0.1 0 0.5 0.52 0.1057 1\n';
    const cases: [string, RegExp][] = [
      [HEAD + ok, /t0\.hepmc3: file is truncated/],
      [HEAD + ok.replace('U GEV MM', 'U KEV MM') + TAIL, /t1\.hepmc3:5: malformed 'U' line: unknown momentum unit 'KEV'/],
      [HEAD + ok.replace('0.1057 1', '') + TAIL, /t2\.hepmc3:8: malformed 'P' line: expected 9 fields/],
      [HEAD + ok.replace('P 1 0 14 0 0 1 1', 'P 1 0 14 0 0 1 0.5').replace('0.52 0.1057', '0.9 0.1057') + TAIL, /t3\.hepmc3:4: muon energy E_mu = 0\.9 GeV exceeds/],
    ];
    for (const [i, [content, re]] of cases.entries()) {
      const file = path.join(dir, `t${i}.hepmc3`);
      writeFileSync(file, content);
      const err = await read(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).render()).toMatch(re);
    }
  });

  it('maps NuHepMC process ids onto channels by the suggested ranges', () => {
    expect([100, 200, 201, 250, 300, 400, 500, 600, 700].map(channelOfProcId)).toEqual([4, 0, 0, 0, 1, 2, 2, 3, undefined]);
  });
});
