/**
 * The local scheduler: brings a `Plan` up to date. For each instance, in dependency order and in
 * parallel up to the executor's slots: cached? → take it; else lock the key → cached now (another run
 * finished it)? → execute → record. CPU and GPU tokens bound what runs at once. A failure skips its
 * dependents (named in the event) and the rest goes on. An abort (Ctrl-C) stops starting stages,
 * aborts the running ones and commits nothing half-done.
 */
import type { UpstreamArtifact } from '../contract/stage.ts';
import { acquireLock, describeHolder } from '../cache/lock.ts';
import type { Manifest } from '../cache/manifest.ts';
import { ArtifactStore } from '../cache/store.ts';
import { join } from 'node:path';
import { fnv1a32 } from '../util/digest.ts';
import { shuffleInPlace } from '../util/shuffle.ts';
import { artifactFromManifest } from './execute.ts';
import type { Executor, StageJobSpec, StageOutcome } from './executor.ts';
import type { Plan, StageId } from './expand.ts';
import type { KeyedStage } from '../cache/key-data.ts';
import type { RunListener, RunSummary, StageReport } from './events.ts';
import type { Selection } from './select.ts';

export interface ScheduleOptions {
  readonly store: ArtifactStore;
  readonly executor: Executor;
  /** Max concurrently running instances (CPU tokens). */
  readonly jobs: number;
  /** GPU tokens (ordinals 0..gpus-1). */
  readonly gpus: number;
  readonly signal: AbortSignal;
  readonly onEvent: RunListener;
  /** Start ready stages in random order (tests: exposes missing `needs`). */
  readonly shuffle?: boolean;
  readonly dryRun?: boolean;
}

export interface RunOutcome {
  readonly reports: readonly StageReport[];
  readonly summary: RunSummary;
}

/** Tag under which `last/` records of a pipeline are kept (its absolute path, hashed to a file name). */
export function pipelineTag(file: string): string {
  return `${file.replace(/^.*\//, '').replace(/[^A-Za-z0-9_.-]/g, '_')}-${fnv1a32(file).toString(16)}`;
}

export function cachedManifest(store: ArtifactStore, key: string, warn: (m: string) => void): Manifest | undefined {
  const m = store.readManifest(key);
  if (m instanceof Error) {
    warn(`ignoring a damaged artifact, it will be rebuilt: ${m.message}`);
    store.quarantine(key);
    return undefined;
  }
  return m;
}

