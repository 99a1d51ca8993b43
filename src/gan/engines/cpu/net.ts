/**
 * A network's forward and backward pass as a sequence of kernel calls on one thread's workspace —
 * the same computation as reference/net.ts, on the arena by offset. Shared by the main thread and
 * the workers (shard.ts), and by both kernel builds.
 */
import { inputWidth, type NetLayout } from '../../architecture.ts';
import { dropoutThreshold, stream, type Pass } from '../../draws.ts';
import type { Kernels, Ptr } from './kernels.ts';
import { DRAW_PARAMS_BYTES, type NetPlan, type NetWork, type ThreadPlan } from './plan.ts';

/** A network as one thread sees it: its layout, its global plan, which layers train. */
export interface NetBinding {
  readonly layout: NetLayout;
  readonly plan: NetPlan;
  /** Per layer (blocks, then the output layer): whether its weights are trained. */
  readonly trainable: readonly boolean[];
}

/** Where a training pass draws from (draws.ts): key, step, pass, and the batch row of row 0. */
export interface PassKey {
  k0: number;
  k1: number;
  step: number;
  pass: Pass;
  row0: number;
}

/** The thread-local tools a pass needs: kernels, this thread's plan, a u32 view of the arena. */
export interface ThreadContext {
  readonly k: Kernels;
  readonly t: ThreadPlan;
  u32(): Uint32Array;
}

const F = 4; // bytes per float

/** Writes a draw_params block (kernels.c) at `at`. */
export function writeDrawParams(u32: Uint32Array, at: Ptr, k0: number, k1: number, step: number, streamId: number, row0: number): void {
  const i = at / 4;
  u32[i] = k0 >>> 0;
  u32[i + 1] = k1 >>> 0;
  u32[i + 2] = step >>> 0;
  u32[i + 3] = streamId >>> 0;
  u32[i + 4] = row0 >>> 0;
  u32[i + 5] = Math.floor(row0 / 4294967296) >>> 0;
}

function weight(net: NetBinding, offsetFloats: number): Ptr {
  return net.plan.weights + F * offsetFloats;
}

/**
 * Forward pass of `n` rows: input [n, inputDim] at `input` (row stride `ldInput`), conditions at
 * `cond`. With `key`, a training pass (dropout and noise drawn, activations kept); without,
 * inference. The output layer's values (before tanh) land in work.out.
 */
export function forward(ctx: ThreadContext, net: NetBinding, work: NetWork, input: Ptr, ldInput: number, cond: Ptr, n: number, key?: PassKey): void {
  const { k, t } = ctx;
  const { spec } = net.layout;
  const width = spec.width;
  const dropping = key !== undefined && spec.dropout > 0;
  const noisy = key !== undefined && spec.noise > 0;
  const dropAt = t.draws;
  const noiseAt = t.draws + DRAW_PARAMS_BYTES;
  let h = input;
  let ld = ldInput;
  for (let b = 0; b < spec.blocks; b++) {
    const s = net.layout.blocks[b]!;
    k.dense_fwd(h, ld, n, inputWidth(spec, b), cond, weight(net, s.kernel.offset), weight(net, s.bias.offset), width, work.pre[b]!, width);
    if (dropping) writeDrawParams(ctx.u32(), dropAt, key.k0, key.k1, key.step, stream('dropout', key.pass, b), key.row0);
    if (noisy) writeDrawParams(ctx.u32(), noiseAt, key.k0, key.k1, key.step, stream('noise', key.pass, b), key.row0);
    k.block_fwd(
      work.pre[b]!, n, width,
      s.gamma ? weight(net, s.gamma.offset) : 0, s.beta ? weight(net, s.beta.offset) : 0, spec.leak,
      dropping ? dropAt : 0, dropoutThreshold(spec.dropout), 1 / (1 - spec.dropout),
      noisy ? noiseAt : 0, spec.noise,
      b > 0 && spec.skip ? h : 0, width,
      key ? work.xhat[b]! : 0, key ? work.rstd[b]! : 0, dropping ? work.mask[b]! : 0, work.h[b]!, width,
    );
    h = work.h[b]!;
    ld = width;
  }
  const o = net.layout.out;
  k.dense_fwd(h, ld, n, inputWidth(spec, spec.blocks), cond, weight(net, o.kernel.offset), weight(net, o.bias.offset), spec.outDim, work.out, spec.outDim);
}

