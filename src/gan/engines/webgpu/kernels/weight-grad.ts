/**
 * Weight gradients of one layer as a GEMM over the batch's rows: for the dense kernel, its E'_nu
 * row and the bias together,
 *
 *   grad[p, j] = Σ_rows A[row, p] · D[row, j],   A = [input, E'_nu, 1],   D = dpre (or the head's dz),
 *
 * in 16×16 output tiles with 16-row slabs of A and D staged in workgroup memory. With layer norm, one
 * more row of workgroups reduces dγ = Σ da·x̂ and dβ = Σ da per unit. Every sum runs in a fixed order,
 * so a step's result never depends on scheduling. Gradients are written, not accumulated: the D
 * update runs its real and fake rows as one batch of 2B rows, so each layer is reduced once per step.
 */
import { type BlockShape } from './shape.ts';

export const WEIGHT_GRAD_ARGS = ['rows', 'condMod', 'aOff', 'dOff', 'daOff', 'kOff', 'bOff', 'gOff', 'betaOff'] as const;

/** Tiles of the GEMM's output: [inW + 2 rows (input, E'_nu, bias)] × [outW]. */
export function weightGradDispatch(inW: number, outW: number, layerNorm: boolean): [number, number] {
  return [Math.ceil(outW / 16), Math.ceil((inW + 2) / 16) + (layerNorm ? 1 : 0)];
}

/**
 * Bindings: 0 A's input columns [rows, inW] (from aOff), 1 E'_nu (row % condMod), 2 backward's
 * scratch (D from dOff with outW columns; da from daOff), 3 x̂ (forward's binding 4), 4 the
 * gradient buffer (flat, as the weights), 5 arguments.
 */
export function weightGradWgsl(inW: number, outW: number, layerNorm: boolean): string {
  const pTiles = Math.ceil((inW + 2) / 16);
  return /* wgsl */ `
struct Args { ${WEIGHT_GRAD_ARGS.map((n) => `${n}: u32`).join(', ')} }
const IN = ${inW}u;
const OUTW = ${outW}u;
const PTILES = ${pTiles}u;

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> C: array<f32>;
@group(0) @binding(2) var<storage, read> G2: array<f32>;
@group(0) @binding(3) var<storage, read> S: array<f32>;
@group(0) @binding(4) var<storage, read_write> GR: array<f32>;
@group(0) @binding(5) var<uniform> a: Args;

var<workgroup> As: array<f32, 256>;
var<workgroup> Ds: array<f32, 256>;

fn aval(row: u32, p: u32) -> f32 {
  if (p < IN) {
    return A[a.aOff + row * IN + p];
  }
  if (p == IN) {
    return C[row % a.condMod];
  }
  if (p == IN + 1u) {
    return 1.0;
  }
  return 0.0;
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let j = wg.x * 16u + tx;
  if (wg.y < PTILES) {
    let p = wg.y * 16u + ty;
    var acc = 0.0;
    for (var i0 = 0u; i0 < a.rows; i0 += 16u) {
      let row = i0 + ty;
      var av = 0.0;
      var dv = 0.0;
      if (row < a.rows) {
        av = aval(row, wg.y * 16u + tx);
        if (j < OUTW) {
          dv = G2[a.dOff + row * OUTW + j];
        }
      }
      As[ty * 16u + tx] = av;
      Ds[ty * 16u + tx] = dv;
      workgroupBarrier();
      for (var k = 0u; k < 16u; k++) {
        acc += As[k * 16u + ty] * Ds[k * 16u + tx];
      }
      workgroupBarrier();
    }
    if (j < OUTW) {
      if (p <= IN) {
        GR[a.kOff + p * OUTW + j] = acc;
      } else if (p == IN + 1u) {
        GR[a.bOff + j] = acc;
      }
    }
  }${
    layerNorm
      ? ` else {
    // dγ and dβ: 16 row lanes per unit, then the lanes summed in order.
    var sg = 0.0;
    var sb = 0.0;
    if (j < OUTW) {
      for (var row = ty; row < a.rows; row += 16u) {
        let da = G2[a.daOff + row * OUTW + j];
        sg += da * S[row * OUTW + j];
        sb += da;
      }
    }
    As[ty * 16u + tx] = sg;
    Ds[ty * 16u + tx] = sb;
    workgroupBarrier();
    if (ty == 0u && j < OUTW) {
      var tg = 0.0;
      var tb = 0.0;
      for (var k = 0u; k < 16u; k++) {
        tg += As[k * 16u + tx];
        tb += Ds[k * 16u + tx];
      }
      GR[a.gOff + j] = tg;
      GR[a.betaOff + j] = tb;
    }
  }`
      : ''
  }
}
`;
}

export type { BlockShape };
