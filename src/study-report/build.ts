/**
 * Builds the study report: every figure rendered to SVG and PNG under `plots/`, and one
 * self-contained HTML page (figures inline as SVG data URIs, styles inline, no script, no server)
 * that opens from disk. Links under each figure point at the SVG/PNG files for papers and talks.
 *
 * The folder is `study-report/`, not `report/`: a report here is the study's HTML page (the `report`
 * stage kind's output), and the name keeps it apart from src/reporters/, which renders a run's progress
 * on the terminal.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { version as vegaVersion } from 'vega';
import { version as vegaLiteVersion } from 'vega-lite';
import { PHYSICS_VARS, PHYSICS_VAR_NAMES, type PhysicsVar } from '../metrics/compare.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { M_NUCLEON } from '../physics/constants.ts';
import { COLORS, distributionSpec, MAP_PERFECT, methodColor, metricCurveSpec, proxyMapsSpec, trainingCurvesSpec, type CurvePoint } from '../plot/charts.ts';
import { renderSvg, svgToPng, type PlotSpec } from '../plot/render.ts';
import { NUGAN_VERSION } from '../version.ts';
import { evaluationName, sizeLabel, studyTable, type LoadedEvaluation, type StudyTable } from './study.ts';

export interface ProvenanceStage {
  id: string;
  kind: string;
  key: string;
  summary: Readonly<Record<string, unknown>>;
}

export interface ReportInput {
  title: string;
  evaluations: LoadedEvaluation[];
  /** Upstream stages of the report (evaluations, models, data) with their manifests' summaries. */
  stages: ProvenanceStage[];
  /** Report stage parameters and where the pipeline lives, shown verbatim. */
  pipeline: { dir: string; reportStage: string; params: Record<string, unknown> };
  /** Fixed energies (GeV) that get detailed per-point figures; undefined: every point. The spread point always does. */
  detailEnergies?: number[];
  pngScale?: number;
}

export interface Figure {
  /** File stem under plots/. */
  name: string;
  caption: string;
  svg: string;
}

export interface ReportResult {
  html: string;
  figures: { name: string; svg: string; png: string }[];
  seconds: number;
}

/** Delta(1232) mass (GeV, PDG Breit–Wigner), drawn as a guide on W plots. */
const M_DELTA = 1.232;

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-|-$/g, '');
}

function fmt(x: unknown, digits = 3): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–';
}

/** EMD shown in units of 10⁻³ (proxies are dimensionless, typical values 10⁻⁴–10⁻²). */
function fmtEmd(x: unknown): string {
  return typeof x === 'number' && Number.isFinite(x) ? (x * 1e3).toFixed(2) : '–';
}

const AXIS: Record<PhysicsVar, string> = {
  E_mu: `${PHYSICS_VARS.E_mu.label} (${PHYSICS_VARS.E_mu.unit})`,
  p_mu: `${PHYSICS_VARS.p_mu.label} (${PHYSICS_VARS.p_mu.unit})`,
  theta: `${PHYSICS_VARS.theta.label} (${PHYSICS_VARS.theta.unit})`,
  cos_theta: PHYSICS_VARS.cos_theta.label,
  W: `${PHYSICS_VARS.W.label} (${PHYSICS_VARS.W.unit}) from muon, nucleon at rest`,
  Q2: `${PHYSICS_VARS.Q2.label} (${PHYSICS_VARS.Q2.unit})`,
  p_z: `${PHYSICS_VARS.p_z.label} (${PHYSICS_VARS.p_z.unit})`,
};

function pointTitle(label: string): string {
  return label.replace('E_nu', 'E_ν');
}

function isDetail(E_nu: number | null, energies: number[] | undefined): boolean {
  if (E_nu === null || energies === undefined) return true;
  return energies.some((e) => Math.abs(e - E_nu) <= 1e-6 * Math.max(1, e));
}

async function figure(name: string, caption: string, spec: PlotSpec): Promise<Figure> {
  return { name, caption, svg: await renderSvg(spec) };
}

