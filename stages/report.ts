/**
 * Stage kind `report`: the study's HTML report (an index page with the verdicts, one page per domain,
 * a provenance page, figures as files under plots/), built from evaluate artifacts and, for
 * provenance, every stage upstream of them. Example:
 *
 *   report:
 *     uses: report
 *     needs: [eval@nu-argon-10000-TL, eval@nu-argon-10000-scratch, …]
 *     with: { title: "TL study", detail_energies: [1, 5] }
 *
 * `evaluations` lists the evaluate stages to show (default: every input of kind `evaluate`, in the
 * order of `needs`). `detail_energies` picks the fixed energies (GeV) that get 2D maps and 1D
 * distributions (default: every point; the E_nu-spread point always gets them).
 *
 * `png_all` also writes a PNG of every line figure (the maps are PNG in any case).
 *
 * Outputs: `report` (report.html, the index; the other pages sit beside it) and `plots` (one file per
 * figure: SVG for line figures, PNG for the 50×50 maps).
 */
import { InputError, type StageKind, type UpstreamArtifact } from '../src/contract/stage.ts';
import type { ProvenanceStage } from '../src/study-report/build.ts';

export interface ReportParams {
  evaluations?: string[];
  title?: string;
  detail_energies?: number[];
  png_scale?: number;
  png_all?: boolean;
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    evaluations: { type: 'array', items: { type: 'string' }, description: 'evaluate stage ids to show (default: all inputs of kind evaluate)' },
    title: { type: 'string', default: 'nugan study report' },
    detail_energies: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, description: 'fixed energies (GeV) with detailed figures (default: all)' },
    png_scale: { type: 'number', minimum: 0.5, maximum: 6, default: 1, description: 'PNG resolution as a multiple of the figure size (1: screen, the default, keeps the report small; 2 for print and slides)' },
    png_all: { type: 'boolean', default: false, description: 'also write a PNG of every line figure (for slides); the maps are PNG in any case' },
  },
} as const;

function provenanceOf(a: UpstreamArtifact): ProvenanceStage {
  const r = a.record;
  return { id: a.id, kind: a.kind, key: a.key, summary: a.summary, ...(r ? { record: { seed: r.seed, started: r.started, seconds: r.seconds, executor: r.executor } } : {}) };
}

/** The model and references an evaluation recorded, for artifacts made without a runner's lineage. */
function recordedUpstream(provenance: unknown): ProvenanceStage[] {
  const out: ProvenanceStage[] = [];
  if (typeof provenance !== 'object' || provenance === null) return out;
  const p = provenance as { model?: { stage?: unknown; key?: unknown; summary?: unknown }; references?: { stage?: unknown; key?: unknown }[] };
  const entry = (id: unknown, kind: string, key: unknown, summary: unknown): ProvenanceStage | undefined =>
    typeof id === 'string' ? { id, kind, key: String(key ?? ''), summary: typeof summary === 'object' && summary !== null ? (summary as Record<string, unknown>) : {} } : undefined;
  const m = p.model && entry(p.model.stage, 'model', p.model.key, p.model.summary);
  if (m) out.push(m);
  for (const r of Array.isArray(p.references) ? p.references : []) {
    const e = entry(r?.stage, 'reference', r?.key, {});
    if (e) out.push(e);
  }
  return out;
}

export const reportStage: StageKind<ReportParams> = {
  kind: 'report',
  description: 'HTML report of a study: verdicts TL vs scratch over seeds, MAP/EMD vs E_nu, one page per domain (overlaid distributions, 2D maps, training curves), provenance',
  schema,
  moduleUrl: import.meta.url,
  references: (p) => p.evaluations ?? [],
  async run(ctx) {
    // Imported here, not at the top: the CLI loads every stage kind to plan a run, and a cached run
    // should not pay for libraries only this stage's work needs.
    const [{ buildReport }, { loadEvaluation }] = await Promise.all([import('../src/study-report/build.ts'), import('../src/study-report/study.ts')]);
    const p = ctx.params;
    const ids = p.evaluations ?? Object.values(ctx.inputs).filter((a) => a.kind === 'evaluate').map((a) => a.id);
    const evaluations = [];
    for (const id of ids) {
      const a = ctx.inputs[id];
      if (!a) throw new InputError(`evaluation '${id}' is not an input of this stage (add it to needs)`, `stage ${ctx.id}: evaluations`);
      evaluations.push(await loadEvaluation(id, a.outputs));
    }
    // Every stage behind the report, as the cache recorded it (the base model and its data included);
    // outside a runner, the inputs and what each evaluation recorded of its model and references.
    const upstream = ctx.lineage ? await ctx.lineage() : Object.values(ctx.inputs);
    const stages: ProvenanceStage[] = upstream.map(provenanceOf);
    for (const e of evaluations) {
      for (const s of recordedUpstream(e.provenance)) if (!stages.some((t) => t.id === s.id)) stages.push(s);
    }
    ctx.progress.message(`rendering figures for ${evaluations.length} evaluation(s)`);
    const result = await buildReport(
      {
        title: p.title ?? 'nugan study report',
        evaluations,
        stages,
        pipeline: { dir: ctx.pipelineDir, reportStage: ctx.id, params: { ...p } },
        ...(p.detail_energies ? { detailEnergies: p.detail_energies } : {}),
        pngScale: p.png_scale ?? 1,
        pngAll: p.png_all ?? false,
      },
      ctx.outDir,
      (name) => ctx.log(`figure ${name}`),
    );
    return {
      outputs: { report: result.html, plots: 'plots' },
      summary: { evaluations: ids, pages: result.pages, figures: result.figures.length, bytes: result.bytes, seconds: Number(result.seconds.toFixed(2)) },
    };
  },
};
