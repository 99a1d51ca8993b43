import { describe, expect, it } from 'vitest';
import { densityShape, lfgBindingEnergy, localFermiGas, localFermiMomentum, sampleNucleon, sampleRadius, type StruckNucleon } from '../../src/physics/nucleus.ts';
import { Rng } from '../../src/util/rng.ts';

/** Density-weighted averages over nucleons, by evaluating the inverse CDF on a regular grid. */
function averages(target: 'C12' | 'Ar40'): { kFn: number; Eb: number } {
  const g = localFermiGas(target);
  const n = 20_000;
  let kFn = 0, Eb = 0;
  for (let i = 0; i < n; i++) {
    const r = sampleRadius(g, (i + 0.5) / n);
    const k = localFermiMomentum(g, r, g.N);
    kFn += k;
    Eb += lfgBindingEnergy(k);
  }
  return { kFn: kFn / n, Eb: Eb / n };
}

describe('local Fermi gas (docs/reference-generator.md §1.3)', () => {
  it('normalises carbon to ρ(0) = 0.170 fm⁻³ and k_F(0) = 0.269 GeV', () => {
    const g = localFermiGas('C12');
    // [P] values at 3 digits: ±0.002 rounding
    expect(Math.abs(g.norm * densityShape('C12', 0) - 0.17)).toBeLessThan(0.002);
    expect(Math.abs(localFermiMomentum(g, 0, g.N) - 0.269)).toBeLessThan(0.002);
  });

  it('gives the [P] mean Fermi momenta and removal energies for carbon and argon', () => {
    const c = averages('C12'), ar = averages('Ar40');
    expect(Math.abs(c.kFn - 0.2)).toBeLessThan(0.002);
    expect(Math.abs(c.Eb - 0.0296)).toBeLessThan(0.0005);
    expect(Math.abs(ar.kFn - 0.224)).toBeLessThan(0.002);
    expect(Math.abs(ar.Eb - 0.035)).toBeLessThan(0.001);
  });
});

describe('global Fermi gas draws', () => {
  it('fill the Fermi sphere uniformly: ⟨p²⟩ = 3k_F²/5 and off-shell energy √(M²+p²) − E_b', () => {
    const rng = new Rng(3);
    const out: StruckNucleon = { px: 0, py: 0, pz: 0, E: 0, kF_final: 0 };
    const model = { kind: 'gfg', target: 'C12', kF_p: 0.221, kF_n: 0.221, E_b: 0.025, tail: false } as const;
    const n = 50_000;
    let p2 = 0, maxP2 = 0, maxEnergyErr = 0;
    for (let i = 0; i < n; i++) {
      sampleNucleon(model, null, false, 0.939565, true, rng, out);
      const q2 = out.px ** 2 + out.py ** 2 + out.pz ** 2;
      maxP2 = Math.max(maxP2, q2);
      maxEnergyErr = Math.max(maxEnergyErr, Math.abs(out.E - (Math.sqrt(0.939565 ** 2 + q2) - 0.025)));
      p2 += q2;
    }
    expect(maxP2).toBeLessThanOrEqual(0.221 ** 2 + 1e-12);
    expect(maxEnergyErr).toBeLessThan(1e-12);
    // ⟨p²⟩ = 0.6 k_F²; relative standard error ≈ 0.6/√n·… ≈ 0.2 %: allow 1.5 %
    expect(Math.abs(p2 / n / (0.6 * 0.221 ** 2) - 1)).toBeLessThan(0.015);
  });
});
