/**
 * The fused backward kernel of one block, for a tile of rows, undoing forward.ts in reverse:
 *
 *   last block only: the output layer's gradient dz — for the discriminator from its logits,
 *     (σ(l) − y)/B (BCE with y = 1 for real rows and 0 for fakes, or 1 for the generator's loss);
 *     for the generator from dLoss/d(output) times tanh' — and dh = dz · W_outᵀ;
 *   skip and noise passId dh through; dropout multiplies by the mask (drawn again, as in forward);
 *   the leaky ReLU's slope; the layer norm's backward from x̂ and 1/σ;
 *   then dLoss/d(input) = dpre · Wᵀ (+ dh through the skip connection).
 *
 * It writes dpre (and, with layer norm, dLoss/d(norm output) `da`, and the head's dz) to a scratch
 * buffer for the weight-gradient kernel (weight-grad.ts), which reduces them over rows.
 */
import { CONTROL_WGSL, DRAWS_WGSL } from './draws.ts';
import { f32, type BlockShape } from './shape.ts';

/** Uniform words of a backward dispatch, in struct order (the last three are f32). */
export const BACKWARD_ARGS = ['rows', 'split', 'passA', 'passB', 'block', 'needIn', 'kOff', 'gOff', 'betaOff', 'okOff', 'yA', 'yB', 'invB'] as const;
export const BACKWARD_FLOAT_ARGS = new Set(['yA', 'yB', 'invB']);

/** Head modes (a WGSL constant): which loss the last block's dz comes from. */
export enum HeadGrad {
  None = 0,
  /** Discriminator logits (binding 3) and BCE targets yA/yB. */
  Logits = 1,
  /** Generator outputs (binding 3) and dLoss/d(output) (binding 2). */
  Tanh = 2,
}

/**
 * Bindings: 0 weights, 1 x̂ then 1/σ (forward's binding 4), 2 dLoss/dh [rows, width] (or, for the
 * generator's head, dLoss/d(output) [rows, outDim]), 3 the head's forward output (logits or
 * G's outputs), 4 scratch: dpre [rows, width] | da [rows, width] | dz [rows, outDim],
 * 5 dLoss/d(input) [rows, inW], 6 control, 7 arguments.
 */
