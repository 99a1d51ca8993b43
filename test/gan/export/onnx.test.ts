/**
 * The ONNX export, checked by a real client: onnxruntime-node runs the exported file and must give
 * what nugan's reference network gives for the same latent vectors and conditions.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ARCHITECTURE, type Architecture } from '../../../src/gan/architecture.ts';
import { generatorToOnnx, type OnnxVariant } from '../../../src/gan/export/onnx.ts';
import { emuFromProxy, proxyEnu, thetaFromProxy } from '../../../src/physics/kinematics.ts';
import { conditions, maxAbsDiff, modelInfo, nuganProxies, samplingLatents, SMALL, trainedLikeWeights } from './fixtures.ts';

async function runOnnx(bytes: Uint8Array, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<{ session: ort.InferenceSession; out: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  const tensors = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.dims)]));
  const result = await session.run(tensors);
  const out = result[session.outputNames[0]!]!;
  return { session, out: out.data as Float32Array, dims: out.dims };
}

function exported(arch: Architecture, seed: number, variant: OnnxVariant) {
  const weights = trainedLikeWeights(arch, seed);
  return { weights, bytes: generatorToOnnx(modelInfo(arch, seed), weights.G, variant) };
}

describe('the ONNX generator (proxy inputs and outputs)', () => {
  const cases: [string, Architecture][] = [
    ['the default 4 × 128 network', DEFAULT_ARCHITECTURE],
    ['a small network with noise and dropout (inference leaves both out)', SMALL],
    ['a network without layer norm or skips', { ...SMALL, normalisation: 'none', skip: false, leak: 0.1 }],
  ];
  for (const [what, arch] of cases) {
    it(`runs in onnxruntime and reproduces nugan's outputs for ${what}`, async () => {
      const { weights, bytes } = exported(arch, 3, 'proxy');
      const n = 2000;
      const z = samplingLatents(7, n, arch.latent);
      const c = conditions(n);
      const { session, out, dims } = await runOnnx(bytes, { z: { data: z, dims: [n, arch.latent] }, enu_proxy: { data: c, dims: [n, 1] } });
      expect(session.inputNames).toEqual(['z', 'enu_proxy']);
      expect(session.outputNames).toEqual(['proxies']);
      expect(dims).toEqual([n, 2]);
      const diff = maxAbsDiff(out, nuganProxies(arch, weights, z, c));
      expect(diff).toBeLessThan(1e-5);
      console.log(what, diff);
    });
  }
});

describe('the ONNX generator (physical inputs and outputs)', () => {
  it('takes E_nu in GeV and returns E_mu (GeV) and theta (rad) as nugan inverts its proxies', async () => {
    const arch = DEFAULT_ARCHITECTURE;
    const { weights, bytes } = exported(arch, 4, 'physical');
    const n = 2000;
    const z = samplingLatents(11, n, arch.latent);
    const E_nu = Float32Array.from(conditions(n), (c) => 0.3 + ((c + 1) * 9.7) / 2);
    const { session, out } = await runOnnx(bytes, { z: { data: z, dims: [n, arch.latent] }, E_nu: { data: E_nu, dims: [n, 1] } });
    expect(session.inputNames).toEqual(['z', 'E_nu']);
    expect(session.outputNames).toEqual(['muon']);
    const proxies = nuganProxies(arch, weights, z, Float32Array.from(E_nu, (e) => proxyEnu(e)));
    let dE = 0;
    let dTheta = 0;
    for (let i = 0; i < n; i++) {
      dE = Math.max(dE, Math.abs(out[2 * i]! - emuFromProxy(proxies[2 * i]!, E_nu[i]!)) / E_nu[i]!);
      dTheta = Math.max(dTheta, Math.abs(out[2 * i + 1]! - thetaFromProxy(proxies[2 * i + 1]!)));
    }
    console.log(dE, dTheta);
  });
});
