/**
 * The WebGPU engine: the training step of engine.ts as fused WGSL kernels on one GPU (Dawn).
 *
 * Everything lives on the GPU between calls: the training data (uploaded once per stage), one flat
 * parameter buffer [G | D] with its Adam moments, gradients and trainable mask, the generator's
 * weight average, and each network's activations. A step is one compute pass of 6 + 9·blocks
 * dispatches (docs/gan.md §8):
 *
 *   prepare (gather rows, draw latents) → G forward (fakes) → D forward on 2B rows (real | fake) →
 *   D backward + weight-gradient GEMMs → Adam D → G forward → D forward → D backward (input
 *   gradient only) → G backward + GEMMs → Adam G + EMA → stats (sums, step counter + 1)
 *
 * The step index lives in a control buffer on the GPU (the stats kernel advances it), so many steps
 * are recorded into one command buffer without a round trip; per-step constants (Adam's bias
 * corrections, learning rates, EMA decay) are a table written once per epoch, and the per-step loss
 * sums are read back once per epoch. Draws come from the WGSL Philox of kernels/draws.ts, keyed as
 * draws.ts keys them, so dropout masks equal the other engines' bit for bit.
 */
import { ganLayouts, trainableMask, type Architecture, type NetLayout } from '../../architecture.ts';
import { emaDecay, type EngineInfo, type EpochRequest, type EpochStats, type GanEngine, type GanState, type ProxyData, type TrainingSetup } from '../engine.ts';
import { describeAdapter } from '../select.ts';
import { checked, gpuContext, type BindingKind, type GpuContext } from './device.ts';
import { BACKWARD_ARGS, BACKWARD_FLOAT_ARGS, backwardWgsl, HeadGrad } from './kernels/backward.ts';
import { FORWARD_ARGS, forwardWgsl } from './kernels/forward.ts';
import { ADAM_ARGS, ADAM_FLOAT_ARGS, ADAM_WGSL, ADAM_WORKGROUP } from './kernels/optimizer.ts';
import { blockShape, type BlockShape } from './kernels/shape.ts';
import { LATENT_ARGS, LATENT_WGSL, LATENT_WORKGROUP, PREPARE_ARGS, PREPARE_WGSL, PREPARE_WORKGROUP, STATS_WGSL } from './kernels/step.ts';
import { WEIGHT_GRAD_ARGS, weightGradDispatch, weightGradWgsl } from './kernels/weight-grad.ts';

export interface WebGpuEngineOptions {
  architecture: Architecture;
  /** Needed to train; sampling needs none. */
  training?: TrainingSetup;
}

/** One kernel launch of a recorded program. */
interface Dispatch {
  pipeline: GPUComputePipeline;
  group: GPUBindGroup;
  x: number;
  y: number;
}

/** Seconds of GPU work per submission: long enough to hide the submit, short enough to abort. */
const CHUNK_SECONDS = 0.1;
/** Generated events per chunk (bounded by the device's largest storage binding). */
const GENERATE_CHUNK = 1 << 18;
const MAX_GROUPS = 65535;

const FORWARD_KINDS: BindingKind[] = ['r', 'r', 'r', 'w', 'w', 'w', 'r', 'u'];
const BACKWARD_KINDS: BindingKind[] = ['r', 'r', 'r', 'r', 'w', 'w', 'r', 'u'];
const WEIGHT_GRAD_KINDS: BindingKind[] = ['r', 'r', 'r', 'r', 'w', 'u'];
const ADAM_KINDS: BindingKind[] = ['w', 'w', 'w', 'r', 'r', 'w', 'r', 'u'];
const PREPARE_KINDS: BindingKind[] = ['r', 'r', 'r', 'w', 'w', 'w', 'r', 'u'];
const STATS_KINDS: BindingKind[] = ['r', 'r', 'w', 'w', 'u'];
const LATENT_KINDS: BindingKind[] = ['w', 'u'];

/** draws.ts's Pass numbers (a const enum there would tie WGSL to TypeScript; these are its values). */
const PASS = { GForD: 0, DReal: 1, DFake: 2, GForG: 3, DForG: 4 } as const;

