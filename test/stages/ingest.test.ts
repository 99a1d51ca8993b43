import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, type StageContext } from '../../src/contract/stage.ts';
import { readEventMeta, readEventTable } from '../../src/io/event-table.ts';
import { ingestStage, type IngestParams } from '../../stages/ingest.ts';
import { hasNuwroSample, listDir, nuwroSample, SKIP_SHARED, tempDir } from '../io/fixtures.ts';

function context(params: IngestParams, pipelineDir: string, outDir: string): StageContext<IngestParams> & { lines: string[]; advanced: number } {
  const ctx = {
    id: 'data',
    kind: 'ingest',
    params,
    inputs: {},
    outDir,
    scratchDir: `${outDir}.scratch`,
    pipelineDir,
    seed: 1,
    signal: new AbortController().signal,
    lines: [] as string[],
    advanced: 0,
    progress: { total() {}, advance(n = 1) { ctx.advanced += n; }, message() {} },
    log(line: string) { ctx.lines.push(line); },
    cpus: 1,
    gpus: [],
  };
  return ctx;
}

describe('ingest stage', () => {
  it('declares its files as external inputs so their contents enter the cache key', () => {
    expect(ingestStage.externalInputs!({ file: 'a.root' })).toEqual(['a.root']);
    expect(ingestStage.externalInputs!({ files: ['a.0.root', 'a.1.root'] })).toEqual(['a.0.root', 'a.1.root']);
  });

  it('reads text files relative to the pipeline directory into events.arrow with counts in the summary', async () => {
    const pipe = tempDir();
    const out = tempDir();
    writeFileSync(path.join(pipe, 'a.csv'), 'E_nu[MeV],E_mu[MeV],theta\n1000,500,0.1\n2000,1995,0.2\n');
    writeFileSync(path.join(pipe, 'b.csv'), 'E_nu,E_mu,theta\n3,1,0.3\n');
    const ctx = context({ files: ['a.csv', 'b.csv'], domain: 'nu-argon' }, pipe, out);
    const res = await ingestStage.run(ctx);
    expect(res.outputs).toEqual({ events: 'events.arrow' });
    expect(res.summary).toMatchObject({ events: 3, read: 3, kept: 3, outside_proxy_domain: 1, domain: 'nu-argon' });
    const t = await readEventTable(path.join(out, 'events.arrow'));
    expect(Array.from(t.events.E_nu)).toEqual([1, 2, 3]);
    expect(t.meta).toMatchObject({ domain: 'nu-argon', source: 'a.csv, b.csv' });
    expect(ctx.advanced).toBe(3);
  });

  it('leaves the output directory empty when an input is malformed', async () => {
    const pipe = tempDir();
    const out = tempDir();
    writeFileSync(path.join(pipe, 'bad.csv'), 'E_nu,E_mu,theta\n1,0.5,0.1\n1,2,0.1\n');
    const err = await ingestStage.run(context({ file: 'bad.csv' }, pipe, out)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).render()).toMatch(/bad\.csv:3: muon energy E_mu = 2 GeV exceeds/);
    expect(listDir(out)).toEqual([]);
  });

  it.skipIf(!hasNuwroSample)(`ingests the NuWro sample with per-reason drop counts (${hasNuwroSample ? 'reads ../shared' : SKIP_SHARED})`, async () => {
    const out = tempDir();
    const res = await ingestStage.run(context({ file: nuwroSample, domain: 'nu-carbon' }, '/', out));
    expect(res.summary).toMatchObject({ events: 74, read: 100, kept: 74, dropped: { NC: 26 }, outside_proxy_domain: 0 });
    const meta = await readEventMeta(path.join(out, 'events.arrow'));
    expect(meta).toMatchObject({ count: 74, domain: 'nu-carbon', format: 'nuwro-root', ingest: { read: 100, kept: 74 } });
  });
});
