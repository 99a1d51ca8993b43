/**
 * The CPU engine in each kernel build passes the shared engine suite; and what is particular to it:
 * the thread count never changes a result, and the committed WebAssembly build is the current source's.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { initialWeights } from '../../../src/gan/architecture.ts';
import { CpuEngine } from '../../../src/gan/engines/cpu/engine.ts';
import { KERNELS_SOURCE_SHA256 } from '../../../src/gan/engines/cpu/kernels-wasm.ts';
import { nativeAddon, nativeKernelsProblem } from '../../../src/gan/engines/cpu/kernels.ts';
import { freshState } from '../../../src/gan/engines/engine.ts';
import { engineSuite, SUITE_ARCHITECTURE, suiteData, suiteTraining } from './engine-suite.ts';

engineSuite('cpu (WebAssembly kernels, 1 thread)', (a, t) => CpuEngine.create({ architecture: a, threads: 1, build: 'wasm', ...(t ? { training: t } : {}) }));
engineSuite('cpu (WebAssembly kernels, 3 threads)', (a, t) => CpuEngine.create({ architecture: a, threads: 3, build: 'wasm', ...(t ? { training: t } : {}) }));

// The native build exists where `npm install` found a C compiler and Node's headers. CI requires it
// (NUGAN_REQUIRE_NATIVE=1) so that the fast path is always tested there.
const native = nativeAddon();
if (native || process.env.NUGAN_REQUIRE_NATIVE === '1') {
  engineSuite('cpu (native kernels, 2 threads)', (a, t) => CpuEngine.create({ architecture: a, threads: 2, build: 'native', ...(t ? { training: t } : {}) }));
} else {
  describe('cpu (native kernels)', () => {
    it.skip(`skipped: ${nativeKernelsProblem()}`, () => {});
  });
}

describe('the cpu engine', () => {
  const builds = native ? (['wasm', 'native'] as const) : (['wasm'] as const);
  for (const build of builds) {
    it(`gives bit-identical models on 1, 2 and 5 threads (${build} kernels)`, async () => {
      const data = suiteData(3000, 2);
      const training = suiteTraining({ batch: 1000 });
      const states = [];
      for (const threads of [1, 2, 5]) {
        const engine = await CpuEngine.create({ architecture: SUITE_ARCHITECTURE, training, threads, build });
        try {
          await engine.setState(freshState(initialWeights(SUITE_ARCHITECTURE, 1)));
          await engine.setTrainingData(data);
          for (let epoch = 1; epoch <= 2; epoch++) await engine.trainEpoch({ seed: 4, epoch, order: Uint32Array.from({ length: data.n }, (_, i) => (i * 11 + epoch) % data.n), steps: 3 });
          states.push(await engine.getState());
          expect(engine.info.threads).toBe(threads);
        } finally {
          await engine.dispose();
        }
      }
      const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
      for (const s of states.slice(1)) {
        expect(bytes(s.weights.G).equals(bytes(states[0]!.weights.G))).toBe(true);
        expect(bytes(s.weights.D).equals(bytes(states[0]!.weights.D))).toBe(true);
      }
    }, 60_000);
  }

  it('runs the WebAssembly build of the current kernels.c (rebuild with node scripts/build-kernels.mjs)', () => {
    const source = readFileSync(new URL('../../../src/gan/engines/cpu/kernels.c', import.meta.url));
    expect(createHash('sha256').update(source).digest('hex')).toBe(KERNELS_SOURCE_SHA256);
  });
});
