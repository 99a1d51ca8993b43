/**
 * Adam over one network's range of the flat parameter buffer, one thread per weight, one dispatch;
 * weights of frozen blocks (mask 0) are skipped — neither they nor their moments are ever written.
 * For the generator the same dispatch then moves the weight average (EMA) towards the new weights.
 * Step constants (bias corrections, learning rates with the epoch's scale, EMA decay) come from the
 * control buffer's table, written once per epoch.
 */
import { CONTROL_WGSL } from './draws.ts';

export const ADAM_ARGS = ['off', 'count', 'net', 'ema', 'beta1', 'beta2', 'eps'] as const;
export const ADAM_FLOAT_ARGS = new Set(['beta1', 'beta2', 'eps']);
export const ADAM_WORKGROUP = 256;

/** Bindings: 0 weights, 1 m, 2 v, 3 gradients, 4 trainable mask (u32 per weight), 5 EMA (G's layout), 6 control, 7 arguments. */
export const ADAM_WGSL = /* wgsl */ `
${CONTROL_WGSL}
struct Args { ${ADAM_ARGS.map((n) => `${n}: ${ADAM_FLOAT_ARGS.has(n) ? 'f32' : 'u32'}`).join(', ')} }

@group(0) @binding(0) var<storage, read_write> W: array<f32>;
@group(0) @binding(1) var<storage, read_write> Mo: array<f32>;
@group(0) @binding(2) var<storage, read_write> Vo: array<f32>;
@group(0) @binding(3) var<storage, read> GR: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<u32>;
@group(0) @binding(5) var<storage, read_write> E: array<f32>;
@group(0) @binding(6) var<storage, read> ctl: Control;
@group(0) @binding(7) var<uniform> a: Args;

@compute @workgroup_size(${ADAM_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let i = gid.y * nw.x * ${ADAM_WORKGROUP}u + gid.x;
  if (i >= a.count) {
    return;
  }
  let k = a.off + i;
  let c = ctl.table[2u * ctl.step];
  if (mask[k] != 0u) {
    let g = GR[k];
    let m = a.beta1 * Mo[k] + (1.0 - a.beta1) * g;
    let v = a.beta2 * Vo[k] + (1.0 - a.beta2) * g * g;
    Mo[k] = m;
    Vo[k] = v;
    let lr = select(c.z, c.w, a.net == 1u);
    W[k] = W[k] - lr * (m * c.x) / (sqrt(v * c.y) + a.eps);
  }
  if (a.ema != 0u) {
    let beta = ctl.table[2u * ctl.step + 1u].x;
    E[i] = beta * E[i] + (1.0 - beta) * W[k];
  }
}
`;
