/**
 * The SLURM executor's files, all under `<store>/slurm/` on the shared filesystem (see ../slurm.ts for
 * the layout). Submitting writes them, watching reads them; nothing here calls SLURM.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../../../util/atomic.ts';
import { PROGRESS_LINE } from '../launcher.ts';

/** What a finished job wrote as its last act (see the batch scripts). */
export interface ExitMarker {
  readonly jobId: string;
  readonly exit: number;
  readonly node?: string;
  readonly cudaVisibleDevices?: string;
}

/** The submission of a key: lets a rerun adopt a job still queued or running. */
export interface SubmitRecord {
  readonly jobId: string;
  readonly id: string;
  readonly submitted: string;
  /** The sbatch flags used (what a person checks first when a job sits in the queue). */
  readonly flags?: readonly string[];
}

export class SlurmFiles {
  constructor(readonly dir: string) {}

  /** The StageJobSpec a job runs. */
  jobSpec(key: string): string {
    return join(this.dir, `${key}.job.json`);
  }

  /** A batch script (`<key>.sh`, or `array-<key>.sh` for a job array). */
  script(name: string): string {
    return join(this.dir, `${name}.sh`);
  }

  /** The list of job specs a job array's tasks run, one per line. */
  arrayList(name: string): string {
    return join(this.dir, `${name}.jobs`);
  }

  log(key: string, jobId: string): string {
    return join(this.dir, `${key}.${jobId}.log`);
  }

  marker(key: string, jobId: string): string {
    return join(this.dir, `${key}.${jobId}.exit.json`);
  }

  readMarker(key: string, jobId: string): ExitMarker | undefined {
    try {
      return JSON.parse(readFileSync(this.marker(key, jobId), 'utf8')) as ExitMarker;
    } catch {
      return undefined;
    }
  }

  writeSubmitRecord(key: string, record: SubmitRecord): void {
    writeFileAtomicSync(this.submitRecordFile(key), `${JSON.stringify(record)}\n`);
  }

  readSubmitRecord(key: string): SubmitRecord | undefined {
    try {
      const r = JSON.parse(readFileSync(this.submitRecordFile(key), 'utf8')) as SubmitRecord;
      return typeof r.jobId === 'string' ? r : undefined;
    } catch {
      return undefined;
    }
  }

  private submitRecordFile(key: string): string {
    return join(this.dir, `${key}.slurm.json`);
  }
}

/** The last `n` lines a job wrote, without the progress lines that were already forwarded live. */
export function tailOf(file: string, n: number): string[] {
  try {
    // Progress lines were forwarded live; the user wants the stage's own last words.
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => !PROGRESS_LINE.test(l));
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-n);
  } catch {
    return [`(no SLURM log at ${file})`];
  }
}
