/**
 * A seedable, splittable pseudo-random generator: xoshiro128** (Blackman & Vigna, 2018) seeded through
 * splitmix32, so that stream `i` of seed `s` is an independent, reproducible sequence. 32-bit integer
 * arithmetic only, no allocation per draw (docs/reference-generator.md §7: "Use a seedable PRNG"). It
 * lives in src/util because every seeded part of nugan draws from it: the reference generator, splits,
 * GAN training and sampling.
 */

function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

const INV_2_32 = 1 / 4294967296;

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * @param seed any integer (taken modulo 2³²)
   * @param stream index of an independent sub-stream (e.g. a block of events), default 0
   */
  constructor(seed: number, stream = 0) {
    let s = (seed >>> 0) ^ Math.imul(stream + 1, 0x632be5ab);
    let v: number;
    [s, v] = splitmix32(s); this.a = v;
    [s, v] = splitmix32(s); this.b = v;
    [s, v] = splitmix32(s); this.c = v;
    [s, v] = splitmix32(s); this.d = v;
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
    // A second mixing of the stream index keeps stream i of seed s apart from stream 0 of seed s'.
    for (let i = 0; i < 8; i++) this.nextUint32();
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9);
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result >>> 0;
  }

  /** Uniform double in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextUint32() * INV_2_32;
  }

  /** Uniform double in (0, 1]: safe under a logarithm. */
  nextOpen(): number {
    return (this.nextUint32() + 1) * INV_2_32;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
