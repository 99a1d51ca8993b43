/**
 * The CPU engine's threads: the main thread and `threads − 1` workers share the arena and run the
 * tasks of one phase at a time (shard.ts). A phase is posted through an Int32 control block in the
 * arena: the main thread writes the phase, bumps the generation and wakes the workers; every thread,
 * the main one included, takes task numbers from a shared counter until none is left; the main
 * thread then waits (asynchronously, so abort signals and worker failures still get through) until
 * every worker has left the phase. That full barrier is what lets the next phase reuse the counters.
 *
 * With one thread there are no workers and a phase is a plain loop.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../../util/worker-launch.ts';
import { Ctl, Phase, TaskRunner, type ThreadSetup } from './shard.ts';

/** Atomics.waitAsync (Node ≥ 16; typed in TypeScript's ES2024 library, which Node 20 does not fully implement). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> } }).waitAsync;

const WORKER = { role: 'gan-cpu', source: new URL('./worker.ts', import.meta.url) };

export class ThreadPool {
  private failure: Error | undefined;
  private onFailure: (() => void) | undefined;

  private constructor(
    private readonly memory: WebAssembly.Memory,
    readonly main: TaskRunner,
    private readonly workers: Worker[],
  ) {
    for (const w of workers) {
      w.on('error', (err) => this.fail(err instanceof Error ? err : new Error(String(err))));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`a CPU engine worker thread exited with code ${code}`));
      });
    }
  }

  /** Starts `threads − 1` workers on `memory` and waits until each has its kernels ready. */
  static async start(memory: WebAssembly.Memory, setup: ThreadSetup, threads: number): Promise<ThreadPool> {
    const main = new TaskRunner(memory, setup, 0);
    const workers: Worker[] = [];
    try {
      for (let t = 1; t < threads; t++) workers.push(startWorker(WORKER, { memory, setup, thread: t }));
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              w.once('message', () => resolve());
              w.once('error', reject);
              w.once('exit', (code) => reject(new Error(`a CPU engine worker thread exited with code ${code} while starting`)));
            }),
        ),
      );
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    return new ThreadPool(memory, main, workers);
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.onFailure?.();
  }

  private control(): Int32Array {
    return this.main.views().i32;
  }

  /** Runs every task of phase `kind` (arguments already in the control block) on all threads. */
  async phase(kind: Phase, tasks: number): Promise<void> {
    if (this.failure) throw this.failure;
    const i32 = this.control();
    const c = this.main.setup.plan.control / 4;
    i32[c + Ctl.Kind] = kind;
    i32[c + Ctl.Tasks] = tasks;
    Atomics.store(i32, c + Ctl.Next, 0);
    Atomics.store(i32, c + Ctl.Exited, 0);
    Atomics.store(i32, c + Ctl.Error, 0);
    if (this.workers.length) {
      Atomics.add(i32, c + Ctl.Generation, 1);
      Atomics.notify(i32, c + Ctl.Generation);
    }
    let mainError: unknown;
    for (let t = Atomics.add(i32, c + Ctl.Next, 1); t < tasks; t = Atomics.add(i32, c + Ctl.Next, 1)) {
      try {
        this.main.run(kind, t);
      } catch (err) {
        mainError ??= err;
      }
    }
    for (let e = Atomics.load(i32, c + Ctl.Exited); e < this.workers.length; e = Atomics.load(i32, c + Ctl.Exited)) {
      const wait = waitAsync(i32, c + Ctl.Exited, e);
      if (!wait.async) continue;
      await new Promise<void>((resolve) => {
        this.onFailure = resolve;
        void wait.value.then(() => resolve());
      });
      this.onFailure = undefined;
      if (this.failure) throw this.failure;
    }
    if (mainError) throw mainError;
    if (Atomics.load(i32, c + Ctl.Error)) throw new Error(`CPU engine worker: ${this.errorText()}`);
  }

  private errorText(): string {
    const at = this.main.setup.plan.errorText;
    const bytes = new Uint8Array(this.memory.buffer, at, 4096);
    const length = new DataView(this.memory.buffer, at, 4).getUint32(0, true);
    return new TextDecoder().decode(bytes.slice(4, 4 + Math.min(length, 4092)));
  }

  async close(): Promise<void> {
    if (this.workers.length) {
      const i32 = this.control();
      const c = this.main.setup.plan.control / 4;
      Atomics.store(i32, c + Ctl.Shutdown, 1);
      Atomics.add(i32, c + Ctl.Generation, 1);
      Atomics.notify(i32, c + Ctl.Generation);
      await Promise.all(this.workers.map((w) => w.terminate()));
    }
  }
}

/** Writes an error's text where ThreadPool.errorText reads it (first writer wins). */
export function recordError(memory: WebAssembly.Memory, setup: ThreadSetup, err: unknown): void {
  const i32 = new Int32Array(memory.buffer);
  const c = setup.plan.control / 4;
  if (Atomics.compareExchange(i32, c + Ctl.Error, 0, 1) !== 0) return;
  const text = new TextEncoder().encode(err instanceof Error ? (err.stack ?? err.message) : String(err)).subarray(0, 4092);
  const at = setup.plan.errorText;
  new DataView(memory.buffer, at, 4).setUint32(0, text.length, true);
  new Uint8Array(memory.buffer, at + 4, text.length).set(text);
}
