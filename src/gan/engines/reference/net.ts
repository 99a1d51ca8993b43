/**
 * One network of the GAN, forward and backward, written for reading rather than speed: the plain
 * statement of what every engine computes (architecture.ts for the shape, draws.ts for the draws).
 * Arithmetic in JavaScript doubles, stored as float32.
 *
 * Block b, for rows i and units u:
 *   pre  = [h_{b−1}, c] · W_b + bias_b                 (h_{−1} = the net's input, c = E'_nu)
 *   a    = γ ⊙ (pre − mean)/sqrt(var + ε) + β         (per row; a = pre without layer norm)
 *   y    = a > 0 ? a : leak · a
 *   y   ·= keep ? 1/(1 − p) : 0                       (dropout, training only)
 *   y   += σ_noise · N(0, 1)                          (Gaussian noise, training only)
 *   h_b  = y + h_{b−1}                                (skip connection, b ≥ 1)
 * output = [h_last, c] · W_out + bias_out, then tanh for the generator (logits for the discriminator).
 */
import { LN_EPS, inputWidth, type LayerSlots, type NetLayout } from '../../architecture.ts';
import { Draws, dropoutThreshold, stream, type Pass } from '../../draws.ts';

/** Where a training pass draws its dropout and noise: key (k0, k1), the step, the pass. */
export interface PassDraws {
  k0: number;
  k1: number;
  step: number;
  pass: Pass;
}

interface BlockRecord {
  input: Float32Array; // [n, inW]
  xhat: Float32Array; // [n, width] (pre itself without layer norm)
  rstd: Float32Array; // [n]
  mask: Float32Array | null; // [n, width] dropout scale, or null
  h: Float32Array; // [n, width]
}

export class ReferenceNet {
  /** Gradient of the loss with respect to every weight, accumulated by backward(). */
  readonly grads: Float32Array;
  private records: BlockRecord[] = [];
  private lastInput: Float32Array = new Float32Array(0);
  private cond: Float32Array = new Float32Array(0);
  private out: Float32Array = new Float32Array(0);
  private n = 0;

  constructor(
    readonly layout: NetLayout,
    readonly weights: Float32Array,
  ) {
    this.grads = new Float32Array(layout.size);
  }

  /**
   * Output [n, outDim] for `input` [n, inputDim] and conditions `cond` [n]. With `draws` this is a
   * training pass (dropout and noise on, activations kept for backward()); without, inference.
   */
  forward(input: Float32Array, cond: Float32Array, n: number, draws?: PassDraws): Float32Array {
    const { spec } = this.layout;
    this.n = n;
    this.cond = cond;
    this.records = [];
    let h = input;
    for (let b = 0; b < spec.blocks; b++) {
      const slots = this.layout.blocks[b]!;
      const inW = inputWidth(spec, b);
      const pre = this.dense(h, inW, n, slots);
      const rec = this.blockForward(pre, n, b, draws, b > 0 && spec.skip ? h : null);
      this.records.push({ ...rec, input: h });
      h = rec.h;
    }
    this.lastInput = h;
    const out = this.dense(h, inputWidth(spec, spec.blocks), n, this.layout.out);
    if (spec.outAct === 'tanh') for (let i = 0; i < out.length; i++) out[i] = Math.tanh(out[i]!);
    this.out = out;
    return out;
  }

