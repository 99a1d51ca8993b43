import { describe, expect, it } from 'vitest';
import { GEV2_TO_CM2 } from '../../src/physics/constants.ts';
import { deltaBreitWigner, sigmaDeltaFree } from '../../src/physics/delta.ts';

const to1e38 = GEV2_TO_CM2 / 1e-38;

describe('Δ(1232) isobar model (docs/reference-generator.md §2.1)', () => {
  it('reproduces free ν p → μ⁻ p π⁺ below W = 1.4 GeV at 0.5, 1, 1.5 and 3 GeV', () => {
    // [P] values 0.06, 0.51, 0.64, 0.69 are rounded to 0.01: allow the rounding plus 2 % integration slack
    const want: Array<[number, number]> = [[0.5, 0.06], [1, 0.51], [1.5, 0.64], [3, 0.69]];
    for (const [E, s] of want) expect(Math.abs(sigmaDeltaFree(E, 1.4, true) * to1e38 - s)).toBeLessThan(0.005 + 0.02 * s);
    expect(Math.abs(sigmaDeltaFree(1, 1.6, true) * to1e38 - 0.54)).toBeLessThan(0.016);
  });

  it('reproduces free ν̄ n → μ⁺ n π⁻ (W < 1.6 GeV) and stays below the neutrino channel', () => {
    expect(Math.abs(sigmaDeltaFree(1, 1.6, false) * to1e38 - 0.12)).toBeLessThan(0.008);
    expect(Math.abs(sigmaDeltaFree(3, 1.6, false) * to1e38 - 0.46)).toBeLessThan(0.015);
    for (const E of [0.5, 1, 2, 5]) expect(sigmaDeltaFree(E, 1.6, true)).toBeGreaterThan(sigmaDeltaFree(E, 1.6, false));
  });

  it('has a Breit–Wigner peaking near M_Δ = 1.232 GeV', () => {
    let best = 0, Wbest = 0;
    for (let W = 1.1; W < 1.5; W += 0.001) {
      const v = deltaBreitWigner(W);
      if (v > best) { best = v; Wbest = W; }
    }
    // Γ(W) ∝ q_π³ grows with W, which pulls the maximum of BW(W) ~15 MeV below M_Δ; 25 MeV bound
    expect(Wbest).toBeLessThan(1.232);
    expect(1.232 - Wbest).toBeLessThan(0.025);
  });
});
