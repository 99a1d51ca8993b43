/**
 * Generators for the export tests: a model with weights moved off their initial values (so that
 * norm scales, shifts and biases all matter), latent draws and conditions, and nugan's own outputs
 * for them from the reference network (engines/reference/net.ts), the oracle of every engine.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ganLayouts, initialWeights, type Architecture, type GanWeights } from '../../../src/gan/architecture.ts';
import { Draws, Pass, SAMPLING_EPOCH, stream } from '../../../src/gan/draws.ts';
import { ReferenceNet } from '../../../src/gan/engines/reference/net.ts';
import { proxyInfo, saveModel, type ModelInfo } from '../../../src/gan/model.ts';
import { Rng } from '../../../src/util/rng.ts';

export const SMALL: Architecture = { blocks: 3, width: 16, latent: 4, dropout: 0.1, noise: 0.1, normalisation: 'layer', leak: 0.2, skip: true };

/** Initial weights of `seed` with every non-kernel parameter moved off 1/0. */
export function trainedLikeWeights(arch: Architecture, seed: number): GanWeights {
  const weights = initialWeights(arch, seed);
  for (const p of ganLayouts(arch).G.params) if (p.role !== 'kernel') for (let i = 0; i < p.size; i++) weights.G[p.offset + i]! += 0.2 * Math.sin(3 * i + seed);
  return weights;
}

export function modelInfo(arch: Architecture, seed: number): ModelInfo {
  return { format: 'nugan-model', version: 1, architecture: arch, proxy: proxyInfo(), E_range: [0.3, 10], backend: 'reference', seed, epoch: 1, select: 'map', domain: 'nu-carbon' };
}

/** A model directory (saveModel) in a fresh temporary directory. */
export async function modelDir(arch: Architecture, seed: number): Promise<{ dir: string; weights: GanWeights; info: ModelInfo }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'nugan-export-'));
  const weights = trainedLikeWeights(arch, seed);
  const info = modelInfo(arch, seed);
  await saveModel(path.join(dir, 'model'), weights, info);
  return { dir, weights, info };
}

/** The latent vectors nugan's sampling uses for events 0 … n−1 of `seed` (draws.ts). */
export function samplingLatents(seed: number, n: number, latent: number): Float32Array {
  const d = new Draws(seed, SAMPLING_EPOCH, 0, stream('latent', Pass.Sample));
  return Float32Array.from({ length: n * latent }, (_, e) => d.normal(e));
}

/** n values of E'_nu spread over [−1, 1], the ends included. */
export function conditions(n: number, seed = 2): Float32Array {
  const r = new Rng(seed);
  const c = Float32Array.from({ length: n }, () => 2 * r.next() - 1);
  c[0] = -1;
  c[n - 1] = 1;
  return c;
}

/** nugan's generator output [n, 2] (E'_mu, theta') for latents z and conditions c. */
export function nuganProxies(arch: Architecture, weights: GanWeights, z: Float32Array, c: Float32Array): Float32Array {
  const net = new ReferenceNet(ganLayouts(arch).G, weights.G);
  return net.forward(z, c, c.length);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}
