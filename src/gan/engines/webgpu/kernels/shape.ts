/**
 * What a block kernel is compiled for: everything that sizes workgroup memory or removes a branch
 * is a WGSL constant; everything that differs between uses of the same shape (offsets into the
 * weights, row counts, passes) is a uniform, so a few pipelines serve a whole step.
 */
import { LN_EPS, type NetSpec } from '../../../architecture.ts';
import { dropoutThreshold } from '../../../draws.ts';

export interface BlockShape {
  /** Input columns without the E'_nu column. */
  inW: number;
  width: number;
  /** Rows per workgroup (64 threads). */
  rows: number;
  layerNorm: boolean;
  skip: boolean;
  leak: number;
  /** 16-bit dropout threshold (0: no dropout). */
  dropout: number;
  dropoutScale: number;
  /** Noise std (0: none). */
  noise: number;
  /** The output layer fused after this block (the last one): its width and activation. */
  head?: { outDim: number; tanh: boolean };
}

/** Workgroup memory is 16 KiB by default: rows per workgroup so that two row tiles and the input fit. */
export function rowsPerWorkgroup(inW: number, width: number): number {
  return Math.max(1, Math.min(16, Math.floor(3800 / (inW + 1 + 2 * width))));
}

export function blockShape(spec: NetSpec, b: number): BlockShape {
  const inW = b === 0 ? spec.inputDim : spec.width;
  return {
    inW,
    width: spec.width,
    rows: rowsPerWorkgroup(inW, spec.width),
    layerNorm: spec.normalisation === 'layer',
    skip: b > 0 && spec.skip,
    leak: spec.leak,
    dropout: spec.dropout > 0 ? dropoutThreshold(spec.dropout) : 0,
    dropoutScale: 1 / (1 - spec.dropout),
    noise: spec.noise,
    ...(b === spec.blocks - 1 ? { head: { outDim: spec.outDim, tanh: spec.outAct === 'tanh' } } : {}),
  };
}

/** A float as a WGSL literal that keeps every bit of its float32 value. */
export function f32(x: number): string {
  const v = Math.fround(x);
  if (!Number.isFinite(v)) throw new RangeError(`not a finite float: ${x}`);
  return `f32(${v.toPrecision(9)})`;
}

export const LN_EPS_WGSL = f32(LN_EPS);
