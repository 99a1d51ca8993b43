/**
 * Every random draw of GAN training and sampling, as a pure function of (seed, what, where).
 *
 * Engines run the same network on different hardware in different orders (shards of a batch on
 * worker threads, workgroups on a GPU), so draws cannot come from a sequential stream. They come
 * from a counter-based generator instead: Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel
 * random numbers: as easy as 1, 2, 3", SC'11), which maps a 128-bit counter and a 64-bit key to four
 * 32-bit words. The same (seed, epoch, step, stream, element) gives the same word on every engine:
 * dropout masks are bit-identical across engines and latent vectors agree to float rounding (each
 * engine evaluates log/sin/cos in its own precision), whatever the thread count or shard size.
 *
 * Layout of one draw (all u32):
 *   key     = (seed, epoch)            training; (seed, SAMPLING_EPOCH) when sampling
 *   counter = (element >> 2, step, stream, element / 2^34)   and lane = element & 3 of the output
 * where `element` indexes the draws of one stream within one step (row × latent + j for the latent
 * vector), and `stream` says what the draws are for (`stream()` below).
 *
 * Dropout needs less than a word per unit, so one Philox block serves eight units with 16-bit draws
 * (the rate is resolved to 1/65536). Unit element e (row × width + unit) lies in group g = ⌊e/64⌋ at
 * u = e mod 64, and takes half ⌊u/32⌋ (0: the low 16 bits) of word ⌊u/8⌋ mod 4 of block 8g + u mod 8.
 * The interleaving lets SIMD code draw 8 blocks at once and get 8 consecutive units per vector. The C kernels (src/gan/engines/cpu/kernels.c) and the WGSL kernels
 * (src/gan/engines/webgpu/) implement the same function; test/gan/draws.test.ts pins its values.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two u32 (exact: 16-bit limbs keep every partial < 2^53). */
function mulhi(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const t = a0 * b0;
  const m1 = a1 * b0 + (t >>> 16);
  const m2 = a0 * b1 + (m1 & 0xffff);
  return (a1 * b1 + Math.floor(m1 / 65536) + Math.floor(m2 / 65536)) >>> 0;
}

/**
 * Philox4x32-10: writes the four output words for counter (c0, c1, c2, c3) and key (k0, k1) into
 * `out` (u32 values as numbers).
 */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array): void {
  let x0 = c0 >>> 0, x1 = c1 >>> 0, x2 = c2 >>> 0, x3 = c3 >>> 0;
  let key0 = k0 >>> 0, key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

/** The key's second word while sampling (a trained model's generation is not an epoch of training). */
export const SAMPLING_EPOCH = 0xffffffff;

/** What a stream of draws is for. */
export type DrawKind = 'latent' | 'dropout' | 'noise';

/** Which forward pass of a training step a network draws for. */
export enum Pass {
  /** G producing the fakes of the discriminator update. */
  GForD = 0,
  /** D on the real events of the discriminator update. */
  DReal = 1,
  /** D on the fakes of the discriminator update. */
  DFake = 2,
  /** G producing the fakes of the generator update. */
  GForG = 3,
  /** D judging those fakes. */
  DForG = 4,
  /** Sampling a trained generator (no dropout or noise: inference mode). */
  Sample = 5,
}

const KIND_CODE: Record<DrawKind, number> = { latent: 1, dropout: 2, noise: 3 };

/** Stream id (counter word 2) of the draws of `kind` in `pass`, for block `block` (0 for the latent). */
export function stream(kind: DrawKind, pass: Pass, block = 0): number {
  if (block < 0 || block > 255) throw new RangeError(`block ${block} outside 0…255`);
  return (KIND_CODE[kind] << 16) | (pass << 8) | block;
}

const TWO_POW_M24 = 1 / 16777216;

/** Dropout keeps a unit when its 16-bit draw is ≥ this threshold (rate p ∈ [0, 1)). */
export function dropoutThreshold(p: number): number {
  return Math.floor(p * 65536);
}

/**
 * Draws of one (key, step, stream): the `element`-th u32 word, uniform in [0, 1), or standard normal.
 * Reuses one Philox block for the four elements that share it.
 */
export class Draws {
  private readonly words = new Uint32Array(4);
  private block = -1;

  constructor(
    readonly k0: number,
    readonly k1: number,
    readonly step: number,
    readonly streamId: number,
  ) {}

  word(element: number): number {
    const block = Math.floor(element / 4);
    if (block !== this.block) {
      philox4x32(block >>> 0, this.step, this.streamId, Math.floor(block / 4294967296), this.k0, this.k1, this.words);
      this.block = block;
    }
    return this.words[element & 3]!;
  }

  /** (word >> 8) · 2^−24: uniform in [0, 1), exactly representable in float32. */
  uniform(element: number): number {
    return (this.word(element) >>> 8) * TWO_POW_M24;
  }

  /** The 16-bit draw of dropout unit `element` (see the module comment for the layout). */
  half(element: number): number {
    const g = Math.floor(element / 64);
    const u = element - 64 * g;
    const w = this.word(4 * (8 * g + (u & 7)) + ((u >> 3) & 3));
    return u >= 32 ? w >>> 16 : w & 0xffff;
  }

  /** Whether dropout with threshold dropoutThreshold(p) keeps unit `element`. */
  keeps(element: number, threshold: number): boolean {
    return this.half(element) >= threshold;
  }

  /**
   * Standard normal by Box–Muller on the two words of a pair: element 2j uses r·cos(2πu₂) and 2j + 1
   * uses r·sin(2πu₂), with r = sqrt(−2 ln u₁), u₁ = ((w_{2j} >> 8) + 1)·2^−24 ∈ (0, 1] and
   * u₂ = (w_{2j+1} >> 8)·2^−24 — the pairs being words (0, 1) and (2, 3) of a Philox block.
   */
  normal(element: number): number {
    const pair = element & ~1;
    const u1 = ((this.word(pair) >>> 8) + 1) * TWO_POW_M24;
    const u2 = (this.word(pair + 1) >>> 8) * TWO_POW_M24;
    const r = Math.sqrt(-2 * Math.log(u1));
    return element & 1 ? r * Math.sin(2 * Math.PI * u2) : r * Math.cos(2 * Math.PI * u2);
  }
}
