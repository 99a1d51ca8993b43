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
 * Watching is batched: each poll reads the exit markers (files, no SLURM call) and asks one `squeue`
 * for every job still without one (plus one `sacct` for jobs squeue no longer knows), never one call
 * per job. A job that ends without a marker (killed, timed out, out of memory) is reported with its
 * SLURM state and its log tail. On abort (Ctrl-C) the jobs submitted by this process are `scancel`ed.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { StageKind } from '../../contract/stage.ts';
import { writeFileAtomicSync } from '../../util/atomic.ts';
import { ArtifactStore } from '../../cache/store.ts';
import { artifactFromManifest } from '../execute.ts';
import type { Executor, ExecutorHooks, ExecutorProgress, StageJobSpec, StageOutcome } from '../executor.ts';
import { nuganLauncher, PROGRESS_LINE } from './launcher.ts';
import { parseSlurmConfig, sbatchFlags, settingsFor, type SlurmConfig } from './slurm/config.ts';
import { sacct, scancel, sbatch, squeue, type JobState } from './slurm/commands.ts';

export interface SlurmExecutorOptions {
  readonly storeDir: string;
  readonly pipelineFile: string;
  /** The pipeline's top-level `slurm:` block (see slurm/config.ts for its keys). */
  readonly slurm: Record<string, unknown> | undefined;
  readonly kinds: readonly StageKind[];
}

/** What a finished job wrote as its last act (see the batch script). */
interface ExitMarker {
  readonly jobId: string;
  readonly exit: number;
  readonly node?: string;
  readonly cudaVisibleDevices?: string;
}

interface SubmitRecord {
  readonly jobId: string;
  readonly id: string;
  readonly submitted: string;
  /** The sbatch flags used (what a person checks first when a job sits in the queue). */
  readonly flags?: readonly string[];
}

/** One job being watched. */
interface Watch {
  readonly jobId: string;
  readonly key: string;
  /** Polls since SLURM stopped reporting the job as live while no marker appeared. */
  gone: number;
  /** Bytes of the job's log already scanned for progress lines. */
  logOffset: number;
  settle(r: WatchResult): void;
  progress(e: ExecutorProgress): void;
}

type WatchResult =
  | { readonly type: 'exited'; readonly marker: ExitMarker }
  | { readonly type: 'ended'; readonly state: JobState | undefined }
  | { readonly type: 'state'; readonly state: string };

const LOG_TAIL = 30;
/** Polls a job may stay unknown to SLURM without a marker before it counts as lost (shared-FS lag). */
const GONE_POLLS = 3;

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function tailOf(file: string, n: number): string[] {
  try {
    // Progress lines were forwarded live; the user wants the stage's own last words.
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => !PROGRESS_LINE.test(l));
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-n);
  } catch {
    return [`(no SLURM log at ${file})`];
  }
}

/** The command that runs this very nugan on a node: config > $NUGAN_SLURM_NUGAN > the running launcher. */
function defaultNugan(cfg: SlurmConfig): string[] {
  if (cfg.nugan) return [...cfg.nugan];
  const env = process.env.NUGAN_SLURM_NUGAN;
  if (env && env.trim()) return env.trim().split(/\s+/);
  return nuganLauncher();
}

/** The batch script: run the stage, then record how it ended, atomically, as the very last act. */
function batchScript(nugan: readonly string[], jobFile: string, slurmDir: string, key: string, workDir: string): string {
  const marker = `${slurmDir}/${key}.$SLURM_JOB_ID.exit.json`;
  return `#!/bin/sh
# Written by nugan's SLURM executor: runs one stage instance; see src/runner/executors/slurm.ts.
cd ${shQuote(workDir)} || exit 1
${nugan.map(shQuote).join(' ')} exec-stage --job ${shQuote(jobFile)}
rc=$?
marker="${marker}"
printf '{"jobId":"%s","exit":%d,"node":"%s","cudaVisibleDevices":"%s"}\\n' "$SLURM_JOB_ID" "$rc" "$(hostname)" "\${CUDA_VISIBLE_DEVICES-}" > "$marker.tmp" && mv "$marker.tmp" "$marker"
exit $rc
`;
}

