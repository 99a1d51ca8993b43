/**
 * Runs one StageJobSpec to completion, wherever it is called (the local executor in-process, or
 * `nugan exec-stage` inside a SLURM job): temp dir in the store → stage → outputs checked → manifest →
 * atomic rename to `artifacts/<key>`. Nothing half-done is ever published. This is the single
 * catch-all of a stage execution (house rule 4): a thrown InputError becomes 'stage-failed' with its
 * rendered message, any other exception 'internal-error'.
 */
import { createWriteStream, existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError, type StageContext, type StageKind, type UpstreamArtifact } from '../contract/stage.ts';
import { listingHash } from '../cache/hash.ts';
import { acquireLock, describeWait, type HeldLock } from '../cache/lock.ts';
import { outputRecord, recordFiles } from '../cache/verify.ts';
import { MANIFEST_SCHEMA, type FileRecord, type Manifest, type OutputRecord } from '../cache/manifest.ts';
import { ArtifactStore } from '../cache/store.ts';
import type { Result } from '../util/result.ts';
import { failedOutcome, type ExecutionFailure, type ExecutorHooks, type StageJobSpec, type StageOutcome } from './executor.ts';
import { thrownText, type StageFailed } from './failures.ts';
import { NUGAN_VERSION } from '../version.ts';
import { joinShell } from './shell-quote.ts';
import { isTemplate, joinTemplate, parseTemplate } from './template.ts';

const LOG_TAIL = 20;

/**
 * Replaces `${{ stages.<id>.outputs.<name> }}` by the absolute output path of the upstream artifact
 * (expansion left these verbatim: the path exists only now). Read through template.ts, like every
 * other `${{ }}`.
 */
export function resolveOutputRefs(value: unknown, inputs: Readonly<Record<string, UpstreamArtifact>>, shellParams: readonly string[] = []): unknown {
  if (shellParams.length > 0 && value && typeof value === 'object' && !Array.isArray(value)) {
    const params = { ...(resolveOutputRefs(value, inputs) as Record<string, unknown>) };
    for (const key of shellParams) {
      const raw = (value as Record<string, unknown>)[key];
      if (typeof raw === 'string' && isTemplate(raw)) params[key] = resolveShellOutputRefs(raw, inputs);
    }
    return params;
  }
  if (typeof value === 'string') {
    if (!isTemplate(value)) return value;
    return joinTemplate(parseTemplate(value).map((seg) => (typeof seg === 'string' ? seg : seg.expr.type === 'output' ? outputPath(seg.expr, inputs) : seg.source)));
  }
  if (Array.isArray(value)) return value.map((v) => resolveOutputRefs(v, inputs));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveOutputRefs(v, inputs)]));
  }
  return value;
}

/** An output reference in a shell string: the path, shell-quoted for where it stands (shell-quote.ts). */
function resolveShellOutputRefs(value: string, inputs: Readonly<Record<string, UpstreamArtifact>>): string {
  return joinShell(parseTemplate(value).map((seg) => (typeof seg === 'string' ? { literal: seg } : seg.expr.type === 'output' ? { value: outputPath(seg.expr, inputs) } : { literal: seg.source })));
}

function outputPath({ stage, output }: { stage: string; output: string }, inputs: Readonly<Record<string, UpstreamArtifact>>): string {
  const art = inputs[stage] ?? Object.values(inputs).find((a) => a.id.startsWith(`${stage}@`));
  if (!art) throw new InputError(`\${{ stages.${stage}.outputs.${output} }}: stage '${stage}' is not among this stage's inputs`);
  const path = art.outputs[output];
  if (path === undefined) {
    throw new InputError(`\${{ stages.${stage}.outputs.${output} }}: stage '${art.id}' has no output '${output}' (it has: ${Object.keys(art.outputs).join(', ') || 'none'})`);
  }
  return path;
}

/**
 * Where this stage instance runs. Inside a SLURM job (exec-stage under sbatch) the job id goes into the
 * manifest, so a physicist can find the job's log and accounting from any artifact.
 */
