import { describe, expect, it } from 'vitest';
import { GEV2_TO_CM2 } from '../../src/physics/constants.ts';
import { beRPA, q2Limits, sigmaQEFree } from '../../src/physics/qe.ts';

const to1e38 = GEV2_TO_CM2 / 1e-38;

describe('free-nucleon quasielastic cross section (docs/reference-generator.md §1.1)', () => {
  // [P] values are quoted to 2 decimals, so ±0.01 rounding plus 1 % quadrature/transcription slack
  it('matches the [P] anchors at 1 GeV for both axial masses (ν n → μ⁻ p)', () => {
    expect(sigmaQEFree(1, true, 1.03) * to1e38).toBeCloseTo(1.07, 1);
    expect(Math.abs(sigmaQEFree(1, true, 1.03) * to1e38 - 1.07)).toBeLessThan(0.02);
    expect(Math.abs(sigmaQEFree(1, true, 1.35) * to1e38 - 1.38)).toBeLessThan(0.02);
  });

  it('matches the [P] anchors for ν̄ p at 1 GeV and ν n at 10 GeV', () => {
    expect(Math.abs(sigmaQEFree(1, false, 1.03) * to1e38 - 0.39)).toBeLessThan(0.015);
    expect(Math.abs(sigmaQEFree(1, false, 1.35) * to1e38 - 0.46)).toBeLessThan(0.015);
    expect(Math.abs(sigmaQEFree(10, true, 1.03) * to1e38 - 0.96)).toBeLessThan(0.02);
    expect(Math.abs(sigmaQEFree(10, true, 1.35) * to1e38 - 1.31)).toBeLessThan(0.02);
  });

  it('is larger for neutrinos than antineutrinos at every energy (V−A interference sign)', () => {
    for (let E = 0.2; E <= 10; E *= 1.5) expect(sigmaQEFree(E, true, 1.03)).toBeGreaterThan(sigmaQEFree(E, false, 1.03));
  });

  it('vanishes below the ν n → μ⁻ p threshold of about 0.110 GeV', () => {
    expect(sigmaQEFree(0.105, true, 1.03)).toBe(0);
    expect(sigmaQEFree(0.12, true, 1.03)).toBeGreaterThan(0);
  });
});

describe('two-body Q² limits', () => {
  it('close at threshold and open to about 2ME at high energy', () => {
    const lim = new Float64Array(2);
    expect(q2Limits(0.1, 0.939565, 0.938272, lim)).toBe(false);
    expect(q2Limits(50, 0.938919, 0.938919, lim)).toBe(true);
    // Q²_max → 2ME − m² − O(M²) for E ≫ M; within 3 %
    expect(lim[1]! / (2 * 0.938919 * 50)).toBeGreaterThan(0.97);
    expect(lim[0]!).toBeLessThan(1e-3);
  });
});

describe('BeRPA', () => {
  it('suppresses low Q², is continuous at Q² = U and tends to 1 at high Q²', () => {
    expect(beRPA(0)).toBeCloseTo(0.59, 12);
    expect(beRPA(1.2 - 1e-9)).toBeCloseTo(beRPA(1.2 + 1e-9), 6);
    expect(Math.abs(beRPA(20) - 1)).toBeLessThan(1e-6);
  });
});
