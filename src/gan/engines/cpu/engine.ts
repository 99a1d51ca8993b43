/**
 * The CPU engine: the training step of engine.ts on all the cores a stage may use.
 *
 * Data-parallel: each step's batch is cut into shards (plan.ts) that threads take from a shared
 * counter (pool.ts); each shard's gradients go to a slot of their own and Adam sums the slots in shard
 * order, so a (seed, batch) pair gives the same model whatever the thread count. The arithmetic is in
 * kernels.c — the native build where `npm install` could compile it, else the WebAssembly build.
 *
 * Per step: D-step shards → Adam on D (chunks of weights in parallel) → D's kernels transposed for
 * the backward passes → G-step shards → Adam on G → G's kernels transposed. Everything stays in the
 * arena between steps; nothing is copied but the epoch's row order.
 */
import { ganLayouts, type Architecture, type NetLayout } from '../../architecture.ts';
import { emaDecay, type EngineInfo, type EpochRequest, type EpochStats, type GanEngine, type GanState, type ProxyData, type TrainingSetup } from '../engine.ts';
import { chooseKernelBuild, type KernelBuild } from './kernels.ts';
import { transposeKernels } from './net.ts';
import { makePlan, TailRegions, type NetPlan, type Plan } from './plan.ts';
import { ThreadPool } from './pool.ts';
import { Ctl, Phase, type ThreadSetup } from './shard.ts';

export interface CpuEngineOptions {
  architecture: Architecture;
  /** Needed to train; sampling needs none. */
  training?: TrainingSetup;
  threads: number;
  /** Kernel build; default: native when built, else WebAssembly (kernels.ts). */
  build?: KernelBuild;
}

/** Seconds between yields to the event loop within an epoch (abort signals, progress). */
const YIELD_SECONDS = 0.25;
/** Rows per generation phase (bounds the arena's generation buffers: 12 bytes a row). */
const GENERATE_BATCH = 1 << 18;

export class CpuEngine implements GanEngine {
  readonly info: EngineInfo;
  private readonly layouts: { G: NetLayout; D: NetLayout };
  private readonly tail: TailRegions;
  private data?: { x: number; c: number; n: number };
  private step = 0;

  private constructor(
    readonly architecture: Architecture,
    private readonly setup: ThreadSetup,
    private readonly memory: WebAssembly.Memory,
    private readonly pool: ThreadPool,
    buildReason: string,
  ) {
    this.layouts = ganLayouts(architecture);
    this.tail = new TailRegions(memory, setup.plan.end);
    const kernels = pool.main.ctx.k.variant;
    this.info = { engine: 'cpu', device: `CPU, ${pool.threads} thread${pool.threads === 1 ? '' : 's'} (${kernels}${setup.build === 'wasm' && buildReason ? `: ${buildReason}` : ''})`, threads: pool.threads, kernels };
  }

  static async create(opts: CpuEngineOptions): Promise<CpuEngine> {
    const threads = Math.max(1, Math.floor(opts.threads));
    const chosen = opts.build ? { build: opts.build, reason: '' } : chooseKernelBuild();
    const plan = makePlan(opts.architecture, opts.training?.batch ?? 1, threads);
    const memory = new WebAssembly.Memory({ initial: Math.ceil(plan.end / 65536), maximum: 65536, shared: true });
    const setup: ThreadSetup = { architecture: opts.architecture, plan, build: chosen.build, ...(opts.training ? { training: opts.training } : {}) };
    const pool = await ThreadPool.start(memory, setup, threads);
    return new CpuEngine(opts.architecture, setup, memory, pool, chosen.reason);
  }

  private get plan(): Plan {
    return this.setup.plan;
  }

