/**
 * Muon kinematics of a CC event and the proxy variables the networks see (docs/formats.md §4).
 * Energies in GeV (E_mu is the muon's total energy), angles in radians. Pure functions on numbers;
 * column-wise wrappers live beside them and only loop.
 */
import { E_MAX, E_MIN, M_MU, M_NUCLEON, OMEGA_MIN } from './constants.ts';

/** Largest muon kinetic range used by the E_mu proxy: dE = E_nu − 9.8 MeV − m_mu (GeV). */
export function proxyEnergyRange(E_nu: number): number {
  return E_nu - OMEGA_MIN - M_MU;
}

/** E'_nu = 2 (E_nu − E_min)/(E_max − E_min) − 1; maps [0.3, 10] GeV onto [−1, 1]. */
export function proxyEnu(E_nu: number): number {
  return (2 * (E_nu - E_MIN)) / (E_MAX - E_MIN) - 1;
}

/** Inverse of {@link proxyEnu}: E_nu in GeV. */
export function enuFromProxy(Ep_nu: number): number {
  return E_MIN + ((Ep_nu + 1) * (E_MAX - E_MIN)) / 2;
}

/**
 * E'_mu = 2 sqrt(1 − (E_mu − m_mu)/dE) − 1, dE = E_nu − 0.0098 − m_mu (GeV).
 * In [−1, 1] for m_mu ≤ E_mu ≤ E_nu − 9.8 MeV; NaN when E_mu − m_mu > dE (omega < 9.8 MeV).
 */
export function proxyEmu(E_mu: number, E_nu: number): number {
  return 2 * Math.sqrt(1 - (E_mu - M_MU) / proxyEnergyRange(E_nu)) - 1;
}

/** Inverse of {@link proxyEmu}: total muon energy in GeV, E_mu = m_mu + dE (1 − ((E'_mu+1)/2)²). */
export function emuFromProxy(Ep_mu: number, E_nu: number): number {
  const h = (Ep_mu + 1) / 2;
  return M_MU + proxyEnergyRange(E_nu) * (1 - h * h);
}

/** theta' = 2 sqrt(theta/pi) − 1; maps [0, pi] rad onto [−1, 1]. */
export function proxyTheta(theta: number): number {
  return 2 * Math.sqrt(theta / Math.PI) - 1;
}

/** Inverse of {@link proxyTheta}: theta in radians. */
export function thetaFromProxy(Ep_theta: number): number {
  const h = (Ep_theta + 1) / 2;
  return Math.PI * h * h;
}

/** True when the event lies in the proxy domain (omega = E_nu − E_mu ≥ 9.8 MeV, E_mu ≥ m_mu). */
export function inProxyDomain(E_nu: number, E_mu: number): boolean {
  return E_nu - E_mu >= OMEGA_MIN && E_mu >= M_MU;
}

/** Energy transfer omega = E_nu − E_mu (GeV). */
export function omega(E_nu: number, E_mu: number): number {
  return E_nu - E_mu;
}

/** Muon momentum |p_mu| = sqrt(E_mu² − m_mu²) (GeV); 0 at E_mu = m_mu. */
export function muonMomentum(E_mu: number): number {
  return Math.sqrt(Math.max(0, E_mu * E_mu - M_MU * M_MU));
}

/** Longitudinal muon momentum p_z = |p_mu| cos(theta) (GeV). */
export function pz(E_mu: number, theta: number): number {
  return muonMomentum(E_mu) * Math.cos(theta);
}

/** Q² = 2 E_nu (E_mu − p_z) − m_mu² (GeV²), docs/reference-generator.md §0. */
export function Q2(E_nu: number, E_mu: number, theta: number): number {
  return 2 * E_nu * (E_mu - pz(E_mu, theta)) - M_MU * M_MU;
}

/**
 * Hadronic invariant mass reconstructed from the muon assuming a nucleon at rest (GeV):
 * W = sqrt(M² + 2 omega M − Q²), M = 0.938919 GeV. NaN when the argument is negative (unphysical).
 */
export function W(E_nu: number, E_mu: number, theta: number): number {
  const w2 = M_NUCLEON * M_NUCLEON + 2 * omega(E_nu, E_mu) * M_NUCLEON - Q2(E_nu, E_mu, theta);
  return w2 >= 0 ? Math.sqrt(w2) : Number.NaN;
}

/**
 * Muon angle to the beam from two 3-momenta (any common unit): theta = atan2(|p_mu × p_nu|, p_mu · p_nu),
 * rad in [0, pi]. atan2 keeps full precision near 0 and pi, where acos of the cosine would not.
 * 0 when either momentum vanishes.
 */
