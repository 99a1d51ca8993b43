/**
 * Δ(1232) isobar model for single-pion production (docs/reference-generator.md §2.1–§2.2 [LP], [GS09], NuWro
 * src/dis/delta.cc), isospin-3/2 reference channel ν p → μ⁻ p π⁺ / ν̄ n → μ⁺ n π⁻. Part of nugan's
 * analytic reference generator — a stand-in for NuWro, not NuWro.
 */
import { COS_CABIBBO_DELTA, GAMMA_DELTA, G_F, M_DELTA, M_MU, M_NUCLEON, M_PI_DELTA } from './constants.ts';
import { q2Limits } from './qe.ts';

/** Δ form-factor set: 1 = Graczyk–Sobczyk (NuWro `delta_FF_set=1`), 2 = Paschos–Lalakulich "BNL". */
export type DeltaFormFactorSet = 1 | 2;

/** Pion momentum in the Δ rest frame q_π(W) = √((W²+M²−m_π²)² − 4W²M²)/(2W), GeV (§2.1). */
function qPi(W: number): number {
  const M = M_NUCLEON;
  const a = W * W + M * M - M_PI_DELTA * M_PI_DELTA;
  const v = a * a - 4 * W * W * M * M;
  return v > 0 ? Math.sqrt(v) / (2 * W) : 0;
}
const QPI_MDELTA = qPi(M_DELTA);

/**
 * Relativistic Breit–Wigner BW(W) = M_ΔΓ(W)/(π[(W²−M_Δ²)² + M_Δ²Γ(W)²]) with
 * Γ(W) = Γ₀(q_π(W)/q_π(M_Δ))³M_Δ/W, Γ₀ = 0.120 GeV (GeV⁻²; W in GeV). docs/reference-generator.md §2.1.
 */
export function deltaBreitWigner(W: number): number {
  const r = qPi(W) / QPI_MDELTA;
  const G = (GAMMA_DELTA * r * r * r * M_DELTA) / W;
  const d = W * W - M_DELTA * M_DELTA;
  return (M_DELTA * G) / (Math.PI * (d * d + M_DELTA * M_DELTA * G * G));
}

/**
 * d²σ_Δ/dQ²dW (GeV⁻⁵) of the reference channel at neutrino energy E in the nucleon rest frame (GeV),
 * hadronic mass W (GeV) and Q² (GeV²): G_F²cos²θ_C′·BW(W)·L·W/(4πME²), cos θ_C′ = 0.975, with the lepton–
 * hadron contraction L of docs/reference-generator.md §2.1 (η = +1 ν, −1 ν̄). Zero for W < M + m_π or L ≤ 0.
 * Source: docs/reference-generator.md §2.1 [LP], [GS09] (C5A(0) = 1.19, M_AΔ = 0.94 GeV for set 1).
 */
