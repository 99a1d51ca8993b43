/**
 * A small training engine for the GAN's MLPs on Float32Arrays (CPU, one thread).
 *
 * Why not tfjs: these networks are tiny (4 blocks × 64–256 wide), so tfjs's per-op overhead (tensor
 * bookkeeping, tape, one kernel per op, Adam as ~8 ops per variable) dominates; a fused
 * dense → layer-norm → leaky-ReLU → dropout → noise → skip block with a hand-written backward pass
 * and an in-place Adam runs several times faster than tfjs-wasm on the same core (bench/gan.ts
 * measures both). The weights are laid out exactly as Keras/tfjs lays them out (kernel [in, out]
 * row-major, bias, gamma, beta), so model.ts can save a tfjs LayersModel that predicts the same.
 */
import { Rng } from '../physics/rng.ts';
import { loadSimdKernels } from './simd.ts';

export type Normalisation = 'layer' | 'none';

/** Shape of one MLP: `blocks` blocks of `width` units, each fed [h_prev, cond]. */
export interface NetSpec {
  /** Width of the non-conditional input (latent size for G, 2 for D). */
  readonly inputDim: number;
  readonly blocks: number;
  readonly width: number;
  readonly outDim: number;
  /** Output activation: tanh (generator, proxies in [−1, 1]) or linear logits (discriminator). */
  readonly outAct: 'tanh' | 'linear';
  readonly normalisation: Normalisation;
  /** Negative slope of the leaky ReLU. */
  readonly leak: number;
  readonly dropout: number;
  /** Standard deviation of the Gaussian noise added after each block while training (0: none). */
  readonly noise: number;
  /** Residual connection h_b = block_b(h_{b−1}, c) + h_{b−1} for blocks b ≥ 1. */
  readonly skip: boolean;
}

/** Layer-norm epsilon, the Keras/tfjs default (model.ts writes the same into model.json). */
export const LN_EPS = 1e-3;

/** One named parameter tensor: Keras weight name, shape and values. */
export interface Param {
  readonly name: string;
  readonly shape: number[];
  readonly value: Float32Array;
  readonly grad: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  /** Block the parameter belongs to: 'block0' … or 'out'. */
  readonly block: string;
  frozen: boolean;
}

interface BlockParams {
  W: Param;
  b: Param;
  gamma?: Param;
  beta?: Param;
}

/** Per-batch-size workspace, reused across steps so training allocates nothing per step. */
interface Work {
  n: number;
  xin: Float32Array[]; // [n, in_b] concatenated inputs of each block (+ output layer at index blocks)
  pre: Float32Array[]; // [n, width] dense output (pre-norm)
  xhat: Float32Array[]; // normalised
  rstd: Float32Array[]; // [n]
  act: Float32Array[]; // input to leaky ReLU (post-norm)
  mask: Float32Array[]; // dropout scale per unit (0 or 1/(1−p))
  h: Float32Array[]; // block outputs
  out: Float32Array; // [n, outDim] network output
  // backward scratch
  dh: Float32Array; // [n, width]
  dtmp: Float32Array; // [n, width]
  dxin: Float32Array; // [n, max in]
  dinput: Float32Array; // [n, inputDim]
  dcond: Float32Array; // [n]
}

export class Mlp {
  readonly params: Param[] = [];
  private readonly blockParams: BlockParams[] = [];
  private readonly outParams: BlockParams;
  private work?: Work;

  constructor(readonly spec: NetSpec, readonly prefix: string, rng: Rng) {
    for (let b = 0; b < spec.blocks; b++) {
      const fanIn = (b === 0 ? spec.inputDim : spec.width) + 1;
      const bp: BlockParams = {
        W: this.add(`${prefix}_dense_${b}/kernel`, [fanIn, spec.width], `block${b}`),
        b: this.add(`${prefix}_dense_${b}/bias`, [spec.width], `block${b}`),
      };
      glorot(bp.W, rng);
      if (spec.normalisation === 'layer') {
        bp.gamma = this.add(`${prefix}_norm_${b}/gamma`, [spec.width], `block${b}`);
        bp.gamma.value.fill(1);
        bp.beta = this.add(`${prefix}_norm_${b}/beta`, [spec.width], `block${b}`);
      }
      this.blockParams.push(bp);
    }
    const fanIn = (spec.blocks > 0 ? spec.width : spec.inputDim) + 1;
    this.outParams = { W: this.add(`${prefix}_out/kernel`, [fanIn, spec.outDim], 'out'), b: this.add(`${prefix}_out/bias`, [spec.outDim], 'out') };
    glorot(this.outParams.W, rng);
  }

