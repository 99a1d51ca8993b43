/**
 * Runs one StageJobSpec to completion, wherever it is called (the local executor in-process, or
 * `nugan exec-stage` inside a SLURM job): temp dir in the store → stage → outputs checked → manifest →
 * atomic rename to `artifacts/<key>`. Nothing half-done is ever published. This is the single
 * catch-all of a stage execution (house rule 4): a thrown InputError becomes 'stage-failed' with its
 * rendered message, any other exception 'internal-error'.
 */
import { createWriteStream, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { InputError, type StageContext, type StageKind, type UpstreamArtifact } from '../contract/stage.ts';
import { hashFileContent, xxh } from '../cache/hash.ts';
import { MANIFEST_SCHEMA, type Manifest, type OutputRecord } from '../cache/manifest.ts';
import { ArtifactStore } from '../cache/store.ts';
import type { ExecutorHooks, StageJobSpec, StageOutcome } from './executor.ts';
import { NUGAN_VERSION } from '../version.ts';
import { isTemplate, joinTemplate, parseTemplate } from './template.ts';

const LOG_TAIL = 20;

/**
 * Replaces `${{ stages.<id>.outputs.<name> }}` by the absolute output path of the upstream artifact
 * (expansion left these verbatim: the path exists only now). Read through template.ts, like every
 * other `${{ }}`.
 */
export function resolveOutputRefs(value: unknown, inputs: Readonly<Record<string, UpstreamArtifact>>): unknown {
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

export async function executeStageJob(spec: StageJobSpec, kinds: readonly StageKind[], hooks: ExecutorHooks): Promise<StageOutcome> {
  const t0 = performance.now();
  const started = new Date().toISOString();
  const store = new ArtifactStore(spec.storeDir);
  const execution = executionEnvironment();
  const tail: string[] = [];
  let tempDir: string | undefined;
  let log: ReturnType<typeof createWriteStream> | undefined;
  const logLine = (line: string) => {
    tail.push(line);
    if (tail.length > LOG_TAIL) tail.shift();
    log?.write(`${line}\n`);
  };
  const fail = async (reason: 'stage-failed' | 'internal-error' | 'aborted', message: string): Promise<StageOutcome> => {
    if (log) await new Promise<void>((r) => log!.end(r));
    if (tempDir) {
      try {
        const text = readFileSync(join(tempDir, 'stage.log'), 'utf8');
        if (text) store.saveFailedLog(spec.key, text);
      } catch {
        // No log written yet.
      }
      rmSync(tempDir, { recursive: true, force: true });
    }
    return { ok: false, reason, message, logTail: [...tail], execution };
  };
  try {
    const kind = kinds.find((k) => k.kind === spec.kind);
    if (!kind) return await fail('internal-error', `stage kind '${spec.kind}' is not registered in this nugan`);
    tempDir = store.makeTempDir(spec.key);
    log = createWriteStream(join(tempDir, 'stage.log'));
    for (const rel of kind.externalInputs?.(spec.params) ?? []) {
      const abs = resolve(spec.pipelineDir, rel);
      if (!existsSync(abs)) return await fail('stage-failed', `declared input file ${abs} does not exist`);
    }
    const params = resolveOutputRefs(spec.params, spec.inputs) as Record<string, unknown>;
    const ctx: StageContext = {
      id: spec.id,
      kind: spec.kind,
      params,
      inputs: spec.inputs,
      outDir: tempDir,
      pipelineDir: spec.pipelineDir,
      seed: spec.seed,
      signal: hooks.signal,
      cpus: spec.resources.cpus,
      gpus: hooks.gpus,
      log: logLine,
      progress: {
        total: (amount, unit) => hooks.onProgress({ type: 'total', amount, unit }),
        advance: (amount = 1) => hooks.onProgress({ type: 'advance', amount }),
        message: (text) => hooks.onProgress({ type: 'message', text }),
      },
    };
    const result = await kind.run(ctx);
    if (hooks.signal.aborted) return await fail('aborted', 'interrupted');
    const outputs: Record<string, OutputRecord> = {};
    const absOutputs: Record<string, string> = {};
    const missing: string[] = [];
    for (const [name, rel] of Object.entries(result.outputs)) {
      const abs = isAbsolute(rel) ? rel : join(tempDir, rel);
      const inside = relative(tempDir, abs);
      if (inside.startsWith('..') || isAbsolute(inside)) {
        return await fail('stage-failed', `output '${name}' (${rel}) lies outside the stage's directory`);
      }
      if (!existsSync(abs)) {
        missing.push(`${name} (${inside})`);
        continue;
      }
      const { hash, bytes } = await hashPath(abs);
      outputs[name] = { path: inside, hash, bytes };
      absOutputs[name] = join(store.artifactDir(spec.key), inside);
    }
    if (missing.length) return await fail('stage-failed', `the stage did not create its declared output${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
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
      outputs,
      summary: result.summary ?? {},
      timings: { started, finished: new Date().toISOString(), seconds },
      versions: { nugan: NUGAN_VERSION, node: process.version, platform: `${process.platform}-${process.arch}` },
      executor: { ...execution, cpus: spec.resources.cpus, gpus: [...hooks.gpus] },
      pipeline: spec.pipelineFile,
    };
    await new Promise<void>((r) => log!.end(r));
    log = undefined;
    writeFileSync(join(tempDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (hooks.signal.aborted) return await fail('aborted', 'interrupted');
    // --force reruns an existing key: replace; otherwise a concurrent finisher wins and ours is dropped.
    if (existsSync(store.artifactDir(spec.key))) store.replace(tempDir, spec.key);
    else store.commit(tempDir, spec.key);
    tempDir = undefined;
    const artifact: UpstreamArtifact = {
      id: spec.id,
      kind: spec.kind,
      key: spec.key,
      dir: store.artifactDir(spec.key),
      outputs: absOutputs,
      summary: manifest.summary,
    };
    return { ok: true, artifact, seconds, execution };
  } catch (err) {
    if (hooks.signal.aborted) return await fail('aborted', 'interrupted');
    if (err instanceof InputError) return await fail('stage-failed', err.render());
    const e = err as Error;
    return await fail('internal-error', `stage '${spec.id}' (${spec.kind}) threw: ${e?.stack ?? String(err)}`);
  }
}

/** Content hash of a file, or of a directory as the hash of its sorted (path, hash) listing. */
async function hashPath(abs: string): Promise<{ hash: string; bytes: number }> {
  const st = statSync(abs);
  if (!st.isDirectory()) return { hash: await hashFileContent(abs), bytes: st.size };
  const entries: string[] = [];
  let bytes = 0;
  const walk = async (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const s = statSync(p);
      if (s.isDirectory()) await walk(p);
      else {
        entries.push(`${relative(abs, p)}\t${await hashFileContent(p)}`);
        bytes += s.size;
      }
    }
  };
  await walk(abs);
  const x = await xxh();
  return { hash: `xxh64:${x.h64(entries.join('\n'), 0n).toString(16).padStart(16, '0')}`, bytes };
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
  };
}
