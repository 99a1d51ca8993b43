/**
 * The SLURM client commands nugan uses, each one call for many jobs: `sbatch --parsable` (one per
 * submission), `squeue` and `sacct` (one per poll, all job ids at once), `scancel` (one for all).
 * Parsers are separate, pure and exported for tests.
 */
import { execa } from 'execa';

/** Job states after which a job never runs again (squeue/sacct spelling). */
const TERMINAL = new Set([
  'COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED', 'REVOKED', 'SPECIAL_EXIT',
]);

export interface JobState {
  readonly jobId: string;
  /** SLURM's state name, e.g. PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT. */
  readonly state: string;
  /** squeue's reason (pending jobs) or sacct's exit code `N:S`. */
  readonly detail: string;
  readonly terminal: boolean;
}

export class SlurmCommandError extends Error {
  constructor(readonly command: string, readonly exitCode: number | undefined, readonly output: string) {
    super(`${command} failed${exitCode === undefined ? '' : ` (exit ${exitCode})`}: ${output.trim().split('\n').slice(-5).join(' | ') || 'no output'}`);
    this.name = 'SlurmCommandError';
  }
}

async function run(file: string, args: readonly string[]): Promise<string> {
  let r;
  try {
    r = await execa(file, args, { reject: false, all: true, stdin: 'ignore' });
  } catch (err) {
    throw new SlurmCommandError(file, undefined, (err as Error).message);
  }
  if (r.failed || r.exitCode !== 0) throw new SlurmCommandError(`${file} ${args.join(' ')}`, r.exitCode, r.all ?? r.message ?? '');
  return r.stdout ?? '';
}

/** `sbatch --parsable` prints `jobid` or `jobid;cluster`. */
export function parseSbatch(stdout: string): string {
  const line = stdout.trim().split('\n').pop() ?? '';
  const id = line.split(';')[0]!.trim();
  if (!/^\d+(_\d+)?$/.test(id)) throw new SlurmCommandError('sbatch --parsable', 0, `unexpected output '${stdout.trim()}'`);
  return id;
}

export async function sbatch(flags: readonly string[], script: string): Promise<string> {
  return parseSbatch(await run('sbatch', ['--parsable', ...flags, script]));
}

const SQUEUE_FORMAT = '%i|%T|%r';

/** Lines of `squeue --noheader --format='%i|%T|%r'`. */
export function parseSqueue(stdout: string): JobState[] {
  const out: JobState[] = [];
  for (const line of stdout.split('\n')) {
    const [jobId, state, reason] = line.trim().split('|');
    if (!jobId || !state) continue;
    const s = state.split(' ')[0]!;
    out.push({ jobId, state: s, detail: reason ?? '', terminal: TERMINAL.has(s) });
  }
  return out;
}

/**
 * States of the given jobs in one squeue call. Jobs squeue no longer knows (finished longer ago than
 * MinJobAge, or unknown ids) are absent from the map.
 */
export async function squeue(jobIds: readonly string[]): Promise<Map<string, JobState>> {
  if (jobIds.length === 0) return new Map();
  let stdout: string;
  try {
    stdout = await run('squeue', ['--noheader', '--array', '--states=all', `--jobs=${jobIds.join(',')}`, `--format=${SQUEUE_FORMAT}`]);
  } catch (err) {
    // squeue rejects the whole call when an id is unknown to it (a job aged out): ask for all of this
    // user's jobs instead, still one call, and pick ours.
    if (!(err instanceof SlurmCommandError) || !/invalid job id/i.test(err.output)) throw err;
    stdout = await run('squeue', ['--noheader', '--array', '--states=all', '--me', `--format=${SQUEUE_FORMAT}`]);
  }
  const want = new Set(jobIds);
  return new Map(parseSqueue(stdout).filter((j) => want.has(j.jobId)).map((j) => [j.jobId, j]));
}

/** Lines of `sacct -n -P -X -o JobID,State,ExitCode`. */
export function parseSacct(stdout: string): JobState[] {
  const out: JobState[] = [];
  for (const line of stdout.split('\n')) {
    const [jobId, state, exit] = line.trim().split('|');
    if (!jobId || !state) continue;
    const s = state.split(' ')[0]!;
    out.push({ jobId, state: s, detail: exit ?? '', terminal: TERMINAL.has(s) });
  }
  return out;
}

/** Finished jobs from accounting, one call; an empty map where accounting is off (AccountingStorageType=none). */
export async function sacct(jobIds: readonly string[]): Promise<Map<string, JobState>> {
  if (jobIds.length === 0) return new Map();
  try {
    const stdout = await run('sacct', ['-n', '-P', '-X', `--jobs=${jobIds.join(',')}`, '--format=JobID,State,ExitCode']);
    return new Map(parseSacct(stdout).map((j) => [j.jobId, j]));
  } catch {
    return new Map();
  }
}

export async function scancel(jobIds: readonly string[]): Promise<void> {
  if (jobIds.length === 0) return;
  try {
    await run('scancel', [...jobIds]);
  } catch {
    // Jobs that already ended cannot be cancelled; nothing else to do.
  }
}
