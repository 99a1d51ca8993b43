/**
 * The RES→DIS transition of NuWro's old resonance model (docs/reference-generator.md §3.3, NuWro src/dis/alfa.cc,
 * res_xsec.cc) and the optional higher-resonance shoulder (§3.4, nugan's own proposal, not NuWro).
 * W in GeV; all factors dimensionless.
 */
import { W_RES_MIN } from './constants.ts';

/** W limits of the transition: Δ fades from W_lo to W_hi; pure DIS from W_cut (GeV). */
export interface TransitionEdges {
  W_cut: number;
  W_lo: number;
  W_hi: number;
}

/**
 * a_t(W): share of channel t's single-pion strength taken over by DIS (docs/reference-generator.md §3.3):
 * α_t(W−1.08)/(W_lo−1.08) below W_lo; α_t + (1−α_t)(W−W_lo)/(W_hi−W_lo) up to W_hi; 1 above.
 */
export function disShare(W: number, alpha: number, e: TransitionEdges): number {
  if (W < W_RES_MIN) return 0;
  if (W < e.W_lo) return (alpha * (W - W_RES_MIN)) / (e.W_lo - W_RES_MIN);
  if (W < e.W_hi) return alpha + ((1 - alpha) * (W - e.W_lo)) / (e.W_hi - e.W_lo);
  return 1;
}

/** Stand-in single-pion fraction of DIS: 1 for W ≤ 1.22 GeV, exp(−(W−1.22)/0.8) above (docs/reference-generator.md §3.3). */
export function fSPP(W: number): number {
  return W <= 1.22 ? 1 : Math.exp(-(W - 1.22) / 0.8);
}

/** Δ channels of one struck nucleon: isospin factors c_t and background shares α_t (docs/reference-generator.md §2.2). */
export interface DeltaChannels {
  c: readonly number[];
  alpha: readonly number[];
  /** φ_t: share of DIS single-pion states in channel t (1 for one channel, ½ each for two; §3.3). */
  phi: readonly number[];
}

const SINGLE: DeltaChannels = { c: [1], alpha: [0], phi: [1] };
const DOUBLE: DeltaChannels = { c: [1 / 9, 2 / 9], alpha: [0.2, 0.3], phi: [0.5, 0.5] };

/** ν p and ν̄ n have the single isospin-3/2 channel; ν n and ν̄ p the two mixed ones (§2.2). */
export function deltaChannels(nu: boolean, proton: boolean): DeltaChannels {
  return nu === proton ? SINGLE : DOUBLE;
}

/**
 * Multipliers of dσ_Δ^ref and dσ_DIS in the RES region (docs/reference-generator.md §3.3):
 * Δ factor Σ_t c_t[1 − a_t(W)], DIS factor B(W) = 1 − f_SPP(W)Σ_t φ_t[1 − a_t(W)]. Writes [Δ, DIS] into out.
 */
export function resonanceMix(W: number, ch: DeltaChannels, e: TransitionEdges, out: Float64Array): Float64Array {
  let delta = 0, spp = 0;
  for (let t = 0; t < ch.c.length; t++) {
    const keep = 1 - disShare(W, ch.alpha[t]!, e);
    delta += ch.c[t]! * keep;
    spp += ch.phi[t]! * keep;
  }
  out[0] = delta;
  out[1] = 1 - fSPP(W) * spp;
  return out;
}

/**
 * Higher-resonance shoulder R_res(W) = 1 + S(W)Σ_k a_k[h_k(W) − h̄_k] on dσ_DIS inside the RES region,
 * h_k = (Γ_k/2)²/((W−M_k)² + (Γ_k/2)²), (M,Γ) = (1.52, 0.115), (1.68, 0.12) GeV, h̄ = (0.3222, 0.3454),
 * S = clip(min((W−1.35)/0.05, (1.95−W)/0.10), 0, 1); a = (0.5, 0.3) for ν n, ν̄ p, else (0.2, 0.15).
 * docs/reference-generator.md §3.4 (own proposal, use with W_cut = 1.9).
 */
export function shoulder(W: number, isospinHalf: boolean): number {
  const S = Math.min(1, Math.max(0, Math.min((W - 1.35) / 0.05, (1.95 - W) / 0.1)));
  if (S === 0) return 1;
  const a1 = isospinHalf ? 0.5 : 0.2, a2 = isospinHalf ? 0.3 : 0.15;
  const g1 = 0.115 / 2, g2 = 0.12 / 2;
  const h1 = (g1 * g1) / ((W - 1.52) * (W - 1.52) + g1 * g1);
  const h2 = (g2 * g2) / ((W - 1.68) * (W - 1.68) + g2 * g2);
  return 1 + S * (a1 * (h1 - 0.3222) + a2 * (h2 - 0.3454));
}
