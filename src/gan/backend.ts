/**
 * Backend selection for training and sampling, in one place.
 *
 * - `nugan-cpu`: nugan's own Float32Array engine (engine.ts) — the CPU path for training and sampling.
 * - `tfjs-webgpu`: tfjs's WebGPU backend through Dawn's `webgpu` package, when a GPU adapter exists
 *   (used to sample a saved LayersModel on the GPU).
 * tfjs-node / tfjs-node-gpu are not dependencies (their native installs need network and CUDA at
 * install time), so they are not probed.
 *
 * `device: auto` takes the GPU when an adapter exists, else the CPU, recording why; `device: gpu`
 * without an adapter is an error; `device: cpu` never touches the GPU.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../contract/stage.ts';

export type Device = 'auto' | 'gpu' | 'cpu';
export type BackendName = 'nugan-cpu' | 'tfjs-webgpu';

export interface BackendChoice {
  name: BackendName;
  device: Device;
  /** Why this backend was chosen (e.g. "no WebGPU adapter: Dawn found no GPU"). */
  reason: string;
}

/**
 * On Linux Dawn reaches the GPU through the Vulkan loader; without one it prints a warning to stderr
 * on every probe. Looking for the loader first keeps CPU-only machines quiet.
 */
function vulkanLoaderMissing(): boolean {
  if (process.platform !== 'linux') return false;
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/lib/x86_64-linux-gnu'];
  return !dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

let probe: Promise<{ ok: boolean; reason: string; adapter?: string }> | undefined;

/** Whether Dawn finds a WebGPU adapter (memoised; never throws). */
export function probeWebGpu(): Promise<{ ok: boolean; reason: string; adapter?: string }> {
  probe ??= (async () => {
    if (vulkanLoaderMissing()) return { ok: false, reason: 'no WebGPU adapter: no Vulkan loader (libvulkan.so.1) on this machine' };
    try {
      const mod = (await import('webgpu')) as { create(opts: string[]): GPU; globals: Record<string, unknown> };
      for (const [k, v] of Object.entries(mod.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
      const gpu = mod.create([]);
      const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter) return { ok: false, reason: 'no WebGPU adapter: Dawn found no GPU' };
      // Make tfjs-backend-webgpu find it.
      if (!('navigator' in globalThis) || !(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) {
        Object.defineProperty(globalThis, 'navigator', { value: { ...(globalThis as { navigator?: object }).navigator, gpu }, configurable: true, writable: true });
      }
      const info = (adapter as unknown as { info?: { vendor?: string; architecture?: string; description?: string } }).info;
      return { ok: true, reason: 'WebGPU adapter found', adapter: [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') };
    } catch (err) {
      return { ok: false, reason: `WebGPU unavailable: ${(err as Error).message.split('\n')[0]}` };
    }
  })();
  return probe;
}

/** Picks the sampling backend for `device`. */
export async function chooseSamplingBackend(device: Device = 'auto'): Promise<BackendChoice> {
  if (device === 'cpu') return { name: 'nugan-cpu', device, reason: 'device: cpu' };
  const gpu = await probeWebGpu();
  if (gpu.ok) return { name: 'tfjs-webgpu', device, reason: `${gpu.reason}${gpu.adapter ? ` (${gpu.adapter})` : ''}` };
  if (device === 'gpu') throw new InputError(`device: gpu was requested but ${gpu.reason}`);
  return { name: 'nugan-cpu', device, reason: `${gpu.reason}; fell back to the CPU` };
}

/**
 * Picks the training backend. Training always runs on the nugan-cpu engine: a WebGPU training engine
 * (fused WGSL kernels) is not written yet, and tfjs's generic WebGPU training step is slower than
 * this engine for these model sizes (issue 5's measurements). `device: gpu` without an adapter is
 * still an error so a misconfigured cluster job fails early.
 */
export async function chooseTrainingBackend(device: Device = 'auto'): Promise<BackendChoice> {
  if (device === 'cpu') return { name: 'nugan-cpu', device, reason: 'device: cpu' };
  const gpu = await probeWebGpu();
  if (!gpu.ok && device === 'gpu') throw new InputError(`device: gpu was requested but ${gpu.reason}`);
  return { name: 'nugan-cpu', device, reason: gpu.ok ? 'GPU present, but training runs on the CPU engine (no WebGPU training engine yet)' : `${gpu.reason}; fell back to the CPU` };
}
