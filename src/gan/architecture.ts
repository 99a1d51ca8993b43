/**
 * The conditional GAN's shape, the layout of its weights, and their initial values.
 *
 * G(z, E'_nu) → (E'_mu, theta') and D((E'_mu, theta'), E'_nu) → logit are stacks of blocks
 * Dense → LayerNorm → LeakyReLU → Dropout → GaussianNoise (+ the previous block's output, for blocks
 * b ≥ 1), with E'_nu appended to every block's input and to the output layer's (docs/gan.md).
 *
 * Weights travel between engines, checkpoints and model files as one flat Float32Array per network,
 * in Keras order: for each block the dense kernel [fan_in, width] (row-major, the E'_nu row last),
 * its bias, the norm's gamma and beta; then the output kernel and bias. That is exactly the byte
 * order of a tfjs `weights.bin`, so saving a model is a copy. Every engine starts from weights made
 * here on the host (`initialWeights`), so engines differ only in arithmetic, never in initialisation.
 */
import { Rng } from '../util/rng.ts';

export type Normalisation = 'layer' | 'none';

export interface Architecture {
  blocks: number;
  width: number;
  latent: number;
  dropout: number;
  /** Std of the Gaussian noise added after each block while training; 0 disables it. */
  noise: number;
  normalisation: Normalisation;
  /** Negative slope of the leaky ReLU. */
  leak: number;
  skip: boolean;
  /** Discriminator width and blocks, when different from the generator's. */
  d_width?: number;
  d_blocks?: number;
}

/**
 * The default: 4 blocks of 128 — G has ~52k parameters (205 kB of float32), well under 1 MB. No
 * dropout: with it (0.1) MAP at 1 and 3 GeV was 1.3–1.9× worse after the same training (docs/gan.md §6).
 */
export const DEFAULT_ARCHITECTURE: Architecture = { blocks: 4, width: 128, latent: 8, dropout: 0, noise: 0, normalisation: 'layer', leak: 0.2, skip: true };

/** Shape of one network: `blocks` blocks of `width` units, each fed [h_prev, E'_nu]. */
export interface NetSpec {
  /** Width of the non-conditional input: the latent size for G, 2 for D. */
  readonly inputDim: number;
  readonly blocks: number;
  readonly width: number;
  readonly outDim: number;
  /** Output activation: tanh (G: proxies in [−1, 1]) or linear logits (D; saved with a sigmoid). */
  readonly outAct: 'tanh' | 'linear';
  readonly normalisation: Normalisation;
  readonly leak: number;
  readonly dropout: number;
  readonly noise: number;
  readonly skip: boolean;
}

/** Layer-norm epsilon, the Keras/tfjs default (model.ts writes the same into model.json). */
export const LN_EPS = 1e-3;

export function generatorSpec(a: Architecture): NetSpec {
  return { inputDim: a.latent, blocks: a.blocks, width: a.width, outDim: 2, outAct: 'tanh', normalisation: a.normalisation, leak: a.leak, dropout: a.dropout, noise: a.noise, skip: a.skip };
}

export function discriminatorSpec(a: Architecture): NetSpec {
  return { inputDim: 2, blocks: a.d_blocks ?? a.blocks, width: a.d_width ?? a.width, outDim: 1, outAct: 'linear', normalisation: a.normalisation, leak: a.leak, dropout: a.dropout, noise: a.noise, skip: a.skip };
}

/** Where one parameter tensor sits in its network's flat weight array. */
export interface ParamSlot {
  /** Keras weight name, e.g. `g_dense_0/kernel`. */
  readonly name: string;
  readonly shape: readonly number[];
  /** Offset and length in floats. */
  readonly offset: number;
  readonly size: number;
  /** Block it belongs to: `block0` … or `out` (what `freeze` names). */
  readonly block: string;
  readonly role: 'kernel' | 'bias' | 'gamma' | 'beta';
}

/** The slots of one block's (or the output layer's) parameters. */
export interface LayerSlots {
  readonly kernel: ParamSlot;
  readonly bias: ParamSlot;
  readonly gamma?: ParamSlot;
  readonly beta?: ParamSlot;
  /** Rows of the kernel = input width + 1 (the E'_nu row, last). */
  readonly fanIn: number;
  readonly units: number;
}

export interface NetLayout {
  readonly spec: NetSpec;
  readonly prefix: string;
  readonly params: readonly ParamSlot[];
  /** Blocks 0 … blocks−1. */
  readonly blocks: readonly LayerSlots[];
  readonly out: LayerSlots;
  /** Total floats. */
  readonly size: number;
}

