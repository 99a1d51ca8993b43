/**
 * Device selection: `auto` never takes a software renderer for a GPU, `gpu` refuses one unless
 * NUGAN_ALLOW_SOFTWARE_GPU=1, and nothing Dawn prints reaches the user. CI installs Mesa's Vulkan
 * driver (lavapipe/llvmpipe) and sets NUGAN_REQUIRE_SOFTWARE_GPU=1 so these run there; elsewhere
 * the parts that need it skip, saying why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ARCHITECTURE, initialWeights } from '../../../src/gan/architecture.ts';
import { proxyInfo, saveModel } from '../../../src/gan/model.ts';
import { chooseEngine, isSoftwareAdapter, probeGpu } from '../../../src/gan/engines/select.ts';
import { readEventTable } from '../../../src/io/event-table.ts';
import { Rig } from '../../cli/rig.ts';

const probe = await probeGpu();
const software = probe.found && probe.adapter.software;
const requireSoftware = process.env.NUGAN_REQUIRE_SOFTWARE_GPU === '1';

describe('classifying WebGPU adapters', () => {
  it('calls llvmpipe/lavapipe, SwiftShader and fallback adapters software, and real GPUs not', () => {
    expect(isSoftwareAdapter({ vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7', isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', architecture: '', device: 'llvmpipe (LLVM 15.0.6, 256 bits)', description: '' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'google', architecture: '', device: 'SwiftShader Device (Subzero)', description: 'SwiftShader' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H200', description: 'NVIDIA H200 (driver 570.124)', isFallbackAdapter: false })).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'amd', architecture: 'rdna-3', device: 'AMD Radeon RX 7900 XTX', description: '' })).toBe(false);
  });

  it('keeps device: cpu off the GPU without probing', async () => {
    expect(await chooseEngine('cpu')).toEqual({ engine: 'cpu', device: 'cpu', reason: 'device: cpu' });
  });
});

describe.runIf(software || requireSoftware)('on a machine whose only WebGPU adapter is a software renderer', () => {
  it('is seen as software', () => {
    expect(probe.found && probe.adapter.software).toBe(true);
  });

  it('device: auto takes the CPU and says why', async () => {
    const c = await chooseEngine('auto');
    expect(c.engine).toBe('cpu');
    expect(c.reason).toMatch(/software renderer: using the CPU/);
  });

  it('device: gpu refuses, naming what it found, unless NUGAN_ALLOW_SOFTWARE_GPU=1', async () => {
    await expect(chooseEngine('gpu')).rejects.toThrow(/device: gpu, but the only WebGPU adapter is .*(llvmpipe|lavapipe).*, a software renderer/);
    process.env.NUGAN_ALLOW_SOFTWARE_GPU = '1';
    try {
      expect((await chooseEngine('gpu')).engine).toBe('webgpu');
    } finally {
      delete process.env.NUGAN_ALLOW_SOFTWARE_GPU;
    }
  });

  describe('nugan generate', () => {
    const rig = new Rig();
    const dir = mkdtempSync(path.join(tmpdir(), 'nugan-select-'));
    const model = path.join(dir, 'model');
    afterAll(() => {
      rig.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('generates 1M events on the CPU by default, says why, and prints nothing of Dawn', async () => {
      const architecture = { ...DEFAULT_ARCHITECTURE, blocks: 2, width: 32 };
      await saveModel(model, initialWeights(architecture, 1), { format: 'nugan-model', version: 1, architecture, proxy: proxyInfo(), E_range: [0.3, 10], backend: 'cpu', seed: 1, epoch: 1, select: 'map' });
      const out = path.join(dir, 'events.arrow');
      const r = await rig.run(['generate', '--model', model, '--enu-range', '0.3:10', '--events', '1000000', '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/wrote 1000000 events .* on cpu: CPU, \d+ threads? .*software renderer: using the CPU/);
      expect(r.stderr).not.toMatch(/Warning|artificially reduced/);
      expect((await readEventTable(out)).events.E_nu.length).toBe(1_000_000);
    }, 120_000);

    it('refuses --device gpu with a clear message and exit code 1, leaving no output', async () => {
      const out = path.join(dir, 'refused.arrow');
      const r = await rig.run(['generate', '--model', model, '--enu', '1', '--events', '1000', '--device', 'gpu', '--out', out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/device: gpu, but the only WebGPU adapter is .*software renderer/);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stderr).not.toMatch(/Warning|artificially reduced/);
    }, 60_000);
  });
});

describe.skipIf(software || requireSoftware)('without a software WebGPU adapter', () => {
  it.skip(`skipped: the llvmpipe tests need Mesa's Vulkan driver (Debian mesa-vulkan-drivers ≥ 25 from bookworm-backports); probe: ${probe.found ? 'a hardware adapter' : probe.reason}`, () => {});
});
