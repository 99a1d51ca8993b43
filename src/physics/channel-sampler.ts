/**
 * Per-channel trial sampling of the reference generator (docs/reference-generator.md §1.4, §2.3, §4, §7): draws a
 * struck nucleon (or nucleon pair), lepton kinematics from a proposal, and returns the weight
 * w = physics density / proposal density (× Pauli, RPA). The accepted muon is left in the sampler's
 * fields. Part of nugan's analytic reference generator — a compact stand-in for NuWro, not NuWro.
 *
 * Hot path: no allocation per trial; scratch state lives in fields and typed arrays.
 */
import { M_DELTA, M_MU, M_NUCLEON, M_N_NEUTRON, M_P, M_PAIR, W_RES_MIN } from './constants.ts';
import { d2sigmaDelta_dQ2dW } from './delta.ts';
import { d2sigmaDIS_dWdQ2 } from './dis.ts';
import type { Knobs } from './domains.ts';
import { MEC_W2_MEAN, MEC_W2_SIGMA, mecShape } from './mec.ts';
import { localFermiGas, sampleNucleon, type LocalFermiGas, type NucleonModel, type StruckNucleon } from './nucleus.ts';
import { beRPA, dsigmaQE_dQ2, q2Limits } from './qe.ts';
import type { Rng } from '../util/rng.ts';
import { deltaChannels, resonanceMix, shoulder, type DeltaChannels, type TransitionEdges } from './transition.ts';

/** Sub-channels of the event loop (docs/reference-generator.md §7); the per-nucleus Z or N is folded into their σ. */
export const SUBCHANNELS = ['QE', 'MEC', 'RES-p', 'RES-n', 'DIS-p', 'DIS-n'] as const;
export type SubChannel = (typeof SUBCHANNELS)[number];
/** Event-table channel code (index into CHANNELS = QE, MEC, RES, DIS, COH) of each sub-channel. */
export const SUBCHANNEL_CODE: readonly number[] = [0, 1, 2, 2, 3, 3];

/** Q² proposal scales Λ² (GeV²) of docs/reference-generator.md §7: QE/MEC/RES 1, DIS 4. */
const LAMBDA2_QE = 1;
const LAMBDA2_DIS = 4;
/** Q² proposal scale for MEC (GeV²): nugan's choice, see trialMEC. */
const LAMBDA2_MEC = 0.3;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
/** Cauchy half-width of the Δ part of the RES W proposal (GeV), docs/reference-generator.md §7. */
const CAUCHY_GAMMA = 0.06;
const M2_MU = M_MU * M_MU;

export class ChannelSampler {
  readonly knobs: Knobs;
  /** Muon of the last successful trial: total energy (GeV), cos θ and θ (rad) in the lab. */
  E_mu = 0;
  cosTheta = 1;
  /** Lab muon 3-momentum of the last trial (GeV). */
  kx = 0;
  ky = 0;
  kz = 0;
  /** Effective target 4-momentum (GeV) and true hadronic invariant mass W (GeV) of the last trial. */
  readonly target = new Float64Array(4);
  W_true = 0;
  /** Q² (GeV²) of the last trial. */
  Q2 = 0;

  private readonly model: NucleonModel;
  private readonly lfg: LocalFermiGas | null;
  private readonly nuc: StruckNucleon = { px: 0, py: 0, pz: 0, E: 0, kF_final: 0 };
  private readonly lim = new Float64Array(2);
  private readonly mix = new Float64Array(2);
  private readonly edges: TransitionEdges;
  private readonly chP: DeltaChannels;
  private readonly chN: DeltaChannels;
  private readonly eta: number;
  // frame of the struck nucleon: velocity, γ, neutrino energy and direction in its rest frame
  private bx = 0;
  private by = 0;
  private bz = 0;
  private gamma = 1;
  private Es = 0;
  private dx = 0;
  private dy = 0;
  private dz = 1;

  constructor(knobs: Knobs) {
    this.knobs = knobs;
    this.model = { kind: knobs.nucleon_model, target: knobs.target, kF_p: knobs.kF_p, kF_n: knobs.kF_n, E_b: knobs.E_b, tail: knobs.sf_tail };
    this.lfg = knobs.nucleon_model === 'lfg' ? localFermiGas(knobs.target) : null;
    this.edges = { W_cut: knobs.W_cut, W_lo: knobs.W_lo, W_hi: knobs.W_hi };
    this.chP = deltaChannels(knobs.neutrino, true);
    this.chN = deltaChannels(knobs.neutrino, false);
    this.eta = knobs.neutrino ? 1 : -1;
  }

