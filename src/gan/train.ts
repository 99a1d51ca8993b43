/**
 * The GAN training policy: one code path for pretraining (initial weights), fine-tuning (weights of
 * a trained model, frozen blocks) and from-scratch baselines. The arithmetic is an engine's
 * (engines/engine.ts); this module decides epochs, the order of events in each, when to validate,
 * which epoch to keep, when to checkpoint, and stops on abort or divergence.
 *
 * Each epoch visits the training events in a permutation drawn from stream (seed, epoch), and every
 * other draw of the step is keyed by (seed, epoch, step) (draws.ts): a resumed run continues exactly
 * where an uninterrupted one would have been, on the same engine.
 */
import { Rng } from '../util/rng.ts';
import { InputError } from '../util/errors.ts';
import { hexDigest } from '../util/digest.ts';
import { shuffleInPlace } from '../util/shuffle.ts';
import { blockNames, initialWeights, generatorSpec, discriminatorSpec, type Architecture, type GanWeights, type NetSpec } from './architecture.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { freshState, type GanState, type EmaConfig, type EngineInfo, type GanEngine, type ProxyData, type TrainingSetup } from './engines/engine.ts';
import { firstNonFinite, MONITOR_BINS, proxyPairs, validationBins, validationScore, type ValidationScore } from './validation.ts';

export type { ProxyData } from './engines/engine.ts';

export type FreezeSpec = number | string[];
export type SelectMetric = 'map' | 'emd' | 'last';
/** Learning rate over the epochs: constant, or a cosine from the full rate down to lr_floor of it. */
export type LrSchedule = 'constant' | 'cosine';

/** A reference sample watched during training (e.g. events at E_nu = 1 GeV): the papers' metric on it. */
export interface Monitor {
  /** "E_nu = 1 GeV", or the stage id. */
  label: string;
  data: ProxyData;
}

/** Makes the engine a training runs on (the stage chooses it: engines/select.ts). */
export type EngineFactory = (architecture: Architecture, training: TrainingSetup) => Promise<GanEngine>;

export interface TrainOptions {
  architecture: Architecture;
  epochs: number;
  batch: number;
  lr_g: number;
  lr_d: number;
  betas: [number, number];
  checkpoint_every: number;
  validate_every: number;
  select: SelectMetric;
  seed: number;
  engine: EngineFactory;
  lr_schedule?: LrSchedule;
  /** Final learning rate as a fraction of the initial one (cosine schedule). */
  lr_floor?: number;
  /** Generator weight average (engines/engine.ts EmaConfig); none when absent. */
  ema?: EmaConfig;
  /**
   * Reference samples scored at every validation (MAP on the 50×50 proxy plane, EMD); when given,
   * `select` uses their mean instead of the validation sample's score.
   */
  monitors?: Monitor[];
  /** Weights to start from (fine-tuning), in this architecture's layout. */
  init?: GanWeights;
  freeze?: { generator?: FreezeSpec; discriminator?: FreezeSpec };
  /** Directory for resumable checkpoints; none: no checkpoints on disk. */
  resumeDir?: string;
  signal?: AbortSignal;
  /** After every epoch (progress reporting). */
  onEpoch?: (record: EpochRecord) => void;
  /** Once, before the first epoch runs: where training starts (after a resumption) and its step size. */
  onStart?: (start: { epoch: number; stepsPerEpoch: number; batch: number }) => void;
  /** Every few seconds within an epoch: steps done of the epoch's total. */
  onSteps?: (epoch: number, done: number, total: number) => void;
  /** A line for the stage's log (resumption, skipped checkpoints). */
  log?: (line: string) => void;
}

export interface EpochRecord {
  epoch: number;
  loss_d: number;
  loss_g: number;
  /** Mean discriminator output on real and on generated events. */
  d_real: number;
  d_fake: number;
  seconds: number;
  val_map?: number;
  val_emd?: number;
  val_emd_mu?: number;
  val_emd_theta?: number;
  /** Learning-rate scale of the epoch (schedule). */
  lr_scale?: number;
  /** Training events seen by the end of the epoch (the x axis of quality-per-compute curves). */
  events_seen?: number;
  /** Scores on the monitor samples, in their order. */
  monitor?: { label: string; map: number; emd: number }[];
}

export interface TrainResult {
  /** The kept weights (the chosen epoch's). */
  weights: GanWeights;
  history: EpochRecord[];
  /** Epoch whose weights were kept, and by which metric. */
  chosen_epoch: number;
  select: SelectMetric;
  initial: ValidationScore;
  resumed_from?: number;
  steps: number;
  /** Seconds spent in training steps (validation and checkpoints excluded). */
  train_seconds: number;
  /** Training throughput: one event = one real event through a D and a G update. */
  events_per_s: number;
  engine: EngineInfo;
}