/**
 * The batch script of a job array: task i runs line i+1 of `listFile` (a job spec path). Each task
 * writes its log and exit marker under the same names a single job would, with job id `A_i`.
 */
function arrayScript(nugan: readonly string[], listFile: string, slurmDir: string, workDir: string): string {
  return `#!/bin/sh
# Written by nugan's SLURM executor: task $SLURM_ARRAY_TASK_ID of a job array of stage instances.
job=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" ${shQuote(listFile)})
key=$(basename "$job" .job.json)
id="\${SLURM_ARRAY_JOB_ID}_\${SLURM_ARRAY_TASK_ID}"
exec > ${shQuote(slurmDir)}"/$key.$id.log" 2>&1
cd ${shQuote(workDir)} || exit 1
${nugan.map(shQuote).join(' ')} exec-stage --job "$job"
rc=$?
marker=${shQuote(slurmDir)}"/$key.$id.exit.json"
printf '{"jobId":"%s","exit":%d,"node":"%s","cudaVisibleDevices":"%s"}\\n' "$id" "$rc" "$(hostname)" "\${CUDA_VISIBLE_DEVICES-}" > "$marker.tmp" && mv "$marker.tmp" "$marker"
exit $rc
`;
}

/** How long submissions wait for others with the same flags to join one job array. */
const ARRAY_WINDOW_MS = 200;

