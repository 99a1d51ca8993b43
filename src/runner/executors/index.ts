/**
 * Executor factory: the CLI picks one by name. The SLURM executor is loaded lazily so a local run
 * never pays for it.
 */
import type { StageKind } from '../../contract/stage.ts';
import type { Executor } from '../executor.ts';
import { nuganLauncher } from './launcher.ts';
import { createLocalExecutor } from './local.ts';

export interface ExecutorOptions {
  readonly kinds: readonly StageKind[];
  readonly storeDir: string;
  readonly pipelineFile: string;
  /** `--jobs` */
  readonly slots: number;
  /** The pipeline's top-level `slurm:` block (its content is the SLURM executor's business). */
  readonly slurm?: Record<string, unknown>;
}

export async function createExecutor(name: 'local' | 'slurm', opts: ExecutorOptions): Promise<Executor> {
  if (name === 'local') {
    // Each stage in its own process, unless NUGAN_INLINE=1 asks for one process (debugging, profiling).
    const launcher = process.env.NUGAN_INLINE === '1' ? undefined : nuganLauncher();
    return createLocalExecutor({ kinds: opts.kinds, slots: opts.slots, launcher });
  }
  const { createSlurmExecutor } = await import('./slurm.ts');
  return createSlurmExecutor({ storeDir: opts.storeDir, pipelineFile: opts.pipelineFile, slurm: opts.slurm, kinds: opts.kinds });
}
