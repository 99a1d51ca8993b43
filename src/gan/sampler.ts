/**
 * In-process sampling of a trained generator (the evaluation stage and `generate` use it).
 *
 * Latent vectors are drawn in fixed chunks of {@link CHUNK} events, chunk i from stream i of the
 * seed, so the same (seed, E_nu) gives the same events whatever the caller's batching, on one backend.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { emuFromProxy, proxyEnu, thetaFromProxy } from '../physics/kinematics.ts';
import { Rng } from '../physics/rng.ts';
import { chooseSamplingBackend, type Device } from './backend.ts';
import { fillGaussian, type Mlp } from './engine.ts';
import { loadModel } from './model.ts';

export interface Generator {
  /** Samples one event per entry of E_nu (GeV); returns E_mu (GeV) and theta (rad). */
  sample(E_nu: Float64Array, seed: number): Promise<{ E_mu: Float64Array; theta: Float64Array }>;
  /** Backend that runs the network ('nugan-cpu' or 'tfjs-webgpu'). */
  backend: string;
  dispose(): void;
}

/** Events per latent chunk (and per network call). */
export const CHUNK = 16384;

/** Proxies → physical values, written into E_mu/theta at `off`. */
function toPhysical(out: Float32Array, E_nu: Float64Array, off: number, n: number, E_mu: Float64Array, theta: Float64Array): void {
  for (let i = 0; i < n; i++) {
    E_mu[off + i] = emuFromProxy(out[2 * i]!, E_nu[off + i]!);
    theta[off + i] = thetaFromProxy(out[2 * i + 1]!);
  }
}

/** Samples proxies (E'_mu, theta') from an engine generator in inference mode. */
export function sampleProxies(G: Mlp, cond: Float32Array, n: number, z: Float32Array): Float32Array {
  return G.forward(z, cond, n, false);
}

export async function loadGenerator(modelDir: string, opts?: { device?: Device }): Promise<Generator> {
  const { G, info } = await loadModel(modelDir);
  const choice = await chooseSamplingBackend(opts?.device ?? 'auto');
  const latent = info.architecture.latent;
  if (choice.name === 'tfjs-webgpu') {
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-webgpu');
    await tf.setBackend('webgpu');
    await tf.ready();
    const { readFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const json = JSON.parse(await readFile(path.join(modelDir, 'model.json'), 'utf8')) as { modelTopology: object; weightsManifest: { weights: tfjs.io.WeightsManifestEntry[] }[] };
    const bin = await readFile(path.join(modelDir, 'weights.bin'));
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }));
    return {
      backend: 'tfjs-webgpu',
      async sample(E_nu, seed) {
        const n = E_nu.length;
        const E_mu = new Float64Array(n);
        const theta = new Float64Array(n);
        const big = CHUNK * 16;
        const z = new Float32Array(big * latent);
        const c = new Float32Array(big);
        for (let off = 0; off < n; off += big) {
          const m = Math.min(big, n - off);
          for (let k = 0; k * CHUNK < m; k++) {
            const cm = Math.min(CHUNK, m - k * CHUNK);
            fillGaussian(z.subarray(k * CHUNK * latent), cm * latent, new Rng(seed, (off / CHUNK) + k));
          }
          for (let i = 0; i < m; i++) c[i] = proxyEnu(E_nu[off + i]!);
          const out = tf.tidy(() => model.predict([tf.tensor2d(z.subarray(0, m * latent), [m, latent]), tf.tensor2d(c.subarray(0, m), [m, 1])]) as tfjs.Tensor);
          const data = (await out.data()) as Float32Array;
          out.dispose();
          toPhysical(data, E_nu, off, m, E_mu, theta);
        }
        return { E_mu, theta };
      },
      dispose() {
        model.dispose();
      },
    };
  }
  const z = new Float32Array(CHUNK * latent);
  const c = new Float32Array(CHUNK);
  return {
    backend: 'nugan-cpu',
    async sample(E_nu, seed) {
      const n = E_nu.length;
      const E_mu = new Float64Array(n);
      const theta = new Float64Array(n);
      for (let off = 0, k = 0; off < n; off += CHUNK, k++) {
        const m = Math.min(CHUNK, n - off);
        fillGaussian(z, m * latent, new Rng(seed, k));
        for (let i = 0; i < m; i++) c[i] = proxyEnu(E_nu[off + i]!);
        toPhysical(G.forward(z, c, m, false), E_nu, off, m, E_mu, theta);
      }
      return { E_mu, theta };
    },
    dispose() {},
  };
}
