/**
 * Nucleon form factors for CC quasielastic scattering (docs/reference-generator.md §1.2, [BBBA05], NuWro src/ff.cc).
 * Q² in GeV², masses in GeV; all functions are pure. Results are written into a reusable object to keep
 * the event loop free of allocations.
 */
import { GALSTER_LAMBDA, G_A, MU_N, MU_P, M_NUCLEON, M_PI_FP, M_V2 } from './constants.ts';

export type VectorFormFactorSet = 'bbba05' | 'dipole';

/** Isovector Dirac/Pauli F_1, F_2 and axial/pseudoscalar F_A, F_P at one Q². */
export interface FormFactors {
  F1: number;
  F2: number;
  FA: number;
  FP: number;
}

/** G(τ) = (1 + a₁τ)/(1 + b₁τ + b₂τ² + b₃τ³), the BBBA05 rational form (docs/reference-generator.md §1.2). */
function bbba(tau: number, a1: number, b1: number, b2: number, b3: number): number {
  return (1 + a1 * tau) / (1 + tau * (b1 + tau * (b2 + tau * b3)));
}

/**
 * Fills `out` with F_1, F_2 (isovector, G^V = G^p − G^n), F_A = g_A(1+Q²/M_A²)⁻² and
 * F_P = 2M²F_A/(m_π²+Q²) at Q² ≥ 0 (GeV²), τ = Q²/(4M²), M = 0.938919 GeV.
 * F_1 = (G_E^V + τG_M^V)/(1+τ), F_2 = (G_M^V − G_E^V)/(1+τ). Sign convention F_A(0) = +g_A.
 * Source: docs/reference-generator.md §1.2 [BBBA05] (default) or the dipole/Galster set.
 */
export function formFactors(Q2: number, MA: number, set: VectorFormFactorSet, out: FormFactors): FormFactors {
  const M2 = M_NUCLEON * M_NUCLEON;
  const tau = Q2 / (4 * M2);
  let GEp: number, GMp: number, GEn: number, GMn: number;
  if (set === 'bbba05') {
    GEp = bbba(tau, -0.0578, 11.1, 13.6, 33.0);
    GMp = MU_P * bbba(tau, 0.15, 11.1, 19.6, 7.54);
    GMn = MU_N * bbba(tau, 1.81, 14.1, 20.7, 68.7);
    GEn = (tau * (1.25 + 1.3 * tau)) / (1 + tau * (-9.86 + tau * (305 + tau * (-758 + tau * 802))));
  } else {
    const d = 1 + Q2 / M_V2;
    const GD = 1 / (d * d);
    GEp = GD;
    GMp = MU_P * GD;
    GMn = MU_N * GD;
    GEn = (-MU_N * tau * GD) / (1 + GALSTER_LAMBDA * tau);
  }
  const GEV = GEp - GEn;
  const GMV = GMp - GMn;
  out.F1 = (GEV + tau * GMV) / (1 + tau);
  out.F2 = (GMV - GEV) / (1 + tau);
  const a = 1 + Q2 / (MA * MA);
  out.FA = G_A / (a * a);
  out.FP = (2 * M2 * out.FA) / (M_PI_FP * M_PI_FP + Q2);
  return out;
}