/** A network's place in the flat parameter buffer and its per-block kernel shapes. */
interface NetPlan {
  layout: NetLayout;
  /** Offset (floats) of this network in the flat buffers. */
  base: number;
  shapes: BlockShape[];
  trainable: boolean[];
}

/** A network's activations for `rows` rows. */
interface NetActivations {
  rows: number;
  /** Block outputs h_b [rows, width]. */
  h: GPUBuffer[];
  /** x̂ [rows, width] then 1/σ [rows], per block. */
  s: GPUBuffer[];
  /** Backward scratch: dpre | da | dz. */
  g2: GPUBuffer;
}

export class WebGpuEngine implements GanEngine {
  readonly info: EngineInfo;
  private readonly device: GPUDevice;
  private readonly G: NetPlan;
  private readonly D: NetPlan;
  private readonly size: number;
  private readonly owned: GPUBuffer[] = [];
  private readonly dummies = new Map<string, GPUBuffer>();
  /** Flat [G | D] buffers. */
  private readonly params: GPUBuffer;
  private readonly m: GPUBuffer;
  private readonly v: GPUBuffer;
  private readonly ema: GPUBuffer;
  private train?: {
    grads: GPUBuffer;
    mask: GPUBuffer;
    acts: { G: NetActivations; D: NetActivations };
    dh: [GPUBuffer, GPUBuffer];
    dx: GPUBuffer;
    condStep: GPUBuffer;
    z: GPUBuffer;
    logitsD: GPUBuffer;
    logitsG: GPUBuffer;
  };
  private data?: { x: GPUBuffer; c: GPUBuffer; n: number };
  /** Per-epoch buffers, grown as needed: row order, control (+ step table), per-step sums. */
  private epochBufs?: { order: GPUBuffer; ctl: GPUBuffer; stats: GPUBuffer; steps: number };
  private stepProgram?: Dispatch[];
  private step = 0;
  private disposed = false;

  private constructor(
    readonly architecture: Architecture,
    private readonly ctx: GpuContext,
    private readonly setup: TrainingSetup | undefined,
  ) {
    this.device = ctx.device;
    const layouts = ganLayouts(architecture);
    const plan = (layout: NetLayout, base: number, frozen: readonly string[]): NetPlan => ({
      layout,
      base,
      shapes: layout.blocks.map((_, b) => blockShape(layout.spec, b)),
      trainable: [...layout.blocks.map((_, b) => !frozen.includes(`block${b}`)), !frozen.includes('out')],
    });
    this.G = plan(layouts.G, 0, setup?.frozen.generator ?? []);
    this.D = plan(layouts.D, layouts.G.size, setup?.frozen.discriminator ?? []);
    this.size = layouts.G.size + layouts.D.size;
    this.params = this.buffer(4 * this.size);
    this.m = this.buffer(4 * this.size);
    this.v = this.buffer(4 * this.size);
    this.ema = this.buffer(4 * layouts.G.size);
    const a = ctx.adapter;
    this.info = {
      engine: 'webgpu',
      device: `${describeAdapter(a)}${a.software ? ' — a software renderer on the CPU' : ''}`,
      threads: 1,
      kernels: 'wgsl',
      adapter: { vendor: a.vendor, architecture: a.architecture, device: a.device, description: a.description, ...(a.description ? { driver: a.description } : {}) },
    };
    if (setup) this.train = this.trainingBuffers(setup);
  }

  /** Kernel launches in one training step (known once an epoch has been recorded; 0 before). */
  get dispatchesPerStep(): number {
    return this.stepProgram?.length ?? 0;
  }

  static async create(opts: WebGpuEngineOptions): Promise<WebGpuEngine> {
    const ctx = await gpuContext();
    return checked(ctx.device, 'creating the WebGPU engine', () => new WebGpuEngine(opts.architecture, ctx, opts.training));
  }

