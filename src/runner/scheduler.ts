/**
 * The local scheduler: brings a `Plan` up to date. For each instance, in dependency order and in
 * parallel up to the executor's slots: cached? → take it; else lock the key → cached now (another run
 * finished it)? → execute → record. CPU and GPU tokens bound what runs at once. A failure skips its
 * dependents (named in the event) and the rest goes on. An abort (Ctrl-C) stops starting stages,
 * aborts the running ones and commits nothing half-done.
 */
import type { UpstreamArtifact } from '../contract/stage.ts';
import { acquireLock, describeHolder, describeWait } from '../cache/lock.ts';
import type { KeyedStage } from '../cache/key-data.ts';
import type { Manifest } from '../cache/manifest.ts';
import type { RemoteLink } from '../cache/remote/link.ts';
import { checkArtifact } from '../cache/verify.ts';
import { takeLease, type Lease } from '../cache/lease.ts';
import { xxh } from '../cache/hash.ts';
import { ArtifactStore } from '../cache/store.ts';
import { join } from 'node:path';
import { fnv1a32 } from '../util/digest.ts';
import { shuffleInPlace } from '../util/shuffle.ts';
import { artifactFromManifest } from './execute.ts';
import { failedOutcome, failureOf, type Executor, type StageJobSpec, type StageOutcome } from './executor.ts';
import { thrownText, type Failure } from './failures.ts';
import type { Plan, StageId } from './expand.ts';
import type { RunListener, RunSummary, StageReport } from './events.ts';
import type { Selection } from './select.ts';

export interface ScheduleOptions {
  readonly store: ArtifactStore;
  readonly executor: Executor;
  /** Max concurrently running instances (CPU tokens). */
  readonly jobs: number;
  /**
   * GPU tokens (ordinals 0..gpus-1), or how to count the machine's GPUs: called only when a stage
   * that wants a GPU has to run (counting can cost a device probe a cached run should not pay).
   */
  readonly gpus: number | (() => Promise<number>);
  readonly signal: AbortSignal;
  readonly onEvent: RunListener;
  /** Start ready stages in random order (tests: exposes missing `needs`). */
  readonly shuffle?: boolean;
  readonly dryRun?: boolean;
  /**
   * The store cannot be written (ArtifactStore.readOnlyReason): the caller has made sure every stage is
   * cached; the run is not recorded (no `last/` or `runs/` entries).
   */
  readonly readOnly?: boolean;
  /**
   * The remote cache, when one is configured: keys missing locally are looked up there (in parallel,
   * before the run) and pulled instead of run; stages that ran are pushed when pushing is on.
   */
  readonly remote?: RemoteLink;
}

export interface RunOutcome {
  readonly reports: readonly StageReport[];
  readonly summary: RunSummary;
}

/** Tag under which `last/` records of a pipeline are kept (its absolute path, hashed to a file name). */
export function pipelineTag(file: string): string {
  return `${file.replace(/^.*\//, '').replace(/[^A-Za-z0-9_.-]/g, '_')}-${fnv1a32(file).toString(16)}`;
}

/**
 * The manifest of the artifact of `key` when it is stored and its files pass the quick check
 * (src/cache/verify.ts); a corrupt one is reported, moved to quarantine and treated as a miss, so it
 * is rebuilt and never used.
 */
export function cachedManifest(store: ArtifactStore, key: string, warn: (m: string) => void, id?: string): Manifest | undefined {
  const c = checkArtifact(store, key, 'quick');
  if (c.state === 'intact') return c.manifest;
  if (c.state === 'corrupt') {
    const to = store.quarantine(key);
    warn(`the artifact ${key}${id ? ` of ${id}` : ''} is corrupt (${c.problem}); ${to ? `moved to ${to}` : 'another process moved it aside'}; it will be rebuilt`);
  }
  return undefined;
}

/**
 * Brings the selected instances of a plan up to date, in four steps: see what is cached (the plan event,
 * all of `--dry-run`), run the rest (`PlanRun`), mark what never started, and record the run for
 * `status` and `gc`.
 */
export async function runPlan(plan: Plan, keys: ReadonlyMap<StageId, KeyedStage>, selection: Selection, opts: ScheduleOptions): Promise<RunOutcome> {
  // A read-only store cannot be garbage-collected: it needs no lease.
  if (opts.dryRun || opts.readOnly) return runUnderLease(plan, keys, selection, opts);
  const lease = await leaseKeys(opts.store, [...keys.values()].map((k) => k.key), opts);
  try {
    return await runUnderLease(plan, keys, selection, opts);
  } finally {
    lease?.release();
  }
}

