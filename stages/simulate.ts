/**
 * Stage kind `simulate`: events from nugan's reference generator, written as an event table with the
 * channel label per event and the channel cross sections in the metadata (src/simulate/simulate.ts).
 *
 * The reference generator is a compact analytic stand-in for NuWro built from docs/reference-generator.md; its
 * output is never NuWro's, and the metadata says so.
 */
import type { StageKind } from '../src/contract/stage.ts';
import { DOMAINS, KNOBS_SCHEMA } from '../src/physics/domains.ts';
import { resolveRequest, simulateToFile, type SimulateParams } from '../src/simulate/simulate.ts';

export type { SimulateParams };

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['domain', 'events', 'enu'],
  properties: {
    domain: { enum: [...DOMAINS] },
    events: { type: 'integer', minimum: 1 },
    enu: {
      oneOf: [
        { type: 'number', exclusiveMinimum: 0 },
        {
          type: 'object',
          additionalProperties: false,
          required: ['uniform'],
          properties: { uniform: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 2, maxItems: 2 } },
        },
      ],
    },
    energy_mode: { enum: ['conditional', 'flux'], default: 'conditional' },
    knobs: KNOBS_SCHEMA,
    threads: { type: 'integer', minimum: 1, default: 1 },
  },
};

export const simulateStage: StageKind<SimulateParams> = {
  kind: 'simulate',
  description: "events from nugan's reference generator (an analytic stand-in for NuWro)",
  schema,
  moduleUrl: import.meta.url,
  resources(params) {
    return { cpus: Math.max(1, params.threads ?? 1) };
  },
  async run(ctx) {
    const req = resolveRequest(ctx.params, ctx.seed, `stage ${ctx.id} (with)`);
    req.threads = Math.max(1, Math.min(req.threads, ctx.cpus || req.threads));
    ctx.progress.total(req.events, 'events');
    const out = 'events.arrow';
    const { summary } = await simulateToFile(req, `${ctx.outDir}/${out}`, {
      onProgress: (n) => ctx.progress.advance(n),
      signal: ctx.signal,
      log: (line) => ctx.log(line),
    });
    ctx.log(`${summary.events} events in ${summary.seconds} s on ${summary.threads} thread(s)`);
    return { outputs: { events: out }, summary };
  },
};