  /** One trial of sub-channel j (index into SUBCHANNELS) at lab neutrino energy E (GeV); returns w ≥ 0 (GeV⁻²). */
  trial(j: number, E: number, rng: Rng): number {
    switch (j) {
      case 0: return this.trialQE(E, rng);
      case 1: return this.trialMEC(E, rng);
      case 2: return this.trialRES(E, rng, true);
      case 3: return this.trialRES(E, rng, false);
      case 4: return this.trialDIS(E, rng, true);
      case 5: return this.trialDIS(E, rng, false);
      default: throw new Error(`no sub-channel ${j}`);
    }
  }

  /** Lab muon angle θ (rad) of the last trial. */
  get theta(): number {
    return Math.acos(Math.max(-1, Math.min(1, this.cosTheta)));
  }

  /**
   * Sets the rest frame of a body with lab 4-momentum (P0, p) (velocity β = p/P0) and boosts the
   * neutrino k = (E, 0, 0, E) into it (docs/reference-generator.md §0 boost, inverse with −β). Returns E* (GeV).
   */
  private setFrame(E: number, P0: number, px: number, py: number, pz: number, mass: number): number {
    const bx = px / P0, by = py / P0, bz = pz / P0;
    const g = P0 / mass;
    this.bx = bx; this.by = by; this.bz = bz; this.gamma = g;
    const Es = g * E * (1 - bz);
    // p* = k + β[(γ²/(γ+1))(β·k) − γE]
    const c = ((g * g) / (g + 1)) * bz * E - g * E;
    this.dx = (bx * c) / Es;
    this.dy = (by * c) / Es;
    this.dz = (E + bz * c) / Es;
    this.Es = Es;
    return Es;
  }

  /**
   * Builds the muon in the rest frame (energy E* − ω*, polar angle from Q² about the neutrino
   * direction, φ uniform) and boosts it to the lab (docs/reference-generator.md §1.4 step 6). False if |cos θ*| > 1.
   */
  private emit(Q2: number, omegaS: number, rng: Rng): boolean {
    const Es = this.Es;
    const Emu = Es - omegaS;
    if (!(Emu > M_MU)) return false;
    const p = Math.sqrt(Emu * Emu - M2_MU);
    const c = (2 * Es * Emu - M2_MU - Q2) / (2 * Es * p);
    if (!(c >= -1 && c <= 1)) return false;
    const s = Math.sqrt(1 - c * c);
    const phi = 2 * Math.PI * rng.next();
    const cp = Math.cos(phi), sp = Math.sin(phi);
    const dx = this.dx, dy = this.dy, dz = this.dz;
    // e1 ⟂ d: Gram–Schmidt on the axis least aligned with d
    let ax = 0, ay = 0, az = 0;
    if (Math.abs(dz) < 0.9) az = 1; else ax = 1;
    const dot = ax * dx + ay * dy + az * dz;
    let e1x = ax - dot * dx, e1y = ay - dot * dy, e1z = az - dot * dz;
    const n1 = 1 / Math.sqrt(e1x * e1x + e1y * e1y + e1z * e1z);
    e1x *= n1; e1y *= n1; e1z *= n1;
    const e2x = dy * e1z - dz * e1y, e2y = dz * e1x - dx * e1z, e2z = dx * e1y - dy * e1x;
    const tx = s * cp, ty = s * sp;
    const qx = p * (c * dx + tx * e1x + ty * e2x);
    const qy = p * (c * dy + tx * e1y + ty * e2y);
    const qz = p * (c * dz + tx * e1z + ty * e2z);
    // boost back by +β: E' = γ(E + β·p), p' = p + β[(γ²/(γ+1))(β·p) + γE]
    const g = this.gamma, bx = this.bx, by = this.by, bz = this.bz;
    const bp = bx * qx + by * qy + bz * qz;
    const f = ((g * g) / (g + 1)) * bp + g * Emu;
    this.E_mu = g * (Emu + bp);
    this.kx = qx + bx * f;
    this.ky = qy + by * f;
    this.kz = qz + bz * f;
    this.cosTheta = this.kz / Math.sqrt(this.kx * this.kx + this.ky * this.ky + this.kz * this.kz);
    this.Q2 = Q2;
    return true;
  }

  private setTarget(scale: number): void {
    const n = this.nuc;
    this.target[0] = n.E * scale; this.target[1] = n.px * scale; this.target[2] = n.py * scale; this.target[3] = n.pz * scale;
  }

