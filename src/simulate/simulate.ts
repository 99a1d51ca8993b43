/**
 * Events from nugan's reference generator (src/physics/generator.ts) written to an event table, with
 * the channel label per event and the channel cross sections in the metadata. The library behind the
 * `simulate` stage kind (stages/simulate.ts) and the `nugan simulate` command: both resolve their
 * options into a `SimulationRequest` here and call `simulateToFile`.
 *
 * The reference generator is a compact analytic stand-in for NuWro built from docs/reference-generator.md; its
 * output is never NuWro's, and the metadata says so.
 */
import { CHANNELS, type EventMeta } from '../io/event-batch.ts';
import { checkRoomForTable, openEventWriter } from '../io/event-table.ts';
import { channelTables, sigmaAt, type ChannelTables } from '../physics/channels.ts';
import { GEV2_TO_CM2 } from '../physics/constants.ts';
import { resolveKnobs, type Knobs } from '../physics/domains.ts';
import { checkEnergy, simulate, type EnergyMode, type SimulationResult } from '../physics/generator.ts';
import { SUBCHANNEL_CODE, SUBCHANNELS } from '../physics/channel-sampler.ts';
import { InputError } from '../util/errors.ts';

/** What a `simulate` stage's `with:` block or the `nugan simulate` options ask for. */
export interface SimulateParams {
  domain: string;
  events: number;
  /** Fixed neutrino energy (GeV) or a uniform range. */
  enu: number | { uniform: [number, number] };
  energy_mode?: EnergyMode;
  /** Overrides of the domain's model knobs (see src/physics/domains.ts). */
  knobs?: Record<string, unknown>;
  seed?: number;
  threads?: number;
}

/** Source string recorded in every table the generator writes. */
export const GENERATOR_SOURCE = 'nugan reference generator (analytic stand-in for NuWro, not NuWro output)';

/** Per-nucleon cross sections (10⁻³⁸ cm²) of the event-table channels, summed over sub-channels. */
export function channelCrossSections(tables: ChannelTables, E: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (let j = 0; j < SUBCHANNELS.length; j++) {
    const name = CHANNELS[SUBCHANNEL_CODE[j]!]!;
    out[name] = (out[name] ?? 0) + (sigmaAt(tables, j, E) * GEV2_TO_CM2) / 1e-38;
  }
  for (const k of Object.keys(out)) out[k] = Number(out[k]!.toPrecision(5));
  return out;
}

/** Metadata block describing the cross sections for a fixed energy or over the grid inside a range. */
function crossSectionMeta(tables: ChannelTables, enu: number | [number, number]): Record<string, unknown> {
  const energies = typeof enu === 'number' ? [enu] : [enu[0], ...tables.energies.filter((E) => E > enu[0] && E < enu[1]), enu[1]];
  const perChannel: Record<string, number[]> = {};
  for (const E of energies) {
    for (const [k, v] of Object.entries(channelCrossSections(tables, E))) (perChannel[k] ??= []).push(v);
  }
  return { unit: '1e-38 cm2 per nucleon', E_nu: energies.map((E) => Number(E.toPrecision(6))), ...perChannel };
}

export interface SimulationRequest {
  knobs: Knobs;
  domain: string;
  events: number;
  enu: number | [number, number];
  mode: EnergyMode;
  seed: number;
  threads: number;
}

/** Resolves stage parameters (or CLI options) into a request; InputError names the bad parameter. */
export function resolveRequest(p: SimulateParams, seed: number, where = 'simulate'): SimulationRequest {
  const knobs = resolveKnobs(p.domain, p.knobs ?? {}, where);
  let enu: number | [number, number];
  if (typeof p.enu === 'number') enu = p.enu;
  else if (p.enu && Array.isArray(p.enu.uniform) && p.enu.uniform.length === 2) enu = [p.enu.uniform[0], p.enu.uniform[1]];
  else throw new InputError(`enu must be a number (GeV) or { uniform: [a, b] }, got ${JSON.stringify(p.enu)}`, where);
  if (Array.isArray(enu) && !(enu[0] < enu[1])) throw new InputError(`enu.uniform needs a < b, got [${enu.join(', ')}]`, where);
  if (!(Number.isInteger(p.events) && p.events > 0)) throw new InputError(`events must be a positive integer, got ${p.events}`, where);
  return { knobs, domain: p.domain, events: p.events, enu, mode: p.energy_mode ?? 'conditional', seed: p.seed ?? seed, threads: Math.max(1, p.threads ?? 1) };
}

export interface SimulationRun {
  result: SimulationResult;
  count: number;
  summary: Record<string, unknown>;
}

/**
 * Runs the generator for `req` and streams the events to `file` (format from its extension, written
 * atomically: an error or abort leaves no file). Shared by the stage and `nugan simulate`.
 */
export async function simulateToFile(
  req: SimulationRequest,
  file: string,
  hooks: { onProgress?: (n: number) => void; signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<SimulationRun> {
  checkRoomForTable(file, req.events);
  const tables = await channelTables(req.knobs);
  if (tables.buildSeconds > 0) hooks.log?.(`built channel tables in ${tables.buildSeconds.toFixed(1)} s`);
  const bad = checkEnergy(tables, req.enu);
  if (bad) throw new InputError(bad, 'enu');
  const meta: EventMeta = {
    source: GENERATOR_SOURCE,
    domain: req.domain,
    seed: req.seed,
    generator: 'nugan-reference',
    energy_mode: req.mode,
    enu: typeof req.enu === 'number' ? req.enu : { uniform: req.enu },
    knobs: req.knobs as unknown as Record<string, unknown>,
    cross_sections: crossSectionMeta(tables, req.enu),
  };
  const writer = await openEventWriter(file, meta);
  let result: SimulationResult;
  try {
    result = await simulate({ knobs: req.knobs, enu: req.enu, mode: req.mode, seed: req.seed }, req.events, {
      tables,
      threads: req.threads,
      collect: false,
      signal: hooks.signal,
      onProgress: hooks.onProgress,
      onBlock: (b) => writer.write({ E_nu: b.E_nu, E_mu: b.E_mu, theta: b.theta, channel: b.channel }),
    });
  } catch (err) {
    await writer.abort();
    throw err;
  }
  const { count } = await writer.close();
  const per = (a: number[]): Record<string, number> => Object.fromEntries(SUBCHANNELS.map((n, j) => [n, a[j]!]));
  const overflowTotal = result.overflow.reduce((a, b) => a + b, 0);
  const summary: Record<string, unknown> = {
    events: count,
    domain: req.domain,
    seed: req.seed,
    threads: result.threads,
    seconds: Number(result.seconds.toFixed(3)),
    events_per_second: Math.round(count / Math.max(result.seconds, 1e-9)),
    accepted: per(result.accepted),
    trials: per(result.trials),
    overflow: per(result.overflow),
    overflow_rate: overflowTotal / Math.max(1, count),
    cross_sections: meta.cross_sections,
    generator: GENERATOR_SOURCE,
  };
  if (overflowTotal / Math.max(1, count) > 1e-4) hooks.log?.(`warning: weight overflow rate ${(overflowTotal / count).toExponential(2)} exceeds 1e-4`);
  return { result, count, summary };
}