  private add(name: string, shape: number[], block: string): Param {
    const size = shape.reduce((a, b) => a * b, 1);
    const p: Param = { name, shape, value: new Float32Array(size), grad: new Float32Array(size), m: new Float32Array(size), v: new Float32Array(size), block, frozen: false };
    this.params.push(p);
    return p;
  }

  /** Number of trainable scalars. */
  get size(): number {
    return this.params.reduce((a, p) => a + p.value.length, 0);
  }

  private workspace(n: number): Work {
    if (this.work && this.work.n >= n) return this.work;
    const { blocks, width, inputDim, outDim } = this.spec;
    const inDims = Array.from({ length: blocks + 1 }, (_, b) => (b === 0 ? inputDim : width) + 1);
    if (blocks === 0) inDims[0] = inputDim + 1;
    const f = (k: number) => new Float32Array(n * k);
    this.work = {
      n,
      xin: inDims.map((d) => f(d)),
      pre: inDims.slice(0, blocks).map(() => f(width)),
      xhat: inDims.slice(0, blocks).map(() => f(width)),
      rstd: inDims.slice(0, blocks).map(() => f(1)),
      act: inDims.slice(0, blocks).map(() => f(width)),
      mask: inDims.slice(0, blocks).map(() => f(width)),
      h: inDims.slice(0, blocks).map(() => f(width)),
      out: f(outDim),
      dh: f(width),
      dtmp: f(width),
      dxin: f(Math.max(...inDims)),
      dinput: f(inputDim),
      dcond: f(1),
    };
    return this.work;
  }

  /**
   * Forward pass of `n` rows: `input` [n, inputDim] row-major, `cond` [n]. With `train`, dropout and
   * noise are drawn from `rng` and the activations are kept for {@link backward}. Returns a view of
   * the output [n, outDim] (valid until the next call).
   */
  forward(input: Float32Array, cond: Float32Array, n: number, train: boolean, rng?: Rng): Float32Array {
    const w = this.workspace(n);
    const { blocks, width, inputDim, outDim, leak, dropout, noise, skip } = this.spec;
    let prev = input;
    let prevDim = inputDim;
    for (let b = 0; b < blocks; b++) {
      const bp = this.blockParams[b]!;
      const k = prevDim + 1;
      const xin = w.xin[b]!;
      concatCond(prev, prevDim, cond, n, xin);
      const pre = w.pre[b]!;
      dense(xin, n, k, bp.W.value, bp.b.value, width, pre);
      const act = w.act[b]!;
      if (bp.gamma) layerNorm(pre, n, width, bp.gamma.value, bp.beta!.value, w.xhat[b]!, w.rstd[b]!, act);
      else act.set(pre.subarray(0, n * width));
      const h = w.h[b]!;
      const mask = w.mask[b]!;
      const useDrop = train && dropout > 0;
      const scale = 1 / (1 - dropout);
      const useNoise = train && noise > 0;
      const addSkip = skip && b > 0;
      for (let i = 0, e = n * width; i < e; i++) {
        const a = act[i]!;
        let y = a > 0 ? a : leak * a;
        if (useDrop) {
          const keep = rng!.next() >= dropout ? scale : 0;
          mask[i] = keep;
          y *= keep;
        }
        if (useNoise) y += noise * gaussian(rng!);
        if (addSkip) y += prev[i]!;
        h[i] = y;
      }
      prev = h;
      prevDim = width;
    }
    const xo = w.xin[blocks]!;
    concatCond(prev, prevDim, cond, n, xo);
    dense(xo, n, prevDim + 1, this.outParams.W.value, this.outParams.b.value, outDim, w.out);
    if (this.spec.outAct === 'tanh') for (let i = 0, e = n * outDim; i < e; i++) w.out[i] = Math.tanh(w.out[i]!);
    return w.out;
  }

