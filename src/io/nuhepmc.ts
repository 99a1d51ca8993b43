/**
 * NuHepMC event files: HepMC3 ASCII ("Asciiv3") with the neutrino community's conventions on top
 * (NuHepMC specification 1.0.0, Gardiner, Isaacson, Pickering, arXiv:2310.13211; HepMC3, Buckley et
 * al., Comput. Phys. Commun. 260 (2021) 107310). docs/formats.md "NuHepMC" describes what nugan writes
 * for users; the spec's requirement codes (G.R.x run level, E.R.x event level, V.R.x vertices, P.R.x
 * particles, and the conventions G.C.x, E.C.x, P.C.x) are cited where each item is written.
 *
 * Lines used (HepMC3 Asciiv3):
 *   `HepMC::Version …`, `HepMC::Asciiv3-START_EVENT_LISTING`, `…-END_EVENT_LISTING`
 *   run info: `W name…` (weight names), `T name\|version\|description` (tool), `A name value`
 *   event:    `E number n_vertices n_particles`, `U GEV|MEV MM|CM` (momentum and length units),
 *             `W w…` (weights), `A id name value` (attributes; id 0 = the event),
 *             `V id status [in,…] [@ x y z t]`, `P id parent pdg px py pz e m status`
 * Status codes (P.R.1, V.R.1): particle 1 = undecayed physical final state, 2 = decayed,
 * 3 = documentation line, 4 = incoming beam particle, 20 = target (11 in the 0.1 draft, still
 * accepted when reading); vertex 1 = primary interaction. The process id is the event attribute
 * `signal_process_id` (E.R.3; the 0.1 draft's `ProcId` is also read). Its ranges (E.C.1, as
 * nuwro2hepmc3 fills them) give the channel: 100–199 coherent, 200–299 QE (201: hyperon
 * production), 300–399 MEC/2p2h, 400–499 Delta resonance and 500–599 non-resonant single pion (both
 * RES here), 600–699 DIS, 700–799 neutrino–lepton scattering (dropped); x00–x49 CC, x50–x99 NC.
 * nugan's own id 800 marks CC-inclusive events without a channel (GAN-generated ones among them).
 *
 * Writer: one primary vertex per event (E.R.6): the beam (status 4) along +z and the target nucleus
 * at rest (status 20) in; the muon (status 1) in the x–z plane and one pseudoparticle 2009900000
 * (P.C.2) out. nugan models the muon only, so that pseudoparticle stands for the whole unsimulated
 * hadronic final state and nuclear remnant; it carries the four-momentum balance, so the vertex
 * conserves four-momentum. Cross sections: see ./nuhepmc-xsec.ts.
 *
 * Reader: E_nu is the energy of the incoming beam particle (status 4), the muon is the final-state
 * (status 1) charged muon of the matching lepton number (nu_mu → mu−, anti-nu_mu → mu+); theta is
 * the angle between the muon and the beam momenta. Events without a nu_mu/anti-nu_mu beam or without
 * that muon are dropped and counted by reason. Units follow each event's `U` line (HepMC3 default GEV).
 */
import { createWriteStream } from 'node:fs';
import { InputError } from '../util/errors.ts';
import { M_AR40_NUCLEUS, M_C12_NUCLEUS, M_MU } from '../physics/constants.ts';
import { NUGAN_VERSION } from '../version.ts';
import { commitTemp, discardTemp, tempSibling } from '../util/atomic.ts';
import {
  CHANNELS,
  DEFAULT_BATCH,
  TABLE_UNITS,
  batchLength,
  type Channel,
  type EventBatch,
  type EventMeta,
  type EventWriter,
} from './event-batch.ts';
import { channelSigma, crossSectionTableOf, runNormalisation, totalSigma, type CrossSectionTable } from './nuhepmc-xsec.ts';
import { BatchBuilder, eventProblem } from './rows.ts';
import { textLines } from './text-lines.ts';
import { gevFromMeV } from './units.ts';

