/**
 * A tiny study built directly from the evaluate and report stages' functions (no runner): synthetic
 * reference samples with a quasielastic and a Delta peak, and fake "models" that resample the same
 * synthetic physics with a known distortion (the shape of src/gan/sampler.ts's generator).
 * Shared by the stage tests and the browser test.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StageContext, StageResult, UpstreamArtifact } from '../../src/contract/stage.ts';
import { type EventBatch } from '../../src/io/event-batch.ts';
import { writeEventTable } from '../../src/io/event-table.ts';
import { M_MU, M_NUCLEON } from '../../src/physics/constants.ts';
import { Rng } from '../../src/util/rng.ts';
import { createEvaluateStage, type GeneratorLoader } from '../../stages/evaluate.ts';
import { reportStage } from '../../stages/report.ts';

function gauss(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(rng.nextOpen())) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * Events from a toy model: W from a QE peak (0.94 GeV, σ 30 MeV, 70 %) or a Delta peak (1.232 GeV,
 * σ 60 MeV), Q² exponential with scale 0.3 GeV² × (1 + distortion); (E_mu, theta) solved from
 * (E_nu, W, Q²) with a nucleon at rest; unphysical draws are redrawn.
 */
export function toyEvents(E_nu: Float64Array, seed: number, distortion = 0): { E_mu: Float64Array; theta: Float64Array; channel: Uint8Array } {
  const rng = new Rng(seed);
  const n = E_nu.length;
  const E_mu = new Float64Array(n);
  const theta = new Float64Array(n);
  const channel = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const E = E_nu[i]!;
    for (;;) {
      const qe = rng.next() < 0.7;
      const W = qe ? 0.94 + 0.03 * gauss(rng) : 1.232 + 0.06 * (1 + distortion) * gauss(rng);
      const Q2 = -0.3 * (1 + distortion) * Math.log(rng.nextOpen());
      const omega = (W * W - M_NUCLEON * M_NUCLEON + Q2) / (2 * M_NUCLEON);
      const Em = E - omega;
      if (omega < 0.0098 || Em <= M_MU) continue;
      const p = Math.sqrt(Em * Em - M_MU * M_MU);
      const cos = (2 * E * Em - M_MU * M_MU - Q2) / (2 * E * p);
      if (!(cos >= -1 && cos <= 1)) continue;
      E_mu[i] = Em;
      theta[i] = Math.acos(cos);
      channel[i] = qe ? 0 : 2; // QE, RES
      break;
    }
  }
  return { E_mu, theta, channel };
}

export function toyBatch(enu: number | [number, number], n: number, seed: number): EventBatch {
  const rng = new Rng(seed ^ 0x5bd1e995);
  const E_nu = new Float64Array(n).map(() => (typeof enu === 'number' ? enu : enu[0] + (enu[1] - enu[0]) * rng.next()));
  return { E_nu, ...toyEvents(E_nu, seed) };
}

/** Loads a fake model: `fake-model.json` in the model directory says how distorted it is. */
export const fakeLoader: GeneratorLoader = async (dir) => {
  const { distortion } = JSON.parse(await readFile(path.join(dir, 'fake-model.json'), 'utf8')) as { distortion: number };
  return {
    backend: 'fake (toy resampler)',
    async sample(E_nu: Float64Array, seed: number) {
      const { E_mu, theta } = toyEvents(E_nu, seed + 7_777, distortion);
      return { E_mu, theta };
    },
    dispose() {},
  };
};

export function context<P>(id: string, kind: string, params: P, inputs: Record<string, UpstreamArtifact>, outDir: string, logs: string[] = []): StageContext<P> {
  return {
    id,
    kind,
    params,
    inputs,
    outDir,
    scratchDir: `${outDir}.scratch`,
    pipelineDir: path.dirname(outDir),
    seed: 42,
    signal: new AbortController().signal,
    progress: { total() {}, advance() {}, message() {} },
    log: (line) => logs.push(line),
    cpus: 1,
    gpus: [],
  };
}

function artifact(id: string, kind: string, dir: string, result: StageResult): UpstreamArtifact {
  const outputs = Object.fromEntries(Object.entries(result.outputs).map(([k, v]) => [k, path.join(dir, v)]));
  return { id, kind, key: `key-${id}`, dir, outputs, summary: result.summary ?? {} };
}

export interface TinyStudy {
  root: string;
  report: string;
  evaluations: UpstreamArtifact[];
  reportResult: StageResult;
}

export interface TinyStudyOptions {
  /** Seeds of every TL and scratch model (default [1, 2, 3]). */
  seeds?: number[];
  /** Frozen depths: TL models labelled `freeze: d` instead of plain TL (a layer-wise sweep); no scratch. */
  freeze?: (number | string)[];
  /** Add the base model evaluated on the same references (method "base"). Default true. */
  base?: boolean;
  /** The report's detail_energies (default [1]; the spread point is always detailed). */
  detailEnergies?: number[];
}

