/**
 * A worker thread of the CPU engine (pool.ts): instantiates the kernels on the shared arena, says it
 * is ready, then runs the tasks of every phase it is woken for until told to shut down.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { recordError } from './pool.ts';
import { Ctl, TaskRunner, type Phase, type ThreadSetup } from './shard.ts';

const { memory, setup, thread } = workerData as { memory: WebAssembly.Memory; setup: ThreadSetup; thread: number };
const runner = new TaskRunner(memory, setup, thread);
const c = setup.plan.control / 4;
let seen = Atomics.load(runner.views().i32, c + Ctl.Generation);
parentPort!.postMessage('ready');

for (;;) {
  let i32 = runner.views().i32;
  Atomics.wait(i32, c + Ctl.Generation, seen);
  i32 = runner.views().i32;
  seen = Atomics.load(i32, c + Ctl.Generation);
  if (Atomics.load(i32, c + Ctl.Shutdown)) break;
  const kind = i32[c + Ctl.Kind] as Phase;
  const tasks = i32[c + Ctl.Tasks]!;
  for (let t = Atomics.add(i32, c + Ctl.Next, 1); t < tasks; t = Atomics.add(i32, c + Ctl.Next, 1)) {
    try {
      runner.run(kind, t);
    } catch (err) {
      recordError(memory, setup, err);
    }
  }
  Atomics.add(i32, c + Ctl.Exited, 1);
  Atomics.notify(i32, c + Ctl.Exited);
}
