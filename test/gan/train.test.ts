import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ARCHITECTURE, ganLayouts, initialWeights, type Architecture } from '../../src/gan/architecture.ts';
import { CpuEngine } from '../../src/gan/engines/cpu/engine.ts';
import { loadModel, proxyInfo, saveModel } from '../../src/gan/model.ts';
import { DivergenceError, trainGan, type EngineFactory, type TrainOptions } from '../../src/gan/train.ts';
import { validationBins, validationScore } from '../../src/gan/validation.ts';
import { InputError } from '../../src/util/errors.ts';
import { Rng } from '../../src/util/rng.ts';
import { gaussian, toyData } from './toy.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'nugan-train-'));
  dirs.push(d);
  return d;
}

const cpu: EngineFactory = (architecture, training) => CpuEngine.create({ architecture, training, threads: 2 });
const arch: Architecture = { ...DEFAULT_ARCHITECTURE, blocks: 2, width: 32, latent: 4, dropout: 0 };
const base = (over: Partial<TrainOptions> = {}): TrainOptions => ({
  architecture: arch, epochs: 16, batch: 128, lr_g: 5e-4, lr_d: 5e-4, betas: [0.5, 0.999],
  checkpoint_every: 2, validate_every: 2, select: 'map', seed: 3, engine: cpu, ...over,
});

/**
 * MAP of the best bivariate Gaussian (the data's own mean and covariance) against the validation
 * set: a model that learned only the first two moments. The toy's theta' is bimodal, so a GAN that
 * learned the shape must beat it.
 */
function gaussianBaselineMap(train: { x: Float32Array; n: number }, val: { x: Float32Array; n: number }): number {
  let ma = 0, mb = 0;
  for (let i = 0; i < train.n; i++) { ma += train.x[2 * i]!; mb += train.x[2 * i + 1]!; }
  ma /= train.n; mb /= train.n;
  let saa = 0, sbb = 0, sab = 0;
  for (let i = 0; i < train.n; i++) {
    const a = train.x[2 * i]! - ma, b = train.x[2 * i + 1]! - mb;
    saa += a * a; sbb += b * b; sab += a * b;
  }
  saa /= train.n; sbb /= train.n; sab /= train.n;
  const l11 = Math.sqrt(saa), l21 = sab / l11, l22 = Math.sqrt(sbb - l21 * l21);
  const r = new Rng(77);
  const gm = new Float64Array(val.n), gt = new Float64Array(val.n), vm = new Float64Array(val.n), vt = new Float64Array(val.n);
  for (let i = 0; i < val.n; i++) {
    const u = gaussian(r), v = gaussian(r);
    gm[i] = ma + l11 * u; gt[i] = mb + l21 * u + l22 * v;
    vm[i] = val.x[2 * i]!; vt[i] = val.x[2 * i + 1]!;
  }
  return validationScore({ mu: vm, theta: vt }, { mu: gm, theta: gt }, validationBins(val.n)).map;
}

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('trainGan on a known 2D conditional distribution', () => {
  it('lowers validation MAP from its initial value to below that of the best bivariate Gaussian, and keeps the best epoch', async () => {
    const train = toyData(10000, 1);
    const val = toyData(5000, 2);
    const r = await trainGan(train, val, base());
    const chosen = r.history.find((h) => h.epoch === r.chosen_epoch)!;
    expect(chosen.val_map).toBeDefined();
    expect(chosen.val_map!).toBeLessThan(0.5 * r.initial.map);
    expect(chosen.val_map!).toBeLessThan(gaussianBaselineMap(train, val));
    // The choice is the minimum over validated epochs.
    const maps = r.history.filter((h) => h.val_map !== undefined).map((h) => h.val_map!);
    expect(chosen.val_map).toBe(Math.min(...maps));
    expect(r.engine.engine).toBe('cpu');
    expect(r.events_per_s).toBeGreaterThan(0);
  }, 60_000);
});

describe('fine-tuning a saved model', () => {
  it('leaves frozen blocks bit-identical and changes the others', async () => {
    const pre = await trainGan(toyData(2000, 4), toyData(500, 5), base({ epochs: 2, select: 'last' }));
    const dir = await tempDir();
    await saveModel(dir, pre.weights, { format: 'nugan-model', version: 1, architecture: arch, proxy: proxyInfo(), E_range: [0.3, 10], backend: 'cpu', seed: 3, epoch: 2, select: 'last' });
    const init = await loadModel(dir);
    const tuned = await trainGan(toyData(1000, 6), toyData(500, 7), base({ epochs: 2, select: 'last', init: init.weights, freeze: { generator: 1, discriminator: ['block0', 'out'] } }));
    const layouts = ganLayouts(arch);
    for (const [net, frozen] of [['G', ['block0']], ['D', ['block0', 'out']]] as const) {
      for (const p of layouts[net].params) {
        const same = bytes(tuned.weights[net].subarray(p.offset, p.offset + p.size)).equals(bytes(init.weights[net].subarray(p.offset, p.offset + p.size)));
        expect(same, `${p.name}`).toBe((frozen as readonly string[]).includes(p.block));
      }
    }
  }, 30_000);
});

