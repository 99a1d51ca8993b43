import { describe, expect, it } from 'vitest';
import { formFactors, type FormFactors } from '../../src/physics/form-factors.ts';
import { G_A, MU_N, MU_P } from '../../src/physics/constants.ts';

const ff = (): FormFactors => ({ F1: 0, F2: 0, FA: 0, FP: 0 });

describe('nucleon form factors (docs/reference-generator.md §1.2)', () => {
  it('reduce to the static charges and moments at Q² = 0 for both vector sets', () => {
    for (const set of ['bbba05', 'dipole'] as const) {
      const f = formFactors(0, 1.03, set, ff());
      expect(f.F1).toBeCloseTo(1, 12);
      expect(f.F2).toBeCloseTo(MU_P - MU_N - 1, 12);
      expect(f.FA).toBeCloseTo(G_A, 12);
    }
  });

  it('gives the dipole axial form factor g_A/4 at Q² = M_A²', () => {
    expect(formFactors(1.35 ** 2, 1.35, 'bbba05', ff()).FA).toBeCloseTo(G_A / 4, 12);
  });

  it('keeps BBBA05 and dipole magnetic form factors within 15 % below 1 GeV² and falling', () => {
    // BBBA05 deviates from the dipole by < ~10 % in this range (hep-ex/0602017, fig. 1)
    for (const Q2 of [0.1, 0.3, 0.6, 1]) {
      const a = formFactors(Q2, 1.03, 'bbba05', ff()), b = formFactors(Q2, 1.03, 'dipole', ff());
      expect(Math.abs(a.F1 + a.F2 - (b.F1 + b.F2)) / (b.F1 + b.F2)).toBeLessThan(0.15);
    }
    expect(formFactors(2, 1.03, 'bbba05', ff()).F1).toBeLessThan(formFactors(1, 1.03, 'bbba05', ff()).F1);
  });
});
