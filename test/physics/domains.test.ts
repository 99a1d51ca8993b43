import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/contract/stage.ts';
import { DOMAIN_KNOBS, DOMAINS, resolveKnobs } from '../../src/physics/domains.ts';

describe('domains and knobs (docs/reference-generator.md §5)', () => {
  it('define the four domains of docs/reference-generator.md §5 with the §5 settings', () => {
    expect([...DOMAINS]).toEqual(['nu-carbon', 'nu-argon', 'antinu-carbon', 'nu-carbon-alt']);
    expect(DOMAIN_KNOBS['nu-argon'].target).toBe('Ar40');
    expect(DOMAIN_KNOBS['antinu-carbon'].neutrino).toBe(false);
    const alt = DOMAIN_KNOBS['nu-carbon-alt'];
    expect([alt.nucleon_model, alt.M_A, alt.W_cut, alt.W_lo, alt.rpa]).toEqual(['lfg', 1.35, 1.9, 1.6, true]);
  });

  it('apply user overrides without touching the domain defaults', () => {
    const k = resolveKnobs('nu-carbon', { M_A: 1.2, nucleon_model: 'lfg' });
    expect(k.M_A).toBe(1.2);
    expect(k.nucleon_model).toBe('lfg');
    expect(DOMAIN_KNOBS['nu-carbon'].M_A).toBe(1.03);
  });

  it('reject unknown domains, unknown knobs, wrong types and inconsistent W edges with InputError', () => {
    expect(() => resolveKnobs('nu-iron')).toThrow(InputError);
    expect(() => resolveKnobs('nu-carbon', { MA: 1 })).toThrow(/unknown knob 'MA'/);
    expect(() => resolveKnobs('nu-carbon', { M_A: '1.2' })).toThrow(/expects number/);
    expect(() => resolveKnobs('nu-carbon', { W_lo: 1.7 })).toThrow(/W_lo ≤ W_hi/);
    expect(() => resolveKnobs('nu-carbon', { kF_p: -0.2 })).toThrow(/kF_p/);
  });
});