  private buffer(bytes: number, usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 16) * 16), usage });
    this.owned.push(b);
    return b;
  }

  /** A placeholder for a binding a kernel variant does not touch (one per slot: writable bindings must not alias). */
  private dummy(slot: string): GPUBuffer {
    let b = this.dummies.get(slot);
    if (!b) {
      // 48 bytes: the control struct's header and one table row, the largest minimum binding size.
      b = this.buffer(48);
      this.dummies.set(slot, b);
    }
    return b;
  }

  private trainingBuffers(setup: TrainingSetup): NonNullable<WebGpuEngine['train']> {
    const B = setup.batch;
    const acts = (net: NetPlan, rows: number): NetActivations => {
      const M = net.layout.spec.width;
      return {
        rows,
        h: net.shapes.map(() => this.buffer(4 * rows * M)),
        s: net.shapes.map(() => this.buffer(4 * (rows * M + rows))),
        g2: this.buffer(4 * (2 * rows * M + rows * net.layout.spec.outDim)),
      };
    };
    const dhFloats = Math.max(2 * B * this.D.layout.spec.width, B * this.G.layout.spec.width, 2 * B);
    const mask = new Uint32Array(this.size);
    mask.set(trainableMask(this.G.layout, setup.frozen.generator), 0);
    mask.set(trainableMask(this.D.layout, setup.frozen.discriminator), this.D.base);
    const maskBuf = this.buffer(4 * this.size);
    upload(this.device.queue, maskBuf, 0, mask);
    return {
      grads: this.buffer(4 * this.size),
      mask: maskBuf,
      acts: { G: acts(this.G, B), D: acts(this.D, 2 * B) },
      dh: [this.buffer(4 * dhFloats), this.buffer(4 * dhFloats)],
      dx: this.buffer(4 * 2 * 2 * B),
      condStep: this.buffer(4 * B),
      z: this.buffer(4 * 2 * B * this.architecture.latent),
      logitsD: this.buffer(4 * 2 * B),
      logitsG: this.buffer(4 * B),
    };
  }

  /** A uniform buffer holding `names` in order: u32 unless in `floats`. */
  private uniform(names: readonly string[], values: Record<string, number>, floats: ReadonlySet<string> = new Set(), temp?: GPUBuffer[]): GPUBuffer {
    const buf = this.device.createBuffer({ size: Math.ceil((4 * names.length) / 16) * 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    (temp ?? this.owned).push(buf);
    upload(this.device.queue, buf, 0, packArgs(names, values, floats));
    return buf;
  }

  private dispatch(wgsl: string, kinds: BindingKind[], buffers: GPUBuffer[], x: number, y = 1): Dispatch {
    const pipeline = this.ctx.pipeline(wgsl, kinds);
    const group = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });
    if (x > MAX_GROUPS) {
      y = Math.ceil(x / MAX_GROUPS);
      x = MAX_GROUPS;
    }
    return { pipeline, group, x, y };
  }

  // ---- state -------------------------------------------------------------------------------

  async setState(state: GanState): Promise<void> {

    const flat = (g: Float32Array, d: Float32Array): Float32Array => {
      const f = new Float32Array(this.size);
      f.set(g, 0);
      f.set(d, this.D.base);
      return f;
    };
    upload(this.device.queue, this.params, 0, flat(state.weights.G, state.weights.D));
    upload(this.device.queue, this.m, 0, flat(state.moments.G.m, state.moments.D.m));
    upload(this.device.queue, this.v, 0, flat(state.moments.G.v, state.moments.D.v));
    upload(this.device.queue, this.ema, 0, state.ema ?? state.weights.G);
    this.step = state.step;
  }

  async getState(): Promise<GanState> {
    const [w, m, v, ema] = await this.read([this.params, this.m, this.v, this.ema], [this.size, this.size, this.size, this.G.layout.size]);
    const g = this.G.layout.size;
    const split = (f: Float32Array): [Float32Array, Float32Array] => [f.slice(0, g), f.slice(g, this.size)];
    const [wG, wD] = split(w!);
    const [mG, mD] = split(m!);
    const [vG, vD] = split(v!);
    return { weights: { G: wG, D: wD }, moments: { G: { m: mG, v: vG }, D: { m: mD, v: vD } }, step: this.step, ema: ema! };
  }

  /** Copies the first `floats[i]` floats of each buffer back to the host, in one submission. */
  private async read(bufs: GPUBuffer[], floats: number[]): Promise<Float32Array[]> {
    const enc = this.device.createCommandEncoder();
    const staging = bufs.map((b, i) => {
      const s = this.device.createBuffer({ size: 4 * floats[i]!, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      enc.copyBufferToBuffer(b, 0, s, 0, 4 * floats[i]!);
      return s;
    });
    this.device.queue.submit([enc.finish()]);
    const out = await Promise.all(
      staging.map(async (s, i) => {
        await s.mapAsync(GPUMapMode.READ);
        const f = new Float32Array(s.getMappedRange().slice(0, 4 * floats[i]!));
        s.unmap();
        s.destroy();
        return f;
      }),
    );
    return out;
  }

  async setTrainingData(data: ProxyData): Promise<void> {
    if (this.data) {
      this.data.x.destroy();
      this.data.c.destroy();
    }
    const x = this.device.createBuffer({ size: Math.max(16, 8 * data.n), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    const c = this.device.createBuffer({ size: Math.max(16, 4 * data.n), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    upload(this.device.queue, x, 0, data.x, 0, 2 * data.n);
    upload(this.device.queue, c, 0, data.cond, 0, data.n);
    this.data = { x, c, n: data.n };
    this.stepProgram = undefined;
  }

  // ---- training ----------------------------------------------------------------------------

  /** Records `program` `repeats` times into one compute pass of one command buffer, and submits it. */
  private submit(program: readonly Dispatch[], repeats: number): void {
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (let r = 0; r < repeats; r++) {
      for (const d of program) {
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.group);
        pass.dispatchWorkgroups(d.x, d.y);
      }
    }
    pass.end();
    this.device.queue.submit([enc.finish()]);
  }

  /** Grows the per-epoch buffers to `steps` steps (then the step program's bind groups are stale). */
  private epochBuffers(steps: number, batch: number): NonNullable<WebGpuEngine['epochBufs']> {
    if (!this.epochBufs || this.epochBufs.steps < steps) {
      if (this.epochBufs) for (const b of [this.epochBufs.order, this.epochBufs.ctl, this.epochBufs.stats]) b.destroy();
      const cap = Math.max(steps, 16);
      this.epochBufs = {
        order: this.device.createBuffer({ size: 4 * cap * batch, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST }),
        ctl: this.device.createBuffer({ size: 16 + 32 * cap, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST }),
        stats: this.device.createBuffer({ size: 16 * cap, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC }),
        steps: cap,
      };
      this.stepProgram = undefined;
    }
    return this.epochBufs;
  }

  async trainEpoch(req: EpochRequest): Promise<EpochStats> {
    const setup = this.setup;
    if (!setup || !this.data || !this.train) throw new Error('webgpu engine: trainEpoch needs a training setup and training data');
    const t0 = performance.now();
    const B = setup.batch;
    if (req.order.length < req.steps * B) throw new RangeError(`epoch order has ${req.order.length} rows, ${req.steps} steps of ${B} need ${req.steps * B}`);
    req.signal?.throwIfAborted();
    if (req.steps === 0) return { loss_d: NaN, loss_g: NaN, d_real: NaN, d_fake: NaN, steps: 0, seconds: 0 };
    const eb = this.epochBuffers(req.steps, B);
    const program = (this.stepProgram ??= await checked(this.device, 'recording the training step', () => this.recordStep(setup)));

    upload(this.device.queue, eb.order, 0, req.order, 0, req.steps * B);
    upload(this.device.queue, eb.ctl, 0, this.controlTable(setup, req));

    // Chunks of steps per submission, sized from the last chunk's time; one chunk in flight while
    // the next is recorded, so the GPU never waits for JavaScript.
    let done = 0;
    let chunk = 1;
    let inFlight: { promise: Promise<undefined>; steps: number; started: number } | undefined;
    let lastProgress = performance.now();
    try {
      while (done < req.steps || inFlight) {
        let next: typeof inFlight;
        const submitted = done + (inFlight?.steps ?? 0);
        if (submitted < req.steps && !req.signal?.aborted) {
          const n = Math.min(chunk, req.steps - submitted);
          this.submit(program, n);
          next = { promise: this.device.queue.onSubmittedWorkDone(), steps: n, started: performance.now() };
        }
        if (inFlight) {
          await inFlight.promise;
          done += inFlight.steps;
          const seconds = (performance.now() - inFlight.started) / 1000;
          chunk = Math.max(1, Math.min(4096, Math.round((inFlight.steps * CHUNK_SECONDS) / Math.max(seconds, 1e-4))));
          if (performance.now() - lastProgress > 250) {
            req.onProgress?.(done);
            lastProgress = performance.now();
          }
        }
        inFlight = next;
        if (req.signal?.aborted) {
          if (inFlight) await inFlight.promise;
          req.signal.throwIfAborted();
        }
      }
    } finally {
      // Whatever ran, ran: the state is that of `done` steps (an aborted epoch is thrown away by train.ts).
      this.step += done;
    }
    const [sums] = await this.read([eb.stats], [4 * req.steps]);
    let lossD = 0, lossG = 0, dReal = 0, dFake = 0;
    for (let s = 0; s < req.steps; s++) {
      lossD += sums![4 * s]!;
      lossG += sums![4 * s + 1]!;
      dReal += sums![4 * s + 2]!;
      dFake += sums![4 * s + 3]!;
    }
    const events = req.steps * B;
    return { loss_d: lossD / events, loss_g: lossG / events, d_real: dReal / events, d_fake: dFake / events, steps: req.steps, seconds: (performance.now() - t0) / 1000 };
  }

  /** The control buffer's contents for an epoch: header (step 0, seed, epoch) and one row of constants per step. */
  private controlTable(setup: TrainingSetup, req: EpochRequest): ArrayBuffer {
    const buf = new ArrayBuffer(16 + 32 * req.steps);
    const u = new Uint32Array(buf, 0, 4);
    u[0] = 0;
    u[1] = req.seed >>> 0;
    u[2] = req.epoch >>> 0;
    const f = new Float32Array(buf, 16);
    const o = setup.optimizer;
    const scale = req.lrScale ?? 1;
    for (let s = 0; s < req.steps; s++) {
      const t = this.step + s + 1;
      f.set([1 / (1 - o.beta1 ** t), 1 / (1 - o.beta2 ** t), o.lr_d * scale, o.lr_g * scale, setup.ema ? emaDecay(setup.ema, setup.batch, t) : 0, 0, 0, 0], 8 * s);
    }
    return buf;
  }

  /** The dispatches of one training step (bind groups over this engine's buffers; see the module comment). */
  private recordStep(setup: TrainingSetup): Dispatch[] {
    const tr = this.train!;
    const data = this.data!;
    const eb = this.epochBufs!;
    const B = setup.batch;
    const L = this.architecture.latent;
    const o = setup.optimizer;
    const out: Dispatch[] = [];
    const prepThreads = B + 2 * B * L;
    out.push(this.dispatch(PREPARE_WGSL, PREPARE_KINDS, [data.x, data.c, eb.order, tr.dx, tr.condStep, tr.z, eb.ctl, this.uniform(PREPARE_ARGS, { batch: B, latent: L })], Math.ceil(prepThreads / PREPARE_WORKGROUP)));

    // The discriminator update.
    this.forward(out, this.G, { rows: B, input: tr.z, inOff: 0, split: B, passA: PASS.GForD, passB: PASS.GForD, storeX: false, head: tr.dx, outOff: 2 * B, ctl: eb.ctl });
    this.forward(out, this.D, { rows: 2 * B, input: tr.dx, inOff: 0, split: B, passA: PASS.DReal, passB: PASS.DFake, storeX: true, head: tr.logitsD, outOff: 0, ctl: eb.ctl });
    this.backward(out, this.D, { rows: 2 * B, input: tr.dx, aOff: 0, split: B, passA: PASS.DReal, passB: PASS.DFake, head: HeadGrad.Logits, headIn: tr.logitsD, grads: true, inputGrad: false, yA: 1, yB: 0, invB: 1 / B, dhFirst: 0, ctl: eb.ctl });
    out.push(this.adam(this.D, 0, false, o, eb.ctl));

    // The generator update, through the updated discriminator.
    this.forward(out, this.G, { rows: B, input: tr.z, inOff: B * L, split: B, passA: PASS.GForG, passB: PASS.GForG, storeX: true, head: tr.dx, outOff: 0, ctl: eb.ctl });
    this.forward(out, this.D, { rows: B, input: tr.dx, inOff: 0, split: B, passA: PASS.DForG, passB: PASS.DForG, storeX: true, head: tr.logitsG, outOff: 0, ctl: eb.ctl });
    const dxGrad = this.backward(out, this.D, { rows: B, input: tr.dx, aOff: 0, split: B, passA: PASS.DForG, passB: PASS.DForG, head: HeadGrad.Logits, headIn: tr.logitsG, grads: false, inputGrad: true, yA: 1, yB: 1, invB: 1 / B, dhFirst: 0, ctl: eb.ctl });
    this.backward(out, this.G, { rows: B, input: tr.z, aOff: B * L, split: B, passA: PASS.GForG, passB: PASS.GForG, head: HeadGrad.Tanh, headIn: tr.dx, headGrad: tr.dh[dxGrad], grads: true, inputGrad: false, yA: 0, yB: 0, invB: 0, dhFirst: 1 - dxGrad, ctl: eb.ctl });
    out.push(this.adam(this.G, 1, !!setup.ema, o, eb.ctl));

    out.push(this.dispatch(STATS_WGSL, STATS_KINDS, [tr.logitsD, tr.logitsG, eb.stats, eb.ctl, this.uniform(['batch'], { batch: B })], 1));
    return out;
  }

  /** The forward dispatches of one network over `rows` rows (training: activations kept when storeX). */
  private forward(out: Dispatch[], net: NetPlan, o: { rows: number; input: GPUBuffer; inOff: number; split: number; passA: number; passB: number; storeX: boolean; head: GPUBuffer; outOff: number; ctl: GPUBuffer }): void {
    const tr = this.train!;
    const acts = net === this.G ? tr.acts.G : tr.acts.D;
    const nb = net.shapes.length;
    for (let b = 0; b < nb; b++) {
      const shape = net.shapes[b]!;
      const slots = net.layout.blocks[b]!;
      const args = {
        rows: o.rows,
        condMod: this.setup!.batch,
        split: o.split,
        passA: o.passA,
        passB: o.passB,
        block: b,
        train: 1,
        storeX: o.storeX ? 1 : 0,
        kOff: net.base + slots.kernel.offset,
        bOff: net.base + slots.bias.offset,
        gOff: net.base + (slots.gamma?.offset ?? 0),
        betaOff: net.base + (slots.beta?.offset ?? 0),
        okOff: net.base + net.layout.out.kernel.offset,
        obOff: net.base + net.layout.out.bias.offset,
        inOff: b === 0 ? o.inOff : 0,
        outOff: o.outOff,
      };
      const input = b === 0 ? o.input : acts.h[b - 1]!;
      const head = b === nb - 1 ? o.head : this.dummy('fwd-out');
      out.push(this.dispatch(forwardWgsl(shape), FORWARD_KINDS, [this.params, input, tr.condStep, acts.h[b]!, acts.s[b]!, head, o.ctl, this.uniform(FORWARD_ARGS, args)], Math.ceil(o.rows / shape.rows)));
    }
  }

  /**
   * The backward dispatches of one network, last block first, each block's weight-gradient GEMM
   * right after it (before the next block reuses the scratch buffer). dLoss/dh travels between
   * blocks in the two `dh` buffers, starting with `dhFirst`; returns the index of the buffer that
   * holds dLoss/d(input) of block 0 when `inputGrad`.
   */
  private backward(
    out: Dispatch[],
    net: NetPlan,
    o: { rows: number; input: GPUBuffer; aOff: number; split: number; passA: number; passB: number; head: HeadGrad; headIn: GPUBuffer; headGrad?: GPUBuffer; grads: boolean; inputGrad: boolean; yA: number; yB: number; invB: number; dhFirst: number; ctl: GPUBuffer },
  ): number {
    const tr = this.train!;
    const acts = net === this.G ? tr.acts.G : tr.acts.D;
    const nb = net.shapes.length;
    const M = net.layout.spec.width;
    const outDim = net.layout.spec.outDim;
    let write = o.dhFirst;
    for (let b = nb - 1; b >= 0; b--) {
      const shape = net.shapes[b]!;
      const slots = net.layout.blocks[b]!;
      const last = b === nb - 1;
      const args = {
        rows: o.rows,
        split: o.split,
        passA: o.passA,
        passB: o.passB,
        block: b,
        needIn: b > 0 || o.inputGrad ? 1 : 0,
        kOff: net.base + slots.kernel.offset,
        gOff: net.base + (slots.gamma?.offset ?? 0),
        betaOff: net.base + (slots.beta?.offset ?? 0),
        okOff: net.base + net.layout.out.kernel.offset,
        yA: o.yA,
        yB: o.yB,
        invB: o.invB,
      };
      const dhIn = last ? (o.headGrad ?? this.dummy('bwd-dh')) : tr.dh[1 - write]!;
      const headIn = last ? o.headIn : this.dummy('bwd-head');
      const wgsl = backwardWgsl(shape, last ? o.head : HeadGrad.None);
      out.push(this.dispatch(wgsl, BACKWARD_KINDS, [this.params, acts.s[b]!, dhIn, headIn, acts.g2, tr.dh[write]!, o.ctl, this.uniform(BACKWARD_ARGS, args, BACKWARD_FLOAT_ARGS)], Math.ceil(o.rows / shape.rows)));
      const input = b === 0 ? o.input : acts.h[b - 1]!;
      if (o.grads && last && net.trainable[nb]) {
        const s = net.layout.out;
        const gArgs = { rows: o.rows, condMod: this.setup!.batch, aOff: 0, dOff: 2 * o.rows * M, daOff: 0, kOff: net.base + s.kernel.offset, bOff: net.base + s.bias.offset, gOff: 0, betaOff: 0 };
        const [x, y] = weightGradDispatch(M, outDim, false);
        out.push(this.dispatch(weightGradWgsl(M, outDim, false), WEIGHT_GRAD_KINDS, [acts.h[b]!, tr.condStep, acts.g2, acts.s[b]!, tr.grads, this.uniform(WEIGHT_GRAD_ARGS, gArgs)], x, y));
      }
      if (o.grads && net.trainable[b]) {
        const gArgs = {
          rows: o.rows,
          condMod: this.setup!.batch,
          aOff: b === 0 ? o.aOff : 0,
          dOff: 0,
          daOff: o.rows * M,
          kOff: net.base + slots.kernel.offset,
          bOff: net.base + slots.bias.offset,
          gOff: net.base + (slots.gamma?.offset ?? 0),
          betaOff: net.base + (slots.beta?.offset ?? 0),
        };
        const [x, y] = weightGradDispatch(shape.inW, M, shape.layerNorm);
        out.push(this.dispatch(weightGradWgsl(shape.inW, M, shape.layerNorm), WEIGHT_GRAD_KINDS, [input, tr.condStep, acts.g2, acts.s[b]!, tr.grads, this.uniform(WEIGHT_GRAD_ARGS, gArgs)], x, y));
      }
      if (b > 0) write = 1 - write;
    }
    return write;
  }

  private adam(net: NetPlan, which: 0 | 1, ema: boolean, o: TrainingSetup['optimizer'], ctl: GPUBuffer): Dispatch {
    const tr = this.train!;
    const args = { off: net.base, count: net.layout.size, net: which, ema: ema ? 1 : 0, beta1: o.beta1, beta2: o.beta2, eps: o.eps };
    return this.dispatch(ADAM_WGSL, ADAM_KINDS, [this.params, this.m, this.v, tr.grads, tr.mask, this.ema, ctl, this.uniform(ADAM_ARGS, args, ADAM_FLOAT_ARGS)], Math.ceil(net.layout.size / ADAM_WORKGROUP));
  }

  // ---- sampling ----------------------------------------------------------------------------

  async generate(cond: Float32Array, seed: number, first = 0): Promise<Float32Array> {
    const n = cond.length;
    const result = new Float32Array(2 * n);
    if (n === 0) return result;
    const L = this.architecture.latent;
    const spec = this.G.layout.spec;
    const widest = Math.max(spec.width, L);
    const rowsPerGroup = Math.min(...this.G.shapes.map((s) => s.rows));
    const cap = Math.max(1, Math.min(GENERATE_CHUNK, n, Math.floor(this.ctx.maxBinding / (4 * widest)), MAX_GROUPS * rowsPerGroup));
    // Inference draws nothing but the latents; the control buffer only has to exist.
    const ctl = this.dummy('gen-ctl');
    const z = this.device.createBuffer({ size: 4 * cap * L, usage: GPUBufferUsage.STORAGE });
    const c = this.device.createBuffer({ size: 4 * cap, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    const h = [0, 1].map(() => this.device.createBuffer({ size: 4 * cap * spec.width, usage: GPUBufferUsage.STORAGE }));
    const o = this.device.createBuffer({ size: 8 * cap, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const temp = [z, c, ...h, o];
    const weights = this.setup?.ema ? this.ema : this.params;
    try {
      for (let off = 0; off < n; off += cap) {
        const rows = Math.min(cap, n - off);
        const program: Dispatch[] = [];
        const base = (first + off) * L;
        program.push(this.dispatch(LATENT_WGSL, LATENT_KINDS, [z, this.uniform(LATENT_ARGS, { count: rows * L, baseLo: base % 4294967296, baseHi: Math.floor(base / 4294967296), seed: seed >>> 0 }, undefined, temp)], Math.ceil((rows * L) / LATENT_WORKGROUP)));
        for (let b = 0; b < this.G.shapes.length; b++) {
          const shape = this.G.shapes[b]!;
          const slots = this.G.layout.blocks[b]!;
          const last = b === this.G.shapes.length - 1;
          const args = {
            rows,
            condMod: rows,
            split: rows,
            passA: 0,
            passB: 0,
            block: b,
            train: 0,
            storeX: 0,
            kOff: slots.kernel.offset,
            bOff: slots.bias.offset,
            gOff: slots.gamma?.offset ?? 0,
            betaOff: slots.beta?.offset ?? 0,
            okOff: this.G.layout.out.kernel.offset,
            obOff: this.G.layout.out.bias.offset,
            inOff: 0,
            outOff: 0,
          };
          const input = b === 0 ? z : h[(b - 1) % 2]!;
          program.push(this.dispatch(forwardWgsl(shape), FORWARD_KINDS, [weights, input, c, h[b % 2]!, this.dummy('gen-s'), last ? o : this.dummy('gen-out'), ctl, this.uniform(FORWARD_ARGS, args, undefined, temp)], Math.ceil(rows / shape.rows)));
        }
        upload(this.device.queue, c, 0, cond, off, rows);
        this.submit(program, 1);
        const [chunk] = await this.read([o], [2 * rows]);
        result.set(chunk!, 2 * off);
      }
    } finally {
      for (const b of temp) b.destroy();
    }
    return result;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.device.queue.onSubmittedWorkDone();
    for (const b of this.owned) b.destroy();
    if (this.data) {
      this.data.x.destroy();
      this.data.c.destroy();
    }
    if (this.epochBufs) for (const b of [this.epochBufs.order, this.epochBufs.ctl, this.epochBufs.stats]) b.destroy();
  }
}

/** The bytes of a uniform struct of 32-bit fields. */
function packArgs(names: readonly string[], values: Record<string, number>, floats: ReadonlySet<string>): ArrayBuffer {
  const buf = new ArrayBuffer(Math.ceil((4 * names.length) / 16) * 16);
  const view = new DataView(buf);
  names.forEach((name, i) => {
    const v = values[name];
    if (v === undefined) throw new Error(`webgpu engine: kernel argument '${name}' missing`);
    if (floats.has(name)) view.setFloat32(4 * i, v, true);
    else view.setUint32(4 * i, v >>> 0, true);
  });
  return buf;
}

/** queue.writeBuffer of a typed array's elements [first, first + count) (of any backing buffer). */
function upload(queue: GPUQueue, buf: GPUBuffer, at: number, data: ArrayBufferView | ArrayBuffer, first?: number, count?: number): void {
  queue.writeBuffer(buf, at, data as ArrayBuffer, first, count);
}
