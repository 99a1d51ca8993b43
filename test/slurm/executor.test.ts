/**
 * The SLURM executor against a real one-node SLURM on localhost (scripts/slurm/start.sh): pipelines
 * run through `nugan run --executor slurm` as batch jobs, failures show their SLURM log, reruns are
 * cached or adopt jobs still running, Ctrl-C cancels, and GPU stages get their own fake GPU.
 * Skipped, with a message saying how to enable them, where SLURM is not installed.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, startCluster, type Cluster } from './cluster.ts';

const cluster = startCluster();
const skip = 'skip' in cluster ? cluster.skip : undefined;
if (skip) process.stderr.write(`${skip}\n`);

const bin = join(repoRoot, 'bin', 'nugan.mjs');

interface RunDoc {
  stages: { id: string; state: string; key: string; outputs: Record<string, string> }[];
  summary: { ran: number; cached: number; failed: number };
}

/** A `squeue` earlier on PATH that logs its arguments, then runs the real one: counts SLURM polls. */
const spy = mkdtempSync(join(tmpdir(), 'nugan-slurm-spy-'));
const squeueLog = join(spy, 'squeue.log');
if (!skip) {
  const real = execFileSync('sh', ['-c', 'command -v squeue'], { encoding: 'utf8' }).trim();
  writeFileSync(join(spy, 'squeue'), `#!/bin/sh\necho "$*" >> '${squeueLog}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
}

function env(): NodeJS.ProcessEnv {
  const c = cluster as Cluster;
  // No NUGAN_SLURM_NUGAN: jobs run the same bin/nugan.mjs that `nugan run` was started as (the default).
  const { NUGAN_SLURM_NUGAN: _ignored, ...rest } = process.env;
  return { ...rest, ...c.env, CI: '1', PATH: `${spy}:${process.env.PATH}:/usr/sbin:/sbin` };
}

function nugan(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: env(), maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function runJson(cwd: string, args: string[]): Promise<{ code: number; doc: RunDoc; stderr: string }> {
  const r = await nugan(cwd, [...args, '--json']);
  let doc: RunDoc;
  try {
    doc = JSON.parse(r.stdout) as RunDoc;
  } catch {
    throw new Error(`nugan ${args.join(' ')} printed no JSON (exit ${r.code}); stderr:\n${r.stderr}`);
  }
  return { code: r.code, doc, stderr: r.stderr };
}

function squeueState(jobId: string): Promise<string> {
  return new Promise((res) => {
    execFile('squeue', ['--noheader', '--states=all', `--jobs=${jobId}`, '--format=%T'], { env: env() }, (_e, stdout) => res(stdout.trim()));
  });
}

const dirs: string[] = [];
function workspace(pipeline: string): { dir: string; store: string; slurmDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nugan-slurm-e2e-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'pipe.yaml'), pipeline);
  return { dir, store: join(dir, 'store'), slurmDir: join(dir, 'store', 'slurm') };
}

/** `<key>.slurm.json` records: which SLURM job built each key. */
function submitted(slurmDir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(slurmDir)) return out;
  for (const f of readdirSync(slurmDir)) {
    const m = /^([0-9a-f]+)\.slurm\.json$/.exec(f);
    if (m) out.set(m[1]!, (JSON.parse(readFileSync(join(slurmDir, f), 'utf8')) as { jobId: string }).jobId);
  }
  return out;
}

const PIPELINE = `name: slurm-e2e
slurm:
  poll: 0.3
  stages:
    gpu: { gpus: 1 }
stages:
  a:
    uses: command
    with:
      run: 'echo "$SLURM_JOB_ID" > job.txt; echo hello > a.txt'
      outputs: { a: a.txt, job: job.txt }
  gpu:
    uses: command
    needs: [a]
    matrix: { n: [1, 2] }
    with:
      # Both GPU stages are ready at once and sleep, so they hold their GPUs at the same time.
      # The upstream output arrives as an absolute path on the shared filesystem.
      run: 'cat \${{ stages.a.outputs.a }} > a-copy.txt; echo "$SLURM_JOB_ID" > job.txt; echo "$CUDA_VISIBLE_DEVICES" > gpu.txt; sleep 2'
      outputs: { gpu: gpu.txt, job: job.txt, copy: a-copy.txt }
      env: { N: "\${{ matrix.n }}" }
`;

afterAll(() => {
  for (const d of [...dirs, spy]) rmSync(d, { recursive: true, force: true });
  if (!skip) (cluster as Cluster).stop();
});

describe.skipIf(skip !== undefined)('the SLURM executor on a one-node cluster', () => {
  const ws = skip ? undefined : workspace(PIPELINE);

  it('runs every stage instance of a multi-stage pipeline as its own SLURM job', async () => {
    const { dir, store, slurmDir } = ws!;
    const { code, doc, stderr } = await runJson(dir, ['run', 'pipe.yaml', '--executor', 'slurm', '--store', store]);
    expect(code, stderr).toBe(0);
    expect(doc.stages.map((s) => [s.id, s.state]).sort()).toEqual([['a', 'ran'], ['gpu@1', 'ran'], ['gpu@2', 'ran']]);
    const jobs = submitted(slurmDir);
    expect(jobs.size).toBe(3);
    expect(new Set(jobs.values()).size).toBe(3);
    for (const s of doc.stages) {
      // The stage itself saw SLURM_JOB_ID: it ran inside the job nugan recorded for its key.
      const seen = readFileSync(s.outputs.job!, 'utf8').trim();
      expect(seen).toBe(jobs.get(s.key));
      const marker = JSON.parse(readFileSync(join(slurmDir, `${s.key}.${seen}.exit.json`), 'utf8')) as { exit: number };
      expect(marker.exit).toBe(0);
      if (s.id.startsWith('gpu@')) expect(readFileSync(s.outputs.copy!, 'utf8')).toBe('hello\n');
    }
    // Polls are batched: the two GPU jobs, in flight together, were asked about in one squeue call.
    const gpuJobs = doc.stages.filter((s) => s.id.startsWith('gpu@')).map((s) => jobs.get(s.key)!);
    const calls = readFileSync(squeueLog, 'utf8').split('\n').filter(Boolean);
    expect(calls.some((c) => gpuJobs.every((j) => new RegExp(`--jobs=(\\S*,)?${j}(,|\\s|$)`).test(c))), calls.join('\n')).toBe(true);
    expect(calls.every((c) => c.includes('--jobs=') || c.includes('--me'))).toBe(true);
  });

  it('records in each manifest the SLURM job id that built the artifact', () => {
    const { store, slurmDir } = ws!;
    const jobs = submitted(slurmDir);
    expect(jobs.size).toBeGreaterThan(0);
    for (const [key, jobId] of jobs) {
      const m = JSON.parse(readFileSync(join(store, 'artifacts', key, 'manifest.json'), 'utf8')) as { executor?: Record<string, unknown> };
      expect(m.executor?.slurmJobId, `manifest of ${key}: executor = ${JSON.stringify(m.executor)}`).toBe(jobId);
    }
  });

  it('gives each GPU stage --gres=gpu:1 and its own CUDA_VISIBLE_DEVICES', () => {
    const { store, slurmDir } = ws!;
    const seen: string[] = [];
    for (const [key] of submitted(slurmDir)) {
      const record = JSON.parse(readFileSync(join(slurmDir, `${key}.slurm.json`), 'utf8')) as { id: string; flags: string[] };
      const gres = record.flags.filter((f) => f.startsWith('--gres'));
      if (!record.id.startsWith('gpu@')) {
        expect(gres, record.id).toEqual([]);
        continue;
      }
      expect(gres, record.id).toEqual(['--gres=gpu:1']);
      seen.push(readFileSync(join(store, 'artifacts', key, 'gpu.txt'), 'utf8').trim());
    }
    expect(seen).toHaveLength(2);
    // SLURM sets CUDA_VISIBLE_DEVICES only for jobs it allocated a GPU to; two at once get two GPUs.
    expect(seen.every((v) => /^[01]$/.test(v)), `CUDA_VISIBLE_DEVICES seen: ${seen.join(', ')}`).toBe(true);
    expect(new Set(seen).size).toBe(2);
  });

  it('runs nothing again when the same pipeline is rerun', async () => {
    const { dir, store, slurmDir } = ws!;
    const before = submitted(slurmDir);
    const { code, doc } = await runJson(dir, ['run', 'pipe.yaml', '--executor', 'slurm', '--store', store]);
    expect(code).toBe(0);
    expect(doc.summary).toMatchObject({ ran: 0, cached: 3, failed: 0 });
    expect(submitted(slurmDir)).toEqual(before);
  });

  it('executes nothing under SLURM for a pipeline already run locally', async () => {
    const { dir, store, slurmDir } = workspace(`slurm: { poll: 0.3 }
stages:
  first:
    uses: command
    with: { run: 'echo local > f.txt', outputs: [f.txt] }
  second:
    uses: command
    needs: [first]
    with: { run: 'cat \${{ stages.first.outputs.f.txt }} > g.txt', outputs: [g.txt] }
`);
    const local = await runJson(dir, ['run', 'pipe.yaml', '--store', store]);
    expect(local.code, local.stderr).toBe(0);
    expect(local.doc.summary.ran).toBe(2);
    const slurm = await runJson(dir, ['run', 'pipe.yaml', '--executor', 'slurm', '--store', store]);
    expect(slurm.code).toBe(0);
    expect(slurm.doc.summary).toMatchObject({ ran: 0, cached: 2 });
    expect(submitted(slurmDir).size).toBe(0);
  });

  it('reports a failing job with its exit state and the tail of its SLURM log', async () => {
    const { dir, store, slurmDir } = workspace(`slurm: { poll: 0.3 }
stages:
  bad:
    uses: command
    with: { run: 'echo "the detector is on fire" >&2; exit 3', outputs: [x.txt] }
`);
    const r = await nugan(dir, ['run', 'pipe.yaml', '--executor', 'slurm', '--store', store]);
    expect(r.code).toBe(1);
    const [badJob] = [...submitted(slurmDir).values()];
    expect(r.stderr).toMatch(new RegExp(`slurm job ${badJob} of 'bad' failed with exit code 1`));
    expect(r.stderr).toContain('the detector is on fire');
    expect(r.stderr).toContain('exited with code 3');
  });

  it('adopts a job of a killed run instead of submitting it again', async () => {
    const { dir, store, slurmDir } = workspace(`slurm: { poll: 0.3 }
stages:
  slow:
    uses: command
    with: { run: 'sleep 3; echo "$SLURM_JOB_ID" > job.txt', outputs: [job.txt] }
`);
    const child = spawn(process.execPath, [bin, 'run', 'pipe.yaml', '--executor', 'slurm', '--store', store], { cwd: dir, env: env(), stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    const t0 = Date.now();
    while (submitted(slurmDir).size === 0 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
    const [first] = [...submitted(slurmDir).values()];
    expect(first).toBeDefined();
    child.kill('SIGKILL'); // no chance to scancel: the job goes on without its nugan
    await exited;
    const { code, doc, stderr } = await runJson(dir, ['run', 'pipe.yaml', '--executor', 'slurm', '--store', store]);
    expect(code, stderr).toBe(0);
    expect(doc.stages[0]!.state).toBe('ran');
    expect([...submitted(slurmDir).values()]).toEqual([first]);
    expect(readFileSync(doc.stages[0]!.outputs['job.txt']!, 'utf8').trim()).toBe(first);
  });

  it('submits a sweep of identical small stages as one job array when arrays are on', async () => {
    const { dir, store, slurmDir } = workspace(`slurm: { poll: 0.3, arrays: true }
stages:
  sweep:
    uses: command
    matrix: { seed: [1, 2] }
    with:
      run: 'echo "$SLURM_ARRAY_JOB_ID $SLURM_ARRAY_TASK_ID" > task.txt'
      outputs: [task.txt]
      env: { SEED: "\${{ matrix.seed }}" }
`);
    const { code, doc, stderr } = await runJson(dir, ['run', 'pipe.yaml', '--executor', 'slurm', '--store', store, '--jobs', '8']);
    expect(code, stderr).toBe(0);
    expect(doc.summary.ran).toBe(2);
    const ids = [...submitted(slurmDir).values()].sort();
    const arrayId = ids[0]!.split('_')[0];
    expect(ids).toEqual([`${arrayId}_0`, `${arrayId}_1`]);
    for (const s of doc.stages) {
      const [job, task] = readFileSync(s.outputs['task.txt']!, 'utf8').trim().split(' ');
      expect(`${job}_${task}`).toBe(submitted(slurmDir).get(s.key));
    }
    const again = await runJson(dir, ['run', 'pipe.yaml', '--executor', 'slurm', '--store', store, '--jobs', '8']);
    expect(again.doc.summary).toMatchObject({ ran: 0, cached: 2 });
  });

  it('reports a job that SLURM ended before it finished with its SLURM state', async () => {
    const { dir, store, slurmDir } = workspace(`slurm: { poll: 0.3 }
stages:
  doomed:
    uses: command
    with: { run: 'echo started; sleep 120', outputs: [never.txt] }
`);
    const run = nugan(dir, ['run', 'pipe.yaml', '--executor', 'slurm', '--store', store]);
    const t0 = Date.now();
    while (submitted(slurmDir).size === 0 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
    const [jobId] = [...submitted(slurmDir).values()];
    expect(jobId).toBeDefined();
    // As if the site killed it (time limit, preemption): no exit marker is ever written.
    execFileSync('scancel', [jobId!], { env: env() });
    const r = await run;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`slurm job ${jobId} of 'doomed' ended without finishing: CANCELLED`);
  });

  it('cancels the jobs it submitted when interrupted', async () => {
    const { dir, store, slurmDir } = workspace(`slurm: { poll: 0.3 }
stages:
  forever:
    uses: command
    with: { run: 'sleep 120', outputs: [never.txt] }
`);
    const child = spawn(process.execPath, [bin, 'run', 'pipe.yaml', '--executor', 'slurm', '--store', store], { cwd: dir, env: env(), stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const t0 = Date.now();
    while (submitted(slurmDir).size === 0 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
    const [jobId] = [...submitted(slurmDir).values()];
    expect(jobId).toBeDefined();
    child.kill('SIGINT');
    expect(await exited).not.toBe(0);
    const state = await squeueState(jobId!);
    expect(['CANCELLED', 'COMPLETING', '']).toContain(state.split(' ')[0]);
    expect(state).not.toMatch(/RUNNING|PENDING/);
  });
});

describe.skipIf(skip === undefined)('the SLURM executor without SLURM', () => {
  it(`is not tested: ${skip ?? ''}`, () => {
    expect(skip).toBeDefined();
  });
});
