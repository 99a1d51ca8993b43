/**
 * The SLURM batch scripts quote every path (issue 14, Low list): run by sh as a job would run them, with
 * a store whose path holds a space, a `$` and quotes, they run the command and leave their exit marker
 * where the executor looks for it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { arrayScript, batchScript } from '../../../src/runner/executors/slurm/scripts.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A store directory whose name a shell would split or expand if it were pasted unquoted. */
function awkwardStore(): { slurm: string; work: string } {
  dir = mkdtempSync(join(tmpdir(), 'nugan-slurm-'));
  const slurm = join(dir, `my study $HOME "q" 'q'`, 'slurm');
  const work = join(dir, 'pipe line');
  mkdirSync(slurm, { recursive: true });
  mkdirSync(work);
  return { slurm, work };
}

// Stands in for nugan: records its arguments and working directory, exits 3.
const fakeNugan = ['sh', '-c', 'printf "%s\\n" "$PWD" "$@" > args.txt; exit 3', 'fake-nugan'];

describe('SLURM batch scripts', () => {
  it('a single job runs in the pipeline directory with the job file as one argument and writes its exit marker into the store', () => {
    const { slurm, work } = awkwardStore();
    const job = join(slurm, 'k1.job.json');
    const script = join(slurm, 'k1.sh');
    writeFileSync(script, batchScript(fakeNugan, job, slurm, 'k1', work));
    const r = spawnSync('sh', [script], { env: { ...process.env, SLURM_JOB_ID: '42' }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(3);
    expect(readFileSync(join(work, 'args.txt'), 'utf8').split('\n')).toEqual([work, 'exec-stage', '--job', job, '']);
    expect(JSON.parse(readFileSync(join(slurm, 'k1.42.exit.json'), 'utf8'))).toMatchObject({ jobId: '42', exit: 3 });
  });

  it('an array task reads its job file from the list and writes its log and marker into the store', () => {
    const { slurm, work } = awkwardStore();
    const list = join(slurm, 'array.list');
    writeFileSync(list, `${join(slurm, 'ka.job.json')}\n${join(slurm, 'kb.job.json')}\n`);
    const script = join(slurm, 'array.sh');
    writeFileSync(script, arrayScript(fakeNugan, list, slurm, work));
    const r = spawnSync('sh', [script], { env: { ...process.env, SLURM_ARRAY_JOB_ID: '7', SLURM_ARRAY_TASK_ID: '1' }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(3);
    expect(readFileSync(join(work, 'args.txt'), 'utf8').split('\n')[3]).toBe(join(slurm, 'kb.job.json'));
    expect(JSON.parse(readFileSync(join(slurm, 'kb.7_1.exit.json'), 'utf8'))).toMatchObject({ jobId: '7_1', exit: 3 });
    readFileSync(join(slurm, 'kb.7_1.log'));
  });
});