/** A training that produced non-finite numbers: the stage fails with this message. */
export class DivergenceError extends Error {
  constructor(
    readonly epoch: number,
    what: string,
  ) {
    super(`training diverged at epoch ${epoch} (${what}); lower lr_g/lr_d, or check the training data and the init model for non-finite values`);
    this.name = 'DivergenceError';
  }
}

/** Block names frozen by a spec: k → the first k blocks. */
export function frozenBlocks(spec: NetSpec, freeze: FreezeSpec | undefined): string[] {
  if (freeze === undefined) return [];
  if (typeof freeze === 'number') {
    if (!Number.isInteger(freeze) || freeze < 0 || freeze > spec.blocks) throw new RangeError(`freeze: expected 0…${spec.blocks} blocks, got ${freeze}`);
    return Array.from({ length: freeze }, (_, b) => `block${b}`);
  }
  const known = blockNames(spec);
  for (const name of freeze) if (!known.includes(name)) throw new RangeError(`freeze: no block '${name}' (blocks: ${known.join(', ')})`);
  return freeze;
}

/** Identity of a training run: a checkpoint is resumed only by the same options and data. */
function fingerprintOf(opts: TrainOptions, train: ProxyData, val: ProxyData): string {
  const { init, signal, onEpoch, onSteps, log, resumeDir, engine, ...plain } = opts;
  const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return hexDigest('sha256', JSON.stringify(plain), String(train.n), bytes(train.x.subarray(0, 2 * train.n)), bytes(train.cond.subarray(0, train.n)), String(val.n), ...(init ? [bytes(init.G), bytes(init.D)] : []));
}

/** Rows per step and steps per epoch for `n` training events and a requested batch (capped at n). */
export function epochShape(n: number, requestedBatch: number): { batch: number; stepsPerEpoch: number } {
  const batch = Math.max(1, Math.min(requestedBatch, n));
  return { batch, stepsPerEpoch: Math.max(1, Math.floor(n / batch)) };
}

/** The epoch's visiting order: a permutation of the training rows from stream (seed, epoch). */
export function epochOrder(n: number, seed: number, epoch: number): Uint32Array {
  const rng = new Rng(seed, epoch);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  shuffleInPlace(order, () => rng.next());
  return order;
}

/** Score of the engine's current generator against `sample` (fixed latent seed) with `bins` bins. */
async function score(engine: GanEngine, sample: ProxyData, seed: number, epoch: number, bins: number): Promise<ValidationScore> {
  const gen = await engine.generate(sample.cond.subarray(0, sample.n), seed);
  const bad = firstNonFinite(gen);
  if (bad >= 0) throw new DivergenceError(epoch, `non-finite generator output for validation event ${bad >> 1}`);
  return validationScore(proxyPairs(sample.x, sample.n), proxyPairs(gen, sample.n), bins);
}

/** Learning-rate scale of `epoch` (1-based) of `epochs`: cosine from 1 down to `floor` at the last. */
export function lrScale(schedule: LrSchedule, epoch: number, epochs: number, floor: number): number {
  if (schedule === 'constant' || epochs <= 1) return 1;
  return floor + (1 - floor) * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / (epochs - 1)));
}