function figureHtml(f: Figure): string {
  const uri = `data:image/svg+xml;base64,${Buffer.from(f.svg).toString('base64')}`;
  return `<figure><img src="${uri}" alt="${esc(f.caption)}"><figcaption>${esc(f.caption)} · <a href="plots/${esc(f.name)}.svg">SVG</a> · <a href="plots/${esc(f.name)}.png">PNG</a></figcaption></figure>`;
}

function studyTableHtml(t: StudyTable): string {
  const head1 = t.methods.map((m) => `<th colspan="2" class="method" style="border-bottom:3px solid ${methodColor(m)}">${esc(m)}</th>`).join('');
  const head2 = t.methods.map(() => '<th title="mean |pull| over bins with both counts > 0; a perfect model gives 0.80">MAP</th><th title="mean of the EMDs of E′_μ and θ′, ×10⁻³">EMD ×10³</th>').join('');
  const body = t.rows
    .map((r) => {
      const cells = t.methods
        .map((m) => {
          const c = r.cells[m];
          if (!c) return '<td class="num">–</td><td class="num">–</td>';
          const mark = (best: boolean, v: string) => (best ? `<td class="num best">${v}&nbsp;★</td>` : `<td class="num">${v}</td>`);
          return mark(c.bestMap, fmt(c.map)) + mark(c.bestEmd, fmtEmd(c.emd));
        })
        .join('');
      return `<tr><td>${esc(r.domain)}</td><td class="num">${esc(r.size)}</td>${cells}</tr>`;
    })
    .join('\n');
  return `<table class="study" id="study-table"><thead><tr><th rowspan="2">domain</th><th rowspan="2">training events</th>${head1}</tr><tr>${head2}</tr></thead><tbody>\n${body}\n</tbody></table>
<p class="note">MAP and EMD are averaged over the fixed-energy points of each evaluation (values per point below). ★ marks the best (lowest) value in a row. A statistically perfect model has MAP ≈ √(2/π) ≈ 0.80 and EMD ≈ 0 (for 1M vs 1M events).</p>`;
}

