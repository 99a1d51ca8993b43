/**
 * The SLURM executor (`nugan run --executor slurm`): every stage instance the scheduler hands over
 * becomes one batch job running `nugan exec-stage --job <spec>` on a compute node, with the store and
 * inputs on a shared filesystem. The job commits its artifact into the store atomically itself
 * (executeStageJob), so this process only submits, watches and reports.
 *
 * Files, all under `<store>/slurm/` (a shared filesystem):
 *
 *     <key>.job.json              the StageJobSpec the job runs
 *     <key>.sh                    the batch script
 *     <key>.slurm.json            {jobId, submitted, id}: lets a rerun adopt a job still queued/running
 *     <key>.<jobId>.log           the job's stdout+stderr (sbatch --output)
 *     <key>.<jobId>.exit.json     written atomically by the job as its last act: exit code, node, GPUs
 *
 * Submitting (slurm/submitter.ts) and watching (slurm/watcher.ts, batched: one squeue per poll for all
 * jobs) are their own modules; this one composes them and turns how a job ended into a StageOutcome.
 * A job that ends without a marker (killed, timed out, out of memory) is reported with its SLURM state
 * and its log tail. On abort (Ctrl-C) the jobs submitted by this process are `scancel`ed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StageKind } from '../../contract/stage.ts';
import { ArtifactStore } from '../../cache/store.ts';
import { artifactFromManifest } from '../execute.ts';
import { failedOutcome, type Executor, type ExecutorHooks, type StageJobSpec, type StageOutcome } from '../executor.ts';
import { nuganLauncher } from './launcher.ts';
import { parseSlurmConfig, type SlurmConfig } from './slurm/config.ts';
import { SlurmFiles, tailOf } from './slurm/files.ts';
import { Submitter } from './slurm/submitter.ts';
import { JobWatcher, type WatchEnd } from './slurm/watcher.ts';

export interface SlurmExecutorOptions {
  readonly storeDir: string;
  readonly pipelineFile: string;
  /** The pipeline's top-level `slurm:` block (see slurm/config.ts for its keys). */
  readonly slurm: Record<string, unknown> | undefined;
  readonly kinds: readonly StageKind[];
}

const LOG_TAIL = 30;

/** The command that runs this very nugan on a node: config > $NUGAN_SLURM_NUGAN > the running launcher. */
function defaultNugan(cfg: SlurmConfig): string[] {
  if (cfg.nugan) return [...cfg.nugan];
  const env = process.env.NUGAN_SLURM_NUGAN;
  if (env && env.trim()) return env.trim().split(/\s+/);
  return nuganLauncher();
}

export function createSlurmExecutor(opts: SlurmExecutorOptions): Executor {
  const cfg = parseSlurmConfig(opts.slurm, opts.pipelineFile);
  const store = new ArtifactStore(opts.storeDir);
  const files = new SlurmFiles(join(store.dir, 'slurm'));
  const watcher = new JobWatcher(files, cfg.pollSeconds);
  const submitter = new Submitter(files, cfg, opts.kinds, defaultNugan(cfg), (jobId) => watcher.submitted(jobId));

  /** A rerun adopts the job an earlier (killed) run submitted for the same key, unless that job failed. */
  const adoptEarlierJob = async (spec: StageJobSpec, hooks: ExecutorHooks, t0: number): Promise<StageOutcome | undefined> => {
    const prev = files.readSubmitRecord(spec.key);
    if (!prev) return undefined;
    const marker = files.readMarker(spec.key, prev.jobId);
    const adoptable = marker ? marker.exit === 0 && existsSync(join(store.artifactDir(spec.key), 'manifest.json')) : true;
    if (!adoptable) return undefined;
    hooks.onProgress({ type: 'state', text: `adopting slurm job ${prev.jobId}` });
    const r = await watcher.watch(spec.key, prev.jobId, hooks);
    if (r.type === 'aborted') return failedOutcome({ reason: 'aborted', cause: 'interrupted' });
    // A job of a killed run that died or was cancelled is simply submitted again.
    if (r.type === 'exited' && r.marker.exit === 0) return outcomeOf(store, files, spec, prev.jobId, r, t0);
    return undefined;
  };

  return {
    name: 'slurm',
    slots: cfg.slots,
    schedulesGpus: false,
    usesLocalCpus: false,
    ownsSlots: true,
    async run(spec: StageJobSpec, hooks: ExecutorHooks): Promise<StageOutcome> {
      const t0 = performance.now();
      const adopted = await adoptEarlierJob(spec, hooks, t0);
      if (adopted) return adopted;
      if (hooks.signal.aborted) return failedOutcome({ reason: 'aborted', cause: 'interrupted' });
      let jobId: string;
      try {
        jobId = await submitter.submit(spec);
      } catch (err) {
        return failedOutcome({ reason: 'internal-error', cause: 'submit-failed', id: spec.id, error: (err as Error).message });
      }
      hooks.onProgress({ type: 'state', text: `slurm job ${jobId} submitted` });
      const r = await watcher.watch(spec.key, jobId, hooks);
      if (r.type === 'aborted') return failedOutcome({ reason: 'aborted', cause: 'job-cancelled', jobId }, [], { executor: 'slurm', jobId });
      watcher.finished(jobId);
      return outcomeOf(store, files, spec, jobId, r, t0);
    },
    close: () => watcher.close(),
  };
}

/** The outcome of a job that has ended: its artifact (committed by the job itself), or why there is none. */
function outcomeOf(store: ArtifactStore, files: SlurmFiles, spec: StageJobSpec, jobId: string, r: Exclude<WatchEnd, { type: 'aborted' }>, t0: number): StageOutcome {
  const log = files.log(spec.key, jobId);
  const execution: Record<string, unknown> = { executor: 'slurm', jobId, log };
  if (r.type === 'exited') {
    Object.assign(execution, { exit: r.marker.exit, node: r.marker.node, cudaVisibleDevices: r.marker.cudaVisibleDevices });
    if (r.marker.exit === 0) {
      const m = store.readManifest(spec.key);
      if (m && !(m instanceof Error)) {
        return { ok: true, artifact: artifactFromManifest(store.dir, m), seconds: m.timings?.seconds ?? (performance.now() - t0) / 1000, execution };
      }
      return failedOutcome({ reason: 'internal-error', cause: 'job-left-no-artifact', jobId, id: spec.id, problem: m instanceof Error ? m.message : 'no manifest', log }, tailOf(log, LOG_TAIL), execution);
    }
    return failedOutcome({ reason: 'stage-failed', cause: 'job-exit', jobId, id: spec.id, exit: r.marker.exit, log }, tailOf(log, LOG_TAIL), execution);
  }
  const state = r.state ? `${r.state.state}${r.state.detail ? ` (${r.state.detail})` : ''}` : 'no longer known to SLURM';
  Object.assign(execution, { state: r.state?.state ?? 'UNKNOWN' });
  return failedOutcome({ reason: 'lost', jobId, id: spec.id, state, log }, tailOf(log, LOG_TAIL), execution);
}
