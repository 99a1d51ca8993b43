/**
 * Stage kind `evaluate`: compares a trained model with reference samples, the paper's metrics at each
 * evaluation point (docs/formats.md §5).
 *
 *   eval-argon-10k-tl:
 *     uses: evaluate
 *     needs: [tune@nu-argon-10000, ref-argon-0.5, ref-argon-1, ref-argon-uniform]
 *     with:
 *       model: tune@nu-argon-10000            # a train stage (its `model` output, else its directory)
 *       reference: [ref-argon-0.5, ref-argon-1, ref-argon-uniform]
 *       events: 1000000                       # optional cap per point
 *       labels: { domain: nu-argon, size: 10000, method: TL }
 *
 * Each reference is an upstream stage whose `events` (or `test`) output is an event table. A table whose
 * E_nu is one value gives a fixed-energy point; one with E_nu spread (e.g. `simulate` with
 * `enu: {uniform: [0.3, 10]}`) gives the spread point, generated at the reference's own E_nu values.
 * The pipeline's `simulate` stages make the references: this stage only evaluates (one job per stage).
 * `energies`, when given, lists the fixed energies (GeV) that must be among the references — a guard
 * against a pipeline that silently lost one.
 *
 * Outputs: `metrics` (metrics.json), `csv` (metrics.csv), `histograms` (histograms.json) and, when the
 * train stage recorded one, `history` (its history.json, copied so the report needs only this artifact).
 */
import { copyFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError, type StageContext, type StageKind, type UpstreamArtifact } from '../src/contract/stage.ts';
import { ENGINE_EXECUTION_PARAMS, engineResources, type Device } from '../src/gan/engines/select.ts';
import { availableThreads } from '../src/util/cpus.ts';
import type { EvaluationLabels, EventGenerator, ReferenceSample } from '../src/metrics/evaluation.ts';

export interface EvaluateParams {
  model: string;
  reference: string | string[];
  events?: number;
  energies?: number[];
  labels?: EvaluationLabels;
  /** Where the generator runs: `gpu` asks the scheduler for one; `auto` uses one only if granted. */
  device?: Device;
  /** CPU threads for sampling (default: what the scheduler grants). */
  threads?: number;
}

/** Loads a trained model directory into a sampler (src/gan/sampler.ts `loadGenerator`). */
export type GeneratorLoader = (modelDir: string, opts: { gpus: readonly number[]; signal: AbortSignal; device: Device; threads: number }) => Promise<EventGenerator & { summary?(): Record<string, unknown> }>;

/** The trained model's sampler on the engine `device` selects (a GPU only when the scheduler granted one). */
export const defaultLoader: GeneratorLoader = async (modelDir, opts) => {
  // The GAN libraries load only when a model is evaluated, not whenever the CLI plans a run.
  const { loadGenerator } = await import('../src/gan/sampler.ts');
  return loadGenerator(modelDir, { device: opts.device, threads: opts.threads, gpuGranted: opts.device !== 'auto' || opts.gpus.length > 0 });
};

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['model', 'reference'],
  properties: {
    model: { type: 'string', description: 'id of the train stage whose model is evaluated' },
    reference: {
      description: 'id(s) of stages whose `events` (or `test`) table is a reference sample',
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }],
    },
    events: { type: 'integer', minimum: 1, description: 'cap on events per evaluation point (default: all of the reference)' },
    energies: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, description: 'fixed energies (GeV) that must be among the references' },
    labels: {
      type: 'object',
      properties: { domain: { type: 'string' }, size: { type: ['integer', 'string'] }, method: { type: 'string' } },
      description: 'where this evaluation sits in the study: domain × size × method (TL | scratch)',
    },
    device: { enum: ['auto', 'gpu', 'cpu'], default: 'auto', description: 'gpu: require a GPU for sampling; auto: use one when granted; cpu: never' },
    threads: { type: 'integer', minimum: 1, maximum: 1024, description: 'CPU threads for sampling (default: all the cores this process may use, as the scheduler grants them)' },
  },
} as const;

function referenceIds(p: EvaluateParams): string[] {
  return Array.isArray(p.reference) ? p.reference : [p.reference];
}