  /**
   * Backward pass after a training {@link forward} of the same `n` rows. `dOut` is dLoss/dOutput
   * (after the output activation). Adds parameter gradients into `grad` when `paramGrads` (frozen
   * parameters are skipped) and returns dLoss/dInput [n, inputDim] (a view) when `inputGrad`.
   */
  backward(dOut: Float32Array, n: number, paramGrads: boolean, inputGrad: boolean): Float32Array {
    const w = this.work!;
    const { blocks, width, inputDim, outDim, leak, skip } = this.spec;
    // Output layer.
    const dz = w.dtmp.length >= n * outDim ? w.dtmp : new Float32Array(n * outDim);
    if (this.spec.outAct === 'tanh') {
      for (let i = 0, e = n * outDim; i < e; i++) {
        const y = w.out[i]!;
        dz[i] = dOut[i]! * (1 - y * y);
      }
    } else dz.set(dOut.subarray(0, n * outDim));
    const lastDim = blocks > 0 ? width : inputDim;
    const op = this.outParams;
    if (paramGrads && !op.W.frozen) denseGrads(w.xin[blocks]!, n, lastDim + 1, dz, outDim, op.W.grad, op.b.grad);
    if (blocks === 0 && !inputGrad) return w.dinput;
    const dprev = blocks > 0 ? w.dh : w.dinput;
    denseInputGrad(dz, n, outDim, op.W.value, lastDim + 1, w.dxin);
    splitCond(w.dxin, n, lastDim, dprev, w.dcond);
    for (let b = blocks - 1; b >= 0; b--) {
      const bp = this.blockParams[b]!;
      // dprev (= w.dh) holds dL/dh_b. Through skip, dropout/noise, leaky ReLU, norm.
      const act = w.act[b]!;
      const da = w.dtmp;
      const useDrop = this.spec.dropout > 0;
      const mask = w.mask[b]!;
      for (let i = 0, e = n * width; i < e; i++) {
        let g = w.dh[i]!;
        if (useDrop) g *= mask[i]!;
        da[i] = act[i]! > 0 ? g : leak * g;
      }
      const kDim = (b === 0 ? inputDim : width) + 1;
      if (bp.gamma) layerNormBackward(da, n, width, bp.gamma.value, w.xhat[b]!, w.rstd[b]!, paramGrads && !bp.gamma.frozen ? bp.gamma.grad : null, paramGrads && !bp.beta!.frozen ? bp.beta!.grad : null);
      // da now holds dL/dpre.
      if (paramGrads && !bp.W.frozen) denseGrads(w.xin[b]!, n, kDim, da, width, bp.W.grad, bp.b.grad);
      if (b === 0 && !inputGrad) break;
      denseInputGrad(da, n, width, bp.W.value, kDim, w.dxin);
      const target = b === 0 ? w.dinput : w.dh;
      const addSkip = skip && b > 0;
      // dL/dh_{b−1} = dxin[:, :width] (+ dL/dh_b through the skip connection).
      for (let i = 0; i < n; i++) {
        const src = i * kDim;
        const dst = i * (kDim - 1);
        for (let j = 0; j < kDim - 1; j++) target[dst + j] = w.dxin[src + j]! + (addSkip ? w.dh[dst + j]! : 0);
      }
    }
    return w.dinput;
  }

  zeroGrads(): void {
    for (const p of this.params) p.grad.fill(0);
  }

  /** Which blocks exist, in order ('block0' … 'out'): the names `freeze` accepts. */
  blockNames(): string[] {
    return [...Array.from({ length: this.spec.blocks }, (_, b) => `block${b}`), 'out'];
  }

  /** Freezes the named blocks (their parameters are never updated). */
  freeze(names: readonly string[]): void {
    const known = new Set(this.blockNames());
    for (const n of names) if (!known.has(n)) throw new Error(`unknown block '${n}' (blocks: ${[...known].join(', ')})`);
    const set = new Set(names);
    for (const p of this.params) p.frozen = set.has(p.block);
  }
}

