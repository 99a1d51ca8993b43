/**
 * The unweighted event loop of nugan's reference generator (docs/reference-generator.md §7) and its multi-core
 * driver. This is a compact analytic stand-in for NuWro — its events are NOT NuWro output.
 *
 * Determinism: events are produced in blocks of `blockSize`; block b draws from the PRNG stream
 * (seed, b) and blocks are concatenated in order, so a (seed, events, blockSize) triple gives the same
 * events whatever the number of threads.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { channelTables, gridPosition, sigmaAt, sigmaTotalAt, type ChannelTables, type TableOptions } from './channels.ts';
import type { Knobs } from './domains.ts';
import { Rng } from '../util/rng.ts';
import { ChannelSampler, SUBCHANNEL_CODE, SUBCHANNELS } from './channel-sampler.ts';

export type EnergyMode = 'conditional' | 'flux';

/** What to generate: knobs, neutrino energy (fixed GeV, or a range [a, b] GeV), E_ν mode, seed. */
export interface GeneratorSpec {
  knobs: Knobs;
  enu: number | readonly [number, number];
  /** conditional: E ~ U[a,b]; flux: E ~ U[a,b] accepted ∝ σ_tot(E) (docs/reference-generator.md §7 step 1). */
  mode: EnergyMode;
  seed: number;
}

/** Events of one block plus bookkeeping. Channel codes index CHANNELS (QE, MEC, RES, DIS, COH). */
export interface BlockResult {
  E_nu: Float64Array;
  E_mu: Float64Array;
  theta: Float64Array;
  channel: Uint8Array;
  /** Per sub-channel (SUBCHANNELS order): accepted events, trials, weights above w_max. */
  accepted: number[];
  trials: number[];
  overflow: number[];
}

/** Largest trials spent on one event before giving up (only reachable through a bug or a zero table). */
const MAX_TRIALS_PER_EVENT = 10_000_000;

/**
 * Generates `count` unweighted events for block `block` (docs/reference-generator.md §7 loop): E_ν by mode, sub-channel j
 * with probability σ_j(E)/Σσ, then trials until U·w_max < w (w_max = max of the bracketing grid points);
 * w > w_max is accepted and counted as overflow.
 */
export function generateBlock(spec: GeneratorSpec, tables: ChannelTables, sampler: ChannelSampler, block: number, count: number): BlockResult {
  const rng = new Rng(spec.seed, block);
  const nj = SUBCHANNELS.length;
  const out: BlockResult = {
    E_nu: new Float64Array(count),
    E_mu: new Float64Array(count),
    theta: new Float64Array(count),
    channel: new Uint8Array(count),
    accepted: new Array<number>(nj).fill(0),
    trials: new Array<number>(nj).fill(0),
    overflow: new Array<number>(nj).fill(0),
  };
  const fixed = typeof spec.enu === 'number';
  const a = fixed ? (spec.enu as number) : (spec.enu as readonly [number, number])[0];
  const b = fixed ? a : (spec.enu as readonly [number, number])[1];
  const sigmaMax = spec.mode === 'flux' && !fixed ? maxSigmaTotal(tables, a, b) : 0;
  const cum = new Float64Array(nj);
  const wm = new Float64Array(nj);
  const fillAt = (E: number): void => {
    const { i } = gridPosition(tables, E);
    let s = 0;
    for (let j = 0; j < nj; j++) {
      s += Math.max(0, sigmaAt(tables, j, E));
      cum[j] = s;
      const w = tables.wmax[j]!;
      wm[j] = Math.max(w[i]!, w[i + 1]!);
    }
  };
  if (fixed) fillAt(a);
  for (let n = 0; n < count; n++) {
    let E = a;
    if (!fixed) {
      for (;;) {
        E = a + (b - a) * rng.next();
        if (spec.mode !== 'flux' || rng.next() * sigmaMax < sigmaTotalAt(tables, E)) break;
      }
      fillAt(E);
    }
    const total = cum[nj - 1]!;
    if (!(total > 0)) throw new Error(`reference generator: zero total cross section at E_nu = ${E} GeV`);
    const r = rng.next() * total;
    let j = 0;
    while (j < nj - 1 && r >= cum[j]!) j++;
    const bound = wm[j]!;
    let tries = 0;
    for (;;) {
      const w = sampler.trial(j, E, rng);
      tries++;
      if (w > bound) {
        out.overflow[j]!++;
        break;
      }
      if (w > 0 && rng.next() * bound < w) break;
      if (tries > MAX_TRIALS_PER_EVENT) throw new Error(`reference generator: no event accepted in ${SUBCHANNELS[j]} at E_nu = ${E} GeV`);
    }
    out.trials[j]! += tries;
    out.accepted[j]!++;
    out.E_nu[n] = E;
    out.E_mu[n] = sampler.E_mu;
    out.theta[n] = sampler.theta;
    out.channel[n] = SUBCHANNEL_CODE[j]!;
  }
  return out;
}

