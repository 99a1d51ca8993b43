/**
 * GAN throughput, default architecture: training events/s (one event = one real event through a D
 * and a G update) at batch 1024 and 8192, and generation events/s — for the CPU engine on 1 thread
 * and on all the threads this process may use, in each kernel build; and, side by side, PyTorch's on
 * the same machine when python3 can import torch (bench/torch_gan.py mirrors the architecture).
 *
 * First the WebGPU engine's numbers where Dawn finds an adapter (bench/gan/webgpu.ts).
 *
 * BENCH_QUICK=1 shortens every measurement; BENCH_THREADS=1,2,4,8,16 measures a thread-scaling
 * curve at batch 8192 instead of just 1 and all; BENCH_GAN=webgpu runs only the WebGPU section
 * (a GPU machine), BENCH_GAN=cpu only the CPU engine's.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ARCHITECTURE, generatorBytes, initialWeights } from '../src/gan/architecture.ts';
import { CpuEngine } from '../src/gan/engines/cpu/engine.ts';
import { nativeAddon, type KernelBuild } from '../src/gan/engines/cpu/kernels.ts';
import { freshState, type ProxyData } from '../src/gan/engines/engine.ts';
import { availableThreads } from '../src/util/cpus.ts';
import { Rng } from '../src/util/rng.ts';
import { webgpuSection } from './gan/webgpu.ts';

const quick = process.env.BENCH_QUICK === '1';
/** The default architecture with dropout 0.1: the network the issue's and PyTorch's reference numbers are for. */
const architecture = { ...DEFAULT_ARCHITECTURE, dropout: 0.1 };

function line(text: string): void {
  process.stdout.write(text + '\n');
}

function data(n: number, seed: number): ProxyData {
  const r = new Rng(seed);
  return { cond: Float32Array.from({ length: n }, () => 2 * r.next() - 1), x: Float32Array.from({ length: 2 * n }, () => 1.6 * r.next() - 0.8), n };
}

/** Training events/s of the CPU engine: one warm-up epoch of 2 steps, then a timed epoch of `steps`. */
async function train(build: KernelBuild, threads: number, batch: number, seconds: number): Promise<number> {
  const optimizer = { lr_g: 1e-4, lr_d: 2e-4, beta1: 0.5, beta2: 0.999, eps: 1e-7 };
  const engine = await CpuEngine.create({ architecture, threads, build, training: { optimizer, frozen: { generator: [], discriminator: [] }, batch } });
  try {
    await engine.setState(freshState(initialWeights(architecture, 1)));
    const warm = await (async () => {
      const d = data(2 * batch, 1);
      await engine.setTrainingData(d);
      return engine.trainEpoch({ seed: 1, epoch: 1, order: Uint32Array.from({ length: d.n }, (_, i) => i), steps: 2 });
    })();
    // Size the timed epoch from the warm-up's speed.
    const steps = Math.max(2, Math.round((seconds * 2) / warm.seconds));
    const d = data(steps * batch, 2);
    await engine.setTrainingData(d);
    const s = await engine.trainEpoch({ seed: 1, epoch: 2, order: Uint32Array.from({ length: d.n }, (_, i) => i), steps });
    return (steps * batch) / s.seconds;
  } finally {
    await engine.dispose();
  }
}

