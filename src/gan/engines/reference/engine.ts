/**
 * The reference engine: the training step of engine.ts in plain JavaScript on one thread, the whole
 * batch at once. It is slow and not meant for real training; it is the oracle the engine suite
 * (test/gan/engines/) compares the CPU and WebGPU engines with.
 */
import { ganLayouts, type Architecture, type NetLayout } from '../../architecture.ts';
import { Draws, Pass, SAMPLING_EPOCH, stream } from '../../draws.ts';
import { emaDecay, sigmoid, softplus, type EngineInfo, type EpochRequest, type EpochStats, type GanEngine, type GanState, type Moments, type ProxyData, type TrainingSetup } from '../engine.ts';
import { ReferenceNet, type PassDraws } from './net.ts';

export class ReferenceEngine implements GanEngine {
  readonly info: EngineInfo = { engine: 'reference', device: 'CPU, 1 thread (plain JavaScript)', threads: 1, kernels: 'javascript' };
  private readonly layouts: { G: NetLayout; D: NetLayout };
  private G: ReferenceNet;
  private D: ReferenceNet;
  private moments: { G: Moments; D: Moments };
  private step = 0;
  private ema?: Float32Array;
  private data?: ProxyData;

  constructor(
    readonly architecture: Architecture,
    private readonly setup?: TrainingSetup,
  ) {
    this.layouts = ganLayouts(architecture);
    this.G = new ReferenceNet(this.layouts.G, new Float32Array(this.layouts.G.size));
    this.D = new ReferenceNet(this.layouts.D, new Float32Array(this.layouts.D.size));
    this.moments = { G: { m: new Float32Array(this.layouts.G.size), v: new Float32Array(this.layouts.G.size) }, D: { m: new Float32Array(this.layouts.D.size), v: new Float32Array(this.layouts.D.size) } };
  }

  async setState(state: GanState): Promise<void> {
    this.G.weights.set(state.weights.G);
    this.D.weights.set(state.weights.D);
    this.moments.G.m.set(state.moments.G.m);
    this.moments.G.v.set(state.moments.G.v);
    this.moments.D.m.set(state.moments.D.m);
    this.moments.D.v.set(state.moments.D.v);
    this.step = state.step;
    this.ema = state.ema ? state.ema.slice() : this.G.weights.slice();
  }

  async getState(): Promise<GanState> {
    const copy = (m: Moments): Moments => ({ m: m.m.slice(), v: m.v.slice() });
    return { weights: { G: this.G.weights.slice(), D: this.D.weights.slice() }, moments: { G: copy(this.moments.G), D: copy(this.moments.D) }, step: this.step, ...(this.ema ? { ema: this.ema.slice() } : {}) };
  }

  async setTrainingData(data: ProxyData): Promise<void> {
    this.data = data;
  }

