/**
 * `nugan exec-stage --job FILE.json`: runs one StageJobSpec through executeStageJob (used inside SLURM
 * jobs). Exit 0 when the artifact was committed, 1 otherwise; the outcome goes to stdout as JSON.
 */
import { readFileSync, rmSync } from 'node:fs';
import { stageKinds } from '../../../stages/index.ts';
import { InputError } from '../../util/errors.ts';
import { executeStageJob } from '../../runner/execute.ts';
import type { ExecutorProgress, StageJobSpec } from '../../runner/executor.ts';
import { STAGE_KILL_GRACE_MS } from '../../runner/executors/child-process.ts';
import { PARENT_PID_ENV, watchParent } from '../../runner/parent-watch.ts';
import { parseCommandArgs } from '../args.ts';

export default async function execStage(argv: string[]): Promise<number> {
  const args = parseCommandArgs('exec-stage', argv, { job: { type: 'string' } }, false);
  if (args.values.help || typeof args.values.job !== 'string') {
    process.stdout.write('usage: nugan exec-stage --job FILE.json\n');
    return args.values.help ? 0 : 2;
  }
  let spec: StageJobSpec;
  try {
    spec = JSON.parse(readFileSync(args.values.job, 'utf8')) as StageJobSpec;
  } catch (err) {
    throw new InputError(`cannot read the job spec: ${(err as Error).message}`, args.values.job);
  }
  if (spec?.schema !== 1 || typeof spec.key !== 'string') throw new InputError('not a StageJobSpec (schema 1 with id, kind, key …)', args.values.job);
  const abort = new AbortController();
  const stop = () => abort.abort(new Error('signal'));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Started by a local `nugan run`: stop when it dies, even by kill -9 (src/runner/parent-watch.ts).
  const runner = Number(process.env[PARENT_PID_ENV]);
  // Its stdout and stderr are pipes to the runner: once the runner is gone a write fails (EPIPE), and
  // an unhandled stream error would kill this process before it removed its temporary directory.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  // Its job file is read: remove it now, so a runner killed before it could clean up leaves none.
  if (process.env[PARENT_PID_ENV] !== undefined) rmSync(args.values.job, { force: true });
  const unwatch = Number.isInteger(runner) && runner > 1
    ? watchParent(runner, () => {
        if (!abort.signal.aborted) process.stderr.write(`nugan exec-stage: ${spec.id}: the nugan run that started this stage (pid ${runner}) is gone; stopping\n`);
        abort.abort(new Error('runner gone'));
      }, STAGE_KILL_GRACE_MS)
    : () => undefined;
  const n = spec.resources.gpus;
  const progress = throttledProgress((line) => process.stderr.write(line));
  const outcome = await executeStageJob(spec, stageKinds, {
    signal: abort.signal,
    gpus: Array.from({ length: n }, (_, i) => i),
    onProgress: progress.emit,
  });
  unwatch();
  progress.flush();
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  if (!outcome.ok) process.stderr.write(`nugan exec-stage: ${spec.id} ${outcome.reason}: ${outcome.message}\n${outcome.logTail.join('\n')}\n`);
  return outcome.ok ? 0 : 1;
}

/**
 * Progress as `progress {json}` lines, with `advance` events merged to at most one line per second:
 * a stage may advance per batch, and these lines end up in pipes and SLURM logs.
 */
function throttledProgress(write: (line: string) => void, everyMs = 1000): { emit(p: ExecutorProgress): void; flush(): void } {
  let pending = 0;
  let last = 0;
  const out = (p: ExecutorProgress) => write(`progress ${JSON.stringify(p)}\n`);
  const flush = () => {
    if (pending > 0) out({ type: 'advance', amount: pending });
    pending = 0;
    last = Date.now();
  };
  return {
    emit(p) {
      if (p.type !== 'advance') {
        flush();
        out(p);
        return;
      }
      pending += p.amount;
      if (Date.now() - last >= everyMs) flush();
    },
    flush,
  };
}
