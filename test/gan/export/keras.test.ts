/**
 * The Keras export: a script and an .npz that rebuild the generator. Where Python imports Keras (3,
 * or tf.keras), the exported script itself is run and must reproduce nugan's outputs within 1e-5
 * (float32 in another order), save a native .keras file that loads back to the same outputs, and
 * sample physical events; elsewhere those checks are skipped with a message.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ARCHITECTURE } from '../../../src/gan/architecture.ts';
import { exportModel } from '../../../src/gan/export/index.ts';
import { KERAS_SCRIPT, KERAS_WEIGHTS, kerasScript } from '../../../src/gan/export/keras.ts';
import { PROXY_DEFINITION, PROXY_INVERSE } from '../../../src/gan/model.ts';
import { M_MU, OMEGA_MIN } from '../../../src/physics/constants.ts';
import { emuFromProxy, thetaFromProxy } from '../../../src/physics/kinematics.ts';
import { conditions, maxAbsDiff, modelDir, modelInfo, nuganProxies, samplingLatents, SMALL } from './fixtures.ts';
import { missingPython, runPython } from './python.ts';

describe('the Keras script', () => {
  it("states the latent distribution, the proxies and their inverse, the E_nu range and the units in its docstring, and the model's architecture as constants", () => {
    const arch = { ...SMALL, blocks: 5, latent: 7, normalisation: 'none' as const, skip: false };
    const script = kerasScript(modelInfo(arch, 1));
    const doc = script.slice(3, script.indexOf('"""', 3));
    expect(doc).toContain('latent: z ~ N(0, 1): 7 independent standard-normal components');
    expect(doc).toContain(`proxy_definition: ${PROXY_DEFINITION}`);
    expect(doc).toContain(`proxy_inverse: ${PROXY_INVERSE}`);
    expect(doc).toMatch(/E_nu_range: conditioning domain 0.3 <= E_nu <= 10 GeV/);
    expect(doc).toMatch(/units: energies in GeV .* angles in radians/);
    expect(script).toMatch(/^LATENT = 7$/m);
    expect(script).toMatch(/^BLOCKS = 5$/m);
    expect(script).toMatch(/^LAYER_NORM = False$/m);
    expect(script).toMatch(/^SKIP = False$/m);
    expect(script).toMatch(/^M_MU = 0\.105658$/m);
    expect(script).toMatch(/^E_MAX = 10\.0$/m);
  });

  const skip = missingPython(['numpy', 'keras', 'tensorflow'], 'pip install keras tensorflow-cpu');
  it.skipIf(skip)(`rebuilds the generator in Keras with nugan's outputs within 1e-5, saves a .keras that loads back, and samples physical events${skip ? ` (${skip})` : ''}`, async () => {
    const arch = DEFAULT_ARCHITECTURE;
    const { dir, weights } = await modelDir(arch, 6);
    const out = path.join(dir, 'keras');
    const summary = await exportModel({ model: path.join(dir, 'model'), format: 'keras', out });
    expect(summary.files.map((f) => path.basename(f.path))).toEqual([KERAS_SCRIPT, KERAS_WEIGHTS]);
    const n = 500;
    const z = samplingLatents(3, n, arch.latent);
    const c = conditions(n);
    const E_nu = Array.from(c, (x) => 0.3 + ((x + 1) * 9.7) / 2);
    const py = `
import importlib.util, json, sys, numpy as np
spec = importlib.util.spec_from_file_location("nugan_generator", sys.argv[1])
ng = importlib.util.module_from_spec(spec); spec.loader.exec_module(ng)
inp = json.load(open(sys.argv[2]))
z = np.array(inp["z"], np.float32).reshape(-1, ng.LATENT)
c = np.array(inp["c"], np.float32).reshape(-1, 1)
model = ng.load_generator()
p = model.predict([z, c], verbose=0)
keras = ng._keras()
model.save(sys.argv[3])
p2 = keras.saving.load_model(sys.argv[3]).predict([z, c], verbose=0)
E_mu, theta = ng.muon_from_proxies(p, inp["E_nu"])
s_E_mu, s_theta = ng.sample(model, np.full(1000, 2.0), seed=1)
print(json.dumps({"p": p.ravel().tolist(), "p2": p2.ravel().tolist(), "E_mu": E_mu.tolist(), "theta": theta.tolist(),
  "sample": [float(s_E_mu.min()), float(s_E_mu.max()), float(s_theta.min()), float(s_theta.max())], "doc": ng.__doc__}))`;
    const input = path.join(dir, 'input.json');
    writeFileSync(input, JSON.stringify({ z: [...z], c: [...c], E_nu }));
    const r = JSON.parse(runPython(py, [path.join(out, KERAS_SCRIPT), input, path.join(dir, 'generator.keras')]));
    const ours = nuganProxies(arch, weights, z, c);
    expect(maxAbsDiff(r.p, ours)).toBeLessThan(1e-5);
    expect(maxAbsDiff(r.p2, r.p)).toBe(0);
    // The script's inverse proxies against nugan's (physics/kinematics.ts), on the same network outputs.
    expect(maxAbsDiff(r.E_mu, E_nu.map((e, i) => emuFromProxy(r.p[2 * i], e)))).toBeLessThan(1e-12);
    expect(maxAbsDiff(r.theta, E_nu.map((_, i) => thetaFromProxy(r.p[2 * i + 1])))).toBeLessThan(1e-12);
    const [eLo, eHi, tLo, tHi] = r.sample;
    expect(eLo).toBeGreaterThanOrEqual(M_MU);
    expect(eHi).toBeLessThanOrEqual(2 - OMEGA_MIN);
    expect(tLo).toBeGreaterThanOrEqual(0);
    expect(tHi).toBeLessThanOrEqual(Math.PI);
    expect(r.doc).toContain(PROXY_INVERSE);
    expect(readFileSync(path.join(dir, 'model', 'nugan-model.json'), 'utf8')).toContain('"inverse"');
  });
});
