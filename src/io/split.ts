/**
 * Train/validation/test splitting of an event table, with optional E_nu window and subsampling to N
 * events, in two streaming passes (count, then select) so no table is ever held in memory.
 *
 * Selection is Knuth's selection sampling (TAOCP vol. 2, §3.4.2, Algorithm S): with M events in the
 * window, event i is taken with probability (N − taken)/(M − i), which yields exactly N events, every
 * N-subset equally likely. Each taken event then goes to split k with probability
 * (remaining places in k)/(remaining events), which gives exactly the requested split sizes as a
 * uniformly random partition. Events keep their input order inside each split. The same input,
 * parameters and seed always give the same files.
 */
import { InputError } from '../util/errors.ts';
import { Rng } from '../util/rng.ts';
import { BatchBuilder } from './rows.ts';
import { DEFAULT_BATCH, batchLength, type EventBatch, type EventMeta, type EventWriter } from './event-batch.ts';
import { openEventWriter, readEventBatches, readEventMeta } from './event-table.ts';

export const SPLITS = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

export interface SplitOptions {
  /** Fractions of the selected events per split; must sum to 1. */
  fractions: Record<SplitName, number>;
  /** Subsample to exactly this many events (default: all events in the window). */
  events?: number;
  /** Keep only lo ≤ E_nu ≤ hi (GeV). */
  enu_window?: [number, number];
  seed: number;
  signal?: AbortSignal;
  onBatch?(n: number): void;
}

export interface SplitSummary {
  /** Events in the input table. */
  input: number;
  /** Events inside the E_nu window. */
  in_window: number;
  /** Events selected (= the sum of the split counts). */
  selected: number;
  counts: Record<SplitName, number>;
  seed: number;
  enu_window?: [number, number];
}

/** Exact split sizes: val and test rounded, train takes the rest (so the sizes add up to n). */
export function splitSizes(n: number, f: Record<SplitName, number>): Record<SplitName, number> {
  const val = Math.round(n * f.val);
  const test = Math.min(n - val, Math.round(n * f.test));
  return { train: n - val - test, val, test };
}

/**
 * Split `input` into the three tables of `outputs` (any event-table extension). Output files appear
 * only when every one of them is complete.
 */
export async function splitEventTable(input: string, outputs: Record<SplitName, string>, opts: SplitOptions): Promise<SplitSummary> {
  const f = opts.fractions;
  for (const k of SPLITS) {
    if (!(f[k] >= 0 && f[k] <= 1)) throw new InputError(`split fraction ${k} = ${f[k]} is not in [0, 1]`);
  }
  const sum = f.train + f.val + f.test;
  if (Math.abs(sum - 1) > 1e-9) throw new InputError(`split fractions train + val + test = ${sum}, expected 1`);
  const win = opts.enu_window;
  if (win && !(win[0] < win[1])) throw new InputError(`enu_window [${win[0]}, ${win[1]}] must have lo < hi (GeV)`);
  const inWindow = (e: number) => !win || (e >= win[0] && e <= win[1]);

  // Pass 1: count events in the window.
  const meta = await readEventMeta(input);
  let total = 0;
  let M = 0;
  for await (const b of readEventBatches(input)) {
    total += batchLength(b);
    if (!win) M += batchLength(b);
    else for (let i = 0; i < b.E_nu.length; i++) if (inWindow(b.E_nu[i]!)) M++;
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
  }
  const N = opts.events ?? M;
  if (!Number.isInteger(N) || N < 0) throw new InputError(`events = ${N} must be a non-negative integer`);
  if (N > M) {
    const where = win ? ` with ${win[0]} ≤ E_nu ≤ ${win[1]} GeV` : '';
    throw new InputError(`asked for ${N} events but the table has only ${M}${where}`, input);
  }
  const sizes = splitSizes(N, f);

  // Pass 2: select and distribute.
  const rng = new Rng(opts.seed);
  const { count: _c, ...baseMeta } = meta;
  const writers: Partial<Record<SplitName, EventWriter>> = {};
  const builders: Partial<Record<SplitName, BatchBuilder>> = {};
  const remaining = { ...sizes };
  let seen = 0;
  let taken = 0;
  try {
    for (const k of SPLITS) {
      const m: EventMeta = { ...baseMeta, source: `${String(baseMeta.source ?? input)} (split ${k})`, split: k, seed: opts.seed, split_of: N, window: win ?? null };
      writers[k] = await openEventWriter(outputs[k], m);
    }
    for await (const b of readEventBatches(input)) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
      const n = batchLength(b);
      for (let i = 0; i < n; i++) {
        if (!inWindow(b.E_nu[i]!)) continue;
        const left = M - seen++;
        if (taken >= N || rng.next() * left >= N - taken) continue;
        const r = rng.next() * (N - taken);
        taken++;
        const k: SplitName = r < remaining.train ? 'train' : r < remaining.train + remaining.val ? 'val' : 'test';
        remaining[k]--;
        const bb = (builders[k] ??= new BatchBuilder(!!b.channel, !!b.weight, DEFAULT_BATCH));
        bb.push(b.E_nu[i]!, b.E_mu[i]!, b.theta[i]!, b.channel?.[i], b.weight?.[i]);
        if (bb.full) await writers[k]!.write(bb.take());
      }
      opts.onBatch?.(n);
    }
    for (const k of SPLITS) {
      const bb = builders[k];
      if (bb && bb.length > 0) await writers[k]!.write(bb.take());
    }
    // Close only when all three are complete, so a failure above leaves none of them behind.
    for (const k of SPLITS) await writers[k]!.close();
  } catch (e) {
    for (const k of SPLITS) await writers[k]?.abort();
    throw e;
  }
  const summary: SplitSummary = { input: total, in_window: M, selected: taken, counts: sizes, seed: opts.seed };
  if (win) summary.enu_window = win;
  return summary;
}

export type { EventBatch };