/** Input width (without the E'_nu column) of block `b`, or of the output layer when b = blocks. */
export function inputWidth(spec: NetSpec, b: number): number {
  return b === 0 ? spec.inputDim : spec.width;
}

/** The flat layout of a network's weights, in Keras order (see the module comment). */
export function netLayout(spec: NetSpec, prefix: string): NetLayout {
  const params: ParamSlot[] = [];
  let offset = 0;
  const add = (name: string, shape: number[], block: string, role: ParamSlot['role']): ParamSlot => {
    const size = shape.reduce((a, b) => a * b, 1);
    const slot: ParamSlot = { name, shape, offset, size, block, role };
    params.push(slot);
    offset += size;
    return slot;
  };
  const blocks: LayerSlots[] = [];
  for (let b = 0; b < spec.blocks; b++) {
    const fanIn = inputWidth(spec, b) + 1;
    const kernel = add(`${prefix}_dense_${b}/kernel`, [fanIn, spec.width], `block${b}`, 'kernel');
    const bias = add(`${prefix}_dense_${b}/bias`, [spec.width], `block${b}`, 'bias');
    if (spec.normalisation === 'layer') {
      const gamma = add(`${prefix}_norm_${b}/gamma`, [spec.width], `block${b}`, 'gamma');
      const beta = add(`${prefix}_norm_${b}/beta`, [spec.width], `block${b}`, 'beta');
      blocks.push({ kernel, bias, gamma, beta, fanIn, units: spec.width });
    } else blocks.push({ kernel, bias, fanIn, units: spec.width });
  }
  const outFanIn = inputWidth(spec, spec.blocks) + 1;
  const out: LayerSlots = { kernel: add(`${prefix}_out/kernel`, [outFanIn, spec.outDim], 'out', 'kernel'), bias: add(`${prefix}_out/bias`, [spec.outDim], 'out', 'bias'), fanIn: outFanIn, units: spec.outDim };
  return { spec, prefix, params, blocks, out, size: offset };
}

/** Layouts of both networks of an architecture. */
export function ganLayouts(a: Architecture): { G: NetLayout; D: NetLayout } {
  return { G: netLayout(generatorSpec(a), 'g'), D: netLayout(discriminatorSpec(a), 'd') };
}

/** Block names of a network in order (`block0` … `out`): the names `freeze` accepts. */
export function blockNames(spec: NetSpec): string[] {
  return [...Array.from({ length: spec.blocks }, (_, b) => `block${b}`), 'out'];
}

/**
 * Per-float mask of a network's trainable weights: 0 for the parameters of frozen blocks, 1 for the
 * rest. Engines never write a weight (or its optimizer moments) whose mask is 0.
 */
export function trainableMask(layout: NetLayout, frozen: readonly string[]): Uint8Array {
  const known = new Set(blockNames(layout.spec));
  for (const name of frozen) if (!known.has(name)) throw new RangeError(`unknown block '${name}' (blocks: ${[...known].join(', ')})`);
  const set = new Set(frozen);
  const mask = new Uint8Array(layout.size).fill(1);
  for (const p of layout.params) if (set.has(p.block)) mask.fill(0, p.offset, p.offset + p.size);
  return mask;
}

/** Both networks' weights, flat, in Keras order. */
export interface GanWeights {
  G: Float32Array;
  D: Float32Array;
}

/**
 * Initial weights from `seed`: Glorot-uniform kernels (the Keras Dense default), zero biases,
 * layer-norm gamma 1 and beta 0. One stream, G's kernels then D's, in layout order.
 */
export function initialWeights(a: Architecture, seed: number): GanWeights {
  const rng = new Rng(seed, 0x6a4);
  const { G, D } = ganLayouts(a);
  return { G: initNet(G, rng), D: initNet(D, rng) };
}

function initNet(layout: NetLayout, rng: Rng): Float32Array {
  const w = new Float32Array(layout.size);
  for (const p of layout.params) {
    if (p.role === 'kernel') {
      const [fanIn, fanOut] = p.shape as [number, number];
      const lim = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < p.size; i++) w[p.offset + i] = (2 * rng.next() - 1) * lim;
    } else if (p.role === 'gamma') w.fill(1, p.offset, p.offset + p.size);
  }
  return w;
}

/** Bytes of a generator's weights (float32): the model-size figure reported to users. */
export function generatorBytes(a: Architecture): number {
  return netLayout(generatorSpec(a), 'g').size * 4;
}
