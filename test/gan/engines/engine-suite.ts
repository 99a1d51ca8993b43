/**
 * The one test suite every GAN engine passes, as every executor passes test/runner/executor-suite.ts:
 * the reference engine (plain JavaScript, the whole batch at once) is the oracle; the CPU engine in
 * each kernel build and thread count, and the WebGPU engine, are compared with it.
 *
 * Tolerances, stated once:
 * - one step's gradients (read from Adam's first moment after one step from zero moments:
 *   m = (1 − β1)·g) agree with the reference's to 1e-4 of the largest gradient of each network —
 *   float32 arithmetic summed in other orders (shards, SIMD lanes, FMA) differs around 1e-6;
 * - 200 steps later the per-epoch losses still agree to 0.05 (the draws are identical, so the
 *   trajectories separate only as float rounding is amplified);
 * - generated events agree to 1e-4 in the proxies (latents differ only in how log/sin/cos round).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ARCHITECTURE, ganLayouts, initialWeights, type Architecture } from '../../../src/gan/architecture.ts';
import { freshState, type GanEngine, type GanState, type ProxyData, type TrainingSetup } from '../../../src/gan/engines/engine.ts';
import { ReferenceEngine } from '../../../src/gan/engines/reference/engine.ts';
import { Rng } from '../../../src/util/rng.ts';

export type MakeEngine = (architecture: Architecture, training?: TrainingSetup) => Promise<GanEngine>;

/** Small enough for the reference engine to run hundreds of steps in a test. */
export const SUITE_ARCHITECTURE: Architecture = { ...DEFAULT_ARCHITECTURE, blocks: 3, width: 16, latent: 4, dropout: 0.1, noise: 0.05 };

export function suiteTraining(over: Partial<TrainingSetup> = {}): TrainingSetup {
  return { optimizer: { lr_g: 1e-3, lr_d: 1e-3, beta1: 0.5, beta2: 0.999, eps: 1e-7 }, frozen: { generator: [], discriminator: [] }, batch: 300, ...over };
}

export function suiteData(n: number, seed: number): ProxyData {
  const r = new Rng(seed);
  const cond = Float32Array.from({ length: n }, () => 2 * r.next() - 1);
  const x = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = Math.tanh(0.6 * cond[i]! + 0.3 * (r.next() - 0.5));
    x[2 * i + 1] = 1.6 * r.next() - 0.8;
  }
  return { cond, x, n };
}

function orderOf(n: number, epoch: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, i) => (i * 7 + epoch * 13) % n);
}

function copyState(s: GanState): GanState {
  return { weights: { G: s.weights.G.slice(), D: s.weights.D.slice() }, moments: { G: { m: s.moments.G.m.slice(), v: s.moments.G.v.slice() }, D: { m: s.moments.D.m.slice(), v: s.moments.D.v.slice() } }, step: s.step, ...(s.ema ? { ema: s.ema.slice() } : {}) };
}

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const x of a) m = Math.max(m, Math.abs(x));
  return m;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function bytes(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Trains `epochs` epochs of `steps` steps from `state`; returns the engine's losses and final state. */
async function run(make: MakeEngine, training: TrainingSetup, state: GanState, data: ProxyData, epochs: number, steps: number, seed = 11, lrScale = 1): Promise<{ losses: { d: number; g: number }[]; state: GanState }> {
  const engine = await make(SUITE_ARCHITECTURE, training);
  try {
    await engine.setState(copyState(state));
    await engine.setTrainingData(data);
    const losses = [];
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const s = await engine.trainEpoch({ seed, epoch, order: orderOf(data.n, epoch), steps, lrScale });
      losses.push({ d: s.loss_d, g: s.loss_g });
    }
    return { losses, state: await engine.getState() };
  } finally {
    await engine.dispose();
  }
}

const reference: MakeEngine = async (a, t) => new ReferenceEngine(a, t);

