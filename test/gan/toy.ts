/** A known 2D conditional distribution for GAN tests: (E'_mu, theta') given E'_nu = c ∈ [−1, 1]. */
import type { ProxyData } from '../../src/gan/train.ts';
import { Rng } from '../../src/util/rng.ts';

/** A standard normal draw (Box–Muller, one value per call). */
export function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(rng.nextOpen())) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * E'_mu ~ N(0.5 c, 0.15²); theta' is a two-component mixture, N(−0.4 + 0.3 c, 0.1²) or N(0.4, 0.1²)
 * with equal weight — conditional, bimodal, and well inside [−1, 1].
 */
export function toyData(n: number, seed: number): ProxyData {
  const r = new Rng(seed);
  const cond = new Float32Array(n);
  const x = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = 2 * r.next() - 1;
    cond[i] = c;
    x[2 * i] = Math.max(-0.99, Math.min(0.99, 0.5 * c + 0.15 * gaussian(r)));
    x[2 * i + 1] = Math.max(-0.99, Math.min(0.99, r.next() < 0.5 ? -0.4 + 0.3 * c + 0.1 * gaussian(r) : 0.4 + 0.1 * gaussian(r)));
  }
  return { cond, x, n };
}
