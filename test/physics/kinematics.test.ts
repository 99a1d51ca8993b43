import { describe, expect, it } from 'vitest';
import { E_MAX, E_MIN, M_MU, M_NUCLEON, OMEGA_MIN } from '../../src/physics/constants.ts';
import {
  Q2,
  W,
  angleBetween,
  countOutsideProxyDomain,
  countOutsideProxyEnergyRange,
  inProxyEnergyRange,
  emuFromProxy,
  enuFromProxy,
  eventsFromProxies,
  inProxyDomain,
  muonMomentum,
  omega,
  proxiesOf,
  proxyDomainMask,
  proxyEmu,
  proxyEnu,
  proxyTheta,
  pz,
  thetaFromProxy,
} from '../../src/physics/kinematics.ts';
import { Rng } from '../../src/util/rng.ts';

/** Random physical events inside the proxy domain: E_nu in [0.3, 10], m_mu ≤ E_mu ≤ E_nu − 9.8 MeV. */
function* randomEvents(n: number, seed = 1): Generator<[number, number, number]> {
  const rng = new Rng(seed);
  for (let i = 0; i < n; i++) {
    const E_nu = E_MIN + (E_MAX - E_MIN) * rng.next();
    const E_mu = M_MU + (E_nu - OMEGA_MIN - M_MU) * rng.next();
    yield [E_nu, E_mu, Math.PI * rng.next()];
  }
}

const EPS = Number.EPSILON;

describe('proxy variables', () => {
  it('map the proxy domain into [-1, 1] and invert to float precision', () => {
    for (const [E_nu, E_mu, theta] of randomEvents(20_000)) {
      const p = [proxyEnu(E_nu), proxyEmu(E_mu, E_nu), proxyTheta(theta)];
      for (const v of p) {
        expect(v).toBeGreaterThanOrEqual(-1);
        expect(v).toBeLessThanOrEqual(1);
      }
      const back = enuFromProxy(p[0]!);
      expect(Math.abs(back - E_nu)).toBeLessThanOrEqual(8 * EPS * E_nu);
      expect(Math.abs(emuFromProxy(p[1]!, E_nu) - E_mu)).toBeLessThanOrEqual(64 * EPS * E_nu);
      expect(Math.abs(thetaFromProxy(p[2]!) - theta)).toBeLessThanOrEqual(16 * EPS * Math.PI);
    }
  });

  it('proxies of proxies round-trip from the proxy side too', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 20_000; i++) {
      const [a, b, c] = [2 * rng.next() - 1, 2 * rng.next() - 1, 2 * rng.next() - 1];
      const E_nu = enuFromProxy(a);
      expect(Math.abs(proxyEnu(E_nu) - a)).toBeLessThan(1e-14);
      expect(Math.abs(proxyEmu(emuFromProxy(b, E_nu), E_nu) - b)).toBeLessThan(1e-7 / Math.max(1e-7, 1 + b)); // sqrt is ill-conditioned at E'_mu → −1
      expect(Math.abs(proxyTheta(thetaFromProxy(c)) - c)).toBeLessThan(1e-14 + 1e-8 * (c === -1 ? 1 : 0));
    }
  });

  it('take the documented values at the edges: theta = 0 and pi, E_mu = m_mu, omega = 9.8 MeV, E_min and E_max', () => {
    expect(proxyTheta(0)).toBe(-1);
    expect(proxyTheta(Math.PI)).toBe(1);
    expect(thetaFromProxy(-1)).toBe(0);
    expect(thetaFromProxy(1)).toBe(Math.PI);
    expect(proxyEmu(M_MU, 2)).toBe(1);
    expect(emuFromProxy(1, 2)).toBe(M_MU);
    expect(proxyEmu(2 - OMEGA_MIN, 2)).toBeCloseTo(-1, 12);
    expect(emuFromProxy(-1, 2)).toBeCloseTo(2 - OMEGA_MIN, 14);
    expect(proxyEnu(E_MIN)).toBe(-1);
    expect(proxyEnu(E_MAX)).toBe(1);
    expect(proxyTheta(Math.PI / 4)).toBeCloseTo(0, 15); // 2 sqrt(1/4) − 1
  });

  it('give NaN for E_mu outside the proxy domain (omega < 9.8 MeV)', () => {
    expect(proxyEmu(1.995, 2)).toBeNaN();
    expect(inProxyDomain(2, 1.995)).toBe(false);
    expect(inProxyDomain(2, 1.99)).toBe(true);
  });

  it('column helpers agree with the scalar functions and count events outside the domain', () => {
    const E_nu = Float64Array.of(1, 2, 3, 0.5);
    const E_mu = Float64Array.of(0.5, 1.995, 0.1, 0.2); // 1.995: omega 5 MeV; 0.1 < m_mu
    expect(Array.from(proxyDomainMask(E_nu, E_mu))).toEqual([1, 0, 0, 1]);
    expect(countOutsideProxyDomain(E_nu, E_mu)).toBe(2);
    const theta = Float64Array.of(0.1, 0.2, 0.3, 3);
    const p = proxiesOf(E_nu, E_mu, theta);
    expect(p.Ep_mu[0]).toBe(proxyEmu(0.5, 1));
    expect(p.Ep_theta[3]).toBe(proxyTheta(3));
    const back = eventsFromProxies(p.Ep_nu, p.Ep_mu, p.Ep_theta);
    expect(back.E_nu[3]).toBeCloseTo(0.5, 14);
    expect(back.E_mu[0]).toBeCloseTo(0.5, 14);
    expect(back.theta[2]).toBeCloseTo(0.3, 14);
  });

  it('the proxy energy range is [0.3, 10] GeV inclusive, where E\'_nu spans [−1, 1]', () => {
    expect([0.2999, 0.3, 5, 10, 10.0001].map(inProxyEnergyRange)).toEqual([false, true, true, true, false]);
    expect(proxyEnu(0.3)).toBe(-1);
    expect(proxyEnu(10)).toBe(1);
    expect(countOutsideProxyEnergyRange(Float64Array.of(0.173, 0.3, 10, 12))).toBe(2);
  });
});