export function engineSuite(name: string, make: MakeEngine, opts: { timeoutMs?: number } = {}): void {
  const timeout = opts.timeoutMs ?? 60_000;
  describe(`GAN engine ${name} (shared engine suite)`, () => {
    const data = suiteData(1200, 4);
    const start = freshState(initialWeights(SUITE_ARCHITECTURE, 3));

    it('computes one step of gradients as the reference engine does, within 1e-4 of the largest', async () => {
      const training = suiteTraining();
      const [ours, ref] = await Promise.all([run(make, training, start, data, 1, 1), run(reference, training, start, data, 1, 1)]);
      const { beta1 } = training.optimizer;
      for (const net of ['G', 'D'] as const) {
        const g = ref.state.moments[net].m.map((m) => m / (1 - beta1));
        const gOurs = ours.state.moments[net].m.map((m) => m / (1 - beta1));
        expect(maxAbs(g)).toBeGreaterThan(0);
        expect(maxDiff(gOurs, g) / maxAbs(g), `${net} gradients`).toBeLessThan(1e-4);
      }
      expect(Math.abs(ours.losses[0]!.d - ref.losses[0]!.d)).toBeLessThan(1e-4);
      expect(Math.abs(ours.losses[0]!.g - ref.losses[0]!.g)).toBeLessThan(1e-4);
    }, timeout);

    it("tracks the reference engine's losses over 200 steps to 0.05", async () => {
      const training = suiteTraining({ batch: 64 });
      const [ours, ref] = await Promise.all([run(make, training, start, data, 20, 10), run(reference, training, start, data, 20, 10)]);
      const worst = Math.max(...ours.losses.map((l, i) => Math.max(Math.abs(l.d - ref.losses[i]!.d), Math.abs(l.g - ref.losses[i]!.g))));
      expect(worst).toBeLessThan(0.05);
      // …and the losses moved: the networks trained.
      expect(Math.abs(ours.losses[19]!.d - ours.losses[0]!.d)).toBeGreaterThan(0.01);
    }, timeout);

    it('never writes the weights or moments of frozen blocks', async () => {
      const training = suiteTraining({ frozen: { generator: ['block0'], discriminator: ['block1', 'out'] } });
      const { state } = await run(make, training, start, data, 2, 3);
      const layouts = ganLayouts(SUITE_ARCHITECTURE);
      for (const [net, frozen] of [['G', ['block0']], ['D', ['block1', 'out']]] as const) {
        for (const p of layouts[net].params) {
          const before = start.weights[net].subarray(p.offset, p.offset + p.size);
          const after = state.weights[net].subarray(p.offset, p.offset + p.size);
          const same = bytes(before).equals(bytes(after));
          expect(same, `${p.name} is ${(frozen as readonly string[]).includes(p.block) ? 'frozen' : 'trainable'}`).toBe((frozen as readonly string[]).includes(p.block));
          if ((frozen as readonly string[]).includes(p.block)) expect(maxAbs(state.moments[net].m.subarray(p.offset, p.offset + p.size))).toBe(0);
        }
      }
    }, timeout);

    it('gives back exactly the state it was given, and continues from it as if never stopped', async () => {
      const training = suiteTraining();
      const whole = await run(make, training, start, data, 3, 2);
      const first = await run(make, training, start, data, 2, 2);
      const engine = await make(SUITE_ARCHITECTURE, training);
      try {
        await engine.setState(copyState(first.state));
        const back = await engine.getState();
        for (const net of ['G', 'D'] as const) {
          expect(bytes(back.weights[net]).equals(bytes(first.state.weights[net]))).toBe(true);
          expect(bytes(back.moments[net].v).equals(bytes(first.state.moments[net].v))).toBe(true);
        }
        expect(back.step).toBe(first.state.step);
        await engine.setTrainingData(data);
        await engine.trainEpoch({ seed: 11, epoch: 3, order: orderOf(data.n, 3), steps: 2 });
        const resumed = await engine.getState();
        expect(bytes(resumed.weights.G).equals(bytes(whole.state.weights.G))).toBe(true);
        expect(bytes(resumed.weights.D).equals(bytes(whole.state.weights.D))).toBe(true);
      } finally {
        await engine.dispose();
      }
    }, timeout);

    it('gives the same model for the same seed and another for another seed', async () => {
      const training = suiteTraining();
      const [a, b, c] = await Promise.all([run(make, training, start, data, 2, 2, 5), run(make, training, start, data, 2, 2, 5), run(make, training, start, data, 2, 2, 6)]);
      expect(bytes(a.state.weights.G).equals(bytes(b.state.weights.G))).toBe(true);
      expect(bytes(a.state.weights.D).equals(bytes(b.state.weights.D))).toBe(true);
      expect(bytes(a.state.weights.G).equals(bytes(c.state.weights.G))).toBe(false);
    }, timeout);

    it('generates what the reference engine generates, the same in chunks as in one call', async () => {
      const engine = await make(SUITE_ARCHITECTURE);
      const ref = new ReferenceEngine(SUITE_ARCHITECTURE);
      try {
        const trained = (await run(reference, suiteTraining(), start, data, 1, 2)).state;
        await engine.setState(copyState(trained));
        await ref.setState(copyState(trained));
        const cond = suiteData(1000, 8).cond;
        const whole = await engine.generate(cond, 21);
        const parts = [await engine.generate(cond.subarray(0, 333), 21, 0), await engine.generate(cond.subarray(333), 21, 333)];
        expect(bytes(whole).equals(Buffer.concat(parts.map(bytes)))).toBe(true);
        expect(maxDiff(whole, await ref.generate(cond, 21))).toBeLessThan(1e-4);
        expect(maxDiff(whole, await engine.generate(cond, 22))).toBeGreaterThan(0.01);
      } finally {
        await engine.dispose();
        await ref.dispose();
      }
    }, timeout);

    it("keeps the generator's weight average as the reference does, and generates from it", async () => {
      const training = suiteTraining({ ema: { halflife: 600, rampup: 0.5 } });
      const [ours, ref] = await Promise.all([run(make, training, start, data, 2, 3), run(reference, training, start, data, 2, 3)]);
      const w = ref.state.weights.G;
      // The average lags the weights, and agrees with the reference's to float rounding.
      expect(maxDiff(ref.state.ema!, w)).toBeGreaterThan(1e-4);
      expect(maxDiff(ours.state.ema!, ref.state.ema!) / maxAbs(w)).toBeLessThan(1e-4);
      const cond = suiteData(500, 12).cond;
      const withEma = await make(SUITE_ARCHITECTURE, training);
      const plain = await make(SUITE_ARCHITECTURE, suiteTraining());
      try {
        await withEma.setState(copyState(ours.state));
        await plain.setState({ ...copyState(ours.state), weights: { G: ours.state.ema!.slice(), D: ours.state.weights.D.slice() } });
        // Generating during training with an average = generating from a model saved with those weights.
        expect(maxDiff(await withEma.generate(cond, 3), await plain.generate(cond, 3))).toBeLessThan(1e-6);
      } finally {
        await withEma.dispose();
        await plain.dispose();
      }
    }, timeout);

    it('scales the learning rates by lrScale: 0 leaves every weight as it was', async () => {
      const { state } = await run(make, suiteTraining(), start, data, 1, 2, 11, 0);
      expect(bytes(state.weights.G).equals(bytes(start.weights.G))).toBe(true);
      expect(bytes(state.weights.D).equals(bytes(start.weights.D))).toBe(true);
      expect(maxAbs(state.moments.D.m)).toBeGreaterThan(0);
    }, timeout);

    it('stops an epoch when aborted and can still be disposed', async () => {
      const engine = await make(SUITE_ARCHITECTURE, suiteTraining({ batch: 32 }));
      try {
        await engine.setState(copyState(start));
        await engine.setTrainingData(data);
        const ac = new AbortController();
        ac.abort(new Error('stop now'));
        await expect(engine.trainEpoch({ seed: 1, epoch: 1, order: orderOf(data.n, 1), steps: 30, signal: ac.signal })).rejects.toThrow('stop now');
        const late = new AbortController();
        setTimeout(() => late.abort(new Error('stopped mid-epoch')), 30);
        const big = suiteData(200_000, 9);
        await engine.setTrainingData(big);
        const t0 = performance.now();
        await expect(engine.trainEpoch({ seed: 1, epoch: 1, order: orderOf(big.n, 1), steps: 6000, signal: late.signal })).rejects.toThrow('stopped mid-epoch');
        expect(performance.now() - t0).toBeLessThan(5000);
      } finally {
        await engine.dispose();
      }
    }, timeout);
  });
}
