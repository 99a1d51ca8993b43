/**
 * Row-level helpers shared by every reader: the physical checks an event must pass and a builder
 * that collects accepted rows into fixed-size EventBatches.
 */
import { CHANNELS, DEFAULT_BATCH, type EventBatch } from './event-batch.ts';

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
