/** Placeholder until the WebGPU engine lands (issue 12). */
import type { Architecture } from '../../architecture.ts';
import type { GanEngine, TrainingSetup } from '../engine.ts';

export class WebGpuEngine {
  static async create(_opts: { architecture: Architecture; training?: TrainingSetup }): Promise<GanEngine> {
    throw new Error('the WebGPU engine is not available yet');
  }
}
