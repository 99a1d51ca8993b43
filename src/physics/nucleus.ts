/**
 * Nuclear models for the struck nucleon (docs/reference-generator.md §1.3): global relativistic Fermi gas (GFG,
 * Smith–Moniz), local Fermi gas (LFG) on tabulated charge densities, the optional Bodek–Ritchie tail, and
 * the Pauli-blocking threshold. Momenta in GeV, radii in fm. Part of nugan's analytic reference generator
 * — a stand-in for NuWro, not NuWro.
 */
import { HBARC_GEV_FM, M_NUCLEON } from './constants.ts';
import type { Rng } from '../util/rng.ts';

export type TargetName = 'C12' | 'Ar40';

/** Density profile of a target (docs/reference-generator.md §1.3, GENIE NuclearUtils.cxx). */
export interface NucleusSpec {
  Z: number;
  N: number;
}

export const TARGETS: Record<TargetName, NucleusSpec> = {
  C12: { Z: 6, N: 6 },
  Ar40: { Z: 18, N: 22 },
};

/** Unnormalised density ρ(r): C12 harmonic oscillator, Ar40 two-parameter Fermi (docs/reference-generator.md §1.3), r in fm. */
export function densityShape(target: TargetName, r: number): number {
  if (target === 'C12') {
    const a = 1.69, alpha = 1.08;
    const u = (r / a) * (r / a);
    return (1 + alpha * u) * Math.exp(-u);
  }
  return 1 / (1 + Math.exp((r - 3.53) / 0.54));
}

/** Tabulated LFG of one target: inverse CDF of 4πr²ρ(r) and ρ normalised to ∫ρ d³r = A. */
export interface LocalFermiGas {
  target: TargetName;
  /** r values (fm) at equally spaced CDF points 0, 1/(n−1), … 1. */
  rOfU: Float64Array;
  /** ρ(0) in fm⁻³ after normalisation. */
  norm: number;
  Z: number;
  N: number;
}

const lfgCache = new Map<TargetName, LocalFermiGas>();

/** Builds (once per target) the LFG tables: 4000 radial points on 0–12 fm, 2000 CDF points (§1.3). */
export function localFermiGas(target: TargetName): LocalFermiGas {
  const hit = lfgCache.get(target);
  if (hit) return hit;
  const n = 4000, rmax = 12;
  const h = rmax / n;
  const cdf = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const r = (i + 0.5) * h;
    cdf[i + 1] = cdf[i]! + 4 * Math.PI * r * r * densityShape(target, r) * h;
  }
  const total = cdf[n]!;
  const { Z, N } = TARGETS[target];
  const nu = 2000;
  const rOfU = new Float64Array(nu);
  let k = 0;
  for (let j = 0; j < nu; j++) {
    const want = (j / (nu - 1)) * total;
    while (k < n - 1 && cdf[k + 1]! < want) k++;
    const span = cdf[k + 1]! - cdf[k]!;
    rOfU[j] = (k + (span > 0 ? (want - cdf[k]!) / span : 0)) * h;
  }
  const g: LocalFermiGas = { target, rOfU, norm: (Z + N) / total, Z, N };
  lfgCache.set(target, g);
  return g;
}

/** Samples a radius (fm) from 4πr²ρ(r) by linear interpolation of the inverse CDF. */
export function sampleRadius(g: LocalFermiGas, u: number): number {
  const f = u * (g.rOfU.length - 1);
  const i = Math.min(Math.floor(f), g.rOfU.length - 2);
  const t = f - i;
  return g.rOfU[i]! * (1 - t) + g.rOfU[i + 1]! * t;
}

/** Local Fermi momentum k_F,x(r) = ħc(3π²ρ_x(r))^{1/3} (GeV) of a species with `count` nucleons (§1.3). */
export function localFermiMomentum(g: LocalFermiGas, r: number, count: number): number {
  const rho = (g.norm * densityShape(g.target, r) * count) / (g.Z + g.N);
  return HBARC_GEV_FM * Math.cbrt(3 * Math.PI * Math.PI * rho);
}

/** Removal energy in the LFG, E_b(r) = √(M² + k_F,i(r)²) − M + 7 MeV (GeV), docs/reference-generator.md §1.3. */
export function lfgBindingEnergy(kF: number): number {
  return Math.sqrt(M_NUCLEON * M_NUCLEON + kF * kF) - M_NUCLEON + 0.007;
}

/** Probability of the Bodek–Ritchie high-momentum tail, P_t = 6(a k_F/π)², a = 2 GeV⁻¹ (§1.3 [BR]). */
export function bodekRitchieProbability(kF: number): number {
  const x = (2 * kF) / Math.PI;
  return 6 * x * x;
}

/** How the struck nucleon is drawn: global Fermi gas with fixed k_F/E_b, or local Fermi gas. */
export interface NucleonModel {
  kind: 'gfg' | 'lfg';
  target: TargetName;
  /** GFG Fermi momenta (GeV) of protons and neutrons. */
  kF_p: number;
  kF_n: number;
  /** GFG removal energy (GeV). */
  E_b: number;
  /** Bodek–Ritchie tail on (GFG only). */
  tail: boolean;
}

/** One sampled struck nucleon: lab 3-momentum, off-shell energy, and the Pauli threshold of the final species. */
export interface StruckNucleon {
  px: number;
  py: number;
  pz: number;
  /** P⁰ = √(M_i² + p²) − E_b (GeV). */
  E: number;
  /** k_F of the final-state nucleon species at the same place (GeV), for Pauli blocking. */
  kF_final: number;
}

/**
 * Draws a struck nucleon of mass Mi (proton when `proton`), docs/reference-generator.md §1.4 steps 2–3: |p| = k_F u^{1/3},
 * isotropic; LFG samples r first and uses k_F(r), E_b(r). `tail` adds the Bodek–Ritchie tail (QE only).
 */
export function sampleNucleon(m: NucleonModel, lfg: LocalFermiGas | null, proton: boolean, Mi: number, tail: boolean, rng: Rng, out: StruckNucleon): StruckNucleon {
  let kF: number, kFf: number, Eb: number;
  if (m.kind === 'lfg' && lfg) {
    const r = sampleRadius(lfg, rng.next());
    kF = localFermiMomentum(lfg, r, proton ? lfg.Z : lfg.N);
    kFf = localFermiMomentum(lfg, r, proton ? lfg.N : lfg.Z);
    Eb = lfgBindingEnergy(kF);
  } else {
    kF = proton ? m.kF_p : m.kF_n;
    kFf = proton ? m.kF_n : m.kF_p;
    Eb = m.E_b;
  }
  let p: number;
  if (tail && m.tail && rng.next() < bodekRitchieProbability(kF)) {
    // density ∝ 1/p² on [k_F, 1 GeV] ⇔ 1/p uniform
    const inv = 1 / kF + rng.next() * (1 - 1 / kF);
    p = 1 / inv;
  } else {
    p = kF * Math.cbrt(rng.next());
  }
  const c = 2 * rng.next() - 1;
  const s = Math.sqrt(Math.max(0, 1 - c * c));
  const phi = 2 * Math.PI * rng.next();
  out.px = p * s * Math.cos(phi);
  out.py = p * s * Math.sin(phi);
  out.pz = p * c;
  out.E = Math.sqrt(Mi * Mi + p * p) - Eb;
  out.kF_final = kFf;
  return out;
}
