/**
 * Builds the study report as a small static site that opens from disk (no script, no server):
 *
 *   report.html            index: the verdict tables (TL vs scratch per domain × size × energy, seeds
 *                          paired), the study table of seed means, summary figures (MAP/EMD vs E_ν,
 *                          the layer-wise transfer figure when the study sweeps frozen depth)
 *   domain-<domain>.html   one page per domain: per-point tables, TL, scratch and base overlaid on the
 *                          same reference distributions, proxy maps, training curves
 *   provenance.html        every stage behind the report, its seed, time, engine and where it ran
 *   plots/                 one file per figure, loaded lazily by the pages: line figures as SVG (and
 *                          PNG with `pngAll`), 50×50 maps as PNG only (as SVG they weigh 600 kB each)
 *
 * Figures are never inlined: the size of the report grows with the number of figures, not the page's
 * HTML, and a browser fetches only those scrolled into view.
 *
 * The folder is `study-report/`, not `report/`: a report here is the study's HTML (the `report` stage
 * kind's output), and the name keeps it apart from src/reporters/, which renders a run's progress on
 * the terminal.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { version as vegaVersion } from 'vega';
import { version as vegaLiteVersion } from 'vega-lite';
import { PHYSICS_VARS, PHYSICS_VAR_NAMES, type PhysicsVar } from '../metrics/compare.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { M_NUCLEON } from '../physics/constants.ts';
import {
  COLORS,
  freezeDepthSpec,
  MAP_PERFECT,
  metricCurveSpec,
  overlaySpec,
  proxyComparisonSpec,
  seriesColors,
  trainingCurvesSpec,
  type CurvePoint,
  type DepthPoint,
} from '../plot/charts.ts';
import { compactSvg, renderSvg, svgSize, svgToPng, type PlotSpec } from '../plot/render.ts';
import { NUGAN_VERSION } from '../version.ts';
import { esc, figuresHtml, fmt, page, pointsTableHtml, pointTitle, slug, studyTableHtml, verdictTableHtml, type FigureRef } from './html.ts';
import { evaluationName, modelGroups, studyTable, verdictRows, type HistogramPoint, type LoadedEvaluation, type ModelGroup } from './study.ts';

/** What the runner's manifest recorded about a stage run (absent for artifacts built outside the runner). */
export interface StageRecord {
  seed?: number;
  /** ISO time the run started. */
  started?: string;
  seconds?: number;
  /** Where it ran: executor, host, cpus, gpus, SLURM job id. */
  executor?: Readonly<Record<string, unknown>>;
}

export interface ProvenanceStage {
  id: string;
  kind: string;
  key: string;
  summary: Readonly<Record<string, unknown>>;
  record?: StageRecord;
}

export interface ReportInput {
  title: string;
  evaluations: LoadedEvaluation[];
  /** Every stage behind the report (evaluations, models, the base model, data) with summaries and records. */
  stages: ProvenanceStage[];
  /** Report stage parameters and where the pipeline lives, shown verbatim. */
  pipeline: { dir: string; reportStage: string; params: Record<string, unknown> };
  /** Fixed energies (GeV) that get detailed per-point figures; undefined: every point. The spread point always does. */
  detailEnergies?: number[];
  /** PNG resolution as a multiple of the figure's nominal size. */
  pngScale?: number;
  /** Also write a PNG of every vector figure (slides); the maps are PNG in any case. */
  pngAll?: boolean;
}

export interface ReportResult {
  /** The index page, relative to the report directory. */
  html: string;
  pages: string[];
  figures: FigureRef[];
  /** Bytes written: pages and figure files. */
  bytes: number;
  seconds: number;
}

/** Delta(1232) mass (GeV, PDG Breit–Wigner), drawn as a guide on W plots. */
const M_DELTA = 1.232;

const AXIS: Record<PhysicsVar, string> = {
  E_mu: `${PHYSICS_VARS.E_mu.label} (${PHYSICS_VARS.E_mu.unit})`,
  p_mu: `${PHYSICS_VARS.p_mu.label} (${PHYSICS_VARS.p_mu.unit})`,
  theta: `${PHYSICS_VARS.theta.label} (${PHYSICS_VARS.theta.unit})`,
  cos_theta: PHYSICS_VARS.cos_theta.label,
  W: `${PHYSICS_VARS.W.label} (${PHYSICS_VARS.W.unit}) from muon, nucleon at rest`,
  Q2: `${PHYSICS_VARS.Q2.label} (${PHYSICS_VARS.Q2.unit})`,
  p_z: `${PHYSICS_VARS.p_z.label} (${PHYSICS_VARS.p_z.unit})`,
};

