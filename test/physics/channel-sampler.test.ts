import { describe, expect, it } from 'vitest';
import { GEV2_TO_CM2, M_MU } from '../../src/physics/constants.ts';
import { resolveKnobs } from '../../src/physics/domains.ts';
import { Rng } from '../../src/util/rng.ts';
import { ChannelSampler, SUBCHANNELS } from '../../src/physics/channel-sampler.ts';

const to1e38 = GEV2_TO_CM2 / 1e-38;

function meanWeight(s: ChannelSampler, j: number, E: number, n: number, seed = 1): number {
  const rng = new Rng(seed);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s.trial(j, E, rng);
  return sum / n;
}

describe('QE in the nucleus (docs/reference-generator.md §1.4)', () => {
  // 60k trials at efficiency ≈ 0.7: statistical error ≈ 0.3 %; [P] rounded to 0.01 → ±0.02 bound
  it('gives σ per neutron on carbon at 1 GeV of 0.98 (M_A 1.03) and 1.27 (M_A 1.35) in the Fermi gas', () => {
    expect(Math.abs(meanWeight(new ChannelSampler(resolveKnobs('nu-carbon')), 0, 1, 60_000) * to1e38 - 0.98)).toBeLessThan(0.02);
    expect(Math.abs(meanWeight(new ChannelSampler(resolveKnobs('nu-carbon', { M_A: 1.35 })), 0, 1, 60_000) * to1e38 - 1.27)).toBeLessThan(0.025);
  });

  it('gives 1.06 without Pauli blocking and 0.33 per proton for antineutrinos', () => {
    expect(Math.abs(meanWeight(new ChannelSampler(resolveKnobs('nu-carbon', { pauli: false })), 0, 1, 60_000) * to1e38 - 1.06)).toBeLessThan(0.02);
    expect(Math.abs(meanWeight(new ChannelSampler(resolveKnobs('antinu-carbon')), 0, 1, 60_000) * to1e38 - 0.33)).toBeLessThan(0.012);
  });

  it('gives 0.90 / 1.19 in the local Fermi gas with BeRPA (domain D model)', () => {
    expect(Math.abs(meanWeight(new ChannelSampler(resolveKnobs('nu-carbon-alt', { M_A: 1.03 })), 0, 1, 60_000) * to1e38 - 0.9)).toBeLessThan(0.02);
    expect(Math.abs(meanWeight(new ChannelSampler(resolveKnobs('nu-carbon-alt')), 0, 1, 60_000) * to1e38 - 1.19)).toBeLessThan(0.025);
  });
});

describe('every trial conserves energy and momentum', () => {
  for (const domain of ['nu-carbon', 'antinu-carbon', 'nu-carbon-alt', 'nu-argon']) {
    it(`keeps k′² = m_μ², (P + k − k′)² = W² and E_μ ≥ m_μ in all channels of ${domain}`, () => {
      const s = new ChannelSampler(resolveKnobs(domain));
      const rng = new Rng(9);
      let checked = 0, minEmu = Infinity, massErr = 0, wErr = 0, cosErr = 0;
      for (let j = 0; j < SUBCHANNELS.length; j++) {
        for (const E of [0.6, 2, 9]) {
          for (let i = 0; i < 3000; i++) {
            if (!(s.trial(j, E, rng) > 0)) continue;
            checked++;
            const Emu = s.E_mu, kx = s.kx, ky = s.ky, kz = s.kz;
            minEmu = Math.min(minEmu, Emu);
            massErr = Math.max(massErr, Math.abs(Emu * Emu - kx * kx - ky * ky - kz * kz - M_MU * M_MU) / (Emu * Emu));
            const [P0, Px, Py, Pz] = s.target;
            const h0 = P0! + E - Emu, hx = Px! - kx, hy = Py! - ky, hz = Pz! + E - kz;
            wErr = Math.max(wErr, Math.abs(h0 * h0 - hx * hx - hy * hy - hz * hz - s.W_true * s.W_true) / (E * E + 1));
            cosErr = Math.max(cosErr, Math.abs(Math.cos(s.theta) - s.cosTheta));
          }
        }
      }
      expect(minEmu).toBeGreaterThanOrEqual(M_MU);
      // relative 1e-9: double-precision boosts of GeV-scale four-vectors lose at most a few ulps × γ²
      expect(massErr).toBeLessThan(1e-9);
      expect(wErr).toBeLessThan(1e-9);
      expect(cosErr).toBeLessThan(1e-9);
      expect(checked).toBeGreaterThan(5000);
    });
  }
});