  async trainEpoch(req: EpochRequest): Promise<EpochStats> {
    const setup = this.setup;
    const data = this.data;
    if (!setup || !data) throw new Error('reference engine: trainEpoch needs a training setup and training data');
    const t0 = performance.now();
    const B = setup.batch;
    const L = this.architecture.latent;
    const frozenG = new Set(setup.frozen.generator);
    const frozenD = new Set(setup.frozen.discriminator);
    const o = setup.optimizer;
    const scale = req.lrScale ?? 1;
    let lossD = 0, lossG = 0, dReal = 0, dFake = 0;
    let lastYield = performance.now();
    for (let s = 0; s < req.steps; s++) {
      // Let abort signals and timers through every quarter second.
      if (performance.now() - lastYield > 250) {
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
      }
      req.signal?.throwIfAborted();
      const draws = (pass: Pass): PassDraws => ({ k0: req.seed, k1: req.epoch, step: s, pass });
      const latent = (pass: Pass): Float32Array => {
        const d = new Draws(req.seed, req.epoch, s, stream('latent', pass));
        return Float32Array.from({ length: B * L }, (_, e) => d.normal(e));
      };
      const x = new Float32Array(2 * B);
      const c = new Float32Array(B);
      for (let i = 0; i < B; i++) {
        const k = req.order[s * B + i]!;
        x[2 * i] = data.x[2 * k]!;
        x[2 * i + 1] = data.x[2 * k + 1]!;
        c[i] = data.cond[k]!;
      }
      // Discriminator update.
      const fake = this.G.forward(latent(Pass.GForD), c, B, draws(Pass.GForD)).slice();
      this.D.grads.fill(0);
      const lr = this.D.forward(x, c, B, draws(Pass.DReal));
      const dl = new Float32Array(B);
      for (let i = 0; i < B; i++) {
        lossD += softplus(-lr[i]!);
        dReal += sigmoid(lr[i]!);
        dl[i] = (sigmoid(lr[i]!) - 1) / B;
      }
      this.D.backward(dl, true, false, frozenD);
      const lf = this.D.forward(fake, c, B, draws(Pass.DFake));
      for (let i = 0; i < B; i++) {
        lossD += softplus(lf[i]!);
        dFake += sigmoid(lf[i]!);
        dl[i] = sigmoid(lf[i]!) / B;
      }
      this.D.backward(dl, true, false, frozenD);
      adam(this.D, this.moments.D, o.lr_d * scale, o, this.step + 1, frozenD);
      // Generator update, through the updated discriminator.
      this.G.grads.fill(0);
      const fake2 = this.G.forward(latent(Pass.GForG), c, B, draws(Pass.GForG));
      const lg = this.D.forward(fake2, c, B, draws(Pass.DForG));
      for (let i = 0; i < B; i++) {
        lossG += softplus(-lg[i]!);
        dl[i] = (sigmoid(lg[i]!) - 1) / B;
      }
      const dFakeIn = this.D.backward(dl, false, true);
      this.G.backward(dFakeIn, true, false, frozenG);
      adam(this.G, this.moments.G, o.lr_g * scale, o, this.step + 1, frozenG);
      if (setup.ema && this.ema) {
        const beta = emaDecay(setup.ema, B, this.step + 1);
        const w = this.G.weights;
        for (let i = 0; i < w.length; i++) this.ema[i] = beta * this.ema[i]! + (1 - beta) * w[i]!;
      }
      this.step++;
      req.onProgress?.(s + 1);
    }
    const events = req.steps * B;
    return { loss_d: lossD / events, loss_g: lossG / events, d_real: dReal / events, d_fake: dFake / events, steps: req.steps, seconds: (performance.now() - t0) / 1000 };
  }

  async generate(cond: Float32Array, seed: number, first = 0): Promise<Float32Array> {
    const L = this.architecture.latent;
    const d = new Draws(seed, SAMPLING_EPOCH, 0, stream('latent', Pass.Sample));
    const n = cond.length;
    const z = Float32Array.from({ length: n * L }, (_, e) => d.normal(first * L + e));
    if (!this.setup?.ema || !this.ema) return this.G.forward(z, cond, n).slice();
    // Inference with the weight average: a network over the EMA weights, the same layout.
    return new ReferenceNet(this.layouts.G, this.ema).forward(z, cond, n).slice();
  }

  async dispose(): Promise<void> {}
}

/** Adam (Kingma & Ba 2015) on the net's trainable weights; t is the 1-based step. */
function adam(net: ReferenceNet, mo: Moments, lr: number, o: TrainingSetup['optimizer'], t: number, frozen: ReadonlySet<string>): void {
  const c1 = 1 / (1 - o.beta1 ** t);
  const c2 = 1 / (1 - o.beta2 ** t);
  const w = net.weights;
  const g = net.grads;
  for (const p of net.layout.params) {
    if (frozen.has(p.block)) continue;
    for (let i = p.offset; i < p.offset + p.size; i++) {
      mo.m[i] = o.beta1 * mo.m[i]! + (1 - o.beta1) * g[i]!;
      mo.v[i] = o.beta2 * mo.v[i]! + (1 - o.beta2) * g[i]! * g[i]!;
      w[i] = w[i]! - (lr * (mo.m[i]! * c1)) / (Math.sqrt(mo.v[i]! * c2) + o.eps);
    }
  }
}