export function d2sigmaDelta_dQ2dW(E: number, W: number, Q2: number, eta: number, set: DeltaFormFactorSet): number {
  const M = M_NUCLEON;
  if (W < M + M_PI_DELTA) return 0;
  const M2 = M * M;
  const MD = M_DELTA;
  const MD2 = MD * MD;
  const m2 = M_MU * M_MU;
  const MV = 0.84;
  const gv = 1 + Q2 / (MV * MV);
  const GV = 1 / (gv * gv);
  const rv = 1 + Q2 / (4 * MV * MV);
  let C3V: number, C4V: number, C5A: number;
  if (set === 1) {
    C3V = (2.13 * GV) / rv;
    C4V = (-1.51 * GV) / rv;
    const a = 1 + Q2 / (0.94 * 0.94);
    C5A = 1.19 / (a * a);
  } else {
    C3V = (1.95 * GV) / rv;
    C4V = (-C3V * M) / W;
    const a = 1 + Q2 / (1.05 * 1.05);
    C5A = 1.2 / (a * a) / (1 + Q2 / (3 * 1.05 * 1.05));
  }
  const C4A = -C5A / 4;
  const C6A = (C5A * M2) / (Q2 + M_PI_DELTA * M_PI_DELTA);
  const P = (Q2 + W * W - M2) / 2;
  const d = P - Q2;
  const kp = E * M;
  const R = P + M2 + M * MD;
  const M3 = M2 * M;
  const M4 = M2 * M2;

  const V1 =
    ((2 * C3V * C3V) / (M2 * MD2)) * (d * d * (P + M2) + MD2 * (P * P + Q2 * M2 + Q2 * M * MD)) +
    ((2 * C4V * C4V) / M4) * d * d * (P + M2 - M * MD) +
    ((2 * C3V * C4V) / (M3 * MD)) * d * (d * (P + M2 - 2 * M * MD) + MD2 * P) +
    2 * ((C4A * C4A * d * d) / M4 + C5A * C5A + (2 * C4A * C5A * d) / M2) * R;
  const V2 =
    ((2 * C3V * C3V) / MD2) * Q2 * (P + M2 + MD2) +
    ((2 * C4V * C4V) / M2) * Q2 * (P + M2 - M * MD) +
    ((2 * C3V * C4V) / (M * MD)) * Q2 * (P + (MD - M) * (MD - M)) +
    2 * ((C5A * C5A * M2) / MD2 + (C4A * C4A * Q2) / M2) * R;
  const V3 =
    (4 / MD) * ((-C3V * C4A * d) / M - C3V * C5A * M) * (2 * MD2 + 2 * M * MD + Q2 - P) +
    4 * d * ((-C4V * C4A * d) / M2 - C4V * C5A);
  const tp = 2 * P - Q2;
  const V4 =
    ((2 * C3V * C3V) / MD2) * (tp * (P + M2) - MD2 * (M2 + M * MD)) +
    ((2 * C4V * C4V) / M2) * tp * (P + M2 - M * MD) +
    ((2 * C3V * C4V) / (M * MD)) * (tp * (P + M2 - 2 * M * MD) + P * MD2) +
    2 *
      ((C5A * C5A * M2) / MD2 +
        ((C4A * C4A) / M2) * tp +
        ((C6A * C6A) / (M2 * MD2)) * ((Q2 - P) * (Q2 - P) + Q2 * MD2) +
        2 * C4A * C5A -
        (2 * C4A * C6A * P) / M2 -
        2 * ((C5A * C6A) / MD2) * (MD2 + Q2 - P)) *
      R;
  const V5 =
    ((2 * C3V * C3V) / MD2) * P * (P + M2 + MD2) +
    ((2 * C4V * C4V) / M2) * P * (P + M2 - M * MD) +
    ((2 * C3V * C4V) / (M * MD)) * P * (P + (MD - M) * (MD - M)) +
    2 *
      (((C4A * C4A) / M2) * P +
        (C5A * C5A * M2) / MD2 +
        C4A * C5A -
        (C4A * C6A * Q2) / M2 -
        ((C5A * C6A) / MD2) * (Q2 - P)) *
      R;
  const n = 2 * M * MD;
  const W1 = -V1 / n, W2 = V2 / n, W3 = V3 / n, W4 = V4 / n, W5 = V5 / (M * MD);
  const qm = Q2 + m2;
  const L =
    MD *
    (-2 * W1 * qm +
      ((2 * W2) / M2) * (2 * kp * (kp - P) - 0.5 * M2 * qm) -
      2 * eta * (W3 / M2) * (Q2 * kp - 0.5 * P * qm) +
      (W4 / M2) * m2 * qm -
      (W5 / M2) * m2 * kp);
  if (!(L > 0)) return 0;
  const c = COS_CABIBBO_DELTA;
  return (G_F * G_F * c * c * deltaBreitWigner(W) * L * W) / (4 * Math.PI * M * E * E);
}

const lim = new Float64Array(2);

/**
 * Free-nucleon σ of the reference Δ channel (GeV⁻²) for W from M + m_π to min(W_max, √s − m_μ),
 * by midpoint integration over W (300) × Q² (120 in t = Q²/(Q²+1)). Source: docs/reference-generator.md §2.1.
 */
export function sigmaDeltaFree(E: number, Wmax: number, nu: boolean, set: DeltaFormFactorSet = 1): number {
  const M = M_NUCLEON;
  const Wlo = M + M_PI_DELTA;
  const Whi = Math.min(Wmax, Math.sqrt(M * M + 2 * M * E) - M_MU);
  if (Whi <= Wlo) return 0;
  const nW = 300, nQ = 120;
  const hW = (Whi - Wlo) / nW;
  let sum = 0;
  for (let i = 0; i < nW; i++) {
    const W = Wlo + (i + 0.5) * hW;
    if (!q2Limits(E, M, W, lim)) continue;
    const t0 = lim[0] / (lim[0] + 1), t1 = lim[1] / (lim[1] + 1);
    const hT = (t1 - t0) / nQ;
    for (let j = 0; j < nQ; j++) {
      const t = t0 + (j + 0.5) * hT;
      const Q2 = t / (1 - t);
      sum += d2sigmaDelta_dQ2dW(E, W, Q2, nu ? 1 : -1, set) * hT * hW / ((1 - t) * (1 - t));
    }
  }
  return sum;
}
