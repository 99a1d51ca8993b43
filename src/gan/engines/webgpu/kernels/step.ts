/**
 * The small kernels that begin and end a training step, and the sampling latents:
 *
 * - prepare: gathers the step's real rows and conditions through the epoch's row order (training
 *   data stays on the GPU for the whole stage) and draws both generator passes' latent vectors;
 * - stats: sums the step's losses and D outputs into the epoch's per-step slots (read back once per
 *   epoch) and advances the control buffer's step counter — the last dispatch of every step;
 * - latents: the sampling stream's latent vectors for a chunk of generated events.
 */
import { CONTROL_WGSL, DRAWS_WGSL } from './draws.ts';

export const PREPARE_ARGS = ['batch', 'latent'] as const;
export const PREPARE_WORKGROUP = 64;

/** Bindings: 0 data x [n, 2], 1 data E'_nu [n], 2 row order, 3 D's input [2B, 2] (real rows first), 4 the step's E'_nu [B], 5 latents [2B, latent], 6 control, 7 arguments. */
export const PREPARE_WGSL = /* wgsl */ `
${DRAWS_WGSL}
${CONTROL_WGSL}
struct Args { ${PREPARE_ARGS.map((n) => `${n}: u32`).join(', ')} }
@group(0) @binding(0) var<storage, read> DATAX: array<f32>;
@group(0) @binding(1) var<storage, read> DATAC: array<f32>;
@group(0) @binding(2) var<storage, read> ORDER: array<u32>;
@group(0) @binding(3) var<storage, read_write> DX: array<f32>;
@group(0) @binding(4) var<storage, read_write> CS: array<f32>;
@group(0) @binding(5) var<storage, read_write> Z: array<f32>;
@group(0) @binding(6) var<storage, read> ctl: Control;
@group(0) @binding(7) var<uniform> a: Args;

@compute @workgroup_size(${PREPARE_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.y * nw.x * ${PREPARE_WORKGROUP}u + gid.x;
  let B = a.batch;
  if (i < B) {
    let k = ORDER[ctl.step * B + i];
    DX[2u * i] = DATAX[2u * k];
    DX[2u * i + 1u] = DATAX[2u * k + 1u];
    CS[i] = DATAC[k];
    return;
  }
  let e = i - B;
  let n = B * a.latent;
  if (e >= 2u * n) {
    return;
  }
  // Pass 0 (G for the D update) then passId 3 (G for its own update): draws.ts's Pass numbers.
  var passId = 0u;
  var local = e;
  if (e >= n) {
    passId = 3u;
    local = e - n;
  }
  Z[e] = drawNormal(local, 0u, ctl.step, streamId(1u, passId, 0u), vec2<u32>(ctl.seed, ctl.epoch));
}
`;

export const STATS_ARGS = ['batch'] as const;

/** Bindings: 0 D's logits of the D update [2B] (real first), 1 D's logits of the G update [B], 2 per-step sums, 3 control (read-write), 4 arguments. */
export const STATS_WGSL = /* wgsl */ `
${CONTROL_WGSL}
struct Args { batch: u32 }
@group(0) @binding(0) var<storage, read> LD: array<f32>;
@group(0) @binding(1) var<storage, read> LG: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> ctl: Control;
@group(0) @binding(4) var<uniform> a: Args;

var<workgroup> red: array<vec4<f32>, 256>;

fn softplus(x: f32) -> f32 {
  return max(x, 0.0) + log(1.0 + exp(-abs(x)));
}
fn sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) t: u32) {
  var s = vec4<f32>(0.0);
  for (var i = t; i < a.batch; i += 256u) {
    let lr = LD[i];
    let lf = LD[a.batch + i];
    let lg = LG[i];
    s += vec4<f32>(softplus(-lr) + softplus(lf), softplus(-lg), sigmoid(lr), sigmoid(lf));
  }
  red[t] = s;
  workgroupBarrier();
  for (var k = 128u; k > 0u; k >>= 1u) {
    if (t < k) {
      red[t] += red[t + k];
    }
    workgroupBarrier();
  }
  if (t == 0u) {
    let step = ctl.step;
    stats[step] = red[0];
    ctl.step = step + 1u;
  }
}
`;

export const LATENT_ARGS = ['count', 'baseLo', 'baseHi', 'seed'] as const;
export const LATENT_WORKGROUP = 64;

/** Bindings: 0 latents [count], 1 arguments. Element base + i of the sampling stream (key (seed, SAMPLING_EPOCH), step 0). */
export const LATENT_WGSL = /* wgsl */ `
${DRAWS_WGSL}
struct Args { ${LATENT_ARGS.map((n) => `${n}: u32`).join(', ')} }
@group(0) @binding(0) var<storage, read_write> Z: array<f32>;
@group(0) @binding(1) var<uniform> a: Args;

@compute @workgroup_size(${LATENT_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.y * nw.x * ${LATENT_WORKGROUP}u + gid.x;
  if (i >= a.count) {
    return;
  }
  let lo = a.baseLo + i;
  let hi = a.baseHi + select(0u, 1u, lo < a.baseLo);
  Z[i] = drawNormal(lo, hi, 0u, streamId(1u, 5u, 0u), vec2<u32>(a.seed, 0xffffffffu));
}
`;