export function createSlurmExecutor(opts: SlurmExecutorOptions): Executor {
  const cfg = parseSlurmConfig(opts.slurm, opts.pipelineFile);
  const store = new ArtifactStore(opts.storeDir);
  const slurmDir = join(store.dir, 'slurm');
  const nugan = defaultNugan(cfg);
  const watches = new Map<string, Watch>();
  /** Jobs this process submitted and that may still run: scancel'ed on abort/close. */
  const live = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let cancelQueue: string[] = [];

  const markerFile = (key: string, jobId: string) => join(slurmDir, `${key}.${jobId}.exit.json`);
  const logFile = (key: string, jobId: string) => join(slurmDir, `${key}.${jobId}.log`);
  const readMarker = (key: string, jobId: string): ExitMarker | undefined => {
    try {
      return JSON.parse(readFileSync(markerFile(key, jobId), 'utf8')) as ExitMarker;
    } catch {
      return undefined;
    }
  };

  /** scancel calls under way; close() waits for them so an interrupted run leaves nothing queued. */
  const cancelling = new Set<Promise<void>>();
  const flushCancels = (): Promise<void> => {
    const ids = cancelQueue;
    cancelQueue = [];
    for (const id of ids) live.delete(id);
    if (ids.length === 0) return Promise.resolve();
    const p = scancel(ids);
    cancelling.add(p);
    void p.finally(() => cancelling.delete(p));
    return p;
  };

  /** Forwards the progress lines a running job appended to its log since the last poll. */
  const forwardProgress = (w: Watch) => {
    let fd: number | undefined;
    try {
      fd = openSync(logFile(w.key, w.jobId), 'r');
      const size = fstatSync(fd).size;
      if (size <= w.logOffset) return;
      const buf = Buffer.alloc(Math.min(size - w.logOffset, 1 << 20));
      const n = readSync(fd, buf, 0, buf.length, w.logOffset);
      const text = buf.subarray(0, n).toString('utf8');
      const end = text.lastIndexOf('\n');
      if (end < 0) return;
      w.logOffset += Buffer.byteLength(text.slice(0, end + 1));
      for (const line of text.slice(0, end).split('\n')) {
        const m = PROGRESS_LINE.exec(line);
        if (!m) continue;
        try {
          w.progress(JSON.parse(m[1]!) as ExecutorProgress);
        } catch {
          // A line that only looks like progress: it stays in the log.
        }
      }
    } catch {
      // No log yet (job pending): nothing to forward.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };

  const poll = async (): Promise<void> => {
    if (polling) return;
    polling = true;
    try {
      const pending: Watch[] = [];
      for (const w of watches.values()) {
        const m = readMarker(w.key, w.jobId);
        if (m) w.settle({ type: 'exited', marker: m });
        else {
          forwardProgress(w);
          pending.push(w);
        }
      }
      if (pending.length === 0) return;
      let states: Map<string, JobState>;
      try {
        states = await squeue(pending.map((w) => w.jobId));
      } catch {
        return; // slurmctld busy or restarting: try again next poll
      }
      const unknown = pending.filter((w) => !states.has(w.jobId));
      const acct = await sacct(unknown.map((w) => w.jobId));
      for (const w of pending) {
        const s = states.get(w.jobId) ?? acct.get(w.jobId);
        if (s && !s.terminal) {
          w.gone = 0;
          w.settle({ type: 'state', state: s.state === 'PENDING' ? `queued (${s.detail})` : s.state.toLowerCase() });
          continue;
        }
        // Ended without a marker so far: the marker may still be on its way over the shared FS.
        const m = readMarker(w.key, w.jobId);
        if (m) w.settle({ type: 'exited', marker: m });
        else if (++w.gone >= GONE_POLLS || (s && s.state !== 'COMPLETED')) w.settle({ type: 'ended', state: s });
      }
    } finally {
      polling = false;
    }
  };

  const ensureTimer = () => {
    if (timer || watches.size === 0) return;
    timer = setInterval(() => void poll(), cfg.pollSeconds * 1000);
  };
  const stopTimerIfIdle = () => {
    if (timer && watches.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  /** Resolves when the job has an exit marker or has ended without one; reports state changes. */
  const watch = (key: string, jobId: string, hooks: ExecutorHooks): Promise<Exclude<WatchResult, { type: 'state' }> | { type: 'aborted' }> =>
    new Promise((resolveWatch) => {
      let lastState = '';
      const done = (r: Exclude<WatchResult, { type: 'state' }> | { type: 'aborted' }) => {
        watches.delete(jobId);
        hooks.signal.removeEventListener('abort', onAbort);
        stopTimerIfIdle();
        resolveWatch(r);
      };
      const onAbort = () => {
        if (live.has(jobId)) {
          cancelQueue.push(jobId);
          queueMicrotask(() => void flushCancels());
        }
        done({ type: 'aborted' });
      };
      if (hooks.signal.aborted) return onAbort();
      hooks.signal.addEventListener('abort', onAbort, { once: true });
      watches.set(jobId, {
        jobId,
        key,
        gone: 0,
        logOffset: 0,
        progress: (e) => hooks.onProgress(e),
        settle(r) {
          if (r.type === 'state') {
            if (r.state !== lastState) hooks.onProgress({ type: 'state', text: `slurm job ${jobId}: ${r.state}` });
            lastState = r.state;
            return;
          }
          done(r);
        },
      });
      ensureTimer();
      // First look right away: an adopted job may have finished already.
      void poll();
    });

  interface Prepared {
    readonly spec: StageJobSpec;
    readonly jobFile: string;
    /** sbatch flags that decide where and how it runs (no name/output): equal flags may share an array. */
    readonly flags: readonly string[];
  }

  const prepare = (spec: StageJobSpec): Prepared => {
    mkdirSync(slurmDir, { recursive: true });
    const kind = opts.kinds.find((k) => k.kind === spec.kind);
    // The scheduler grants no GPU tokens to an executor whose site schedules GPUs, so ask the kind;
    // a `gpus:` setting in the slurm block wins (e.g. a `command` stage that runs a GPU program).
    const asked = kind?.resources?.(spec.params) ?? {};
    const settings = settingsFor(cfg, spec.id, spec.kind);
    const need = {
      cpus: settings.cpus ?? Math.max(spec.resources.cpus, asked.cpus ?? 1),
      gpus: settings.gpus ?? Math.max(spec.resources.gpus, asked.gpus ?? 0),
    };
    // The job sees what SLURM grants it: its GPUs are ordinals 0..n-1 of CUDA_VISIBLE_DEVICES.
    const jobSpec: StageJobSpec = { ...spec, resources: need };
    const jobFile = join(slurmDir, `${spec.key}.job.json`);
    writeFileAtomicSync(jobFile, `${JSON.stringify(jobSpec, null, 2)}\n`);
    return { spec, jobFile, flags: [`--chdir=${spec.pipelineDir}`, ...sbatchFlags(settings, need)] };
  };

  const record = (p: Prepared, jobId: string, flags: readonly string[]) => {
    live.add(jobId);
    const r: SubmitRecord = { jobId, id: p.spec.id, submitted: new Date().toISOString(), flags: [...flags] };
    writeFileAtomicSync(join(slurmDir, `${p.spec.key}.slurm.json`), `${JSON.stringify(r)}\n`);
  };

  const submitSingle = async (p: Prepared): Promise<string> => {
    const scriptFile = join(slurmDir, `${p.spec.key}.sh`);
    writeFileAtomicSync(scriptFile, batchScript(nugan, p.jobFile, slurmDir, p.spec.key, p.spec.pipelineDir));
    const flags = [`--job-name=nugan:${p.spec.id}`, `--output=${join(slurmDir, `${p.spec.key}.%j.log`)}`, ...p.flags];
    const jobId = await sbatch(flags, scriptFile);
    record(p, jobId, flags);
    return jobId;
  };

  const submitArray = async (group: readonly Prepared[]): Promise<string[]> => {
    const first = group[0]!;
    const name = `array-${first.spec.key}`;
    const listFile = join(slurmDir, `${name}.jobs`);
    writeFileAtomicSync(listFile, `${group.map((p) => p.jobFile).join('\n')}\n`);
    const scriptFile = join(slurmDir, `${name}.sh`);
    writeFileAtomicSync(scriptFile, arrayScript(nugan, listFile, slurmDir, first.spec.pipelineDir));
    const flags = [`--job-name=nugan:${first.spec.id.split('@')[0]}[]`, `--array=0-${group.length - 1}`, `--output=${join(slurmDir, `${name}.%A_%a.log`)}`, ...first.flags];
    const arrayId = await sbatch(flags, scriptFile);
    return group.map((p, i) => {
      record(p, `${arrayId}_${i}`, flags);
      return `${arrayId}_${i}`;
    });
  };

  /** Submissions waiting (ARRAY_WINDOW_MS) for siblings with the same flags, by flags. */
  const batches = new Map<string, { prepared: Prepared; resolve(id: string): void; reject(e: unknown): void }[]>();
  const flushBatch = (groupKey: string) => {
    const group = batches.get(groupKey) ?? [];
    batches.delete(groupKey);
    const go = async () => {
      if (group.length === 1) return [await submitSingle(group[0]!.prepared)];
      return submitArray(group.map((g) => g.prepared));
    };
    go().then(
      (ids) => group.forEach((g, i) => g.resolve(ids[i]!)),
      (err) => group.forEach((g) => g.reject(err)),
    );
  };

  const submit = (spec: StageJobSpec): Promise<string> => {
    const p = prepare(spec);
    if (!cfg.arrays) return submitSingle(p);
    const groupKey = p.flags.join('\0');
    return new Promise((resolve, reject) => {
      let group = batches.get(groupKey);
      if (!group) {
        batches.set(groupKey, (group = []));
        setTimeout(() => flushBatch(groupKey), ARRAY_WINDOW_MS);
      }
      group.push({ prepared: p, resolve, reject });
    });
  };

  const previous = (key: string): SubmitRecord | undefined => {
    try {
      const r = JSON.parse(readFileSync(join(slurmDir, `${key}.slurm.json`), 'utf8')) as SubmitRecord;
      return typeof r.jobId === 'string' ? r : undefined;
    } catch {
      return undefined;
    }
  };

  const outcomeOf = (spec: StageJobSpec, jobId: string, r: Exclude<WatchResult, { type: 'state' }>, t0: number): StageOutcome => {
    const log = logFile(spec.key, jobId);
    const execution: Record<string, unknown> = { executor: 'slurm', jobId, log };
    if (r.type === 'exited') {
      Object.assign(execution, { exit: r.marker.exit, node: r.marker.node, cudaVisibleDevices: r.marker.cudaVisibleDevices });
      if (r.marker.exit === 0) {
        const m = store.readManifest(spec.key);
        if (m && !(m instanceof Error)) {
          return { ok: true, artifact: artifactFromManifest(store.dir, m), seconds: m.timings?.seconds ?? (performance.now() - t0) / 1000, execution };
        }
        return { ok: false, reason: 'internal-error', message: `slurm job ${jobId} exited 0 but left no valid artifact for '${spec.id}' (${m instanceof Error ? m.message : 'no manifest'}); log: ${log}`, logTail: tailOf(log, LOG_TAIL), execution };
      }
      return { ok: false, reason: 'stage-failed', message: `slurm job ${jobId} of '${spec.id}' failed with exit code ${r.marker.exit}; log: ${log}`, logTail: tailOf(log, LOG_TAIL), execution };
    }
    const state = r.state ? `${r.state.state}${r.state.detail ? ` (${r.state.detail})` : ''}` : 'no longer known to SLURM';
    Object.assign(execution, { state: r.state?.state ?? 'UNKNOWN' });
    return { ok: false, reason: 'lost', message: `slurm job ${jobId} of '${spec.id}' ended without finishing: ${state}; log: ${log}`, logTail: tailOf(log, LOG_TAIL), execution };
  };

  return {
    name: 'slurm',
    slots: cfg.slots,
    schedulesGpus: false,
    async run(spec: StageJobSpec, hooks: ExecutorHooks): Promise<StageOutcome> {
      const t0 = performance.now();
      // A rerun adopts the job an earlier (killed) run submitted for the same key if it has not failed.
      const prev = previous(spec.key);
      if (prev) {
        const marker = readMarker(spec.key, prev.jobId);
        const adoptable = marker ? marker.exit === 0 && existsSync(join(store.artifactDir(spec.key), 'manifest.json')) : true;
        if (adoptable) {
          hooks.onProgress({ type: 'state', text: `adopting slurm job ${prev.jobId}` });
          const r = await watch(spec.key, prev.jobId, hooks);
          if (r.type === 'aborted') return { ok: false, reason: 'aborted', message: 'interrupted', logTail: [] };
          // A job of a killed run that died or was cancelled is simply submitted again.
          if (r.type === 'exited' && r.marker.exit === 0) return outcomeOf(spec, prev.jobId, r, t0);
        }
      }
      if (hooks.signal.aborted) return { ok: false, reason: 'aborted', message: 'interrupted', logTail: [] };
      let jobId: string;
      try {
        jobId = await submit(spec);
      } catch (err) {
        return { ok: false, reason: 'internal-error', message: `could not submit '${spec.id}' to SLURM: ${(err as Error).message}`, logTail: [] };
      }
      hooks.onProgress({ type: 'state', text: `slurm job ${jobId} submitted` });
      const r = await watch(spec.key, jobId, hooks);
      if (r.type === 'aborted') return { ok: false, reason: 'aborted', message: `interrupted; slurm job ${jobId} cancelled`, logTail: [], execution: { executor: 'slurm', jobId } };
      live.delete(jobId);
      return outcomeOf(spec, jobId, r, t0);
    },
    async close(): Promise<void> {
      // Whatever is still live was submitted by this run and nobody waits for it any more.
      cancelQueue.push(...live);
      await flushCancels();
      await Promise.allSettled([...cancelling]);
      for (const w of [...watches.values()]) w.settle({ type: 'ended', state: undefined });
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}