/**
 * One domain (nu-argon), E_nu = 0.5, 1, 3 GeV and uniform [0.3, 10] GeV, `events` per point. By
 * default two sizes × TL and scratch × 3 seeds, and the base model: TL's distortion is a tenth of
 * scratch's or less, so TL wins every cell beyond the seed spread. With `freeze`: TL at each depth (deeper
 * freezing distorts more), one size, and the base model.
 */
export async function buildTinyStudy(root: string, events = 20_000, opts: TinyStudyOptions = {}): Promise<TinyStudy> {
  await mkdir(root, { recursive: true });
  const refs: Record<string, UpstreamArtifact> = {};
  const points: [string, number | [number, number]][] = [['ref-0.5', 0.5], ['ref-1', 1], ['ref-3', 3], ['ref-uniform', [0.3, 10]]];
  for (const [i, [id, enu]] of points.entries()) {
    const dir = path.join(root, id);
    await mkdir(dir, { recursive: true });
    await writeEventTable(path.join(dir, 'events.arrow'), toyBatch(enu, events, 100 + i), { source: 'toy model (test)', domain: 'nu-argon' });
    refs[id] = artifact(id, 'simulate', dir, { outputs: { events: 'events.arrow' }, summary: { events, seed: 100 + i } });
  }
  const evaluate = createEvaluateStage(fakeLoader);
  const evaluations: UpstreamArtifact[] = [];
  const seeds = opts.seeds ?? [1, 2, 3];
  // [method, size, distortion, seed, extra labels]
  const models: [string, number | undefined, number, number | undefined, Record<string, unknown>][] = [];
  // Seeds scatter the distortion by ±10 %: a seed-to-seed spread well below the TL/scratch gap.
  const jitter = (seed: number) => 1 + 0.1 * (((seed * 7) % 3) - 1);
  if (opts.freeze) {
    for (const [k, depth] of opts.freeze.entries()) for (const seed of seeds) models.push(['TL', 10_000, 0.02 * (1 + k) * jitter(seed), seed, { freeze: depth }]);
  } else {
    for (const [size, tl, scratch] of [[10_000, 0.04, 0.5], [100_000, 0.02, 0.3]] as const) {
      for (const seed of seeds) {
        models.push(['TL', size, tl * jitter(seed), seed, {}]);
        models.push(['scratch', size, scratch * jitter(seed), seed, {}]);
      }
    }
  }
  if (opts.base ?? true) models.push(['base', undefined, 0.2, undefined, {}]);
  const domain = 'nu-argon';
  for (const [method, size, distortion, seed, extra] of models) {
    const tag = [size, method, ...Object.values(extra), seed].filter((x) => x !== undefined).join('-');
    const trainId = method === 'base' ? 'base' : `tune@${domain}-${tag}`;
    const modelDir = path.join(root, trainId);
    await mkdir(modelDir, { recursive: true });
    await writeFile(path.join(modelDir, 'fake-model.json'), JSON.stringify({ distortion }));
    const epochs = Array.from({ length: 30 }, (_, k) => ({
      epoch: k + 1,
      loss_g: 0.9 + 0.3 * Math.exp(-k / 6),
      loss_d: 1.2 + 0.2 * Math.exp(-k / 5),
      // Falls, then creeps up again (overtraining): the chosen epoch sits in the middle.
      val_map: 0.8 + (distortion * 20 + 1.5) * Math.exp(-k / 5) + 0.002 * (k - 12) ** 2 * (k > 12 ? 1 : 0) + 0.01 * Math.sin(k),
    }));
    await writeFile(path.join(modelDir, 'history.json'), JSON.stringify({ epochs }));
    const model = artifact(trainId, 'train', modelDir, { outputs: { model: '.', history: 'history.json' }, summary: { backend: 'fake', epochs: 30 } });
    const evalId = `eval@${domain}-${tag}`;
    const outDir = path.join(root, evalId);
    await mkdir(outDir, { recursive: true });
    const labels = { domain, method, ...(size !== undefined ? { size } : {}), ...(seed !== undefined ? { seed } : {}), ...extra };
    // Each evaluation samples with a seed of its own, as the runner derives one per stage instance.
    const ctx = { ...context(evalId, 'evaluate', { model: trainId, reference: Object.keys(refs), labels }, { ...refs, [trainId]: model }, outDir), seed: 1000 + evaluations.length };
    const res = await evaluate.run(ctx);
    evaluations.push(artifact(evalId, 'evaluate', outDir, res));
  }
  const reportDir = path.join(root, 'report');
  await mkdir(reportDir, { recursive: true });
  const inputs = Object.fromEntries(evaluations.map((a) => [a.id, a]));
  const reportResult = await reportStage.run(context('report', 'report', { title: 'Tiny TL study (toy data)', detail_energies: opts.detailEnergies ?? [1] }, inputs, reportDir));
  return { root, report: path.join(reportDir, reportResult.outputs.report!), evaluations, reportResult };
}
