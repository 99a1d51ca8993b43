import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/physics/rng.ts';
import { createGan, DEFAULT_ARCHITECTURE, loadModel, proxyInfo, saveModel, type ModelInfo } from '../../src/gan/model.ts';

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
  it('load in tfjs as a LayersModel that predicts what the engine computes', async () => {
    await tf.setBackend('cpu');
    const arch = { ...DEFAULT_ARCHITECTURE, blocks: 3, width: 16, latent: 4, noise: 0.1 };
    const { G, D } = createGan(arch, 5);
    // Move norm parameters off 1/0 so the comparison exercises them.
    for (const p of G.params) if (!p.name.endsWith('kernel')) for (let i = 0; i < p.value.length; i++) p.value[i]! += 0.2 * Math.sin(3 * i + 1);
    const dir = await mkdtemp(path.join(tmpdir(), 'nugan-model-'));
    dirs.push(dir);
    const info: ModelInfo = { format: 'nugan-model', version: 1, architecture: arch, proxy: proxyInfo(), E_range: [0.3, 10], backend: 'nugan-cpu', seed: 5, epoch: 1, select: 'map' };
    await saveModel(dir, G, D, info);
    const model = await loadTfjs(dir);
    const n = 64;
    const r = new Rng(2);
    const z = Float32Array.from({ length: n * 4 }, () => 2 * r.next() - 1);
    const c = Float32Array.from({ length: n }, () => 2 * r.next() - 1);
    const ours = G.forward(z, c, n, false).slice(0, 2 * n);
    const theirs = (model.predict([tf.tensor2d(z, [n, 4]), tf.tensor2d(c, [n, 1])]) as tf.Tensor).dataSync();
    let worst = 0;
    for (let i = 0; i < 2 * n; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
    expect(worst).toBeLessThan(1e-5);
    expect(model.layers.some((l) => l.getClassName() === 'LayerNormalization')).toBe(true);
    // And nugan reads back the same weights.
    const back = await loadModel(dir);
    back.G.params.forEach((p, k) => expect(p.value).toEqual(G.params[k]!.value));
    back.D.params.forEach((p, k) => expect(p.value).toEqual(D.params[k]!.value));
  });

  it('keeps the default generator under 1 MB', () => {
    const { G } = createGan(DEFAULT_ARCHITECTURE, 1);
    expect(G.size * 4).toBeLessThan(1 << 20);
  });
});