export function angleBetween(ax: number, ay: number, az: number, bx: number, by: number, bz: number): number {
  const cx = ay * bz - az * by;
  const cy = az * bx - ax * bz;
  const cz = ax * by - ay * bx;
  return Math.atan2(Math.hypot(cx, cy, cz), ax * bx + ay * by + az * bz);
}

/**
 * Bjorken-like energy transfer fraction y = omega / E_nu (dimensionless), in [0, 1] for physical
 * events. docs/reference-generator.md §0 (omega = E_nu − E_mu).
 */
export function inelasticity(E_nu: number, E_mu: number): number {
  return (E_nu - E_mu) / E_nu;
}

/**
 * Column-wise proxy-domain mask: 1 where omega = E_nu − E_mu ≥ 9.8 MeV and E_mu ≥ m_mu (the event
 * maps into [−1, 1]³, docs/formats.md §4), else 0. Event tables KEEP the events outside (they are
 * physical, e.g. from a local Fermi gas); train and evaluate use this mask to drop them and report
 * how many they dropped.
 */
export function proxyDomainMask(E_nu: ArrayLike<number>, E_mu: ArrayLike<number>): Uint8Array {
  const n = E_nu.length;
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = inProxyDomain(E_nu[i]!, E_mu[i]!) ? 1 : 0;
  return mask;
}

/** Number of events outside the proxy domain (omega < 9.8 MeV or E_mu < m_mu); see {@link proxyDomainMask}. */
export function countOutsideProxyDomain(E_nu: ArrayLike<number>, E_mu: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < E_nu.length; i++) if (!inProxyDomain(E_nu[i]!, E_mu[i]!)) k++;
  return k;
}

/**
 * True when E_nu (GeV) lies in the proxy energy range [E_min, E_max] = [0.3, 10] GeV, where
 * E'_nu ∈ [−1, 1]. Outside it a model conditioned on E'_nu extrapolates.
 */
export function inProxyEnergyRange(E_nu: number): boolean {
  return E_nu >= E_MIN && E_nu <= E_MAX;
}

/** Number of events whose E_nu lies outside [0.3, 10] GeV; see {@link inProxyEnergyRange}. */
export function countOutsideProxyEnergyRange(E_nu: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < E_nu.length; i++) if (!inProxyEnergyRange(E_nu[i]!)) k++;
  return k;
}

/**
 * Column-wise proxies (E'_nu, E'_mu, theta') of events given in GeV and rad; see {@link proxyEnu},
 * {@link proxyEmu}, {@link proxyTheta}. Outputs may be passed in to avoid allocation (Float32Array
 * for tensors). Events outside the proxy domain give E'_mu = NaN: mask them first.
 */
export function proxiesOf(
  E_nu: ArrayLike<number>,
  E_mu: ArrayLike<number>,
  theta: ArrayLike<number>,
  out?: { Ep_nu: Float32Array | Float64Array; Ep_mu: Float32Array | Float64Array; Ep_theta: Float32Array | Float64Array },
): { Ep_nu: Float32Array | Float64Array; Ep_mu: Float32Array | Float64Array; Ep_theta: Float32Array | Float64Array } {
  const n = E_nu.length;
  const o = out ?? { Ep_nu: new Float64Array(n), Ep_mu: new Float64Array(n), Ep_theta: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const e = E_nu[i]!;
    o.Ep_nu[i] = proxyEnu(e);
    o.Ep_mu[i] = proxyEmu(E_mu[i]!, e);
    o.Ep_theta[i] = proxyTheta(theta[i]!);
  }
  return o;
}

/**
 * Column-wise inverse of {@link proxiesOf}: (E_nu, E_mu GeV, theta rad) from the proxies; exact to
 * float precision for proxies in [−1, 1].
 */
export function eventsFromProxies(
  Ep_nu: ArrayLike<number>,
  Ep_mu: ArrayLike<number>,
  Ep_theta: ArrayLike<number>,
): { E_nu: Float64Array; E_mu: Float64Array; theta: Float64Array } {
  const n = Ep_nu.length;
  const E_nu = new Float64Array(n);
  const E_mu = new Float64Array(n);
  const theta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = enuFromProxy(Ep_nu[i]!);
    E_nu[i] = e;
    E_mu[i] = emuFromProxy(Ep_mu[i]!, e);
    theta[i] = thetaFromProxy(Ep_theta[i]!);
  }
  return { E_nu, E_mu, theta };
}
