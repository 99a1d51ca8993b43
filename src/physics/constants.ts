/**
 * Every physical constant and unit conversion of nugan, in one module (house rule 12). nugan's unit
 * system is GeV and radians everywhere; only src/io converts at the edges, through the factors below
 * (house rule 11). Values: docs/reference-generator.md §0 (NuWro src/masses.h, src/sf/GConstants.h, PDG).
 *
 * Sections: masses shared by the whole tool; unit conversions; the study's energy window; the couplings
 * and model parameters of the reference generator's interaction models (§0–§4).
 */

/** Muon mass, GeV (docs/reference-generator.md §0, NuWro src/masses.h). */
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

/** Energy window of the study and of the proxy E'_nu (docs/formats.md §4), GeV. */
export const E_MIN = 0.3;
export const E_MAX = 10;
/** Minimum energy transfer of the proxy domain, GeV (docs/formats.md §4: omega ≥ 9.8 MeV). */
export const OMEGA_MIN = 0.0098;

// ------------------------------------------------------------------ reference generator models
// Couplings and model parameters of the reference generator's interaction models (docs/reference-generator.md §0–§4).

/** Fermi constant G_F, GeV⁻² (docs/reference-generator.md §0, NuWro src/sf/GConstants.h). */
export const G_F = 1.16637e-5;
/** cos θ_C for QE (docs/reference-generator.md §0, NuWro src/jednostki.h). */
export const COS_CABIBBO_QE = 0.97418;
/** cos θ_C used by NuWro's Δ code (docs/reference-generator.md §2.1, src/dis/parameters.h). */
export const COS_CABIBBO_DELTA = 0.975;
/** W boson mass, GeV (docs/reference-generator.md §0, NuWro src/masses.h). */
export const M_W_BOSON = 80.423;
/** Charged-pion mass in the pseudoscalar form factor F_P, GeV (docs/reference-generator.md §0). */
export const M_PI_FP = 0.13957;
/** Pion mass in the Δ width and C6A, GeV (docs/reference-generator.md §0, NuWro src/dis/parameters.h). */
export const M_PI_DELTA = 0.138;
/** Proton / neutron magnetic moments in nuclear magnetons (docs/reference-generator.md §0). */
export const MU_P = 2.792847;
export const MU_N = -1.913043;
/** Axial coupling g_A = F_A(0) > 0 in nugan's sign convention (docs/reference-generator.md §0, §1.1; PDG). */
export const G_A = 1.2723;
/** Dipole vector mass squared M_V², GeV² (docs/reference-generator.md §0). */
export const M_V2 = 0.71;
/** Galster λ for the dipole G_E^n (docs/reference-generator.md §1.2). */
export const GALSTER_LAMBDA = 5.6;
/** Δ(1232) mass and NuWro's width Γ₀, GeV (docs/reference-generator.md §2.1). */
export const M_DELTA = 1.232;
export const GAMMA_DELTA = 0.12;
/** Lower edge of the resonance region (W of the Δ model and of the RES/DIS W range), GeV (§2.3, §3.3). */
export const W_RES_MIN = 1.08;
/** Nucleon-pair mass M₂ = M_p + M_n for 2p2h, GeV (docs/reference-generator.md §4). */
export const M_PAIR = 0.938272 + 0.939565;

// ------------------------------------------------------------------ targets of event records
/** Atomic mass unit u in GeV (CODATA 2018: 931.49410242 MeV). */
export const ATOMIC_MASS_UNIT = 0.93149410242;
/** Electron mass in GeV (CODATA 2018: 0.51099895 MeV). */
export const M_ELECTRON = 0.00051099895;
/**
 * Nuclear masses (GeV) of the targets: atomic mass minus the electrons' masses (electron binding,
 * < 1 keV, neglected). Atomic masses: ¹²C = 12 u exactly; ⁴⁰Ar = 39.9623831237 u (AME2020, M. Wang
 * et al., Chinese Phys. C 45 (2021) 030003). Used for the target particle of event records.
 */
export const M_C12_NUCLEUS = 12 * ATOMIC_MASS_UNIT - 6 * M_ELECTRON;
export const M_AR40_NUCLEUS = 39.9623831237 * ATOMIC_MASS_UNIT - 18 * M_ELECTRON;