/**
 * Registers every key of the plan as in use (src/cache/lease.ts), so a concurrent `nugan gc` keeps
 * them. A store that cannot be written (read-only, full) gets no lease: the run goes on with a
 * warning, since such a store cannot be garbage-collected either. Undefined also when the run was
 * interrupted while a gc held the store (nothing will start then).
 */
async function leaseKeys(store: ArtifactStore, all: string[], opts: ScheduleOptions): Promise<Lease | undefined> {
  const warn = (message: string) => opts.onEvent({ type: 'warning', message });
  try {
    return await takeLease(store, all, opts.signal, (e) => {
      if (e.type === 'waiting') warn(`waiting for nugan gc to finish with the store: ${describeWait(e.holder, e.file)}`);
      else warn(`replaced the broken gc lock of the store (${e.why}): ${e.file}`);
    });
  } catch (err) {
    if (!opts.signal.aborted) warn(`could not register this run in ${join(store.dir, 'leases')} (${(err as Error).message}): a nugan gc during this run could remove what it uses`);
    return undefined;
  }
}

async function runUnderLease(plan: Plan, keys: ReadonlyMap<StageId, KeyedStage>, selection: Selection, opts: ScheduleOptions): Promise<RunOutcome> {
  const t0 = performance.now();
  const started = new Date().toISOString();
  const warn = (message: string) => opts.onEvent({ type: 'warning', message });
  await xxh(); // the quick check of cached artifacts may re-hash a touched file, synchronously
  const cachedNow = cachedUpFront(plan, keys, selection, opts.store, warn);
  const remote = opts.remote;
  const remotely = (id: StageId) => !!remote && !selection.forced.has(id) && plan.byId.get(id)!.cacheable && remote.holds(keys.get(id)!.key);
  if (remote) await remote.lookup(selection.order.filter((id) => !cachedNow.has(id) && !selection.forced.has(id) && plan.byId.get(id)!.cacheable).map((id) => keys.get(id)!.key));
  opts.onEvent({
    type: 'plan',
    pipeline: plan.pipeline.file,
    stages: selection.order.map((id) => ({ id, kind: plan.byId.get(id)!.kind, key: keys.get(id)!.key, action: selection.forced.has(id) ? 'force' : cachedNow.has(id) ? 'cached' : remotely(id) ? 'pull' : 'run' })),
  });
  if (opts.dryRun) {
    return { reports: [], summary: { ran: 0, cached: 0, failed: 0, skipped: 0, seconds: (performance.now() - t0) / 1000, interrupted: false } };
  }
  const wantGpu = selection.order.some((id) => !cachedNow.has(id) && !remotely(id) && (plan.byId.get(id)!.resources.gpus > 0 || plan.byId.get(id)!.resources.wantsGpu));
  const gpus = typeof opts.gpus === 'number' ? opts.gpus : wantGpu ? await opts.gpus() : 0;
  const reports = await new PlanRun(plan, keys, selection, { ...opts, gpus }, cachedNow, warn).run();
  // Uploads started in the background as stages finished; the run is done when they are.
  const pushed = remote ? await remote.drain() : undefined;
  const list = selection.order.map(
    (id): StageReport => reports.get(id) ?? { id, kind: plan.byId.get(id)!.kind, state: 'skipped', key: keys.get(id)!.key, seconds: 0, outputs: {}, failure: { reason: 'interrupted', when: 'not-started' } },
  );
  const count = (s: StageReport['state']) => list.filter((r) => r.state === s).length;
  const summary: RunSummary = {
    ran: count('ran'),
    cached: count('cached'),
    ...(remote ? { pulled: list.filter((r) => r.origin === 'remote').length } : {}),
    ...(pushed && pushed.uploaded + pushed.present + pushed.failed > 0 ? { pushed } : {}),
    failed: count('failed'),
    skipped: count('skipped'),
    seconds: (performance.now() - t0) / 1000,
    interrupted: opts.signal.aborted,
  };
  if (opts.readOnly) warn(`the store ${opts.store.dir} is read-only: this run is not recorded (status compares with the last recorded run; gc keeps what recorded runs use)`);
  else recordRun(opts.store, plan, keys, list, started, summary);
  opts.onEvent({ type: 'run-end', summary });
  return { reports: list, summary };
}

