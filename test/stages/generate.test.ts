import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageContext, UpstreamArtifact } from '../../src/contract/stage.ts';
import { readEventTable } from '../../src/io/event-table.ts';
import { M_MU, OMEGA_MIN } from '../../src/physics/constants.ts';
import { DEFAULT_ARCHITECTURE, initialWeights } from '../../src/gan/architecture.ts';
import { proxyInfo, saveModel } from '../../src/gan/model.ts';
import { loadGenerator } from '../../src/gan/sampler.ts';
import generateCommand from '../../src/cli/commands/generate.ts';
import { generateStage, type GenerateParams } from '../../stages/generate.ts';

let root = '';
let modelDir = '';
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'nugan-generate-'));
  modelDir = path.join(root, 'model');
  const architecture = { ...DEFAULT_ARCHITECTURE, blocks: 2, width: 16, latent: 4 };
  await saveModel(modelDir, initialWeights(architecture, 4), { format: 'nugan-model', version: 1, architecture, proxy: proxyInfo(), E_range: [0.3, 10], backend: 'cpu', seed: 4, epoch: 1, select: 'map', domain: 'nu-argon' });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function context(p: GenerateParams, outDir: string): StageContext<GenerateParams> {
  const up: UpstreamArtifact = { id: 'base', kind: 'train', key: 'k', dir: root, outputs: { model: modelDir }, summary: {} };
  return { id: 'gen', kind: 'generate', params: p, inputs: { base: up }, outDir, scratchDir: `${outDir}.scratch`, pipelineDir: '/', seed: 3, signal: new AbortController().signal, progress: { total() {}, advance() {}, message() {} }, log() {}, cpus: 1, gpus: [] };
}

describe('generate stage', () => {
  it('writes N physical events for an E_nu range, the same for the same seed', async () => {
    const p: GenerateParams = { model: 'base', enu: { uniform: [0.5, 3] }, events: 40000, format: 'arrow', device: 'cpu' };
    await mkdir(path.join(root, 'g1'));
    await mkdir(path.join(root, 'g2'));
    const a = await generateStage.run(context(p, path.join(root, 'g1')));
    await generateStage.run(context(p, path.join(root, 'g2')));
    const t1 = await readEventTable(path.join(root, 'g1', a.outputs.events!));
    const t2 = await readEventTable(path.join(root, 'g2', a.outputs.events!));
    expect(t1.events.E_nu.length).toBe(40000);
    expect(t1.events.E_mu).toEqual(t2.events.E_mu);
    expect(t1.meta.domain).toBe('nu-argon');
    for (let i = 0; i < 40000; i++) {
      const e = t1.events.E_nu[i]!;
      expect(e >= 0.5 && e <= 3).toBe(true);
      const mu = t1.events.E_mu[i]!;
      if (!(mu >= M_MU - 1e-9 && mu <= e - OMEGA_MIN + 1e-9)) throw new Error(`E_mu ${mu} outside [m_mu, E_nu − omega_min] at ${i}`);
      const th = t1.events.theta[i]!;
      if (!(th >= 0 && th <= Math.PI)) throw new Error(`theta ${th} outside [0, π] at ${i}`);
    }
    expect(generateStage.references!(p)).toEqual(['base']);
  }, 30_000);
});

describe('nugan generate', () => {
  it('writes CSV at a fixed E_nu and changes the events with the seed', async () => {
    const out1 = path.join(root, 'a.csv');
    const out2 = path.join(root, 'b.csv');
    expect(await generateCommand(['--model', modelDir, '--enu', '1.5', '--events', '1000', '--seed', '7', '--device', 'cpu', '--out', out1])).toBe(0);
    expect(await generateCommand(['--model', modelDir, '--enu', '1.5', '--events', '1000', '--seed', '8', '--device', 'cpu', '--out', out2])).toBe(0);
    const a = await readEventTable(out1);
    const b = await readEventTable(out2);
    expect(Array.from(a.events.E_nu).every((e) => Math.abs(e - 1.5) < 1e-12)).toBe(true);
    expect(a.events.E_mu).not.toEqual(b.events.E_mu);
  });

  it('has an in-process sampler that repeats its events for one seed and changes them with another', async () => {
    const g = await loadGenerator(modelDir, { device: 'cpu', threads: 2 });
    expect(g.engine.engine).toBe('cpu');
    expect(g.engine.threads).toBe(2);
    const E = new Float64Array(20000).fill(2);
    const whole = await g.sample(E, 42);
    const again = await g.sample(E, 42);
    const other = await g.sample(E, 43);
    expect(again.theta).toEqual(whole.theta);
    expect(other.theta).not.toEqual(whole.theta);
    // In two calls, the second starting at event 5000, the same events come out.
    const head = await g.sample(E.subarray(0, 5000), 42, 0);
    const tail = await g.sample(E.subarray(5000), 42, 5000);
    expect([...head.theta, ...tail.theta]).toEqual([...whole.theta]);
    await g.dispose();
  });

  it('rejects giving both --enu and --enu-range', async () => {
    await expect(generateCommand(['--model', modelDir, '--enu', '1', '--enu-range', '1:2', '--events', '10', '--out', path.join(root, 'x.csv')])).rejects.toThrow(/exactly one/);
    expect((await readdir(root)).includes('x.csv')).toBe(false);
  });

  it('names a directory that is not a model', async () => {
    await expect(generateCommand(['--model', root, '--enu', '1', '--events', '10', '--out', path.join(root, 'y.csv')])).rejects.toThrow(/nugan-model.json/);
  });
});
