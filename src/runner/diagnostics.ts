/**
 * Configuration problems as plain data (house rule 3): the loader and the planner collect every
 * problem in one pass; only the CLI layer renders them (src/reporters/diagnostics.ts).
 */

/** Half-open character range [start, end) in a source file. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

export interface Location {
  readonly file: string;
  readonly range: Range;
}

export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** Absent only for problems that are not in a file (e.g. a `--set` override). */
  readonly location?: Location;
  /** Further places that explain the problem (each edge of a cycle). */
  readonly related: readonly { readonly message: string; readonly location: Location }[];
}

export function error(message: string, location?: Location, related: Diagnostic['related'] = []): Diagnostic {
  return { severity: 'error', message, location, related };
}

/** Levenshtein distance, used for "did you mean". */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** ` (did you mean 'x' or 'y'?)`, or '' when nothing is close enough to be a plausible typo. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const scored = [...new Set(candidates)]
    .map((c) => ({ c, d: editDistance(name.toLowerCase(), c.toLowerCase()) }))
    .filter(({ c, d }) => d <= Math.max(2, Math.floor(Math.max(name.length, c.length) / 3)))
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  // Only the closest names: a second, farther guess is noise.
  const best = scored[0]?.d;
  const names = scored
    .filter(({ d }) => d === best)
    .slice(0, 3)
    .map(({ c }) => `'${c}'`);
  if (names.length === 0) return '';
  return ` (did you mean ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`}?)`;
}
