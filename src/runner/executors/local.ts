/**
 * The local executor: runs stage instances in this process through `executeStageJob`. The scheduler
 * hands out CPU and GPU tokens; this executor only runs what it is given.
 */
import type { StageKind } from '../../contract/stage.ts';
import { executeStageJob } from '../execute.ts';
import type { Executor, ExecutorHooks, StageJobSpec, StageOutcome } from '../executor.ts';

export interface LocalExecutorOptions {
  readonly kinds: readonly StageKind[];
  /** Concurrent stage instances (`--jobs`). */
  readonly slots: number;
}

export function createLocalExecutor(opts: LocalExecutorOptions): Executor {
  const running = new Set<Promise<StageOutcome>>();
  return {
    name: 'local',
    slots: opts.slots,
    schedulesGpus: true,
    run(job: StageJobSpec, hooks: ExecutorHooks): Promise<StageOutcome> {
      const p = executeStageJob(job, opts.kinds, hooks);
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