function isDetail(E_nu: number | null, energies: number[] | undefined): boolean {
  if (E_nu === null || energies === undefined) return true;
  return energies.some((e) => Math.abs(e - E_nu) <= 1e-6 * Math.max(1, e));
}

export function domainPage(domain: string): string {
  return `domain-${slug(domain)}.html`;
}

/** Renders figures and writes their files as they come; remembers what it wrote. */
class FigureWriter {
  readonly figures: FigureRef[] = [];
  bytes = 0;

  constructor(
    private readonly outDir: string,
    private readonly opts: { pngScale: number; pngAll: boolean },
    private readonly onFigure?: (name: string) => void,
  ) {}

  /** A line figure: SVG (and PNG with pngAll). A map (`raster`): PNG only. */
  async add(name: string, caption: string, spec: PlotSpec, raster = false): Promise<FigureRef> {
    const svg = await renderSvg(spec);
    const { width, height } = svgSize(svg);
    const files: [string, string | Buffer][] = [];
    if (raster) {
      files.push([`plots/${name}.png`, svgToPng(svg, this.opts.pngScale)]);
    } else {
      files.push([`plots/${name}.svg`, compactSvg(svg)]);
      if (this.opts.pngAll) files.push([`plots/${name}.png`, svgToPng(svg, this.opts.pngScale)]);
    }
    for (const [rel, data] of files) {
      await writeFileAtomic(path.join(this.outDir, rel), data);
      this.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    }
    const ref: FigureRef = { name, caption, file: files[0]![0], width, height, also: files.slice(1).map(([f]) => f) };
    this.figures.push(ref);
    this.onFigure?.(name);
    return ref;
  }
}

/** The colour of every column (method, or method with variant) of the study, fixed for all figures. */
function columnColors(groups: readonly ModelGroup[]): Map<string, string> {
  const cols = [...new Map(groups.map((g) => [g.column, { name: g.column, method: g.method }])).values()];
  const colors = seriesColors(cols);
  return new Map(cols.map((c, i) => [c.name, colors[i]!]));
}

/** The histograms of one member at one evaluation point, if it was evaluated there. */
function histogramsAt(e: LoadedEvaluation, label: string): HistogramPoint | undefined {
  return e.histograms.find((h) => h.label === label);
}

/** Models overlaid on one figure must share the reference sample: same range, same counts. */
function referenceSignature(h: HistogramPoint): string {
  const w = h.physics.W;
  return JSON.stringify([h.proxy.bins, h.proxy.reference.length, h.proxy.reference.reduce((a, b) => a + b, 0), w?.lo, w?.hi, w?.reference]);
}

function meanCounts(arrays: readonly number[][]): number[] {
  const n = arrays.length;
  const out = new Array<number>(arrays[0]!.length).fill(0);
  for (const a of arrays) a.forEach((v, i) => { out[i]! += v / n; });
  return out;
}

