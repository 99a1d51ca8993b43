/**
 * Terminal reporter: a listr2 task per stage that runs (cached stages are counted, not listed), with
 * progress (done/total, rate, ETA) as the task's output line. Writes to stderr so stdout stays free.
 */
import { Listr, ProcessOutput, type ListrTaskWrapper } from 'listr2';
import type { RunEvent, RunListener } from '../runner/events.ts';
import { failureMessage, failureText, summaryLine } from './plain.ts';
import { formatSeconds, StageProgress } from './progress.ts';
import { unreachable } from '../util/unreachable.ts';

interface Slot {
  task?: ListrTaskWrapper<unknown, any, any>;
  settle?: (error?: Error) => void;
  pending?: { error?: Error; title?: string; skip?: string };
  progress: StageProgress;
  lastDraw: number;
}

export function createListrReporter(): { listener: RunListener; done: () => Promise<void> } {
  const slots = new Map<string, Slot>();
  const messages: string[] = [];
  let running: Promise<unknown> = Promise.resolve();
  const out = new ProcessOutput(process.stderr, process.stderr);
  const end = (id: string, how: { error?: Error; title?: string; skip?: string }) => {
    const s = slots.get(id);
    if (!s) return;
    if (!s.task || !s.settle) {
      s.pending = how;
      return;
    }
    if (how.title) s.task.title = how.title;
    if (how.skip) s.task.skip(how.skip);
    s.settle(how.error);
  };
  const listener: RunListener = (e: RunEvent) => {
    switch (e.type) {
      case 'plan': {
        const toRun = e.stages.filter((s) => s.action !== 'cached');
        const pull = toRun.filter((s) => s.action === 'pull').length;
        process.stderr.write(`${e.pipeline}: ${e.stages.length} stages, ${toRun.length - pull} to run, ${pull ? `${pull} to pull from the remote cache, ` : ''}${e.stages.length - toRun.length} cached\n`);
        for (const s of toRun) slots.set(s.id, { progress: new StageProgress(), lastDraw: 0 });
        const list = new Listr(
          toRun.map((s) => ({
            title: `${s.id} (waiting)`,
            task: (_ctx: unknown, task: ListrTaskWrapper<unknown, any, any>) =>
              new Promise<void>((resolve, reject) => {
                const slot = slots.get(s.id)!;
                slot.task = task;
                slot.settle = (err) => (err ? reject(err) : resolve());
                if (slot.pending) end(s.id, slot.pending);
              }),
          })),
          { concurrent: true, exitOnError: false, collectErrors: false, registerSignalListeners: false, rendererOptions: { collapseErrors: false }, processOutput: out } as any,
        );
        running = list.run().catch(() => undefined);
        break;
      }
      case 'stage-start': {
        const s = slots.get(e.id);
        if (s?.task) s.task.title = `${e.id} (${e.kind})`;
        break;
      }
      case 'stage-pull': {
        const s = slots.get(e.id);
        if (s?.task) s.task.title = `${e.id} (pulling from ${e.from})`;
        break;
      }
      case 'stage-waiting': {
        const s = slots.get(e.id);
        if (s?.task) s.task.output = `waiting for ${e.holder}`;
        break;
      }
      case 'stage-progress': {
        const s = slots.get(e.id);
        if (!s) break;
        s.progress.apply(e.progress);
        const now = performance.now();
        if (s.task && now - s.lastDraw > 100) {
          s.lastDraw = now;
          s.task.output = s.progress.describe();
        }
        break;
      }
      case 'stage-end': {
        const r = e.report;
        if (r.state === 'ran') end(r.id, { title: `${r.id} ran in ${formatSeconds(r.seconds)}` });
        else if (r.state === 'cached') end(r.id, { title: r.origin === 'remote' ? `${r.id} pulled from the remote cache in ${formatSeconds(r.seconds)}` : `${r.id} cached` });
        else if (r.state === 'failed') {
          messages.push(failureText(r) + (e.skipping.length ? `\n  skipped dependents: ${e.skipping.join(', ')}` : ''));
          end(r.id, { error: new Error(`${r.id}: ${r.failure ? failureMessage(r).split('\n')[0] : 'failed'}`) });
        } else end(r.id, { skip: `${r.id} skipped: ${failureMessage(r)}` });
        break;
      }
      case 'warning':
        messages.push(`warning: ${e.message}`);
        break;
      case 'run-end':
        messages.push(summaryLine(e.summary));
        break;
      default:
        unreachable(e);
    }
  };
  return {
    listener,
    done: async () => {
      await running;
      if (messages.length) process.stderr.write(`${messages.join('\n')}\n`);
    },
  };
}
