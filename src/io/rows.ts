/**
 * Row-level helpers shared by every reader: the physical checks an event must pass and a builder
 * that collects accepted rows into fixed-size EventBatches.
 */
import { E_MAX, E_MIN } from '../physics/constants.ts';
import { CHANNELS, DEFAULT_BATCH, batchLength, type EventBatch } from './event-batch.ts';

/**
 * Why an event (E_nu, E_mu GeV, theta rad) is not acceptable input, or undefined when it is.
 * Energies must be finite and non-negative, E_mu ≤ E_nu (a muon cannot carry more energy than the
 * neutrino brought in) and theta in [0, pi].
 */
export function eventProblem(E_nu: number, E_mu: number, theta: number): string | undefined {
  if (!Number.isFinite(E_nu) || !Number.isFinite(E_mu) || !Number.isFinite(theta)) return 'non-finite value';
  if (E_nu < 0) return `negative neutrino energy E_nu = ${E_nu} GeV`;
  if (E_mu < 0) return `negative muon energy E_mu = ${E_mu} GeV`;
  if (E_mu > E_nu) return `muon energy E_mu = ${E_mu} GeV exceeds the neutrino energy E_nu = ${E_nu} GeV`;
  if (theta < 0 || theta > Math.PI) return `muon angle theta = ${theta} rad outside [0, pi]`;
  return undefined;
}

/** The first row of a batch that `eventProblem` refuses: its index in the batch and why. */
export function firstBadRow(b: EventBatch): { index: number; problem: string } | undefined {
  const n = batchLength(b);
  for (let i = 0; i < n; i++) {
    const problem = eventProblem(b.E_nu[i]!, b.E_mu[i]!, b.theta[i]!);
    if (problem) return { index: i, problem };
  }
  return undefined;
}

/**
 * The largest E_nu, in GeV, taken from a table that states no energy unit. nugan's models cover
 * 0.3–10 GeV (docs/formats.md §4); a neutrino energy ten times above that in a table without a unit is
 * almost surely MeV (NuWro's unit) read as GeV, which would silently train a model on nonsense.
 */
export const UNSTATED_UNIT_E_NU_LIMIT = 10 * E_MAX;

/**
 * Why E_nu (read as GeV from a table that states no energy unit) is probably MeV, or undefined.
 * `howToState` tells the user how this format states a unit.
 */
export function probablyMeV(E_nu: number, howToState: string): string | undefined {
  if (!(E_nu > UNSTATED_UNIT_E_NU_LIMIT)) return undefined;
  return `E_nu = ${E_nu} GeV, far above the ${E_MIN}–${E_MAX} GeV of nugan's models, and the table states no energy unit: is it in MeV? State the unit: ${howToState}`;
}

/** Collects rows and hands out batches of `size` events. */
export class BatchBuilder {
  private E_nu: Float64Array;
  private E_mu: Float64Array;
  private theta: Float64Array;
  private channel: Uint8Array | undefined;
  private weight: Float64Array | undefined;
  private n = 0;

  constructor(
    readonly hasChannel: boolean,
    readonly hasWeight: boolean,
    readonly size = DEFAULT_BATCH,
  ) {
    this.E_nu = new Float64Array(size);
    this.E_mu = new Float64Array(size);
    this.theta = new Float64Array(size);
    this.channel = hasChannel ? new Uint8Array(size) : undefined;
    this.weight = hasWeight ? new Float64Array(size) : undefined;
  }

  get length(): number {
    return this.n;
  }

  get full(): boolean {
    return this.n >= this.size;
  }

  push(E_nu: number, E_mu: number, theta: number, channel = 0, weight = 1): void {
    const i = this.n++;
    this.E_nu[i] = E_nu;
    this.E_mu[i] = E_mu;
    this.theta[i] = theta;
    if (this.channel) this.channel[i] = channel;
    if (this.weight) this.weight[i] = weight;
  }

  /** The collected rows as a batch (fresh arrays), and start again. */
  take(): EventBatch {
    const n = this.n;
    const b: EventBatch = { E_nu: this.E_nu.slice(0, n), E_mu: this.E_mu.slice(0, n), theta: this.theta.slice(0, n) };
    if (this.channel) b.channel = this.channel.slice(0, n);
    if (this.weight) b.weight = this.weight.slice(0, n);
    this.n = 0;
    return b;
  }
}

/** Channel code of a name (QE, MEC, RES, DIS, COH, case-insensitive) or of a numeric code 0–4. */
export function parseChannel(text: string): number | undefined {
  const up = text.trim().toUpperCase();
  const i = (CHANNELS as readonly string[]).indexOf(up);
  if (i >= 0) return i;
  if (/^[0-9]+$/.test(up)) {
    const k = Number(up);
    if (k < CHANNELS.length) return k;
  }
  return undefined;
}
