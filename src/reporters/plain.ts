/**
 * Plain-line reporter (no TTY, CI): one line per stage start and end, progress lines at most every
 * few seconds per stage, failures with the last lines of the stage log, and the summary line.
 */
import type { RunEvent, RunListener, StageReport } from '../runner/events.ts';
import { describeFailure } from '../runner/failures.ts';
import { formatSeconds, StageProgress } from './progress.ts';
import { unreachable } from '../util/unreachable.ts';

export function summaryLine(s: { ran: number; cached: number; pulled?: number; pushed?: { uploaded: number; present: number; failed: number }; failed: number; skipped: number; seconds: number; interrupted: boolean }): string {
  const extra = s.skipped ? `, ${s.skipped} skipped` : '';
  const pulled = s.pulled ? ` (${s.pulled} pulled from the remote cache)` : '';
  const p = s.pushed;
  const pushed = p ? `; ${p.uploaded} pushed to the remote cache${p.present ? `, ${p.present} already there` : ''}${p.failed ? `, ${p.failed} failed to push` : ''}` : '';
  return `${s.interrupted ? 'interrupted: ' : ''}${s.ran} ran, ${s.cached} cached${pulled}, ${s.failed} failed${extra} in ${s.seconds.toFixed(2)} s${pushed}`;
}

/** Why a stage failed or was skipped, in words ('' when it did neither). */
export function failureMessage(r: StageReport): string {
  return r.failure ? describeFailure(r.failure) : '';
}

export function failureText(r: StageReport): string {
  const tail = r.logTail?.length ? `\n  last lines of its log:\n${r.logTail.map((l) => `    | ${l}`).join('\n')}` : '';
  return `✗ ${r.id} failed (${r.failure?.reason}): ${failureMessage(r)}${tail}`;
}

export function createPlainReporter(write: (text: string) => void, opts: { progressEveryMs?: number; verbose?: boolean } = {}): RunListener {
  const every = opts.progressEveryMs ?? 5000;
  const progress = new Map<string, { p: StageProgress; last: number }>();
  return (e: RunEvent) => {
    switch (e.type) {
      case 'plan': {
        const run = e.stages.filter((s) => s.action === 'run' || s.action === 'force').length;
        const pull = e.stages.filter((s) => s.action === 'pull').length;
        write(`${e.pipeline}: ${e.stages.length} stages, ${run} to run, ${pull ? `${pull} to pull from the remote cache, ` : ''}${e.stages.length - run - pull} cached\n`);
        break;
      }
      case 'stage-start':
        progress.set(e.id, { p: new StageProgress(), last: performance.now() });
        write(`▶ ${e.id} (${e.kind})\n`);
        break;
      case 'stage-pull':
        write(`↓ ${e.id} pulling from ${e.from}\n`);
        break;
      case 'stage-waiting':
        write(`… ${e.id} waits for ${e.holder}\n`);
        break;
      case 'stage-progress': {
        const s = progress.get(e.id);
        if (!s) break;
        s.p.apply(e.progress);
        const now = performance.now();
        if (now - s.last >= every) {
          s.last = now;
          write(`  ${e.id}: ${s.p.describe()}\n`);
        }
        break;
      }
      case 'stage-end': {
        const r = e.report;
        progress.delete(r.id);
        if (r.state === 'ran') write(`✔ ${r.id} ran in ${formatSeconds(r.seconds)}\n`);
        else if (r.state === 'cached') {
          if (r.origin === 'remote') write(`✔ ${r.id} pulled from the remote cache in ${formatSeconds(r.seconds)}\n`);
          else if (opts.verbose) write(`= ${r.id} cached\n`);
        } else if (r.state === 'failed') write(`${failureText(r)}\n`);
        else if (r.failure?.reason !== 'upstream-failed') write(`- ${r.id} skipped: ${failureMessage(r)}\n`);
        if (e.skipping.length) write(`  skipping its dependents: ${e.skipping.join(', ')}\n`);
        break;
      }
      case 'warning':
        write(`warning: ${e.message}\n`);
        break;
      case 'run-end':
        write(`${summaryLine(e.summary)}\n`);
        break;
      default:
        unreachable(e);
    }
  };
}