  /** [x, c] · W + bias for a layer (x: [n, inW]). */
  private dense(x: Float32Array, inW: number, n: number, s: LayerSlots): Float32Array {
    const W = this.weights;
    const m = s.units;
    const kOff = s.kernel.offset;
    const y = new Float32Array(n * m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let acc = W[s.bias.offset + j]! + this.cond[i]! * W[kOff + inW * m + j]!;
        for (let p = 0; p < inW; p++) acc += x[i * inW + p]! * W[kOff + p * m + j]!;
        y[i * m + j] = acc;
      }
    }
    return y;
  }

  private blockForward(pre: Float32Array, n: number, b: number, draws: PassDraws | undefined, skip: Float32Array | null): Omit<BlockRecord, 'input'> {
    const { spec } = this.layout;
    const s = this.layout.blocks[b]!;
    const m = spec.width;
    const W = this.weights;
    const xhat = new Float32Array(n * m);
    const rstd = new Float32Array(n);
    const h = new Float32Array(n * m);
    const drop = draws && spec.dropout > 0 ? new Draws(draws.k0, draws.k1, draws.step, stream('dropout', draws.pass, b)) : null;
    const noise = draws && spec.noise > 0 ? new Draws(draws.k0, draws.k1, draws.step, stream('noise', draws.pass, b)) : null;
    const mask = drop ? new Float32Array(n * m) : null;
    const threshold = dropoutThreshold(spec.dropout);
    const scale = 1 / (1 - spec.dropout);
    for (let i = 0; i < n; i++) {
      let mean = 0;
      let r = 1;
      if (s.gamma) {
        for (let j = 0; j < m; j++) mean += pre[i * m + j]!;
        mean /= m;
        let v = 0;
        for (let j = 0; j < m; j++) v += (pre[i * m + j]! - mean) ** 2;
        r = 1 / Math.sqrt(v / m + LN_EPS);
        rstd[i] = r;
      }
      for (let j = 0; j < m; j++) {
        const e = i * m + j;
        let a: number;
        if (s.gamma) {
          xhat[e] = (pre[e]! - mean) * r;
          a = W[s.gamma.offset + j]! * xhat[e]! + W[s.beta!.offset + j]!;
        } else {
          xhat[e] = pre[e]!;
          a = xhat[e]!;
        }
        let y = a > 0 ? a : spec.leak * a;
        if (drop) {
          mask![e] = drop.keeps(e, threshold) ? scale : 0;
          y *= mask![e]!;
        }
        if (noise) y += spec.noise * noise.normal(e);
        if (skip) y += skip[e]!;
        h[e] = y;
      }
    }
    return { xhat, rstd, mask, h };
  }

  /**
   * Backward after a training forward() of the same rows. `dOut` is dLoss/dOutput (after the output
   * activation). Adds weight gradients into `grads` for blocks not in `frozen` when `paramGrads`;
   * returns dLoss/dInput [n, inputDim] when `inputGrad` (else an empty array).
   */
  backward(dOut: Float32Array, paramGrads: boolean, inputGrad: boolean, frozen: ReadonlySet<string> = new Set()): Float32Array {
    const { spec } = this.layout;
    const n = this.n;
    const W = this.weights;
    const g = this.grads;
    const dz = new Float32Array(dOut.length);
    for (let i = 0; i < dz.length; i++) dz[i] = spec.outAct === 'tanh' ? dOut[i]! * (1 - this.out[i]! ** 2) : dOut[i]!;
    let dh = this.denseBackward(this.lastInput, inputWidth(spec, spec.blocks), n, this.layout.out, dz, paramGrads && !frozen.has('out'));
    for (let b = spec.blocks - 1; b >= 0; b--) {
      const s = this.layout.blocks[b]!;
      const rec = this.records[b]!;
      const m = spec.width;
      const trainable = paramGrads && !frozen.has(`block${b}`);
      const dpre = new Float32Array(n * m);
      for (let i = 0; i < n; i++) {
        let s1 = 0;
        let s2 = 0;
        for (let j = 0; j < m; j++) {
          const e = i * m + j;
          const a = s.gamma ? W[s.gamma.offset + j]! * rec.xhat[e]! + W[s.beta!.offset + j]! : rec.xhat[e]!;
          let da = rec.mask ? dh[e]! * rec.mask[e]! : dh[e]!;
          da = a > 0 ? da : spec.leak * da;
          if (s.gamma) {
            if (trainable) {
              g[s.gamma.offset + j]! += da * rec.xhat[e]!;
              g[s.beta!.offset + j]! += da;
            }
            const gx = da * W[s.gamma.offset + j]!;
            dpre[e] = gx;
            s1 += gx;
            s2 += gx * rec.xhat[e]!;
          } else dpre[e] = da;
        }
        if (s.gamma) {
          s1 /= m;
          s2 /= m;
          for (let j = 0; j < m; j++) {
            const e = i * m + j;
            dpre[e] = rec.rstd[i]! * (dpre[e]! - s1 - rec.xhat[e]! * s2);
          }
        }
      }
      const inW = inputWidth(spec, b);
      if (b === 0 && !inputGrad) {
        this.denseBackward(rec.input, inW, n, s, dpre, trainable);
        return new Float32Array(0);
      }
      const dIn = this.denseBackward(rec.input, inW, n, s, dpre, trainable);
      if (b > 0 && spec.skip) for (let e = 0; e < dIn.length; e++) dIn[e]! += dh[e]!;
      dh = dIn;
    }
    return dh;
  }

  /** Gradients of a layer: into `grads` when `accumulate`; returns dLoss/dx [n, inW]. */
  private denseBackward(x: Float32Array, inW: number, n: number, s: LayerSlots, dy: Float32Array, accumulate: boolean): Float32Array {
    const W = this.weights;
    const g = this.grads;
    const m = s.units;
    const kOff = s.kernel.offset;
    if (accumulate) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < m; j++) {
          const d = dy[i * m + j]!;
          g[s.bias.offset + j]! += d;
          g[kOff + inW * m + j]! += this.cond[i]! * d;
          for (let p = 0; p < inW; p++) g[kOff + p * m + j]! += x[i * inW + p]! * d;
        }
      }
    }
    const dx = new Float32Array(n * inW);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < inW; p++) {
        let acc = 0;
        for (let j = 0; j < m; j++) acc += dy[i * m + j]! * W[kOff + p * m + j]!;
        dx[i * inW + p] = acc;
      }
    }
    return dx;
  }
}
