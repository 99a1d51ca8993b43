/**
 * Metrics speed: 1M reference vs 1M generated events at one fixed energy (the issue asks for well under
 * a second per energy). Prints milliseconds for the proxy histograms + MAP, the exact EMDs, and the
 * whole comparison (physics histograms included).
 */
import { compareSamples, proxyColumns } from '../src/metrics/compare.ts';
import { wasserstein1 } from '../src/metrics/emd.ts';
import { hist2d } from '../src/metrics/histogram.ts';
import { meanAbsPull } from '../src/metrics/map.ts';
import { emuFromProxy, thetaFromProxy } from '../src/physics/kinematics.ts';
import { Rng } from '../src/util/rng.ts';

function sample(n: number, E_nu: number, seed: number) {
  const rng = new Rng(seed);
  const E_mu = new Float64Array(n);
  const theta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Triangular densities in the proxy plane: a populated but non-uniform histogram.
    E_mu[i] = emuFromProxy(rng.next() + rng.next() - 1, E_nu);
    theta[i] = thetaFromProxy(Math.max(rng.next(), rng.next()) * 2 - 1);
  }
  return { E_nu: new Float64Array(n).fill(E_nu), E_mu, theta };
}

function time<T>(f: () => T): [T, number] {
  const t = performance.now();
  const r = f();
  return [r, performance.now() - t];
}

export async function bench(): Promise<void> {
  const n = 1_000_000;
  const ref = sample(n, 2, 1);
  const gen = sample(n, 2, 2);
  const pr = proxyColumns(ref);
  const pg = proxyColumns(gen);
  const grid = { lo: -1, hi: 1, bins: 50 };
  const runs = 3;
  for (let r = 0; r < runs; r++) {
    const [, tMap] = time(() => meanAbsPull(hist2d(pr.Ep_mu, pr.Ep_theta, grid, grid).counts, hist2d(pg.Ep_mu, pg.Ep_theta, grid, grid).counts));
    const [, tEmd] = time(() => [wasserstein1(pr.Ep_mu, pg.Ep_mu), wasserstein1(pr.Ep_theta, pg.Ep_theta)]);
    const [c, tAll] = time(() => compareSamples(ref, gen));
    process.stdout.write(
      `metrics 1M vs 1M run ${r + 1}: hist2d+MAP ${tMap.toFixed(0)} ms, EMD x2 ${tEmd.toFixed(0)} ms, full comparison ${tAll.toFixed(0)} ms (MAP ${c.map.nonzero.map.toFixed(3)})\n`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await bench();