/** NuHepMC version this writer follows (G.R.2). */
export const NUHEPMC_VERSION = [1, 0, 0] as const;

/** A target nucleus: PDG code 100ZZZAAA0 and nuclear mass in GeV. */
interface Target {
  readonly pdg: number;
  readonly mass: number;
}
const TARGET_C12: Target = { pdg: 1000060120, mass: M_C12_NUCLEUS };
const TARGET_AR40: Target = { pdg: 1000180400, mass: M_AR40_NUCLEUS };

/** CC process id of each channel: the E.C.1 ranges, COH where nuwro2hepmc3 puts it. */
const CHANNEL_PROC_ID: Record<Channel, number> = { COH: 100, QE: 200, MEC: 300, RES: 400, DIS: 600 };
/**
 * nugan's process id for a CC-inclusive event whose channel is not recorded — every event a GAN
 * generates (it models the muon only). In E.C.1's "other" block (700-), CC half (x00–x49), and
 * outside 700–799, which nuwro2hepmc3 uses for neutrino–lepton scattering.
 */
export const NUGAN_CC_INCLUSIVE_PROC_ID = 800;

/** G.R.8: name and description of each process id nugan writes. */
const PROCESS_INFO: Record<number, { name: string; description: string }> = {
  100: { name: 'CC coherent', description: 'charged-current coherent pion production on the whole nucleus (id as nuwro2hepmc3 assigns it)' },
  200: { name: 'CC QE', description: 'charged-current quasielastic scattering on one bound nucleon (nu n -> mu- p, anti-nu p -> mu+ n)' },
  300: { name: 'CC MEC', description: 'charged-current two-nucleon (2p2h, meson exchange current) scattering' },
  400: { name: 'CC RES', description: 'charged-current resonance region, hadronic mass below the DIS cut: Delta(1232) production and the non-resonant pion background' },
  600: { name: 'CC DIS', description: 'charged-current deep-inelastic scattering, hadronic mass above the DIS cut' },
};

/** Particle status codes (P.R.1) and the primary-vertex status (V.R.1). */
const STATUS_FINAL = 1;
const STATUS_BEAM = 4;
const STATUS_TARGET = 20;
const VERTEX_PRIMARY = 1;
/** P.C.2: a nuclear remnant (here: the whole hadronic system) that the simulation does not model. */
export const PDG_REMNANT = 2009900000;

/** Channel code of a NuHepMC process id, or undefined when outside the suggested ranges. */
export function channelOfProcId(id: number): number | undefined {
  const block = Math.floor(id / 100);
  const name = ({ 1: 'COH', 2: 'QE', 3: 'MEC', 4: 'RES', 5: 'RES', 6: 'DIS' } as Record<number, string>)[block];
  return name === undefined ? undefined : (CHANNELS as readonly string[]).indexOf(name);
}

/** Beam PDG code and target of a table: from the generator's knobs when present, else from the domain name. */
function beamAndTarget(meta: EventMeta): { beam: number; target: Target } {
  const knobs = meta.knobs as { target?: unknown; neutrino?: unknown } | undefined;
  const domain = typeof meta.domain === 'string' ? meta.domain : '';
  const argon = knobs?.target !== undefined ? knobs.target === 'Ar40' : domain.includes('argon');
  const anti = typeof knobs?.neutrino === 'boolean' ? !knobs.neutrino : domain.startsWith('antinu');
  return { beam: anti ? -14 : 14, target: argon ? TARGET_AR40 : TARGET_C12 };
}

/** E_nu of the run as the metadata states it: a fixed energy, a range, or unknown. */
function enuOf(meta: EventMeta): number | [number, number] | undefined {
  const e = meta.enu as number | { uniform?: unknown } | undefined;
  if (typeof e === 'number') return e;
  const u = e?.uniform;
  if (Array.isArray(u) && u.length === 2 && u.every((v) => typeof v === 'number')) return [u[0] as number, u[1] as number];
  return undefined;
}

