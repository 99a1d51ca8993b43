/**
 * Starting a worker thread on one of nugan's worker modules, from the TypeScript sources or from the
 * single-file bundle alike.
 *
 * - Sources (a checkout; modules end in .ts): the worker first registers tsx's loader, resolved from
 *   this package, then imports the module, as bin/nugan.mjs does for the main thread.
 * - Bundle (dist/nugan.mjs): there is one file; the worker runs that file with `workerData.nuganRole`
 *   set, and the bundle's entry hands control to the role's module instead of the CLI
 *   (scripts/bundle.mjs, src/cli/worker-roles.ts).
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export interface WorkerModule {
  /** Role name the bundle's entry dispatches on (src/cli/worker-roles.ts). */
  readonly role: string;
  /** The module's URL in the sources (new URL('./worker.ts', import.meta.url)); unused in the bundle. */
  readonly source: URL;
}

/** Starts `module` in a new worker thread with `workerData`. */
export function startWorker(module: WorkerModule, workerData: Record<string, unknown>, options: Omit<WorkerOptions, 'workerData' | 'eval'> = {}): Worker {
  // Inside the bundle every module's import.meta.url, this one's included, is the bundle's own URL.
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(fileURLToPath(import.meta.url), { ...options, workerData: { ...workerData, nuganRole: module.role } });
  }
  // The ESM build of tsx's API (require.resolve picks the CJS one, which cannot register ESM hooks here).
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(module.source.href)}); });`;
  return new Worker(code, { ...options, eval: true, workerData });
}