  /** QE trial, docs/reference-generator.md §1.4: weight dσ/dQ²(E*, Q²)/g(Q²) × Pauli × BeRPA (knob). */
  trialQE(E: number, rng: Rng): number {
    const k = this.knobs;
    const nu = k.neutrino;
    const Mi = nu ? M_N_NEUTRON : M_P;
    const Mf = nu ? M_P : M_N_NEUTRON;
    const n = sampleNucleon(this.model, this.lfg, !nu, Mi, true, rng, this.nuc);
    const p2 = n.px * n.px + n.py * n.py + n.pz * n.pz;
    const Ms2 = n.E * n.E - p2;
    if (!(Ms2 > 0)) return 0;
    const Ms = Math.sqrt(Ms2);
    const Es = this.setFrame(E, n.E, n.px, n.py, n.pz, Ms);
    if (!q2Limits(Es, Ms, Mf, this.lim)) return 0;
    const t0 = this.lim[0] / (this.lim[0] + LAMBDA2_QE), t1 = this.lim[1] / (this.lim[1] + LAMBDA2_QE);
    const t = t0 + rng.next() * (t1 - t0);
    const Q2 = (LAMBDA2_QE * t) / (1 - t);
    const omegaS = (Q2 + Mf * Mf - Ms2) / (2 * Ms);
    if (!this.emit(Q2, omegaS, rng)) return 0;
    this.setTarget(1);
    this.W_true = Mf;
    if (k.pauli) {
      const fx = n.px - this.kx, fy = n.py - this.ky, fz = n.pz + E - this.kz;
      if (fx * fx + fy * fy + fz * fz < n.kF_final * n.kF_final) return 0;
    }
    const a = Q2 + LAMBDA2_QE;
    let w = (dsigmaQE_dQ2(Es, Q2, nu ? 1 : -1, k.M_A, k.vector_ff) * a * a * (t1 - t0)) / LAMBDA2_QE;
    if (k.rpa) w *= beRPA(Q2);
    return w;
  }

  /**
   * MEC trial on a nucleon pair at rest (docs/reference-generator.md §4): W₂ from the Gaussian N(2.15, 0.05) itself
   * (zero weight outside [M₂, √s − m_μ]), Q² from (1+Q²/Λ²)⁻² with Λ² = 0.3 GeV² (closer to the
   * Q²(1+Q²/0.4)⁻⁸ shape than Λ² = 1); weight = unnormalised shape / proposal (channels.ts normalises).
   */
  trialMEC(E: number, rng: Rng): number {
    const M2 = M_PAIR;
    const Es = this.setFrame(E, M2, 0, 0, 0, M2);
    // Box–Muller: one standard normal per trial
    const z = Math.sqrt(-2 * Math.log(rng.nextOpen())) * Math.cos(2 * Math.PI * rng.next());
    const W2 = MEC_W2_MEAN + MEC_W2_SIGMA * z;
    if (!(W2 > M2 && W2 < Math.sqrt(M2 * M2 + 2 * M2 * Es) - M_MU)) return 0;
    if (!q2Limits(Es, M2, W2, this.lim)) return 0;
    const L = LAMBDA2_MEC;
    const t0 = this.lim[0] / (this.lim[0] + L), t1 = this.lim[1] / (this.lim[1] + L);
    const t = t0 + rng.next() * (t1 - t0);
    const Q2 = (L * t) / (1 - t);
    const omegaS = (W2 * W2 - M2 * M2 + Q2) / (2 * M2);
    if (!this.emit(Q2, omegaS, rng)) return 0;
    this.target[0] = M2; this.target[1] = 0; this.target[2] = 0; this.target[3] = 0;
    this.W_true = W2;
    const a = Q2 + L;
    // proposal density of W₂ is exp(−z²/2)/(σ√(2π)); mecShape contains exp(−z²/2)
    return (mecShape(Es, W2, Q2) * MEC_W2_SIGMA * SQRT_2PI * a * a * (t1 - t0)) / (L * Math.exp(-0.5 * z * z));
  }

  /** Struck nucleon for RES/DIS (docs/reference-generator.md §2.3): frame of P, effective mass M* = min(√(P·P), M). */
  private resFrame(E: number, rng: Rng, proton: boolean): number {
    const Mi = proton ? M_P : M_N_NEUTRON;
    const n = sampleNucleon(this.model, this.lfg, proton, Mi, false, rng, this.nuc);
    const Ms2 = n.E * n.E - (n.px * n.px + n.py * n.py + n.pz * n.pz);
    if (!(Ms2 > 0)) return 0;
    const mass = Math.sqrt(Ms2);
    const Ms = Math.min(mass, M_NUCLEON);
    this.setFrame(E, n.E, n.px, n.py, n.pz, mass);
    this.setTarget(Ms / mass);
    return Ms;
  }

