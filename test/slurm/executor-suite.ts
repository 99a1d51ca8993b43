/**
 * One behaviour suite every Executor passes (house rule 2), driven with hand-built StageJobSpecs of
 * the `command` stage kind (the only kind a SLURM job's `nugan exec-stage` and this process share
 * without a pipeline). Used by contract.test.ts for the local and the SLURM executor.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Executor, ExecutorHooks, ExecutorProgress, StageJobSpec } from '../../src/runner/executor.ts';

export function jobSpec(storeDir: string, id: string, run: string, outputs: string[]): StageJobSpec {
  return {
    schema: 1,
    id,
    kind: 'command',
    key: randomBytes(16).toString('hex'),
    keyData: { test: id },
    params: { run, inputs: [], outputs, env: {}, timeout: 0, cacheable: true },
    inputs: {},
    pipelineFile: join(storeDir, '..', 'pipe.yaml'),
    pipelineDir: join(storeDir, '..'),
    seed: 1,
    resources: { cpus: 1, gpus: 0 },
    storeDir,
  };
}

function hooks(signal = new AbortController().signal): ExecutorHooks & { events: ExecutorProgress[] } {
  const events: ExecutorProgress[] = [];
  return { signal, gpus: [], events, onProgress: (e) => events.push(e) };
}

export function executorSuite(name: string, make: (storeDir: string) => Executor): void {
  describe(`the ${name} executor (shared executor suite)`, () => {
    const dir = mkdtempSync(join(tmpdir(), `nugan-exec-${name}-`));
    const store = join(dir, 'store');
    const executor = make(store);
    afterAll(async () => {
      await executor.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('runs a stage into the store and returns its artifact', async () => {
      const spec = jobSpec(store, 'hello', 'echo "hi from $NUGAN_STAGE_ID" > out.txt', ['out.txt']);
      const outcome = await executor.run(spec, hooks());
      expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
      if (!outcome.ok) return;
      expect(outcome.artifact.key).toBe(spec.key);
      expect(outcome.artifact.dir).toBe(join(store, 'artifacts', spec.key));
      expect(readFileSync(outcome.artifact.outputs['out.txt']!, 'utf8')).toBe('hi from hello\n');
      const manifest = JSON.parse(readFileSync(join(outcome.artifact.dir, 'manifest.json'), 'utf8')) as { id: string; key: string };
      expect(manifest).toMatchObject({ id: 'hello', key: spec.key });
    });

    it('returns a failed stage with its reason and the last lines of its log', async () => {
      const spec = jobSpec(store, 'broken', 'echo "no beam today"; exit 4', ['never.txt']);
      const outcome = await executor.run(spec, hooks());
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.reason).toBe('stage-failed');
      expect(outcome.logTail.join('\n')).toContain('no beam today');
      expect(existsSync(join(store, 'artifacts', spec.key))).toBe(false);
    });

    it('stops a running stage when aborted and commits nothing', async () => {
      const spec = jobSpec(store, 'endless', 'sleep 60; echo done > out.txt', ['out.txt']);
      const abort = new AbortController();
      const h = hooks(abort.signal);
      const t0 = performance.now();
      const pending = executor.run(spec, h);
      setTimeout(() => abort.abort(new Error('test')), 1500);
      const outcome = await pending;
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.reason).toBe('aborted');
      expect(performance.now() - t0).toBeLessThan(20_000);
      expect(existsSync(join(store, 'artifacts', spec.key))).toBe(false);
    });
  });
}