/** Overlays and maps of one domain at one evaluation point: every model of the domain on the same reference. */
async function pointFigures(w: FigureWriter, domain: string, label: string, groups: readonly ModelGroup[], colors: Map<string, string>): Promise<FigureRef[]> {
  // Members with this point, partitioned by their reference sample (normally one partition).
  const parts = new Map<string, { group: ModelGroup; hists: HistogramPoint[]; seeds: string[] }[]>();
  for (const g of groups) {
    for (const m of g.members) {
      const h = histogramsAt(m.evaluation, label);
      if (!h) continue;
      const sig = referenceSignature(h);
      const list = parts.get(sig) ?? [];
      parts.set(sig, list);
      let entry = list.find((x) => x.group === g);
      if (!entry) list.push((entry = { group: g, hists: [], seeds: [] }));
      entry.hists.push(h);
      entry.seeds.push(m.seed);
    }
  }
  const sizes = new Set(groups.map((g) => g.size));
  const figs: FigureRef[] = [];
  const pt = pointTitle(label);
  let part = 0;
  for (const entries of parts.values()) {
    const ref = entries[0]!.hists[0]!;
    const stem = `${slug(domain)}-${slug(ref.E_nu === null ? 'spread' : `enu-${ref.E_nu}`)}${part++ ? `-ref${part}` : ''}`;
    const name = (g: ModelGroup) => (sizes.size > 1 && g.size ? `${g.column} · ${g.size}` : g.column);
    const seedNote = entries.some((e) => e.hists.length > 1) ? '; lines with several seeds: the mean of their histograms' : '';
    // The study's colour per column, unless a column appears in several sizes here: then one hue each.
    const hues = new Set(entries.map((e) => e.group.column)).size === entries.length
      ? entries.map((e) => colors.get(e.group.column) ?? COLORS.generated)
      : seriesColors(entries.map((e) => ({ name: name(e.group), method: e.group.method })));
    for (const v of PHYSICS_VAR_NAMES) {
      const h = ref.physics[v];
      if (!h) continue;
      const series = entries.map((e, i) => ({ name: name(e.group), color: hues[i]!, counts: meanCounts(e.hists.map((x) => x.physics[v].generated)) }));
      const title = `${PHYSICS_VARS[v].label} at ${pt}, ${domain}`;
      const caption = v === 'W'
        ? `${domain}, ${pt}: W with the reference split by channel; quasielastic peak near the nucleon mass, Δ(1232) near 1.23 GeV${seedNote}`
        : `${domain}, ${pt}: ${PHYSICS_VARS[v].label}, every model on the same reference, ratio below (grey: ±1σ expected for equal samples)${seedNote}`;
      const markers = v === 'W' ? [{ x: M_NUCLEON, label: 'M_N' }, { x: M_DELTA, label: 'Δ(1232)' }] : undefined;
      figs.push(await w.add(`${stem}-${slug(v)}`, caption, overlaySpec(h, series, { axis: AXIS[v], title, channels: v === 'W', ...(markers ? { markers } : {}) })));
    }
    const samples = entries.map((e) => ({ name: `${name(e.group)}${e.seeds.length > 1 || !e.seeds[0]!.startsWith('#') ? `, seed ${e.seeds[0]}` : ''}`, counts: e.hists[0]!.proxy.generated }));
    figs.push(await w.add(`${stem}-proxy`, `${domain}, ${pt}: (E′_μ, θ′) histograms of the reference and of each model (first seed), pulls below`, proxyComparisonSpec(ref.proxy, samples, `${domain} · ${pt}`), true));
  }
  return figs;
}

function curvePoints(groups: readonly ModelGroup[], metric: 'map' | 'emd'): { means: CurvePoint[]; seeds: CurvePoint[] } {
  const means: CurvePoint[] = [];
  const seeds: CurvePoint[] = [];
  for (const g of groups) {
    for (const p of g.points) {
      if (p.E_nu === null || !Number.isFinite(p[metric].mean)) continue;
      const at = { E_nu: p.E_nu, series: g.column, size: g.size || '–', domain: g.domain };
      means.push({ ...at, value: p[metric].mean });
      if (p[metric].n > 1) for (const s of p[metric].values) seeds.push({ ...at, value: s.value, seed: s.seed });
    }
  }
  return { means, seeds };
}

/** Frozen depth of a group, from its evaluations' `freeze` label; undefined when the study does not sweep it. */
function depthOf(g: ModelGroup): string | undefined {
  const f = g.members[0]?.evaluation.labels.freeze;
  return f === undefined || f === null || typeof f === 'object' ? undefined : String(f);
}

/** The layer-wise transfer figures (MAP and EMD against frozen depth), when TL models carry ≥ 2 depths. */
async function depthFigures(w: FigureWriter, groups: readonly ModelGroup[]): Promise<FigureRef[]> {
  const swept = groups.filter((g) => g.method === 'TL' && depthOf(g) !== undefined);
  const depths = [...new Set(swept.map((g) => depthOf(g)!))];
  if (depths.length < 2) return [];
  const order = depths.sort((a, b) => {
    const na = Number(a);
    const nb = Number(b);
    if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
    return Number.isFinite(na) ? -1 : Number.isFinite(nb) ? 1 : a.localeCompare(b);
  });
  const domains = new Set(swept.map((g) => g.domain));
  const figs: FigureRef[] = [];
  for (const metric of ['map', 'emd'] as const) {
    const points: DepthPoint[] = [];
    for (const g of swept) {
      const s = g.overall[metric];
      if (!Number.isFinite(s.mean)) continue;
      const at = { depth: depthOf(g)!, size: g.size || '–', domain: g.domain };
      points.push({ ...at, value: s.mean, sd: s.sd });
      for (const v of s.values) points.push({ ...at, value: v.value, seed: v.seed });
    }
    const rules = groups
      .filter((g) => (g.method === 'scratch' || g.method === 'base') && domains.has(g.domain) && Number.isFinite(g.overall[metric].mean))
      .map((g) => ({ domain: g.domain, size: g.size || '–', value: g.overall[metric].mean, method: g.method }));
    const spec = metric === 'map'
      ? freezeDepthSpec(points, rules, order, { name: 'MAP', axis: 'MAP, mean over fixed E_ν', perfect: MAP_PERFECT })
      // Linear: the depths of one study differ by tens of per cent, not by decades.
      : freezeDepthSpec(points, rules, order, { name: 'EMD', axis: 'EMD (proxy units), mean over fixed E_ν' });
    figs.push(await w.add(`freeze-depth-${metric}`, `Layer-wise transfer: ${metric.toUpperCase()} (mean over the fixed energies) against the number of frozen blocks of G and D; bars ±1 sd over seeds, open points single seeds; dashed: from scratch and the base model`, spec));
  }
  return figs;
}