  private f32(at: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, n);
  }

  async setState(state: GanState): Promise<void> {
    const put = (p: NetPlan, w: Float32Array, m: Float32Array, v: Float32Array) => {
      this.f32(p.weights, p.size).set(w);
      this.f32(p.m, p.size).set(m);
      this.f32(p.v, p.size).set(v);
    };
    put(this.plan.G, state.weights.G, state.moments.G.m, state.moments.G.v);
    put(this.plan.D, state.weights.D, state.moments.D.m, state.moments.D.v);
    this.f32(this.plan.G.ema, this.plan.G.size).set(state.ema ?? state.weights.G);
    this.step = state.step;
    this.transposeAll();
  }

  private transposeAll(): void {
    const { k } = this.pool.main.ctx;
    transposeKernels(k, this.pool.main.G);
    transposeKernels(k, this.pool.main.D);
  }

  async getState(): Promise<GanState> {
    const get = (p: NetPlan) => ({ w: this.f32(p.weights, p.size).slice(), m: this.f32(p.m, p.size).slice(), v: this.f32(p.v, p.size).slice() });
    const G = get(this.plan.G);
    const D = get(this.plan.D);
    return { weights: { G: G.w, D: D.w }, moments: { G: { m: G.m, v: G.v }, D: { m: D.m, v: D.v } }, step: this.step, ema: this.f32(this.plan.G.ema, this.plan.G.size).slice() };
  }

  async setTrainingData(data: ProxyData): Promise<void> {
    // Growing a region moves only the regions after it: data-x stays where it is while data-c grows.
    const x = this.tail.ensure('data-x', 8 * data.n);
    const c = this.tail.ensure('data-c', 4 * data.n);
    this.f32(x, 2 * data.n).set(data.x.subarray(0, 2 * data.n));
    this.f32(c, data.n).set(data.cond.subarray(0, data.n));
    this.data = { x, c, n: data.n };
  }

  async trainEpoch(req: EpochRequest): Promise<EpochStats> {
    const training = this.setup.training;
    if (!training || !this.data) throw new Error('cpu engine: trainEpoch needs a training setup and training data');
    const t0 = performance.now();
    const B = this.plan.batch;
    if (req.order.length < req.steps * B) throw new RangeError(`epoch order has ${req.order.length} rows, ${req.steps} steps of ${B} need ${req.steps * B}`);
    const orderAt = this.tail.ensure('order', 4 * req.steps * B);
    new Uint32Array(this.memory.buffer, orderAt, req.steps * B).set(req.order.subarray(0, req.steps * B));
    const data = { x: this.tail.ensure('data-x', 8 * this.data.n), c: this.tail.ensure('data-c', 4 * this.data.n) };
    const runner = this.pool.main;
    const c = this.plan.control / 4;
    const { beta1, beta2 } = training.optimizer;
    let lossD = 0, lossG = 0, dReal = 0, dFake = 0;
    let lastYield = performance.now();
    for (let s = 0; s < req.steps; s++) {
      req.signal?.throwIfAborted();
      const { i32, f32 } = runner.views();
      i32[c + Ctl.Step] = s;
      i32[c + Ctl.Epoch] = req.epoch | 0;
      i32[c + Ctl.Seed] = req.seed | 0;
      i32[c + Ctl.DataX] = data.x;
      i32[c + Ctl.DataC] = data.c;
      i32[c + Ctl.Order] = orderAt;
      const t = this.step + 1;
      f32[c + Ctl.FloatArgs] = 1 / (1 - beta1 ** t);
      f32[c + Ctl.FloatArgs + 1] = 1 / (1 - beta2 ** t);
      f32[c + Ctl.FloatArgs + 2] = req.lrScale ?? 1;
      f32[c + Ctl.FloatArgs + 3] = training.ema ? emaDecay(training.ema, B, t) : 0;
      await this.pool.phase(Phase.DStep, this.plan.shards);
      await this.pool.phase(Phase.AdamD, runner.adam.D.length);
      transposeKernels(runner.ctx.k, runner.D);
      await this.pool.phase(Phase.GStep, this.plan.shards);
      await this.pool.phase(Phase.AdamG, runner.adam.G.length);
      transposeKernels(runner.ctx.k, runner.G);
      this.step++;
      // Shard sums, added in shard order.
      const f64 = runner.views().f64;
      for (let j = 0; j < this.plan.shards; j++) {
        const st = this.plan.stats / 8 + 4 * j;
        lossD += f64[st]!;
        lossG += f64[st + 1]!;
        dReal += f64[st + 2]!;
        dFake += f64[st + 3]!;
      }
      if ((performance.now() - lastYield) / 1000 > YIELD_SECONDS) {
        req.onProgress?.(s + 1);
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
      }
    }
    const events = req.steps * B;
    return { loss_d: lossD / events, loss_g: lossG / events, d_real: dReal / events, d_fake: dFake / events, steps: req.steps, seconds: (performance.now() - t0) / 1000 };
  }

  async generate(cond: Float32Array, seed: number, first = 0): Promise<Float32Array> {
    const n = cond.length;
    const out = new Float32Array(2 * n);
    const runner = this.pool.main;
    const c = this.plan.control / 4;
    for (let off = 0; off < n; off += GENERATE_BATCH) {
      const rows = Math.min(GENERATE_BATCH, n - off);
      const condAt = this.tail.ensure('gen-cond', 4 * GENERATE_BATCH);
      const outAt = this.tail.ensure('gen-out', 8 * GENERATE_BATCH);
      this.f32(condAt, rows).set(cond.subarray(off, off + rows));
      const { i32 } = runner.views();
      const start = first + off;
      i32[c + Ctl.Seed] = seed | 0;
      i32[c + Ctl.GenCond] = condAt;
      i32[c + Ctl.GenOut] = outAt;
      i32[c + Ctl.GenFirstLo] = start % 4294967296 | 0;
      i32[c + Ctl.GenFirstHi] = Math.floor(start / 4294967296) | 0;
      i32[c + Ctl.GenRows] = rows;
      await this.pool.phase(Phase.Generate, runner.taskCount(Phase.Generate, rows));
      out.set(this.f32(outAt, 2 * rows), 2 * off);
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.pool.close();
  }
}