/** What is cached now (forced and uncacheable stages excluded): this decides the plan shown to the user. */
function cachedUpFront(plan: Plan, keys: ReadonlyMap<StageId, KeyedStage>, selection: Selection, store: ArtifactStore, warn: (m: string) => void): Map<StageId, Manifest> {
  const cachedNow = new Map<StageId, Manifest>();
  for (const id of selection.order) {
    if (selection.forced.has(id) || !plan.byId.get(id)!.cacheable) continue;
    const m = cachedManifest(store, keys.get(id)!.key, warn, id);
    if (m) cachedNow.set(id, m);
  }
  return cachedNow;
}

/** Records for `status` (last KeyData per id) and `gc` (what this run references). */
function recordRun(store: ArtifactStore, plan: Plan, keys: ReadonlyMap<StageId, KeyedStage>, list: readonly StageReport[], started: string, summary: RunSummary): void {
  const tag = pipelineTag(plan.pipeline.file);
  const at = new Date().toISOString();
  const done = list.filter((r) => r.state === 'ran' || r.state === 'cached');
  for (const r of done) store.writeLast(tag, r.id, { key: r.key, keyData: keys.get(r.id)!.keyData, at });
  store.writeRunRecord({
    schema: 1,
    pipeline: plan.pipeline.file,
    started,
    finished: at,
    ok: summary.failed === 0 && !summary.interrupted,
    artifacts: Object.fromEntries(done.map((r) => [r.id, r.key])),
  });
}

/**
 * One run of a plan: ready stages start in critical-path order (or shuffled) while CPU and GPU tokens
 * last; each finished stage releases its dependents, a failed or skipped one skips them.
 */
class PlanRun {
  private readonly reports = new Map<StageId, StageReport>();
  private readonly artifacts = new Map<StageId, UpstreamArtifact>();
  private readonly remainingDeps = new Map<StageId, number>();
  private readonly dependents = new Map<StageId, StageId[]>();
  private readonly ready: StageId[];
  private readonly byPriority: (a: StageId, b: StageId) => number;
  /** Aborted with the run's signal; handed to executors. */
  private readonly stageAbort = new AbortController();
  private readonly slots: number;
  private cpuFree: number;
  private readonly gpuFree: number[];
  private running = 0;

  constructor(
    private readonly plan: Plan,
    private readonly keys: ReadonlyMap<StageId, KeyedStage>,
    private readonly selection: Selection,
    private readonly opts: ScheduleOptions & { readonly gpus: number },
    private readonly cachedNow: ReadonlyMap<StageId, Manifest>,
    private readonly warn: (m: string) => void,
  ) {
    const order = selection.order;
    const inRun = new Set(order);
    for (const id of order) {
      const needs = plan.byId.get(id)!.needs.filter((n) => inRun.has(n));
      this.remainingDeps.set(id, needs.length);
      for (const n of needs) {
        let d = this.dependents.get(n);
        if (!d) this.dependents.set(n, (d = []));
        d.push(id);
      }
    }
    this.byPriority = this.criticalPathOrder(order);
    this.ready = order.filter((id) => this.remainingDeps.get(id) === 0);
    this.slots = Math.max(1, Math.min(opts.jobs, opts.executor.slots));
    this.cpuFree = this.slots;
    this.gpuFree = Array.from({ length: Math.max(0, opts.gpus) }, (_, i) => i);
  }

  /** Runs until nothing is ready or running; resolves to the report of every stage that finished or was skipped. */
  async run(): Promise<ReadonlyMap<StageId, StageReport>> {
    const onAbort = () => this.stageAbort.abort(this.opts.signal.reason);
    this.opts.signal.addEventListener('abort', onAbort, { once: true });
    await new Promise<void>((resolveAll) => {
      const pump = () => {
        this.startReady(pump);
        if (this.running === 0 && this.ready.length === 0) resolveAll();
      };
      this.opts.signal.addEventListener('abort', () => queueMicrotask(pump), { once: true });
      pump();
    });
    this.opts.signal.removeEventListener('abort', onAbort);
    return this.reports;
  }

  /**
   * Critical-path priority: of the ready stages, start first the one with the longest chain of stages
   * waiting on it, so a long pretraining is not queued behind work nothing waits for.
   */
  private criticalPathOrder(order: readonly StageId[]): (a: StageId, b: StageId) => number {
    const height = new Map<StageId, number>();
    for (let i = order.length - 1; i >= 0; i--) {
      const id = order[i]!;
      let h = 0;
      for (const d of this.dependents.get(id) ?? []) h = Math.max(h, height.get(d) ?? 0);
      height.set(id, h + 1);
    }
    const position = new Map(order.map((id, i) => [id, i]));
    return (a, b) => height.get(b)! - height.get(a)! || position.get(a)! - position.get(b)!;
  }

