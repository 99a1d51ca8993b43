/**
 * The WebGPU engine's section of `npm run bench -- gan`: training events/s at batch 1024 and 8192 and
 * generation events/s for the default architecture, and the dispatches of one training step. Whole
 * epochs are timed on the wall clock and each ends in a readback (the epoch's loss sums), so nothing
 * is left queued on the GPU when the clock stops; single dispatches are never timed (Dawn rounds GPU
 * timestamps to 65.5 µs unless told otherwise, and a dispatch of these networks is shorter).
 *
 * Runs where Dawn finds an adapter; a software adapter (lavapipe, SwiftShader) only with
 * NUGAN_ALLOW_SOFTWARE_GPU=1, and its lines say so — its numbers measure the CPU, not a GPU.
 */
import { initialWeights, type Architecture } from '../../src/gan/architecture.ts';
import { freshState, type ProxyData } from '../../src/gan/engines/engine.ts';
import { describeAdapter, probeGpu } from '../../src/gan/engines/select.ts';
import { WebGpuEngine } from '../../src/gan/engines/webgpu/engine.ts';
import { Rng } from '../../src/util/rng.ts';

function data(n: number, seed: number): ProxyData {
  const r = new Rng(seed);
  return { cond: Float32Array.from({ length: n }, () => 2 * r.next() - 1), x: Float32Array.from({ length: 2 * n }, () => 1.6 * r.next() - 0.8), n };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

export interface WebGpuNumbers {
  train: Map<number, number>;
  generate?: number;
}

/** Training events/s: a warm-up epoch of 2 steps (compiles the kernels), then a timed epoch sized from it. */
async function train(architecture: Architecture, batch: number, seconds: number): Promise<{ rate: number; dispatches: number; steps: number }> {
  const optimizer = { lr_g: 1e-4, lr_d: 2e-4, beta1: 0.5, beta2: 0.999, eps: 1e-7 };
  const engine = await WebGpuEngine.create({ architecture, training: { optimizer, frozen: { generator: [], discriminator: [] }, batch } });
  try {
    await engine.setState(freshState(initialWeights(architecture, 1)));
    const warmData = data(2 * batch, 1);
    await engine.setTrainingData(warmData);
    const order = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);
    await engine.trainEpoch({ seed: 1, epoch: 1, order: order(warmData.n), steps: 2 });
    // The second warm-up epoch runs compiled kernels: its speed sizes the timed epoch.
    const warm = await engine.trainEpoch({ seed: 1, epoch: 2, order: order(warmData.n), steps: 2 });
    const steps = Math.max(2, Math.min(20_000, Math.round((seconds * 2) / warm.seconds)));
    const d = data(steps * batch, 2);
    await engine.setTrainingData(d);
    const s = await engine.trainEpoch({ seed: 1, epoch: 3, order: order(d.n), steps });
    return { rate: (steps * batch) / s.seconds, dispatches: engine.dispatchesPerStep, steps };
  } finally {
    await engine.dispose();
  }
}

async function generate(architecture: Architecture, seconds: number): Promise<{ rate: number; events: number }> {
  const engine = await WebGpuEngine.create({ architecture });
  try {
    await engine.setState(freshState(initialWeights(architecture, 1)));
    const warmN = 1 << 16;
    await engine.generate(new Float32Array(warmN).fill(0.1), 1);
    const t0 = performance.now();
    await engine.generate(new Float32Array(warmN).fill(0.1), 2);
    const rate = warmN / ((performance.now() - t0) / 1000);
    const n = Math.max(warmN, Math.min(20_000_000, Math.round(rate * seconds)));
    const cond = new Float32Array(n).fill(0.1);
    const t1 = performance.now();
    await engine.generate(cond, 3);
    return { rate: n / ((performance.now() - t1) / 1000), events: n };
  } finally {
    await engine.dispose();
  }
}

/** Prints the section; returns the numbers (none when skipped). */
export async function webgpuSection(architecture: Architecture, seconds: number, line: (s: string) => void): Promise<WebGpuNumbers | undefined> {
  const probe = await probeGpu();
  if (!probe.found) {
    line(`webgpu: skipped (${probe.reason})`);
    return undefined;
  }
  const name = describeAdapter(probe.adapter);
  if (probe.adapter.software && process.env.NUGAN_ALLOW_SOFTWARE_GPU !== '1') {
    line(`webgpu: skipped (the only adapter is ${name}, a software renderer; NUGAN_ALLOW_SOFTWARE_GPU=1 measures it anyway)`);
    return undefined;
  }
  const label = probe.adapter.software ? `webgpu [SOFTWARE adapter ${name}: CPU speed, not a GPU's]` : `webgpu ${name}`;
  const out: WebGpuNumbers = { train: new Map() };
  for (const batch of [1024, 8192]) {
    const r = await train(architecture, batch, seconds);
    out.train.set(batch, r.rate);
    line(`train ${label} batch ${batch}: ${fmt(r.rate).padStart(10)} events/s  (${r.steps} steps timed, ${r.dispatches} dispatches per step)`);
  }
  const g = await generate(architecture, seconds);
  out.generate = g.rate;
  line(`generate ${label}: ${fmt(g.rate).padStart(12)} events/s  (${fmt(g.events)} events timed)`);
  return out;
}