describe('reconstructed kinematics', () => {
  it('gives p_z = |p| at theta = 0, -|p| at theta = pi, and 0 at E_mu = m_mu', () => {
    const p = muonMomentum(1);
    expect(p).toBeCloseTo(Math.sqrt(1 - M_MU * M_MU), 15);
    expect(pz(1, 0)).toBe(p);
    expect(pz(1, Math.PI)).toBeCloseTo(-p, 15);
    expect(muonMomentum(M_MU)).toBe(0);
    expect(pz(M_MU, 1)).toBe(0);
  });

  it('puts the free-nucleon quasielastic event at W = M_N', () => {
    // Elastic nu n → mu p on a nucleon at rest: Q² = 2 M omega, so W² = M².
    for (const [E_nu, theta] of [[1, 0.5], [0.6, 1.2], [3, 0.1]] as const) {
      // Solve E_mu from the two-body kinematics by bisection on W² − M² = 0.
      let lo: number = M_MU;
      let hi: number = E_nu;
      for (let k = 0; k < 200; k++) {
        const mid = (lo + hi) / 2;
        const w2 = M_NUCLEON ** 2 + 2 * omega(E_nu, mid) * M_NUCLEON - Q2(E_nu, mid, theta);
        if (w2 > M_NUCLEON ** 2) lo = mid;
        else hi = mid;
      }
      expect(W(E_nu, lo, theta)).toBeCloseTo(M_NUCLEON, 9);
    }
  });

  it('has Q² smallest at theta = 0 for fixed energies, and W is NaN where W² < 0', () => {
    for (const [E_nu, E_mu, theta] of randomEvents(2000, 3)) {
      expect(Q2(E_nu, E_mu, theta)).toBeGreaterThanOrEqual(Q2(E_nu, E_mu, 0) - 1e-12);
    }
    expect(W(1, 0.95, Math.PI)).toBeNaN(); // Q² = 3.78 GeV² exceeds M² + 2 omega M = 0.97 GeV²
  });

  it('measures the angle between momenta precisely near 0 and pi', () => {
    expect(angleBetween(1e-9, 0, 1, 0, 0, 5)).toBeCloseTo(1e-9, 20);
    expect(angleBetween(1e-9, 0, -1, 0, 0, 5)).toBeCloseTo(Math.PI - 1e-9, 15);
    expect(angleBetween(1, 1, 0, 0, 0, 1)).toBeCloseTo(Math.PI / 2, 15);
    expect(angleBetween(0, 0, 0, 0, 0, 1)).toBe(0);
  });
});
