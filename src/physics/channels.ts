/**
 * Channel tables of the reference generator (docs/reference-generator.md §7 "Setup"): per domain, on a log grid of
 * neutrino energies, the per-nucleon cross section σ_j(E) of each sub-channel and the maximum trial
 * weight w_max,j(E) (1.3 × the largest weight seen). Built by Monte Carlo with a fixed seed, so a table
 * is a pure function of the knobs; cached on disk as JSON keyed by a hash of (knobs, code version, grid).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Knobs } from './domains.ts';
import { TARGETS } from './nucleus.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { hexDigest } from '../util/digest.ts';
import { Rng } from '../util/rng.ts';
import { ChannelSampler, SUBCHANNELS } from './channel-sampler.ts';

/** Bump when any physics or proposal code changes: invalidates cached tables. */
export const TABLE_CODE_VERSION = 1;
/** Energy grid of the tables (GeV): log-spaced, covering the study's 0.3–10 GeV with margin. */
export const GRID_E_MIN = 0.2;
export const GRID_E_MAX = 12;
/** Safety factor on the largest observed weight (docs/reference-generator.md §7). */
export const WMAX_SAFETY = 1.3;

export interface TableOptions {
  /** Grid points (default 48). */
  points?: number;
  /** Trials per sub-channel and grid point (default 20000). */
  trials?: number;
}

/** σ_j(E) per nucleon (GeV⁻²) and w_max,j(E) (trial-weight units), j over SUBCHANNELS. */
export interface ChannelTables {
  version: number;
  knobs: Knobs;
  trials: number;
  /** Grid energies (GeV), ascending. */
  energies: number[];
  /** sigma[j][i]: per-nucleon σ of sub-channel j at energies[i], GeV⁻². */
  sigma: number[][];
  /** wmax[j][i]: rejection bound of sub-channel j at energies[i]. */
  wmax: number[][];
  /** Seconds the build took (0 when read from the cache). */
  buildSeconds: number;
}

/**
 * Builds the tables by running `trials` trials per (sub-channel, energy): σ_j = ⟨w⟩·(N or Z)/A for
 * QE/RES/DIS; σ_MEC = f_MEC·σ_QE·(N/6)^{−0.1} (docs/reference-generator.md §4). Deterministic (fixed seed 0x5eed).
 */
export function buildChannelTables(knobs: Knobs, opts: TableOptions = {}): ChannelTables {
  const t0 = performance.now();
  const points = opts.points ?? 48;
  const trials = opts.trials ?? 20000;
  const { Z, N } = TARGETS[knobs.target];
  const A = Z + N;
  const sampler = new ChannelSampler(knobs);
  const energies: number[] = [];
  for (let i = 0; i < points; i++) energies.push(GRID_E_MIN * Math.pow(GRID_E_MAX / GRID_E_MIN, i / (points - 1)));
  const sigma: number[][] = SUBCHANNELS.map(() => []);
  const wmax: number[][] = SUBCHANNELS.map(() => []);
  // struck-nucleon counts per sub-channel: QE on n (ν) or p (ν̄); RES/DIS on p then n
  const count = [knobs.neutrino ? N : Z, N, Z, N, Z, N];
  for (let j = 0; j < SUBCHANNELS.length; j++) {
    const rng = new Rng(0x5eed, j);
    for (const E of energies) {
      let sum = 0, max = 0;
      for (let t = 0; t < trials; t++) {
        const w = sampler.trial(j, E, rng);
        sum += w;
        if (w > max) max = w;
      }
      sigma[j]!.push(((sum / trials) * count[j]!) / A);
      wmax[j]!.push(max * WMAX_SAFETY);
    }
  }
  const mecScale = knobs.f_MEC * Math.pow(N / 6, -0.1);
  sigma[1] = sigma[0]!.map((s) => s * mecScale);
  return { version: TABLE_CODE_VERSION, knobs, trials, energies, sigma, wmax, buildSeconds: (performance.now() - t0) / 1000 };
}

/** Directory of cached tables: $NUGAN_CACHE_DIR, else $XDG_CACHE_HOME/nugan, else ~/.cache/nugan. */
export function tableCacheDir(): string {
  const env = process.env;
  if (env.NUGAN_CACHE_DIR) return env.NUGAN_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'nugan');
}

/** Cache key of a table: sha1 of canonical JSON of (code version, knobs, grid options). */
export function tableKey(knobs: Knobs, opts: TableOptions = {}): string {
  const sorted = Object.fromEntries(Object.entries(knobs).sort(([a], [b]) => (a < b ? -1 : 1)));
  const data = JSON.stringify({ v: TABLE_CODE_VERSION, knobs: sorted, points: opts.points ?? 48, trials: opts.trials ?? 20000, grid: [GRID_E_MIN, GRID_E_MAX] });
  return hexDigest('sha1', data).slice(0, 16);
}

const memo = new Map<string, ChannelTables>();

/**
 * Tables for `knobs`: from memory, else from the disk cache, else built and written there atomically
 * (temp name + rename). A corrupt cache file is ignored and rebuilt. Set `cacheDir: null` to skip disk.
 */
export async function channelTables(knobs: Knobs, opts: TableOptions & { cacheDir?: string | null } = {}): Promise<ChannelTables> {
  const key = tableKey(knobs, opts);
  const hit = memo.get(key);
  if (hit) return hit;
  const dir = opts.cacheDir === undefined ? tableCacheDir() : opts.cacheDir;
  const file = dir ? join(dir, `tables-${key}.json`) : null;
  if (file) {
    try {
      const t = JSON.parse(await readFile(file, 'utf8')) as ChannelTables;
      if (t.version === TABLE_CODE_VERSION && t.sigma?.length === SUBCHANNELS.length) {
        t.buildSeconds = 0;
        memo.set(key, t);
        return t;
      }
    } catch {
      // missing or unreadable: rebuild below
    }
  }
  const t = buildChannelTables(knobs, opts);
  memo.set(key, t);
  if (file && dir) {
    try {
      await mkdir(dir, { recursive: true });
      await writeFileAtomic(file, JSON.stringify(t));
    } catch {
      // an unwritable cache only costs a rebuild next time
    }
  }
  return t;
}

/** Fractional grid position of E (GeV): index i and weight u ∈ [0,1] between energies[i] and [i+1]. */
export function gridPosition(t: ChannelTables, E: number): { i: number; u: number } {
  const n = t.energies.length;
  const f = (Math.log(E / GRID_E_MIN) / Math.log(GRID_E_MAX / GRID_E_MIN)) * (n - 1);
  const i = Math.max(0, Math.min(n - 2, Math.floor(f)));
  return { i, u: Math.max(0, Math.min(1, f - i)) };
}

/** σ_j(E) per nucleon (GeV⁻²), linear in ln E between grid points (docs/reference-generator.md §7). */
export function sigmaAt(t: ChannelTables, j: number, E: number): number {
  const { i, u } = gridPosition(t, E);
  const s = t.sigma[j]!;
  return s[i]! * (1 - u) + s[i + 1]! * u;
}

/** Total per-nucleon σ(E) = Σ_j σ_j(E), GeV⁻². */
export function sigmaTotalAt(t: ChannelTables, E: number): number {
  let s = 0;
  for (let j = 0; j < t.sigma.length; j++) s += sigmaAt(t, j, E);
  return s;
}
