/**
 * The stage contract: the only thing a stage kind (stages/*.ts) and the runner (src/runner) share.
 *
 * A stage is a pure function of (resolved parameters, upstream artifacts) → files in `outDir`, plus
 * progress reports. It knows nothing of scheduling, caching or executors; the runner knows nothing of
 * what a stage computes.
 */

/** A JSON Schema object (draft 2020-12 subset understood by ajv). */
export type JsonSchema = Record<string, unknown>;

/** What a finished upstream stage hands to its dependents. */
export interface UpstreamArtifact {
  /** Expanded stage id, e.g. `tune@nu-argon-10000`. */
  readonly id: string;
  readonly kind: string;
  /** Cache key of the artifact. */
  readonly key: string;
  /** Absolute path of the artifact directory. */
  readonly dir: string;
  /** Named outputs, as absolute paths inside `dir`. */
  readonly outputs: Readonly<Record<string, string>>;
  /** The `summary` the stage returned when it ran (counts, metrics, backend …). */
  readonly summary: Readonly<Record<string, unknown>>;
  /** What the runner recorded about the run that made it (absent for artifacts made outside a runner). */
  readonly record?: ArtifactRecord;
}

/** The runner's record of one stage run, from its manifest: for provenance, never for computing. */
export interface ArtifactRecord {
  /** The seed the stage ran with (StageContext.seed). */
  readonly seed: number;
  /** ISO time the run started, and its duration in seconds. */
  readonly started: string;
  readonly seconds: number;
  /** Where it ran: executor, host, CPUs and GPUs granted, SLURM job id. */
  readonly executor: Readonly<Record<string, unknown>>;
  /** Its own upstream stages: id → cache key. */
  readonly inputs: Readonly<Record<string, string>>;
}

/** Progress of one stage. Totals make the reporter show rate and ETA. */
export interface ProgressReporter {
  /** Declare the amount of work, e.g. `total(1_000_000, 'events')` or `total(200, 'epochs')`. */
  total(amount: number, unit?: string): void;
  /** Mark `amount` more units done. */
  advance(amount?: number): void;
  /** A short status line ("epoch 12: val MAP 1.13"). */
  message(text: string): void;
}

export interface StageContext<P = Record<string, unknown>> {
  /** Expanded stage id (deterministic, readable: `train@nu-argon-10000`). */
  readonly id: string;
  readonly kind: string;
  /** Parameters after defaults, interpolation and schema validation. */
  readonly params: P;
  /** Upstream artifacts by stage id (every stage listed in `needs`, resolved). */
  readonly inputs: Readonly<Record<string, UpstreamArtifact>>;
  /** Empty directory that becomes this stage's artifact once `run` resolves. */
  readonly outDir: string;
  /** Directory of the pipeline file: relative external paths resolve against it. */
  readonly pipelineDir: string;
  /** Seed for this stage instance (recorded in the manifest): derive every RNG from it. */
  readonly seed: number;
  /** Aborted on Ctrl-C / SIGTERM: stop promptly, partial files are discarded by the runner. */
  readonly signal: AbortSignal;
  readonly progress: ProgressReporter;
  /** A line for the stage's log file (kept in the artifact, shown on failure). */
  log(line: string): void;
  /** Number of CPU threads this stage may use. */
  readonly cpus: number;
  /**
   * A directory of this stage instance's own (per cache key) for work worth keeping across an
   * interruption — training checkpoints. It survives a failed or interrupted run, so the next run
   * with the same key finds it; the runner removes it once the stage's result is stored.
   */
  readonly scratchDir: string;
  /** GPU ordinals assigned to this stage ([] when it asked for none or none exist). */
  readonly gpus: readonly number[];
  /**
   * Every stage upstream of this one, transitively (inputs of inputs …), each once, nearest first, as
   * the cache recorded them — for provenance (the report lists the base model behind a fine-tuned one).
   * Absent outside a runner; an entry the cache cannot read is left out.
   */
  lineage?(): Promise<UpstreamArtifact[]>;
}

export interface StageResult {
  /** Named outputs as paths relative to `outDir`. */
  outputs: Record<string, string>;
  /** Small JSON-able facts kept in the manifest: counts, metrics, backend, timings. */
  summary?: Record<string, unknown>;
}

export interface StageKind<P = any> {
  /** The name used after `uses:` in a pipeline. */
  readonly kind: string;
  /** One line for `nugan --help` and error messages. */
  readonly description: string;
  /** JSON Schema of the `with:` block (defaults in the schema are applied before `run`). */
  readonly schema: JsonSchema;
  /** `import.meta.url` of the module: the runner fingerprints its source and local imports. */
  readonly moduleUrl: string;
  /**
   * Resources a stage instance needs from the scheduler (default: 1 cpu, 0 gpu).
   * - `gpus`: GPUs it requires (`device: gpu`); on a machine with fewer it runs with what there is and
   *   is told through `StageContext.gpus` (an engine that needs one then fails early, saying so).
   * - `wantsGpu`: it would use a GPU if the machine has one (`device: auto`): the local scheduler gives
   *   it one when the machine has GPUs (waiting for a free one); a cluster executor never asks for one.
   * - `cpusWithGpu`: CPU tokens it holds when it got a GPU (a GPU engine drives the device from one
   *   thread), instead of `cpus`.
   */
  resources?(params: P): { cpus?: number; gpus?: number; wantsGpu?: boolean; cpusWithGpu?: number };
  /**
   * Parameters that decide where and how fast a stage runs, never what it computes (`device`,
   * `threads`): they are left out of the cache key, so moving a study to a GPU or another machine
   * reuses its results.
   */
  readonly executionParams?: readonly string[];
  /**
   * Checks of the (schema-valid) parameters that a schema cannot express, e.g. freezing more blocks
   * than the network has: each problem names the parameter's path under `with:` and is reported at
   * its line when the pipeline is planned, before anything runs.
   */
  check?(params: P): { path: (string | number)[]; message: string }[];
  /**
   * Upstream stage ids a parameter names (e.g. `init: base`), so the runner can check them against
   * `needs` and add them as dependencies.
   */
  references?(params: P): string[];
  /**
   * External files this instance reads, relative to the pipeline directory; their contents enter the
   * cache key. Stages that read undeclared files must return `cacheable: false`.
   */
  externalInputs?(params: P): string[];
  /**
   * Top-level `with:` keys whose string value a shell runs (`command`'s `run`). Every value the
   * runner interpolates into such a string — a parameter, a matrix value, an upstream output path — is
   * shell-quoted for the quotes it stands in, so it is always one word of data, never code.
   */
  readonly shellParams?: readonly string[];
  /** False when the stage's result cannot be keyed (never skipped, taints dependents). */
  cacheable?(params: P): boolean;
  run(ctx: StageContext<P>): Promise<StageResult>;
}

/** Errors in user input (a data file, a parameter value): defined with the shared helpers, named here for stage authors. */
export { InputError } from '../util/errors.ts';