function pointsTableHtml(e: LoadedEvaluation): string {
  const rows = e.points
    .map((p) => `<tr><td>${esc(pointTitle(p.point))}</td><td class="num">${esc(p.events)}</td><td class="num">${fmt(p.map_nonzero)}</td><td class="num">${fmt(p.map_gt5)}</td><td class="num">${fmtEmd(p.emd_E_mu_proxy)}</td><td class="num">${fmtEmd(p.emd_theta_proxy)}</td><td class="num">${fmtEmd(p.emd_mean)}</td><td class="num">${esc(p.outside_generated ?? '–')}</td></tr>`)
    .join('\n');
  return `<table class="points"><thead><tr><th>point</th><th>events</th><th>MAP (both &gt; 0)</th><th>MAP (both &gt; 5)</th><th>EMD E′_μ ×10³</th><th>EMD θ′ ×10³</th><th>EMD mean ×10³</th><th>generated outside proxy domain</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function provenanceHtml(input: ReportInput, versions: Record<string, string>, seconds: number): string {
  const stageRows = input.stages
    .map((s) => {
      const sm = s.summary;
      const pick = (k: string) => (sm[k] !== undefined ? (typeof sm[k] === 'object' ? JSON.stringify(sm[k]) : String(sm[k])) : '–');
      return `<tr><td>${esc(s.id)}</td><td>${esc(s.kind)}</td><td><code>${esc(s.key.slice(0, 16))}</code></td><td>${esc(pick('seed'))}</td><td>${esc(pick('backend'))}</td><td>${esc(pick('seconds'))}</td></tr>`;
    })
    .join('\n');
  const summaries = input.stages.map((s) => `<h4>${esc(s.id)} (${esc(s.kind)})</h4><pre>${esc(JSON.stringify(s.summary, null, 1))}</pre>`).join('\n');
  const vers = Object.entries(versions).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('');
  return `<table class="prov"><thead><tr><th>stage</th><th>kind</th><th>cache key</th><th>seed</th><th>backend</th><th>seconds</th></tr></thead><tbody>\n${stageRows}\n</tbody></table>
<h3>Software</h3><table class="prov"><tbody>${vers}</tbody></table>
<h3>Pipeline</h3><p>Pipeline directory: <code>${esc(input.pipeline.dir)}</code>; report stage <code>${esc(input.pipeline.reportStage)}</code> with parameters <code>${esc(JSON.stringify(input.pipeline.params))}</code>. Report built in ${seconds.toFixed(1)} s.</p>
<details><summary>Full summaries of the upstream stages</summary>${summaries}</details>`;
}

const CSS = `
body{font-family:"DejaVu Sans","Liberation Sans",Arial,sans-serif;color:#111;max-width:1400px;margin:0 auto;padding:16px 24px;line-height:1.4}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:3px;margin-top:32px}h3{font-size:15px;margin-top:22px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px}th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.best{font-weight:bold;background:#eef6ee}
.note{font-size:12px;color:#444;max-width:900px}
.figs{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}
figure{margin:0;border:1px solid #e3e3e3;padding:6px;background:#fff}figure img{display:block;max-width:100%}
figcaption{font-size:12px;color:#333;margin-top:3px}
pre{font-size:11px;background:#f7f7f7;padding:6px;overflow:auto;max-height:300px}
.legend-key span{display:inline-block;width:22px;height:3px;vertical-align:middle;margin:0 4px 0 12px}
@media print{figure{break-inside:avoid}}
`;

/** Renders every figure, writes plots/*.svg|png and report.html into `outDir`. */
export async function buildReport(input: ReportInput, outDir: string, onFigure?: (name: string) => void): Promise<ReportResult> {
  const t0 = performance.now();
  const plotsDir = path.join(outDir, 'plots');
  await mkdir(plotsDir, { recursive: true });
  const evals = input.evaluations;
  const table = studyTable(evals);
  const sections: string[] = [];
  const all: Figure[] = [];
  const add = (f: Figure) => { all.push(f); onFigure?.(f.name); return f; };

  // Metrics versus energy, TL vs scratch.
  const curve = (metric: 'map_nonzero' | 'emd_mean'): CurvePoint[] =>
    evals.flatMap((e) =>
      e.points
        .filter((p) => p.E_nu !== null && typeof p[metric] === 'number')
        .map((p) => ({
          E_nu: p.E_nu!,
          value: metric === 'emd_mean' ? (p[metric] as number) : (p[metric] as number),
          method: String(e.labels.method ?? 'model'),
          group: [e.labels.domain ?? e.id, sizeLabel(e.labels.size) || e.id].join(', '),
          domain: String(e.labels.domain ?? e.id),
        })),
    );
  const curveFigs: Figure[] = [];
  const mapPts = curve('map_nonzero');
  if (mapPts.length) {
    curveFigs.push(add(await figure('map-vs-enu', 'MAP vs neutrino energy (dotted: √(2/π), a perfect model)', metricCurveSpec(mapPts, { name: 'MAP', axis: 'MAP (mean |pull|)', perfect: MAP_PERFECT }))));
    curveFigs.push(add(await figure('emd-vs-enu', 'EMD (mean of E′_μ and θ′) vs neutrino energy', metricCurveSpec(curve('emd_mean'), { name: 'EMD', axis: 'EMD (proxy units)', log: true }))));
  }

  const evalSections: string[] = [];
  for (const e of evals) {
    const name = evaluationName(e);
    const color = methodColor(typeof e.labels.method === 'string' ? e.labels.method : undefined);
    const base = slug(e.id);
    const parts: string[] = [`<h2 id="eval-${esc(base)}">${esc(name)} <small>(${esc(e.id)}, backend ${esc(e.backend)})</small></h2>`, pointsTableHtml(e)];
    if (e.history) {
      parts.push(`<h3>Training</h3><div class="figs">${figureHtml(add(await figure(`${base}-training`, `${name}: losses and validation MAP per epoch`, trainingCurvesSpec(e.history, `Training: ${name}`))))}</div>`);
    } else {
      parts.push('<p class="note">No training history was recorded for this model.</p>');
    }
    for (const hp of e.histograms) {
      if (!isDetail(hp.E_nu, input.detailEnergies)) continue;
      const pt = pointTitle(hp.label);
      const stem = `${base}-${slug(hp.E_nu === null ? 'spread' : `enu-${hp.E_nu}`)}`;
      const figs: Figure[] = [];
      figs.push(add(await figure(`${stem}-proxy`, `${name}, ${pt}: (E′_μ, θ′) histograms and pulls`, proxyMapsSpec(hp.proxy, { generated: `Generated (${name})`, title: `${name} · ${pt}` }))));
      for (const v of PHYSICS_VAR_NAMES) {
        const h = hp.physics[v];
        if (!h) continue;
        const title = `${PHYSICS_VARS[v].label} at ${pt}`;
        const caption = v === 'W'
          ? `${name}, ${pt}: W with the reference split by channel; quasielastic peak near the nucleon mass, Δ(1232) resonance near 1.23 GeV`
          : `${name}, ${pt}: ${PHYSICS_VARS[v].label} distribution and ratio (grey: ±1σ expected for equal samples)`;
        const markers = v === 'W' ? [{ x: M_NUCLEON, label: 'M_N' }, { x: M_DELTA, label: 'Δ(1232)' }] : undefined;
        figs.push(add(await figure(`${stem}-${slug(v)}`, caption, distributionSpec(h, { axis: AXIS[v], title, generated: name, color, channels: v === 'W', ...(markers ? { markers } : {}) }))));
      }
      parts.push(`<h3>${esc(pt)}</h3><div class="figs">${figs.map(figureHtml).join('\n')}</div>`);
    }
    evalSections.push(parts.join('\n'));
  }

  // PNG for every figure; files appear atomically.
  const written: ReportResult['figures'] = [];
  for (const f of all) {
    const svgFile = path.join(plotsDir, `${f.name}.svg`);
    const pngFile = path.join(plotsDir, `${f.name}.png`);
    await writeFileAtomic(svgFile, f.svg);
    await writeFileAtomic(pngFile, svgToPng(f.svg, input.pngScale ?? 2));
    written.push({ name: f.name, svg: path.relative(outDir, svgFile), png: path.relative(outDir, pngFile) });
  }

  const versions = await softwareVersions(input.stages);
  const seconds = (performance.now() - t0) / 1000;
  sections.push(`<h2 id="study">Study table</h2>${evals.length ? studyTableHtml(table) : '<p>No evaluations were given to this report.</p>'}`);
  if (curveFigs.length) sections.push(`<h2 id="curves">Metrics vs E_ν</h2><p class="legend-key">colours: <span style="background:${COLORS.TL}"></span>TL <span style="background:${COLORS.scratch}"></span>from scratch <span style="background:${COLORS.reference}"></span>reference</p><div class="figs">${curveFigs.map(figureHtml).join('\n')}</div>`);
  sections.push(...evalSections);
  sections.push(`<h2 id="provenance">Provenance</h2>${provenanceHtml(input, versions, seconds)}`);
  const nav = ['<a href="#study">study table</a>', curveFigs.length ? '<a href="#curves">metrics vs E_ν</a>' : '', ...evals.map((e) => `<a href="#eval-${esc(slug(e.id))}">${esc(evaluationName(e))}</a>`), '<a href="#provenance">provenance</a>'].filter(Boolean).join(' · ');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(input.title)}</title><style>${CSS}</style></head>
<body><h1>${esc(input.title)}</h1>
<p class="note">Conditional-GAN muon kinematics vs reference events. Proxies: E′_μ = 2√(1 − (E_μ − m_μ)/(E_ν − 9.8 MeV − m_μ)) − 1, θ′ = 2√(θ/π) − 1; 50×50 bins over [−1, 1]². Pull = (n_ref − n_gen)/√(n_ref + n_gen). Energies in GeV, angles in rad.</p>
<nav>${nav}</nav>
${sections.join('\n')}
</body></html>
`;
  await writeFileAtomic(path.join(outDir, 'report.html'), html);
  return { html: 'report.html', figures: written, seconds };
}

async function softwareVersions(stages: ProvenanceStage[]): Promise<Record<string, string>> {
  const out: Record<string, string> = { nugan: NUGAN_VERSION, node: process.version, vega: vegaVersion, 'vega-lite': vegaLiteVersion };
  for (const s of stages) {
    const v = s.summary.versions;
    if (v && typeof v === 'object') for (const [k, val] of Object.entries(v)) if (!(k in out)) out[k] = String(val);
  }
  return out;
}
