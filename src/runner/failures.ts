/**
 * Why a stage instance has no artifact after a run (house rule 4), as data: one variant per situation,
 * each carrying what its message needs. `reason` is the class the user sees (`run --json`, "✗ id
 * failed (reason)"); `cause` tells the situations of one class apart. `describeFailure` is the only
 * place that turns a failure into text.
 */
import { unreachable } from '../util/unreachable.ts';

/** The stage's own work failed: bad input or parameters, a non-zero exit, a missing output. */
export type StageFailed = { readonly reason: 'stage-failed' } & (
  /** The stage threw an InputError; `text` is its rendering (file, line, what was expected). */
  | { readonly cause: 'input-error'; readonly text: string }
  | { readonly cause: 'input-file-missing'; readonly file: string }
  | { readonly cause: 'output-outside'; readonly output: string; readonly path: string }
  /** A symbolic link in the stage's directory resolves outside it (or nowhere). */
  | { readonly cause: 'link-outside'; readonly link: string; readonly target: string }
  | { readonly cause: 'outputs-missing'; readonly outputs: readonly { readonly name: string; readonly path: string }[] }
  /** A SLURM job ran the stage and exited non-zero. */
  | { readonly cause: 'job-exit'; readonly jobId: string; readonly id: string; readonly exit: number; readonly log: string }
);

/** A bug or a broken installation, not the stage's input: shown with what threw. */
export type InternalError = { readonly reason: 'internal-error' } & (
  | { readonly cause: 'unknown-kind'; readonly kind: string }
  | { readonly cause: 'stage-threw'; readonly id: string; readonly kind: string; readonly error: string }
  | { readonly cause: 'job-left-no-artifact'; readonly jobId: string; readonly id: string; readonly problem: string; readonly log: string }
  | { readonly cause: 'submit-failed'; readonly id: string; readonly error: string }
  | { readonly cause: 'executor-threw'; readonly executor: string; readonly id: string; readonly error: string }
  | { readonly cause: 'scheduler-threw'; readonly id: string; readonly error: string }
  /** The store refused the lock file (a full disk, a broken `locks/`): the stage never started. */
  | { readonly cause: 'lock-failed'; readonly id: string; readonly error: string }
);

/** The stage process ended without reporting an outcome: an internal error, or an abort when one was asked for. */
export interface ProcessDied {
  readonly reason: 'internal-error' | 'aborted';
  readonly cause: 'process-died';
  /** "exited with code 3" or "was killed by SIGKILL". */
  readonly how: string;
}

/** A SLURM job ended without finishing (killed, timed out, out of memory, cancelled by someone else). */
export interface Lost {
  readonly reason: 'lost';
  readonly jobId: string;
  readonly id: string;
  /** SLURM state with detail, or 'no longer known to SLURM'. */
  readonly state: string;
  readonly log: string;
}

/** The run was interrupted while the stage ran (executor level); nothing was committed. */
export type Aborted = { readonly reason: 'aborted' } & ({ readonly cause: 'interrupted' } | { readonly cause: 'job-cancelled'; readonly jobId: string });

/** Skipped because a stage it depends on failed or was skipped. */
export interface UpstreamFailed {
  readonly reason: 'upstream-failed';
  readonly upstream: string;
  readonly upstreamState: 'failed' | 'skipped';
}

/** Skipped because the run was interrupted: before it got its lock, while it ran, or before it started. */
export interface Interrupted {
  readonly reason: 'interrupted';
  readonly when: 'waiting-for-lock' | 'running' | 'not-started';
}

/** `--remote-only`: the stage is neither in the local store nor obtainable from the remote cache. */
export interface RemoteMiss {
  readonly reason: 'remote-miss';
  /** Why the remote could not provide it (absent, unreachable, corrupt), in words. */
  readonly why: string;
}

export type Failure = StageFailed | InternalError | ProcessDied | Lost | Aborted | UpstreamFailed | Interrupted | RemoteMiss;

/** The message of a failure, as `run` prints it after the reason. */
export function describeFailure(f: Failure): string {
  switch (f.reason) {
    case 'stage-failed':
      switch (f.cause) {
        case 'input-error':
          return f.text;
        case 'input-file-missing':
          return `declared input file ${f.file} does not exist`;
        case 'output-outside':
          return `output '${f.output}' (${f.path}) lies outside the stage's directory`;
        case 'link-outside':
          return `${f.link} is a symbolic link to ${f.target}, outside the stage's directory: an artifact must hold its files itself (copy the file in, or read it as a declared input)`;
        case 'outputs-missing':
          return `the stage did not create its declared output${f.outputs.length > 1 ? 's' : ''}: ${f.outputs.map((o) => `${o.name} (${o.path})`).join(', ')}`;
        case 'job-exit':
          return `slurm job ${f.jobId} of '${f.id}' failed with exit code ${f.exit}; log: ${f.log}`;
        default:
          return unreachable(f);
      }
    case 'internal-error':
    case 'aborted':
      if (f.cause === 'process-died') return `the stage process ${f.how} without reporting an outcome`;
      switch (f.cause) {
        case 'unknown-kind':
          return `stage kind '${f.kind}' is not registered in this nugan`;
        case 'stage-threw':
          return `stage '${f.id}' (${f.kind}) threw: ${f.error}`;
        case 'job-left-no-artifact':
          return `slurm job ${f.jobId} exited 0 but left no valid artifact for '${f.id}' (${f.problem}); log: ${f.log}`;
        case 'submit-failed':
          return `could not submit '${f.id}' to SLURM: ${f.error}`;
        case 'executor-threw':
          return `executor ${f.executor} failed on '${f.id}': ${f.error}`;
        case 'scheduler-threw':
          return `scheduler failed on '${f.id}': ${f.error}`;
        case 'lock-failed':
          return `could not take the lock of '${f.id}' in the store (${f.error}); the stage did not start: free disk space or repair the store's locks/ directory, then run again`;
        case 'interrupted':
          return 'interrupted';
        case 'job-cancelled':
          return `interrupted; slurm job ${f.jobId} cancelled`;
        default:
          return unreachable(f);
      }
    case 'lost':
      return `slurm job ${f.jobId} of '${f.id}' ended without finishing: ${f.state}; log: ${f.log}`;
    case 'remote-miss':
      return `--remote-only: not in the local store and not obtainable from the remote cache (${f.why}); nothing was run`;
    case 'upstream-failed':
      return `upstream '${f.upstream}' ${f.upstreamState === 'failed' ? 'failed' : 'was skipped'}`;
    case 'interrupted':
      switch (f.when) {
        case 'waiting-for-lock':
          return 'interrupted before it started';
        case 'running':
          return 'interrupted; nothing was committed';
        case 'not-started':
          return 'not started: the run was interrupted';
        default:
          return unreachable(f.when);
      }
    default:
      return unreachable(f);
  }
}

/** The error text of something thrown: its stack when it has one. */
export function thrownText(err: unknown): string {
  return (err as Error)?.stack ?? String(err);
}
