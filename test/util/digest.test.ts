/** The shared digests against published test vectors and the values of the copies they replaced. */
import { describe, expect, it } from 'vitest';
import { fnv1a32, hexDigest, mixSeed } from '../../src/util/digest.ts';

describe('digests', () => {
  it('FNV-1a 32 matches the reference test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hexDigest of parts equals the digest of their concatenation', () => {
    expect(hexDigest('sha256', 'abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hexDigest('sha256', 'a', new TextEncoder().encode('b'), 'c')).toBe(hexDigest('sha256', 'abc'));
    expect(hexDigest('sha1', 'abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });

  it('mixSeed gives the per-batch seeds the generator derived before it moved here', () => {
    expect([mixSeed(1, 0), mixSeed(1, 1), mixSeed(123456789, 41)]).toEqual([4186985214, 3192336142, 3987895345]);
  });
});
