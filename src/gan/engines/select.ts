/**
 * Which engine runs a stage, and why: `device: auto | gpu | cpu` (docs/gan.md).
 *
 * - `cpu` never touches the GPU.
 * - `auto` takes a hardware GPU adapter when Dawn finds one, else the CPU. A software adapter —
 *   llvmpipe/lavapipe (Mesa), SwiftShader, anything Dawn marks as a fallback adapter — is a CPU
 *   rasteriser, ~100× slower than the CPU engine: `auto` never takes one.
 * - `gpu` requires a hardware adapter and fails early, saying what was found, unless
 *   NUGAN_ALLOW_SOFTWARE_GPU=1 (for tests of the WebGPU engine on machines without a GPU).
 *
 * The adapter is probed in a child process: Dawn prints warnings on stderr while it enumerates
 * adapters (e.g. Mesa's limits), and those must not reach the user's terminal. The probe costs
 * ~0.2 s once per process, and is skipped entirely where there is no Vulkan loader.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../../util/errors.ts';
import type { EngineInfo, EngineName } from './engine.ts';

export type Device = 'auto' | 'gpu' | 'cpu';

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software rasteriser rather than a GPU. */
  software: boolean;
}

export type GpuProbe = { found: true; adapter: AdapterInfo } | { found: false; reason: string };

/** Whether Dawn's adapter info describes a software (CPU) implementation. */
export function isSoftwareAdapter(info: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean }): boolean {
  if (info.isFallbackAdapter) return true;
  if ((info.architecture ?? '').toLowerCase() === 'software') return true;
  return /llvmpipe|lavapipe|swiftshader|software rasteri[sz]er|microsoft basic render/i.test(`${info.vendor ?? ''} ${info.device ?? ''} ${info.description ?? ''}`);
}

/**
 * On Linux Dawn reaches GPUs through the Vulkan loader; without one there is nothing to probe (and
 * Dawn would print a warning on every attempt).
 */
function vulkanLoaderMissing(): boolean {
  if (process.platform !== 'linux') return false;
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/lib/x86_64-linux-gnu'];
  return !dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

/** The probe's script: prints the high-performance adapter's info as JSON (or null). */
const PROBE = `
const { create } = await import(process.argv[1]);
const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const i = adapter ? adapter.info : null;
process.stdout.write(JSON.stringify(i && { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false }));
process.exit(0);`;

let probe: Promise<GpuProbe> | undefined;

/** What GPU adapter Dawn finds (memoised per process; never throws). */
export function probeGpu(): Promise<GpuProbe> {
  probe ??= (async (): Promise<GpuProbe> => {
    if (process.env.NUGAN_NO_GPU_PROBE === '1') return { found: false, reason: 'GPU probing disabled (NUGAN_NO_GPU_PROBE=1)' };
    if (vulkanLoaderMissing()) return { found: false, reason: 'no Vulkan loader (libvulkan.so.1) on this machine' };
    let webgpu: string;
    try {
      webgpu = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;
    } catch {
      return { found: false, reason: "Dawn's webgpu package is not installed" };
    }
    const out = await new Promise<{ stdout: string; error?: Error }>((resolve) => {
      execFile(process.execPath, ['--input-type=module', '-e', PROBE, webgpu], { timeout: 30_000, encoding: 'utf8' }, (error, stdout) => resolve({ stdout, ...(error ? { error } : {}) }));
    });
    if (out.error && !out.stdout) return { found: false, reason: `the WebGPU probe failed (${out.error.message.split('\n')[0]})` };
    let info: (Partial<AdapterInfo> & { isFallbackAdapter?: boolean }) | null;
    try {
      info = JSON.parse(out.stdout) as typeof info;
    } catch {
      return { found: false, reason: 'the WebGPU probe gave no answer' };
    }
    if (!info) return { found: false, reason: 'Dawn found no WebGPU adapter' };
    const adapter: AdapterInfo = { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '', software: isSoftwareAdapter(info) };
    return { found: true, adapter };
  })();
  return probe;
}

/** One line naming an adapter: "nvidia hopper (NVIDIA H200)". */
export function describeAdapter(a: AdapterInfo): string {
  const name = a.description || a.device || 'unknown device';
  return `${[a.vendor, a.architecture].filter(Boolean).join(' ')} (${name})`.trim();
}

export interface EngineChoice {
  engine: Exclude<EngineName, 'reference'>;
  device: Device;
  /** Why: shown in logs and recorded in manifests. */
  reason: string;
  adapter?: AdapterInfo;
}

/** Whether the user allowed software adapters for `device: gpu` (tests). */
function softwareAllowed(): boolean {
  return process.env.NUGAN_ALLOW_SOFTWARE_GPU === '1';
}

/**
 * The engine for `device`. `gpuGranted` is false when the scheduler gave this stage no GPU token
 * (then `auto` stays on the CPU without probing: another stage holds the GPU).
 */
export async function chooseEngine(device: Device, gpuGranted = true): Promise<EngineChoice> {
  if (device === 'cpu') return { engine: 'cpu', device, reason: 'device: cpu' };
  if (device === 'auto' && !gpuGranted) return { engine: 'cpu', device, reason: 'device: auto and no GPU was granted to this stage' };
  const gpu = await probeGpu();
  if (!gpu.found) {
    if (device === 'gpu') throw new InputError(`device: gpu, but ${gpu.reason}`);
    return { engine: 'cpu', device, reason: `${gpu.reason}: using the CPU` };
  }
  const name = describeAdapter(gpu.adapter);
  if (gpu.adapter.software) {
    if (device === 'gpu' && softwareAllowed()) return { engine: 'webgpu', device, reason: `software adapter ${name} allowed by NUGAN_ALLOW_SOFTWARE_GPU=1`, adapter: gpu.adapter };
    if (device === 'gpu') {
      throw new InputError(`device: gpu, but the only WebGPU adapter is ${name}, a software renderer that runs on the CPU (~100× slower than nugan's CPU engine); use device: cpu or auto (set NUGAN_ALLOW_SOFTWARE_GPU=1 to use it anyway, e.g. for tests)`);
    }
    return { engine: 'cpu', device, reason: `the only WebGPU adapter is ${name}, a software renderer: using the CPU` };
  }
  return { engine: 'webgpu', device, reason: `GPU adapter ${name}`, adapter: gpu.adapter };
}

/** The parameters of a stage that runs an engine which choose where, never what: left out of the cache key. */
export const ENGINE_EXECUTION_PARAMS = ['device', 'threads'] as const;

/**
 * What a stage running an engine asks the scheduler for: its threads' worth of CPU tokens; a GPU when
 * `device: gpu`; one if the machine has one when `device: auto`; and beside a GPU, one CPU token.
 */
export function engineResources(p: { device?: Device; threads?: number }, defaultThreads: number): { cpus: number; gpus: number; wantsGpu: boolean; cpusWithGpu: number } {
  const device = p.device ?? 'auto';
  return { cpus: p.threads ?? defaultThreads, gpus: device === 'gpu' ? 1 : 0, wantsGpu: device === 'auto', cpusWithGpu: 1 };
}

/** What a stage records of the engine that ran it (manifest summary and report provenance). */
export function engineSummary(info: EngineInfo, choice: EngineChoice): Record<string, unknown> {
  return { engine: info.engine, device: info.device, threads: info.threads, kernels: info.kernels, device_reason: choice.reason, ...(info.adapter ? { adapter: info.adapter } : {}) };
}
