/**
 * Submits stage jobs to SLURM: writes the job spec and the batch script, sizes the job from the slurm
 * block and the stage kind, and calls `sbatch`. With `arrays: true`, submissions that arrive within
 * ARRAY_WINDOW_MS with identical flags go as one job array.
 */
import { mkdirSync } from 'node:fs';
import type { StageKind } from '../../../contract/stage.ts';
import { writeFileAtomicSync } from '../../../util/atomic.ts';
import type { StageJobSpec } from '../../executor.ts';
import { sbatch } from './commands.ts';
import { sbatchFlags, settingsFor, type SlurmConfig } from './config.ts';
import type { SlurmFiles } from './files.ts';
import { arrayScript, batchScript } from './scripts.ts';

/** How long submissions wait for others with the same flags to join one job array. */
const ARRAY_WINDOW_MS = 200;

interface Prepared {
  readonly spec: StageJobSpec;
  readonly jobFile: string;
  /** sbatch flags that decide where and how it runs (no name/output): equal flags may share an array. */
  readonly flags: readonly string[];
}

interface Waiting {
  readonly prepared: Prepared;
  resolve(jobId: string): void;
  reject(err: unknown): void;
}

export class Submitter {
  /** Submissions waiting (ARRAY_WINDOW_MS) for siblings with the same flags, by flags. */
  private readonly batches = new Map<string, Waiting[]>();

  constructor(
    private readonly files: SlurmFiles,
    private readonly cfg: SlurmConfig,
    private readonly kinds: readonly StageKind[],
    /** The command that runs nugan on a node. */
    private readonly nugan: readonly string[],
    /** Told of every job id sbatch returns. */
    private readonly onSubmitted: (jobId: string) => void,
  ) {}

  /** Submits `spec` as a job (or a task of a job array) and resolves to its job id. */
  submit(spec: StageJobSpec): Promise<string> {
    const p = this.prepare(spec);
    if (!this.cfg.arrays) return this.submitSingle(p);
    const groupKey = p.flags.join('\0');
    return new Promise((resolve, reject) => {
      let group = this.batches.get(groupKey);
      if (!group) {
        this.batches.set(groupKey, (group = []));
        setTimeout(() => this.flushBatch(groupKey), ARRAY_WINDOW_MS);
      }
      group.push({ prepared: p, resolve, reject });
    });
  }

  private prepare(spec: StageJobSpec): Prepared {
    mkdirSync(this.files.dir, { recursive: true });
    const kind = this.kinds.find((k) => k.kind === spec.kind);
    // The scheduler grants no GPU tokens to an executor whose site schedules GPUs, so ask the kind;
    // a `gpus:` setting in the slurm block wins (e.g. a `command` stage that runs a GPU program).
    const asked = kind?.resources?.(spec.params) ?? {};
    const settings = settingsFor(this.cfg, spec.id, spec.kind);
    const need = {
      cpus: settings.cpus ?? Math.max(spec.resources.cpus, asked.cpus ?? 1),
      gpus: settings.gpus ?? Math.max(spec.resources.gpus, asked.gpus ?? 0),
    };
    // The job sees what SLURM grants it: its GPUs are ordinals 0..n-1 of CUDA_VISIBLE_DEVICES.
    const jobSpec: StageJobSpec = { ...spec, resources: need };
    const jobFile = this.files.jobSpec(spec.key);
    writeFileAtomicSync(jobFile, `${JSON.stringify(jobSpec, null, 2)}\n`);
    return { spec, jobFile, flags: [`--chdir=${spec.pipelineDir}`, ...sbatchFlags(settings, need)] };
  }

  private record(p: Prepared, jobId: string, flags: readonly string[]): void {
    this.onSubmitted(jobId);
    this.files.writeSubmitRecord(p.spec.key, { jobId, id: p.spec.id, submitted: new Date().toISOString(), flags: [...flags] });
  }

  private async submitSingle(p: Prepared): Promise<string> {
    const scriptFile = this.files.script(p.spec.key);
    writeFileAtomicSync(scriptFile, batchScript(this.nugan, p.jobFile, this.files.dir, p.spec.key, p.spec.pipelineDir));
    const flags = [`--job-name=nugan:${p.spec.id}`, `--output=${this.files.log(p.spec.key, '%j')}`, ...p.flags];
    const jobId = await sbatch(flags, scriptFile);
    this.record(p, jobId, flags);
    return jobId;
  }

  private async submitArray(group: readonly Prepared[]): Promise<string[]> {
    const first = group[0]!;
    const name = `array-${first.spec.key}`;
    const listFile = this.files.arrayList(name);
    writeFileAtomicSync(listFile, `${group.map((p) => p.jobFile).join('\n')}\n`);
    const scriptFile = this.files.script(name);
    writeFileAtomicSync(scriptFile, arrayScript(this.nugan, listFile, this.files.dir, first.spec.pipelineDir));
    const flags = [`--job-name=nugan:${first.spec.id.split('@')[0]}[]`, `--array=0-${group.length - 1}`, `--output=${this.files.log(name, '%A_%a')}`, ...first.flags];
    const arrayId = await sbatch(flags, scriptFile);
    return group.map((p, i) => {
      this.record(p, `${arrayId}_${i}`, flags);
      return `${arrayId}_${i}`;
    });
  }

  private flushBatch(groupKey: string): void {
    const group = this.batches.get(groupKey) ?? [];
    this.batches.delete(groupKey);
    const go = async () => {
      if (group.length === 1) return [await this.submitSingle(group[0]!.prepared)];
      return this.submitArray(group.map((g) => g.prepared));
    };
    go().then(
      (ids) => group.forEach((g, i) => g.resolve(ids[i]!)),
      (err) => group.forEach((g) => g.reject(err)),
    );
  }
}
