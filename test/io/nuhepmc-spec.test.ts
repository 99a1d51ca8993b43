/**
 * The NuHepMC 1.0.0 checklist: every requirement of the specification (github.com/NuHepMC/Spec,
 * README "NuHepMC Specification Version 1.0.0"; arXiv:2310.13211) and every convention nugan signals,
 * checked by its code against files written by the real `nugan simulate` and `nugan generate`.
 * The files are read by an independent minimal parser (nuhepmc-fixtures.ts), not by nugan's reader.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { nugan, parseHepMC3, tinyModel, type HepFile } from './nuhepmc-fixtures.ts';

interface Sample {
  name: string;
  kind: 'simulate' | 'generate';
  args: string[];
  /** Fixed E_nu, GeV, when the sample has one. */
  E?: number;
  mode?: 'conditional' | 'flux';
  file?: HepFile;
  /** `nugan simulate --json` summary (simulate only). */
  summary?: { cross_sections: Record<string, number[]> };
}

const samples: Sample[] = [
  { name: 'simulate nu-carbon at 1 GeV', kind: 'simulate', args: ['--domain', 'nu-carbon', '--enu', '1', '--events', '1500'], E: 1 },
  { name: 'simulate antinu-carbon, E_nu uniform in 0.5–3 GeV', kind: 'simulate', args: ['--domain', 'antinu-carbon', '--enu-range', '0.5:3', '--events', '3000'], mode: 'conditional' },
  { name: 'simulate nu-argon, flux mode in 0.5–3 GeV', kind: 'simulate', args: ['--domain', 'nu-argon', '--enu-range', '0.5:3', '--energy-mode', 'flux', '--events', '3000'], mode: 'flux' },
  { name: 'generate at 1.5 GeV', kind: 'generate', args: ['--enu', '1.5', '--events', '400'], E: 1.5 },
  { name: 'generate, E_nu uniform in 0.5–3 GeV', kind: 'generate', args: ['--enu-range', '0.5:3', '--events', '400'] },
];