/**
 * Backward pass after a training forward() of the same rows, from dOut = dLoss/d(output layer
 * value) [n, outDim]. With `gradSlot` (a gradient slot's offset), adds the trainable layers'
 * weight gradients there; with `inputGrad`, writes dLoss/dInput [n, inputDim] there. Stops as low as
 * those two need: a fine-tuned generator whose first blocks are frozen is not back-propagated into them.
 */
export function backward(ctx: ThreadContext, net: NetBinding, work: NetWork, input: Ptr, ldInput: number, cond: Ptr, n: number, dOut: Ptr, gradSlot: Ptr, inputGrad: Ptr): void {
  const { k, t } = ctx;
  const { spec } = net.layout;
  const { blocks, width, outDim } = spec;
  const grad = (offsetFloats: number): Ptr => gradSlot + F * offsetFloats;
  const o = net.layout.out;
  const lastIn = blocks > 0 ? work.h[blocks - 1]! : input;
  const lastLd = blocks > 0 ? width : ldInput;
  if (gradSlot && net.trainable[blocks]) k.dense_grad_w(lastIn, lastLd, n, inputWidth(spec, blocks), cond, dOut, outDim, outDim, grad(o.kernel.offset), grad(o.bias.offset));
  // The lowest block whose input gradient is needed: block 0 for dL/dInput, else the lowest trained one.
  let lowest = inputGrad ? 0 : net.trainable.slice(0, blocks).indexOf(true);
  if (!gradSlot && !inputGrad) return;
  if (lowest < 0) lowest = blocks; // only the output layer trains
  if (blocks === 0 || lowest >= blocks) {
    if (inputGrad && blocks === 0) k.dense_fwd(dOut, outDim, n, outDim, 0, net.plan.transposed[0]!, 0, spec.inputDim, inputGrad, spec.inputDim);
    return;
  }
  let dh = t.dh[0];
  let spare = t.dh[1];
  k.dense_fwd(dOut, outDim, n, outDim, 0, net.plan.transposed[blocks]!, 0, width, dh, width);
  for (let b = blocks - 1; b >= lowest; b--) {
    const s = net.layout.blocks[b]!;
    const trains = gradSlot !== 0 && net.trainable[b]!;
    k.block_bwd(
      dh, width, n, width,
      s.gamma ? weight(net, s.gamma.offset) : 0, s.beta ? weight(net, s.beta.offset) : 0, spec.leak,
      work.xhat[b]!, work.rstd[b]!, spec.dropout > 0 ? work.mask[b]! : 0,
      t.dpre, trains && s.gamma ? grad(s.gamma.offset) : 0, trains && s.beta ? grad(s.beta.offset) : 0,
    );
    const inW = inputWidth(spec, b);
    const bIn = b === 0 ? input : work.h[b - 1]!;
    const bLd = b === 0 ? ldInput : width;
    if (trains) k.dense_grad_w(bIn, bLd, n, inW, cond, t.dpre, width, width, grad(s.kernel.offset), grad(s.bias.offset));
    if (b === 0) {
      if (inputGrad) k.dense_fwd(t.dpre, width, n, width, 0, net.plan.transposed[0]!, 0, inW, inputGrad, inW);
      break;
    }
    if (b === lowest) break;
    k.dense_fwd(t.dpre, width, n, width, 0, net.plan.transposed[b]!, 0, inW, spare, width);
    if (spec.skip) k.add(spare, dh, n * width);
    [dh, spare] = [spare, dh];
  }
}

/** Refreshes the transposed kernels of `net` after its weights changed. */
export function transposeKernels(k: Kernels, net: NetBinding): void {
  const { spec } = net.layout;
  const layers = [...net.layout.blocks, net.layout.out];
  layers.forEach((l, b) => k.transpose(weight(net, l.kernel.offset), inputWidth(spec, b), l.units, net.plan.transposed[b]!));
}