/** max σ_tot(E) over [a, b]: σ_tot is piecewise linear in ln E, so grid nodes and ends suffice. */
export function maxSigmaTotal(t: ChannelTables, a: number, b: number): number {
  let m = Math.max(sigmaTotalAt(t, a), sigmaTotalAt(t, b));
  for (const E of t.energies) if (E > a && E < b) m = Math.max(m, sigmaTotalAt(t, E));
  return m;
}

export interface SimulateOptions {
  /** Worker threads (default 1: run in this thread). */
  threads?: number;
  /** Events per PRNG block (default 16384). Part of the definition of the event sequence. */
  blockSize?: number;
  tables?: ChannelTables;
  tableOptions?: TableOptions & { cacheDir?: string | null };
  /** Called after each block with the number of events it added. */
  onProgress?: (events: number) => void;
  /** Called with each finished block, in block order (for streaming writers). */
  onBlock?: (block: BlockResult, index: number) => Promise<void> | void;
  signal?: AbortSignal;
  /** Keep the concatenated events in the result (default true). */
  collect?: boolean;
}

/** All blocks' events and bookkeeping together, with the tables and timing of the run. */
export interface SimulationResult extends BlockResult {
  tables: ChannelTables;
  threads: number;
  seconds: number;
}

/** Checks an energy request against the table grid; returns a message or null. */
export function checkEnergy(tables: ChannelTables, enu: GeneratorSpec['enu']): string | null {
  const lo = tables.energies[0]!, hi = tables.energies[tables.energies.length - 1]!;
  const [a, b] = typeof enu === 'number' ? [enu, enu] : enu;
  if (!(a >= lo && b <= hi && a <= b)) return `neutrino energy must lie in [${lo}, ${hi}] GeV, got ${typeof enu === 'number' ? enu : `${a}:${b}`}`;
  if (!(sigmaTotalAt(tables, a) > 0 || sigmaTotalAt(tables, b) > 0)) return `no CC cross section at E_nu = ${a} GeV (below threshold)`;
  return null;
}

/** How to start a worker: a script URL (compiled JS), or eval'd code that loads tsx first (TS sources). */
interface WorkerLaunch {
  target: string | URL;
  eval: boolean;
}

function workerLaunch(): WorkerLaunch | null {
  const here = import.meta.url;
  const isTs = here.endsWith('.ts');
  const url = new URL(isTs ? './worker.ts' : './worker.js', here);
  if (url.protocol !== 'file:' || !existsSync(fileURLToPath(url))) return null;
  if (!isTs) return { target: url, eval: false };
  // TypeScript sources: register tsx's loader in the worker (resolved from this package, not the cwd)
  // before importing the worker module, as bin/nugan.mjs does for the main thread.
  let api: string;
  try {
    // the ESM build of the API (require.resolve picks the CJS one, which cannot register ESM hooks here)
    api = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
  } catch {
    return null;
  }
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return { target: code, eval: true };
}

