/**
 * The CPU engine's kernels (kernels.c) as one TypeScript interface, from either build:
 *
 * - `native`: the Node addon scripts/build-native.mjs builds at install (AVX2 + FMA where the CPU has
 *   them); fastest, present where a C compiler and Node's headers were found;
 * - `wasm`: the committed WebAssembly build (128-bit SIMD); runs everywhere Node.js runs.
 *
 * Both take pointers as byte offsets into the engine's arena (a shared WebAssembly.Memory), 0 for
 * null, so the code that drives them (net.ts) is the same for both. `NUGAN_KERNELS=wasm|native`
 * forces one (benchmarks, tests); by default the native build is used when it loads.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KERNELS_WASM_BASE64 } from './kernels-wasm.ts';

/** Byte offset into the arena; 0 stands for a null pointer. */
export type Ptr = number;

export interface Kernels {
  /** 'native-avx2', 'native-sse2', 'native-neon' or 'wasm-simd128'. */
  readonly variant: string;
  dense_fwd(x: Ptr, ldx: number, n: number, k: number, cond: Ptr, W: Ptr, b: Ptr, m: number, y: Ptr, ldy: number): void;
  dense_grad_w(x: Ptr, ldx: number, n: number, k: number, cond: Ptr, dy: Ptr, ldy: number, m: number, gW: Ptr, gb: Ptr): void;
  transpose(W: Ptr, rows: number, cols: number, Wt: Ptr): void;
  normals(out: Ptr, n: number, dim: number, draws: Ptr): void;
  block_fwd(pre: Ptr, n: number, m: number, gamma: Ptr, beta: Ptr, leak: number, drop: Ptr, keepThreshold: number, keepScale: number, noise: Ptr, noiseStd: number, skip: Ptr, ldskip: number, xhat: Ptr, rstd: Ptr, mask: Ptr, h: Ptr, ldh: number): void;
  block_bwd(dh: Ptr, ldh: number, n: number, m: number, gamma: Ptr, beta: Ptr, leak: number, xhat: Ptr, rstd: Ptr, mask: Ptr, dpre: Ptr, dgamma: Ptr, dbeta: Ptr): void;
  add(dst: Ptr, src: Ptr, n: number): void;
  gather(dataX: Ptr, dataC: Ptr, idx: Ptr, n: number, x: Ptr, c: Ptr): void;
  adam(w: Ptr, g: Ptr, shards: number, shardStride: number, m: Ptr, v: Ptr, n: number, lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number): void;
  zero(out: Ptr, n: number): void;
  ema(e: Ptr, w: Ptr, n: number, decay: number): void;
}

export type KernelBuild = 'native' | 'wasm';

type KernelFunctions = Omit<Kernels, 'variant'>;
const NAMES: readonly (keyof KernelFunctions)[] = ['dense_fwd', 'dense_grad_w', 'transpose', 'normals', 'block_fwd', 'block_bwd', 'add', 'gather', 'adam', 'zero', 'ema'];

let wasmModule: WebAssembly.Module | undefined;

/** The compiled WebAssembly module (compiled once per thread; instances share it). */
export function kernelsModule(): WebAssembly.Module {
  wasmModule ??= new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
  return wasmModule;
}

/**
 * An instance of the WebAssembly kernels on `memory`, whose C stack (which the kernels barely use)
 * is the arena region ending at `stackTop`: every thread has its own.
 */
export function wasmKernels(memory: WebAssembly.Memory, stackTop: number): Kernels {
  const instance = new WebAssembly.Instance(kernelsModule(), { env: { memory } });
  const exp = instance.exports as unknown as KernelFunctions & { __stack_pointer: WebAssembly.Global };
  exp.__stack_pointer.value = stackTop;
  const out: Record<string, unknown> = { variant: 'wasm-simd128' };
  for (const name of NAMES) out[name] = exp[name];
  return out as unknown as Kernels;
}

interface NativeAddon {
  variant: string;
  [name: string]: unknown;
}

let native: NativeAddon | null | undefined;
let nativeProblem = '';

/** Where the addon may be: the checkout's build/native, or beside a bundle (dist/). */
function addonCandidates(): string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [
    process.env.NUGAN_NATIVE_KERNELS,
    path.resolve(here, '../../../../build/native/nugan_kernels.node'),
    path.join(here, 'nugan_kernels.node'),
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
}

/** The native addon, or null (with the reason in `nativeKernelsProblem()`). Memoised. */
export function nativeAddon(): NativeAddon | null {
  if (native !== undefined) return native;
  native = null;
  const file = addonCandidates().find((f) => existsSync(f));
  if (!file) {
    nativeProblem = 'the native kernels were not built (npm install builds them where a C compiler and Node headers exist)';
    return native;
  }
  try {
    native = createRequire(import.meta.url)(file) as NativeAddon;
  } catch (err) {
    nativeProblem = `the native kernels at ${file} did not load: ${(err as Error).message.split('\n')[0]}`;
  }
  return native;
}

export function nativeKernelsProblem(): string {
  return nativeProblem;
}

/** The native kernels bound to the arena `memory`. */
export function nativeKernels(memory: WebAssembly.Memory): Kernels {
  const addon = nativeAddon();
  if (!addon) throw new Error(nativeProblem);
  let bytes = new Uint8Array(memory.buffer);
  // The arena can grow (more training data): re-view it when it has, so offsets stay in bounds.
  const arena = (): Uint8Array => {
    if (bytes.byteLength !== memory.buffer.byteLength) bytes = new Uint8Array(memory.buffer);
    return bytes;
  };
  const out: Record<string, unknown> = { variant: addon.variant };
  for (const name of NAMES) {
    const fn = addon[name] as (...args: unknown[]) => void;
    out[name] = (...args: unknown[]) => fn(arena(), ...args);
  }
  return out as unknown as Kernels;
}

/** Which build `NUGAN_KERNELS` and availability select, and why. */
export function chooseKernelBuild(): { build: KernelBuild; reason: string } {
  const forced = process.env.NUGAN_KERNELS;
  if (forced === 'wasm') return { build: 'wasm', reason: 'NUGAN_KERNELS=wasm' };
  if (forced === 'native') {
    if (!nativeAddon()) throw new Error(`NUGAN_KERNELS=native, but ${nativeProblem}`);
    return { build: 'native', reason: 'NUGAN_KERNELS=native' };
  }
  if (forced && forced !== 'auto') throw new Error(`NUGAN_KERNELS=${forced}: expected native, wasm or auto`);
  return nativeAddon() ? { build: 'native', reason: 'native kernels built at install' } : { build: 'wasm', reason: nativeProblem };
}

/** The kernels of `build` for this thread. */
export function loadKernels(build: KernelBuild, memory: WebAssembly.Memory, stackTop: number): Kernels {
  return build === 'native' ? nativeKernels(memory) : wasmKernels(memory, stackTop);
}
