/**
 * The tasks of the CPU engine's phases, run by whichever thread takes them (pool.ts):
 *
 *   D_STEP    shard j of a step: G makes fakes; D on real and fake rows; D's gradients → slot j
 *   G_STEP    shard j: G makes fakes; the (updated) D judges them; G's gradients → slot j
 *   ADAM_D/G  a chunk of one network's trainable weights: sum the slots in shard order, Adam
 *   GENERATE  a chunk of rows of a generation batch, in inference mode
 *
 * Which thread runs which task never changes a result: tasks write only their own slot or chunk.
 */
import { ganLayouts, type Architecture, type NetLayout } from '../../architecture.ts';
import { Pass, SAMPLING_EPOCH, stream } from '../../draws.ts';
import { sigmoid, softplus, type TrainingSetup } from '../engine.ts';
import { loadKernels, type KernelBuild, type Kernels, type Ptr } from './kernels.ts';
import { backward, forward, writeDrawParams, type NetBinding, type ThreadContext } from './net.ts';
import { GENERATE_ROWS, type Plan } from './plan.ts';

export enum Phase {
  DStep = 1,
  GStep = 2,
  AdamD = 3,
  AdamG = 4,
  Generate = 5,
}

/** Int32 slots of the control block (pool.ts drives them; tasks read the phase arguments). */
export enum Ctl {
  Generation = 0,
  Kind = 1,
  Next = 2,
  Tasks = 3,
  Exited = 4,
  Error = 5,
  Shutdown = 6,
  Step = 8,
  Epoch = 9,
  Seed = 10,
  DataX = 11,
  DataC = 12,
  Order = 13,
  GenCond = 14,
  GenOut = 15,
  GenFirstLo = 16,
  GenFirstHi = 17,
  GenRows = 18,
  /** Float32 arguments start here: Adam's c1, c2, the learning-rate scale, the EMA decay. */
  FloatArgs = 32,
}

/** Adam work of one phase: [offset, length] chunks (floats) of a network's trainable weights. */
export type AdamChunks = readonly (readonly [number, number])[];

/** Chunks of about `chunk` floats covering the trainable parameters (frozen blocks left out). */
export function adamChunks(layout: NetLayout, frozen: readonly string[], chunk = 8192): AdamChunks {
  const out: [number, number][] = [];
  const frozenSet = new Set(frozen);
  for (const p of layout.params) {
    if (frozenSet.has(p.block)) continue;
    for (let at = p.offset; at < p.offset + p.size; at += chunk) out.push([at, Math.min(chunk, p.offset + p.size - at)]);
  }
  return out;
}

/** What every thread is told once: enough to run any task. */
export interface ThreadSetup {
  readonly architecture: Architecture;
  readonly plan: Plan;
  readonly training?: TrainingSetup;
  readonly build: KernelBuild;
}

function binding(layout: NetLayout, plan: Plan['G'], frozen: readonly string[]): NetBinding {
  const frozenSet = new Set(frozen);
  return { layout, plan, trainable: [...layout.blocks.map((_, b) => !frozenSet.has(`block${b}`)), !frozenSet.has('out')] };
}

export class TaskRunner {
  readonly ctx: ThreadContext;
  readonly G: NetBinding;
  readonly D: NetBinding;
  readonly adam: { G: AdamChunks; D: AdamChunks };
  /** The generator as inference sees it: over the weight average when training keeps one. */
  readonly Gsample: NetBinding;
  private f32 = new Float32Array(0);
  private f64 = new Float64Array(0);
  private i32 = new Int32Array(0);
  private u32view = new Uint32Array(0);

  constructor(
    private readonly memory: WebAssembly.Memory,
    readonly setup: ThreadSetup,
    readonly thread: number,
    kernels?: Kernels,
  ) {
    const t = setup.plan.threads[thread]!;
    const k = kernels ?? loadKernels(setup.build, memory, t.stackTop);
    this.ctx = { k, t, u32: () => this.views().u32 };
    const layouts = ganLayouts(setup.architecture);
    const frozen = setup.training?.frozen ?? { generator: [], discriminator: [] };
    this.G = binding(layouts.G, setup.plan.G, frozen.generator);
    this.D = binding(layouts.D, setup.plan.D, frozen.discriminator);
    this.adam = { G: adamChunks(layouts.G, frozen.generator), D: adamChunks(layouts.D, frozen.discriminator) };
    this.Gsample = setup.training?.ema ? { ...this.G, plan: { ...this.G.plan, weights: this.G.plan.ema } } : this.G;
  }