/** Trains G and D on `train`, validating on `val`; see the module comment. */
export async function trainGan(train: ProxyData, val: ProxyData, opts: TrainOptions): Promise<TrainResult> {
  const G = generatorSpec(opts.architecture);
  const D = discriminatorSpec(opts.architecture);
  const frozen = { generator: frozenBlocks(G, opts.freeze?.generator), discriminator: frozenBlocks(D, opts.freeze?.discriminator) };
  const { batch, stepsPerEpoch } = epochShape(train.n, opts.batch);
  const setup: TrainingSetup = { optimizer: { lr_g: opts.lr_g, lr_d: opts.lr_d, beta1: opts.betas[0], beta2: opts.betas[1], eps: 1e-7 }, frozen, batch, ...(opts.ema ? { ema: opts.ema } : {}) };
  const fingerprint = fingerprintOf(opts, train, val);
  const valSeed = (opts.seed ^ 0x5eed) >>> 0;
  const monitors = opts.monitors ?? [];
  /** The weights a model keeps: the generator's average when training keeps one (that is what was validated). */
  const keptWeights = (state: GanState): GanWeights => ({ G: opts.ema && state.ema ? state.ema : state.weights.G, D: state.weights.D });
  const metric = (s: { map: number; emd: number }) => (opts.select === 'emd' ? s.emd : s.map);
  /** The validation sample's score, the monitors', and the number `select` minimises. */
  const validate = async (epoch: number): Promise<{ val: ValidationScore; monitor: { label: string; map: number; emd: number }[]; score: number }> => {
    const onVal = await score(engine, val, valSeed, epoch, validationBins(val.n));
    const monitor = [];
    for (const m of monitors) {
      const s = await score(engine, m.data, valSeed, epoch, MONITOR_BINS);
      monitor.push({ label: m.label, map: s.map, emd: s.emd });
    }
    const selected = monitor.length ? monitor.reduce((a, m) => a + metric(m), 0) / monitor.length : metric(onVal);
    return { val: onVal, monitor, score: selected };
  };

  const engine = await opts.engine(opts.architecture, setup);
  try {
    let history: EpochRecord[] = [];
    let best: { epoch: number; score: number } | null = null;
    let bestWeights: GanWeights | null = null;
    let startEpoch = 1;
    let initial: ValidationScore;
    let resumedFrom: number | undefined;
    const ck = opts.resumeDir ? await loadCheckpoint<EpochRecord>(opts.resumeDir, fingerprint) : undefined;
    if (ck && 'problem' in ck) {
      if (ck.damaged) {
        throw new InputError(`the training checkpoint ${ck.problem}: it is not resumed, and training does not start over on its own (damaged storage?); delete ${opts.resumeDir} to train from the first epoch`, opts.resumeDir);
      }
      opts.log?.(`not resuming from the checkpoint: ${ck.problem}`);
    }
    if (ck && !('problem' in ck)) {
      await engine.setState(ck.state);
      history = ck.meta.history;
      best = ck.meta.best;
      bestWeights = ck.best;
      startEpoch = ck.meta.epoch + 1;
      initial = ck.meta.initial as ValidationScore;
      resumedFrom = ck.meta.epoch;
    } else {
      await engine.setState(freshState(opts.init ?? initialWeights(opts.architecture, opts.seed)));
    }
    await engine.setTrainingData({ cond: train.cond, x: train.x, n: train.n });
    initial ??= (await validate(0)).val;

    opts.onStart?.({ epoch: startEpoch, stepsPerEpoch, batch });
    let trainSeconds = 0;
    let events = 0;
    for (let epoch = startEpoch; epoch <= opts.epochs; epoch++) {
      opts.signal?.throwIfAborted();
      const scale = lrScale(opts.lr_schedule ?? 'constant', epoch, opts.epochs, opts.lr_floor ?? 0.1);
      const stats = await engine.trainEpoch({
        seed: opts.seed,
        epoch,
        order: epochOrder(train.n, opts.seed, epoch),
        steps: stepsPerEpoch,
        lrScale: scale,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (done) => opts.onSteps?.(epoch, done, stepsPerEpoch),
      });
      if (!Number.isFinite(stats.loss_d) || !Number.isFinite(stats.loss_g)) throw new DivergenceError(epoch, `loss D ${stats.loss_d}, loss G ${stats.loss_g}`);
      trainSeconds += stats.seconds;
      events += stats.steps * batch;
      const rec: EpochRecord = { epoch, loss_d: stats.loss_d, loss_g: stats.loss_g, d_real: stats.d_real, d_fake: stats.d_fake, seconds: stats.seconds, lr_scale: scale, events_seen: epoch * stepsPerEpoch * batch };
      if (epoch % opts.validate_every === 0 || epoch === opts.epochs) {
        const v = await validate(epoch);
        rec.val_map = v.val.map;
        rec.val_emd = v.val.emd;
        rec.val_emd_mu = v.val.emd_mu;
        rec.val_emd_theta = v.val.emd_theta;
        if (v.monitor.length) rec.monitor = v.monitor;
        if (opts.select !== 'last' && Number.isFinite(v.score) && (!best || v.score < best.score)) {
          best = { epoch, score: v.score };
          bestWeights = keptWeights(await engine.getState());
        }
      }
      history.push(rec);
      opts.onEpoch?.(rec);
      if (opts.resumeDir && epoch % opts.checkpoint_every === 0 && epoch < opts.epochs) {
        await saveCheckpoint(opts.resumeDir, { fingerprint, epoch, history, best, initial }, await engine.getState(), bestWeights);
      }
    }

    const last = await engine.getState();
    const keepBest = opts.select !== 'last' && best !== null && bestWeights !== null;
    return {
      weights: keepBest ? bestWeights! : keptWeights(last),
      history,
      chosen_epoch: keepBest ? best!.epoch : opts.epochs,
      select: opts.select,
      initial,
      ...(resumedFrom !== undefined ? { resumed_from: resumedFrom } : {}),
      steps: last.step,
      train_seconds: trainSeconds,
      events_per_s: trainSeconds > 0 ? events / trainSeconds : 0,
      engine: engine.info,
    };
  } finally {
    await engine.dispose();
  }
}
