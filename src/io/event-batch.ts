/**
 * The in-memory form of a sample of CC muon events (docs/formats.md §4, §7), shared by every file format:
 * columns E_nu, E_mu (GeV, E_mu is the muon's total energy), theta (rad), optional channel (index into
 * CHANNELS) and weight, as typed arrays of one length. This module knows no file format; the formats
 * (arrow.ts, text.ts, nuhepmc.ts) build on it and event-table.ts picks one by extension.
 */

export const CHANNELS = ['QE', 'MEC', 'RES', 'DIS', 'COH'] as const; // channel code = index in CHANNELS
export type Channel = (typeof CHANNELS)[number];

/** One column per field, all of the same length. */
export interface EventBatch {
  /** Neutrino energy, GeV. */
  E_nu: Float64Array;
  /** Total muon energy, GeV. */
  E_mu: Float64Array;
  /** Muon angle to the beam, rad, in [0, pi]. */
  theta: Float64Array;
  /** Index into CHANNELS. */
  channel?: Uint8Array;
  weight?: Float64Array;
}

/** JSON-able table metadata; the writer adds `units` and `count`. */
export interface EventMeta {
  source: string;
  domain?: string;
  seed?: number;
  [key: string]: unknown;
}

/** Units recorded in every table (house rule 11). */
export const TABLE_UNITS = { energy: 'GeV', angle: 'rad' } as const;

/** Rows per Arrow record batch and default read batch size. */
export const DEFAULT_BATCH = 65536;

/** Number of events in a batch (the length of E_nu; all columns have that length). */
export function batchLength(b: EventBatch): number {
  return b.E_nu.length;
}

/** An empty batch with the optional columns of `like`. */
export function emptyBatch(like?: { channel?: unknown; weight?: unknown }): EventBatch {
  const b: EventBatch = { E_nu: new Float64Array(0), E_mu: new Float64Array(0), theta: new Float64Array(0) };
  if (like?.channel) b.channel = new Uint8Array(0);
  if (like?.weight) b.weight = new Float64Array(0);
  return b;
}

/** Rows [start, end) of a batch, as views (no copy). */
export function sliceBatch(b: EventBatch, start: number, end: number): EventBatch {
  const out: EventBatch = {
    E_nu: b.E_nu.subarray(start, end),
    E_mu: b.E_mu.subarray(start, end),
    theta: b.theta.subarray(start, end),
  };
  if (b.channel) out.channel = b.channel.subarray(start, end);
  if (b.weight) out.weight = b.weight.subarray(start, end);
  return out;
}

/** The rows of `b` whose index is listed in `idx` (a copy). */
export function takeRows(b: EventBatch, idx: ArrayLike<number>): EventBatch {
  const n = idx.length;
  const out: EventBatch = { E_nu: new Float64Array(n), E_mu: new Float64Array(n), theta: new Float64Array(n) };
  if (b.channel) out.channel = new Uint8Array(n);
  if (b.weight) out.weight = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const j = idx[i]!;
    out.E_nu[i] = b.E_nu[j]!;
    out.E_mu[i] = b.E_mu[j]!;
    out.theta[i] = b.theta[j]!;
    if (out.channel) out.channel[i] = b.channel![j]!;
    if (out.weight) out.weight[i] = b.weight![j]!;
  }
  return out;
}

/** Concatenate batches that have the same optional columns (a copy). */
export function concatBatches(batches: readonly EventBatch[]): EventBatch {
  const n = batches.reduce((s, b) => s + batchLength(b), 0);
  const first = batches[0];
  const out: EventBatch = { E_nu: new Float64Array(n), E_mu: new Float64Array(n), theta: new Float64Array(n) };
  if (first?.channel) out.channel = new Uint8Array(n);
  if (first?.weight) out.weight = new Float64Array(n);
  let o = 0;
  for (const b of batches) {
    out.E_nu.set(b.E_nu, o);
    out.E_mu.set(b.E_mu, o);
    out.theta.set(b.theta, o);
    if (out.channel && b.channel) out.channel.set(b.channel, o);
    if (out.weight && b.weight) out.weight.set(b.weight, o);
    o += batchLength(b);
  }
  return out;
}

/** Throws (a bug, not bad input) when the columns of a batch differ in length. */
export function checkBatchShape(b: EventBatch): void {
  const n = b.E_nu.length;
  if (b.E_mu.length !== n || b.theta.length !== n || (b.channel && b.channel.length !== n) || (b.weight && b.weight.length !== n)) {
    throw new Error('EventBatch columns have different lengths');
  }
}

/** A streaming writer: batches go to a temporary file that becomes `path` on close. */
export interface EventWriter {
  write(batch: EventBatch): Promise<void>;
  /** Finish the file and rename it into place. */
  close(): Promise<{ count: number }>;
  /** Drop everything written so far; no file remains. */
  abort(): Promise<void>;
}

/** Re-cut a stream of batches into batches of exactly `size` events (the last may be shorter). */
export async function* rebatch(source: AsyncIterable<EventBatch>, size: number): AsyncGenerator<EventBatch> {
  if (!(size >= 1)) throw new Error(`batch size must be ≥ 1, got ${size}`);
  let pending: EventBatch[] = [];
  let pendingN = 0;
  for await (const b of source) {
    let off = 0;
    const n = batchLength(b);
    while (off < n) {
      const take = Math.min(size - pendingN, n - off);
      if (pendingN === 0 && take === size) {
        yield sliceBatch(b, off, off + take);
      } else {
        pending.push(sliceBatch(b, off, off + take));
        pendingN += take;
        if (pendingN === size) {
          yield concatBatches(pending);
          pending = [];
          pendingN = 0;
        }
      }
      off += take;
    }
  }
  if (pendingN > 0) yield concatBatches(pending);
}