  /**
   * RES trial (docs/reference-generator.md §2.3, §3.3): W from ½Cauchy(1.232, 0.06) + ½U[1.08, W_top], Q² as QE;
   * density Σc_t(1−a_t)dσ_Δ + B(W)dσ_DIS (× shoulder §3.4 when enabled).
   */
  trialRES(E: number, rng: Rng, proton: boolean): number {
    const k = this.knobs;
    const Ms = this.resFrame(E, rng, proton);
    if (Ms === 0) return 0;
    const Es = this.Es;
    const Wtop = Math.min(k.W_cut, Math.sqrt(Ms * Ms + 2 * Ms * Es) - M_MU);
    if (!(Wtop > W_RES_MIN)) return 0;
    const F0 = 0.5 + Math.atan((W_RES_MIN - M_DELTA) / CAUCHY_GAMMA) / Math.PI;
    const F1 = 0.5 + Math.atan((Wtop - M_DELTA) / CAUCHY_GAMMA) / Math.PI;
    let W: number;
    if (rng.next() < 0.5) W = M_DELTA + CAUCHY_GAMMA * Math.tan(Math.PI * (F0 + rng.next() * (F1 - F0) - 0.5));
    else W = W_RES_MIN + rng.next() * (Wtop - W_RES_MIN);
    if (!(W > W_RES_MIN && W < Wtop)) return 0;
    const dW = W - M_DELTA;
    const gW = (0.5 * CAUCHY_GAMMA) / (Math.PI * (dW * dW + CAUCHY_GAMMA * CAUCHY_GAMMA) * (F1 - F0)) + 0.5 / (Wtop - W_RES_MIN);
    if (!q2Limits(Es, Ms, W, this.lim)) return 0;
    const t0 = this.lim[0] / (this.lim[0] + LAMBDA2_QE), t1 = this.lim[1] / (this.lim[1] + LAMBDA2_QE);
    const t = t0 + rng.next() * (t1 - t0);
    const Q2 = (LAMBDA2_QE * t) / (1 - t);
    const omegaS = (W * W - Ms * Ms + Q2) / (2 * Ms);
    if (!this.emit(Q2, omegaS, rng)) return 0;
    this.W_true = W;
    resonanceMix(W, proton ? this.chP : this.chN, this.edges, this.mix);
    let f = 0;
    if (this.mix[0]! > 0) f += this.mix[0]! * d2sigmaDelta_dQ2dW(Es, W, Q2, this.eta, k.delta_ff);
    if (this.mix[1]! > 0) {
      let dis = d2sigmaDIS_dWdQ2(Es, W, Q2, k.neutrino, proton);
      if (k.res_shoulder) dis *= shoulder(W, k.neutrino !== proton);
      f += this.mix[1]! * dis;
    }
    const a = Q2 + LAMBDA2_QE;
    return (f * a * a * (t1 - t0)) / (LAMBDA2_QE * gW);
  }

  /** DIS trial (docs/reference-generator.md §2.3, §3.1, §7): W ∝ 1/(W−1) on [W_cut, W_top], Q² with Λ² = 4 GeV². */
  trialDIS(E: number, rng: Rng, proton: boolean): number {
    const k = this.knobs;
    const Ms = this.resFrame(E, rng, proton);
    if (Ms === 0) return 0;
    const Es = this.Es;
    const Wtop = Math.sqrt(Ms * Ms + 2 * Ms * Es) - M_MU;
    if (!(Wtop > k.W_cut)) return 0;
    const u0 = Math.log(k.W_cut - 1), u1 = Math.log(Wtop - 1);
    const W = 1 + Math.exp(u0 + rng.next() * (u1 - u0));
    if (!q2Limits(Es, Ms, W, this.lim)) return 0;
    const L = LAMBDA2_DIS;
    const t0 = this.lim[0] / (this.lim[0] + L), t1 = this.lim[1] / (this.lim[1] + L);
    const t = t0 + rng.next() * (t1 - t0);
    const Q2 = (L * t) / (1 - t);
    const omegaS = (W * W - Ms * Ms + Q2) / (2 * Ms);
    if (!this.emit(Q2, omegaS, rng)) return 0;
    this.W_true = W;
    const a = Q2 + L;
    return (d2sigmaDIS_dWdQ2(Es, W, Q2, k.neutrino, proton) * (W - 1) * (u1 - u0) * a * a * (t1 - t0)) / L;
  }
}