export async function runPlan(plan: Plan, keys: ReadonlyMap<StageId, KeyedStage>, selection: Selection, opts: ScheduleOptions): Promise<RunOutcome> {
  const t0 = performance.now();
  const started = new Date().toISOString();
  const { store, onEvent } = opts;
  const warn = (message: string) => onEvent({ type: 'warning', message });
  const tag = pipelineTag(plan.pipeline.file);
  const order = selection.order;
  const inRun = new Set(order);
  const cacheable = (id: StageId) => plan.byId.get(id)!.cacheable;

  // What is cached now decides the plan shown to the user (and all of --dry-run).
  const cachedNow = new Map<StageId, Manifest>();
  for (const id of order) {
    if (selection.forced.has(id) || !cacheable(id)) continue;
    const m = cachedManifest(store, keys.get(id)!.key, warn);
    if (m) cachedNow.set(id, m);
  }
  onEvent({
    type: 'plan',
    pipeline: plan.pipeline.file,
    stages: order.map((id) => ({ id, kind: plan.byId.get(id)!.kind, key: keys.get(id)!.key, action: selection.forced.has(id) ? 'force' : cachedNow.has(id) ? 'cached' : 'run' })),
  });
  if (opts.dryRun) {
    return { reports: [], summary: { ran: 0, cached: 0, failed: 0, skipped: 0, seconds: (performance.now() - t0) / 1000, interrupted: false } };
  }

  const reports = new Map<StageId, StageReport>();
  const artifacts = new Map<StageId, UpstreamArtifact>();
  const remainingDeps = new Map<StageId, number>();
  const dependents = new Map<StageId, StageId[]>();
  for (const id of order) {
    const needs = plan.byId.get(id)!.needs.filter((n) => inRun.has(n));
    remainingDeps.set(id, needs.length);
    for (const n of needs) {
      let d = dependents.get(n);
      if (!d) dependents.set(n, (d = []));
      d.push(id);
    }
  }
  // Critical-path priority: of the ready stages, start first the one with the longest chain of
  // stages waiting on it, so a long pretraining is not queued behind work nothing waits for.
  const height = new Map<StageId, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const id = order[i]!;
    let h = 0;
    for (const d of dependents.get(id) ?? []) h = Math.max(h, height.get(d) ?? 0);
    height.set(id, h + 1);
  }
  const position = new Map(order.map((id, i) => [id, i]));
  const byPriority = (a: StageId, b: StageId) => height.get(b)! - height.get(a)! || position.get(a)! - position.get(b)!;
  const ready: StageId[] = order.filter((id) => remainingDeps.get(id) === 0);
  let cpuFree = Math.max(1, Math.min(opts.jobs, opts.executor.slots));
  const gpuFree = Array.from({ length: Math.max(0, opts.gpus) }, (_, i) => i);
  let running = 0;
  const stageAbort = new AbortController();
  const onAbort = () => stageAbort.abort(opts.signal.reason);
  opts.signal.addEventListener('abort', onAbort, { once: true });

  const finish = (report: StageReport) => {
    reports.set(report.id, report);
    let skipping: StageId[] = [];
    if (report.state === 'failed' || report.state === 'skipped') {
      // Everything downstream of a failure is skipped; name it now.
      const stack = [...(dependents.get(report.id) ?? [])];
      while (stack.length) {
        const d = stack.pop()!;
        if (reports.has(d)) continue;
        skipping.push(d);
        reports.set(d, { id: d, kind: plan.byId.get(d)!.kind, state: 'skipped', key: keys.get(d)!.key, seconds: 0, outputs: {}, reason: 'upstream-failed', message: `upstream '${report.id}' ${report.state === 'failed' ? 'failed' : 'was skipped'}` });
        stack.push(...(dependents.get(d) ?? []));
      }
      skipping = skipping.sort();
    } else {
      for (const d of dependents.get(report.id) ?? []) {
        const left = remainingDeps.get(d)! - 1;
        remainingDeps.set(d, left);
        if (left === 0 && !reports.has(d)) ready.push(d);
      }
    }
    onEvent({ type: 'stage-end', report, skipping });
    for (const s of skipping) onEvent({ type: 'stage-end', report: reports.get(s)!, skipping: [] });
  };

  const cachedReport = (id: StageId, m: Manifest, seconds: number): StageReport => {
    const art = artifactFromManifest(store.dir, m);
    artifacts.set(id, art);
    return { id, kind: m.kind, state: 'cached', key: m.key, seconds, outputs: { ...art.outputs } };
  };

  const runOne = async (id: StageId, gpus: number[]): Promise<void> => {
    const node = plan.byId.get(id)!;
    const { key, keyData } = keys.get(id)!;
    const ts = performance.now();
    const secs = () => (performance.now() - ts) / 1000;
    const forced = selection.forced.has(id);
    let lock;
    try {
      lock = await acquireLock(join(store.dir, 'locks'), key, stageAbort.signal, (e) => {
        if (e.type === 'waiting') onEvent({ type: 'stage-waiting', id, holder: describeHolder(e.holder) });
        else warn(`broke the stale lock of ${id} left by dead ${describeHolder(e.holder)}`);
      });
    } catch {
      finish({ id, kind: node.kind, state: 'skipped', key, seconds: secs(), outputs: {}, reason: 'interrupted', message: 'interrupted before it started' });
      return;
    }
    try {
      // Another run may have produced it while we waited for the lock.
      const now = !forced && node.cacheable ? cachedManifest(store, key, warn) : undefined;
      if (now) {
        finish(cachedReport(id, now, secs()));
        return;
      }
      onEvent({ type: 'stage-start', id, kind: node.kind });
      const inputs: Record<string, UpstreamArtifact> = {};
      for (const n of node.needs) inputs[n] = artifacts.get(n) ?? artifactFromManifest(store.dir, cachedManifest(store, keys.get(n)!.key, warn)!);
      const spec: StageJobSpec = {
        schema: 1,
        id,
        kind: node.kind,
        key,
        keyData,
        params: node.params,
        inputs,
        pipelineFile: plan.pipeline.file,
        pipelineDir: plan.pipeline.dir,
        seed: node.seed,
        resources: { cpus: node.resources.cpus, gpus: gpus.length },
        storeDir: store.dir,
      };
      let outcome: StageOutcome;
      try {
        outcome = await opts.executor.run(spec, { signal: stageAbort.signal, gpus, onProgress: (progress) => onEvent({ type: 'stage-progress', id, progress }) });
      } catch (err) {
        outcome = { ok: false, reason: 'internal-error', message: `executor ${opts.executor.name} failed on '${id}': ${(err as Error)?.stack ?? String(err)}`, logTail: [] };
      }
      if (outcome.ok) {
        artifacts.set(id, outcome.artifact);
        finish({ id, kind: node.kind, state: 'ran', key, seconds: outcome.seconds, outputs: { ...outcome.artifact.outputs } });
      } else if (outcome.reason === 'aborted') {
        finish({ id, kind: node.kind, state: 'skipped', key, seconds: secs(), outputs: {}, reason: 'interrupted', message: 'interrupted; nothing was committed' });
      } else {
        finish({ id, kind: node.kind, state: 'failed', key, seconds: secs(), outputs: {}, reason: outcome.reason, message: outcome.message, logTail: outcome.logTail });
      }
    } finally {
      lock.release();
    }
  };

  await new Promise<void>((resolveAll) => {
    const pump = () => {
      if (opts.signal.aborted) ready.length = 0;
      if (opts.shuffle) shuffleInPlace(ready);
      else ready.sort(byPriority);
      for (let i = 0; i < ready.length; ) {
        const id = ready[i]!;
        const m = cachedNow.get(id);
        if (m && !selection.forced.has(id)) {
          // Cached up front: no token, no lock needed.
          ready.splice(i, 1);
          finish(cachedReport(id, m, 0));
          continue;
        }
        const node = plan.byId.get(id)!;
        // Local stages hold as many CPU tokens as threads they use; a remote job (SLURM) holds one slot.
        const cpuNeed = opts.executor.name === 'local' ? Math.min(node.resources.cpus, Math.max(1, Math.min(opts.jobs, opts.executor.slots))) : 1;
        const gpuNeed = opts.executor.schedulesGpus ? Math.min(node.resources.gpus, Math.max(0, opts.gpus)) : 0;
        if (cpuNeed > cpuFree || gpuNeed > gpuFree.length) {
          i++;
          continue;
        }
        ready.splice(i, 1);
        cpuFree -= cpuNeed;
        const gpus = gpuFree.splice(0, gpuNeed);
        running++;
        void runOne(id, gpus)
          .catch((err: unknown) => {
            if (!reports.has(id)) finish({ id, kind: node.kind, state: 'failed', key: keys.get(id)!.key, seconds: 0, outputs: {}, reason: 'internal-error', message: `scheduler failed on '${id}': ${(err as Error)?.stack ?? String(err)}` });
          })
          .then(() => {
          running--;
          cpuFree += cpuNeed;
          gpuFree.push(...gpus);
          pump();
        });
        i = 0; // tokens changed: rescan from the start
      }
      if (running === 0 && ready.length === 0) resolveAll();
    };
    opts.signal.addEventListener('abort', () => queueMicrotask(pump), { once: true });
    pump();
  });
  opts.signal.removeEventListener('abort', onAbort);

  // Never started (interrupted run): skipped.
  for (const id of order) {
    if (!reports.has(id)) reports.set(id, { id, kind: plan.byId.get(id)!.kind, state: 'skipped', key: keys.get(id)!.key, seconds: 0, outputs: {}, reason: 'interrupted', message: 'not started: the run was interrupted' });
  }
  const list = order.map((id) => reports.get(id)!);
  const count = (s: StageReport['state']) => list.filter((r) => r.state === s).length;
  const summary: RunSummary = {
    ran: count('ran'),
    cached: count('cached'),
    failed: count('failed'),
    skipped: count('skipped'),
    seconds: (performance.now() - t0) / 1000,
    interrupted: opts.signal.aborted,
  };
  // Records for `status` (last KeyData per id) and `gc` (what this run references).
  const at = new Date().toISOString();
  for (const id of order) {
    const r = reports.get(id)!;
    if (r.state === 'ran' || r.state === 'cached') store.writeLast(tag, id, { key: r.key, keyData: keys.get(id)!.keyData, at });
  }
  store.writeRunRecord({
    schema: 1,
    pipeline: plan.pipeline.file,
    started,
    finished: at,
    ok: summary.failed === 0 && !summary.interrupted,
    artifacts: Object.fromEntries(list.filter((r) => r.state === 'ran' || r.state === 'cached').map((r) => [r.id, r.key])),
  });
  onEvent({ type: 'run-end', summary });
  return { reports: list, summary };
}
