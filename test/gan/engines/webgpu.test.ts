/**
 * The WebGPU engine passes the shared engine suite wherever Dawn finds an adapter — in CI that is
 * Mesa's lavapipe, a software Vulkan driver (NUGAN_ALLOW_SOFTWARE_GPU semantics: a software adapter
 * is used only because the tests ask for it). CI sets NUGAN_REQUIRE_SOFTWARE_GPU=1, so a machine
 * where the adapter went missing fails here instead of skipping the engine's only tests.
 *
 * Lavapipe compiles each kernel when it first runs, and on a cold Mesa shader cache
 * (~/.cache/mesa_shader_cache) that takes 10–80 s per backward kernel on a busy 2-core machine: the
 * first test of the suite pays for all of them, hence the long timeout. Later runs take seconds.
 */
import { describe, expect, it } from 'vitest';
import { WebGpuEngine } from '../../../src/gan/engines/webgpu/engine.ts';
import { probeGpu } from '../../../src/gan/engines/select.ts';
import { engineSuite } from './engine-suite.ts';

const probe = await probeGpu();

if (probe.found) {
  engineSuite(`webgpu (${probe.adapter.description || probe.adapter.device})`, (a, t) => WebGpuEngine.create({ architecture: a, ...(t ? { training: t } : {}) }), { timeoutMs: 400_000 });
} else if (process.env.NUGAN_REQUIRE_SOFTWARE_GPU === '1') {
  describe('the webgpu engine', () => {
    it('finds a WebGPU adapter (NUGAN_REQUIRE_SOFTWARE_GPU=1)', () => {
      expect.fail(`NUGAN_REQUIRE_SOFTWARE_GPU=1 but ${probe.reason}: install mesa-vulkan-drivers ≥ 25 (lavapipe) and libvulkan1`);
    });
  });
} else {
  describe('the webgpu engine', () => {
    it.skip(`skipped: ${probe.reason}`, () => {});
  });
}
