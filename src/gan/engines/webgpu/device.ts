/**
 * One Dawn device per process, shared by every WebGPU engine in it (stages of one `nugan run` that
 * each hold a GPU token, the tests' many small engines): creating a device and compiling pipelines
 * cost far more than a small engine's work, so pipelines are cached per device by their WGSL source.
 */
/// <reference types="@webgpu/types" />
import { isSoftwareAdapter } from '../select.ts';

export interface GpuContext {
  device: GPUDevice;
  adapter: { vendor: string; architecture: string; device: string; description: string; software: boolean };
  /** The largest storage binding the device allows (bytes). */
  maxBinding: number;
  /** The compiled kernel of `wgsl`, whose bindings 0, 1, … are of `kinds`. */
  pipeline(wgsl: string, kinds: readonly BindingKind[]): GPUComputePipeline;
}

/** How a kernel uses each of its bindings: read-only storage, read-write storage, or uniform. */
export type BindingKind = 'r' | 'w' | 'u';

let shared: Promise<GpuContext> | undefined;
/** Dawn's instance: it must outlive every device made from it (collecting it crashes the process). */
let instance: GPU | undefined;

async function loadDawn(): Promise<{ create(flags: string[]): GPU; globals: object }> {
  // Dawn's package defines the WebGPU enums (GPUBufferUsage …) as globals only on request.
  const mod = (await import('webgpu')) as { create(flags: string[]): GPU; globals: object };
  for (const [k, v] of Object.entries(mod.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  return mod;
}

async function open(): Promise<GpuContext> {
  const dawn = await loadDawn();
  const gpu = (instance ??= dawn.create([]));
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('WebGPU: Dawn found no adapter');
  const info = adapter.info;
  const software = isSoftwareAdapter({ vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, isFallbackAdapter: (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false });
  const L = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBuffersPerShaderStage: Math.min(L.maxStorageBuffersPerShaderStage, 10),
      maxStorageBufferBindingSize: L.maxStorageBufferBindingSize,
      maxBufferSize: L.maxBufferSize,
      maxComputeWorkgroupStorageSize: L.maxComputeWorkgroupStorageSize,
    },
  });
  device.lost.then((l) => {
    if (l.reason !== 'destroyed') process.stderr.write(`nugan: the WebGPU device was lost: ${l.message}\n`);
  });
  const cache = new Map<string, GPUComputePipeline>();
  return {
    device,
    adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, software },
    maxBinding: Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize),
    pipeline(wgsl: string, kinds: readonly BindingKind[]): GPUComputePipeline {
      let p = cache.get(wgsl);
      if (!p) {
        // Explicit layouts: 'auto' would drop the bindings a variant of a kernel does not use.
        const layout = device.createBindGroupLayout({
          entries: kinds.map((k, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: k === 'u' ? 'uniform' : k === 'w' ? 'storage' : 'read-only-storage' } })),
        });
        const module = device.createShaderModule({ code: wgsl });
        p = device.createComputePipeline({ layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: 'main' } });
        cache.set(wgsl, p);
      }
      return p;
    },
  };
}

/** The process's device (opened on first use). */
export function gpuContext(): Promise<GpuContext> {
  shared ??= open().catch((e: unknown) => {
    shared = undefined;
    throw e;
  });
  return shared;
}

/** Fails with the device's first validation error from `body` (kernels are ours: any is a bug). */
export async function checked<T>(device: GPUDevice, what: string, body: () => T): Promise<T> {
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  const out = body();
  const oom = await device.popErrorScope();
  const invalid = await device.popErrorScope();
  if (oom) throw new Error(`WebGPU ran out of memory while ${what}: ${oom.message}`);
  if (invalid) throw new Error(`WebGPU rejected ${what}: ${invalid.message}`);
  return out;
}
