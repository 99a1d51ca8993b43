/**
 * The fused forward kernel of one block: dense → layer norm → leaky ReLU → dropout → noise → skip,
 * and for the last block the output layer (and tanh for the generator) too. One workgroup of 64
 * threads takes a tile of rows: the tile's inputs sit in workgroup memory, each thread holds the
 * pre-activations of its units for every row of the tile in registers, and the layer norm's row
 * statistics come from the tile in workgroup memory — so a block reads its input and the weights
 * once and writes its output once.
 *
 * Training passes keep, per block, the normalised pre-activation x̂ and 1/σ of each row (what
 * backward needs; the dropout mask is drawn again there instead of stored). Inference writes only h.
 */
import { CONTROL_WGSL, DRAWS_WGSL } from './draws.ts';
import { f32, LN_EPS_WGSL, type BlockShape } from './shape.ts';

/** Uniform words of a forward dispatch (all u32), in struct order. */
export const FORWARD_ARGS = ['rows', 'condMod', 'split', 'passA', 'passB', 'block', 'train', 'storeX', 'kOff', 'bOff', 'gOff', 'betaOff', 'okOff', 'obOff', 'inOff', 'outOff'] as const;

/**
 * Bindings: 0 weights, 1 input [rows, inW] (from inOff), 2 E'_nu (row % condMod), 3 h [rows, width],
 * 4 x̂ [rows, width] then 1/σ [rows], 5 the output layer's values [rows, outDim] (from outOff),
 * 6 the control buffer, 7 the arguments. Rows below `split` draw for passId passA, the others for
 * passB with row numbers from 0 again (the D update runs real and fake rows in one dispatch).
 */
export function forwardWgsl(s: BlockShape): string {
  const R = s.rows;
  const M = s.width;
  const K = s.inW + 1;
  const upt = Math.ceil(M / 64);
  const out = s.head?.outDim ?? 0;
  return /* wgsl */ `
${DRAWS_WGSL}
${CONTROL_WGSL}
struct Args { ${FORWARD_ARGS.map((n) => `${n}: u32`).join(', ')} }

const IN = ${s.inW}u;
const M = ${M}u;
const K = ${K}u;
const R = ${R}u;
const UPT = ${upt}u;
const OUT = ${Math.max(out, 1)}u;

@group(0) @binding(0) var<storage, read> P: array<f32>;
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read> C: array<f32>;
@group(0) @binding(3) var<storage, read_write> H: array<f32>;
@group(0) @binding(4) var<storage, read_write> S: array<f32>;
@group(0) @binding(5) var<storage, read_write> O: array<f32>;
@group(0) @binding(6) var<storage, read> ctl: Control;
@group(0) @binding(7) var<uniform> a: Args;

var<workgroup> xin: array<f32, ${R * K}>;
var<workgroup> tile: array<f32, ${R * M}>;
var<workgroup> rowStat: array<f32, ${2 * R}>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let row0 = wg.x * R;
  // The tile's inputs, E'_nu as the last column.
  for (var i = t; i < R * K; i += 64u) {
    let r = i / K;
    let p = i % K;
    let row = row0 + r;
    var v = 0.0;
    if (row < a.rows) {
      if (p < IN) {
        v = X[a.inOff + row * IN + p];
      } else {
        v = C[row % a.condMod];
      }
    }
    xin[i] = v;
  }
  workgroupBarrier();

  // Dense: each weight is read once per tile and used for every row of it.
  var acc: array<f32, ${R * upt}>;
  for (var u = 0u; u < UPT; u++) {
    let j = t + 64u * u;
    if (j < M) {
      let bias = P[a.bOff + j];
      for (var r = 0u; r < R; r++) {
        acc[r * UPT + u] = bias;
      }
    }
  }
  for (var p = 0u; p < K; p++) {
    for (var u = 0u; u < UPT; u++) {
      let j = t + 64u * u;
      if (j < M) {
        let w = P[a.kOff + p * M + j];
        for (var r = 0u; r < R; r++) {
          acc[r * UPT + u] += xin[r * K + p] * w;
        }
      }
    }
  }
  for (var u = 0u; u < UPT; u++) {
    let j = t + 64u * u;
    if (j < M) {
      for (var r = 0u; r < R; r++) {
        tile[r * M + j] = acc[r * UPT + u];
      }
    }
  }
  workgroupBarrier();
${
  s.layerNorm
    ? `
  // Layer-norm statistics of each row (two passes, as the reference computes them).
  if (t < R) {
    var mean = 0.0;
    for (var j = 0u; j < M; j++) {
      mean += tile[t * M + j];
    }
    mean /= f32(M);
    var v = 0.0;
    for (var j = 0u; j < M; j++) {
      let d = tile[t * M + j] - mean;
      v += d * d;
    }
    rowStat[2u * t] = mean;
    rowStat[2u * t + 1u] = 1.0 / sqrt(v / f32(M) + ${LN_EPS_WGSL});
  }
  workgroupBarrier();`
    : ''
}
  let key = vec2<u32>(ctl.seed, ctl.epoch);
  let step = ctl.step;
  // A loop bound known only at run time: compilers (lavapipe's LLVM above all) would otherwise
  // unroll the draws R times over, and compile for tens of seconds.
  let nr = min(R, a.rows - row0);
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
      if (j >= M) {
        break;
      }
      let pre = tile[r * M + j];
      var xh = pre;
      var act = pre;
${s.layerNorm ? `      xh = (pre - rowStat[2u * r]) * rowStat[2u * r + 1u];\n      act = P[a.gOff + j] * xh + P[a.betaOff + j];` : ''}
      var y = select(${f32(s.leak)} * act, act, act > 0.0);
      if (a.train != 0u) {
        let e = local * M + j;
${s.dropout > 0 ? `        if (dropoutHalf(e, step, streamId(2u, passId, a.block), key) >= ${s.dropout}u) { y = y * ${f32(s.dropoutScale)}; } else { y = 0.0; }` : ''}
${s.noise > 0 ? `        y += ${f32(s.noise)} * drawNormal(e, 0u, step, streamId(3u, passId, a.block), key);` : ''}
      }
${s.skip ? '      y += xin[r * K + j];' : ''}
      H[row * M + j] = y;
      if (a.storeX != 0u) {
        S[row * M + j] = xh;
      }
      tile[r * M + j] = y;
    }
  }
${s.layerNorm ? `  if (a.storeX != 0u && t < R && row0 + t < a.rows) {\n    S[a.rows * M + row0 + t] = rowStat[2u * t + 1u];\n  }` : ''}
${
  s.head
    ? `
  // The output layer on the tile's block outputs.
  workgroupBarrier();
  for (var i = t; i < R * OUT; i += 64u) {
    let r = i / OUT;
    let k = i % OUT;
    let row = row0 + r;
    if (row < a.rows) {
      var z = P[a.obOff + k] + xin[r * K + IN] * P[a.okOff + M * OUT + k];
      for (var j = 0u; j < M; j++) {
        z += tile[r * M + j] * P[a.okOff + j * OUT + k];
      }
${s.head.tanh ? '      z = tanh(clamp(z, -15.0, 15.0));' : ''}
      O[a.outOff + row * OUT + k] = z;
    }
  }`
    : ''
}
}
`;
}
