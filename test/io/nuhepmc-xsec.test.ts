import { describe, expect, it } from 'vitest';
import { channelSigma, crossSectionTableOf, runNormalisation, totalSigma, XSEC_TABLE_UNIT } from '../../src/io/nuhepmc-xsec.ts';

// σ = 1 + ln E on [1, e] (linear in ln E between the two table points), split over two channels.
const table = crossSectionTableOf({ source: 't', cross_sections: { unit: XSEC_TABLE_UNIT, E_nu: [1, Math.E], QE: [0.25, 0.5], RES: [0.75, 1.5] } })!;

describe('NuHepMC cross-section bookkeeping', () => {
  it('interpolates each channel linearly in ln E and sums the channels', () => {
    expect(channelSigma(table, 'QE', Math.exp(0.5))).toBeCloseTo(0.375, 14);
    expect(totalSigma(table, Math.exp(0.25))).toBeCloseTo(1.25, 14);
    expect(totalSigma(table, 0.5)).toBe(1); // constant beyond the ends
    expect(channelSigma(table, 'DIS', 2)).toBe(0);
  });

  it('averages over a flat flux with the analytic integral: ∫(1 + ln E)dE over [1, e] = e', () => {
    const n = runNormalisation(table, [1, Math.E], 'flux');
    expect(n.sigma).toBeCloseTo(Math.E / (Math.E - 1), 7); // Simpson, 64 steps on one wide segment
    expect(n.beam).toEqual({ type: 'Histogram', edges: [1, Math.E], content: [1] });
  });

  it('takes the harmonic mean for E_nu uniform whatever σ: ∫dE/(1 + ln E) over [1, e] = (Ei(2) − Ei(1))/e', () => {
    const Ei1 = 1.8951178163559368, Ei2 = 4.95423435600189; // exponential integral, Abramowitz & Stegun table 5.1
    const n = runNormalisation(table, [1, Math.E], 'conditional');
    expect(n.sigma).toBeCloseTo((Math.E - 1) / ((Ei2 - Ei1) / Math.E), 6);
    expect(n.sigma!).toBeLessThan(runNormalisation(table, [1, Math.E], 'flux').sigma!);
  });

  it('gives σ_tot(E) for a fixed energy, and no σ without a table or with an unknown sampling rule', () => {
    expect(runNormalisation(table, Math.exp(0.5), 'conditional')).toMatchObject({ sigma: 1.5, beam: { type: 'MonoEnergetic', energy: Math.exp(0.5) } });
    expect(runNormalisation(undefined, 2, undefined)).toMatchObject({ beam: { type: 'MonoEnergetic', energy: 2 } });
    expect(runNormalisation(undefined, 2, undefined).sigma).toBeUndefined();
    expect(runNormalisation(undefined, [1, 2], 'conditional')).toEqual({ note: expect.stringMatching(/cannot be normalised/) });
    expect(runNormalisation(table, [1, 2], undefined).sigma).toBeUndefined();
  });

  it('accepts only a well-formed table in its own unit', () => {
    const bad = [
      { unit: 'pb', E_nu: [1], QE: [1] },
      { unit: XSEC_TABLE_UNIT, E_nu: [2, 1], QE: [1, 1] },
      { unit: XSEC_TABLE_UNIT, E_nu: [1, 2], QE: [1] },
      { unit: XSEC_TABLE_UNIT, E_nu: [1, 2], QE: [1, -1] },
      { unit: XSEC_TABLE_UNIT, E_nu: [1, 2] },
    ];
    for (const cross_sections of bad) expect(crossSectionTableOf({ source: 't', cross_sections })).toBeUndefined();
  });
});
