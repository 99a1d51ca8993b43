/**
 * Inclusive CC deep-inelastic scattering with Bodek–Yang-modified GRV94 structure functions, NuWro
 * variant (docs/reference-generator.md §3.1–§3.2 [BY], [GRV94], NuWro src/dis/grv94_bodek.cc, dis_cc_proton.cc).
 * Part of nugan's analytic reference generator — a stand-in for NuWro, not NuWro.
 */
import { G_F, M_MU, M_NUCLEON, M_W_BOSON } from './constants.ts';
import { grv94, type Partons } from './grv94.ts';
import { q2Limits } from './qe.ts';

const p: Partons = { uv: 0, dv: 0, ub: 0, db: 0, s: 0 };

/**
 * R = σ_L/σ_T (Whitlow-type form of docs/reference-generator.md §3.2): for Q² ≥ 0.35 GeV²,
 * R = 0.0635Θ/ln(Q²/0.04) + 0.5747/Q² − 0.3534/(Q⁴+0.09), Θ = 1 + [12Q²/(Q²+1)]·0.015625/(0.015625+x²);
 * below, R = 3.207Q²/(Q⁴+1)·R(x, 0.35).
 */
export function rLongitudinal(x: number, Q2: number): number {
  const q = Math.max(Q2, 0.35);
  const theta = 1 + ((12 * q) / (q + 1)) * (0.015625 / (0.015625 + x * x));
  const R = (0.0635 * theta) / Math.log(q / 0.04) + 0.5747 / q - 0.3534 / (q * q + 0.09);
  return Q2 >= 0.35 ? R : ((3.207 * Q2) / (Q2 * Q2 + 1)) * R;
}

/** F1, F2, xF3-free F3 of one nucleon (dimensionless). */
export interface StructureFunctions {
  F1: number;
  F2: number;
  F3: number;
}

/**
 * Bodek–Yang structure functions for ν (nu=true) or ν̄ on a proton (proton=true) or neutron at (x, Q²):
 * x_w = x(Q²+0.624)/(Q²+1.735x), K = Q²/(Q²+0.188), PDFs at (x_w, max(Q², 0.24));
 * F2 = 2K·Σ(x_w q + x_w q̄), F3 = 2K·Σ(q − q̄), F1 = F2(1+4M²x²/Q²)/(2x_w(1+R)).
 * ν: q = d_v + d̄ + s, q̄ = ū; ν̄: q = u_v + ū, q̄ = d̄ + s̄ (proton; neutron swaps u↔d). docs/reference-generator.md §3.2.
 */
export function structureFunctions(x: number, Q2: number, nu: boolean, proton: boolean, out: StructureFunctions): StructureFunctions {
  const xw = (x * (Q2 + 0.624)) / (Q2 + 1.735 * x);
  if (!(xw > 0 && xw < 1)) {
    out.F1 = out.F2 = out.F3 = 0;
    return out;
  }
  const K = Q2 / (Q2 + 0.188);
  grv94(xw, Q2, p);
  const uv = proton ? p.uv : p.dv;
  const dv = proton ? p.dv : p.uv;
  const ub = proton ? p.ub : p.db;
  const db = proton ? p.db : p.ub;
  let q: number, qb: number;
  if (nu) {
    q = dv + db + p.s;
    qb = ub;
  } else {
    q = uv + ub;
    qb = db + p.s;
  }
  out.F2 = 2 * K * (q + qb);
  out.F3 = (2 * K * (q - qb)) / xw;
  const M = M_NUCLEON;
  out.F1 = (out.F2 * (1 + (4 * M * M * x * x) / Q2)) / (2 * xw * (1 + rLongitudinal(x, Q2)));
  return out;
}

const sf: StructureFunctions = { F1: 0, F2: 0, F3: 0 };

/**
 * d²σ/dxdy (GeV⁻²) at neutrino energy E (nucleon rest frame, GeV), docs/reference-generator.md §3.1:
 * (G_F²ME/π)(1+Q²/M_W²)⁻²{(xy² + m²y/(2ME))F1 + [1 − y − Mxy/(2E) − m²/(4E²) − m²/(2MEx)]F2
 * + η[xy(1−y/2) − m²y/(4ME)]F3}, η = ±1 for ν/ν̄. Zero outside 0 < x, y < 1 or when negative.
 */
export function d2sigmaDIS_dxdy(E: number, x: number, y: number, nu: boolean, proton: boolean): number {
  if (!(x > 0 && x < 1 && y > 0 && y < 1)) return 0;
  const M = M_NUCLEON;
  const m2 = M_MU * M_MU;
  const Q2 = 2 * M * E * x * y;
  structureFunctions(x, Q2, nu, proton, sf);
  const eta = nu ? 1 : -1;
  const prop = 1 / (1 + Q2 / (M_W_BOSON * M_W_BOSON));
  const v =
    (x * y * y + (m2 * y) / (2 * M * E)) * sf.F1 +
    (1 - y - (M * x * y) / (2 * E) - m2 / (4 * E * E) - m2 / (2 * M * E * x)) * sf.F2 +
    eta * (x * y * (1 - y / 2) - (m2 * y) / (4 * M * E)) * sf.F3;
  if (!(v > 0)) return 0;
  return ((G_F * G_F * M * E) / Math.PI) * prop * prop * v;
}

/**
 * d²σ/dWdQ² (GeV⁻⁵) = W/(2M²Eω)·d²σ/dxdy with ω = (W² − M² + Q²)/(2M), x = Q²/(2Mω), y = ω/E
 * (the Jacobian of (x, y) → (W, Q²); docs/reference-generator.md §3.1), M = 0.938919 GeV.
 */
export function d2sigmaDIS_dWdQ2(E: number, W: number, Q2: number, nu: boolean, proton: boolean): number {
  const M = M_NUCLEON;
  const omega = (W * W - M * M + Q2) / (2 * M);
  if (!(omega > 0)) return 0;
  const x = Q2 / (2 * M * omega);
  const y = omega / E;
  return (W / (2 * M * M * E * omega)) * d2sigmaDIS_dxdy(E, x, y, nu, proton);
}

const lim = new Float64Array(2);

/**
 * Free-nucleon DIS σ (GeV⁻²) for W in [W_min, √s − m_μ], midpoint integration in ln(W − 1) (200) ×
 * t = Q²/(Q²+4) (150). docs/reference-generator.md §3.1.
 */
export function sigmaDISFree(E: number, Wmin: number, nu: boolean, proton: boolean): number {
  const M = M_NUCLEON;
  const Wtop = Math.sqrt(M * M + 2 * M * E) - M_MU;
  if (Wtop <= Wmin) return 0;
  const nW = 200, nQ = 150;
  const u0 = Math.log(Wmin - 1), u1 = Math.log(Wtop - 1);
  const hU = (u1 - u0) / nW;
  let sum = 0;
  for (let i = 0; i < nW; i++) {
    const W = 1 + Math.exp(u0 + (i + 0.5) * hU);
    if (!q2Limits(E, M, W, lim)) continue;
    const L = 4;
    const t0 = lim[0] / (lim[0] + L), t1 = lim[1] / (lim[1] + L);
    const hT = (t1 - t0) / nQ;
    for (let j = 0; j < nQ; j++) {
      const t = t0 + (j + 0.5) * hT;
      const Q2 = (L * t) / (1 - t);
      const jac = L / ((1 - t) * (1 - t));
      sum += d2sigmaDIS_dWdQ2(E, W, Q2, nu, proton) * jac * hT * (W - 1) * hU;
    }
  }
  return sum;
}
