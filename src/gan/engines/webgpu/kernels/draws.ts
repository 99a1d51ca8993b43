/**
 * The draws of draws.ts in WGSL: Philox4x32-10 with the same counter and key layout, so the WebGPU
 * engine's dropout masks are bit-identical to the other engines' and its normals agree to float
 * rounding (WGSL evaluates log/sin/cos in float32, the reference in doubles).
 *
 * WGSL has no 64-bit integers: the high word of a 32×32-bit product is built from 16-bit limbs, as
 * draws.ts does in JavaScript (every partial sum fits in a u32).
 */
export const DRAWS_WGSL = /* wgsl */ `
fn mulhi32(a: u32, b: u32) -> u32 {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let t = a0 * b0;
  let m1 = a1 * b0 + (t >> 16u);
  let m2 = a0 * b1 + (m1 & 0xffffu);
  return a1 * b1 + (m1 >> 16u) + (m2 >> 16u);
}

fn philox(c: vec4<u32>, k: vec2<u32>) -> vec4<u32> {
  var x = c;
  var key = k;
  for (var round = 0u; round < 10u; round++) {
    let hi0 = mulhi32(0xd2511f53u, x.x);
    let lo0 = 0xd2511f53u * x.x;
    let hi1 = mulhi32(0xcd9e8d57u, x.z);
    let lo1 = 0xcd9e8d57u * x.z;
    x = vec4<u32>(hi1 ^ x.y ^ key.x, lo1, hi0 ^ x.w ^ key.y, lo0);
    key = key + vec2<u32>(0x9e3779b9u, 0xbb67ae85u);
  }
  return x;
}

// stream(kind, passId, block) of draws.ts: kind 1 latent, 2 dropout, 3 noise.
fn streamId(kind: u32, passId: u32, block: u32) -> u32 {
  return (kind << 16u) | (passId << 8u) | block;
}

// Standard normal of element (hi·2^32 + lo) by Box–Muller on the word pair that holds it.
fn drawNormal(lo: u32, hi: u32, step: u32, stream: u32, key: vec2<u32>) -> f32 {
  let w = philox(vec4<u32>((hi << 30u) | (lo >> 2u), step, stream, hi >> 2u), key);
  var pair = w.xy;
  if ((lo & 2u) != 0u) {
    pair = w.zw;
  }
  let u1 = f32((pair.x >> 8u) + 1u) * 5.9604644775390625e-8;
  let u2 = f32(pair.y >> 8u) * 5.9604644775390625e-8;
  let r = sqrt(-2.0 * log(u1));
  if ((lo & 1u) != 0u) {
    return r * sin(6.283185307179586 * u2);
  }
  return r * cos(6.283185307179586 * u2);
}

// The 16-bit dropout draw of unit element e: eight units share a Philox block (draws.ts).
fn dropoutHalf(e: u32, step: u32, stream: u32, key: vec2<u32>) -> u32 {
  let g = e >> 6u;
  let u = e & 63u;
  let w = philox(vec4<u32>(8u * g + (u & 7u), step, stream, 0u), key);
  let word = w[(u >> 3u) & 3u];
  if (u >= 32u) {
    return word >> 16u;
  }
  return word & 0xffffu;
}
`;

/** The control buffer every training kernel reads: where the epoch is, and each step's constants. */
export const CONTROL_WGSL = /* wgsl */ `
// step: steps done in this epoch (the stats kernel advances it at the end of each step);
// table[2s] = (Adam's c1, c2, lr_d, lr_g) and table[2s + 1].x = the EMA decay of step s.
struct Control {
  step: u32,
  seed: u32,
  epoch: u32,
  pad: u32,
  table: array<vec4<f32>>,
}
`;