function executionEnvironment(): Record<string, unknown> {
  const env = process.env;
  const base = { host: hostname(), pid: process.pid };
  if (!env.SLURM_JOB_ID) return { executor: 'local', ...base };
  const slurmJobId = env.SLURM_ARRAY_JOB_ID && env.SLURM_ARRAY_TASK_ID
    ? `${env.SLURM_ARRAY_JOB_ID}_${env.SLURM_ARRAY_TASK_ID}`
    : env.SLURM_JOB_ID;
  return {
    executor: 'slurm',
    ...base,
    slurmJobId,
    ...(env.CUDA_VISIBLE_DEVICES !== undefined ? { cudaVisibleDevices: env.CUDA_VISIBLE_DEVICES } : {}),
  };
}

/** The stage's log: every line to `stage.log` in its directory, the last few kept to show on failure. */
class StageLog {
  readonly tail: string[] = [];
  private stream: WriteStream | undefined;

  constructor(readonly file: string) {
    this.stream = createWriteStream(file);
  }

  line = (text: string): void => {
    this.tail.push(text);
    if (this.tail.length > LOG_TAIL) this.tail.shift();
    this.stream?.write(`${text}\n`);
  };

  async close(): Promise<void> {
    const s = this.stream;
    this.stream = undefined;
    if (s) await new Promise<void>((r) => s.end(r));
  }
}

/**
 * Runs one job as a ladder: kind → declared inputs → stage → outputs → manifest → publish, with the
 * abort signal checked between the slow steps. Every way down ends in `failed`, which keeps the log of
 * the attempt and removes the temporary directory.
 */
export async function executeStageJob(spec: StageJobSpec, kinds: readonly StageKind[], hooks: ExecutorHooks): Promise<StageOutcome> {
  // Under SLURM a job killed by the scheduler leaves no live process behind it and its node's pid
  // cannot be checked from another node: the job's own accounting rules there, not this lock.
  if (process.env.SLURM_JOB_ID) return executeLocked(spec, kinds, hooks);
  let lock: HeldLock;
  try {
    lock = await acquireStageLock(spec, hooks);
  } catch {
    return failedOutcome({ reason: 'aborted', cause: 'interrupted' });
  }
  try {
    return await executeLocked(spec, kinds, hooks);
  } finally {
    lock.release();
  }
}

/**
 * The lock of the process that executes a key (`locks/<key>.stage.lock`), beside the runner's lock
 * of the key. The runner's lock names the runner; when the runner is killed (kill -9) that lock's
 * holder is dead and the next run breaks it — while the killed run's stage process may still be
 * stopping (parent-watch.ts gives it a grace period). This lock names that stage process, so the new
 * run's stage waits for it to be gone instead of running the same stage beside it.
 */
function acquireStageLock(spec: StageJobSpec, hooks: ExecutorHooks): Promise<HeldLock> {
  return acquireLock(join(spec.storeDir, 'locks'), `${spec.key}.stage`, hooks.signal, (e) => {
    if (e.type === 'waiting') hooks.onProgress({ type: 'state', text: `waiting for an earlier stage process: ${describeWait(e.holder, e.file)}` });
  });
}

