/**
 * Unit conversion at the io edges (house rule 11). Division by 1000 is correctly rounded, so a value
 * written as "700" MeV becomes exactly the double nearest 0.7 GeV (multiplying by 1e-3 would not).
 */

/** GeV from MeV. */
export function gevFromMeV(E_MeV: number): number {
  return E_MeV / 1000;
}

/** MeV from GeV. */
export function mevFromGeV(E_GeV: number): number {
  return E_GeV * 1000;
}