let root = '';
beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'nugan-nuhepmc-spec-'));
  const model = await tinyModel(path.join(root, 'model'));
  for (const [i, s] of samples.entries()) {
    const out = path.join(root, `${i}.hepmc3`);
    if (s.kind === 'simulate') {
      const r = await nugan('simulate', ...s.args, '--seed', String(11 + i), '--threads', '1', '--json', '--out', out);
      s.summary = JSON.parse(r.stdout) as Sample['summary'];
    } else {
      await nugan('generate', '--model', model, ...s.args, '--seed', String(11 + i), '--device', 'cpu', '--out', out);
    }
    s.file = parseHepMC3(out);
  }
}, 240_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ints = (s: string | undefined): number[] => (s ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
const conventions = (f: HepFile): string[] => (f.run.get('NuHepMC.Conventions') ?? '').split(/\s+/).filter(Boolean);
/** Standard PDG numbers nugan writes (leptons, neutrinos, nuclei 10LZZZAAAI). */
const standardPdg = (pdg: number) => [13, -13, 14, -14].includes(pdg) || (Math.abs(pdg) >= 1000000000 && Math.abs(pdg) < 1100000000);

/** One line per requirement or signalled convention: spec code, what it demands, and the check. */
const CHECKLIST: { code: string; title: string; check(f: HepFile, s: Sample): void }[] = [
  { code: 'G.R.1', title: 'a GenRunInfo (run-info lines) precedes the events', check: (f) => {
    expect(f.runInfoFirst).toBe(true);
    expect(f.weightNames.length + f.tools.length + f.run.size).toBeGreaterThan(0);
    expect(f.ended).toBe(true);
  } },
  { code: 'G.R.2', title: 'NuHepMC.Version.Major/Minor/Patch are integers 1.0.0', check: (f) => {
    expect(['Major', 'Minor', 'Patch'].map((k) => f.run.get(`NuHepMC.Version.${k}`))).toEqual(['1', '0', '0']);
  } },
  { code: 'G.R.3', title: 'a ToolInfo with non-empty name and version', check: (f) => {
    expect(f.tools.length).toBeGreaterThan(0);
    for (const t of f.tools) expect(t[0]!.length > 0 && (t[1] ?? '').length > 0).toBe(true);
    expect(f.tools[0]![0]).toBe('nugan');
  } },
  { code: 'G.R.4', title: 'NuHepMC.Conventions lists the conventions followed, each of them backed by the file', check: (f) => {
    const c = conventions(f);
    expect(c.length).toBeGreaterThan(0);
    for (const code of c) expect(code).toMatch(/^[GEVP]\.[CS]\.\d+$/);
    if (c.includes('G.C.2')) expect(f.run.has('NuHepMC.FluxAveragedTotalCrossSection')).toBe(true);
    if (c.includes('G.C.3')) expect([...f.run.keys()].some((k) => /^NuHepMC\.Citations\.[A-Za-z0-9[\]]+\.(arXiv|DOI|InspireHep)$/.test(k))).toBe(true);
    if (c.includes('G.C.5')) for (const n of ints(f.run.get('NuHepMC.AdditionalParticleNumbers'))) expect(f.run.get(`NuHepMC.AdditionalParticleInfo[${n}].Description`)).toBeTruthy();
    if (c.includes('G.C.4')) expect([...f.run.keys()].some((k) => /^NuHepMC\.Beam\[-?14\]\.Type$/.test(k))).toBe(true);
    if (c.includes('E.C.2')) for (const e of f.events) expect(e.attrs.has('tot_xs')).toBe(true);
    if (c.includes('E.C.3')) for (const e of f.events) expect(e.attrs.has('proc_xs')).toBe(true);
    if (c.includes('P.C.2')) for (const e of f.events) expect(e.particles.some((p) => p.pdg === 2009900000 && p.status === 1)).toBe(true);
  } },
  { code: 'G.R.5', title: 'flux-averaged total cross section through G.C.2 or E.C.4 (generate: documented as unknown)', check: (f, s) => {
    const c = conventions(f);
    if (s.kind === 'simulate') {
      expect(c).toContain('G.C.2');
      expect(Number(f.run.get('NuHepMC.FluxAveragedTotalCrossSection'))).toBeGreaterThan(0);
    } else {
      // The model carries no sigma(E_nu) today: the file must say so and must not pretend otherwise.
      expect(c).not.toContain('G.C.2');
      expect(c).not.toContain('E.C.4');
      expect(f.run.has('NuHepMC.FluxAveragedTotalCrossSection')).toBe(false);
      expect(f.run.get('nugan.CrossSection')).toMatch(/^unknown: the model carries no sigma\(E_nu\), so NuHepMC G\.R\.5 is not met/);
    }
  } },
  { code: 'G.R.6', title: 'cross-section unit and target scale with reserved values', check: (f) => {
    expect(['pb', '10-38 cm2', 'cm2']).toContain(f.run.get('NuHepMC.Units.CrossSection.Unit'));
    expect(['PerAtom', 'PerNucleon']).toContain(f.run.get('NuHepMC.Units.CrossSection.TargetScale'));
  } },
  { code: 'G.R.7', title: 'a weight named CV is declared and filled on every event', check: (f) => {
    expect(f.weightNames).toContain('CV');
    for (const e of f.events) {
      expect(e.weights.length).toBe(f.weightNames.length);
      expect(Number.isFinite(e.weights[f.weightNames.indexOf('CV')]!)).toBe(true);
    }
  } },
  { code: 'G.R.8', title: 'NuHepMC.ProcessIDs with a Name and a Description for each id', check: (f) => {
    const ids = ints(f.run.get('NuHepMC.ProcessIDs'));
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      expect(f.run.get(`NuHepMC.ProcessInfo[${id}].Name`)).toBeTruthy();
      expect(f.run.get(`NuHepMC.ProcessInfo[${id}].Description`)).toBeTruthy();
    }
  } },
  { code: 'G.R.9', title: 'NuHepMC.VertexStatusIDs with a Name and a Description for each status used', check: (f) => {
    const ids = ints(f.run.get('NuHepMC.VertexStatusIDs'));
    for (const id of ids) expect(f.run.get(`NuHepMC.VertexStatusInfo[${id}].Name`) && f.run.get(`NuHepMC.VertexStatusInfo[${id}].Description`)).toBeTruthy();
    for (const e of f.events) for (const v of e.vertices) expect(ids).toContain(v.status);
  } },
  { code: 'G.R.10', title: 'NuHepMC.ParticleStatusIDs with a Name and a Description for each status used', check: (f) => {
    const ids = ints(f.run.get('NuHepMC.ParticleStatusIDs'));
    for (const id of ids) expect(f.run.get(`NuHepMC.ParticleStatusInfo[${id}].Name`) && f.run.get(`NuHepMC.ParticleStatusInfo[${id}].Description`)).toBeTruthy();
    for (const e of f.events) for (const p of e.particles) expect(ids).toContain(p.status);
  } },
  { code: 'G.R.11', title: 'NuHepMC.AdditionalParticleNumbers declares every non-PDG number used, each with a Name', check: (f) => {
    const extra = ints(f.run.get('NuHepMC.AdditionalParticleNumbers'));
    for (const n of extra) expect(f.run.get(`NuHepMC.AdditionalParticleNumber[${n}].Name`)).toBeTruthy();
    for (const e of f.events) for (const p of e.particles) if (!standardPdg(p.pdg)) expect(extra).toContain(p.pdg);
  } },
  { code: 'E.R.1', title: 'a valid HepMC3 graph: every particle hangs off a declared vertex or is incoming to one', check: (f) => {
    for (const e of f.events) {
      const vids = new Set(e.vertices.map((v) => v.id));
      const incoming = new Set(e.vertices.flatMap((v) => v.incoming));
      for (const p of e.particles) expect(p.parent === 0 ? incoming.has(p.id) : vids.has(p.parent)).toBe(true);
      for (const v of e.vertices) expect(e.particles.some((p) => p.parent === v.id)).toBe(true);
    }
  } },
  { code: 'E.R.2', title: 'event numbers are non-negative and unique', check: (f) => {
    const n = f.events.map((e) => e.number);
    expect(n.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    expect(new Set(n).size).toBe(n.length);
  } },
  { code: 'E.R.3', title: 'signal_process_id on every event, declared in G.R.8 (generate: nugan id ≥ 700)', check: (f, s) => {
    const ids = ints(f.run.get('NuHepMC.ProcessIDs'));
    for (const e of f.events) expect(ids).toContain(Number(e.attrs.get('signal_process_id')));
    if (s.kind === 'generate') for (const e of f.events) expect(Number(e.attrs.get('signal_process_id'))).toBeGreaterThanOrEqual(700);
    else expect(new Set(f.events.map((e) => e.attrs.get('signal_process_id'))).size).toBeGreaterThan(1);
  } },
  { code: 'E.R.4', title: 'energy and length units set on every event', check: (f) => {
    for (const e of f.events) expect(e.units).toEqual(['GEV', 'MM']);
  } },
  { code: 'E.R.5', title: 'lab_pos on every event (three lengths: no geometry is simulated, so the origin)', check: (f) => {
    for (const e of f.events) expect(ints(e.attrs.get('lab_pos'))).toEqual([0, 0, 0]);
  } },
  { code: 'E.R.6', title: 'one and only one primary vertex (status 1), no vertex with status 0', check: (f) => {
    for (const e of f.events) {
      expect(e.vertices.filter((v) => v.status === 1).length).toBe(1);
      expect(e.vertices.some((v) => v.status === 0)).toBe(false);
    }
  } },
  { code: 'E.R.7', title: 'exactly one beam particle (status 4) and one target particle (status 20), the nucleus', check: (f) => {
    for (const e of f.events) {
      expect(e.particles.filter((p) => p.status === 4).length).toBe(1);
      const targets = e.particles.filter((p) => p.status === 20);
      expect(targets.length).toBe(1);
      expect(targets[0]!.pdg).toBeGreaterThan(1000000000);
    }
  } },
  { code: 'E.R.8', title: 'event completeness: every simulated particle written; the vertex balances four-momentum', check: (f) => {
    for (const e of f.events) {
      const sum = (sel: (p: (typeof e.particles)[number]) => boolean) => [0, 1, 2, 3].map((k) => e.particles.filter(sel).reduce((a, p) => a + p.p[k]!, 0));
      const inn = sum((p) => p.parent === 0);
      const out = sum((p) => p.status === 1);
      for (let k = 0; k < 4; k++) expect(Math.abs(inn[k]! - out[k]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(inn[k]!)));
      expect(e.particles.filter((p) => Math.abs(p.pdg) === 13 && p.status === 1).length).toBe(1);
    }
  } },
  { code: 'E.R.9', title: 'momenta in the lab frame: beam along +z, target at rest', check: (f, s) => {
    for (const e of f.events) {
      const beam = e.particles.find((p) => p.status === 4)!;
      expect([beam.p[0], beam.p[1], beam.p[2] === beam.p[3]]).toEqual([0, 0, true]);
      if (s.E !== undefined) expect(beam.p[3]).toBe(s.E);
      const t = e.particles.find((p) => p.status === 20)!;
      expect([t.p[0], t.p[1], t.p[2], t.p[3]]).toEqual([0, 0, 0, t.mass]);
    }
  } },
  { code: 'V.R.1', title: 'vertex statuses are 1, 2 or generator codes 21–999', check: (f) => {
    for (const e of f.events) for (const v of e.vertices) expect(v.status === 1 || v.status === 2 || (v.status >= 21 && v.status <= 999)).toBe(true);
  } },
  { code: 'P.R.1', title: 'particle statuses: incoming real particles 4 or 20, outgoing 1', check: (f) => {
    for (const e of f.events) {
      for (const p of e.particles) {
        if (p.parent === 0) expect([4, 20]).toContain(p.status);
        else expect(p.status).toBe(1);
      }
    }
  } },
  { code: 'E.C.1', title: 'process ids in the convention ranges: CC ids in an x00–x49 block', check: (f) => {
    for (const id of ints(f.run.get('NuHepMC.ProcessIDs'))) expect(id % 100).toBeLessThan(50);
  } },
  { code: 'P.C.2', title: 'the unsimulated hadronic system is the pseudoparticle 2009900000, final state', check: (f) => {
    for (const e of f.events) expect(e.particles.filter((p) => p.pdg === 2009900000).map((p) => p.status)).toEqual([1]);
  } },
];

describe.each(samples.map((s) => [s.name, s] as const))('NuHepMC 1.0.0 checklist: %s', (_name, s) => {
  it.each(CHECKLIST.map((c) => [c.code, c.title, c] as const))('%s %s', (_code, _title, c) => {
    expect(s.file!.events.length).toBeGreaterThan(0);
    c.check(s.file!, s);
  });
});

describe('NuHepMC cross sections written by simulate (G.C.2, G.C.4, E.C.2, E.C.3)', () => {
  const sim = samples.filter((s) => s.kind === 'simulate');

  it('at a fixed E_nu the flux average, tot_xs and the sum of proc_xs all equal the generator’s σ_tot(E_nu)', () => {
    const s = sim.find((x) => x.E !== undefined)!;
    const f = s.file!;
    const xs = s.summary!.cross_sections;
    const total = ['QE', 'MEC', 'RES', 'DIS'].reduce((a, c) => a + xs[c]![0]!, 0);
    expect(Number(f.run.get('NuHepMC.FluxAveragedTotalCrossSection'))).toBeCloseTo(total, 12);
    expect(f.run.get('NuHepMC.Beam[14].Type')).toBe('MonoEnergetic');
    expect(Number(f.run.get('NuHepMC.Beam[14].MonoEnergetic.Energy'))).toBe(1);
    const byProc: Record<string, string> = { '200': 'QE', '300': 'MEC', '400': 'RES', '600': 'DIS' };
    for (const e of f.events) {
      expect(Number(e.attrs.get('tot_xs'))).toBeCloseTo(total, 12);
      expect(Number(e.attrs.get('proc_xs'))).toBe(xs[byProc[e.attrs.get('signal_process_id')!]!]![0]);
    }
  });

  // Whatever the flux Φ, events arrive at rate Φσ, so the mean of 1/σ(E_i) over the events is
  // ∫Φ/∫Φσ = 1/⟨σ⟩_Φ: an estimate of the flux-averaged σ that uses the events actually drawn.
  it.each(sim.filter((s) => s.mode).map((s) => [s.mode!, s] as const))('in %s mode the flux-averaged σ agrees with 1/mean(1/tot_xs) over the events', (_mode, s) => {
    const f = s.file!;
    const inv = f.events.map((e) => 1 / Number(e.attrs.get('tot_xs')));
    const mean = inv.reduce((a, v) => a + v, 0) / inv.length;
    const sd = Math.sqrt(inv.reduce((a, v) => a + (v - mean) ** 2, 0) / (inv.length - 1));
    const estimate = 1 / mean;
    const tolerance = 4 * estimate * (sd / mean / Math.sqrt(inv.length));
    const stated = Number(f.run.get('NuHepMC.FluxAveragedTotalCrossSection'));
    expect(Math.abs(stated - estimate)).toBeLessThan(tolerance);
    // The beam histogram spans the range and its contents (neutrinos per bin) sum to 1.
    const beam = s.args.includes('antinu-carbon') ? -14 : 14;
    const edges = f.run.get(`NuHepMC.Beam[${beam}].Histogram.BinEdges`)!.split(' ').map(Number);
    const content = f.run.get(`NuHepMC.Beam[${beam}].Histogram.BinContent`)!.split(' ').map(Number);
    expect([edges[0], edges[edges.length - 1]]).toEqual([0.5, 3]);
    expect(content.length).toBe(edges.length - 1);
    expect(content.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 12);
    if (s.mode === 'flux') expect(content).toEqual([1]);
  });

  it('states σ per nucleon in 10⁻³⁸ cm² and the antineutrino σ below the neutrino one on carbon', () => {
    const nu = sim[0]!.file!;
    const anti = sim[1]!.file!;
    for (const f of [nu, anti]) expect([f.run.get('NuHepMC.Units.CrossSection.Unit'), f.run.get('NuHepMC.Units.CrossSection.TargetScale')]).toEqual(['10-38 cm2', 'PerNucleon']);
    const at1 = (f: HepFile) => f.events.filter((e) => Math.abs(e.particles[0]!.p[3] - 1) < 0.05).map((e) => Number(e.attrs.get('tot_xs')));
    expect(Math.max(...at1(anti))).toBeLessThan(Math.min(...at1(nu)));
  });
});