async function executeLocked(spec: StageJobSpec, kinds: readonly StageKind[], hooks: ExecutorHooks): Promise<StageOutcome> {
  const t0 = performance.now();
  const started = new Date().toISOString();
  const store = new ArtifactStore(spec.storeDir);
  const execution = executionEnvironment();
  let tempDir: string | undefined;
  let log: StageLog | undefined;
  const failed = async (failure: ExecutionFailure): Promise<StageOutcome> => {
    await log?.close();
    if (tempDir) {
      keepFailedLog(store, spec.key, tempDir);
      rmSync(tempDir, { recursive: true, force: true });
    }
    return failedOutcome(failure, [...(log?.tail ?? [])], execution);
  };
  const interrupted = () => failed({ reason: 'aborted', cause: 'interrupted' });
  try {
    const kind = kinds.find((k) => k.kind === spec.kind);
    if (!kind) return await failed({ reason: 'internal-error', cause: 'unknown-kind', kind: spec.kind });
    tempDir = store.makeTempDir(spec.key);
    log = new StageLog(join(tempDir, 'stage.log'));
    const missingInput = (kind.externalInputs?.(spec.params) ?? []).map((rel) => resolve(spec.pipelineDir, rel)).find((abs) => !existsSync(abs));
    if (missingInput) return await failed({ reason: 'stage-failed', cause: 'input-file-missing', file: missingInput });
    const params = resolveOutputRefs(spec.params, spec.inputs, kind.shellParams) as Record<string, unknown>;
    const result = await kind.run({ ...stageContext(spec, params, tempDir, store.scratchDir(spec.key), hooks, log.line), lineage: async () => lineageOf(store, spec.inputs) });
    if (hooks.signal.aborted) return await interrupted();
    // The log is complete before the files are recorded: their sizes and times must not move afterwards.
    await log.close();
    const leaving = linkLeaving(tempDir);
    if (leaving) return await failed({ reason: 'stage-failed', cause: 'link-outside', ...leaving });
    const files = await recordFiles(tempDir);
    const outputs = recordOutputs(result.outputs, tempDir, files);
    if (!outputs.ok) return await failed(outputs.error);
    const seconds = (performance.now() - t0) / 1000;
    const manifest: Manifest = {
      schema: MANIFEST_SCHEMA,
      id: spec.id,
      kind: spec.kind,
      key: spec.key,
      keyData: spec.keyData,
      params,
      seed: spec.seed,
      inputs: Object.fromEntries(Object.entries(spec.inputs).map(([id, a]) => [id, a.key])),
      outputs: outputs.value,
      files,
      summary: result.summary ?? {},
      timings: { started, finished: new Date().toISOString(), seconds },
      versions: { nugan: NUGAN_VERSION, node: process.version, platform: `${process.platform}-${process.arch}` },
      executor: { ...execution, cpus: spec.resources.cpus, gpus: [...hooks.gpus] },
      pipeline: spec.pipelineFile,
    };
    writeFileSync(join(tempDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (hooks.signal.aborted) return await interrupted();
    publish(store, tempDir, spec.key);
    tempDir = undefined;
    // The result is stored: what the stage kept for a resumption is no longer needed.
    rmSync(store.scratchDir(spec.key), { recursive: true, force: true });
    return { ok: true, artifact: artifactFromManifest(store.dir, manifest), seconds, execution };
  } catch (err) {
    if (hooks.signal.aborted) return await interrupted();
    if (err instanceof InputError) return await failed({ reason: 'stage-failed', cause: 'input-error', text: err.render() });
    return await failed({ reason: 'internal-error', cause: 'stage-threw', id: spec.id, kind: spec.kind, error: thrownText(err) });
  }
}

/** What the stage sees: its parameters with output paths filled in, its directory, and the hooks it reports through. */
function stageContext(spec: StageJobSpec, params: Record<string, unknown>, outDir: string, scratchDir: string, hooks: ExecutorHooks, log: (line: string) => void): StageContext {
  return {
    id: spec.id,
    kind: spec.kind,
    params,
    inputs: spec.inputs,
    outDir,
    scratchDir,
    pipelineDir: spec.pipelineDir,
    seed: spec.seed,
    signal: hooks.signal,
    cpus: spec.resources.cpus,
    gpus: hooks.gpus,
    log,
    progress: {
      total: (amount, unit) => hooks.onProgress({ type: 'total', amount, unit }),
      advance: (amount = 1) => hooks.onProgress({ type: 'advance', amount }),
      message: (text) => hooks.onProgress({ type: 'message', text }),
    },
  };
}

/** The manifest records of the outputs a stage returned: each inside its directory and present, hashed (from `files`). */
function recordOutputs(declared: Record<string, string>, dir: string, files: readonly FileRecord[]): Result<Record<string, OutputRecord>, StageFailed> {
  const outputs: Record<string, OutputRecord> = {};
  const missing: { name: string; path: string }[] = [];
  for (const [name, rel] of Object.entries(declared)) {
    const abs = isAbsolute(rel) ? rel : join(dir, rel);
    const inside = relative(dir, abs);
    if (inside.startsWith('..') || isAbsolute(inside)) return { ok: false, error: { reason: 'stage-failed', cause: 'output-outside', output: name, path: rel } };
    if (!existsSync(abs)) {
      missing.push({ name, path: inside });
      continue;
    }
    // An output with no file under it is an empty directory.
    outputs[name] = outputRecord(files, inside.split(sep).join('/')) ?? { path: inside, hash: listingHash([]), bytes: 0 };
  }
  if (missing.length) return { ok: false, error: { reason: 'stage-failed', cause: 'outputs-missing', outputs: missing } };
  return { ok: true, value: outputs };
}

/**
 * The first symbolic link under `dir` that resolves outside it, or nowhere. The artifact would
 * otherwise record (and later hand to dependents) the content of a file it does not hold — one that
 * can change or vanish while the key says the result is unchanged.
 */
function linkLeaving(dir: string): { link: string; target: string } | undefined {
  const root = realpathSync(dir);
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isSymbolicLink()) continue;
    const at = join(entry.parentPath, entry.name);
    const link = relative(dir, at);
    let real: string;
    try {
      real = realpathSync(at);
    } catch {
      return { link, target: `${readlinkSync(at)} (which does not exist)` };
    }
    const inside = relative(root, real);
    if (inside.startsWith('..') || isAbsolute(inside)) return { link, target: real };
  }
  return undefined;
}

