/**
 * Where everything lives in the CPU engine's arena: one shared WebAssembly.Memory that every thread
 * (and the native kernels) works on by byte offset. The plan is plain data, computed once from the
 * architecture, the batch size and the thread count, and posted to the workers; regions that grow
 * with the data (training events, the epoch's order, generation buffers) live after it, and their
 * offsets travel with each phase instead (pool.ts).
 *
 * Sharding: a batch of B rows is cut into `shards` shards of `shardRows` rows, a function of B alone,
 * so the work and every sum over rows is split the same way whatever the thread count. Each shard
 * writes its gradients into its own slot; Adam sums the slots in shard order. A (seed, batch) pair
 * therefore gives the same model on 1 thread or 64.
 */
import { ganLayouts, inputWidth, type Architecture, type NetLayout } from '../../architecture.ts';
import type { Ptr } from './kernels.ts';

/** The module's own static region (its default stack and nothing else): the arena starts after it. */
const RESERVED = 1 << 20;
const ALIGN = 64;
/** Per-thread C stack of the WebAssembly kernels (they use a few dozen bytes). */
const STACK_BYTES = 64 * 1024;
/** Bytes of one draws.ts parameter block in kernels.c (draw_params: six u32). */
export const DRAW_PARAMS_BYTES = 24;
/** Largest number of shards a batch is cut into (bounds the per-shard gradient memory). */
const MAX_SHARDS = 64;
/** Rows a shard gets when the batch is small enough. */
const SHARD_ROWS = 128;
/** Rows per generation task. */
export const GENERATE_ROWS = 256;

/** The shard split of a batch of `batch` rows. */
export function shardsOf(batch: number): { shards: number; shardRows: number } {
  const shards = Math.max(1, Math.min(MAX_SHARDS, Math.ceil(batch / SHARD_ROWS)));
  return { shards, shardRows: Math.ceil(batch / shards) };
}

/** The global part of one network: weights, moments, per-shard gradients, transposed kernels. */
export interface NetPlan {
  readonly size: number;
  readonly weights: Ptr;
  readonly m: Ptr;
  readonly v: Ptr;
  /** `shards` gradient slots of `size` floats each, back to back. */
  readonly grads: Ptr;
  /** Per layer (blocks, then the output layer): its kernel's first `inW` rows transposed, [units, inW]. */
  readonly transposed: readonly Ptr[];
  /** The weight average (generator only; the discriminator's is never used). */
  readonly ema: Ptr;
}

/** One thread's activations of one network, for up to `rows` rows. */
export interface NetWork {
  /** Per block: dense output, normalised value (or pre), 1/σ per row, dropout scale, block output. */
  readonly pre: readonly Ptr[];
  readonly xhat: readonly Ptr[];
  readonly rstd: readonly Ptr[];
  readonly mask: readonly Ptr[];
  readonly h: readonly Ptr[];
  /** Output layer [rows, outDim]. */
  readonly out: Ptr;
}

export interface ThreadPlan {
  /** Top of this thread's C stack (it grows down). */
  readonly stackTop: Ptr;
  /** Three draw_params blocks: dropout, noise, latent. */
  readonly draws: Ptr;
  readonly G: NetWork;
  readonly D: NetWork;
  /** Inputs of a shard: latent [rows, L], real (E'_mu, theta') [rows, 2], conditions [rows]. */
  readonly z: Ptr;
  readonly x: Ptr;
  readonly c: Ptr;
  /** Gradient scratch: the output layer's [rows, outDim], two [rows, width] for dL/dh, one for dL/dpre, G's output [rows, 2]. */
  readonly dOut: Ptr;
  readonly dh: readonly [Ptr, Ptr];
  readonly dpre: Ptr;
  readonly dFake: Ptr;
}

export interface Plan {
  readonly batch: number;
  readonly shards: number;
  readonly shardRows: number;
  /** Rows every workspace holds: max(shardRows, GENERATE_ROWS). */
  readonly rows: number;
  readonly G: NetPlan;
  readonly D: NetPlan;
  /** Int32 control block of the thread pool (pool.ts), and its error-text area. */
  readonly control: Ptr;
  readonly errorText: Ptr;
  /** Per shard: loss_d, loss_g, Σσ(real), Σσ(fake) as float64. */
  readonly stats: Ptr;
  readonly threads: readonly ThreadPlan[];
  /** First byte after the plan: where growable regions start. */
  readonly end: number;
}

export const CONTROL_INTS = 64;
export const ERROR_TEXT_BYTES = 4096;

