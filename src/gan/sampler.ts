/**
 * Sampling a trained generator: E_nu (GeV) in, E_mu (GeV) and theta (rad) out, on the engine that
 * `device` selects (engines/select.ts). The evaluation stage and `generate` use it.
 *
 * Event i of a call with (seed, first) has the latent vector of element (first + i) of the sampling
 * stream of `seed` (draws.ts): the same events come out whether a caller asks for a million at once
 * or in chunks, on one engine.
 */
import { emuFromProxy, proxyEnu, thetaFromProxy } from '../physics/kinematics.ts';
import { createEngine } from './engines/index.ts';
import { freshState, type EngineInfo } from './engines/engine.ts';
import { chooseEngine, engineSummary, type Device, type EngineChoice } from './engines/select.ts';
import { loadModel, type ModelInfo } from './model.ts';

export interface Generator {
  /** One event per entry of E_nu (GeV): E_mu (GeV) and theta (rad). */
  sample(E_nu: Float64Array, seed: number, first?: number): Promise<{ E_mu: Float64Array; theta: Float64Array }>;
  /** What runs the network, in one line ("cpu: CPU, 2 threads (native-avx2)"). */
  readonly backend: string;
  readonly engine: EngineInfo;
  readonly choice: EngineChoice;
  readonly model: ModelInfo;
  /** Engine facts for manifests (engine, device, threads, kernels, why). */
  summary(): Record<string, unknown>;
  dispose(): Promise<void>;
}

export interface GeneratorOptions {
  device?: Device;
  /** CPU threads (default: all this process may use). */
  threads?: number;
  /** False when the scheduler granted this stage no GPU (then `auto` stays on the CPU). */
  gpuGranted?: boolean;
}

export async function loadGenerator(modelDir: string, opts: GeneratorOptions = {}): Promise<Generator> {
  const { weights, info } = await loadModel(modelDir);
  const choice = await chooseEngine(opts.device ?? 'auto', opts.gpuGranted ?? true);
  const engine = await createEngine({ engine: choice.engine, architecture: info.architecture, ...(opts.threads ? { threads: opts.threads } : {}) });
  await engine.setState(freshState(weights));
  return {
    backend: `${engine.info.engine}: ${engine.info.device}`,
    engine: engine.info,
    choice,
    model: info,
    summary: () => engineSummary(engine.info, choice),
    async sample(E_nu, seed, first = 0) {
      const n = E_nu.length;
      const cond = new Float32Array(n);
      for (let i = 0; i < n; i++) cond[i] = proxyEnu(E_nu[i]!);
      const out = await engine.generate(cond, seed, first);
      const E_mu = new Float64Array(n);
      const theta = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        E_mu[i] = emuFromProxy(out[2 * i]!, E_nu[i]!);
        theta[i] = thetaFromProxy(out[2 * i + 1]!);
      }
      return { E_mu, theta };
    },
    dispose: () => engine.dispose(),
  };
}
