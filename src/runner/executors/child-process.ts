/**
 * Runs one stage job in its own `nugan exec-stage` process. The local executor does this for every
 * stage the CLI schedules: training and evaluation are CPU-bound loops, and in one process they would
 * take turns on one event loop instead of using the cores `--jobs` grants — and a crash or an
 * out-of-memory in one stage would take the whole run down.
 *
 * The child reads the job spec from a file, streams `progress {json}` lines on stderr (forwarded to
 * the scheduler) and prints its StageOutcome as JSON on stdout. SIGTERM makes it abort its stage,
 * which commits nothing; the outcome still comes back.
 *
 * A stage process always dies with its runner: a stage stuck in a synchronous loop never sees SIGTERM
 * (its handler waits for the event loop), so an abort is followed by SIGKILL after a grace period, and
 * when the runner exits (a second Ctrl-C) every stage process still running is killed at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { failedOutcome, type ExecutorHooks, type ExecutorProgress, type StageJobSpec, type StageOutcome } from '../executor.ts';
import { PARENT_PID_ENV } from '../parent-watch.ts';
import { PROGRESS_LINE } from './launcher.ts';

const STDERR_TAIL = 40;
/** How long an aborted stage process may take to stop (commit nothing, report its outcome) before SIGKILL. */
export const STAGE_KILL_GRACE_MS = 10_000;
let counter = 0;

/** Stage processes running now; SIGKILLed if this process exits while they run. */
const running = new Set<ChildProcess>();
let exitHook = false;

/** Kills every stage process still running (SIGKILL: they get no chance to linger). */
export function killStageProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}

export async function runInChildProcess(job: StageJobSpec, hooks: ExecutorHooks, launcher: readonly string[], graceMs = STAGE_KILL_GRACE_MS): Promise<StageOutcome> {
  const dir = join(job.storeDir, 'tmp');
  mkdirSync(dir, { recursive: true });
  const jobFile = join(dir, `job-${job.key}.${process.pid}.${(counter++).toString(36)}.json`);
  writeFileSync(jobFile, JSON.stringify(job));
  // The child numbers its GPUs 0..n-1, as under SLURM: make exactly the granted ordinals visible.
  // The child watches this process and stops its stage if it dies, even by SIGKILL (parent-watch.ts).
  const env = { ...process.env, [PARENT_PID_ENV]: String(process.pid), ...(hooks.gpus.length > 0 ? { CUDA_VISIBLE_DEVICES: hooks.gpus.join(',') } : {}) };
  let spawned: ChildProcess | undefined;
  try {
    const child = spawn(launcher[0]!, [...launcher.slice(1), 'exec-stage', '--job', jobFile], { stdio: ['ignore', 'pipe', 'pipe'], env });
    spawned = child;
    running.add(child);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', killStageProcesses);
    }
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    };
    hooks.signal.addEventListener('abort', onAbort, { once: true });
    if (hooks.signal.aborted) onAbort();
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const tail: string[] = [];
    const stderrDone = (async () => {
      for await (const line of createInterface({ input: child.stderr, crlfDelay: Infinity })) {
        const m = PROGRESS_LINE.exec(line);
        if (m) {
          try {
            hooks.onProgress(JSON.parse(m[1]!) as ExecutorProgress);
            continue;
          } catch {
            // Not ours after all: keep it as output.
          }
        }
        tail.push(line);
        if (tail.length > STDERR_TAIL) tail.shift();
      }
    })();
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res, rej) => {
      child.on('error', rej);
      child.on('close', (code, signal) => res({ code, signal }));
    });
    clearTimeout(killTimer);
    await stderrDone;
    hooks.signal.removeEventListener('abort', onAbort);
    const last = stdout.trim().split('\n').at(-1);
    if (last) {
      try {
        return JSON.parse(last) as StageOutcome;
      } catch {
        // Fall through: the process died before it could report.
      }
    }
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    return failedOutcome({ reason: hooks.signal.aborted ? 'aborted' : 'internal-error', cause: 'process-died', how }, tail);
  } finally {
    if (spawned) running.delete(spawned);
    rmSync(jobFile, { force: true });
  }
}
