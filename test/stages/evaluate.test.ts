import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, type UpstreamArtifact } from '../../src/contract/stage.ts';
import { type EventBatch } from '../../src/io/event-batch.ts';
import { writeEventTable } from '../../src/io/event-table.ts';
import { createAjv } from '../../src/runner/load.ts';
import { createEvaluateStage, evaluateStage, type GeneratorLoader } from '../../stages/evaluate.ts';
import { reportStage } from '../../stages/report.ts';
import { context, fakeLoader, toyBatch } from '../study-report/tiny-study.ts';

let root: string;
const refs: Record<string, UpstreamArtifact> = {};
const batches: Record<string, EventBatch> = {};
let model: UpstreamArtifact;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'nugan-eval-'));
  for (const [id, enu] of [['ref-2', 2], ['ref-spread', [0.3, 10]], ['ref-0.8', 0.8]] as const) {
    const dir = path.join(root, id);
    await mkdir(dir);
    batches[id] = toyBatch(enu as number | [number, number], 4000, id.length);
    await writeEventTable(path.join(dir, 'events.arrow'), batches[id]!, { source: 'toy' });
    refs[id] = { id, kind: 'simulate', key: `k-${id}`, dir, outputs: { events: path.join(dir, 'events.arrow') }, summary: {} };
  }
  const dir = path.join(root, 'train');
  await mkdir(dir);
  await writeFile(path.join(dir, 'fake-model.json'), JSON.stringify({ distortion: 0.1 }));
  await writeFile(path.join(dir, 'history.json'), JSON.stringify({ epochs: [{ epoch: 1, loss_g: 1, val_map: 2 }] }));
  model = { id: 'train', kind: 'train', key: 'k-train', dir, outputs: { history: path.join(dir, 'history.json') }, summary: { backend: 'fake' } };
});
afterAll(async () => rm(root, { recursive: true, force: true }));

async function run(params: Record<string, unknown>, loader: GeneratorLoader = fakeLoader) {
  const outDir = await mkdtemp(path.join(root, 'out-'));
  const stage = createEvaluateStage(loader);
  const result = await stage.run(context('eval', 'evaluate', params as never, { ...refs, train: model }, outDir));
  return { outDir, result };
}

describe('the evaluate stage', () => {
  it('writes metrics.json, metrics.csv and histograms.json with one point per reference, fixed energies first', async () => {
    const { outDir, result } = await run({ model: 'train', reference: ['ref-spread', 'ref-2', 'ref-0.8'], labels: { domain: 'nu-argon', size: 10000, method: 'TL' } });
    expect(Object.keys(result.outputs).sort()).toEqual(['csv', 'histograms', 'history', 'metrics']);
    const metrics = JSON.parse(await readFile(path.join(outDir, 'metrics.json'), 'utf8'));
    expect(metrics.points.map((p: { E_nu: number | null }) => p.E_nu)).toEqual([0.8, 2, null]);
    expect(metrics.labels).toEqual({ domain: 'nu-argon', size: 10000, method: 'TL' });
    expect(metrics.points[2].E_nu_min).toBeGreaterThanOrEqual(0.3);
    const csv = (await readFile(path.join(outDir, 'metrics.csv'), 'utf8')).trim().split('\n');
    expect(csv).toHaveLength(4);
    expect(csv[0]!.split(',')).toEqual(expect.arrayContaining(['map_nonzero', 'map_gt5', 'emd_E_mu_proxy', 'emd_theta_proxy', 'emd_mean', 'emd_W']));
    const hist = JSON.parse(await readFile(path.join(outDir, 'histograms.json'), 'utf8'));
    expect(hist.points[0].proxy.reference).toHaveLength(2500);
    expect(await readFile(path.join(outDir, 'history.json'), 'utf8')).toContain('val_map');
  });

  it('gives MAP 0 and EMD 0 for a generator that reproduces the reference exactly', async () => {
    // The fake hands back the reference rows in order: evaluate must ask for them with the reference's E_nu.
    const replay: GeneratorLoader = async () => {
      let offset = 0;
      const ref = batches['ref-2']!;
      return {
        backend: 'replay',
        async sample(E_nu) {
          const out = { E_mu: ref.E_mu.slice(offset, offset + E_nu.length), theta: ref.theta.slice(offset, offset + E_nu.length) };
          expect(Array.from(E_nu)).toEqual(Array.from(ref.E_nu.subarray(offset, offset + E_nu.length)));
          offset += E_nu.length;
          return out;
        },
        dispose() {},
      };
    };
    const { result } = await run({ model: 'train', reference: 'ref-2' }, replay);
    const p = (result.summary!.points as { map: number; emd: number }[])[0]!;
    expect(p.map).toBe(0);
    expect(p.emd).toBe(0);
  });

  it('caps the events per point', async () => {
    const { result } = await run({ model: 'train', reference: 'ref-2', events: 1000 });
    expect((result.summary!.points as { events: number }[])[0]!.events).toBe(1000);
  });

  it('names the missing energy when a required fixed energy has no reference', async () => {
    await expect(run({ model: 'train', reference: ['ref-2'], energies: [2, 5] })).rejects.toThrow(/no fixed-energy reference at 5 GeV/);
  });

  it('rejects a reference that is not among its inputs with an InputError', async () => {
    const err = await run({ model: 'train', reference: 'ref-9' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/'ref-9' is not an input/);
  });

  it('lists the model and the references as referenced stages', () => {
    expect(createEvaluateStage(fakeLoader).references!({ model: 'm', reference: ['a', 'b'] })).toEqual(['m', 'a', 'b']);
  });

  it('declares parameter schemas that accept the documented examples and reject typos', () => {
    const ajv = createAjv();
    const ev = ajv.compile(evaluateStage.schema);
    expect(ev({ model: 'tune@nu-argon-10000', reference: ['a', 'b'], events: 1000000, labels: { domain: 'nu-argon', size: 10000, method: 'TL' } })).toBe(true);
    expect(ev({ model: 'm', reference: 'a', energy: [1] })).toBe(false);
    expect(ev({ reference: 'a' })).toBe(false);
    const rep = ajv.compile(reportStage.schema);
    const params: Record<string, unknown> = { detail_energies: [1, 5] };
    expect(rep(params)).toBe(true);
    expect(params.title).toBe('nugan study report');
    expect(rep({ evaluation: ['x'] })).toBe(false);
  });
});