function navHtml(domains: readonly string[], here: string): string {
  const links = [['report.html', 'index: verdicts'], ...domains.map((d) => [domainPage(d), d]), ['provenance.html', 'provenance']];
  return links.map(([href, text]) => (href === here ? `<b>${esc(text)}</b>` : `<a href="${esc(href)}">${esc(text)}</a>`)).join(' ');
}

const PROXY_NOTE = 'Conditional-GAN muon kinematics vs reference events. Proxies: E′_μ = 2√(1 − (E_μ − m_μ)/(E_ν − 9.8 MeV − m_μ)) − 1, θ′ = 2√(θ/π) − 1; 50×50 bins over [−1, 1]². Pull = (n_ref − n_gen)/√(n_ref + n_gen). Energies in GeV, angles in rad.';

const VERDICT_NOTE = `Each cell compares TL with from-scratch training at one evaluation point, seeds paired (seed s of TL with seed s of scratch: same training and reference samples): Δ = scratch − TL (positive favours TL), mean ± sd over the pairs. Verdict by Student's paired t-test, two-sided, 5 %: “TL better” / “scratch better” when p &lt; 0.05, “within spread” otherwise. With one seed there is no spread to compare with: the cell only says which was lower. With two seeds a verdict needs both differences of one sign and nearly equal (|t| &gt; 12.7); three seeds |t| &gt; 4.3. Many cells are tested at once: at 5 % about one cell in twenty can show a verdict by chance (README, “Reading the report”).`;

