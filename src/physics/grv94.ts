/**
 * GRV94 leading-order parton densities (docs/reference-generator.md §3.2 [GRV94], as used by NuWro
 * src/dis/grv94_bodek.cc), returned as momentum densities x·f(x, Q²), and a gridded version for speed
 * (bilinear in ln x, ln Q²). x in (0, 1), Q² in GeV².
 */

/** Momentum densities at one (x, Q²): x u_v, x d_v, x ū, x d̄, x s (= x s̄). */
export interface Partons {
  uv: number;
  dv: number;
  ub: number;
  db: number;
  s: number;
}

const LAMBDA2 = 0.232 * 0.232;
const MU2 = 0.23;
/** Lowest Q² at which the parametrisation is evaluated (docs/reference-generator.md §3.2), GeV². */
export const GRV_Q2_MIN = 0.24;

/**
 * Exact GRV94 LO at (x, Q²) with Q² clamped to ≥ 0.24 GeV²; s ≡ ln[ln(Q²/Λ²)/ln(μ²/Λ²)],
 * Λ = 0.232 GeV, μ² = 0.23 GeV². Formulas and coefficients: docs/reference-generator.md §3.2.
 */
export function grv94Exact(x: number, Q2in: number, out: Partons): Partons {
  const Q2 = Math.max(Q2in, GRV_Q2_MIN);
  const s = Math.log(Math.log(Q2 / LAMBDA2) / Math.log(MU2 / LAMBDA2));
  const s2 = s * s;
  const rs = Math.sqrt(s);
  const lx = Math.log(1 / x);
  const sx = Math.sqrt(x);
  const val = (N: number, a: number, b: number, A: number, B: number, C: number, D: number): number =>
    N * Math.pow(x, a) * (1 + A * Math.pow(x, b) + x * (B + C * sx)) * Math.pow(1 - x, D);
  out.uv = val(2.284 + 0.802 * s + 0.055 * s2, 0.59 - 0.024 * s, 0.131 + 0.063 * s, -0.449 - 0.138 * s - 0.076 * s2,
    0.213 + 2.669 * s - 0.728 * s2, 8.854 - 9.135 * s + 1.979 * s2, 2.997 + 0.753 * s - 0.076 * s2);
  out.dv = val(0.371 + 0.083 * s + 0.039 * s2, 0.376, 0.486 + 0.062 * s, -0.509 + 3.31 * s - 1.248 * s2,
    12.41 - 10.52 * s + 2.267 * s2, 6.373 - 6.208 * s + 1.418 * s2, 3.691 + 0.799 * s - 0.071 * s2);
  const del = dbarMinusUbar(x, s, s2);
  const sea = seaSum(x, s, s2, lx);
  out.ub = 0.5 * (sea - del);
  out.db = 0.5 * (sea + del);
  out.s = Q2 <= GRV_Q2_MIN ? 0 : strange(x, s, s2, rs, sx, lx);
  return out;
}

/** x(d̄ − ū) of GRV94 LO (docs/reference-generator.md §3.2). */
function dbarMinusUbar(x: number, s: number, s2: number): number {
  const N = 0.082 + 0.014 * s + 0.008 * s2, a = 0.409 - 0.005 * s, b = 0.799 + 0.071 * s;
  const A = -38.07 + 36.13 * s - 0.656 * s2, B = 90.31 - 74.15 * s + 7.645 * s2, D = 7.486 + 1.217 * s - 0.159 * s2;
  return N * Math.pow(x, a) * (1 + A * Math.pow(x, b) + B * x) * Math.pow(1 - x, D);
}

/** x(ū + d̄) of GRV94 LO (docs/reference-generator.md §3.2). */
function seaSum(x: number, s: number, s2: number, lx: number): number {
  const al = 1.451, be = 0.271, a = 0.41 - 0.232 * s, b = 0.534 - 0.457 * s, A = 0.89 - 0.14 * s, B = -0.981;
  const C = 0.32 + 0.683 * s, D = 4.752 + 1.164 * s + 0.286 * s2, E = 4.119 + 1.713 * s, Ep = 0.682 + 2.978 * s;
  return (
    (Math.pow(x, a) * (A + B * x + C * x * x) * Math.pow(lx, b) +
      Math.pow(s, al) * Math.exp(-E + Math.sqrt(Ep * Math.pow(s, be) * lx))) *
    Math.pow(1 - x, D)
  );
}