class Allocator {
  constructor(public next: number) {}
  take(bytes: number): Ptr {
    const at = Math.ceil(this.next / ALIGN) * ALIGN;
    this.next = at + bytes;
    return at;
  }
  floats(n: number): Ptr {
    return this.take(4 * n);
  }
}

function netPlan(a: Allocator, layout: NetLayout, shards: number): NetPlan {
  const { spec } = layout;
  const layers = [...layout.blocks, layout.out];
  return {
    size: layout.size,
    weights: a.floats(layout.size),
    m: a.floats(layout.size),
    v: a.floats(layout.size),
    grads: a.floats(layout.size * shards),
    transposed: layers.map((l, b) => a.floats(l.units * inputWidth(spec, b))),
    ema: layout.prefix === 'g' ? a.floats(layout.size) : 0,
  };
}

function netWork(a: Allocator, layout: NetLayout, rows: number): NetWork {
  const { blocks, width, outDim } = layout.spec;
  const per = (n: number) => Array.from({ length: blocks }, () => a.floats(n));
  return { pre: per(rows * width), xhat: per(rows * width), rstd: per(rows), mask: per(rows * width), h: per(rows * width), out: a.floats(rows * outDim) };
}

/** The arena plan for `architecture`, batches of `batch` rows and `threads` threads. */
export function makePlan(architecture: Architecture, batch: number, threads: number): Plan {
  const layouts = ganLayouts(architecture);
  const { shards, shardRows } = shardsOf(batch);
  const rows = Math.max(shardRows, GENERATE_ROWS);
  const a = new Allocator(RESERVED);
  const G = netPlan(a, layouts.G, shards);
  const D = netPlan(a, layouts.D, shards);
  const control = a.take(4 * CONTROL_INTS);
  const errorText = a.take(ERROR_TEXT_BYTES);
  const stats = a.take(8 * 4 * shards);
  const width = Math.max(layouts.G.spec.width, layouts.D.spec.width, architecture.latent, 2);
  const threadPlans: ThreadPlan[] = [];
  for (let t = 0; t < threads; t++) {
    const stackTop = a.take(STACK_BYTES) + STACK_BYTES;
    threadPlans.push({
      stackTop,
      draws: a.take(3 * DRAW_PARAMS_BYTES),
      G: netWork(a, layouts.G, rows),
      D: netWork(a, layouts.D, rows),
      z: a.floats(rows * architecture.latent),
      x: a.floats(rows * 2),
      c: a.floats(rows),
      dOut: a.floats(rows * 2),
      dh: [a.floats(rows * width), a.floats(rows * width)],
      dpre: a.floats(rows * width),
      dFake: a.floats(rows * 2),
    });
  }
  return { batch, shards, shardRows, rows, G, D, control, errorText, stats, threads: threadPlans, end: Math.ceil(a.next / ALIGN) * ALIGN };
}

/**
 * Growable regions after the plan (training data, the epoch's order, generation buffers), in the
 * arena `memory`. Growing one moves the regions after it: their bytes move with them.
 */
export class TailRegions {
  private readonly regions: { name: string; at: Ptr; bytes: number }[] = [];
  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly start: number,
  ) {}

  /** Offset of region `name`, with room for at least `bytes` bytes. */
  ensure(name: string, bytes: number): Ptr {
    let r = this.regions.find((x) => x.name === name);
    if (r && r.bytes >= bytes) return r.at;
    if (!r) {
      r = { name, at: this.end, bytes: 0 };
      this.regions.push(r);
    }
    const old = this.regions.map((x) => ({ ...x }));
    r.bytes = bytes;
    let at = this.start;
    for (const x of this.regions) {
      x.at = Math.ceil(at / ALIGN) * ALIGN;
      at = x.at + x.bytes;
    }
    growTo(this.memory, at);
    const arena = new Uint8Array(this.memory.buffer);
    // Regions only move up: copy the last first so nothing is overwritten before it has moved.
    for (let i = this.regions.length - 1; i >= 0; i--) {
      const before = old[i]!;
      const now = this.regions[i]!;
      if (now.name !== name && before.at !== now.at) arena.copyWithin(now.at, before.at, before.at + before.bytes);
    }
    return r.at;
  }

  private get end(): number {
    const last = this.regions[this.regions.length - 1];
    return last ? last.at + last.bytes : this.start;
  }
}

/** Grows `memory` (64 KiB pages) to at least `bytes`. */
export function growTo(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
}
