/**
 * Cross-section bookkeeping of a NuHepMC run (docs/formats.md "NuHepMC"): the per-channel σ(E_nu)
 * table an event table's metadata may carry (`cross_sections`, written by `simulate`), the
 * flux-averaged total cross section of the run (NuHepMC G.C.2) and the beam energy distribution the
 * events correspond to (G.C.4).
 *
 * How E_nu was drawn decides the flux the events stand for (the event rate in E_nu is Φ(E)·σ(E)):
 * - fixed E_nu: a mono-energetic beam, ⟨σ⟩ = σ_tot(E_nu);
 * - `flux` mode, E_nu in [a, b] accepted ∝ σ_tot(E): a flat beam on [a, b], ⟨σ⟩ = ∫σ dE / (b − a);
 * - `conditional` mode, E_nu uniform in [a, b] whatever σ: the events stand for a beam Φ ∝ 1/σ_tot,
 *   so ⟨σ⟩ = (b − a) / ∫ dE/σ_tot (a harmonic mean). Per-event σ (`tot_xs`, E.C.2) lets a user
 *   reweight such a sample to any other flux.
 * Units: energies GeV; σ in 10⁻³⁸ cm² per nucleon, the unit of the table.
 */
import type { EventMeta } from './event-batch.ts';

/** The only σ unit nugan's tables carry. */
export const XSEC_TABLE_UNIT = '1e-38 cm2 per nucleon';

/** σ(E_nu) per channel, linear in ln E between the listed energies (as the generator interpolates). */
export interface CrossSectionTable {
  /** Ascending neutrino energies, GeV. */
  readonly E_nu: readonly number[];
  /** Channel name → σ at each energy, 10⁻³⁸ cm² per nucleon. */
  readonly channels: Readonly<Record<string, readonly number[]>>;
}

/** The σ table of `meta.cross_sections`, or undefined when absent or not in the expected shape. */
export function crossSectionTableOf(meta: EventMeta): CrossSectionTable | undefined {
  const raw = meta.cross_sections as Record<string, unknown> | undefined;
  if (!raw || typeof raw !== 'object' || raw.unit !== XSEC_TABLE_UNIT) return undefined;
  const E = raw.E_nu;
  const isNumbers = (a: unknown): a is number[] => Array.isArray(a) && a.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!isNumbers(E) || E.length === 0 || E.some((e, i) => !(e > 0) || (i > 0 && !(e > E[i - 1]!)))) return undefined;
  const channels: Record<string, number[]> = {};
  for (const [name, values] of Object.entries(raw)) {
    if (name === 'unit' || name === 'E_nu') continue;
    if (!isNumbers(values) || values.length !== E.length || values.some((v) => v < 0)) return undefined;
    channels[name] = values;
  }
  return Object.keys(channels).length ? { E_nu: E, channels } : undefined;
}

/** σ of one channel at E (GeV), linear in ln E between table points, constant beyond the ends; 0 for an unknown channel. */
export function channelSigma(t: CrossSectionTable, channel: string, E: number): number {
  const s = t.channels[channel];
  if (!s) return 0;
  const x = t.E_nu;
  if (x.length === 1 || E <= x[0]!) return s[0]!;
  if (E >= x[x.length - 1]!) return s[s.length - 1]!;
  let i = 0;
  while (E > x[i + 1]!) i++;
  const u = Math.log(E / x[i]!) / Math.log(x[i + 1]! / x[i]!);
  return s[i]! * (1 - u) + s[i + 1]! * u;
}

/** Total σ at E (GeV): the sum over the table's channels. */
export function totalSigma(t: CrossSectionTable, E: number): number {
  let sum = 0;
  for (const name of Object.keys(t.channels)) sum += channelSigma(t, name, E);
  return sum;
}

/** ∫_a^b f(E) dE by composite Simpson, 64 intervals between consecutive table energies (f is smooth there). */
function integrate(t: CrossSectionTable, a: number, b: number, f: (E: number) => number): number {
  const cuts = [a, ...t.E_nu.filter((e) => e > a && e < b), b];
  let sum = 0;
  for (let k = 0; k + 1 < cuts.length; k++) {
    const lo = cuts[k]!, hi = cuts[k + 1]!, n = 64, h = (hi - lo) / n;
    let s = f(lo) + f(hi);
    for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(lo + i * h);
    sum += (s * h) / 3;
  }
  return sum;
}

/** G.C.4: the beam energy distribution, GeV; histogram contents are neutrinos per bin (arbitrary normalisation). */
export type BeamSpectrum =
  | { readonly type: 'MonoEnergetic'; readonly energy: number }
  | { readonly type: 'Histogram'; readonly edges: readonly number[]; readonly content: readonly number[] };

export interface RunNormalisation {
  /** Flux-averaged total σ (10⁻³⁸ cm² per nucleon), when the σ table and the E_nu sampling are known. */
  readonly sigma?: number;
  readonly beam?: BeamSpectrum;
  /** One sentence for the file saying how (or why not) the events are normalised. */
  readonly note: string;
}

/**
 * The flux-averaged σ and the beam of a run whose E_nu were fixed (`enu` a number) or drawn in
 * [a, b] by `mode` (see the module comment). Without a σ table only a fixed E_nu gives a beam.
 */
export function runNormalisation(t: CrossSectionTable | undefined, enu: number | readonly [number, number] | undefined, mode: string | undefined): RunNormalisation {
  if (typeof enu === 'number') {
    return t
      ? { sigma: totalSigma(t, enu), beam: { type: 'MonoEnergetic', energy: enu }, note: `mono-energetic beam of ${enu} GeV; the flux-averaged cross section is sigma_tot(E_nu)` }
      : { beam: { type: 'MonoEnergetic', energy: enu }, note: 'mono-energetic beam; no cross section is known for these events' };
  }
  if (!t || !enu) return { note: 'no cross section is known for these events: they cannot be normalised from this file alone' };
  const [a, b] = enu;
  if (mode === 'flux') {
    return {
      sigma: integrate(t, a, b, (E) => totalSigma(t, E)) / (b - a),
      beam: { type: 'Histogram', edges: [a, b], content: [1] },
      note: `flat beam on [${a}, ${b}] GeV (E_nu accepted in proportion to sigma_tot); the flux-averaged cross section is the mean of sigma_tot over the range`,
    };
  }
  if (mode === 'conditional') {
    const edges = [a, ...t.E_nu.filter((e) => e > a && e < b), b];
    const perBin = edges.slice(1).map((hi, k) => integrate(t, edges[k]!, hi, (E) => 1 / totalSigma(t, E)));
    const total = perBin.reduce((s, v) => s + v, 0);
    return {
      sigma: (b - a) / total,
      beam: { type: 'Histogram', edges, content: perBin.map((v) => v / total) },
      note: `E_nu uniform on [${a}, ${b}] GeV whatever sigma: the events stand for a beam proportional to 1/sigma_tot(E_nu), and the flux-averaged cross section is the harmonic mean of sigma_tot; use tot_xs per event to reweight to another flux`,
    };
  }
  return { note: `E_nu drawn in [${a}, ${b}] GeV by an unknown rule: the flux the events stand for is not known` };
}