/**
 * Generates `events` events for `spec`, on `threads` worker threads (falls back to this thread when
 * threads = 1 or no worker script is available, e.g. in a single-file bundle). Deterministic for
 * (spec, events, blockSize), independent of the thread count.
 */
export async function simulate(spec: GeneratorSpec, events: number, opts: SimulateOptions = {}): Promise<SimulationResult> {
  const t0 = performance.now();
  const tables = opts.tables ?? (await channelTables(spec.knobs, opts.tableOptions));
  const bad = checkEnergy(tables, spec.enu);
  if (bad) throw new RangeError(bad);
  const blockSize = opts.blockSize ?? 16384;
  const nBlocks = Math.ceil(events / blockSize);
  const sizeOf = (b: number): number => Math.min(blockSize, events - b * blockSize);
  const collect = opts.collect ?? true;
  const nj = SUBCHANNELS.length;
  const res: SimulationResult = {
    E_nu: new Float64Array(collect ? events : 0),
    E_mu: new Float64Array(collect ? events : 0),
    theta: new Float64Array(collect ? events : 0),
    channel: new Uint8Array(collect ? events : 0),
    accepted: new Array<number>(nj).fill(0),
    trials: new Array<number>(nj).fill(0),
    overflow: new Array<number>(nj).fill(0),
    tables,
    threads: 1,
    seconds: 0,
  };
  const absorb = async (r: BlockResult, b: number): Promise<void> => {
    if (collect) {
      const off = b * blockSize;
      res.E_nu.set(r.E_nu, off); res.E_mu.set(r.E_mu, off); res.theta.set(r.theta, off); res.channel.set(r.channel, off);
    }
    for (let j = 0; j < nj; j++) {
      res.accepted[j]! += r.accepted[j]!; res.trials[j]! += r.trials[j]!; res.overflow[j]! += r.overflow[j]!;
    }
    if (opts.onBlock) await opts.onBlock(r, b);
    opts.onProgress?.(r.E_nu.length);
  };
  const threads = Math.max(1, Math.min(opts.threads ?? 1, nBlocks));
  const script = threads > 1 ? workerLaunch() : null;
  if (!script) {
    const sampler = new ChannelSampler(spec.knobs);
    for (let b = 0; b < nBlocks; b++) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
      await absorb(generateBlock(spec, tables, sampler, b, sizeOf(b)), b);
      // yield to the event loop so progress and abort signals get through
      await new Promise((r) => setImmediate(r));
    }
  } else {
    res.threads = threads;
    await runWorkers(spec, tables, script, threads, nBlocks, sizeOf, absorb, opts.signal);
  }
  res.seconds = (performance.now() - t0) / 1000;
  return res;
}

async function runWorkers(
  spec: GeneratorSpec,
  tables: ChannelTables,
  script: WorkerLaunch,
  threads: number,
  nBlocks: number,
  sizeOf: (b: number) => number,
  absorb: (r: BlockResult, b: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const workers: Worker[] = [];
  const done = new Map<number, BlockResult>();
  let nextToSend = 0;
  let nextToAbsorb = 0;
  let chain = Promise.resolve();
  try {
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal?.reason ?? new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const send = (w: Worker): void => {
        if (nextToSend < nBlocks) {
          const b = nextToSend++;
          w.postMessage({ block: b, count: sizeOf(b) });
        }
      };
      for (let i = 0; i < threads; i++) {
        const w = new Worker(script.target, { workerData: { spec, tables }, eval: script.eval });
        workers.push(w);
        w.on('error', reject);
        w.on('message', (msg: { block: number; result: BlockResult }) => {
          done.set(msg.block, msg.result);
          send(w);
          // absorb in block order so the output does not depend on scheduling
          chain = chain.then(async () => {
            while (done.has(nextToAbsorb)) {
              const r = done.get(nextToAbsorb)!;
              done.delete(nextToAbsorb);
              await absorb(r, nextToAbsorb);
              nextToAbsorb++;
            }
            if (nextToAbsorb === nBlocks) resolve();
          }).catch(reject);
        });
        send(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
