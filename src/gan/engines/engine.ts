/**
 * The seam between the GAN's training policy (train.ts: epochs, validation, best-epoch selection,
 * checkpoints) and the hardware that does the arithmetic. An engine works at the height of an epoch,
 * where the work batches naturally: training data goes in once, an epoch of steps runs without a
 * round trip per step, statistics come back once, and weights are read back only when the policy
 * asks (validation, checkpoints, the end). Engines get arrays, never files.
 *
 * Every engine runs the same step (docs/gan.md; the reference engine is its plain statement):
 *   1. D update on a batch of B real events (rows `order[step·B + i]` of the training data) and B
 *      fakes G(z, E'_nu) at the same conditions: BCE on the logits, real → 1, fake → 0;
 *   2. G update with the non-saturating loss −log σ(D(G(z', E'_nu))) on fresh latents, through the
 *      just-updated D;
 *   3. Adam on each network (the step counter t is shared), frozen blocks untouched.
 * Draws (latents, dropout, noise) come from draws.ts, so engines agree on them exactly.
 */
import type { Architecture, GanWeights } from '../architecture.ts';

/** Training events as proxies: `cond` = E'_nu [n], `x` = (E'_mu, theta') interleaved [n, 2]. */
export interface ProxyData {
  cond: Float32Array;
  x: Float32Array;
  n: number;
}

export interface OptimizerConfig {
  lr_g: number;
  lr_d: number;
  beta1: number;
  beta2: number;
  /** Adam's epsilon (1e-7, the Keras default). */
  eps: number;
}

/**
 * An exponential moving average of the generator's weights (Yazıcı et al., ICLR 2019): after each
 * step, ema ← β·ema + (1 − β)·w with β = 0.5^(B / h), so the average forgets half of itself every
 * h = min(halflife, rampup · events seen) training events (the ramp-up keeps it from dragging the
 * random initial weights along). Validation, generation during training and the saved model use it.
 */
export interface EmaConfig {
  /** Half-life in training events. */
  halflife: number;
  /** Ramp-up: the half-life is at most this fraction of the events seen so far (0: none). */
  rampup: number;
}

/** The EMA decay β of step t (1-based) with batch B (see EmaConfig). */
export function emaDecay(ema: EmaConfig, batch: number, t: number): number {
  const h = ema.rampup > 0 ? Math.min(ema.halflife, ema.rampup * t * batch) : ema.halflife;
  return Math.pow(0.5, batch / Math.max(h, 1e-8));
}

/** What an engine needs to train (none of it is needed to sample). */
export interface TrainingSetup {
  optimizer: OptimizerConfig;
  /** Block names (`block0` …, `out`) whose weights stay fixed. */
  frozen: { generator: readonly string[]; discriminator: readonly string[] };
  batch: number;
  /** Average of the generator's weights kept alongside them; none when absent. */
  ema?: EmaConfig;
}

/** Adam's first and second moments of one network, in the weights' layout. */
export interface Moments {
  m: Float32Array;
  v: Float32Array;
}

/** Everything training needs to continue: weights, Adam moments, and the step count t. */
export interface GanState {
  weights: GanWeights;
  moments: { G: Moments; D: Moments };
  /** Adam steps taken so far (bias correction uses t = step + 1 for the next one). */
  step: number;
  /** The generator's weight average (TrainingSetup.ema), in G's layout; starts as G's weights. */
  ema?: Float32Array;
}

export interface EpochRequest {
  seed: number;
  /** 1-based epoch: the draws' key is (seed, epoch). */
  epoch: number;
  /** Row indices into the training data; step s uses order[s·B … s·B + B − 1]. */
  order: Uint32Array;
  steps: number;
  /** Both learning rates are multiplied by this during the epoch (a schedule; default 1). */
  lrScale?: number;
  signal?: AbortSignal;
  /** Called every few seconds within the epoch (steps done so far). */
  onProgress?(stepsDone: number): void;
}

/** Means over the epoch's steps (loss_d and loss_g per event; D outputs as probabilities). */
export interface EpochStats {
  loss_d: number;
  loss_g: number;
  d_real: number;
  d_fake: number;
  steps: number;
  seconds: number;
}

/** What ran the arithmetic: recorded in manifests, stage summaries and the report. */
export interface EngineInfo {
  /** 'reference' (plain JS, tests), 'cpu' or 'webgpu'. */
  readonly engine: EngineName;
  /** Human-readable device: "CPU, 16 threads (native-avx2)", "NVIDIA H200 (Vulkan …)". */
  readonly device: string;
  readonly threads: number;
  /** Kernel build or shader set, e.g. 'native-avx2', 'wasm-simd128', 'wgsl'. */
  readonly kernels: string;
  /** GPU adapter details, for GPU engines. */
  readonly adapter?: { vendor: string; architecture: string; device: string; description: string; driver?: string };
}

export type EngineName = 'reference' | 'cpu' | 'webgpu';

export interface GanEngine {
  readonly info: EngineInfo;
  readonly architecture: Architecture;
  /** Loads weights, Adam moments and the step count (moments may be zero for a fresh start). */
  setState(state: GanState): Promise<void>;
  getState(): Promise<GanState>;
  /** Uploads the training data (kept until the next call or dispose). */
  setTrainingData(data: ProxyData): Promise<void>;
  /** Runs `steps` steps of the training step above; needs a TrainingSetup at creation. */
  trainEpoch(req: EpochRequest): Promise<EpochStats>;
  /**
   * Generator outputs (E'_mu, theta') interleaved [n, 2] for conditions `cond` [n], in inference
   * mode (no dropout or noise), with the weight average when training keeps one. Event i's latent vector is element (first + i)·latent + j of the
   * sampling stream of `seed`, so sampling in chunks (first = events before the chunk) gives the
   * same events as one call.
   */
  generate(cond: Float32Array, seed: number, first?: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** A fresh state: the given weights, zero moments, step 0, and the weight average at the weights. */
export function freshState(weights: GanWeights): GanState {
  const zeros = (w: Float32Array): Moments => ({ m: new Float32Array(w.length), v: new Float32Array(w.length) });
  return { weights, moments: { G: zeros(weights.G), D: zeros(weights.D) }, step: 0, ema: weights.G.slice() };
}

/** Numerically stable log(1 + e^x). */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
