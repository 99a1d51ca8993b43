/**
 * The local executor: runs stage instances on this machine through `executeStageJob`. The scheduler
 * hands out CPU and GPU tokens; this executor only runs what it is given.
 *
 * With `launcher` set (the CLI sets it) each stage runs in its own `nugan exec-stage` process, so
 * CPU-bound stages use the cores they were granted side by side (see child-process.ts). Without it
 * stages run in this process: what tests do with stage kinds they define themselves.
 */
import type { StageKind } from '../../contract/stage.ts';
import { executeStageJob } from '../execute.ts';
import type { Executor, ExecutorHooks, StageJobSpec, StageOutcome } from '../executor.ts';
import { runInChildProcess } from './child-process.ts';

export interface LocalExecutorOptions {
  readonly kinds: readonly StageKind[];
  /** Concurrent stage instances (`--jobs`). */
  readonly slots: number;
  /** Command that starts nugan (src/runner/executors/launcher.ts): run each stage in its own process. */
  readonly launcher?: readonly string[];
}

export function createLocalExecutor(opts: LocalExecutorOptions): Executor {
  const running = new Set<Promise<StageOutcome>>();
  return {
    name: 'local',
    slots: opts.slots,
    schedulesGpus: true,
    usesLocalCpus: true,
    ownsSlots: false,
    run(job: StageJobSpec, hooks: ExecutorHooks): Promise<StageOutcome> {
      const p = opts.launcher ? runInChildProcess(job, hooks, opts.launcher) : executeStageJob(job, opts.kinds, hooks);
      running.add(p);
      void p.finally(() => running.delete(p));
      return p;
    },
    async close(): Promise<void> {
      // Stages stop through the abort signal the scheduler owns; wait so no temp dir outlives the run.
      await Promise.allSettled([...running]);
    },
  };
}
