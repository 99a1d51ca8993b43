/**
 * The pipeline's `slurm:` block → sbatch flags for one stage instance. Pure: no SLURM calls.
 *
 *     slurm:
 *       partition: gpu            # -p
 *       account: nu-lab           # -A
 *       time: "02:00:00"          # -t
 *       mem: 4G                   # --mem
 *       gpus: 1                   # GPUs per GPU stage: --gres=gpu:N (default: what the stage kind asks for)
 *       gres: "gpu:a100:1"        # the exact --gres string instead of gpu:N
 *       extra: ["--qos=short"]    # more sbatch flags, verbatim
 *       nugan: "node /shared/nugan/dist/nugan.mjs"   # how a job runs nugan (default: the running nugan)
 *       poll: 5                   # seconds between squeue polls (default 2)
 *       slots: 200                # jobs in flight at once (default 256)
 *       arrays: true              # stage instances ready together with identical flags go as one job array
 *       kinds:  { train: { partition: gpu, time: "12:00:00" } }     # per stage kind
 *       stages: { "tune@nu-argon-10000": { mem: 8G } }              # per stage id or base id
 *
 * Precedence: stage id > base id (before `@`) > kind > top level. Keys that are not flags (nugan,
 * poll, slots) are top-level only.
 */
import { InputError } from '../../../util/errors.ts';

export interface SlurmJobSettings {
  readonly partition?: string;
  readonly account?: string;
  readonly time?: string;
  readonly mem?: string;
  readonly cpus?: number;
  readonly gpus?: number;
  readonly gres?: string;
  readonly extra: readonly string[];
}

export interface SlurmConfig {
  readonly base: SlurmJobSettings;
  readonly kinds: Readonly<Record<string, SlurmJobSettings>>;
  readonly stages: Readonly<Record<string, SlurmJobSettings>>;
  /** argv prefix that runs nugan on a compute node, e.g. ['node', '/shared/nugan/bin/nugan.mjs']. */
  readonly nugan?: readonly string[];
  readonly pollSeconds: number;
  readonly slots: number;
  /** Submit instances that become ready together with identical sbatch flags as one job array. */
  readonly arrays: boolean;
}

const FLAG_KEYS = ['partition', 'account', 'time', 'mem', 'cpus', 'gpus', 'gres', 'extra'] as const;
const TOP_KEYS = [...FLAG_KEYS, 'nugan', 'poll', 'slots', 'arrays', 'kinds', 'stages'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseSettings(raw: Record<string, unknown>, where: string, file: string, allowed: readonly string[], known: readonly string[] = allowed): SlurmJobSettings {
  const bad = (key: string, expected: string) =>
    new InputError(`${where}.${key}: expected ${expected}, got ${JSON.stringify(raw[key])}`, file);
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) throw new InputError(`${where}: unknown key '${key}' (known: ${known.join(', ')})`, file);
  }
  const str = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v === 'number' && key !== 'gres') return String(v);
    if (typeof v !== 'string' || v === '' || /\s/.test(v)) throw bad(key, 'a non-empty string without spaces');
    return v;
  };
  const int = (key: string, min: number): number | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw bad(key, `an integer ≥ ${min}`);
    return v;
  };
  let extra: string[] = [];
  if (raw.extra !== undefined) {
    const v = raw.extra;
    if (typeof v === 'string') extra = [v];
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) extra = v as string[];
    else throw bad('extra', 'a string or a list of strings (sbatch flags)');
  }
  return {
    partition: str('partition'),
    account: str('account'),
    time: str('time'),
    mem: str('mem'),
    cpus: int('cpus', 1),
    gpus: int('gpus', 0),
    gres: str('gres'),
    extra,
  };
}

/** Validates the `slurm:` block of `file`; throws InputError naming the offending key. */
export function parseSlurmConfig(raw: Record<string, unknown> | undefined, file: string): SlurmConfig {
  const block = raw ?? {};
  if (!isObject(block)) throw new InputError('slurm: expected a mapping', file);
  const base = parseSettings(Object.fromEntries(Object.entries(block).filter(([k]) => FLAG_KEYS.includes(k as never) || !TOP_KEYS.includes(k))), 'slurm', file, FLAG_KEYS, TOP_KEYS);
  const group = (name: 'kinds' | 'stages'): Record<string, SlurmJobSettings> => {
    const v = block[name];
    if (v === undefined) return {};
    if (!isObject(v)) throw new InputError(`slurm.${name}: expected a mapping of ${name === 'kinds' ? 'stage kind' : 'stage id'} → settings`, file);
    return Object.fromEntries(
      Object.entries(v).map(([k, s]) => {
        if (!isObject(s)) throw new InputError(`slurm.${name}.${k}: expected a mapping of settings`, file);
        return [k, parseSettings(s, `slurm.${name}.${k}`, file, FLAG_KEYS)];
      }),
    );
  };
  let nugan: string[] | undefined;
  if (block.nugan !== undefined) {
    const v = block.nugan;
    if (typeof v === 'string' && v.trim()) nugan = v.trim().split(/\s+/);
    else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) nugan = v as string[];
    else throw new InputError(`slurm.nugan: expected a command (string or list), got ${JSON.stringify(v)}`, file);
  }
  const num = (key: string, fallback: number, min: number): number => {
    const v = block[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !(v >= min)) throw new InputError(`slurm.${key}: expected a number ≥ ${min}, got ${JSON.stringify(v)}`, file);
    return v;
  };
  if (block.arrays !== undefined && typeof block.arrays !== 'boolean') throw new InputError(`slurm.arrays: expected true or false, got ${JSON.stringify(block.arrays)}`, file);
  return {
    base,
    kinds: group('kinds'),
    stages: group('stages'),
    nugan,
    pollSeconds: num('poll', 2, 0.05),
    slots: Math.floor(num('slots', 256, 1)),
    arrays: block.arrays === true,
  };
}

/** Settings for one instance: stage id > base id > kind > top level; `extra` flags accumulate. */
export function settingsFor(cfg: SlurmConfig, id: string, kind: string): SlurmJobSettings {
  const layers = [cfg.base, cfg.kinds[kind], cfg.stages[id.split('@')[0]!], cfg.stages[id]].filter((x): x is SlurmJobSettings => x !== undefined);
  const merged: { -readonly [K in keyof SlurmJobSettings]: SlurmJobSettings[K] } = { extra: [] };
  for (const l of layers) {
    for (const key of FLAG_KEYS) {
      if (key === 'extra') merged.extra = [...merged.extra, ...l.extra];
      else if (l[key] !== undefined) (merged as Record<string, unknown>)[key] = l[key];
    }
  }
  return merged;
}

/**
 * sbatch flags for one instance. `cpus`/`gpus` are what the stage asks for; the settings may raise or
 * pin them. A GPU stage gets `--gres=gpu:N` (SLURM then sets CUDA_VISIBLE_DEVICES for the job).
 */
export function sbatchFlags(s: SlurmJobSettings, need: { cpus: number; gpus: number }): string[] {
  const flags: string[] = [];
  if (s.partition) flags.push(`--partition=${s.partition}`);
  if (s.account) flags.push(`--account=${s.account}`);
  if (s.time) flags.push(`--time=${s.time}`);
  if (s.mem) flags.push(`--mem=${s.mem}`);
  flags.push(`--cpus-per-task=${Math.max(1, s.cpus ?? need.cpus)}`);
  const gpus = s.gpus ?? need.gpus;
  if (s.gres) flags.push(`--gres=${s.gres}`);
  else if (gpus > 0) flags.push(`--gres=gpu:${gpus}`);
  flags.push(...s.extra);
  return flags;
}
