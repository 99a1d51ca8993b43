/**
 * What the runner tells the world (house rule 10): typed events, rendered only by reporters
 * (src/reporters). The runner itself never prints.
 */
import type { ExecutorProgress } from './executor.ts';
import type { StageId } from './expand.ts';
import type { Failure } from './failures.ts';

export type StageState = 'ran' | 'cached' | 'failed' | 'skipped';

export interface StageReport {
  readonly id: StageId;
  readonly kind: string;
  readonly state: StageState;
  readonly key: string;
  readonly seconds: number;
  /** Named outputs as absolute paths (ran or cached stages). */
  readonly outputs: Record<string, string>;
  /** Why it failed or was skipped (reporters render it with `describeFailure`). */
  readonly failure?: Failure;
  readonly logTail?: readonly string[];
  /** 'remote' when a cached stage was pulled from the remote cache in this run. */
  readonly origin?: 'remote';
}

export type RunEvent =
  | { readonly type: 'plan'; readonly pipeline: string; readonly stages: readonly { id: StageId; kind: string; key: string; action: 'run' | 'cached' | 'pull' | 'force' }[] }
  | { readonly type: 'stage-pull'; readonly id: StageId; readonly from: string }
  | { readonly type: 'stage-start'; readonly id: StageId; readonly kind: string }
  | { readonly type: 'stage-waiting'; readonly id: StageId; readonly holder: string }
  | { readonly type: 'stage-progress'; readonly id: StageId; readonly progress: ExecutorProgress }
  | { readonly type: 'stage-end'; readonly report: StageReport; readonly skipping: readonly StageId[] }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'run-end'; readonly summary: RunSummary };

export interface RunSummary {
  readonly ran: number;
  readonly cached: number;
  /** Of the cached stages, those pulled from the remote cache in this run. */
  readonly pulled?: number;
  /** Uploads to the remote cache when pushing: sent, already there, failed. */
  readonly pushed?: { readonly uploaded: number; readonly present: number; readonly failed: number };
  readonly failed: number;
  readonly skipped: number;
  readonly seconds: number;
  readonly interrupted: boolean;
}

export type RunListener = (event: RunEvent) => void;
