import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gaussian } from '../../src/gan/engine.ts';
import { createGan, DEFAULT_ARCHITECTURE, loadModel, proxyInfo, saveModel, type Architecture } from '../../src/gan/model.ts';
import { trainGan, validate, type TrainOptions } from '../../src/gan/train.ts';
import { histogram2d, meanAbsPull, validationBins } from '../../src/gan/validation.ts';
import { Rng } from '../../src/physics/rng.ts';
import { toyData } from './toy.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'nugan-train-'));
  dirs.push(d);
  return d;
}

const arch: Architecture = { ...DEFAULT_ARCHITECTURE, blocks: 2, width: 32, latent: 4, dropout: 0 };
const base = (over: Partial<TrainOptions> = {}): TrainOptions => ({
  architecture: arch, epochs: 16, batch: 128, lr_g: 5e-4, lr_d: 5e-4, betas: [0.5, 0.999],
  checkpoint_every: 2, validate_every: 2, select: 'map', seed: 3, ...over,
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
  const bins = validationBins(val.n);
  return meanAbsPull(histogram2d(vm, vt, bins), histogram2d(gm, gt, bins));
}

describe('trainGan on a known 2D conditional distribution', () => {
  it('lowers validation MAP from its initial value to below that of the best bivariate Gaussian', async () => {
    const train = toyData(10000, 1);
    const val = toyData(5000, 2);
    const r = await trainGan(train, val, base());
    const chosen = r.history.find((h) => h.epoch === r.chosen_epoch)!;
    const gaussMap = gaussianBaselineMap(train, val);
    expect(chosen.val_map).toBeDefined();
    expect(chosen.val_map!).toBeLessThan(0.5 * r.initial.map);
    expect(chosen.val_map!).toBeLessThan(gaussMap);
    // The kept weights are the chosen epoch's: re-validating reproduces its MAP exactly.
    expect(validate(r.G, val, 3 ^ 0x5eed).map).toBeCloseTo(chosen.val_map!, 10);
    // The choice is the minimum over validated epochs.
    const maps = r.history.filter((h) => h.val_map !== undefined).map((h) => h.val_map!);
    expect(chosen.val_map).toBe(Math.min(...maps));
  }, 60_000);
});

describe('fine-tuning a saved model', () => {
  it('leaves frozen blocks bit-identical and changes the others', async () => {
    const pre = await trainGan(toyData(2000, 4), toyData(500, 5), base({ epochs: 2, select: 'last' }));
    const dir = await tempDir();
    await saveModel(dir, pre.G, pre.D, { format: 'nugan-model', version: 1, architecture: arch, proxy: proxyInfo(), E_range: [0.3, 10], backend: 'nugan-cpu', seed: 3, epoch: 2, select: 'last' });
    const init = await loadModel(dir);
    const tuned = await trainGan(toyData(1000, 6), toyData(500, 7), base({ epochs: 2, select: 'last', init: { G: init.G, D: init.D }, freeze: { generator: 1, discriminator: ['block0', 'out'] } }));
    const check = (after: typeof tuned.G, before: typeof tuned.G, frozen: string[]) => {
      after.params.forEach((p, k) => {
        const b = before.params[k]!;
        const same = Buffer.from(p.value.buffer, p.value.byteOffset, p.value.byteLength).equals(Buffer.from(b.value.buffer, b.value.byteOffset, b.value.byteLength));
        expect(same, `${p.name} ${frozen.includes(p.block) ? 'frozen' : 'trainable'}`).toBe(frozen.includes(p.block));
      });
    };
    check(tuned.G, init.G, ['block0']);
    check(tuned.D, init.D, ['block0', 'out']);
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
    resumed.G.params.forEach((p, k) => expect(p.value).toEqual(whole.G.params[k]!.value));
  }, 30_000);

  it('start afresh when the options differ from the checkpoint', async () => {
    const train = toyData(600, 10);
    const val = toyData(300, 11);
    const dir = path.join(await tempDir(), 'ck');
    const ac = new AbortController();
    await expect(trainGan(train, val, base({ epochs: 4, resumeDir: dir, signal: ac.signal, onEpoch: (e) => { if (e.epoch === 3) ac.abort(new Error('stop')); } }))).rejects.toThrow('stop');
    const other = await trainGan(train, val, base({ epochs: 4, lr_g: 1e-4, resumeDir: dir }));
    expect(other.resumed_from).toBeUndefined();
    expect(other.history).toHaveLength(4);
  }, 30_000);
});

describe('createGan', () => {
  it('is reproducible from its seed', () => {
    const a = createGan(arch, 9).G.params.map((p) => p.value);
    const b = createGan(arch, 9).G.params.map((p) => p.value);
    const c = createGan(arch, 10).G.params.map((p) => p.value);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});
