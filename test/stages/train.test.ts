import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StageContext, UpstreamArtifact } from '../../src/contract/stage.ts';
import { writeEventTable } from '../../src/io/event-table.ts';
import { eventsFromProxies } from '../../src/physics/kinematics.ts';
import { M_MU } from '../../src/physics/constants.ts';
import { ganLayouts } from '../../src/gan/architecture.ts';
import { loadModel } from '../../src/gan/model.ts';
import { availableThreads } from '../../src/util/cpus.ts';
import { trainStage, type TrainParams } from '../../stages/train.ts';
import { toyData } from '../gan/toy.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'nugan-stage-train-'));
  dirs.push(d);
  return d;
}

/** A data artifact: toy events mapped to physical values, plus `outside` events with omega < 9.8 MeV. */
async function dataArtifact(store: string, n: number, outside: number): Promise<UpstreamArtifact> {
  const toy = toyData(n, 1);
  const cond = new Float64Array(n + outside), mu = new Float64Array(n + outside), th = new Float64Array(n + outside);
  for (let i = 0; i < n; i++) { cond[i] = toy.cond[i]!; mu[i] = toy.x[2 * i]!; th[i] = toy.x[2 * i + 1]!; }
  const ev = eventsFromProxies(cond, mu, th);
  for (let i = n; i < n + outside; i++) { ev.E_nu[i] = 1; ev.E_mu[i] = 1 - 0.005; ev.theta[i] = 0.1; }
  const dir = path.join(store, 'data');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  await writeEventTable(path.join(dir, 'events.arrow'), ev, { source: 'toy', domain: 'nu-carbon' });
  return { id: 'data', kind: 'simulate', key: 'k-data', dir, outputs: { events: path.join(dir, 'events.arrow') }, summary: {} };
}

const params = (over: Partial<TrainParams> = {}): TrainParams => ({
  data: 'data', epochs: 3, batch: 128, lr_g: 5e-4, lr_d: 5e-4, betas: [0.5, 0.999], device: 'auto', checkpoint_every: 1, validate_every: 1, select: 'map', val_events: 20000, lr_schedule: 'constant', lr_floor: 0.1, ema_halflife: 0, ema_rampup: 0.05, monitor_events: 100000,
  architecture: { blocks: 2, width: 16, latent: 4 }, ...over,
});

function context(p: TrainParams, inputs: UpstreamArtifact[], outDir: string, id = 'base'): StageContext<TrainParams> {
  const log: string[] = [];
  return {
    id, kind: 'train', params: p, inputs: Object.fromEntries(inputs.map((u) => [u.id, u])), outDir, scratchDir: `${outDir}.scratch`, pipelineDir: '/', seed: 11,
    signal: new AbortController().signal, progress: { total() {}, advance() {}, message() {} },
    log: (l) => log.push(l), cpus: 1, gpus: [],
  };
}

