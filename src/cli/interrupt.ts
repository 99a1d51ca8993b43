/**
 * Ctrl-C (SIGINT) or SIGTERM during a command that writes a file (`simulate`, `generate`, `ingest`):
 * the first signal aborts the work, whose writer then discards its temporary file, so an interrupted
 * command leaves nothing behind — not a 1 GB hidden `.tmp` (docs/cache.md's atomic writes). A second
 * signal leaves at once. `nugan run` uses the same interrupt to stop its running stages.
 */
export interface Interrupt {
  readonly signal: AbortSignal;
  /** Stops listening for signals (call when the command ends). */
  dispose(): void;
}

/** `onFirst` is told of the first signal before the work is aborted (e.g. to say what happens next). */
export function abortOnInterrupt(onFirst?: (sig: NodeJS.Signals) => void): Interrupt {
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (abort.signal.aborted) process.exit(130); // a second signal: leave now (temporaries are never taken as results)
    onFirst?.(sig);
    abort.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: abort.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * Runs `work` with an interrupt; resolves to its result, or to `undefined` after printing that the
 * command was interrupted and wrote nothing (the caller exits 130).
 */
export async function interruptible<T>(command: string, out: string, work: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  const interrupt = abortOnInterrupt();
  try {
    return await work(interrupt.signal);
  } catch (err) {
    if (!interrupt.signal.aborted) throw err;
    process.stderr.write(`\nnugan ${command}: interrupted (${(interrupt.signal.reason as Error).message}); nothing was written to ${out}\n`);
    return undefined;
  } finally {
    interrupt.dispose();
  }
}
