import { describe, expect, it } from 'vitest';
import { GEV2_TO_CM2 } from '../../src/physics/constants.ts';
import { sigmaDISFree } from '../../src/physics/dis.ts';
import { grv94, grv94Exact, type Partons } from '../../src/physics/grv94.ts';

const to1e38 = GEV2_TO_CM2 / 1e-38;
const isoscalar = (E: number, nu: boolean): number => 0.5 * (sigmaDISFree(E, 1.6, nu, true) + sigmaDISFree(E, 1.6, nu, false)) * to1e38 / E;

describe('DIS with Bodek–Yang GRV94 (docs/reference-generator.md §3)', () => {
  it('gives the [P] isoscalar σ/E for W > 1.6 GeV at 10 and 100 GeV, ν and ν̄', () => {
    // [P] 0.54/0.64 (ν), 0.20/0.31 (ν̄), quoted to 0.01: ±0.01 rounding + 1 % gridded-PDF error
    expect(Math.abs(isoscalar(10, true) - 0.54)).toBeLessThan(0.015);
    expect(Math.abs(isoscalar(100, true) - 0.64)).toBeLessThan(0.016);
    expect(Math.abs(isoscalar(10, false) - 0.2)).toBeLessThan(0.012);
    expect(Math.abs(isoscalar(100, false) - 0.31)).toBeLessThan(0.013);
  });

  it('reaches about half the ν value for ν̄ at high energy, the valence-dominated (1−y)² pattern', () => {
    const r = isoscalar(100, false) / isoscalar(100, true);
    expect(r).toBeGreaterThan(0.4);
    expect(r).toBeLessThan(0.55);
  });

  it('interpolates the PDF grid to within 1 % of the exact parametrisation where densities matter', () => {
    const a: Partons = { uv: 0, dv: 0, ub: 0, db: 0, s: 0 }, b: Partons = { ...a };
    for (const x of [0.003, 0.02, 0.1, 0.3, 0.6]) {
      for (const Q2 of [0.3, 1, 4, 30]) {
        grv94(x, Q2, a); grv94Exact(x, Q2, b);
        expect(Math.abs(a.uv - b.uv)).toBeLessThan(0.01 * b.uv + 1e-4);
        expect(Math.abs(a.db - b.db)).toBeLessThan(0.01 * b.db + 1e-4);
      }
    }
  });
});
