/** The shared shuffles keep the draw order of the copies they replaced, so seeded results stay bit-identical. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.ts';
import { partialShuffleInPlace, shuffleInPlace } from '../../src/util/shuffle.ts';

describe('Fisher–Yates shuffles', () => {
  it('permutes a typed array exactly as the inline training-batch shuffle did for the same seeded stream', () => {
    const idx = Uint32Array.from({ length: 10 }, (_, i) => i);
    const rng = new Rng(7, 3);
    shuffleInPlace(idx, () => rng.next());
    expect([...idx]).toEqual([0, 1, 9, 5, 6, 2, 4, 7, 8, 3]);
  });

  it('draws a k-subset into the front exactly as the inline partial shuffle did', () => {
    const a = Array.from({ length: 12 }, (_, i) => i * 10);
    const rng = new Rng(11, 0xca9);
    partialShuffleInPlace(a, 4, () => rng.next());
    expect(a).toEqual([40, 110, 100, 70, 0, 50, 60, 30, 80, 90, 20, 10]);
  });

  it('keeps every element exactly once', () => {
    const a = Array.from({ length: 1000 }, (_, i) => i);
    shuffleInPlace(a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