/** Renames the finished directory to its key. `--force` reruns an existing key: replace; otherwise a concurrent finisher wins and ours is dropped. */
function publish(store: ArtifactStore, tempDir: string, key: string): void {
  if (existsSync(store.artifactDir(key))) store.replace(tempDir, key);
  else store.commit(tempDir, key);
}

/** Keeps the log of a failed attempt in the store (logs/<key>.log), where `run` points the user. */
function keepFailedLog(store: ArtifactStore, key: string, tempDir: string): void {
  try {
    const text = readFileSync(join(tempDir, 'stage.log'), 'utf8');
    if (text) store.saveFailedLog(key, text);
  } catch {
    // No log written yet.
  }
}

/** The artifact view of a finished manifest (what dependents receive). */
export function artifactFromManifest(storeDir: string, m: Manifest): UpstreamArtifact {
  const dir = join(storeDir, 'artifacts', m.key);
  return {
    id: m.id,
    kind: m.kind,
    key: m.key,
    dir,
    outputs: Object.fromEntries(Object.entries(m.outputs).map(([n, o]) => [n, join(dir, o.path)])),
    summary: m.summary,
    record: { seed: m.seed, started: m.timings.started, seconds: m.timings.seconds, executor: m.executor, inputs: m.inputs },
  };
}

/**
 * The stages upstream of `inputs`, transitively, each once, breadth first (nearest first), read from
 * the store's manifests. A manifest that is missing or unreadable ends that branch: provenance must
 * not fail a stage.
 */
export function lineageOf(store: ArtifactStore, inputs: Readonly<Record<string, UpstreamArtifact>>): UpstreamArtifact[] {
  const seen = new Set<string>();
  const out: UpstreamArtifact[] = [];
  let frontier: UpstreamArtifact[] = Object.values(inputs);
  while (frontier.length) {
    const next: UpstreamArtifact[] = [];
    for (const a of frontier) {
      if (seen.has(a.key)) continue;
      seen.add(a.key);
      out.push(a);
      for (const key of Object.values(a.record?.inputs ?? {})) {
        if (seen.has(key)) continue;
        const m = store.readManifest(key);
        if (m && !(m instanceof Error)) next.push(artifactFromManifest(store.dir, m));
      }
    }
    frontier = next;
  }
  return out;
}
