import { describe, expect, it } from 'vitest';
import { Draws, dropoutThreshold, philox4x32, stream, Pass } from '../../src/gan/draws.ts';

const hex = (a: Uint32Array) => [...a].map((x) => x.toString(16).padStart(8, '0'));

describe('Philox4x32-10', () => {
  // Known-answer vectors of the Random123 distribution (kat_vectors, philox4x32 10 rounds).
  it('reproduces the Random123 known-answer vectors', () => {
    const out = new Uint32Array(4);
    philox4x32(0, 0, 0, 0, 0, 0, out);
    expect(hex(out)).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    philox4x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, out);
    expect(hex(out)).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
    philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
    expect(hex(out)).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });
});

describe('draws', () => {
  it('give standard normals: mean 0, variance 1, and the right tail fraction', () => {
    const d = new Draws(7, 1, 0, stream('latent', Pass.GForD));
    const n = 200_000;
    let s = 0, s2 = 0, tail = 0;
    for (let e = 0; e < n; e++) {
      const x = d.normal(e);
      s += x;
      s2 += x * x;
      if (Math.abs(x) > 1.96) tail++;
    }
    const mean = s / n;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    // P(|x| > 1.96) = 0.05; binomial standard error sqrt(0.05·0.95/n).
    expect(Math.abs(tail / n - 0.05)).toBeLessThan(5 * Math.sqrt(0.0475 / n));
  });

  it('keep a dropout unit with probability 1 − p, and use all 16 bits of every word', () => {
    const d = new Draws(3, 2, 5, stream('dropout', Pass.DReal, 1));
    const p = 0.1;
    const thr = dropoutThreshold(p);
    const n = 100_000;
    let kept = 0;
    for (let e = 0; e < n; e++) if (d.keeps(e, thr)) kept++;
    expect(Math.abs(kept / n - (1 - p))).toBeLessThan(5 * Math.sqrt(p * (1 - p) / n));
    // The 64 units of a group take both halves of all four words of eight blocks, each once.
    const seen = new Set<string>();
    const halves = new Map<number, number>();
    for (let e = 0; e < 64; e++) halves.set(d.half(e), e);
    for (let b = 0; b < 8; b++) for (let w = 0; w < 4; w++) {
      const word = d.word(4 * b + w);
      for (const h of [word & 0xffff, word >>> 16]) seen.add(String(halves.get(h)));
    }
    expect(seen.size).toBe(64);
  });

  it('differ between seeds, epochs, steps, streams and blocks, and repeat for the same ones', () => {
    const first = (k0: number, k1: number, step: number, s: number) => new Draws(k0, k1, step, s).word(0);
    const base = first(1, 1, 0, stream('dropout', Pass.GForD, 0));
    expect(first(1, 1, 0, stream('dropout', Pass.GForD, 0))).toBe(base);
    for (const other of [first(2, 1, 0, stream('dropout', Pass.GForD, 0)), first(1, 2, 0, stream('dropout', Pass.GForD, 0)), first(1, 1, 1, stream('dropout', Pass.GForD, 0)), first(1, 1, 0, stream('dropout', Pass.DReal, 0)), first(1, 1, 0, stream('dropout', Pass.GForD, 1)), first(1, 1, 0, stream('noise', Pass.GForD, 0))]) {
      expect(other).not.toBe(base);
    }
  });
});
