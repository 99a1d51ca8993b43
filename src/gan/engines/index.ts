/**
 * Making an engine by name (select.ts decides which name a stage gets). Engines are imported when
 * made, so choosing the CPU never loads Dawn and the reference engine costs nothing until a test asks.
 */
import { availableThreads } from '../../util/cpus.ts';
import type { Architecture } from '../architecture.ts';
import type { EngineName, GanEngine, TrainingSetup } from './engine.ts';

export interface EngineRequest {
  engine: EngineName;
  architecture: Architecture;
  /** Needed to train; sampling needs none. */
  training?: TrainingSetup;
  /** CPU threads (cpu engine); the GPU engines use one thread to drive the device. */
  threads?: number;
}

export async function createEngine(req: EngineRequest): Promise<GanEngine> {
  switch (req.engine) {
    case 'reference': {
      const { ReferenceEngine } = await import('./reference/engine.ts');
      return new ReferenceEngine(req.architecture, req.training);
    }
    case 'cpu': {
      const { CpuEngine } = await import('./cpu/engine.ts');
      return CpuEngine.create({ architecture: req.architecture, threads: req.threads ?? availableThreads(), ...(req.training ? { training: req.training } : {}) });
    }
    case 'webgpu': {
      const { WebGpuEngine } = await import('./webgpu/engine.ts');
      return WebGpuEngine.create({ architecture: req.architecture, ...(req.training ? { training: req.training } : {}) });
    }
  }
}