/** Renders every figure, writes plots/, the index, one page per domain and the provenance page into `outDir`. */
export async function buildReport(input: ReportInput, outDir: string, onFigure?: (name: string) => void): Promise<ReportResult> {
  const t0 = performance.now();
  await mkdir(path.join(outDir, 'plots'), { recursive: true });
  const w = new FigureWriter(outDir, { pngScale: input.pngScale ?? 1, pngAll: input.pngAll ?? false }, onFigure);
  const evals = input.evaluations;
  const groups = modelGroups(evals);
  const colors = columnColors(groups);
  const domains = [...new Set(groups.map((g) => g.domain))];
  const pages: [string, string][] = [];

  // Domain pages.
  for (const domain of domains) {
    const here = domainPage(domain);
    const dg = groups.filter((g) => g.domain === domain);
    const parts: string[] = [`<p class="note">${esc(PROXY_NOTE)}</p>`];
    const sizes = [...new Set(dg.filter((g) => g.method !== 'base').map((g) => g.size))];
    const base = dg.filter((g) => g.method === 'base');
    for (const size of sizes.length ? sizes : ['']) {
      const rowGroups = [...dg.filter((g) => g.size === size && g.method !== 'base'), ...base];
      parts.push(`<h2 id="size-${esc(slug(size || 'all'))}">${esc(domain)}${size ? `, ${esc(size)} training events` : ''}</h2>`, pointsTableHtml(rowGroups));
    }
    parts.push('<p class="note">MAP and EMD ×10³ as mean ± standard deviation over seeds (hover a MAP for each seed\'s value). A statistically perfect model has MAP ≈ 0.80 for equal sample sizes.</p>');
    const labels = new Map<string, number | null>();
    for (const g of dg) for (const p of g.points) labels.set(p.label, p.E_nu);
    const ordered = [...labels.entries()].sort((a, b) => (a[1] ?? Number.POSITIVE_INFINITY) - (b[1] ?? Number.POSITIVE_INFINITY));
    for (const [label, E_nu] of ordered) {
      if (!isDetail(E_nu, input.detailEnergies)) continue;
      const figs = await pointFigures(w, domain, label, dg, colors);
      parts.push(`<h2 id="${esc(slug(E_nu === null ? 'spread' : `enu-${E_nu}`))}">${esc(pointTitle(label))}</h2>${figuresHtml(figs)}`);
    }
    const training: FigureRef[] = [];
    for (const g of dg) {
      for (const m of g.members) {
        if (!m.evaluation.history) continue;
        const name = evaluationName(m.evaluation);
        training.push(await w.add(`${slug(m.evaluation.id)}-training`, `${name}${m.seed.startsWith('#') ? '' : `, seed ${m.seed}`}: losses and validation MAP per epoch`, trainingCurvesSpec(m.evaluation.history, `Training: ${name}`)));
      }
    }
    parts.push(`<h2 id="training">Training</h2>${training.length ? figuresHtml(training) : '<p class="note">No training history was recorded for these models.</p>'}`);
    pages.push([here, page(`${input.title}: ${domain}`, navHtml(domains, here), parts.join('\n'))]);
  }

  // Index: verdicts first, then seed means and summary figures.
  const rows = verdictRows(groups);
  const link = (d: string) => domainPage(d);
  const colorOf = (c: string) => colors.get(c) ?? COLORS.generated;
  const index: string[] = [`<p class="note">${esc(PROXY_NOTE)}</p>`];
  if (rows.length) {
    index.push(
      `<h2 id="verdicts">Verdicts: TL vs scratch</h2><h3>MAP</h3>${verdictTableHtml(rows, 'map', link)}<h3>EMD (×10³)</h3>${verdictTableHtml(rows, 'emd', link)}`,
      `<p class="note">${VERDICT_NOTE}</p>`,
    );
  } else {
    index.push(`<h2 id="verdicts">Verdicts: TL vs scratch</h2><p class="note">This study has no pair of TL and from-scratch models of the same domain and size, so there is no verdict to give.</p>`);
  }
  const table = studyTable(evals, groups);
  index.push(
    `<h2 id="study">Study table</h2>${evals.length ? studyTableHtml(table, colorOf, link) : '<p>No evaluations were given to this report.</p>'}`,
    '<p class="note">MAP and EMD averaged over the fixed-energy points of each model, then mean ± standard deviation over seeds (hover a MAP for the seeds). ★ marks the best (lowest) mean in a row. The base model (before fine-tuning) appears in every row of its domain. A statistically perfect model has MAP ≈ √(2/π) ≈ 0.80 and EMD ≈ 0 (for 1M vs 1M events).</p>',
  );
  const summary: FigureRef[] = [];
  const cols = [...colors.keys()];
  const colorScale = { domain: cols, range: cols.map(colorOf) };
  const mapPts = curvePoints(groups, 'map');
  if (mapPts.means.length) {
    summary.push(await w.add('map-vs-enu', 'MAP vs neutrino energy: lines the mean over seeds, open points single seeds (dotted: √(2/π), a perfect model)', metricCurveSpec(mapPts.means, mapPts.seeds, colorScale, { name: 'MAP', axis: 'MAP (mean |pull|)', perfect: MAP_PERFECT })));
    const emdPts = curvePoints(groups, 'emd');
    summary.push(await w.add('emd-vs-enu', 'EMD (mean of E′_μ and θ′) vs neutrino energy: lines the mean over seeds, open points single seeds', metricCurveSpec(emdPts.means, emdPts.seeds, colorScale, { name: 'EMD', axis: 'EMD (proxy units)', log: true })));
  }
  if (summary.length) index.push(`<h2 id="curves">Metrics vs E_ν</h2><p class="legend-key">colours: <span style="background:${COLORS.TL}"></span>TL <span style="background:${COLORS.scratch}"></span>from scratch <span style="background:${COLORS.generated}"></span>base model <span style="background:${COLORS.reference}"></span>reference</p>${figuresHtml(summary)}`);
  const depth = await depthFigures(w, groups);
  if (depth.length) index.push(`<h2 id="layerwise">Layer-wise transfer</h2>${figuresHtml(depth)}`);
  index.push(`<h2 id="pages">Per domain</h2><ul>${domains.map((d) => `<li><a href="${esc(domainPage(d))}">${esc(d)}</a>: per-point tables, TL, scratch and base on the same reference distributions, proxy maps, training curves</li>`).join('')}</ul><p><a href="provenance.html">Provenance</a>: every stage, its seed, time, engine and device.</p>`);

  const versions = softwareVersions(input.stages);
  const seconds = (performance.now() - t0) / 1000;
  pages.push(['provenance.html', page(`${input.title}: provenance`, navHtml(domains, 'provenance.html'), `<h2 id="provenance">Provenance</h2>${provenanceHtml(input, versions, seconds)}`)]);
  pages.unshift(['report.html', page(input.title, navHtml(domains, 'report.html'), index.join('\n'))]);
  let bytes = w.bytes;
  for (const [file, html] of pages) {
    await writeFileAtomic(path.join(outDir, file), html);
    bytes += Buffer.byteLength(html);
  }
  return { html: 'report.html', pages: pages.map(([f]) => f), figures: w.figures, bytes, seconds: (performance.now() - t0) / 1000 };
}