/** x s = x s̄ of GRV94 LO (docs/reference-generator.md §3.2). */
function strange(x: number, s: number, s2: number, rs: number, sx: number, lx: number): number {
  const al = 0.914, be = 0.577, a = 1.798 - 0.596 * s, A = -5.548 + 3.669 * rs - 0.616 * s;
  const B = 18.92 - 16.73 * rs + 5.168 * s, D = 6.379 - 0.35 * s + 0.142 * s2, E = 3.981 + 1.638 * s, Ep = 6.402;
  return (
    (Math.pow(s, al) / Math.pow(lx, a)) * (1 + A * sx + B * x) * Math.pow(1 - x, D) *
    Math.exp(-E + Math.sqrt(Ep * Math.pow(s, be) * lx))
  );
}

// Grid: ln x on [ln 1e-4, ln 0.999], ln Q² on [ln 0.24, ln 400] (docs/reference-generator.md §3.2 speed tip).
const NX = 240;
const NQ = 100;
const LX0 = Math.log(1e-4);
const LX1 = Math.log(0.999);
const LQ0 = Math.log(GRV_Q2_MIN);
const LQ1 = Math.log(400);
const DX = (LX1 - LX0) / (NX - 1);
const DQ = (LQ1 - LQ0) / (NQ - 1);
let grid: Float64Array | null = null;

function buildGrid(): Float64Array {
  const g = new Float64Array(NX * NQ * 5);
  const p: Partons = { uv: 0, dv: 0, ub: 0, db: 0, s: 0 };
  for (let j = 0; j < NQ; j++) {
    const Q2 = Math.exp(LQ0 + j * DQ);
    for (let i = 0; i < NX; i++) {
      grv94Exact(Math.exp(LX0 + i * DX), Q2, p);
      const k = (j * NX + i) * 5;
      g[k] = p.uv; g[k + 1] = p.dv; g[k + 2] = p.ub; g[k + 3] = p.db; g[k + 4] = p.s;
    }
  }
  return g;
}

/**
 * Gridded GRV94 (bilinear in ln x, ln Q²; accurate to ≲1 % inside the grid). Outside the grid the
 * exact parametrisation is used. Same units and meaning as {@link grv94Exact}.
 */
export function grv94(x: number, Q2: number, out: Partons): Partons {
  const lx = Math.log(x);
  const lq = Math.log(Math.max(Q2, GRV_Q2_MIN));
  const fx = (lx - LX0) / DX;
  const fq = (lq - LQ0) / DQ;
  if (!(fx >= 0 && fx < NX - 1 && fq >= 0 && fq <= NQ - 1)) return grv94Exact(x, Q2, out);
  const g = grid ?? (grid = buildGrid());
  const i = Math.floor(fx);
  const j = Math.min(Math.floor(fq), NQ - 2);
  const u = fx - i, v = fq - j;
  const k00 = (j * NX + i) * 5, k10 = k00 + 5, k01 = k00 + NX * 5, k11 = k01 + 5;
  const w00 = (1 - u) * (1 - v), w10 = u * (1 - v), w01 = (1 - u) * v, w11 = u * v;
  out.uv = w00 * g[k00]! + w10 * g[k10]! + w01 * g[k01]! + w11 * g[k11]!;
  out.dv = w00 * g[k00 + 1]! + w10 * g[k10 + 1]! + w01 * g[k01 + 1]! + w11 * g[k11 + 1]!;
  out.ub = w00 * g[k00 + 2]! + w10 * g[k10 + 2]! + w01 * g[k01 + 2]! + w11 * g[k11 + 2]!;
  out.db = w00 * g[k00 + 3]! + w10 * g[k10 + 3]! + w01 * g[k01 + 3]! + w11 * g[k11 + 3]!;
  out.s = w00 * g[k00 + 4]! + w10 * g[k10 + 4]! + w01 * g[k01 + 4]! + w11 * g[k11 + 4]!;
  return out;
}
