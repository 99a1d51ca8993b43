/**
 * The four domains as sets of model knobs (docs/reference-generator.md §5), and the merging of
 * user overrides from a pipeline's `knobs:` block. Units: GeV. These configure nugan's analytic
 * reference generator — a compact stand-in for NuWro, not NuWro.
 */
import { InputError } from '../util/errors.ts';
import type { DeltaFormFactorSet } from './delta.ts';
import type { VectorFormFactorSet } from './form-factors.ts';
import type { TargetName } from './nucleus.ts';

export const DOMAINS = ['nu-carbon', 'nu-argon', 'antinu-carbon', 'nu-carbon-alt'] as const;
export type DomainName = (typeof DOMAINS)[number];

/** Every setting of the generator's physics; all energies and momenta in GeV. */
export interface Knobs {
  /** Target nucleus. */
  target: TargetName;
  /** true: ν_μ (μ⁻), false: ν̄_μ (μ⁺). */
  neutrino: boolean;
  /** Nucleon model for all channels: global or local Fermi gas (docs/reference-generator.md §1.3). */
  nucleon_model: 'gfg' | 'lfg';
  /** GFG Fermi momenta and removal energy (GeV). */
  kF_p: number;
  kF_n: number;
  E_b: number;
  /** Bodek–Ritchie high-momentum tail for QE (GFG only). */
  sf_tail: boolean;
  /** QE axial mass (GeV) and vector form-factor set. */
  M_A: number;
  vector_ff: VectorFormFactorSet;
  /** Pauli blocking in QE. */
  pauli: boolean;
  /** BeRPA suppression of QE. */
  rpa: boolean;
  /** Δ form-factor set (1: Graczyk–Sobczyk, 2: Paschos–Lalakulich). */
  delta_ff: DeltaFormFactorSet;
  /** RES/DIS boundary and the Δ fade-out window (GeV). */
  W_cut: number;
  W_lo: number;
  W_hi: number;
  /** Higher-resonance shoulder of docs/reference-generator.md §3.4. */
  res_shoulder: boolean;
  /** MEC normalisation as a fraction of QE (docs/reference-generator.md §4). */
  f_MEC: number;
}

const BASE: Knobs = {
  target: 'C12',
  neutrino: true,
  nucleon_model: 'gfg',
  kF_p: 0.221,
  kF_n: 0.221,
  E_b: 0.025,
  sf_tail: false,
  M_A: 1.03,
  vector_ff: 'bbba05',
  pauli: true,
  rpa: false,
  delta_ff: 1,
  W_cut: 1.6,
  W_lo: 1.3,
  W_hi: 1.6,
  res_shoulder: false,
  f_MEC: 0.25,
};

/** Domain defaults, docs/reference-generator.md §5 table. */
export const DOMAIN_KNOBS: Readonly<Record<DomainName, Readonly<Knobs>>> = {
  'nu-carbon': BASE,
  'nu-argon': { ...BASE, target: 'Ar40', kF_p: 0.242, kF_n: 0.259, E_b: 0.0295 },
  'antinu-carbon': { ...BASE, neutrino: false },
  'nu-carbon-alt': {
    ...BASE,
    nucleon_model: 'lfg',
    M_A: 1.35,
    rpa: true,
    delta_ff: 2,
    W_cut: 1.9,
    W_lo: 1.6,
    W_hi: 1.9,
    res_shoulder: true,
  },
};

type KnobType = 'number' | 'boolean' | readonly string[] | readonly number[];
const KNOB_TYPES: Record<keyof Knobs, KnobType> = {
  target: ['C12', 'Ar40'],
  neutrino: 'boolean',
  nucleon_model: ['gfg', 'lfg'],
  kF_p: 'number',
  kF_n: 'number',
  E_b: 'number',
  sf_tail: 'boolean',
  M_A: 'number',
  vector_ff: ['bbba05', 'dipole'],
  pauli: 'boolean',
  rpa: 'boolean',
  delta_ff: [1, 2],
  W_cut: 'number',
  W_lo: 'number',
  W_hi: 'number',
  res_shoulder: 'boolean',
  f_MEC: 'number',
};

/** JSON Schema of the `knobs:` override block (used by the simulate stage's schema). */
export const KNOBS_SCHEMA: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(
    Object.entries(KNOB_TYPES).map(([k, t]) => [k, typeof t === 'string' ? { type: t } : { enum: [...t] }]),
  ),
};

/**
 * Knobs of `domain` with `overrides` applied. Throws InputError naming the knob for unknown names,
 * wrong types, or inconsistent values (non-positive masses/momenta, W_lo ≤ 1.08, W_lo > W_hi > W_cut).
 */
export function resolveKnobs(domain: string, overrides: Record<string, unknown> = {}, where = 'knobs'): Knobs {
  if (!(DOMAINS as readonly string[]).includes(domain)) {
    throw new InputError(`unknown domain '${domain}' (expected one of ${DOMAINS.join(', ')})`, where);
  }
  const k: Knobs = { ...DOMAIN_KNOBS[domain as DomainName] };
  for (const [name, value] of Object.entries(overrides)) {
    const t = KNOB_TYPES[name as keyof Knobs];
    if (t === undefined) {
      throw new InputError(`unknown knob '${name}' (expected one of ${Object.keys(KNOB_TYPES).join(', ')})`, where);
    }
    const ok = typeof t === 'string' ? typeof value === t && (t !== 'number' || Number.isFinite(value)) : (t as readonly unknown[]).includes(value);
    if (!ok) throw new InputError(`knob '${name}' expects ${typeof t === 'string' ? t : t.join(' | ')}, got ${JSON.stringify(value)}`, where);
    (k as unknown as Record<string, unknown>)[name] = value;
  }
  for (const name of ['kF_p', 'kF_n', 'M_A'] as const) {
    if (!(k[name] > 0)) throw new InputError(`knob '${name}' must be > 0 GeV, got ${k[name]}`, where);
  }
  if (!(k.E_b >= 0 && k.E_b < 0.2)) throw new InputError(`knob 'E_b' must be in [0, 0.2) GeV, got ${k.E_b}`, where);
  if (!(k.f_MEC >= 0)) throw new InputError(`knob 'f_MEC' must be ≥ 0, got ${k.f_MEC}`, where);
  if (!(k.W_lo > 1.08 && k.W_lo <= k.W_hi && k.W_hi <= k.W_cut)) {
    throw new InputError(`knobs must satisfy 1.08 < W_lo ≤ W_hi ≤ W_cut (GeV), got ${k.W_lo}, ${k.W_hi}, ${k.W_cut}`, where);
  }
  return k;
}
