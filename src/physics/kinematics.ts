/**
 * Muon kinematics of a CC event and the proxy variables the networks see (DESIGN.md §1).
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

/** Q² = 2 E_nu (E_mu − p_z) − m_mu² (GeV²), DESIGN.md §1. */
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
