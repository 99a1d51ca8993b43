/**
 * NuHepMC (HepMC3 ASCII "Asciiv3") event files: the neutrino community's event exchange format
 * (NuHepMC specification, Gardiner et al., arXiv:2310.13211; HepMC3, Buckley et al., CPC 260 (2021)).
 *
 * Lines used here (HepMC3 Asciiv3):
 *   `HepMC::Version …`, `HepMC::Asciiv3-START_EVENT_LISTING`, `…-END_EVENT_LISTING`
 *   run info: `W name…` (weight names), `T name\|version\|description` (tool), `A name value`
 *   event:    `E number n_vertices n_particles`, `U GEV|MEV MM|CM` (momentum and length units),
 *             `W w…` (weights), `A id name value` (attributes; id 0 = the event),
 *             `V id status [in,…] [@ x y z t]`, `P id parent pdg px py pz e m status`
 * NuHepMC status codes (spec P.R.1/V.R.1, NuHepMC ≥ 0.9): particle 1 = undecayed physical final
 * state, 2 = decayed, 3 = documentation line, 4 = incoming beam particle, 20 = target (11 in the
 * 0.1 draft, still accepted when reading); vertex 1 = primary interaction. The process id is the
 * HepMC3 event attribute `signal_process_id` (E.R.3; the 0.1 draft's `ProcId` is also read). Its
 * suggested ranges (as nuwro2hepmc3 writes them) give the channel: 100–199 coherent,
 * 200–299 QE (201: hyperon production), 300–399 MEC/2p2h, 400–499 Delta resonance and 500–599
 * non-resonant single pion (both RES here), 600–699 DIS, 700–799 neutrino–lepton scattering
 * (dropped); x00–x49 CC, x50–x99 NC.
 *
 * Reader: E_nu is the energy of the incoming beam particle (status 4), the muon is the final-state
 * (status 1) charged muon of the matching lepton number (nu_mu → mu−, anti-nu_mu → mu+); theta is
 * the angle between the muon and the beam momenta. Events without a nu_mu/anti-nu_mu beam or without
 * that muon are dropped and counted by reason. Units follow each event's `U` line (HepMC3 default GEV).
 */
import { createWriteStream } from 'node:fs';
import { InputError } from '../util/errors.ts';
import { M_MU } from '../physics/constants.ts';
import { commitTemp, discardTemp, tempSibling } from '../util/atomic.ts';
import {
  CHANNELS,
  DEFAULT_BATCH,
  TABLE_UNITS,
  batchLength,
  type EventBatch,
  type EventMeta,
  type EventWriter,
} from './event-batch.ts';
import { BatchBuilder, eventProblem } from './rows.ts';
import { textLines } from './text-lines.ts';
import { gevFromMeV } from './units.ts';

/** NuHepMC version this writer follows. */
const NUHEPMC_VERSION = [0, 9, 6] as const;
/** Mass number/charge PDG code of carbon-12 used as the documented target when none is known. */
const PDG_C12 = 1000060120;
const PDG_AR40 = 1000180400;

/** CC process id of a channel (suggested NuHepMC ranges, see above). */
const CHANNEL_PROC_ID: Record<(typeof CHANNELS)[number], number> = { COH: 100, QE: 200, MEC: 300, RES: 400, DIS: 600 };
/** Particle status codes (NuHepMC P.R.1). */
const STATUS_FINAL = 1;
const STATUS_BEAM = 4;
const STATUS_TARGET = 20;

/** Channel code of a NuHepMC process id, or undefined when outside the suggested ranges. */
export function channelOfProcId(id: number): number | undefined {
  const block = Math.floor(id / 100);
  const name = ({ 1: 'COH', 2: 'QE', 3: 'MEC', 4: 'RES', 5: 'RES', 6: 'DIS' } as Record<number, string>)[block];
  return name === undefined ? undefined : (CHANNELS as readonly string[]).indexOf(name);
}

function targetPdg(domain: string | undefined): number {
  return domain?.includes('argon') ? PDG_AR40 : PDG_C12;
}