  /** Starts every ready stage the tokens allow; `pump` is called again whenever one ends. */
  private startReady(pump: () => void): void {
    const { opts, ready } = this;
    if (opts.signal.aborted) ready.length = 0;
    if (opts.shuffle) shuffleInPlace(ready);
    else ready.sort(this.byPriority);
    for (let i = 0; i < ready.length; ) {
      const id = ready[i]!;
      const m = this.cachedNow.get(id);
      if (m && !this.selection.forced.has(id)) {
        // Cached up front: no token, no lock needed.
        ready.splice(i, 1);
        this.finish(this.cachedReport(id, m, 0));
        continue;
      }
      const node = this.plan.byId.get(id)!;
      // A stage that gets a GPU holds only the CPU tokens it needs beside it (a GPU engine drives the
      // device from one thread); one without holds its CPU threads' worth.
      const gpuNeed = opts.executor.schedulesGpus ? Math.min(Math.max(node.resources.gpus, node.resources.wantsGpu ? 1 : 0), Math.max(0, opts.gpus)) : 0;
      const cpuNeed = opts.executor.usesLocalCpus ? Math.min(gpuNeed > 0 ? node.resources.cpusWithGpu : node.resources.cpus, this.slots) : 1;
      if (cpuNeed > this.cpuFree || gpuNeed > this.gpuFree.length) {
        i++;
        continue;
      }
      ready.splice(i, 1);
      this.cpuFree -= cpuNeed;
      const gpus = this.gpuFree.splice(0, gpuNeed);
      this.running++;
      void this.runOne(id, gpus)
        .catch((err: unknown) => {
          if (!this.reports.has(id)) this.finish(this.report(id, 'failed', 0, { reason: 'internal-error', cause: 'scheduler-threw', id, error: thrownText(err) }));
        })
        .then(() => {
          this.running--;
          this.cpuFree += cpuNeed;
          this.gpuFree.push(...gpus);
          pump();
        });
      i = 0; // tokens changed: rescan from the start
    }
  }

  /** Lock the key → cached now (another run finished it while we waited)? → execute → report. */
  private async runOne(id: StageId, gpus: number[]): Promise<void> {
    const { store, onEvent } = this.opts;
    const node = this.plan.byId.get(id)!;
    const { key } = this.keys.get(id)!;
    const ts = performance.now();
    const secs = () => (performance.now() - ts) / 1000;
    let lock;
    try {
      lock = await acquireLock(join(store.dir, 'locks'), key, this.stageAbort.signal, (e) => {
        if (e.type === 'waiting') onEvent({ type: 'stage-waiting', id, holder: describeWait(e.holder, e.file) });
        else this.warn(`replaced the broken lock of ${id} (${e.why}${e.holder ? `; it was held by ${describeHolder(e.holder)}` : ''}): ${e.file}`);
      });
    } catch (err) {
      if (!this.stageAbort.signal.aborted) {
        this.finish(this.report(id, 'failed', secs(), { reason: 'internal-error', cause: 'lock-failed', id, error: (err as Error).message }));
        return;
      }
      this.finish(this.report(id, 'skipped', secs(), { reason: 'interrupted', when: 'waiting-for-lock' }));
      return;
    }
    try {
      const now = !this.selection.forced.has(id) && node.cacheable ? cachedManifest(store, key, this.warn, id) : undefined;
      if (now) {
        this.finish(this.cachedReport(id, now, secs()));
        return;
      }
      if (await this.fromRemote(id, key, secs)) return;
      onEvent({ type: 'stage-start', id, kind: node.kind });
      const outcome = await this.execute(this.jobSpec(id, gpus.length), gpus);
      if (outcome.ok) {
        if (node.cacheable) this.opts.remote?.pushLater(key);
        this.artifacts.set(id, outcome.artifact);
        this.finish({ id, kind: node.kind, state: 'ran', key, seconds: outcome.seconds, outputs: { ...outcome.artifact.outputs } });
      } else if (outcome.reason === 'aborted') {
        this.finish(this.report(id, 'skipped', secs(), { reason: 'interrupted', when: 'running' }));
      } else {
        this.finish({ ...this.report(id, 'failed', secs(), failureOf(outcome)), logTail: outcome.logTail });
      }
    } finally {
      lock.release();
    }
  }

