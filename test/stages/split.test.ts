import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StageContext, UpstreamArtifact } from '../../src/contract/stage.ts';
import { type EventBatch } from '../../src/io/event-batch.ts';
import { readEventTable, writeEventTable } from '../../src/io/event-table.ts';
import { splitEventTable, splitSizes } from '../../src/io/split.ts';
import { splitStage, type SplitParams } from '../../stages/split.ts';
import { listDir, tempDir } from '../io/fixtures.ts';

/** A table whose E_nu values are all distinct (E_nu = 0.3 + i·1e-4 GeV), so events can be traced. */
async function table(n: number): Promise<string> {
  const file = path.join(tempDir(), 'all.arrow');
  const b: EventBatch = { E_nu: new Float64Array(n), E_mu: new Float64Array(n), theta: new Float64Array(n), channel: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    b.E_nu[i] = 0.3 + i * 1e-4;
    b.E_mu[i] = b.E_nu[i]! / 2;
    b.theta[i] = (i % 314) / 100;
    b.channel![i] = i % 5;
  }
  await writeEventTable(file, b, { source: 'synthetic', domain: 'nu-carbon' });
  return file;
}

function context(params: SplitParams, up: UpstreamArtifact, outDir: string): StageContext<SplitParams> {
  return {
    id: 'split', kind: 'split', params, inputs: { [up.id]: up }, outDir, scratchDir: `${outDir}.scratch`, pipelineDir: '/', seed: 5,
    signal: new AbortController().signal,
    progress: { total() {}, advance() {}, message() {} },
    log() {}, cpus: 1, gpus: [],
  };
}

async function values(file: string): Promise<number[]> {
  return Array.from((await readEventTable(file)).events.E_nu);
}

describe('split', () => {
  it('sizes add up to N with val and test rounded', () => {
    expect(splitSizes(10_000, { train: 0.8, val: 0.1, test: 0.1 })).toEqual({ train: 8000, val: 1000, test: 1000 });
    expect(splitSizes(7, { train: 0.5, val: 0.25, test: 0.25 })).toEqual({ train: 3, val: 2, test: 2 });
  });

  it('subsamples exactly N events into disjoint splits of the requested sizes', async () => {
    const input = await table(20_000);
    const dir = tempDir();
    const out = { train: path.join(dir, 'tr.arrow'), val: path.join(dir, 'va.arrow'), test: path.join(dir, 'te.arrow') };
    const s = await splitEventTable(input, out, { fractions: { train: 0.7, val: 0.2, test: 0.1 }, events: 5000, seed: 3 });
    expect(s).toMatchObject({ input: 20_000, in_window: 20_000, selected: 5000, counts: { train: 3500, val: 1000, test: 500 } });
    const tr = await values(out.train);
    const va = await values(out.val);
    const te = await values(out.test);
    expect([tr.length, va.length, te.length]).toEqual([3500, 1000, 500]);
    expect(new Set([...tr, ...va, ...te]).size).toBe(5000);
    // A uniform subsample of 0.3 + i·1e-4 has a mean near the middle of the table (σ ≈ 0.008 GeV).
    const mean = [...tr, ...va, ...te].reduce((a, b) => a + b, 0) / 5000;
    expect(Math.abs(mean - (0.3 + 1e-4 * 9999.5))).toBeLessThan(0.04);
  });

  it('gives identical files for the same seed and different ones for another seed', async () => {
    const input = await table(3000);
    const run = async (seed: number) => {
      const dir = tempDir();
      const out = { train: path.join(dir, 'a.arrow'), val: path.join(dir, 'b.arrow'), test: path.join(dir, 'c.arrow') };
      await splitEventTable(input, out, { fractions: { train: 0.8, val: 0.1, test: 0.1 }, events: 1000, seed });
      return readFileSync(out.train);
    };
    const a = await run(11);
    expect((await run(11)).equals(a)).toBe(true);
    expect((await run(12)).equals(a)).toBe(false);
  });

  it('keeps only events inside the E_nu window', async () => {
    const input = await table(10_000); // E_nu from 0.3 to 1.2999 GeV
    const dir = tempDir();
    const out = { train: path.join(dir, 'a.arrow'), val: path.join(dir, 'b.arrow'), test: path.join(dir, 'c.arrow') };
    const s = await splitEventTable(input, out, { fractions: { train: 1, val: 0, test: 0 }, enu_window: [0.45, 0.55], seed: 1 });
    const tr = await values(out.train);
    expect(tr.length).toBe(s.in_window);
    expect(s.in_window).toBeGreaterThan(990);
    expect(s.in_window).toBeLessThan(1010);
    expect(Math.min(...tr)).toBeGreaterThanOrEqual(0.45);
    expect(Math.max(...tr)).toBeLessThanOrEqual(0.55);
  });

  it('refuses more events than the window holds and writes nothing', async () => {
    const input = await table(1000);
    const dir = tempDir();
    const out = { train: path.join(dir, 'a.arrow'), val: path.join(dir, 'b.arrow'), test: path.join(dir, 'c.arrow') };
    await expect(splitEventTable(input, out, { fractions: { train: 0.8, val: 0.1, test: 0.1 }, events: 5000, seed: 1 })).rejects.toThrow(/asked for 5000 events but the table has only 1000/);
    await expect(splitEventTable(input, out, { fractions: { train: 0.8, val: 0.3, test: 0.1 }, seed: 1 })).rejects.toThrow(/fractions .* expected 1/);
    expect(listDir(dir)).toEqual([]);
  });

  it('stage: names its upstream as a reference and writes train/val/test from its events output', async () => {
    expect(splitStage.references!({ data: 'base-data' })).toEqual(['base-data']);
    const input = await table(2000);
    const up: UpstreamArtifact = { id: 'base-data', kind: 'ingest', key: 'k', dir: path.dirname(input), outputs: { events: input }, summary: {} };
    const out = tempDir();
    const res = await splitStage.run(context({ data: 'base-data', events: 1000, train: 0.8, val: 0.1, test: 0.1 }, up, out));
    expect(res.outputs).toEqual({ train: 'train.arrow', val: 'val.arrow', test: 'test.arrow' });
    expect(res.summary).toMatchObject({ selected: 1000, counts: { train: 800, val: 100, test: 100 }, seed: 5 });
    const t = await readEventTable(path.join(out, 'train.arrow'));
    expect(t.events.channel?.length).toBe(800);
    expect(t.meta).toMatchObject({ domain: 'nu-carbon', split: 'train', seed: 5 });
  });
});
