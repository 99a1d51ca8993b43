/**
 * The ONNX export, checked by real clients: onnxruntime-node (a dev dependency, always here) runs the
 * exported file and must give what nugan's reference network gives for the same latent vectors and
 * conditions; where Python has them, the ONNX project's own checker validates the file and Python's
 * onnxruntime reads its metadata.
 *
 * Tolerances: proxies within 1e-5 (float32 sums in another order; measured ≤ 2e-6 for the default
 * 4 × 128 network); physical outputs within 2e-5 GeV and 2e-5 rad (measured ≤ 3e-6 of each).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ARCHITECTURE, type Architecture } from '../../../src/gan/architecture.ts';
import { generatorToOnnx, ONNX_OPSET, type OnnxVariant } from '../../../src/gan/export/onnx.ts';
import { PROXY_DEFINITION, PROXY_INVERSE } from '../../../src/gan/model.ts';
import { E_MAX, E_MIN, M_MU, OMEGA_MIN } from '../../../src/physics/constants.ts';
import { emuFromProxy, proxyEnu, thetaFromProxy } from '../../../src/physics/kinematics.ts';
import { conditions, maxAbsDiff, modelInfo, nuganProxies, samplingLatents, SMALL, trainedLikeWeights } from './fixtures.ts';
import { readFields, text } from './proto-reader.ts';
import { missingPython, runPython } from './python.ts';

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

/** E_nu (GeV) spread over the proxy range, both ends included. */
function energies(n: number): Float32Array {
  return Float32Array.from(conditions(n), (c) => E_MIN + ((c + 1) * (E_MAX - E_MIN)) / 2);
}

describe('the ONNX generator with proxy inputs and outputs', () => {
  const cases: [string, Architecture][] = [
    ['the default 4 × 128 network', DEFAULT_ARCHITECTURE],
    ['a small network with noise and dropout (inference leaves both out)', SMALL],
    ['a network without layer norm or skips', { ...SMALL, normalisation: 'none', skip: false, leak: 0.1 }],
  ];
  for (const [what, arch] of cases) {
    it(`runs in onnxruntime and reproduces nugan's outputs within 1e-5 for ${what}`, async () => {
      const { weights, bytes } = exported(arch, 3, 'proxy');
      const n = 2000;
      const z = samplingLatents(7, n, arch.latent);
      const c = conditions(n);
      const { session, out, dims } = await runOnnx(bytes, { z: { data: z, dims: [n, arch.latent] }, enu_proxy: { data: c, dims: [n, 1] } });
      expect(session.inputNames).toEqual(['z', 'enu_proxy']);
      expect(session.outputNames).toEqual(['proxies']);
      expect(dims).toEqual([n, 2]);
      expect(maxAbsDiff(out, nuganProxies(arch, weights, z, c))).toBeLessThan(1e-5);
    });
  }
});

describe('the ONNX generator with physical inputs and outputs', () => {
  it('takes E_nu in GeV and returns E_mu (GeV) and theta (rad) as nugan inverts its proxies', async () => {
    const arch = DEFAULT_ARCHITECTURE;
    const { weights, bytes } = exported(arch, 4, 'physical');
    const n = 2000;
    const z = samplingLatents(11, n, arch.latent);
    const E_nu = energies(n);
    const { session, out, dims } = await runOnnx(bytes, { z: { data: z, dims: [n, arch.latent] }, E_nu: { data: E_nu, dims: [n, 1] } });
    expect(session.inputNames).toEqual(['z', 'E_nu']);
    expect(session.outputNames).toEqual(['muon']);
    expect(dims).toEqual([n, 2]);
    const proxies = nuganProxies(arch, weights, z, Float32Array.from(E_nu, (e) => proxyEnu(e)));
    const E_mu = Float64Array.from({ length: n }, (_, i) => emuFromProxy(proxies[2 * i]!, E_nu[i]!));
    const theta = Float64Array.from({ length: n }, (_, i) => thetaFromProxy(proxies[2 * i + 1]!));
    expect(maxAbsDiff(out.filter((_, k) => k % 2 === 0), E_mu)).toBeLessThan(2e-5);
    expect(maxAbsDiff(out.filter((_, k) => k % 2 === 1), theta)).toBeLessThan(2e-5);
    for (let i = 0; i < n; i++) {
      expect(out[2 * i]!).toBeGreaterThanOrEqual(M_MU - 1e-6);
      expect(out[2 * i]!).toBeLessThanOrEqual(E_nu[i]! - OMEGA_MIN + 1e-5);
    }
  });
});