function upstream(ctx: StageContext<EvaluateParams>, id: string, what: string): UpstreamArtifact {
  const a = ctx.inputs[id];
  if (!a) throw new InputError(`${what} '${id}' is not an input of this stage (add it to needs; inputs: ${Object.keys(ctx.inputs).join(', ') || 'none'})`, `stage ${ctx.id}`);
  return a;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

/** Builds the stage kind around a model loader (tests inject a fake generator). */
export function createEvaluateStage(load: GeneratorLoader = defaultLoader): StageKind<EvaluateParams> {
  return {
    kind: 'evaluate',
    description: 'compare a trained model with reference samples: MAP, EMD and physics distributions per E_nu',
    schema,
    moduleUrl: import.meta.url,
    references: (p) => [p.model, ...referenceIds(p)],
    resources: (p) => engineResources(p, availableThreads()),
    executionParams: ENGINE_EXECUTION_PARAMS,
    async run(ctx) {
      // Imported here: planning a run (every CLI command) should not pay for the metrics and Arrow code.
      const [{ readEventTable }, { evaluateModel, writeEvaluation }] = await Promise.all([import('../src/io/event-table.ts'), import('../src/metrics/evaluation.ts')]);
      const t0 = performance.now();
      const p = ctx.params;
      const model = upstream(ctx, p.model, 'model');
      const refs: ReferenceSample[] = [];
      for (const id of referenceIds(p)) {
        const a = upstream(ctx, id, 'reference');
        const file = a.outputs.events ?? a.outputs.test;
        if (!file) throw new InputError(`reference '${id}' has no 'events' or 'test' output (it has: ${Object.keys(a.outputs).join(', ') || 'none'})`, `stage ${ctx.id}`);
        const { events } = await readEventTable(file);
        refs.push({ source: id, file, events });
      }
      const seed = ctx.seed;
      const modelDir = model.outputs.model ?? model.dir;
      const generator = await load(modelDir, { gpus: ctx.gpus, signal: ctx.signal, device: p.device ?? 'auto', threads: p.threads ?? ctx.cpus });
      const engine = generator.summary?.() ?? {};
      let result;
      try {
        const total = refs.reduce((s, r) => s + Math.min(r.events.E_nu.length, p.events ?? Number.POSITIVE_INFINITY), 0);
        ctx.progress.total(total, 'events');
        result = await evaluateModel(generator, refs, {
          seed,
          maxEvents: p.events,
          labels: p.labels ?? {},
          signal: ctx.signal,
          onProgress: (n) => ctx.progress.advance(n),
        });
      } finally {
        await generator.dispose();
      }
      if (p.energies) {
        const have = result.points.map((q) => q.E_nu).filter((e): e is number => e !== null);
        const missing = p.energies.filter((e) => !have.some((h) => Math.abs(h - e) <= 1e-9 * Math.max(1, e)));
        if (missing.length) throw new InputError(`no fixed-energy reference at ${missing.join(', ')} GeV (references give: ${have.join(', ') || 'none'})`, `stage ${ctx.id}: energies`);
      }
      const outputs: Record<string, string> = {};
      let history: string | undefined;
      if (model.outputs.history && (await exists(model.outputs.history))) {
        history = 'history.json';
        await copyFile(model.outputs.history, path.join(ctx.outDir, history));
        outputs.history = history;
      }
      const provenance = { model: { stage: model.id, key: model.key, summary: model.summary }, references: refs.map((r) => ({ stage: r.source, key: ctx.inputs[r.source]!.key })) };
      const names = await writeEvaluation(ctx.outDir, result, { stage: ctx.id, provenance });
      outputs.metrics = names.metrics;
      outputs.csv = names.csv;
      outputs.histograms = names.histograms;
      for (const q of result.points) {
        const c = q.comparison;
        ctx.log(`${q.label}: MAP ${c.map.nonzero.map.toFixed(3)} (>5: ${c.map.gt5.map.toFixed(3)}), EMD ${c.emd.mean.toExponential(2)}; generate ${q.seconds.generate.toFixed(2)} s, metrics ${q.seconds.metrics.toFixed(2)} s`);
      }
      return {
        outputs,
        summary: {
          labels: result.labels,
          backend: result.backend,
          ...engine,
          seed,
          model: model.id,
          seconds: Number(((performance.now() - t0) / 1000).toFixed(2)),
          points: result.points.map((q) => ({
            label: q.label,
            E_nu: q.E_nu,
            events: q.reference.events,
            map: q.comparison.map.nonzero.map,
            map_gt5: q.comparison.map.gt5.map,
            emd: q.comparison.emd.mean,
          })),
        },
      };
    },
  };
}

export const evaluateStage: StageKind = createEvaluateStage();
