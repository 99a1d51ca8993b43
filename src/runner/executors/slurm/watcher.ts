/**
 * Watches SLURM jobs until each has an exit marker or has ended without one. Watching is batched: each
 * poll reads the exit markers (files, no SLURM call) and asks one `squeue` for every job still without
 * one (plus one `sacct` for jobs squeue no longer knows), never one call per job. It also forwards the
 * progress lines a running job appends to its log, and cancels (`scancel`) the jobs this process
 * submitted when their stage is aborted or the run closes.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ExecutorHooks, ExecutorProgress } from '../../executor.ts';
import { PROGRESS_LINE } from '../launcher.ts';
import { sacct, scancel, squeue, type JobState } from './commands.ts';
import type { ExitMarker, SlurmFiles } from './files.ts';

/** How a watch ended: the job's marker, the job gone without one, or the stage aborted. */
export type WatchEnd =
  | { readonly type: 'exited'; readonly marker: ExitMarker }
  | { readonly type: 'ended'; readonly state: JobState | undefined }
  | { readonly type: 'aborted' };

type PollResult = Exclude<WatchEnd, { type: 'aborted' }> | { readonly type: 'state'; readonly state: string };

/** One job being watched. */
interface Watch {
  readonly jobId: string;
  readonly key: string;
  /** Polls since SLURM stopped reporting the job as live while no marker appeared. */
  gone: number;
  /** Bytes of the job's log already scanned for progress lines. */
  logOffset: number;
  settle(r: PollResult): void;
  progress(e: ExecutorProgress): void;
}

/** Polls a job may stay unknown to SLURM without a marker before it counts as lost (shared-FS lag). */
const GONE_POLLS = 3;

export class JobWatcher {
  private readonly watches = new Map<string, Watch>();
  /** Jobs this process submitted and that may still run: scancel'ed on abort/close. */
  private readonly live = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private cancelQueue: string[] = [];
  /** scancel calls under way; close() waits for them so an interrupted run leaves nothing queued. */
  private readonly cancelling = new Set<Promise<void>>();

  constructor(
    private readonly files: SlurmFiles,
    private readonly pollSeconds: number,
  ) {}

  /** A job this process submitted: cancelled if its stage is aborted or the run closes first. */
  submitted(jobId: string): void {
    this.live.add(jobId);
  }

  /** The job's stage has its outcome: nothing to cancel any more. */
  finished(jobId: string): void {
    this.live.delete(jobId);
  }

  /** Resolves when the job has an exit marker or has ended without one; reports state changes. */
  watch(key: string, jobId: string, hooks: ExecutorHooks): Promise<WatchEnd> {
    return new Promise((resolveWatch) => {
      let lastState = '';
      const done = (r: WatchEnd) => {
        this.watches.delete(jobId);
        hooks.signal.removeEventListener('abort', onAbort);
        this.stopTimerIfIdle();
        resolveWatch(r);
      };
      const onAbort = () => {
        if (this.live.has(jobId)) {
          this.cancelQueue.push(jobId);
          queueMicrotask(() => void this.flushCancels());
        }
        done({ type: 'aborted' });
      };
      if (hooks.signal.aborted) return onAbort();
      hooks.signal.addEventListener('abort', onAbort, { once: true });
      this.watches.set(jobId, {
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
      this.ensureTimer();
      // First look right away: an adopted job may have finished already.
      void this.poll();
    });
  }

  /** Cancels whatever is still live (submitted by this run, nobody waits for it any more) and ends every watch. */
  async close(): Promise<void> {
    this.cancelQueue.push(...this.live);
    await this.flushCancels();
    await Promise.allSettled([...this.cancelling]);
    for (const w of [...this.watches.values()]) w.settle({ type: 'ended', state: undefined });
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private flushCancels(): Promise<void> {
    const ids = this.cancelQueue;
    this.cancelQueue = [];
    for (const id of ids) this.live.delete(id);
    if (ids.length === 0) return Promise.resolve();
    const p = scancel(ids);
    this.cancelling.add(p);
    void p.finally(() => this.cancelling.delete(p));
    return p;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const pending: Watch[] = [];
      for (const w of this.watches.values()) {
        const m = this.files.readMarker(w.key, w.jobId);
        if (m) w.settle({ type: 'exited', marker: m });
        else {
          this.forwardProgress(w);
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
        const m = this.files.readMarker(w.key, w.jobId);
        if (m) w.settle({ type: 'exited', marker: m });
        else if (++w.gone >= GONE_POLLS || (s && s.state !== 'COMPLETED')) w.settle({ type: 'ended', state: s });
      }
    } finally {
      this.polling = false;
    }
  }

  /** Forwards the progress lines a running job appended to its log since the last poll. */
  private forwardProgress(w: Watch): void {
    let fd: number | undefined;
    try {
      fd = openSync(this.files.log(w.key, w.jobId), 'r');
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
  }

  private ensureTimer(): void {
    if (this.timer || this.watches.size === 0) return;
    this.timer = setInterval(() => void this.poll(), this.pollSeconds * 1000);
  }

  private stopTimerIfIdle(): void {
    if (this.timer && this.watches.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