describe('train stage', () => {
  it('writes a model directory and a history, drops and counts events outside the proxy domain, and records the backend', async () => {
    const store = await tempDir();
    const data = await dataArtifact(store, 1500, 7);
    const outDir = path.join(store, 'out-base');
    const res = await trainStage.run(context(params(), [data], outDir));
    expect(res.outputs).toEqual({ model: 'model', history: 'history.json' });
    expect(res.summary!.outside_domain).toBe(7);
    expect(res.summary!.events_read).toBe(1507);
    expect(res.summary!.train_events).toBe(1350);
    // No GPU granted here: auto stays on the CPU engine and says why.
    expect(res.summary!.engine).toBe('cpu');
    expect(res.summary!.threads).toBe(1);
    expect(String(res.summary!.backend)).toMatch(/^cpu: CPU, 1 thread/);
    expect(String(res.summary!.device_reason)).toMatch(/no GPU was granted/);
    expect(res.summary!.events_per_s).toBeGreaterThan(0);
    const files = (await readdir(path.join(outDir, 'model'))).sort();
    expect(files).toEqual(['discriminator', 'model.json', 'nugan-model.json', 'weights.bin']);
    const hist = JSON.parse(await readFile(path.join(outDir, 'history.json'), 'utf8'));
    expect(hist.epochs).toHaveLength(3);
    expect(hist.epochs.every((e: { val_map: number }) => Number.isFinite(e.val_map))).toBe(true);
    const maps = hist.epochs.map((e: { val_map: number }) => e.val_map);
    expect(hist.epochs[hist.chosen_epoch - 1].val_map).toBe(Math.min(...maps));
    const info = JSON.parse(await readFile(path.join(outDir, 'model', 'nugan-model.json'), 'utf8'));
    expect(info.epoch).toBe(hist.chosen_epoch);
    expect(info.proxy.m_mu).toBe(M_MU);
    expect(info.domain).toBe('nu-carbon');
    // Checkpoints of a finished stage are cleaned up.
    expect((await readdir(store)).filter((f) => f.startsWith('.partial-train-'))).toEqual([]);
  }, 30_000);

  it('fine-tunes from an init stage keeping frozen blocks and its architecture', async () => {
    const store = await tempDir();
    const data = await dataArtifact(store, 800, 0);
    const baseDir = path.join(store, 'out-base');
    await trainStage.run(context(params({ epochs: 1 }), [data], baseDir));
    const base: UpstreamArtifact = { id: 'base', kind: 'train', key: 'k-base', dir: baseDir, outputs: { model: path.join(baseDir, 'model') }, summary: {} };
    const tuneDir = path.join(store, 'out-tune');
    const p = params({ epochs: 1, init: 'base', freeze: { generator: 2, discriminator: 1 }, architecture: undefined });
    await trainStage.run(context(p, [data, base], tuneDir, 'tune'));
    const before = await loadModel(path.join(baseDir, 'model'));
    const after = await loadModel(path.join(tuneDir, 'model'));
    expect(after.info.architecture).toEqual(before.info.architecture);
    for (const q of ganLayouts(after.info.architecture).G.params) {
      const a = after.weights.G.subarray(q.offset, q.offset + q.size);
      const b = before.weights.G.subarray(q.offset, q.offset + q.size);
      if (q.block !== 'out') expect(a).toEqual(b);
      else expect(a).not.toEqual(b);
    }
    expect(trainStage.references!(p)).toEqual(['data', 'base']);
  }, 30_000);

  it('rejects an init stage that is not among its inputs, naming it', async () => {
    const store = await tempDir();
    const data = await dataArtifact(store, 300, 0);
    await expect(trainStage.run(context(params({ init: 'nowhere' }), [data], path.join(store, 'o')))).rejects.toThrow(/nowhere/);
  });

  it('asks the scheduler for a GPU for device: gpu, one if there is one for auto, none for cpu; as many CPU tokens as threads, one beside a GPU', () => {
    expect(trainStage.resources!(params({ device: 'gpu', threads: 1 }))).toEqual({ cpus: 1, gpus: 1, wantsGpu: false, cpusWithGpu: 1 });
    expect(trainStage.resources!(params({ device: 'auto', threads: 3 }))).toEqual({ cpus: 3, gpus: 0, wantsGpu: true, cpusWithGpu: 1 });
    expect(trainStage.resources!(params({ device: 'cpu' }))).toEqual({ cpus: availableThreads(), gpus: 0, wantsGpu: false, cpusWithGpu: 1 });
    expect(trainStage.executionParams).toEqual(['device', 'threads']);
  });

  it('reports its progress in training events, within epochs, ending at the total', async () => {
    const store = await tempDir();
    const data = await dataArtifact(store, 1500, 0);
    const ctx = context(params({ epochs: 2, batch: 100 }), [data], path.join(store, 'out-progress'));
    let total = 0;
    let done = 0;
    const messages: string[] = [];
    const c = { ...ctx, progress: { total: (n: number) => (total = n), advance: (n = 1) => (done += n), message: (m: string) => messages.push(m) } };
    await trainStage.run(c);
    // 1500 events, 10 % held out for validation: 1350 train, 13 steps of 100 per epoch.
    expect(total).toBe(2 * 13 * 100);
    expect(done).toBe(total);
    expect(messages.at(-1)).toMatch(/^epoch 2\/2 done: loss D/);
  });

  it('rejects freezing more blocks than the network has, saying how many it has', async () => {
    const store = await tempDir();
    const data = await dataArtifact(store, 300, 0);
    await expect(trainStage.run(context(params({ freeze: { generator: 9 } }), [data], path.join(store, 'o')))).rejects.toThrow(/freeze.generator = 9, but the generator has 2 blocks/);
  });
});
