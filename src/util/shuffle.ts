/**
 * Fisher–Yates shuffles (Knuth, TAOCP vol. 2, §3.4.2, Algorithm P) over any indexable array, with the
 * random source injected: `Math.random` where order only has to vary (the scheduler), a seeded `Rng`
 * where results must be reproducible. The draw order is part of the contract — seeded results
 * (training batches, held-out events) stay bit-identical only as long as it does not change.
 */

/** Indexable and writable: plain arrays and typed arrays alike. */
export interface Shuffleable<T> {
  readonly length: number;
  [index: number]: T;
}

/**
 * Uniform random permutation of `a`, in place: for i = n−1 down to 1, swap a[i] with a[j],
 * j = ⌊random()·(i+1)⌋ — one draw per position, highest position first.
 */
export function shuffleInPlace<T>(a: Shuffleable<T>, random: () => number = Math.random): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/**
 * A uniform random `k`-subset of `a`, moved to a[0..k) in place (the first k steps of a forward
 * Fisher–Yates): for i = 0 … k−1, swap a[i] with a[j], j = i + ⌊random()·(n−i)⌋.
 */
export function partialShuffleInPlace<T>(a: Shuffleable<T>, k: number, random: () => number = Math.random): void {
  const n = a.length;
  for (let i = 0; i < Math.min(k, n); i++) {
    const j = i + Math.floor(random() * (n - i));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}
