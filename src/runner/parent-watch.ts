/**
 * A stage process dies with its runner, however the runner ends. Ctrl-C and a clean exit are the
 * runner's business (child-process.ts signals its children), but `kill -9` of `nugan run` (or an
 * out-of-memory kill) gives it no chance to: its stage processes would go on — and, with them, the
 * programs `command` stages started — while the next run starts the same stages again.
 *
 * So the stage process watches its parent itself. When its parent process id changes (the runner
 * died and the process was re-parented to init or a subreaper), `onOrphaned` is called, which aborts
 * the stage: a `command` stage then kills its program's process group, nothing is committed, the
 * temporary directory is removed. If the process is still alive `graceMs` later — a stage stuck in a
 * synchronous loop never gets to handle the abort — it is killed.
 *
 * The watch runs in a worker thread, so it keeps watching and can kill the process while the main
 * thread is blocked; the worker is unref'd and never keeps the process alive by itself.
 */
import { Worker } from 'node:worker_threads';

/** How often the parent pid is checked (ms): the delay between the runner's death and the abort. */
export const PARENT_POLL_MS = 250;

/** Env variable through which the local executor tells a stage process the pid of its runner. */
export const PARENT_PID_ENV = 'NUGAN_RUNNER_PID';

// CommonJS text for `eval: true` (no file to find in a bundle). It polls process.ppid, which a worker
// thread reads from the OS like the main thread.
const WATCHDOG = `
const { parentPort, workerData } = require('node:worker_threads');
const { parentPid, pollMs, graceMs } = workerData;
const timer = setInterval(() => {
  if (process.ppid === parentPid) return;
  clearInterval(timer);
  parentPort.postMessage('orphaned');
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), graceMs);
}, pollMs);
`;

/**
 * Watches for the death of `parentPid` (this process's parent when it started). Returns a function
 * that stops the watch (call it when the stage has ended and the process is about to exit on its own).
 */
export function watchParent(parentPid: number, onOrphaned: () => void, graceMs: number): () => void {
  if (process.ppid !== parentPid) {
    // Orphaned before the watch could start (the runner died while this process was starting).
    onOrphaned();
  }
  const worker = new Worker(WATCHDOG, { eval: true, workerData: { parentPid, pollMs: PARENT_POLL_MS, graceMs } });
  worker.on('message', () => onOrphaned());
  worker.on('error', () => undefined);
  worker.unref();
  return () => void worker.terminate();
}
