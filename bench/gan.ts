/**
 * GAN throughput: training (events/s, one step = one D and one G update per real event) and
 * generation (events/s), default architecture, batch 1024 and 8192, for each backend available:
 * nugan-cpu (own engine), tfjs-wasm (tfjs Layers + Adam, for comparison), tfjs-webgpu when a GPU exists.
 * BENCH_QUICK=1 shortens the runs; BENCH_FULL=1 adds the (slow) tfjs-wasm step at batch 8192.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { probeWebGpu } from '../src/gan/backend.ts';
import { fillGaussian, type Mlp } from '../src/gan/engine.ts';
import { createGan, DEFAULT_ARCHITECTURE, toLayersModel } from '../src/gan/model.ts';
import { trainGan, type ProxyData } from '../src/gan/train.ts';
import { Rng } from '../src/physics/rng.ts';

function data(n: number, seed: number): ProxyData {
  const r = new Rng(seed);
  const cond = Float32Array.from({ length: n }, () => 2 * r.next() - 1);
  const x = Float32Array.from({ length: 2 * n }, () => 1.6 * r.next() - 0.8);
  return { cond, x, n };
}

function line(text: string): void {
  process.stdout.write(text + '\n');
}

async function nuganTrain(batch: number, steps: number): Promise<number> {
  const r = await trainGan(data(batch * steps, 1), data(200, 2), {
    architecture: DEFAULT_ARCHITECTURE, epochs: 1, batch, lr_g: 2e-4, lr_d: 2e-4, betas: [0.5, 0.999],
    checkpoint_every: 1000, validate_every: 1000, select: 'last', seed: 1,
  });
  return r.events_per_s;
}

function nuganGenerate(G: Mlp, n: number): number {
  const chunk = 16384;
  const z = new Float32Array(chunk * G.spec.inputDim);
  const c = new Float32Array(chunk).fill(0.1);
  const t0 = performance.now();
  for (let off = 0, k = 0; off < n; off += chunk, k++) {
    fillGaussian(z, chunk * G.spec.inputDim, new Rng(1, k));
    G.forward(z, c, chunk, false);
  }
  return n / ((performance.now() - t0) / 1000);
}

async function tfjsModels(G: Mlp, D: Mlp): Promise<{ g: tf.LayersModel; d: tf.LayersModel }> {
  const load = async (net: Mlp, name: string, input: string) => {
    const m = toLayersModel(net, name, input);
    const json = m.json as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
    return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData: m.weights.buffer.slice(m.weights.byteOffset, m.weights.byteOffset + m.weights.byteLength) as ArrayBuffer }));
  };
  return { g: await load(G, 'generator', 'z'), d: await load(D, 'discriminator', 'x') };
}

/** A tfjs Layers training step (Adam, BCE, non-saturating G loss), timed over `steps` steps. */
async function tfjsTrain(g: tf.LayersModel, d: tf.LayersModel, batch: number, steps: number): Promise<number> {
  const optD = tf.train.adam(2e-4, 0.5, 0.999);
  const optG = tf.train.adam(2e-4, 0.5, 0.999);
  const vars = (m: tf.LayersModel) => m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const latent = DEFAULT_ARCHITECTURE.latent;
  const step = () =>
    tf.tidy(() => {
      const c = tf.randomUniform([batch, 1], -1, 1);
      const x = tf.randomUniform([batch, 2], -0.8, 0.8);
      optD.minimize(() => {
        const fake = g.apply([tf.randomNormal([batch, latent]), c], { training: true }) as tf.Tensor;
        const pr = d.apply([x, c], { training: true }) as tf.Tensor;
        const pf = d.apply([fake, c], { training: true }) as tf.Tensor;
        return tf.neg(tf.add(tf.mean(tf.log(tf.add(pr, 1e-7))), tf.mean(tf.log(tf.sub(1 + 1e-7, pf))))) as tf.Scalar;
      }, false, vars(d));
      optG.minimize(() => {
        const fake = g.apply([tf.randomNormal([batch, latent]), c], { training: true }) as tf.Tensor;
        const pf = d.apply([fake, c], { training: true }) as tf.Tensor;
        return tf.neg(tf.mean(tf.log(tf.add(pf, 1e-7)))) as tf.Scalar;
      }, false, vars(g));
    });
  step();
  await tf.ready();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  // Force completion of queued work.
  (g.getWeights()[0] as tf.Tensor).dataSync();
  return (batch * steps) / ((performance.now() - t0) / 1000);
}

async function tfjsGenerate(g: tf.LayersModel, n: number): Promise<number> {
  const chunk = 65536;
  const latent = DEFAULT_ARCHITECTURE.latent;
  const warm = g.predict([tf.randomNormal([chunk, latent]), tf.fill([chunk, 1], 0.1)]) as tf.Tensor;
  await warm.data();
  warm.dispose();
  const t0 = performance.now();
  for (let off = 0; off < n; off += chunk) {
    const out = tf.tidy(() => g.predict([tf.randomNormal([chunk, latent]), tf.fill([chunk, 1], 0.1)]) as tf.Tensor);
    await out.data();
    out.dispose();
  }
  return n / ((performance.now() - t0) / 1000);
}

export async function bench(): Promise<void> {
  const quick = process.env.BENCH_QUICK === '1';
  const a = DEFAULT_ARCHITECTURE;
  const { G, D } = createGan(a, 1);
  line(`architecture: ${a.blocks} blocks × ${a.width}, latent ${a.latent}, ${a.normalisation} norm; G ${G.size} params (${(G.size * 4 / 1024).toFixed(0)} kB), D ${D.size} params`);
  for (const batch of [1024, 8192]) {
    const steps = quick ? 2 : batch === 1024 ? 12 : 3;
    line(`train nugan-cpu batch ${batch}: ${(await nuganTrain(batch, steps)).toFixed(0)} events/s`);
  }
  const genN = quick ? 65536 : 262144;
  line(`generate nugan-cpu: ${nuganGenerate(G, genN).toFixed(0)} events/s`);

  // tfjs-wasm for comparison.
  const require = createRequire(import.meta.url);
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
  if (await tf.setBackend('wasm')) {
    await tf.ready();
    const { g, d } = await tfjsModels(G, D);
    for (const batch of [1024, 8192]) {
      // One tfjs-wasm step at batch 8192 takes ~100 s on one core (81 events/s measured): opt-in.
      if (batch === 8192 && process.env.BENCH_FULL !== '1') {
        line('train tfjs-wasm batch 8192: skipped (~100 s per step; BENCH_FULL=1 runs it)');
        continue;
      }
      line(`train tfjs-wasm batch ${batch}: ${(await tfjsTrain(g, d, batch, quick ? 1 : 2)).toFixed(0)} events/s`);
    }
    line(`generate tfjs-wasm: ${(await tfjsGenerate(g, genN)).toFixed(0)} events/s`);
  }
  const gpu = await probeWebGpu();
  if (gpu.ok) {
    await import('@tensorflow/tfjs-backend-webgpu');
    if (await tf.setBackend('webgpu')) {
      await tf.ready();
      const { g, d } = await tfjsModels(G, D);
      for (const batch of [1024, 8192]) line(`train tfjs-webgpu batch ${batch}: ${(await tfjsTrain(g, d, batch, quick ? 2 : 5)).toFixed(0)} events/s`);
      line(`generate tfjs-webgpu: ${(await tfjsGenerate(g, quick ? 1 << 20 : 1 << 23)).toFixed(0)} events/s`);
    }
  } else line(`tfjs-webgpu: skipped (${gpu.reason})`);
}