  /**
   * Under the stage's lock, when the remote holds the key: pull it (true: the stage is done). A failed
   * pull is a warning and the stage runs here, unless `--remote-only`, where it fails, as does a stage
   * the remote does not hold.
   */
  private async fromRemote(id: StageId, key: string, secs: () => number): Promise<boolean> {
    const remote = this.opts.remote;
    const node = this.plan.byId.get(id)!;
    if (!remote || this.selection.forced.has(id) || !node.cacheable) return false;
    if (remote.holds(key)) {
      this.opts.onEvent({ type: 'stage-pull', id, from: remote.display });
      const pulled = await remote.pull(key);
      if (pulled.ok) {
        this.finish({ ...this.cachedReport(id, pulled.value, secs()), origin: 'remote' });
        return true;
      }
      if (!remote.only) {
        this.warn(`${id}: could not pull it from the remote cache (${pulled.error}); building it here`);
        return false;
      }
    }
    if (!remote.only) return false;
    this.finish(this.report(id, 'failed', secs(), { reason: 'remote-miss', why: remote.whyNot(key) }));
    return true;
  }

  private jobSpec(id: StageId, gpus: number): StageJobSpec {
    const { store } = this.opts;
    const node = this.plan.byId.get(id)!;
    const { key, keyData } = this.keys.get(id)!;
    const inputs: Record<string, UpstreamArtifact> = {};
    for (const n of node.needs) inputs[n] = this.artifacts.get(n) ?? artifactFromManifest(store.dir, cachedManifest(store, this.keys.get(n)!.key, this.warn, n)!);
    return {
      schema: 1,
      id,
      kind: node.kind,
      key,
      keyData,
      params: node.params,
      inputs,
      pipelineFile: this.plan.pipeline.file,
      pipelineDir: this.plan.pipeline.dir,
      seed: node.seed,
      resources: { cpus: node.resources.cpus, gpus },
      storeDir: store.dir,
    };
  }

  /** The executor's outcome; an executor that throws is a failure of that stage, not of the run. */
  private async execute(spec: StageJobSpec, gpus: number[]): Promise<StageOutcome> {
    const { executor, onEvent } = this.opts;
    try {
      return await executor.run(spec, { signal: this.stageAbort.signal, gpus, onProgress: (progress) => onEvent({ type: 'stage-progress', id: spec.id, progress }) });
    } catch (err) {
      return failedOutcome({ reason: 'internal-error', cause: 'executor-threw', executor: executor.name, id: spec.id, error: thrownText(err) });
    }
  }

  private report(id: StageId, state: 'failed' | 'skipped', seconds: number, failure: Failure): StageReport {
    return { id, kind: this.plan.byId.get(id)!.kind, state, key: this.keys.get(id)!.key, seconds, outputs: {}, failure };
  }

  private cachedReport(id: StageId, m: Manifest, seconds: number): StageReport {
    const art = artifactFromManifest(this.opts.store.dir, m);
    this.artifacts.set(id, art);
    return { id, kind: m.kind, state: 'cached', key: m.key, seconds, outputs: { ...art.outputs } };
  }

  /** Records a stage's end: releases its dependents, or skips everything downstream of a failure and names it. */
  private finish(report: StageReport): void {
    this.reports.set(report.id, report);
    let skipping: StageId[] = [];
    if (report.state === 'failed' || report.state === 'skipped') {
      const stack = [...(this.dependents.get(report.id) ?? [])];
      while (stack.length) {
        const d = stack.pop()!;
        if (this.reports.has(d)) continue;
        skipping.push(d);
        this.reports.set(d, this.report(d, 'skipped', 0, { reason: 'upstream-failed', upstream: report.id, upstreamState: report.state }));
        stack.push(...(this.dependents.get(d) ?? []));
      }
      skipping = skipping.sort();
    } else {
      for (const d of this.dependents.get(report.id) ?? []) {
        const left = this.remainingDeps.get(d)! - 1;
        this.remainingDeps.set(d, left);
        if (left === 0 && !this.reports.has(d)) this.ready.push(d);
      }
    }
    this.opts.onEvent({ type: 'stage-end', report, skipping });
    for (const s of skipping) this.opts.onEvent({ type: 'stage-end', report: this.reports.get(s)!, skipping: [] });
  }
}