async function generate(build: KernelBuild, threads: number, seconds: number): Promise<number> {
  const engine = await CpuEngine.create({ architecture, threads, build });
  try {
    await engine.setState(freshState(initialWeights(architecture, 1)));
    const warmN = 1 << 16;
    const t0 = performance.now();
    await engine.generate(new Float32Array(warmN).fill(0.1), 1);
    const rate = warmN / ((performance.now() - t0) / 1000);
    const n = Math.max(warmN, Math.round(rate * seconds));
    const cond = new Float32Array(n).fill(0.1);
    const t1 = performance.now();
    await engine.generate(cond, 2);
    return n / ((performance.now() - t1) / 1000);
  } finally {
    await engine.dispose();
  }
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/** PyTorch's numbers from bench/torch_gan.py for `threads`, or why there are none. */
function torch(threads: number): { train1024?: number; train8192?: number; generate?: number; version?: string; note?: string } {
  const script = fileURLToPath(new URL('./torch_gan.py', import.meta.url));
  const r = spawnSync('python3', [script, String(threads), quick ? 'quick' : 'full'], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return { note: (r.stderr || r.error?.message || 'python3 failed').trim().split('\n').pop() };
  return JSON.parse(r.stdout) as ReturnType<typeof torch>;
}

export async function bench(): Promise<void> {
  const all = availableThreads();
  const seconds = quick ? 1 : 4;
  const only = process.env.BENCH_GAN;
  if (only !== 'cpu') {
    line(`architecture: ${architecture.blocks} blocks × ${architecture.width}, latent ${architecture.latent}, dropout ${architecture.dropout}`);
    await webgpuSection(architecture, seconds, line);
    if (only === 'webgpu') return;
  }
  const builds: KernelBuild[] = nativeAddon() ? ['native', 'wasm'] : ['wasm'];
  line(`architecture: ${architecture.blocks} blocks × ${architecture.width}, latent ${architecture.latent}, ${architecture.normalisation} norm, dropout ${architecture.dropout}; generator ${(generatorBytes(architecture) / 1024).toFixed(0)} kB; ${all} threads available`);
  const results = new Map<string, number>();
  for (const build of builds) {
    const threadCounts = [...new Set([1, all])];
    for (const threads of threadCounts) {
      for (const batch of [1024, 8192]) {
        const r = await train(build, threads, batch, seconds);
        results.set(`${build}/${threads}/${batch}`, r);
        line(`train cpu ${build.padEnd(6)} threads ${String(threads).padStart(2)} batch ${batch}: ${fmt(r).padStart(9)} events/s${threads > 1 ? `  (${(r / results.get(`${build}/1/${batch}`)!).toFixed(2)}× one thread)` : ''}`);
      }
      const g = await generate(build, threads, seconds);
      results.set(`${build}/${threads}/gen`, g);
      line(`generate cpu ${build.padEnd(6)} threads ${String(threads).padStart(2)}: ${fmt(g).padStart(11)} events/s${threads > 1 ? `  (${(g / results.get(`${build}/1/gen`)!).toFixed(2)}× one thread)` : ''}`);
    }
  }
  const scaling = process.env.BENCH_THREADS?.split(',').map(Number).filter((t) => Number.isInteger(t) && t > 0);
  if (scaling?.length) {
    const build = builds[0]!;
    let one = 0;
    for (const t of scaling) {
      const r = await train(build, t, 8192, seconds);
      if (t === 1) one = r;
      line(`scaling ${build} batch 8192 threads ${String(t).padStart(2)}: ${fmt(r).padStart(9)} events/s${one ? `  (${(r / one).toFixed(2)}× one thread, efficiency ${((r / one / t) * 100).toFixed(0)} %)` : ''}`);
    }
  }
  // PyTorch on the same machine, per thread count, beside nugan's best build.
  const best = builds[0]!;
  for (const threads of [...new Set([1, all])]) {
    const t = torch(threads);
    if (t.note) {
      line(`torch threads ${threads}: skipped (${t.note})`);
      break;
    }
    const ratio = (ours: number | undefined, theirs: number | undefined) => (ours && theirs ? `  nugan/torch ${(ours / theirs).toFixed(2)}` : '');
    line(`torch ${t.version} cpu threads ${threads}: train batch 1024 ${fmt(t.train1024!)}${ratio(results.get(`${best}/${threads}/1024`), t.train1024)}; batch 8192 ${fmt(t.train8192!)}${ratio(results.get(`${best}/${threads}/8192`), t.train8192)}; generate ${fmt(t.generate!)}${ratio(results.get(`${best}/${threads}/gen`), t.generate)} events/s`);
  }
}