/** Adam hyper-parameters (Kingma & Ba 2015). */
export interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/** One in-place Adam update of every non-frozen parameter; `t` is the 1-based step count. */
export function adamStep(params: readonly Param[], cfg: AdamConfig, t: number): void {
  const { lr, beta1, beta2, eps } = cfg;
  const c1 = 1 / (1 - beta1 ** t);
  const c2 = 1 / (1 - beta2 ** t);
  for (const p of params) {
    if (p.frozen) continue;
    const { value, grad, m, v } = p;
    for (let i = 0, e = value.length; i < e; i++) {
      const g = grad[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * g;
      const vi = beta2 * v[i]! + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      value[i] = value[i]! - (lr * (mi * c1)) / (Math.sqrt(vi * c2) + eps);
    }
  }
}

/** A standard normal draw (Box–Muller, one value per call: simplicity over speed, not in hot loops). */
export function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(rng.nextOpen())) * Math.cos(2 * Math.PI * rng.next());
}

/** Fills `out` with standard normal draws, two per Box–Muller pair. */
export function fillGaussian(out: Float32Array, n: number, rng: Rng): void {
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(rng.nextOpen()));
    const phi = 2 * Math.PI * rng.next();
    out[i] = r * Math.cos(phi);
    out[i + 1] = r * Math.sin(phi);
  }
  if (i < n) out[i] = gaussian(rng);
}

function glorot(p: Param, rng: Rng): void {
  // Glorot-uniform, the Keras Dense default.
  const [fanIn, fanOut] = p.shape as [number, number];
  const lim = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < p.value.length; i++) p.value[i] = (2 * rng.next() - 1) * lim;
}

function concatCond(x: Float32Array, d: number, c: Float32Array, n: number, out: Float32Array): void {
  const k = d + 1;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    const s = i * d;
    for (let j = 0; j < d; j++) out[o + j] = x[s + j]!;
    out[o + d] = c[i]!;
  }
}

function splitCond(dx: Float32Array, n: number, d: number, out: Float32Array, dc: Float32Array): void {
  const k = d + 1;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) out[i * d + j] = dx[i * k + j]!;
    dc[i] = dx[i * k + d]!;
  }
}

// The three dense kernels work on 4 rows at a time: each weight loaded once serves 4 rows and the
// partial sums stay in a Float64 scratch row, which measured ~2.2× faster than the plain i-p-j loop
// in V8 (2.5 vs 1.1 GFLOP/s on one core for 4096×129×128).
let scratch = new Float64Array(0);
function acc(len: number): Float64Array {
  if (scratch.length < len) scratch = new Float64Array(len);
  return scratch;
}

/** WebAssembly SIMD versions of the three products below (simd.ts); undefined where unsupported. */
const simd = loadSimdKernels();

/** out[n, m] = x[n, k] · W[k, m] + bias. */
function dense(x: Float32Array, n: number, k: number, W: Float32Array, bias: Float32Array, m: number, out: Float32Array): void {
  if (simd && m % 4 === 0) return simd.dense(x, n, k, W, bias, m, out);
  const a = acc(4 * m);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    a.fill(0, 0, 4 * m);
    const r0 = i * k, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k;
    for (let p = 0; p < k; p++) {
      const ws = p * m;
      const x0 = x[r0 + p]!, x1 = x[r1 + p]!, x2 = x[r2 + p]!, x3 = x[r3 + p]!;
      for (let j = 0; j < m; j++) {
        const w = W[ws + j]!;
        a[j] += x0 * w;
        a[m + j] += x1 * w;
        a[2 * m + j] += x2 * w;
        a[3 * m + j] += x3 * w;
      }
    }
    const o = i * m;
    for (let j = 0; j < 4 * m; j++) out[o + j] = a[j]! + bias[j % m]!;
  }
  for (; i < n; i++) {
    const o = i * m;
    for (let j = 0; j < m; j++) out[o + j] = bias[j]!;
    const xs = i * k;
    for (let p = 0; p < k; p++) {
      const xv = x[xs + p]!;
      const ws = p * m;
      for (let j = 0; j < m; j++) out[o + j] += xv * W[ws + j]!;
    }
  }
}

