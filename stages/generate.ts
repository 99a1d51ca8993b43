/**
 * Stage kind `generate`: samples a trained model (a `train` stage) into an event table.
 *
 *     gen: { uses: generate, needs: [base], with: { model: base, enu: { uniform: [0.3, 10] }, events: 1000000 } }
 *
 * Output `events` (events.arrow, or the extension given by `format`).
 */
import path from 'node:path';
import { InputError, type StageKind } from '../src/contract/stage.ts';
import { ENGINE_EXECUTION_PARAMS, engineResources, type Device } from '../src/gan/engines/select.ts';
import { availableThreads } from '../src/util/cpus.ts';

export interface GenerateParams {
  model: string;
  enu: number | { uniform: [number, number] };
  events: number;
  format: 'arrow' | 'csv' | 'hepmc3';
  device: Device;
  /** CPU threads (default: what the scheduler grants). */
  threads?: number;
}

export const generateStage: StageKind<GenerateParams> = {
  kind: 'generate',
  description: 'sample events from a trained model into an event table (arrow, csv or hepmc3)',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['model', 'enu', 'events'],
    properties: {
      model: { type: 'string', description: 'train stage whose model is sampled' },
      enu: {
        oneOf: [
          { type: 'number', exclusiveMinimum: 0 },
          { type: 'object', additionalProperties: false, required: ['uniform'], properties: { uniform: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 2, maxItems: 2 } } },
        ],
      },
      events: { type: 'integer', minimum: 1 },
      format: { enum: ['arrow', 'csv', 'hepmc3'], default: 'arrow' },
      device: { enum: ['auto', 'gpu', 'cpu'], default: 'auto', description: 'auto: a hardware GPU when one is granted, else the CPU; gpu: require one; cpu: never' },
      threads: { type: 'integer', minimum: 1, maximum: 1024, description: 'CPU threads (default: all the cores this process may use, as the scheduler grants them)' },
    },
  },
  moduleUrl: import.meta.url,
  resources: (p) => engineResources(p, availableThreads()),
  executionParams: ENGINE_EXECUTION_PARAMS,
  references(p) {
    return [p.model];
  },
  async run(ctx) {
    // Imported here, not at the top: the CLI loads every stage kind to plan a run, and a cached run
    // should not pay for libraries only this stage's work needs.
    const { generateToFile } = await import('../src/gan/generate.ts');
    const p = ctx.params;
    const up = ctx.inputs[p.model];
    if (!up) throw new InputError(`generate: model stage '${p.model}' is not among this stage's needs`);
    const enu: number | [number, number] = typeof p.enu === 'number' ? p.enu : p.enu.uniform;
    if (Array.isArray(enu) && !(enu[0] < enu[1])) throw new InputError(`generate: enu.uniform expects [A, B] with A < B, got [${enu.join(', ')}]`);
    const file = `events.${p.format}`;
    ctx.progress.total(p.events, 'events');
    let last = 0;
    const s = await generateToFile({
      model: up.outputs.model ?? up.dir,
      enu,
      events: p.events,
      seed: ctx.seed,
      out: path.join(ctx.outDir, file),
      device: p.device,
      threads: p.threads ?? ctx.cpus,
      gpuGranted: p.device !== 'auto' || ctx.gpus.length > 0,
      signal: ctx.signal,
      onBatch(done) {
        ctx.progress.advance(done - last);
        last = done;
      },
    });
    return { outputs: { events: file }, summary: { events: s.events, backend: s.backend, ...s.engine, seconds: Number(s.seconds.toFixed(3)), events_per_s: Math.round(s.events_per_s) } };
  },
};