function beamPdg(domain: string | undefined): number {
  return domain?.startsWith('antinu') ? -14 : 14;
}

/** HepMC3 escapes attribute strings; ours are single-line JSON or plain words, so only `\n` matters. */
function escapeAttr(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function unescapeAttr(s: string): string {
  return s.replace(/\\(n|\\)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

function runHeader(meta: EventMeta): string {
  const procIds = CHANNELS.map((c) => CHANNEL_PROC_ID[c]);
  const lines = [
    'HepMC::Version 3.02.06',
    'HepMC::Asciiv3-START_EVENT_LISTING',
    'W CV',
    'T nugan\\|0.1.0\\|conditional GAN of CC muon kinematics',
    `A NuHepMC.Version.Major ${NUHEPMC_VERSION[0]}`,
    `A NuHepMC.Version.Minor ${NUHEPMC_VERSION[1]}`,
    `A NuHepMC.Version.Patch ${NUHEPMC_VERSION[2]}`,
    `A NuHepMC.ProcessIDs ${procIds.join(' ')}`,
    ...CHANNELS.map((c) => `A NuHepMC.ProcessInfo[${CHANNEL_PROC_ID[c]}].Name CC${c}`),
    'A NuHepMC.VertexStatusIDs 1',
    'A NuHepMC.VertexStatusInfo[1].Name PrimaryVertex',
    `A NuHepMC.ParticleStatusIDs ${STATUS_FINAL} ${STATUS_BEAM} ${STATUS_TARGET}`,
    `A NuHepMC.ParticleStatusInfo[${STATUS_FINAL}].Name UndecayedPhysical`,
    `A NuHepMC.ParticleStatusInfo[${STATUS_BEAM}].Name IncomingBeam`,
    `A NuHepMC.ParticleStatusInfo[${STATUS_TARGET}].Name Target`,
    `A nugan.Meta ${escapeAttr(JSON.stringify({ ...meta, units: TABLE_UNITS }))}`,
  ];
  return lines.join('\n') + '\n';
}

/** The NuHepMC lines of one event: beam along +z, muon in the x–z plane (azimuth 0). */
function eventLines(no: number, E_nu: number, E_mu: number, theta: number, channel: number | undefined, weight: number, nuPdg: number, tgtPdg: number): string {
  const p = Math.sqrt(Math.max(0, E_mu * E_mu - M_MU * M_MU));
  const muPdg = nuPdg > 0 ? 13 : -13;
  const out = [`E ${no} 1 3`, 'U GEV MM', `W ${weight}`];
  if (channel !== undefined) out.push(`A 0 signal_process_id ${CHANNEL_PROC_ID[CHANNELS[channel]!]}`);
  out.push(
    `P 1 0 ${nuPdg} 0 0 ${E_nu} ${E_nu} 0 ${STATUS_BEAM}`,
    `P 2 0 ${tgtPdg} 0 0 0 0 0 ${STATUS_TARGET}`,
    'V -1 1 [1,2]',
    `P 3 -1 ${muPdg} ${p * Math.sin(theta)} 0 ${p * Math.cos(theta)} ${E_mu} ${M_MU} ${STATUS_FINAL}`,
  );
  return out.join('\n') + '\n';
}

/** Streaming NuHepMC writer (atomic: a temporary file renamed on close). */
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
  const nuPdg = beamPdg(meta.domain);
  const tgtPdg = targetPdg(meta.domain);
  let count = 0;
  await put(runHeader(meta));
  return {
    async write(b) {
      const n = batchLength(b);
      let chunk = '';
      for (let i = 0; i < n; i++) {
        chunk += eventLines(count + i, b.E_nu[i]!, b.E_mu[i]!, b.theta[i]!, b.channel?.[i], b.weight?.[i] ?? 1, nuPdg, tgtPdg);
        if (chunk.length > 1 << 16) {
          await put(chunk);
          chunk = '';
        }
      }
      if (chunk) await put(chunk);
      count += n;
    },
    async close() {
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
