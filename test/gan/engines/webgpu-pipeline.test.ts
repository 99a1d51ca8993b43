/**
 * `nugan run` of a tiny pipeline with `device: gpu` trains and evaluates on the WebGPU engine. Where
 * the only adapter is Mesa's lavapipe (CI), NUGAN_ALLOW_SOFTWARE_GPU=1 lets `device: gpu` take it;
 * CI's NUGAN_REQUIRE_SOFTWARE_GPU=1 makes a missing adapter a failure rather than a skip.
 *
 * The network is the engine suite's (engine-suite.ts SUITE_ARCHITECTURE), so its kernels are the
 * ones lavapipe has already compiled for the suite (Mesa's shader cache): a new shape costs lavapipe
 * tens of seconds per kernel on a busy 2-core machine.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeGpu } from '../../../src/gan/engines/select.ts';
import { Rig } from '../../cli/rig.ts';

const probe = await probeGpu();

const PIPELINE = `name: webgpu-tiny
stages:
  data:
    uses: simulate
    with: { domain: nu-carbon, events: 3000, enu: { uniform: [0.3, 10] } }
  ref:
    uses: simulate
    with: { domain: nu-carbon, events: 2000, enu: 1 }
  gan:
    uses: train
    with: { data: data, device: gpu, epochs: 2, batch: 256, architecture: { blocks: 3, width: 16, latent: 4, dropout: 0.1, noise: 0.05 }, val_events: 300 }
  eval:
    uses: evaluate
    with: { model: gan, device: gpu, reference: [ref], labels: { domain: nu-carbon, size: 3000, method: scratch } }
`;

describe.runIf(probe.found || process.env.NUGAN_REQUIRE_SOFTWARE_GPU === '1')('a pipeline with device: gpu', () => {
  const rig = new Rig();
  afterAll(() => rig.cleanup());

  it('trains and evaluates on the WebGPU engine, and the train summary names it with its adapter', async () => {
    expect(probe.found, probe.found ? '' : probe.reason).toBe(true);
    const file = join(rig.dir, 'webgpu.yaml');
    writeFileSync(file, PIPELINE);
    const r = await rig.runJson(['run', file, '--store', rig.store], { NUGAN_ALLOW_SOFTWARE_GPU: '1' });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const manifest = (id: string) => {
      const s = r.doc.stages.find((x) => x.id === id)!;
      return JSON.parse(readFileSync(join(dirname(Object.values(s.outputs)[0]!), 'manifest.json'), 'utf8')) as { summary: Record<string, unknown> };
    };
    const train = manifest('gan').summary;
    expect(train.engine).toBe('webgpu');
    expect(train.kernels).toBe('wgsl');
    expect(train.adapter).toMatchObject({ vendor: expect.any(String), description: expect.stringMatching(/./) });
    expect(train.val_map).toEqual(expect.any(Number));
    const evaluation = manifest('eval').summary;
    expect(evaluation.engine).toBe('webgpu');
  }, 400_000);
});

describe.skipIf(probe.found || process.env.NUGAN_REQUIRE_SOFTWARE_GPU === '1')('a pipeline with device: gpu (no adapter)', () => {
  it.skip(`skipped: ${probe.found ? '' : probe.reason}`, () => {});
});
