/**
 * The one test suite every Executor passes (house rule 2): local here, SLURM in its own test file
 * (`executorSuite('slurm', …)`). Jobs use the real `command` stage kind so an executor that runs
 * `nugan exec-stage` in another process sees the same kind.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StageKind } from '../../src/contract/stage.ts';
import type { Executor, ExecutorHooks, StageJobSpec } from '../../src/runner/executor.ts';
import { commandStage } from '../../stages/command.ts';

export type MakeExecutor = (opts: { kinds: readonly StageKind[]; storeDir: string; pipelineFile: string }) => Promise<Executor>;

let n = 0;
export function commandJob(storeDir: string, dir: string, with_: { run: string | string[]; outputs?: string[] }): StageJobSpec {
  const key = `${Date.now().toString(16)}${(n++).toString(16)}`.padStart(32, '0');
  return {
    schema: 1,
    id: `job${n}`,
    kind: 'command',
    key,
    keyData: { test: key },
    params: { inputs: [], outputs: [], env: {}, timeout: 0, cacheable: true, ...with_ },
    inputs: {},
    pipelineFile: join(dir, 'p.yaml'),
    pipelineDir: dir,
    seed: 5,
    resources: { cpus: 1, gpus: 0 },
    storeDir,
  };
}

export function executorSuite(name: string, make: MakeExecutor, opts: { timeoutMs?: number } = {}): void {
  describe(`executor ${name}`, () => {
    let dir: string | undefined;
    let executor: Executor | undefined;
    afterEach(async () => {
      await executor?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });
    const setup = async () => {
      dir = mkdtempSync(join(tmpdir(), `nugan-exec-${name}-`));
      const storeDir = join(dir, 'store');
      executor = await make({ kinds: [commandStage], storeDir, pipelineFile: join(dir, 'p.yaml') });
      return { dir, storeDir, executor };
    };
    const hooks = (signal = new AbortController().signal): ExecutorHooks => ({ signal, gpus: [], onProgress() {} });

    it('runs a job and commits its artifact with a manifest under the key', async () => {
      const { dir, storeDir, executor } = await setup();
      const job = commandJob(storeDir, dir, { run: 'echo "$NUGAN_SEED" > out.txt', outputs: ['out.txt'] });
      const outcome = await executor.run(job, hooks());
      expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
      if (!outcome.ok) return;
      expect(outcome.artifact.dir).toBe(join(storeDir, 'artifacts', job.key));
      expect(readFileSync(outcome.artifact.outputs['out.txt']!, 'utf8')).toBe('5\n');
      const manifest = JSON.parse(readFileSync(join(outcome.artifact.dir, 'manifest.json'), 'utf8'));
      expect(manifest).toMatchObject({ schema: 1, id: job.id, key: job.key, seed: 5, keyData: job.keyData });
      expect(existsSync(join(outcome.artifact.dir, 'stage.log'))).toBe(true);
    }, opts.timeoutMs);

    it('a failing job returns stage-failed with the tail of its log and commits nothing', async () => {
      const { dir, storeDir, executor } = await setup();
      const job = commandJob(storeDir, dir, { run: 'echo before-the-crash; exit 4' });
      const outcome = await executor.run(job, hooks());
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.reason).toBe('stage-failed');
      expect(outcome.message).toContain('exited with code 4');
      expect(outcome.logTail).toContain('before-the-crash');
      expect(existsSync(join(storeDir, 'artifacts', job.key))).toBe(false);
    }, opts.timeoutMs);

    it('an aborted job returns aborted and leaves neither artifact nor temp dir', async () => {
      const { dir, storeDir, executor } = await setup();
      const job = commandJob(storeDir, dir, { run: 'touch partial; sleep 30', outputs: ['partial'] });
      const ac = new AbortController();
      setTimeout(() => ac.abort(new Error('SIGINT')), 300);
      const outcome = await executor.run(job, hooks(ac.signal));
      expect(outcome).toMatchObject({ ok: false, reason: 'aborted' });
      expect(existsSync(join(storeDir, 'artifacts', job.key))).toBe(false);
      expect(readdirSync(join(storeDir, 'tmp'))).toEqual([]);
    }, opts.timeoutMs);
  });
}