export function backwardWgsl(s: BlockShape, head: HeadGrad): string {
  const R = s.rows;
  const M = s.width;
  const upt = Math.ceil(M / 64);
  const out = s.head?.outDim ?? 1;
  return /* wgsl */ `
${DRAWS_WGSL}
${CONTROL_WGSL}
struct Args { ${BACKWARD_ARGS.map((n) => `${n}: ${BACKWARD_FLOAT_ARGS.has(n) ? 'f32' : 'u32'}`).join(', ')} }

const IN = ${s.inW}u;
const M = ${M}u;
const R = ${R}u;
const UPT = ${upt}u;
const OUT = ${out}u;

@group(0) @binding(0) var<storage, read> P: array<f32>;
@group(0) @binding(1) var<storage, read> S: array<f32>;
@group(0) @binding(2) var<storage, read> DH: array<f32>;
@group(0) @binding(3) var<storage, read> O: array<f32>;
@group(0) @binding(4) var<storage, read_write> G2: array<f32>;
@group(0) @binding(5) var<storage, read_write> DIN: array<f32>;
@group(0) @binding(6) var<storage, read> ctl: Control;
@group(0) @binding(7) var<uniform> a: Args;

var<workgroup> dhs: array<f32, ${R * M}>;
var<workgroup> dps: array<f32, ${R * M}>;
var<workgroup> rowStat: array<f32, ${2 * R}>;
var<workgroup> dzs: array<f32, ${R * out}>;

fn sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let row0 = wg.x * R;
  // Rows of this tile, known only at run time: compilers would otherwise unroll every row loop
  // (and the draws in it) R times, and lavapipe's LLVM then compiles for tens of seconds.
  let nr = min(R, a.rows - row0);
${
  head === HeadGrad.None
    ? `
  for (var r = 0u; r < nr; r++) {
    let row = row0 + r;
    for (var u = 0u; u < UPT; u++) {
      let j = t + 64u * u;
      if (j < M) {
        var d = 0.0;
        if (row < a.rows) {
          d = DH[row * M + j];
        }
        dhs[r * M + j] = d;
      }
    }
  }`
    : `
  // The output layer: dz, then dh = dz · W_outᵀ.
  for (var i = t; i < R * OUT; i += 64u) {
    let r = i / OUT;
    let k = i % OUT;
    let row = row0 + r;
    var dz = 0.0;
    if (row < a.rows) {
${
  head === HeadGrad.Logits
    ? `      let y = select(a.yB, a.yA, row < a.split);
      dz = (sigmoid(O[row]) - y) * a.invB;`
    : `      let o = O[row * OUT + k];
      dz = DH[row * OUT + k] * (1.0 - o * o);`
}
      G2[2u * a.rows * M + row * OUT + k] = dz;
    }
    dzs[i] = dz;
  }
  workgroupBarrier();
  for (var r = 0u; r < nr; r++) {
    for (var u = 0u; u < UPT; u++) {
      let j = t + 64u * u;
      if (j < M) {
        var d = 0.0;
        for (var k = 0u; k < OUT; k++) {
          d += dzs[r * OUT + k] * P[a.okOff + j * OUT + k];
        }
        dhs[r * M + j] = d;
      }
    }
  }`
}

  // Through dropout and the leaky ReLU (and into the layer norm's γ).
  let key = vec2<u32>(ctl.seed, ctl.epoch);
  let step = ctl.step;
  for (var r = 0u; r < nr; r++) {
    let row = row0 + r;
    var local = row;
    var passId = a.passA;
    if (row >= a.split) {
      local = row - a.split;
      passId = a.passB;
    }
    for (var u = 0u; u < UPT; u++) {
      let j = t + 64u * u;
      if (j < M) {
        var g = 0.0;
        if (row < a.rows) {
          let xh = S[row * M + j];
          var act = xh;
${s.layerNorm ? '          act = P[a.gOff + j] * xh + P[a.betaOff + j];' : ''}
          var da = dhs[r * M + j];
${s.dropout > 0 ? `          if (dropoutHalf(local * M + j, step, streamId(2u, passId, a.block), key) >= ${s.dropout}u) { da = da * ${f32(s.dropoutScale)}; } else { da = 0.0; }` : ''}
          da = select(${f32(s.leak)} * da, da, act > 0.0);
${s.layerNorm ? '          G2[a.rows * M + row * M + j] = da;\n          g = da * P[a.gOff + j];' : '          g = da;'}
        }
        dps[r * M + j] = g;
      }
    }
  }
  workgroupBarrier();
${
  s.layerNorm
    ? `
  // Layer norm: dpre = (1/σ)·(g − mean(g) − x̂·mean(g·x̂)) per row.
  if (t < R && row0 + t < a.rows) {
    let row = row0 + t;
    var s1 = 0.0;
    var s2 = 0.0;
    for (var j = 0u; j < M; j++) {
      let g = dps[t * M + j];
      s1 += g;
      s2 += g * S[row * M + j];
    }
    rowStat[2u * t] = s1 / f32(M);
    rowStat[2u * t + 1u] = s2 / f32(M);
  }
  workgroupBarrier();
  for (var r = 0u; r < nr; r++) {
    let row = row0 + r;
    if (row < a.rows) {
      let rstd = S[a.rows * M + row];
      for (var u = 0u; u < UPT; u++) {
        let j = t + 64u * u;
        if (j < M) {
          dps[r * M + j] = rstd * (dps[r * M + j] - rowStat[2u * r] - S[row * M + j] * rowStat[2u * r + 1u]);
        }
      }
    }
  }
  workgroupBarrier();`
    : ''
}
  for (var r = 0u; r < nr; r++) {
    let row = row0 + r;
    for (var u = 0u; u < UPT; u++) {
      let j = t + 64u * u;
      if (j < M && row < a.rows) {
        G2[row * M + j] = dps[r * M + j];
      }
    }
  }
  // dLoss/d(input) = dpre · Wᵀ (the E'_nu row is not an input anyone needs).
  if (a.needIn != 0u) {
    for (var i = t; i < R * IN; i += 64u) {
      let r = i / IN;
      let p = i % IN;
      let row = row0 + r;
      if (row < a.rows) {
        var d = 0.0;
        for (var j = 0u; j < M; j++) {
          d += dps[r * M + j] * P[a.kOff + p * M + j];
        }
${s.skip ? '        d += dhs[r * M + p];' : ''}
        DIN[row * IN + p] = d;
      }
    }
  }
}
`;
}