  /** Typed views of the arena, renewed when it has grown. */
  views(): { f32: Float32Array; f64: Float64Array; i32: Int32Array; u32: Uint32Array } {
    if (this.f32.buffer !== this.memory.buffer || this.f32.byteLength !== this.memory.buffer.byteLength) {
      const buf = this.memory.buffer;
      this.f32 = new Float32Array(buf);
      this.f64 = new Float64Array(buf);
      this.i32 = new Int32Array(buf);
      this.u32view = new Uint32Array(buf);
    }
    return { f32: this.f32, f64: this.f64, i32: this.i32, u32: this.u32view };
  }

  /** Number of tasks of a phase. */
  taskCount(kind: Phase, rows = 0): number {
    switch (kind) {
      case Phase.DStep:
      case Phase.GStep:
        return this.setup.plan.shards;
      case Phase.AdamD:
        return this.adam.D.length;
      case Phase.AdamG:
        return this.adam.G.length;
      case Phase.Generate:
        return Math.ceil(rows / GENERATE_ROWS);
    }
  }

  run(kind: Phase, task: number): void {
    switch (kind) {
      case Phase.DStep:
        return this.discriminatorShard(task);
      case Phase.GStep:
        return this.generatorShard(task);
      case Phase.AdamD:
        return this.adamChunk(this.D, this.adam.D[task]!, this.setup.training!.optimizer.lr_d);
      case Phase.AdamG:
        this.adamChunk(this.G, this.adam.G[task]!, this.setup.training!.optimizer.lr_g);
        if (this.setup.training!.ema) this.emaChunk(this.adam.G[task]!);
        return;
      case Phase.Generate:
        return this.generateChunk(task);
    }
  }

  private args(): { step: number; epoch: number; seed: number; dataX: Ptr; dataC: Ptr; order: Ptr } {
    const { i32 } = this.views();
    const c = this.setup.plan.control / 4;
    return { step: i32[c + Ctl.Step]! >>> 0, epoch: i32[c + Ctl.Epoch]! >>> 0, seed: i32[c + Ctl.Seed]! >>> 0, dataX: i32[c + Ctl.DataX]! >>> 0, dataC: i32[c + Ctl.DataC]! >>> 0, order: i32[c + Ctl.Order]! >>> 0 };
  }

  /** Rows of shard j: [row0, row0 + n). */
  private shardRows(j: number): { row0: number; n: number } {
    const { batch, shardRows } = this.setup.plan;
    const row0 = j * shardRows;
    return { row0, n: Math.min(shardRows, batch - row0) };
  }

  /** Loads the shard's real events and its latent vectors for `pass`. */
  private shardInputs(j: number, pass: Pass): { row0: number; n: number; a: ReturnType<TaskRunner['args']> } {
    const { k, t } = this.ctx;
    const a = this.args();
    const { row0, n } = this.shardRows(j);
    k.gather(a.dataX, a.dataC, a.order + 4 * (a.step * this.setup.plan.batch + row0), n, t.x, t.c);
    writeDrawParams(this.ctx.u32(), t.draws + 48, a.seed, a.epoch, a.step, stream('latent', pass), row0);
    k.normals(t.z, n, this.setup.architecture.latent, t.draws + 48);
    return { row0, n, a };
  }

  /** tanh of G's output layer, in place: the fakes (E'_mu, theta'). */
  private tanhOut(n: number): void {
    const { f32 } = this.views();
    const o = this.ctx.t.G.out / 4;
    for (let i = 0; i < 2 * n; i++) f32[o + i] = Math.tanh(f32[o + i]!);
  }

  /**
   * Binary cross-entropy of D's logits (in t.D.out) against `label` for n rows: writes dLoss/dlogit of
   * the batch-mean loss into t.dOut and returns the loss summed over the rows and Σ σ(logit).
   * label 1 is also the generator's non-saturating loss −log σ(D(G(z))).
   */
  private bce(n: number, label: 0 | 1): { loss: number; sumP: number } {
    const { f32 } = this.views();
    const B = this.setup.plan.batch;
    const lo = this.ctx.t.D.out / 4;
    const dl = this.ctx.t.dOut / 4;
    let loss = 0;
    let sumP = 0;
    for (let i = 0; i < n; i++) {
      const l = f32[lo + i]!;
      const p = sigmoid(l);
      loss += softplus(label === 1 ? -l : l);
      sumP += p;
      f32[dl + i] = (p - label) / B;
    }
    return { loss, sumP };
  }

