/**
 * Stage kind `ingest`: external event files (NuWro ROOT, text tables, NUANCE .kin, NuHepMC, Arrow)
 * → one event table `events` (events.arrow). The files are declared as external inputs, so their
 * contents enter the cache key and editing one reruns the stage.
 *
 *   data-argon:
 *     uses: ingest
 *     with: { files: [runs/argon.0.root, runs/argon.1.root], domain: nu-argon }
 */
import path from 'node:path';
import { InputError, type StageKind } from '../src/contract/stage.ts';
import { INGEST_FORMATS, type IngestFormat } from '../src/io/detect.ts';

/** Parameters of an `ingest` stage (the `with:` block). */
export interface IngestParams {
  /** One input file, relative to the pipeline file (or absolute). */
  file?: string;
  /** Several input files (e.g. a NuWro run split in parts), concatenated in this order. */
  files?: string[];
  format?: 'auto' | IngestFormat;
  /** Domain name recorded in the table (docs/reference-generator.md §5). */
  domain?: string;
  /** Energy unit of text tables that do not state one. */
  unit?: 'GeV' | 'MeV';
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    file: { type: 'string', minLength: 1 },
    files: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
    format: { enum: ['auto', ...INGEST_FORMATS], default: 'auto' },
    domain: { type: 'string' },
    unit: { enum: ['GeV', 'MeV'] },
  },
  oneOf: [{ required: ['file'] }, { required: ['files'] }],
};

function inputFiles(params: IngestParams): string[] {
  const list = params.files ?? (params.file !== undefined ? [params.file] : []);
  if (list.length === 0) throw new InputError('ingest needs `file` or `files`');
  return list;
}

export const ingestStage: StageKind<IngestParams> = {
  kind: 'ingest',
  description: 'read NuWro ROOT / text / NUANCE / NuHepMC event files into an event table',
  schema,
  moduleUrl: import.meta.url,
  externalInputs: (params) => inputFiles(params),
  async run(ctx) {
    // Imported here, not at the top: the CLI loads every stage kind to plan a run, and a cached run
    // should not pay for libraries only this stage's work needs.
    const { energyRangeWarning, ingestFiles } = await import('../src/io/ingest.ts');
    const files = inputFiles(ctx.params).map((f) => path.resolve(ctx.pipelineDir, f));
    const out = 'events.arrow';
    ctx.progress.message(`reading ${files.length} file${files.length === 1 ? '' : 's'}`);
    const summary = await ingestFiles(files, path.join(ctx.outDir, out), {
      format: ctx.params.format ?? 'auto',
      unit: ctx.params.unit,
      domain: ctx.params.domain,
      signal: ctx.signal,
      onBatch: (n) => ctx.progress.advance(n),
    });
    for (const f of summary.files) {
      const dropped = Object.entries(f.dropped).map(([k, v]) => `${v} ${k}`).join(', ');
      ctx.log(`${path.basename(f.file)} (${f.format}): read ${f.read}, kept ${f.kept}${dropped ? `, dropped ${dropped}` : ''}`);
    }
    if (summary.outside_proxy_domain > 0) {
      ctx.log(`${summary.outside_proxy_domain} events with omega < 9.8 MeV are outside the proxy domain; kept in the table, train/evaluate drop them`);
    }
    if (summary.outside_energy_range > 0) ctx.log(energyRangeWarning(summary.outside_energy_range));
    return {
      outputs: { events: out },
      summary: {
        events: summary.count,
        read: summary.read,
        kept: summary.kept,
        dropped: summary.dropped,
        outside_proxy_domain: summary.outside_proxy_domain,
        outside_energy_range: summary.outside_energy_range,
        files: summary.files.map((f) => ({ ...f, file: path.basename(f.file) })),
        ...(ctx.params.domain ? { domain: ctx.params.domain } : {}),
      },
    };
  },
};