describe('the ONNX file', () => {
  it('declares IR version 8 and opset 17 and carries the latent distribution, the proxies, their inverse, the E_nu range and the units', () => {
    const arch = { ...SMALL, latent: 6 };
    const info = { ...modelInfo(arch, 1), E_range: [0.5, 8] as [number, number] };
    const model = readFields(generatorToOnnx(info, trainedLikeWeights(arch, 1).G, 'proxy'));
    expect(model.find((f) => f.field === 1)!.value).toBe(8n);
    const opset = readFields(model.find((f) => f.field === 8)!.value as Uint8Array);
    expect(opset.find((f) => f.field === 2)!.value).toBe(BigInt(ONNX_OPSET));
    const meta = Object.fromEntries(
      model.filter((f) => f.field === 14).map((f) => {
        const kv = readFields(f.value as Uint8Array);
        return [text(kv.find((x) => x.field === 1)!.value), text(kv.find((x) => x.field === 2)!.value)];
      }),
    );
    expect(meta.latent).toMatch(/^z ~ N\(0, 1\): 6 independent standard-normal components/);
    expect(meta.proxy_definition).toBe(PROXY_DEFINITION);
    expect(meta.proxy_inverse).toBe(PROXY_INVERSE);
    expect(meta.proxy_constants).toBe(`m_mu = ${M_MU} GeV, E_min = ${E_MIN} GeV, E_max = ${E_MAX} GeV, omega_min = ${OMEGA_MIN} GeV`);
    expect(meta.E_nu_range).toContain('trained on E_nu in [0.5, 8] GeV');
    expect(meta.units).toMatch(/GeV.*radians/);
    expect(meta.inputs).toBe("z [N, 6] float32: latent vectors, z ~ N(0, 1), 6 independent components per event; enu_proxy [N, 1] float32: E'_nu = 2(E_nu - E_min)/(E_max - E_min) - 1, the neutrino energy's proxy");
    expect(JSON.parse(meta.nugan_model!)).toMatchObject({ architecture: arch, seed: 1, domain: 'nu-carbon' });
  });

  const skipChecker = missingPython(['onnx', 'onnxruntime', 'numpy'], 'pip install onnx onnxruntime');
  it.skipIf(skipChecker)(`passes the ONNX checker (full check) and runs in Python's onnxruntime${skipChecker ? ` (${skipChecker})` : ''}`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nugan-onnx-'));
    const n = 16;
    const z = samplingLatents(5, n, SMALL.latent);
    const E_nu = energies(n);
    const { weights } = exported(SMALL, 2, 'physical');
    for (const variant of ['proxy', 'physical'] as const) writeFileSync(path.join(dir, `${variant}.onnx`), generatorToOnnx(modelInfo(SMALL, 2), weights.G, variant));
    const py = `
import json, sys, numpy as np, onnx, onnxruntime as ort
d, z, e = sys.argv[1], np.array(json.loads(sys.argv[2]), np.float32).reshape(-1, ${SMALL.latent}), np.array(json.loads(sys.argv[3]), np.float32).reshape(-1, 1)
out = {}
for v in ["proxy", "physical"]:
    f = f"{d}/{v}.onnx"
    onnx.checker.check_model(onnx.load(f), full_check=True)
    s = ort.InferenceSession(f, providers=["CPUExecutionProvider"])
    x = e if v == "physical" else (2 * (e.astype(np.float64) - 0.3) / 9.7 - 1).astype(np.float32)
    out[v] = s.run(None, {"z": z, s.get_inputs()[1].name: x})[0].ravel().tolist()
    out[v + "_meta"] = s.get_modelmeta().custom_metadata_map
print(json.dumps(out))`;
    const r = JSON.parse(runPython(py, [dir, JSON.stringify([...z]), JSON.stringify([...E_nu])]));
    const proxies = nuganProxies(SMALL, weights, z, Float32Array.from(E_nu, (e) => proxyEnu(e)));
    expect(maxAbsDiff(r.proxy, proxies)).toBeLessThan(1e-5);
    const physical = Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? emuFromProxy(proxies[k]!, E_nu[k >> 1]!) : thetaFromProxy(proxies[k]!)));
    expect(maxAbsDiff(r.physical, physical)).toBeLessThan(2e-5);
    expect(r.physical_meta.proxy_inverse).toBe(PROXY_INVERSE);
    expect(r.physical_meta.outputs).toMatch(/^muon \[N, 2\] float32: \(E_mu, theta\)/);
  });
});