/** True for tables sampled from a trained GAN (`nugan generate` and the `generate` stage). */
function isGanOutput(meta: EventMeta): boolean {
  return meta.generator === 'nugan-gan' || String(meta.source).startsWith('nugan generate');
}

/** HepMC3 escapes attribute strings; ours are single-line JSON or plain words, so only `\n` matters. */
function escapeAttr(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function unescapeAttr(s: string): string {
  return s.replace(/\\(n|\\)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** A number in HepMC3 ASCII (shortest round-trip form; strtod reads it). */
const num = (v: number): string => String(v);

/** What the writer decided about a run when it saw the first batch. */
interface RunPlan {
  readonly beam: number;
  readonly target: Target;
  /** Per-channel process ids (table with channels) or one id for every event. */
  readonly procIds: readonly number[];
  readonly xsec?: CrossSectionTable;
}

/** The run-info lines (G.R.1–G.R.11 and the conventions the file follows, G.R.4). */
function runHeader(meta: EventMeta, hasChannel: boolean): { text: string; plan: RunPlan } {
  const { beam, target } = beamAndTarget(meta);
  const gan = isGanOutput(meta);
  const xsec = crossSectionTableOf(meta);
  const norm = runNormalisation(xsec, enuOf(meta), typeof meta.energy_mode === 'string' ? meta.energy_mode : undefined);
  const procIds = hasChannel ? CHANNELS.map((c) => CHANNEL_PROC_ID[c]) : [NUGAN_CC_INCLUSIVE_PROC_ID];
  const processInfo = (id: number) =>
    PROCESS_INFO[id] ?? {
      name: 'CC inclusive',
      description: gan
        ? 'charged-current inclusive muon-(anti)neutrino event sampled by a nugan conditional GAN: only the muon is modelled, the interaction channel is not'
        : 'charged-current inclusive muon-(anti)neutrino event; the source table records no interaction channel',
    };
  // G.C.3: citations — the GAN study, or the models behind the reference generator's channels.
  const citations: [string, string][] = gan
    ? [['NuHepMC.Citations.Generator.arXiv', '2508.12987']]
    : xsec
      ? [
          ['NuHepMC.Citations.Process[200].DOI', '10.1103/RevModPhys.84.1307'],
          ['NuHepMC.Citations.Process[200].arXiv', 'hep-ex/0602017'],
          ['NuHepMC.Citations.Process[300].arXiv', '1304.6014'],
          ['NuHepMC.Citations.Process[600].arXiv', 'hep-ex/0203009'],
        ]
      : [];
  const conventions = ['G.C.5', 'E.C.1', 'P.C.2'];
  if (citations.length) conventions.push('G.C.3');
  if (norm.sigma !== undefined) conventions.push('G.C.2');
  if (norm.beam) conventions.push('G.C.4');
  if (xsec) conventions.push('E.C.2', 'E.C.3');
  conventions.sort();

  const A = (name: string, value: string | number) => `A ${name} ${escapeAttr(String(value))}`;
  const description = gan
    ? 'muon kinematics sampled from a conditional GAN trained on CC-inclusive events'
    : String(meta.source).startsWith('nugan reference generator')
      ? 'events from the nugan reference generator, an analytic stand-in for NuWro (not NuWro output)'
      : `event table written by nugan (source: ${String(meta.source)})`;
  const lines = [
    'HepMC::Version 3.02.06',
    'HepMC::Asciiv3-START_EVENT_LISTING',
    'W CV', // G.R.7: the central-value weight, filled on every event
    `T nugan\\|${NUGAN_VERSION}\\|${description.replace(/\|/g, '/')}`, // G.R.3
    A('NuHepMC.Version.Major', NUHEPMC_VERSION[0]), // G.R.2
    A('NuHepMC.Version.Minor', NUHEPMC_VERSION[1]),
    A('NuHepMC.Version.Patch', NUHEPMC_VERSION[2]),
    A('NuHepMC.Conventions', conventions.join(' ')), // G.R.4
    A('NuHepMC.ProcessIDs', procIds.join(' ')), // G.R.8
    ...procIds.flatMap((id) => [A(`NuHepMC.ProcessInfo[${id}].Name`, processInfo(id).name), A(`NuHepMC.ProcessInfo[${id}].Description`, processInfo(id).description)]),
    A('NuHepMC.VertexStatusIDs', VERTEX_PRIMARY), // G.R.9
    A(`NuHepMC.VertexStatusInfo[${VERTEX_PRIMARY}].Name`, 'PrimaryVertex'),
    A(`NuHepMC.VertexStatusInfo[${VERTEX_PRIMARY}].Description`, 'the neutrino-nucleus interaction: beam and target nucleus in, muon and hadronic remnant out'),
    A('NuHepMC.ParticleStatusIDs', [STATUS_FINAL, STATUS_BEAM, STATUS_TARGET].join(' ')), // G.R.10 (and G.S.2: every code used)
    A(`NuHepMC.ParticleStatusInfo[${STATUS_FINAL}].Name`, 'UndecayedPhysicalParticle'),
    A(`NuHepMC.ParticleStatusInfo[${STATUS_FINAL}].Description`, `final state: the muon, and the pseudoparticle ${PDG_REMNANT} standing for the unsimulated hadronic system`),
    A(`NuHepMC.ParticleStatusInfo[${STATUS_BEAM}].Name`, 'IncomingBeamParticle'),
    A(`NuHepMC.ParticleStatusInfo[${STATUS_BEAM}].Description`, 'the incoming muon neutrino or antineutrino, along +z'),
    A(`NuHepMC.ParticleStatusInfo[${STATUS_TARGET}].Name`, 'TargetParticle'),
    A(`NuHepMC.ParticleStatusInfo[${STATUS_TARGET}].Description`, 'the target nucleus, at rest'),
    A('NuHepMC.AdditionalParticleNumbers', PDG_REMNANT), // G.R.11
    A(`NuHepMC.AdditionalParticleNumber[${PDG_REMNANT}].Name`, 'NuclearRemnant'),
    A(`NuHepMC.AdditionalParticleInfo[${PDG_REMNANT}].Description`, 'hadronic final state and nuclear remnant, not simulated by nugan; carries the four-momentum balance of the vertex'), // G.C.5
    A('NuHepMC.Units.CrossSection.Unit', '10-38 cm2'), // G.R.6
    A('NuHepMC.Units.CrossSection.TargetScale', 'PerNucleon'),
  ];
  // G.R.5 through G.C.2: the flux-averaged total cross section, when nugan knows σ.
  if (norm.sigma !== undefined) lines.push(A('NuHepMC.FluxAveragedTotalCrossSection', num(norm.sigma)));
  lines.push(A('nugan.CrossSection', gan && norm.sigma === undefined ? `unknown: the model carries no sigma(E_nu), so NuHepMC G.R.5 is not met; normalise with the cross section of the generator that made its training data. ${norm.note}` : norm.note));
  // G.C.4: the beam the events stand for.
  if (norm.beam) {
    lines.push(A('NuHepMC.Beam.EnergyUnit', 'GEV'), A('NuHepMC.Beam.FluxUnit', 'Arbitrary'), A(`NuHepMC.Beam[${beam}].Type`, norm.beam.type));
    if (norm.beam.type === 'MonoEnergetic') lines.push(A(`NuHepMC.Beam[${beam}].MonoEnergetic.Energy`, num(norm.beam.energy)));
    else {
      lines.push(
        A(`NuHepMC.Beam[${beam}].Histogram.BinEdges`, norm.beam.edges.map(num).join(' ')),
        A(`NuHepMC.Beam[${beam}].Histogram.BinContent`, norm.beam.content.map(num).join(' ')),
        A(`NuHepMC.Beam[${beam}].Histogram.ContentIsPerWidth`, 0),
      );
    }
  }
  lines.push(...citations.map(([name, value]) => A(name, value)));
  lines.push(A('nugan.Meta', JSON.stringify({ ...meta, units: TABLE_UNITS })));
  return { text: lines.join('\n') + '\n', plan: { beam, target, procIds, xsec } };
}

/**
 * The lines of one event (E.R.1–E.R.9): beam along +z, target at rest, muon in the x–z plane
 * (azimuth 0), remnant with the balance; `lab_pos` at the origin (no geometry is simulated).
 */
function eventLines(no: number, E_nu: number, E_mu: number, theta: number, channel: number | undefined, weight: number, plan: RunPlan): string {
  const p = Math.sqrt(Math.max(0, E_mu * E_mu - M_MU * M_MU));
  const px = p * Math.sin(theta);
  const pz = p * Math.cos(theta);
  const M = plan.target.mass;
  // Remnant: E_X = E_nu + M − E_mu, p_X = k − k′; its mass² = M² + 2Mω − Q² (the hadronic W² off the whole nucleus).
  const E_X = E_nu + M - E_mu;
  const m_X = Math.sqrt(Math.max(0, E_X * E_X - px * px - (E_nu - pz) * (E_nu - pz)));
  const name = channel === undefined ? undefined : CHANNELS[channel];
  const procId = name === undefined ? plan.procIds[0]! : CHANNEL_PROC_ID[name];
  const out = [`E ${no} 1 4`, 'U GEV MM', `W ${num(weight)}`, 'A 0 lab_pos 0 0 0', `A 0 signal_process_id ${procId}`];
  if (plan.xsec) {
    out.push(`A 0 tot_xs ${num(totalSigma(plan.xsec, E_nu))}`); // E.C.2
    if (name !== undefined && plan.xsec.channels[name]) out.push(`A 0 proc_xs ${num(channelSigma(plan.xsec, name, E_nu))}`); // E.C.3
  }
  out.push(
    `P 1 0 ${plan.beam} 0 0 ${num(E_nu)} ${num(E_nu)} 0 ${STATUS_BEAM}`,
    `P 2 0 ${plan.target.pdg} 0 0 0 ${num(M)} ${num(M)} ${STATUS_TARGET}`,
    `V -1 ${VERTEX_PRIMARY} [1,2]`,
    `P 3 -1 ${plan.beam > 0 ? 13 : -13} ${num(px)} 0 ${num(pz)} ${num(E_mu)} ${M_MU} ${STATUS_FINAL}`,
    `P 4 -1 ${PDG_REMNANT} ${num(-px)} 0 ${num(E_nu - pz)} ${num(E_X)} ${num(m_X)} ${STATUS_FINAL}`,
  );
  return out.join('\n') + '\n';
}

/**
 * Streaming NuHepMC writer (atomic: a temporary file renamed on close). The run info is written with
 * the first batch, when the writer knows whether the table has a channel column.
 */
export async function openNuHepMCWriter(file: string, meta: EventMeta): Promise<EventWriter> {
  const tmp = tempSibling(file);
  const out = createWriteStream(tmp);
  let error: Error | undefined;
  out.on('error', (e) => (error = e));
  const put = (s: string) =>
    new Promise<void>((resolve, reject) => {
      if (error) return reject(error);
      if (out.write(s)) resolve();
      else out.once('drain', () => (error ? reject(error) : resolve()));
    });
  let plan: RunPlan | undefined;
  const start = async (hasChannel: boolean): Promise<RunPlan> => {
    if (plan) return plan;
    const header = runHeader(meta, hasChannel);
    plan = header.plan;
    await put(header.text);
    return plan;
  };
  let count = 0;
  return {
    async write(b) {
      const run = await start(b.channel !== undefined);
      const n = batchLength(b);
      let chunk = '';
      for (let i = 0; i < n; i++) {
        chunk += eventLines(count + i, b.E_nu[i]!, b.E_mu[i]!, b.theta[i]!, b.channel?.[i], b.weight?.[i] ?? 1, run);
        if (chunk.length > 1 << 16) {
          await put(chunk);
          chunk = '';
        }
      }
      if (chunk) await put(chunk);
      count += n;
    },
    async close() {
      await start(false);
      await put('HepMC::Asciiv3-END_EVENT_LISTING\n');
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
      if (error) {
        await discardTemp(tmp);
        throw error;
      }
      await commitTemp(tmp, file);
      return { count };
    },
    async abort() {
      out.destroy();
      await discardTemp(tmp);
    },
  };
}

/** Counts of a NuHepMC read: events seen, kept and dropped per reason. */
export interface NuHepMCStats {
  read: number;
  kept: number;
  dropped: Record<string, number>;
}

export interface NuHepMCReadOptions {
  batchSize?: number;
  /** Filled in while reading. */
  stats?: NuHepMCStats;
}

interface Particle {
  pdg: number;
  px: number;
  py: number;
  pz: number;
  e: number;
  status: number;
}

/**
 * Stream the CC muon-(anti)neutrino events of a NuHepMC file. Malformed lines are InputErrors naming
 * the file and line; a file that does not end with the END_EVENT_LISTING line is reported truncated.
 */
export async function* readNuHepMC(file: string, opts: NuHepMCReadOptions = {}): AsyncGenerator<EventBatch> {
  const stats = opts.stats ?? { read: 0, kept: 0, dropped: {} };
  const size = opts.batchSize ?? DEFAULT_BATCH;
  const batches: BatchBuilder[] = [];
  let builder: BatchBuilder | undefined;
  let started = false;
  let ended = false;
  // Current event.
  let inEvent = false;
  let eventLine = 0;
  let mev = false;
  let weight = 1;
  let procId: number | undefined;
  let particles: Particle[] = [];
  const drop = (reason: string) => (stats.dropped[reason] = (stats.dropped[reason] ?? 0) + 1);

  const finishEvent = (): void => {
    if (!inEvent) return;
    inEvent = false;
    stats.read++;
    const beam = particles.find((p) => p.status === STATUS_BEAM);
    if (!beam) return void drop('no incoming beam particle (status 4)');
    if (Math.abs(beam.pdg) !== 14) return void drop('other flavour');
    const muPdg = beam.pdg > 0 ? 13 : -13;
    if (procId !== undefined && procId >= 700 && procId < 800) return void drop('neutrino-lepton scattering');
    const mu = particles.find((p) => p.status === STATUS_FINAL && p.pdg === muPdg);
    if (!mu) return void drop('no final-state muon (NC or other)');
    const E_nu = mev ? gevFromMeV(beam.e) : beam.e;
    const E_mu = mev ? gevFromMeV(mu.e) : mu.e;
    const cross = Math.hypot(mu.py * beam.pz - mu.pz * beam.py, mu.pz * beam.px - mu.px * beam.pz, mu.px * beam.py - mu.py * beam.px);
    const dot = mu.px * beam.px + mu.py * beam.py + mu.pz * beam.pz;
    const theta = Math.atan2(cross, dot);
    const problem = eventProblem(E_nu, E_mu, theta);
    if (problem) throw new InputError(problem, file, { line: eventLine });
    const channel = procId === undefined ? undefined : channelOfProcId(procId);
    if (!builder) {
      builder = new BatchBuilder(channel !== undefined, true, size);
    } else if (builder.hasChannel && channel === undefined) {
      throw new InputError(`event has no signal_process_id in the suggested ranges while earlier events had one`, file, { line: eventLine });
    }
    builder.push(E_nu, E_mu, theta, channel ?? 0, weight);
    stats.kept++;
    if (builder.full) batches.push(builder), (builder = new BatchBuilder(builder.hasChannel, true, size));
  };

  for await (const { line, no } of textLines(file)) {
    if (line === '') continue;
    if (line.startsWith('HepMC::')) {
      if (line.startsWith('HepMC::Asciiv3-START_EVENT_LISTING') || line.startsWith('HepMC::IO_GenEvent-START')) {
        if (!line.startsWith('HepMC::Asciiv3')) throw new InputError('HepMC2 listing; expected HepMC3 Asciiv3 (NuHepMC)', file, { line: no });
        started = true;
      } else if (line.startsWith('HepMC::Asciiv3-END_EVENT_LISTING')) {
        finishEvent();
        ended = true;
      }
      continue;
    }
    if (!started) throw new InputError(`expected 'HepMC::Asciiv3-START_EVENT_LISTING' before event data`, file, { line: no });
    const tag = line[0];
    const f = line.slice(2).trim().split(/\s+/);
    const bad = (what: string): never => {
      throw new InputError(`malformed '${tag}' line: ${what}`, file, { line: no });
    };
    switch (tag) {
      case 'E':
        finishEvent();
        inEvent = true;
        eventLine = no;
        mev = false;
        weight = 1;
        procId = undefined;
        particles = [];
        if (f.length < 3 || f.slice(0, 3).some((x) => !/^-?\d+$/.test(x))) bad('expected E number n_vertices n_particles');
        break;
      case 'U':
        if (!inEvent) bad('units outside an event');
        if (f[0] === 'GEV') mev = false;
        else if (f[0] === 'MEV') mev = true;
        else bad(`unknown momentum unit '${f[0] ?? ''}' (expected GEV or MEV)`);
        break;
      case 'W':
        if (inEvent) {
          weight = Number(f[0]);
          if (!Number.isFinite(weight)) bad(`weight '${f[0] ?? ''}' is not a number`);
        }
        break;
      case 'A':
        if (inEvent && f[0] === '0' && (f[1] === 'signal_process_id' || f[1] === 'ProcId' || f[1] === 'ProcID')) {
          procId = Number(f[2]);
          if (!Number.isInteger(procId)) bad(`process id '${f[2] ?? ''}' is not an integer`);
        }
        break;
      case 'P': {
        if (!inEvent) bad('particle outside an event');
        if (f.length < 9) bad(`expected 9 fields (id parent pdg px py pz e m status), found ${f.length}`);
        const v = f.slice(0, 9).map(Number);
        if (v.some((x) => !Number.isFinite(x))) bad('non-numeric field');
        particles.push({ pdg: v[2]!, px: v[3]!, py: v[4]!, pz: v[5]!, e: v[6]!, status: v[8]! });
        break;
      }
      case 'V':
      case 'T':
      case 'C':
      case 'N':
        break;
      default:
        bad('unknown line type');
    }
    while (batches.length) yield batches.shift()!.take();
  }
  if (!started) throw new InputError('not a HepMC3 ASCII file (no HepMC::Asciiv3-START_EVENT_LISTING line)', file);
  if (!ended) throw new InputError('file is truncated: no HepMC::Asciiv3-END_EVENT_LISTING line', file);
  if (builder && builder.length > 0) yield builder.take();
}

/** The run-level metadata of a NuHepMC file (nugan's own `nugan.Meta` attribute when present). */
export async function readNuHepMCMeta(file: string): Promise<EventMeta> {
  for await (const { line, no } of textLines(file)) {
    if (line.startsWith('E ')) break;
    if (line.startsWith('A nugan.Meta ')) {
      try {
        return JSON.parse(unescapeAttr(line.slice('A nugan.Meta '.length))) as EventMeta;
      } catch {
        throw new InputError('attribute nugan.Meta is not valid JSON', file, { line: no });
      }
    }
  }
  return { source: file, units: TABLE_UNITS };
}
