/**
 * Provenance through the runner: an upstream artifact carries the record of its run (seed, times,
 * where it ran, its own inputs), and `StageContext.lineage()` walks every stage upstream, transitively,
 * through the store's manifests (docs/cache.md §3). Real jobs through `executeStageJob`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StageKind, UpstreamArtifact } from '../../src/contract/stage.ts';
import { executeStageJob } from '../../src/runner/execute.ts';
import type { ExecutorHooks, StageJobSpec } from '../../src/runner/executor.ts';
import { commandStage } from '../../stages/command.ts';

const dir = mkdtempSync(join(tmpdir(), 'nugan-lineage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const storeDir = join(dir, 'store');
const hooks: ExecutorHooks = { signal: new AbortController().signal, gpus: [], onProgress() {} };

/** A kind that writes the lineage it was given. */
const probe: StageKind = {
  kind: 'probe',
  description: 'writes its lineage',
  schema: { type: 'object' },
  moduleUrl: import.meta.url,
  async run(ctx) {
    const lineage = (await ctx.lineage?.()) ?? [];
    writeFileSync(join(ctx.outDir, 'lineage.json'), JSON.stringify(lineage.map((a) => ({ id: a.id, seed: a.record?.seed, inputs: a.record?.inputs }))));
    return { outputs: { lineage: 'lineage.json' } };
  },
};

let n = 0;
async function run(id: string, kind: string, seed: number, inputs: UpstreamArtifact[]): Promise<UpstreamArtifact> {
  const key = `lineage${(n++).toString().padStart(4, '0')}`.padEnd(32, '0');
  const spec: StageJobSpec = {
    schema: 1,
    id,
    kind,
    key,
    keyData: { id },
    params: kind === 'command' ? { run: 'echo x > out.txt', inputs: [], outputs: ['out.txt'], env: {}, timeout: 0, cacheable: true } : {},
    inputs: Object.fromEntries(inputs.map((a) => [a.id, a])),
    pipelineFile: join(dir, 'p.yaml'),
    pipelineDir: dir,
    seed,
    resources: { cpus: 1, gpus: 0 },
    storeDir,
  };
  const outcome = await executeStageJob(spec, [commandStage, probe], hooks);
  if (!outcome.ok) throw new Error(JSON.stringify(outcome));
  return outcome.artifact;
}

describe('the lineage a stage sees', () => {
  it('carries each artifact’s seed, times and executor from its manifest', async () => {
    const a = await run('base-data', 'command', 11, []);
    expect(a.record).toMatchObject({ seed: 11, inputs: {} });
    expect(a.record!.started).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(a.record!.seconds).toBeGreaterThanOrEqual(0);
    expect(a.record!.executor).toMatchObject({ executor: 'local' });
  });

  it('reaches every stage upstream once, nearest first, through a diamond', async () => {
    const data = await run('data', 'command', 1, []);
    const base = await run('base', 'command', 2, [data]);
    const small = await run('small', 'command', 3, [data]);
    const tl = await run('tl', 'command', 4, [base, small]);
    const report = await run('report', 'probe', 5, [tl]);
    const lineage = JSON.parse(readFileSync(report.outputs.lineage!, 'utf8')) as { id: string; seed: number }[];
    expect(lineage.map((l) => l.id)).toEqual(['tl', 'base', 'small', 'data']);
    expect(lineage.map((l) => l.seed)).toEqual([4, 2, 3, 1]);
  });
});
