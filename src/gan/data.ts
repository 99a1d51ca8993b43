/**
 * Event tables → the proxies the networks see (docs/formats.md). Events outside the proxy domain
 * (omega < 9.8 MeV, or E_mu < m_mu) are dropped and counted: their proxy E'_mu is undefined.
 */
import { readEventTable } from '../io/event-table.ts';
import { crossSectionTableOf } from '../io/nuhepmc-xsec.ts';
import { inProxyDomain, proxyEmu, proxyEnu, proxyTheta } from '../physics/kinematics.ts';
import { Rng } from '../util/rng.ts';
import { partialShuffleInPlace, shuffleInPlace } from '../util/shuffle.ts';
import type { ProxyData } from './engines/engine.ts';

export interface LoadedProxies {
  data: ProxyData;
  /** Events read from the file. */
  read: number;
  /** Events dropped for lying outside the proxy domain. */
  outside_domain: number;
  /** E_nu range (GeV) of the kept events. */
  E_range: [number, number];
  domain?: string;
  /** The table's σ(E_nu) per channel (metadata `cross_sections`), when it carries a valid one. */
  cross_sections?: unknown;
}

/**
 * Reads an event table and converts it to proxies. `cap` keeps at most that many events, chosen
 * uniformly at random with `seed` (a cap applied after the domain cut), in file order.
 */
export async function loadProxies(file: string, cap?: number, seed = 1): Promise<LoadedProxies> {
  const { events, meta } = await readEventTable(file);
  const n = events.E_nu.length;
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (inProxyDomain(events.E_nu[i]!, events.E_mu[i]!)) keep.push(i);
  let idx = keep;
  if (cap !== undefined && cap < keep.length) {
    const r = new Rng(seed, 0xca9);
    const a = keep.slice();
    partialShuffleInPlace(a, cap, () => r.next());
    idx = a.slice(0, cap).sort((x, y) => x - y);
  }
  const m = idx.length;
  const cond = new Float32Array(m);
  const x = new Float32Array(2 * m);
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < m; k++) {
    const i = idx[k]!;
    const e = events.E_nu[i]!;
    lo = Math.min(lo, e);
    hi = Math.max(hi, e);
    cond[k] = proxyEnu(e);
    x[2 * k] = proxyEmu(events.E_mu[i]!, e);
    x[2 * k + 1] = proxyTheta(events.theta[i]!);
  }
  return { data: { cond, x, n: m }, read: n, outside_domain: n - keep.length, E_range: [lo, hi], ...(typeof meta.domain === 'string' ? { domain: meta.domain } : {}), ...(crossSectionTableOf(meta) ? { cross_sections: meta.cross_sections } : {}) };
}

/** Splits off the first `fraction` of a seeded permutation as validation data. */
export function holdOut(d: ProxyData, fraction: number, seed: number): { train: ProxyData; val: ProxyData } {
  const r = new Rng(seed, 0x4a1);
  const idx = Array.from({ length: d.n }, (_, i) => i);
  shuffleInPlace(idx, () => r.next());
  const nv = Math.max(1, Math.round(d.n * fraction));
  const take = (ids: number[]): ProxyData => {
    const cond = new Float32Array(ids.length);
    const x = new Float32Array(2 * ids.length);
    ids.forEach((i, k) => {
      cond[k] = d.cond[i]!;
      x[2 * k] = d.x[2 * i]!;
      x[2 * k + 1] = d.x[2 * i + 1]!;
    });
    return { cond, x, n: ids.length };
  };
  return { val: take(idx.slice(0, nv)), train: take(idx.slice(nv)) };
}
