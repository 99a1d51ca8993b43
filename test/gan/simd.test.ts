/**
 * The WebAssembly SIMD kernels against plain loops, on shapes that exercise the register blocks and
 * their tails (rows and columns not multiples of 4) and the engine's real layer sizes.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/physics/rng.ts';
import { loadSimdKernels } from '../../src/gan/simd.ts';

const simd = loadSimdKernels();
const rng = new Rng(11, 3);
const random = (len: number) => Float32Array.from({ length: len }, () => rng.next() * 2 - 1);

/** Largest |a − b| relative to the largest |b|. */
function relErr(a: Float32Array, b: Float64Array): number {
  let e = 0;
  let scale = 1e-30;
  for (let i = 0; i < b.length; i++) {
    e = Math.max(e, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return e / scale;
}

const SHAPES: [number, number, number][] = [
  [1, 1, 4],
  [5, 3, 4],
  [7, 9, 16],
  [13, 65, 64],
  [1024, 137, 128],
];

/**
 * Tolerance for a sum of `terms` f32 products of random sign, relative to the largest result: rounding
 * errors add like a random walk, ~√terms · 2⁻²⁴ of the scale; 8× that leaves room for unlucky draws
 * while a wrong index (an error of order 1) still fails by five orders of magnitude.
 */
const tol = (terms: number) => 8 * 2 ** -24 * Math.sqrt(terms);

describe.skipIf(!simd)('WebAssembly SIMD dense kernels', () => {
  it.each(SHAPES)('n=%i k=%i m=%i: out = x·W + b, gW += xᵀ·dy, dx = dy·Wᵀ', (n, k, m) => {
    const x = random(n * k), W = random(k * m), b = random(m), dy = random(n * m), gW = random(k * m);
    const out = new Float32Array(n * m);
    simd!.dense(x, n, k, W, b, m, out);
    const outRef = new Float64Array(n * m);
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
      let a = b[j]!;
      for (let p = 0; p < k; p++) a += x[i * k + p]! * W[p * m + j]!;
      outRef[i * m + j] = a;
    }
    expect(relErr(out, outRef)).toBeLessThan(tol(k + 1));

    const gRef = Float64Array.from(gW);
    for (let p = 0; p < k; p++) for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) gRef[p * m + j]! += x[i * k + p]! * dy[i * m + j]!;
    simd!.denseGrads(x, n, k, dy, m, gW);
    expect(relErr(gW, gRef)).toBeLessThan(tol(n + 1));

    const dx = new Float32Array(n * k);
    simd!.denseInputGrad(dy, n, m, W, k, dx);
    const dxRef = new Float64Array(n * k);
    for (let i = 0; i < n; i++) for (let p = 0; p < k; p++) for (let j = 0; j < m; j++) dxRef[i * k + p]! += dy[i * m + j]! * W[p * m + j]!;
    expect(relErr(dx, dxRef)).toBeLessThan(tol(m));
  });

  it('grows its memory for operands larger than one page and stays correct after', () => {
    const n = 300, k = 129, m = 256; // ~0.5 MB of operands
    const x = random(n * k), W = random(k * m), b = new Float32Array(m);
    const out = new Float32Array(n * m);
    simd!.dense(x, n, k, W, b, m, out);
    let a = 0;
    for (let p = 0; p < k; p++) a += x[(n - 1) * k + p]! * W[p * m + m - 1]!;
    expect(Math.abs(out[n * m - 1]! - a)).toBeLessThan(1e-4);
  });
});
