import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ARCHITECTURE, generatorBytes, ganLayouts, initialWeights } from '../../src/gan/architecture.ts';
import { Draws, Pass, SAMPLING_EPOCH, stream } from '../../src/gan/draws.ts';
import { freshState } from '../../src/gan/engines/engine.ts';
import { ReferenceEngine } from '../../src/gan/engines/reference/engine.ts';
import { loadModel, proxyInfo, readModelInfo, saveModel, type ModelInfo } from '../../src/gan/model.ts';
import { Rng } from '../../src/util/rng.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function loadTfjs(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
  const bin = await readFile(path.join(dir, 'weights.bin'));
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }));
}

describe('saved models', () => {
  it('load in tfjs as a LayersModel that predicts what the engines generate from the documented latent draws', async () => {
    await tf.setBackend('cpu');
    const arch = { ...DEFAULT_ARCHITECTURE, blocks: 3, width: 16, latent: 4, noise: 0.1 };
    const weights = initialWeights(arch, 5);
    // Move norm parameters and biases off 1/0 so the comparison exercises them.
    for (const p of ganLayouts(arch).G.params) if (p.role !== 'kernel') for (let i = 0; i < p.size; i++) weights.G[p.offset + i]! += 0.2 * Math.sin(3 * i + 1);
    const dir = await mkdtemp(path.join(tmpdir(), 'nugan-model-'));
    dirs.push(dir);
    const info: ModelInfo = { format: 'nugan-model', version: 1, architecture: arch, proxy: proxyInfo(), E_range: [0.3, 10], backend: 'reference', seed: 5, epoch: 1, select: 'map' };
    await saveModel(dir, weights, info);
    const model = await loadTfjs(dir);
    const n = 64;
    const r = new Rng(2);
    const c = Float32Array.from({ length: n }, () => 2 * r.next() - 1);
    // The latent vectors a generation with seed 9 uses (nugan-model.json: z ~ N(0, 1)).
    const d = new Draws(9, SAMPLING_EPOCH, 0, stream('latent', Pass.Sample));
    const z = Float32Array.from({ length: n * 4 }, (_, e) => d.normal(e));
    const engine = new ReferenceEngine(arch);
    await engine.setState(freshState(weights));
    const ours = await engine.generate(c, 9);
    const theirs = (model.predict([tf.tensor2d(z, [n, 4]), tf.tensor2d(c, [n, 1])]) as tf.Tensor).dataSync();
    let worst = 0;
    for (let i = 0; i < 2 * n; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
    expect(worst).toBeLessThan(1e-5);
    expect(model.layers.some((l) => l.getClassName() === 'LayerNormalization')).toBe(true);
    // nugan reads back the same weights, and the metadata says how to sample.
    const back = await loadModel(dir);
    expect(back.weights.G).toEqual(weights.G);
    expect(back.weights.D).toEqual(weights.D);
    expect((await readModelInfo(dir)).latent).toEqual({ distribution: 'normal', mean: 0, std: 1, size: 4 });
  });

  it('keeps the default generator under 1 MB', () => {
    expect(generatorBytes(DEFAULT_ARCHITECTURE)).toBeLessThan(1 << 20);
  });
});