/** The engine a stage ran on, in words, from whatever its summary recorded. */
function engineOf(s: Readonly<Record<string, unknown>>): string {
  if (typeof s.backend === 'string') return s.backend;
  if (typeof s.engine === 'string') return [s.engine, s.device].filter((x) => typeof x === 'string').join(': ');
  if (typeof s.threads === 'number') return `${s.threads} thread${s.threads === 1 ? '' : 's'}`;
  return '–';
}

/** Where a stage ran: host, CPUs and GPUs granted, SLURM job. */
function whereOf(r: StageRecord | undefined): string {
  const e = r?.executor;
  if (!e) return '–';
  const gpus = Array.isArray(e.gpus) && e.gpus.length ? `, GPU ${e.gpus.join(',')}` : '';
  const job = e.slurmJobId ? `, SLURM job ${String(e.slurmJobId)}` : '';
  return `${String(e.executor ?? '')} ${String(e.host ?? '')}${typeof e.cpus === 'number' ? `, ${e.cpus} CPU${e.cpus === 1 ? '' : 's'}` : ''}${gpus}${job}`.trim();
}

function provenanceHtml(input: ReportInput, versions: Record<string, string>, seconds: number): string {
  const stageRows = input.stages
    .map((s) => {
      const sm = s.summary;
      const seed = s.record?.seed ?? sm.seed;
      const secs = s.record?.seconds ?? (typeof sm.seconds === 'number' ? sm.seconds : undefined);
      const started = s.record?.started ? s.record.started.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–';
      return `<tr><td>${esc(s.id)}</td><td>${esc(s.kind)}</td><td><code>${esc(s.key.slice(0, 16))}</code></td><td class="num">${esc(seed ?? '–')}</td><td>${esc(started)}</td><td class="num">${fmt(secs, 1)}</td><td>${esc(engineOf(sm))}</td><td>${esc(whereOf(s.record))}</td></tr>`;
    })
    .join('\n');
  const summaries = input.stages.map((s) => `<h4>${esc(s.id)} (${esc(s.kind)})</h4><pre>${esc(JSON.stringify(s.summary, null, 1))}</pre>`).join('\n');
  const vers = Object.entries(versions).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('');
  return `<table class="prov" id="provenance-table"><thead><tr><th>stage</th><th>kind</th><th>cache key</th><th>seed</th><th>started (UTC)</th><th>seconds</th><th>engine</th><th>where</th></tr></thead><tbody>\n${stageRows}\n</tbody></table>
<p class="note">Every stage behind this report, upstream of upstream included (the base model and its data too), as the cache recorded it: the seed the stage ran with, when it started, how long it took, the engine and device it reported and where it ran.</p>
<h3>Software</h3><table class="prov"><tbody>${vers}</tbody></table>
<h3>Pipeline</h3><p>Pipeline directory: <code>${esc(input.pipeline.dir)}</code>; report stage <code>${esc(input.pipeline.reportStage)}</code> with parameters <code>${esc(JSON.stringify(input.pipeline.params))}</code>. Report built in ${seconds.toFixed(1)} s.</p>
<details><summary>Full summaries of the upstream stages</summary>${summaries}</details>`;
}

function softwareVersions(stages: ProvenanceStage[]): Record<string, string> {
  const out: Record<string, string> = { nugan: NUGAN_VERSION, node: process.version, vega: vegaVersion, 'vega-lite': vegaLiteVersion };
  for (const s of stages) {
    const v = s.summary.versions;
    if (v && typeof v === 'object') for (const [k, val] of Object.entries(v)) if (!(k in out)) out[k] = String(val);
  }
  return out;
}