describe('checkpoints', () => {
  it('resume an interrupted run to the same result as an uninterrupted one', async () => {
    const train = toyData(1000, 8);
    const val = toyData(400, 9);
    const opts = base({ epochs: 5, checkpoint_every: 2, validate_every: 1 });
    const whole = await trainGan(train, val, opts);
    const dir = path.join(await tempDir(), 'ck');
    const ac = new AbortController();
    await expect(trainGan(train, val, { ...opts, resumeDir: dir, signal: ac.signal, onEpoch: (e) => { if (e.epoch === 3) ac.abort(new Error('interrupted')); } })).rejects.toThrow('interrupted');
    const resumed = await trainGan(train, val, { ...opts, resumeDir: dir });
    expect(resumed.resumed_from).toBe(2);
    expect(resumed.chosen_epoch).toBe(whole.chosen_epoch);
    expect(resumed.history.map((h) => h.val_map)).toEqual(whole.history.map((h) => h.val_map));
    expect(bytes(resumed.weights.G).equals(bytes(whole.weights.G))).toBe(true);
  }, 30_000);

  it('start afresh, saying why, when the options differ; refuse a damaged checkpoint, naming it and how to start over', async () => {
    const train = toyData(600, 10);
    const val = toyData(300, 11);
    const dir = path.join(await tempDir(), 'ck');
    const ac = new AbortController();
    await expect(trainGan(train, val, base({ epochs: 4, resumeDir: dir, signal: ac.signal, onEpoch: (e) => { if (e.epoch === 3) ac.abort(new Error('stop')); } }))).rejects.toThrow('stop');
    const lines: string[] = [];
    const other = await trainGan(train, val, base({ epochs: 4, lr_g: 1e-4, resumeDir: dir, log: (l) => lines.push(l) }));
    expect(other.resumed_from).toBeUndefined();
    expect(other.history).toHaveLength(4);
    expect(lines.join('\n')).toMatch(/other options or data/);
    // Truncate the state of a checkpoint of the original run (issue 14): it is neither resumed nor
    // silently replaced by a fresh start.
    const again = new AbortController();
    await expect(trainGan(train, val, base({ epochs: 4, resumeDir: dir, signal: again.signal, onEpoch: (e) => { if (e.epoch === 3) again.abort(new Error('stop')); } }))).rejects.toThrow('stop');
    const [ck] = (await readdir(dir)).filter((d) => d.startsWith('epoch-'));
    const { bytes: whole } = JSON.parse(await readFile(path.join(dir, ck!, 'state.json'), 'utf8')) as { bytes: number };
    await writeFile(path.join(dir, ck!, 'state.bin'), Buffer.alloc(10));
    const refused = await trainGan(train, val, base({ epochs: 4, resumeDir: dir })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InputError);
    expect((refused as InputError).render()).toBe(
      `${dir}: the training checkpoint ${ck}: state.bin is damaged (10 of ${whole} bytes, or its checksum differs): it is not resumed, and training does not start over on its own (damaged storage?); delete ${dir} to train from the first epoch`,
    );
  }, 30_000);
});

describe('divergence', () => {
  it('stops with "training diverged at epoch N" when the generator outputs non-finite values', async () => {
    const init = initialWeights(arch, 1);
    init.G[0] = Number.NaN;
    await expect(trainGan(toyData(500, 12), toyData(200, 13), base({ epochs: 2, init }))).rejects.toThrow(DivergenceError);
    await expect(trainGan(toyData(500, 12), toyData(200, 13), base({ epochs: 2, init }))).rejects.toThrow(/training diverged at epoch [01] \(/);
  }, 30_000);

  it('stops the same way when the learning rate blows the weights up', async () => {
    await expect(trainGan(toyData(2000, 14), toyData(200, 15), base({ epochs: 3, lr_g: 1e30, lr_d: 1e30 }))).rejects.toThrow(/training diverged at epoch 1/);
  }, 30_000);
});

describe('initialWeights', () => {
  it('is reproducible from its seed', () => {
    expect(bytes(initialWeights(arch, 9).G).equals(bytes(initialWeights(arch, 9).G))).toBe(true);
    expect(bytes(initialWeights(arch, 9).G).equals(bytes(initialWeights(arch, 10).G))).toBe(false);
  });
});