/** gW[k, m] += xᵀ · dy; gb[m] += Σ_rows dy. */
function denseGrads(x: Float32Array, n: number, k: number, dy: Float32Array, m: number, gW: Float32Array, gb: Float32Array): void {
  for (let i = 0; i < n; i++) {
    const ds = i * m;
    for (let j = 0; j < m; j++) gb[j] += dy[ds + j]!;
  }
  if (simd && m % 4 === 0) return simd.denseGrads(x, n, k, dy, m, gW);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const r0 = i * k, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k;
    const d0 = i * m, d1 = d0 + m, d2 = d1 + m, d3 = d2 + m;
    for (let p = 0; p < k; p++) {
      const x0 = x[r0 + p]!, x1 = x[r1 + p]!, x2 = x[r2 + p]!, x3 = x[r3 + p]!;
      const ws = p * m;
      for (let j = 0; j < m; j++) gW[ws + j] += x0 * dy[d0 + j]! + x1 * dy[d1 + j]! + x2 * dy[d2 + j]! + x3 * dy[d3 + j]!;
    }
  }
  for (; i < n; i++) {
    const ds = i * m;
    const xs = i * k;
    for (let p = 0; p < k; p++) {
      const xv = x[xs + p]!;
      const ws = p * m;
      for (let j = 0; j < m; j++) gW[ws + j] += xv * dy[ds + j]!;
    }
  }
}

/** dx[n, k] = dy[n, m] · Wᵀ. */
function denseInputGrad(dy: Float32Array, n: number, m: number, W: Float32Array, k: number, dx: Float32Array): void {
  if (simd && m % 4 === 0) return simd.denseInputGrad(dy, n, m, W, k, dx);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const d0 = i * m, d1 = d0 + m, d2 = d1 + m, d3 = d2 + m;
    for (let p = 0; p < k; p++) {
      const ws = p * m;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0; j < m; j++) {
        const w = W[ws + j]!;
        s0 += dy[d0 + j]! * w;
        s1 += dy[d1 + j]! * w;
        s2 += dy[d2 + j]! * w;
        s3 += dy[d3 + j]! * w;
      }
      dx[i * k + p] = s0;
      dx[(i + 1) * k + p] = s1;
      dx[(i + 2) * k + p] = s2;
      dx[(i + 3) * k + p] = s3;
    }
  }
  for (; i < n; i++) {
    const ds = i * m;
    for (let p = 0; p < k; p++) {
      const ws = p * m;
      let s = 0;
      for (let j = 0; j < m; j++) s += dy[ds + j]! * W[ws + j]!;
      dx[i * k + p] = s;
    }
  }
}

function layerNorm(x: Float32Array, n: number, d: number, gamma: Float32Array, beta: Float32Array, xhat: Float32Array, rstd: Float32Array, out: Float32Array): void {
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let mu = 0;
    for (let j = 0; j < d; j++) mu += x[o + j]!;
    mu /= d;
    let v = 0;
    for (let j = 0; j < d; j++) {
      const t = x[o + j]! - mu;
      v += t * t;
    }
    const r = 1 / Math.sqrt(v / d + LN_EPS);
    rstd[i] = r;
    for (let j = 0; j < d; j++) {
      const xh = (x[o + j]! - mu) * r;
      xhat[o + j] = xh;
      out[o + j] = gamma[j]! * xh + beta[j]!;
    }
  }
}

/** In place: dy (dL/d out) → dL/dx; accumulates dgamma, dbeta. */
function layerNormBackward(dy: Float32Array, n: number, d: number, gamma: Float32Array, xhat: Float32Array, rstd: Float32Array, dgamma: Float32Array | null, dbeta: Float32Array | null): void {
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let s1 = 0;
    let s2 = 0;
    for (let j = 0; j < d; j++) {
      const g = dy[o + j]!;
      const xh = xhat[o + j]!;
      if (dgamma) dgamma[j] += g * xh;
      if (dbeta) dbeta[j] += g;
      const gx = g * gamma[j]!;
      s1 += gx;
      s2 += gx * xh;
    }
    s1 /= d;
    s2 /= d;
    const r = rstd[i]!;
    for (let j = 0; j < d; j++) dy[o + j] = r * (dy[o + j]! * gamma[j]! - s1 - xhat[o + j]! * s2);
  }
}
