/**
 * Charged-current quasielastic scattering on a free nucleon: the Llewellyn Smith cross section
 * (docs/reference-generator.md §1.1 [LS], [FZ], NuWro src/qel_sigma.cc), two-body Q² limits and the BeRPA
 * suppression (§1.3). Part of nugan's analytic reference generator — a stand-in for NuWro, not NuWro.
 */
import { COS_CABIBBO_QE, G_F, M_MU, M_NUCLEON } from './constants.ts';
import { formFactors, type FormFactors, type VectorFormFactorSet } from './form-factors.ts';

const ff: FormFactors = { F1: 0, F2: 0, FA: 0, FP: 0 };

/**
 * dσ/dQ² (GeV⁻⁴) for ν n → μ⁻ p (ξ = +1) or ν̄ p → μ⁺ n (ξ = −1):
 * (G_F² cos²θ_C M²/(8πE²))·[A + ξB(s−u)/M² + C(s−u)²/M⁴], s−u = 4ME − Q² − m_μ², M = 0.938919 GeV.
 * E: neutrino energy in the nucleon rest frame (GeV); Q² ≥ 0 (GeV²). Returns 0 for a negative bracket.
 * Source: docs/reference-generator.md §1.1 [LS], form factors §1.2.
 */
export function dsigmaQE_dQ2(E: number, Q2: number, xi: number, MA: number, set: VectorFormFactorSet): number {
  const M = M_NUCLEON;
  const M2 = M * M;
  const m2 = M_MU * M_MU;
  formFactors(Q2, MA, set, ff);
  const { F1, F2, FA, FP } = ff;
  const tau = Q2 / (4 * M2);
  const su = 4 * M * E - Q2 - m2;
  const F12 = F1 + F2;
  const FA2P = FA + 2 * FP;
  const A =
    ((m2 + Q2) / M2) *
    ((1 + tau) * FA * FA - (1 - tau) * F1 * F1 + tau * (1 - tau) * F2 * F2 + 4 * tau * F1 * F2 -
      (m2 / (4 * M2)) * (F12 * F12 + FA2P * FA2P - (Q2 / M2 + 4) * FP * FP));
  const B = (Q2 / M2) * FA * F12;
  const C = 0.25 * (FA * FA + F1 * F1 + tau * F2 * F2);
  const bracket = A + (xi * B * su) / M2 + (C * su * su) / (M2 * M2);
  if (!(bracket > 0)) return 0;
  const pre = (G_F * G_F * COS_CABIBBO_QE * COS_CABIBBO_QE * M2) / (8 * Math.PI * E * E);
  return pre * bracket;
}

/**
 * Two-body Q² limits for ν + target(M_t at rest, energy E) → μ + X(M_f), docs/reference-generator.md §1.1:
 * s = M_t² + 2M_tE, k_cm = (s−M_t²)/(2√s), E_cm = (s+m²−M_f²)/(2√s), p_cm = √(E_cm²−m²),
 * Q²_± = −m² + 2k_cm(E_cm ± p_cm). Writes [Q²_−, Q²_+] into `out`; returns false below threshold.
 */
export function q2Limits(E: number, Mt: number, Mf: number, out: Float64Array): boolean {
  const m2 = M_MU * M_MU;
  const s = Mt * Mt + 2 * Mt * E;
  const rs = Math.sqrt(s);
  if (rs <= Mf + M_MU) return false;
  const kcm = (s - Mt * Mt) / (2 * rs);
  const Ecm = (s + m2 - Mf * Mf) / (2 * rs);
  const pcm = Math.sqrt(Math.max(0, Ecm * Ecm - m2));
  out[0] = Math.max(0, -m2 + 2 * kcm * (Ecm - pcm));
  out[1] = -m2 + 2 * kcm * (Ecm + pcm);
  return out[1] > out[0];
}

/**
 * BeRPA(Q²): effective RPA suppression of QE on carbon (docs/reference-generator.md §1.3 [BeRPA], fit to Nieves RPA).
 * u = Q²/U; Q² < U: R = A(1−u)³ + 3B(1−u)²u + 3C(1−u)u² + Du³, C = D + U·E·(D−1)/3; else
 * R = 1 + (D−1)e^{−E(Q²−U)}. A=0.59, B=1.05, D=1.13, E=0.88 GeV⁻², U=1.2 GeV². Dimensionless.
 */
export function beRPA(Q2: number): number {
  const A = 0.59, B = 1.05, D = 1.13, Ep = 0.88, U = 1.2;
  if (Q2 >= U) return 1 + (D - 1) * Math.exp(-Ep * (Q2 - U));
  const C = D + (U * Ep * (D - 1)) / 3;
  const u = Q2 / U;
  const v = 1 - u;
  return A * v * v * v + 3 * B * v * v * u + 3 * C * v * u * u + D * u * u * u;
}

const lim = new Float64Array(2);

/**
 * Free-nucleon QE cross section σ(E) in GeV⁻², ∫dσ/dQ² over the two-body range (Gauss–Legendre in
 * t = Q²/(Q²+1), 400 points). ν: target n → p (ξ=+1); ν̄: target p → n (ξ=−1). Source: docs/reference-generator.md §1.1.
 */
export function sigmaQEFree(E: number, nu: boolean, MA: number, set: VectorFormFactorSet = 'bbba05'): number {
  const Mt = nu ? 0.939565 : 0.938272;
  const Mf = nu ? 0.938272 : 0.939565;
  if (!q2Limits(E, Mt, Mf, lim)) return 0;
  const xi = nu ? 1 : -1;
  const t0 = lim[0] / (lim[0] + 1);
  const t1 = lim[1] / (lim[1] + 1);
  const n = 400;
  let sum = 0;
  const h = (t1 - t0) / n;
  for (let i = 0; i < n; i++) {
    // midpoint rule in t: the integrand is smooth, 400 points are accurate to ≪ 0.1 %
    const t = t0 + (i + 0.5) * h;
    const Q2 = t / (1 - t);
    const jac = 1 / ((1 - t) * (1 - t));
    sum += dsigmaQE_dQ2(E, Q2, xi, MA, set) * jac * h;
  }
  return sum;
}
