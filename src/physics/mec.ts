/**
 * 2p2h/MEC shape, GENIE EmpiricalMEC-2015 (Katori) as restated in docs/reference-generator.md §4 [Katori].
 * Only the shape is modelled here; the normalisation σ_MEC = f_MEC·σ_QE·(N/6)^{−0.1} is applied by the
 * channel tables (channels.ts). Part of nugan's analytic reference generator — not NuWro's Valencia model.
 */
import { M_MU, M_PAIR } from './constants.ts';

/** Centre and width of the Gaussian in the pair invariant mass W₂ (GeV), docs/reference-generator.md §4. */
export const MEC_W2_MEAN = 2.15;
export const MEC_W2_SIGMA = 0.05;

/**
 * Unnormalised d²σ/dW₂dQ² (arbitrary units) for a pair of mass M₂ at rest, neutrino energy E (GeV):
 * Gauss(W₂; 2.15, 0.05)·Q²(1+Q²/0.4)⁻⁸·[A_M + (s−u)²C_M], τ = Q²/(4M₂²),
 * A_M = ((m²+Q²)/M₂²)[τ(1+τ) − τ²(1−τ) + 4τ²]/(1+τ)², C_M = τ/(4(1+τ)), s−u = 4M₂E − Q² − m².
 * Same for ν and ν̄. docs/reference-generator.md §4.
 */
export function mecShape(E: number, W2: number, Q2: number): number {
  const M2 = M_PAIR;
  const m2 = M_MU * M_MU;
  const tau = Q2 / (4 * M2 * M2);
  const g = (W2 - MEC_W2_MEAN) / MEC_W2_SIGMA;
  const gauss = Math.exp(-0.5 * g * g);
  const f = 1 + Q2 / 0.4;
  const f2 = f * f, f4 = f2 * f2;
  const su = 4 * M2 * E - Q2 - m2;
  const AM = (((m2 + Q2) / (M2 * M2)) * (tau * (1 + tau) - tau * tau * (1 - tau) + 4 * tau * tau)) / ((1 + tau) * (1 + tau));
  const CM = tau / (4 * (1 + tau));
  const v = gauss * (Q2 / (f4 * f4)) * (AM + su * su * CM);
  return v > 0 ? v : 0;
}
