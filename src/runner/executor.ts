/**
 * Executors run one planned stage instance somewhere (this process, a SLURM job) and report how it
 * ended. The scheduler decides *when* a stage runs; an executor decides *where*. Both the local and the
 * SLURM executor implement `Executor` and pass one shared test suite.
 *
 * Contract between them: a `StageJobSpec` is plain JSON. Whoever runs it calls `executeStageJob`
 * (src/runner/execute.ts), which runs the stage into a temporary directory inside the store, writes the
 * manifest and renames the directory to its key atomically. So a job that finished while nobody watched
 * (a killed `nugan run`, a SLURM job) is simply a cached artifact the next time.
 */
import type { UpstreamArtifact } from '../contract/stage.ts';

export interface StageJobSpec {
  readonly schema: 1;
  /** Expanded stage id (`train@nu-argon-10000`). */
  readonly id: string;
  readonly kind: string;
  /** Cache key: the artifact lands at `<store>/artifacts/<key>`. */
  readonly key: string;
  /** Everything that went into the key, stored verbatim in the manifest (house rule 5). */
  readonly keyData: unknown;
  /** Resolved, validated parameters (`with:` after defaults and interpolation). */
  readonly params: Record<string, unknown>;
  /** Upstream artifacts by stage id. */
  readonly inputs: Record<string, UpstreamArtifact>;
  readonly pipelineFile: string;
  readonly pipelineDir: string;
  readonly seed: number;
  readonly resources: { readonly cpus: number; readonly gpus: number };
  /** Absolute path of the artifact store. */
  readonly storeDir: string;
}

export type StageOutcome =
  | { readonly ok: true; readonly artifact: UpstreamArtifact; readonly seconds: number; readonly execution?: Record<string, unknown> }
  | {
      readonly ok: false;
      readonly reason: 'stage-failed' | 'internal-error' | 'aborted' | 'lost';
      readonly message: string;
      /** Last lines of the stage's log (or the SLURM job's output) to show the user. */
      readonly logTail: readonly string[];
      readonly execution?: Record<string, unknown>;
    };

/** Progress events an executor forwards from a running stage. */
export type ExecutorProgress =
  | { readonly type: 'total'; readonly amount: number; readonly unit?: string }
  | { readonly type: 'advance'; readonly amount: number }
  | { readonly type: 'message'; readonly text: string }
  | { readonly type: 'state'; readonly text: string };

export interface ExecutorHooks {
  readonly signal: AbortSignal;
  /** GPU ordinals the scheduler granted (local executor); SLURM assigns its own. */
  readonly gpus: readonly number[];
  onProgress(event: ExecutorProgress): void;
}

export interface Executor {
  readonly name: 'local' | 'slurm';
  /** How many stage instances may run at once. */
  readonly slots: number;
  /** Whether the scheduler must hand out GPU tokens (local) or the executor's site does (SLURM). */
  readonly schedulesGpus: boolean;
  run(job: StageJobSpec, hooks: ExecutorHooks): Promise<StageOutcome>;
  /** Cancel everything still running (Ctrl-C) and release resources. */
  close(): Promise<void>;
}
