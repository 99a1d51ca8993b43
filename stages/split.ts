/**
 * Stage kind `split`: an upstream event table → `train`, `val`, `test` tables, optionally restricted
 * to an E_nu window and subsampled to N events; streaming and reproducible from the seed
 * (src/io/split.ts describes the sampling).
 *
 *   argon-10k:
 *     uses: split
 *     needs: [data-argon]
 *     with: { data: data-argon, events: 10000, train: 0.8, val: 0.1, test: 0.1 }
 */
import path from 'node:path';
import { InputError, type StageKind } from '../src/contract/stage.ts';

/** Parameters of a `split` stage (the `with:` block). */
export interface SplitParams {
  /** Upstream stage id whose event table is split. */
  data: string;
  /** Name of that stage's output (default `events`, or its only output). */
  output?: string;
  train?: number;
  val?: number;
  test?: number;
  /** Subsample to exactly this many events. */
  events?: number;
  /** Keep lo ≤ E_nu ≤ hi, GeV. */
  enu_window?: [number, number];
}

const fraction = (d: number) => ({ type: 'number', minimum: 0, maximum: 1, default: d });

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['data'],
  properties: {
    data: { type: 'string', minLength: 1 },
    output: { type: 'string', minLength: 1 },
    train: fraction(0.8),
    val: fraction(0.1),
    test: fraction(0.1),
    events: { type: 'integer', minimum: 1 },
    enu_window: { type: 'array', items: { type: 'number', minimum: 0 }, minItems: 2, maxItems: 2 },
  },
};

export const splitStage: StageKind<SplitParams> = {
  kind: 'split',
  description: 'split an event table into train/val/test, with optional E_nu window and subsampling',
  schema,
  moduleUrl: import.meta.url,
  references: (params) => [params.data],
  async run(ctx) {
    // Imported here, not at the top: the CLI loads every stage kind to plan a run, and a cached run
    // should not pay for libraries only this stage's work needs.
    const { splitEventTable, SPLITS } = await import('../src/io/split.ts');
    const p = ctx.params;
    const up = ctx.inputs[p.data];
    if (!up) throw new InputError(`split: upstream stage '${p.data}' is not among this stage's inputs (add it to needs)`);
    const names = Object.keys(up.outputs);
    const name = p.output ?? (up.outputs.events !== undefined ? 'events' : names.length === 1 ? names[0]! : undefined);
    const input = name === undefined ? undefined : up.outputs[name];
    if (input === undefined) {
      throw new InputError(`split: stage '${p.data}' has no output '${p.output ?? 'events'}' (outputs: ${names.join(', ') || 'none'})`);
    }
    const outputs = { train: 'train.arrow', val: 'val.arrow', test: 'test.arrow' };
    // `with: { seed: N }` reaches the stage as ctx.seed (the runner takes it out of the parameters).
    const seed = ctx.seed;
    const summary = await splitEventTable(
      input,
      { train: path.join(ctx.outDir, outputs.train), val: path.join(ctx.outDir, outputs.val), test: path.join(ctx.outDir, outputs.test) },
      {
        fractions: { train: p.train ?? 0.8, val: p.val ?? 0.1, test: p.test ?? 0.1 },
        events: p.events,
        enu_window: p.enu_window,
        seed,
        signal: ctx.signal,
        onBatch: (n) => ctx.progress.advance(n),
      },
    );
    ctx.log(`selected ${summary.selected} of ${summary.in_window} events in the window (${summary.input} in the table): ${SPLITS.map((k) => `${k} ${summary.counts[k]}`).join(', ')}`);
    return { outputs, summary: { ...summary } };
  },
};
