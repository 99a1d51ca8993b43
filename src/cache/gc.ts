/**
 * Garbage collection (docs/cache.md §5, §9): keeps every artifact that the latest record of a stage id
 * (`last/`), the latest run of a pipeline (`runs/`) or the lease of a running run (`leases/`)
 * references, plus their inputs; removes the rest, older run records, quarantined artifacts, leases
 * of runs that are gone, and temp dirs of processes that are gone. The caller holds the store's gc
 * lock (lease.ts) while it plans and applies, so no run takes a lease in between.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readLeases } from './lease.ts';
import { alive } from './lock.ts';
import type { ArtifactStore } from './store.ts';

export interface GcPlan {
  readonly remove: readonly { key: string; bytes: number }[];
  readonly keep: number;
  readonly staleRunRecords: readonly string[];
  readonly tempDirs: readonly string[];
  /**
   * Scratch directories (checkpoints) no resumption can use: their key's artifact is stored. Others
   * stay: the next run with that key resumes from them.
   */
  readonly scratchDirs: readonly string[];
  /** Runs in progress whose keys were kept: pid, host, since, how many keys, and their lease file. */
  readonly leases: readonly { pid: number; host: string; since: string; keys: number; file: string }[];
  /** Lease files of runs that are gone. */
  readonly staleLeases: readonly string[];
  /** Corrupt artifacts moved aside by verification (docs/cache.md §7). */
  readonly quarantined: readonly { dir: string; bytes: number }[];
}

function duBytes(p: string): number {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const f of readdirSync(p)) n += duBytes(join(p, f));
  return n;
}

/** An artifact directory's name: a cache key, 32 hexadecimal digits (docs/cache.md §1). */
const CACHE_KEY = /^[0-9a-f]{32}$/;

/**
 * The pid of the process that made an entry of `tmp/`: a stage directory `<key>.<pid>.<n>`, a job
 * file `job-<key>.<pid>.<n>.json`, a moved-aside `corrupt-<key>.<pid>.<time>`, a hidden atomic
 * temporary `.<name>.<pid>.<hex>.tmp`. Undefined when the name carries none (then it is debris).
 * A pid of 0 or 1 is no process of ours (0 would even "exist": kill(0) signals the caller's group).
 */
export function tmpEntryPid(name: string): number | undefined {
  const m = /\.(\d+)\.[^.]+$/.exec(name.replace(/\.(json|tmp)$/, ''));
  const pid = Number(m?.[1]);
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

/**
 * Why `dir` is not an artifact store nugan made, or undefined when it is one. gc deletes: on a
 * directory that merely has an `artifacts/` or `tmp/` of its own (a build directory, `--store` with a
 * typo) it must delete nothing. A store has at least one of the records only nugan writes.
 */
export function notAStore(dir: string): string | undefined {
  const marks = ['runs', 'last', 'leases', 'locks', 'hashes.json'];
  if (marks.some((m) => existsSync(join(dir, m)))) return undefined;
  return `${dir} is not a nugan artifact store (it has none of ${marks.join(', ')}); gc removes nothing from it`;
}

export function planGc(store: ArtifactStore): GcPlan {
  const live = new Set<string>();
  // What running runs use: their cached inputs, the artifacts they have just made, their checkpoints.
  const leases = readLeases(store);
  const leased = new Set(leases.live.flatMap((l) => l.keys));
  for (const k of leased) live.add(k);
  const lastDir = join(store.dir, 'last');
  if (existsSync(lastDir)) {
    for (const tag of readdirSync(lastDir)) {
      for (const f of readdirSync(join(lastDir, tag))) {
        const rec = store.readLast(tag, decodeURIComponent(f.replace(/\.json$/, '')));
        if (rec) live.add(rec.key);
      }
    }
  }
  const latest = new Map<string, { file: string; started: string; artifacts: Record<string, string> }>();
  const staleRunRecords: string[] = [];
  for (const { file, record } of store.readRunRecords()) {
    if (!record) {
      staleRunRecords.push(file);
      continue;
    }
    const prev = latest.get(record.pipeline);
    if (!prev || prev.started < record.started) {
      if (prev) staleRunRecords.push(prev.file);
      latest.set(record.pipeline, { file, started: record.started, artifacts: record.artifacts });
    } else staleRunRecords.push(file);
  }
  for (const r of latest.values()) for (const k of Object.values(r.artifacts)) live.add(k);
  // Inputs of live artifacts stay too (their manifests name them).
  const stack = [...live];
  while (stack.length) {
    const m = store.readManifest(stack.pop()!);
    if (!m || m instanceof Error) continue;
    for (const k of Object.values(m.inputs)) if (!live.has(k)) live.add(k), stack.push(k);
  }
  // Only names that are cache keys: anything else under artifacts/ was not put there by nugan.
  const all = store.listArtifacts().filter((k) => CACHE_KEY.test(k));
  const remove = all.filter((k) => !live.has(k)).map((key) => ({ key, bytes: duBytes(store.artifactDir(key)) }));
  const tmp = join(store.dir, 'tmp');
  const tempDirs = existsSync(tmp)
    ? readdirSync(tmp).filter((n) => {
        const pid = tmpEntryPid(n);
        return pid === undefined || !alive(pid);
      })
    : [];
  const stored = new Set(all);
  const scratchDirs = store.listScratch().filter((k) => stored.has(k) && !leased.has(k)).map((k) => store.scratchDir(k));
  const q = store.quarantineDir;
  const quarantined = existsSync(q) ? readdirSync(q).map((n) => ({ dir: join(q, n), bytes: duBytes(join(q, n)) })) : [];
  return {
    remove,
    keep: all.length - remove.length,
    staleRunRecords,
    tempDirs: tempDirs.map((n) => join(tmp, n)),
    scratchDirs,
    leases: leases.live.map((l) => ({ pid: l.pid, host: l.host, since: l.since, keys: l.keys.length, file: l.file })),
    staleLeases: leases.stale,
    quarantined,
  };
}

export function applyGc(store: ArtifactStore, plan: GcPlan): void {
  for (const { key } of plan.remove) rmSync(store.artifactDir(key), { recursive: true, force: true });
  for (const f of [...plan.staleRunRecords, ...plan.staleLeases]) rmSync(f, { force: true });
  for (const d of [...plan.tempDirs, ...plan.scratchDirs, ...plan.quarantined.map((x) => x.dir)]) rmSync(d, { recursive: true, force: true });
}
