import { describe, expect, it } from 'vitest';
import { compareSamples, physicsColumn, proxyColumns, type Sample } from '../../src/metrics/compare.ts';
import { M_MU } from '../../src/physics/constants.ts';
import { emuFromProxy, thetaFromProxy, W } from '../../src/physics/kinematics.ts';
import { Rng } from '../../src/util/rng.ts';

/** Events at fixed E_nu, uniform in the proxy plane, so every proxy bin is populated. */
function sample(n: number, E_nu: number, seed: number, shiftEmuProxy = 0): Sample {
  const rng = new Rng(seed);
  const E_mu = new Float64Array(n);
  const theta = new Float64Array(n);
  const channel = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.min(1, -1 + 2 * rng.next() + shiftEmuProxy);
    E_mu[i] = emuFromProxy(a, E_nu);
    theta[i] = thetaFromProxy(-1 + 2 * rng.next());
    channel[i] = i % 3 === 0 ? 2 : 0;
  }
  return { E_nu: new Float64Array(n).fill(E_nu), E_mu, theta, channel };
}

describe('comparing a generated sample with a reference', () => {
  it('computes p_mu = sqrt(E_mu² − m_mu²) and cos theta_mu, the variables T2K and DUNE bin their results in', () => {
    const s: Sample = { E_nu: Float64Array.of(2, 2), E_mu: Float64Array.of(1, M_MU), theta: Float64Array.of(Math.PI / 3, Math.PI) };
    const p = physicsColumn(s, 'p_mu');
    expect(p[0]).toBeCloseTo(Math.sqrt(1 - M_MU * M_MU), 12);
    expect(p[1]).toBe(0);
    const c = physicsColumn(s, 'cos_theta');
    expect(c[0]).toBeCloseTo(0.5, 12);
    expect(c[1]).toBeCloseTo(-1, 12);
  });

  it('gives MAP 0 and EMD 0 for identical samples', () => {
    const s = sample(50_000, 2, 1);
    const c = compareSamples(s, s);
    expect(c.map.nonzero.map).toBe(0);
    expect(c.map.gt5.map).toBe(0);
    expect(c.emd.E_mu_proxy).toBe(0);
    expect(c.emd.theta_proxy).toBe(0);
    for (const v of Object.values(c.physics)) expect(v.emd).toBe(0);
  });

  it('recovers a known shift of E_mu proxy as its EMD and leaves theta untouched', () => {
    const ref = sample(100_000, 3, 2);
    const p = proxyColumns(ref).Ep_mu;
    const gen = { ...ref, E_mu: p.map((x) => emuFromProxy(Math.max(-1, x - 0.1), 3)) };
    const c = compareSamples(ref, gen);
    // Shifting by −0.1 and clamping at −1: the EMD is the mean displacement, 0.1 minus the clamped part.
    let expected = 0;
    for (const x of p) expected += x - Math.max(-1, x - 0.1);
    expected /= p.length;
    expect(c.emd.E_mu_proxy).toBeCloseTo(expected, 9);
    expect(c.emd.theta_proxy).toBe(0);
    expect(c.emd.mean).toBeCloseTo(expected / 2, 9);
  });

  it('keeps histograms of the right shapes and splits the reference by channel', () => {
    const c = compareSamples(sample(20_000, 1, 3), sample(20_000, 1, 4));
    expect(c.histograms.proxy.reference).toHaveLength(2500);
    expect(c.histograms.physics.W.reference).toHaveLength(60);
    const byChannel = c.histograms.physics.W.referenceByChannel!;
    expect(Object.keys(byChannel).sort()).toEqual(['QE', 'RES']);
    const sumChannels = byChannel.QE!.map((n, i) => n + byChannel.RES![i]!);
    expect(sumChannels).toEqual(c.histograms.physics.W.reference);
  });

  it('counts events outside the proxy domain instead of binning them', () => {
    const s = sample(1000, 1, 5);
    s.E_mu[0] = 0.999; // omega = 1 MeV < 9.8 MeV
    s.E_mu[1] = M_MU * 0.5; // below the muon mass
    const c = compareSamples(s, sample(1000, 1, 6));
    expect(c.outsideProxyDomain.reference).toBe(2);
  });

  it('reconstructs W from the muon as src/physics/kinematics does', () => {
    const s = sample(10, 2, 7);
    const w = physicsColumn(s, 'W');
    for (let i = 0; i < 10; i++) expect(w[i]).toBe(W(2, s.E_mu[i]!, s.theta[i]!));
  });
});
