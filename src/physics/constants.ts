/**
 * Physical constants and unit conversions. nugan's unit system is GeV and radians everywhere; only
 * src/io converts at the edges, through the factors below (house rule 11).
 * Values: shared/physics.md §0 (NuWro src/masses.h, src/sf/GConstants.h, PDG).
 */

/** Muon mass, GeV (physics.md §0, NuWro src/masses.h). */
export const M_MU = 0.105658;
/** Proton mass, GeV. */
export const M_P = 0.938272;
/** Neutron mass, GeV. */
export const M_N_NEUTRON = 0.939565;
/** Average nucleon mass M = (M_p + M_n)/2, GeV: the "nucleon at rest" of W and Q² reconstruction. */
export const M_NUCLEON = 0.938919;

/** 1 MeV in GeV. Multiply a value in MeV by this to get GeV. */
export const MEV = 1e-3;
/** 1 GeV⁻² in cm² (ħc)² = 0.389379 mb·GeV². */
export const GEV2_TO_CM2 = 0.389379e-27;
/** ħc in GeV·fm. */
export const HBARC_GEV_FM = 0.197327;

/** Energy window of the study (DESIGN.md §1), GeV. */
export const E_MIN = 0.3;
export const E_MAX = 10;
/** Minimum energy transfer of the proxy domain, GeV (DESIGN.md §1: omega ≥ 9.8 MeV). */
export const OMEGA_MIN = 0.0098;
