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
import { describeFailure, type Failure, type Interrupted, type UpstreamFailed } from './failures.ts';

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
  | FailedOutcome;

/** What can go wrong where a stage runs (the scheduler adds the skips: upstream-failed, interrupted). */
export type ExecutionFailure = Exclude<Failure, UpstreamFailed | Interrupted>;

/** A failure as it travels from an executor (or a stage process, as JSON) to the scheduler. */
export type FailedOutcome = ExecutionFailure & {
  readonly ok: false;
  /** `describeFailure` of the failure, kept with it so the outcome a stage process prints reads on its own. */
  readonly message: string;
  /** Last lines of the stage's log (or the SLURM job's output) to show the user. */
  readonly logTail: readonly string[];
  readonly execution?: Record<string, unknown>;
};

export function failedOutcome(failure: ExecutionFailure, logTail: readonly string[] = [], execution?: Record<string, unknown>): FailedOutcome {
  return { ...failure, ok: false, message: describeFailure(failure), logTail, execution };
}

/** The failure an outcome carries, without what travels with it. */
export function failureOf(outcome: FailedOutcome): ExecutionFailure {
  const { ok: _ok, message: _message, logTail: _logTail, execution: _execution, ...failure } = outcome;
  return failure;
}

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

/**
 * An executor says what it can do instead of the scheduler asking for its name: the capabilities
 * below decide how stages are counted against `--jobs` and `--gpus`.
 */
export interface Executor {
  /** For messages only. */
  readonly name: 'local' | 'slurm';
  /** How many stage instances may run at once. */
  readonly slots: number;
  /** Whether the scheduler must hand out GPU tokens (local) or the executor's site does (SLURM). */
  readonly schedulesGpus: boolean;
  /**
   * Stages run on this machine's cores, so each holds as many CPU tokens as threads it uses; when
   * false (a cluster), a stage holds one slot and its node provides the cores.
   */
  readonly usesLocalCpus: boolean;
  /** The executor sizes its own queue (`slots` from its site's config): it replaces the `--jobs` default. */
  readonly ownsSlots: boolean;
  run(job: StageJobSpec, hooks: ExecutorHooks): Promise<StageOutcome>;
  /** Cancel everything still running (Ctrl-C) and release resources. */
  close(): Promise<void>;
}