  private discriminatorShard(j: number): void {
    const { k, t } = this.ctx;
    const { row0, n, a } = this.shardInputs(j, Pass.GForD);
    const L = this.setup.architecture.latent;
    const key = (pass: Pass) => ({ k0: a.seed, k1: a.epoch, step: a.step, pass, row0 });
    forward(this.ctx, this.G, t.G, t.z, L, t.c, n, key(Pass.GForD));
    this.tanhOut(n);
    const slot = this.D.plan.grads + 4 * j * this.D.plan.size;
    k.zero(slot, this.D.plan.size);
    // Real events → label 1, then fakes → label 0; gradients of the mean BCE over the batch.
    forward(this.ctx, this.D, t.D, t.x, 2, t.c, n, key(Pass.DReal));
    const real = this.bce(n, 1);
    backward(this.ctx, this.D, t.D, t.x, 2, t.c, n, t.dOut, slot, 0);
    forward(this.ctx, this.D, t.D, t.G.out, 2, t.c, n, key(Pass.DFake));
    const fake = this.bce(n, 0);
    backward(this.ctx, this.D, t.D, t.G.out, 2, t.c, n, t.dOut, slot, 0);
    const { f64 } = this.views();
    const st = this.setup.plan.stats / 8 + 4 * j;
    f64[st] = real.loss + fake.loss;
    f64[st + 2] = real.sumP;
    f64[st + 3] = fake.sumP;
  }

  private generatorShard(j: number): void {
    const { k, t } = this.ctx;
    const { row0, n, a } = this.shardInputs(j, Pass.GForG);
    const L = this.setup.architecture.latent;
    const key = (pass: Pass) => ({ k0: a.seed, k1: a.epoch, step: a.step, pass, row0 });
    forward(this.ctx, this.G, t.G, t.z, L, t.c, n, key(Pass.GForG));
    this.tanhOut(n);
    forward(this.ctx, this.D, t.D, t.G.out, 2, t.c, n, key(Pass.DForG));
    const { loss: lossG } = this.bce(n, 1);
    backward(this.ctx, this.D, t.D, t.G.out, 2, t.c, n, t.dOut, 0, t.dFake);
    {
      // Through tanh: dL/d(output layer) = dL/dfake · (1 − fake²).
      const { f32 } = this.views();
      const df = t.dFake / 4;
      const fo = t.G.out / 4;
      const dz = t.dOut / 4;
      for (let i = 0; i < 2 * n; i++) f32[dz + i] = f32[df + i]! * (1 - f32[fo + i]! ** 2);
    }
    const slot = this.G.plan.grads + 4 * j * this.G.plan.size;
    k.zero(slot, this.G.plan.size);
    backward(this.ctx, this.G, t.G, t.z, L, t.c, n, t.dOut, slot, 0);
    const { f64 } = this.views();
    f64[this.setup.plan.stats / 8 + 4 * j + 1] = lossG;
  }

  private adamChunk(net: NetBinding, [offset, length]: readonly [number, number], lr: number): void {
    const { f32 } = this.views();
    const o = this.setup.training!.optimizer;
    const fc = this.setup.plan.control / 4 + Ctl.FloatArgs;
    const at = (p: Ptr) => p + 4 * offset;
    this.ctx.k.adam(at(net.plan.weights), at(net.plan.grads), this.setup.plan.shards, net.plan.size, at(net.plan.m), at(net.plan.v), length, lr * f32[fc + 2]!, o.beta1, o.beta2, o.eps, f32[fc]!, f32[fc + 1]!);
  }

  /** The generator's weight average over a chunk the Adam step just updated. */
  private emaChunk([offset, length]: readonly [number, number]): void {
    const { f32 } = this.views();
    const decay = f32[this.setup.plan.control / 4 + Ctl.FloatArgs + 3]!;
    this.ctx.k.ema(this.G.plan.ema + 4 * offset, this.G.plan.weights + 4 * offset, length, decay);
  }

  private generateChunk(task: number): void {
    const { k, t } = this.ctx;
    const { i32 } = this.views();
    const c = this.setup.plan.control / 4;
    const rows = i32[c + Ctl.GenRows]!;
    const first = (i32[c + Ctl.GenFirstLo]! >>> 0) + 4294967296 * (i32[c + Ctl.GenFirstHi]! >>> 0);
    const cond = (i32[c + Ctl.GenCond]! >>> 0) + 4 * task * GENERATE_ROWS;
    const out = (i32[c + Ctl.GenOut]! >>> 0) + 8 * task * GENERATE_ROWS;
    const n = Math.min(GENERATE_ROWS, rows - task * GENERATE_ROWS);
    const L = this.setup.architecture.latent;
    writeDrawParams(this.ctx.u32(), t.draws + 48, i32[c + Ctl.Seed]! >>> 0, SAMPLING_EPOCH, 0, stream('latent', Pass.Sample), first + task * GENERATE_ROWS);
    k.normals(t.z, n, L, t.draws + 48);
    forward(this.ctx, this.Gsample, t.G, t.z, L, cond, n);
    const { f32 } = this.views();
    const o = t.G.out / 4;
    const dst = out / 4;
    for (let i = 0; i < 2 * n; i++) f32[dst + i] = Math.tanh(f32[o + i]!);
  }
}
