/**
 * The scheduler in-process, with a fake stage kind that records what runs at once:
 *
 *     g1  g2  g3   (gpu: 1 each)        c1 c2 c3 c4 (cpu only) ─▶ last
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StageKind } from '../../src/contract/stage.ts';
import { createHasher, FileHashMemo } from '../../src/cache/hash.ts';
import { ArtifactStore } from '../../src/cache/store.ts';
import type { RunEvent } from '../../src/runner/events.ts';
import { expandPipeline } from '../../src/runner/expand.ts';
import { createLocalExecutor } from '../../src/runner/executors/local.ts';
import { computeKeys } from '../../src/runner/keys.ts';
import { loadPipeline } from '../../src/runner/load.ts';
import { runPlan } from '../../src/runner/scheduler.ts';
import { selectStages } from '../../src/runner/select.ts';

let running = 0;
let runningGpu = 0;
let maxRunning = 0;
let maxGpu = 0;
const gpuSeen: number[][] = [];
const ran: string[] = [];
const fake: StageKind<{ gpu?: boolean }> = {
  kind: 'fake',
  description: 'records concurrency',
  schema: { type: 'object', properties: { gpu: { type: 'boolean' }, v: { type: 'number' } } },
  moduleUrl: import.meta.url,
  resources: (p) => ({ gpus: p.gpu ? 1 : 0 }),
  async run(ctx) {
    ran.push(ctx.id);
    running++;
    if (ctx.params.gpu) {
      runningGpu++;
      gpuSeen.push([...ctx.gpus]);
    }
    maxRunning = Math.max(maxRunning, running);
    maxGpu = Math.max(maxGpu, runningGpu);
    ctx.progress.total(2, 'steps');
    ctx.progress.advance(2);
    await new Promise((r) => setTimeout(r, 30));
    running--;
    if (ctx.params.gpu) runningGpu--;
    return { outputs: {} };
  },
};

const yaml = (v: number) => `stages:
  g: { uses: fake, matrix: { i: [1, 2, 3] }, with: { gpu: true } }
  c: { uses: fake, matrix: { i: [1, 2, 3, 4] }, with: { v: ${v} } }
  last: { uses: fake, needs: [g, c] }
`;

let dir: string;
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  running = runningGpu = maxRunning = maxGpu = 0;
  gpuSeen.length = 0;
  ran.length = 0;
});

async function go(opts: { jobs: number; gpus: number; v?: number; force?: string[]; text?: string; shuffle?: boolean }) {
  const loaded = loadPipeline(join(dir, 'p.yaml'), opts.text ?? yaml(opts.v ?? 1));
  if (!loaded.ok) throw new Error('fixture');
  const h = await createHasher();
  const plan = expandPipeline(loaded.value, [fake], { h32: h.h32 });
  if (!plan.ok) throw new Error(plan.error[0]!.message);
  const keys = await computeKeys(plan.value, [fake], h, new FileHashMemo());
  const sel = selectStages(plan.value, [], opts.force ?? []);
  if (!sel.ok) throw new Error('sel');
  const events: RunEvent[] = [];
  const out = await runPlan(plan.value, keys, sel.value, {
    store: new ArtifactStore(join(dir, 'store')),
    executor: createLocalExecutor({ kinds: [fake], slots: opts.jobs }),
    jobs: opts.jobs,
    gpus: opts.gpus,
    signal: new AbortController().signal,
    onEvent: (e) => events.push(e),
    shuffle: opts.shuffle ?? true,
  });
  return { out, events };
}

describe('scheduler', () => {
  it('runs up to --jobs stages at once and at most as many GPU stages as GPUs, each with its own ordinal', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-sched-'));
    const { out } = await go({ jobs: 4, gpus: 1 });
    expect(out.summary).toMatchObject({ ran: 8, cached: 0, failed: 0 });
    expect(maxRunning).toBe(4);
    expect(maxGpu).toBe(1);
    expect(gpuSeen).toEqual([[0], [0], [0]]);
    expect(ran.at(-1)).toBe('last');
  });

  it('two GPUs let two GPU stages run together on different ordinals', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-sched-'));
    await go({ jobs: 8, gpus: 2 });
    expect(maxGpu).toBe(2);
    expect(new Set(gpuSeen.flat())).toEqual(new Set([0, 1]));
  });

  it('a second run takes everything from the cache; a changed param reruns its stages and the dependent; --force reruns one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-sched-'));
    await go({ jobs: 2, gpus: 1 });
    ran.length = 0;
    const again = await go({ jobs: 2, gpus: 1 });
    expect(again.out.summary).toMatchObject({ ran: 0, cached: 8 });
    expect(ran).toEqual([]);
    await go({ jobs: 2, gpus: 1, v: 2 });
    expect(ran.sort()).toEqual(['c@1', 'c@2', 'c@3', 'c@4', 'last']);
    ran.length = 0;
    const forced = await go({ jobs: 2, gpus: 1, v: 2, force: ['g@2'] });
    expect(ran).toEqual(['g@2']);
    expect(forced.out.summary).toMatchObject({ ran: 1, cached: 7 });
  });

  it('starts first the ready stage with the longest chain of stages waiting on it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-sched-'));
    // `side` comes first in the file, but `pre` heads a chain of three: with one slot it must go first.
    const text = `stages:
  side: { uses: fake, matrix: { i: [1, 2] } }
  pre: { uses: fake }
  tune: { uses: fake, needs: [pre] }
  final: { uses: fake, needs: [tune] }
`;
    await go({ jobs: 1, gpus: 0, text, shuffle: false });
    // Then `tune` (two waiting on it); ties keep file order.
    expect(ran).toEqual(['pre', 'tune', 'side@1', 'side@2', 'final']);
  });

  it('forwards progress events of running stages', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-sched-'));
    const { events } = await go({ jobs: 2, gpus: 1 });
    const progress = events.filter((e) => e.type === 'stage-progress' && e.id === 'last');
    expect(progress.map((e) => (e as { progress: unknown }).progress)).toEqual([{ type: 'total', amount: 2, unit: 'steps' }, { type: 'advance', amount: 2 }]);
  });
});
