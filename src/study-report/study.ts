/**
 * The study as data: evaluations read back from evaluate artifacts, grouped domain × training size ×
 * method (× variant, e.g. the frozen depth), seeds aggregated (mean, spread, every seed kept as a
 * point), the TL-vs-scratch verdicts per evaluation point (src/study-report/paired.ts) and the summary
 * table (seed means of MAP and EMD over the fixed-energy points, best per row marked).
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../util/errors.ts';
import type { Hist1DData, PhysicsVar } from '../metrics/compare.ts';
import type { EvaluationLabels } from '../metrics/evaluation.ts';
import type { TrainingCurves } from '../plot/charts.ts';
import { normalizeHistory } from './history.ts';
import { meanSd, verdict, type Verdict } from './paired.ts';

/** One row of metrics.json `points` (see src/metrics/evaluation.ts pointMetrics). */
export interface MetricRow {
  point: string;
  E_nu: number | null;
  events: number;
  map_nonzero: number | null;
  map_gt5: number | null;
  emd_E_mu_proxy: number | null;
  emd_theta_proxy: number | null;
  emd_mean: number | null;
  [key: string]: unknown;
}

export interface HistogramPoint {
  label: string;
  E_nu: number | null;
  range: [number, number];
  proxy: { bins: number; lo: number; hi: number; reference: number[]; generated: number[] };
  physics: Record<PhysicsVar, Hist1DData>;
}

export interface LoadedEvaluation {
  /** Evaluate stage id. */
  id: string;
  labels: EvaluationLabels;
  backend: string;
  seed: number | undefined;
  points: MetricRow[];
  histograms: HistogramPoint[];
  history?: TrainingCurves;
  provenance?: unknown;
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read: ${(err as Error).message}`, file);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new InputError(`not valid JSON: ${(err as Error).message}`, file);
  }
}

/** Reads an evaluate artifact's metrics.json, histograms.json and (optional) history.json. */
export async function loadEvaluation(id: string, outputs: Readonly<Record<string, string>>): Promise<LoadedEvaluation> {
  if (!outputs.metrics || !outputs.histograms) {
    throw new InputError(`evaluation '${id}' lacks a metrics or histograms output (has: ${Object.keys(outputs).join(', ')})`);
  }
  const metrics = await readJson(outputs.metrics);
  const hist = await readJson(outputs.histograms);
  if (metrics.schema !== 1 || !Array.isArray(metrics.points)) throw new InputError('expected metrics.json schema 1 with a points array', outputs.metrics);
  if (hist.schema !== 1 || !Array.isArray(hist.points)) throw new InputError('expected histograms.json schema 1 with a points array', outputs.histograms);
  let history: TrainingCurves | undefined;
  if (outputs.history) {
    // A broken history must not cost the whole report: it is shown as missing.
    history = normalizeHistory(await readJson(outputs.history).catch(() => undefined));
  }
  return {
    id,
    labels: (metrics.labels as EvaluationLabels | undefined) ?? {},
    backend: String(metrics.backend ?? 'unknown'),
    seed: typeof metrics.seed === 'number' ? metrics.seed : undefined,
    points: metrics.points as MetricRow[],
    histograms: hist.points as HistogramPoint[],
    ...(history ? { history } : {}),
    provenance: metrics.provenance,
  };
}

/** "10k", "100k", "4M" for training sizes; strings pass through. */
export function sizeLabel(size: unknown): string {
  if (typeof size !== 'number') return size === undefined ? '' : String(size);
  if (size >= 1e6 && size % 1e5 === 0) return `${size / 1e6}M`;
  if (size >= 1e3 && size % 100 === 0) return `${size / 1e3}k`;
  return String(size);
}

/** Display name of an evaluation: "TL · nu-argon · 10k", or the stage id without labels. */
export function evaluationName(e: LoadedEvaluation): string {
  const parts = [e.labels.method, e.labels.domain, sizeLabel(e.labels.size)].filter((s) => s !== undefined && s !== '');
  return parts.length ? parts.join(' · ') : e.id;
}

function mean(values: (number | null | undefined)[]): number {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN;
}

/** Labels that place an evaluation; any other label (freeze depth, learning-rate variant …) makes a variant. */
const PLACING_LABELS = new Set(['domain', 'size', 'method', 'seed']);

/** "freeze 2", "freeze all-lr · lr 1e-5": the labels beyond domain, size, method and seed. */
export function variantOf(e: LoadedEvaluation): string {
  return Object.entries(e.labels)
    .filter(([k, v]) => !PLACING_LABELS.has(k) && v !== undefined && v !== null && typeof v !== 'object')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(' · ');
}

/** Method and variant as one column name: "TL", "TL (freeze 2)". */
export function columnName(method: string, variant: string): string {
  return variant ? `${method} (${variant})` : method;
}

/** A metric over the seeds of one group: mean, sample standard deviation and every seed's value. */
export interface SeedSummary {
  mean: number;
  /** Sample standard deviation (n − 1); NaN with one seed. */
  sd: number;
  n: number;
  values: { seed: string; value: number; evaluation: string }[];
}

export function seedSummary(values: SeedSummary['values']): SeedSummary {
  const ok = values.filter((v) => Number.isFinite(v.value));
  const { mean: m, sd, n } = meanSd(ok.map((v) => v.value));
  return { mean: m, sd, n, values: ok };
}

/** One evaluation point of a group, aggregated over seeds. */
export interface PointAggregate {
  /** "E_nu = 1 GeV" or "E_nu in [0.3, 10] GeV". */
  label: string;
  E_nu: number | null;
  map: SeedSummary;
  emd: SeedSummary;
}

/** The models of one domain × training size × method (× variant), every seed. */
export interface ModelGroup {
  domain: string;
  size: string;
  sizeValue: number;
  method: string;
  variant: string;
  /** columnName(method, variant). */
  column: string;
  /** Seed label ("1", or "#1" … by order when the evaluations carry no seed label) and evaluation. */
  members: { seed: string; evaluation: LoadedEvaluation }[];
  points: PointAggregate[];
  /** Each seed's mean over the fixed-energy points (every point when there is none), then over seeds. */
  overall: { map: SeedSummary; emd: SeedSummary };
}

function sizeValueOf(size: unknown): number {
  return typeof size === 'number' ? size : parseSize(String(size ?? ''));
}

function pointKey(E_nu: number | null, label: string): string {
  return E_nu === null ? `spread:${label}` : `fixed:${E_nu}`;
}

const METHOD_ORDER = ['TL', 'scratch', 'base'];

function methodRank(m: string): number {
  return METHOD_ORDER.indexOf(m) + 1 || 99;
}

/** Groups evaluations domain × size × method × variant; seeds become members, metrics seed summaries. */
export function modelGroups(evals: readonly LoadedEvaluation[]): ModelGroup[] {
  const groups = new Map<string, ModelGroup>();
  for (const e of evals) {
    const domain = String(e.labels.domain ?? e.id);
    const size = sizeLabel(e.labels.size);
    const method = String(e.labels.method ?? 'model');
    const variant = variantOf(e);
    const key = [domain, size, method, variant].join('\u0000');
    let g = groups.get(key);
    if (!g) {
      g = { domain, size, sizeValue: sizeValueOf(e.labels.size), method, variant, column: columnName(method, variant), members: [], points: [], overall: { map: seedSummary([]), emd: seedSummary([]) } };
      groups.set(key, g);
    }
    const seed = e.labels.seed !== undefined && e.labels.seed !== null ? String(e.labels.seed) : `#${g.members.length + 1}`;
    g.members.push({ seed, evaluation: e });
  }
  for (const g of groups.values()) {
    const byPoint = new Map<string, { label: string; E_nu: number | null; map: SeedSummary['values']; emd: SeedSummary['values'] }>();
    const overallMap: SeedSummary['values'] = [];
    const overallEmd: SeedSummary['values'] = [];
    for (const { seed, evaluation: e } of g.members) {
      for (const p of e.points) {
        const k = pointKey(p.E_nu, p.point);
        const agg = byPoint.get(k) ?? { label: p.point, E_nu: p.E_nu, map: [], emd: [] };
        byPoint.set(k, agg);
        agg.map.push({ seed, value: p.map_nonzero ?? Number.NaN, evaluation: e.id });
        agg.emd.push({ seed, value: p.emd_mean ?? Number.NaN, evaluation: e.id });
      }
      const fixed = e.points.filter((p) => p.E_nu !== null);
      const use = fixed.length ? fixed : e.points;
      overallMap.push({ seed, value: mean(use.map((p) => p.map_nonzero)), evaluation: e.id });
      overallEmd.push({ seed, value: mean(use.map((p) => p.emd_mean)), evaluation: e.id });
    }
    g.points = [...byPoint.values()]
      .map((a) => ({ label: a.label, E_nu: a.E_nu, map: seedSummary(a.map), emd: seedSummary(a.emd) }))
      .sort((a, b) => (a.E_nu ?? Number.POSITIVE_INFINITY) - (b.E_nu ?? Number.POSITIVE_INFINITY));
    g.overall = { map: seedSummary(overallMap), emd: seedSummary(overallEmd) };
  }
  return [...groups.values()].sort(
    // The base model last in its domain: it has no size of the domain's own.
    (a, b) => a.domain.localeCompare(b.domain) || Number(a.method === 'base') - Number(b.method === 'base') || a.sizeValue - b.sizeValue || methodRank(a.method) - methodRank(b.method) || a.method.localeCompare(b.method) || compareVariants(a.variant, b.variant),
  );
}

/** Variants in natural order: "freeze 2" before "freeze 10", numbers before words. */
function compareVariants(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Per-seed values of two summaries paired by seed label (seeds present in both, in seed order). */
export function pairBySeed(a: SeedSummary, b: SeedSummary): { seeds: string[]; a: number[]; b: number[] } {
  const bySeed = new Map(b.values.map((v) => [v.seed, v.value]));
  const seeds = a.values.map((v) => v.seed).filter((s) => bySeed.has(s)).sort((x, y) => x.localeCompare(y, 'en', { numeric: true }));
  const av = new Map(a.values.map((v) => [v.seed, v.value]));
  return { seeds, a: seeds.map((s) => av.get(s)!), b: seeds.map((s) => bySeed.get(s)!) };
}

/** TL vs scratch at one evaluation point: the paired verdicts on MAP and EMD. */
export interface VerdictCell {
  label: string;
  E_nu: number | null;
  seeds: string[];
  map: Verdict;
  emd: Verdict;
}

/** One row of the verdict table: a domain × size (× TL variant), one cell per evaluation point. */
export interface VerdictRow {
  domain: string;
  size: string;
  /** The TL group's variant ("" for plain TL). */
  variant: string;
  cells: VerdictCell[];
  /** Over the fixed energies: each seed's mean, paired. */
  overall: { seeds: string[]; map: Verdict; emd: Verdict };
}

/**
 * Every TL group with a scratch group of the same domain and size (a scratch of the same variant if
 * there is one, else the plain one), compared point by point, seeds paired by label.
 */
export function verdictRows(groups: readonly ModelGroup[]): VerdictRow[] {
  const rows: VerdictRow[] = [];
  for (const tl of groups.filter((g) => g.method === 'TL')) {
    const peers = groups.filter((g) => g.method === 'scratch' && g.domain === tl.domain && g.size === tl.size);
    const scratch = peers.find((g) => g.variant === tl.variant) ?? peers.find((g) => g.variant === '');
    if (!scratch) continue;
    const cells: VerdictCell[] = [];
    for (const p of tl.points) {
      const q = scratch.points.find((x) => pointKey(x.E_nu, x.label) === pointKey(p.E_nu, p.label));
      if (!q) continue;
      const map = pairBySeed(p.map, q.map);
      const emd = pairBySeed(p.emd, q.emd);
      if (map.seeds.length === 0) continue;
      cells.push({ label: p.label, E_nu: p.E_nu, seeds: map.seeds, map: verdict(map.a, map.b), emd: verdict(emd.a, emd.b) });
    }
    const om = pairBySeed(tl.overall.map, scratch.overall.map);
    const oe = pairBySeed(tl.overall.emd, scratch.overall.emd);
    rows.push({ domain: tl.domain, size: tl.size, variant: tl.variant, cells, overall: { seeds: om.seeds, map: verdict(om.a, om.b), emd: verdict(oe.a, oe.b) } });
  }
  return rows;
}

export interface StudyCell {
  /** The evaluations behind the cell (one per seed). */
  evaluations: string[];
  /** Seed summaries of each seed's mean over the fixed-energy points. */
  map: SeedSummary;
  emd: SeedSummary;
  /** At the spread (E_nu range) point, when evaluated. */
  mapSpread?: SeedSummary;
  emdSpread?: SeedSummary;
  bestMap: boolean;
  bestEmd: boolean;
}

export interface StudyRow {
  domain: string;
  size: string;
  cells: Record<string, StudyCell>;
}

export interface StudyTable {
  /** Column names: method, or method with its variant ("TL (freeze 2)"). */
  methods: string[];
  rows: StudyRow[];
}

/** Groups evaluations domain × size, one column per method (and variant); seed means; best (lowest) per row marked. */
export function studyTable(evals: readonly LoadedEvaluation[], groups: readonly ModelGroup[] = modelGroups(evals)): StudyTable {
  const columns = [...new Map(groups.map((g) => [g.column, g])).values()]
    .sort((a, b) => methodRank(a.method) - methodRank(b.method) || a.method.localeCompare(b.method) || compareVariants(a.variant, b.variant))
    .map((g) => g.column);
  const rows = new Map<string, StudyRow>();
  // The base model (before fine-tuning) is a column of every row of its domain: it has no training size
  // of the domain's own; it gets a row of its own only in a domain with nothing else (its pretraining domain).
  const isBase = (g: ModelGroup) => g.method === 'base';
  const rowsFor = (g: ModelGroup): [string, string][] => {
    if (!isBase(g)) return [[g.domain, g.size]];
    const sizes = [...new Set(groups.filter((o) => o.domain === g.domain && !isBase(o)).map((o) => o.size))];
    return sizes.length ? sizes.map((s) => [g.domain, s]) : [[g.domain, g.size]];
  };
  for (const g of groups) for (const [domain, size] of rowsFor(g)) {
    const key = `${domain}\u0000${size}`;
    const row = rows.get(key) ?? { domain, size, cells: {} };
    rows.set(key, row);
    const spread = g.points.find((p) => p.E_nu === null);
    row.cells[g.column] = {
      evaluations: g.members.map((m) => m.evaluation.id),
      map: g.overall.map,
      emd: g.overall.emd,
      ...(spread ? { mapSpread: spread.map, emdSpread: spread.emd } : {}),
      bestMap: false,
      bestEmd: false,
    };
  }
  for (const row of rows.values()) {
    const cells = Object.values(row.cells);
    if (cells.length < 2) continue;
    const minMap = Math.min(...cells.map((c) => (Number.isFinite(c.map.mean) ? c.map.mean : Infinity)));
    const minEmd = Math.min(...cells.map((c) => (Number.isFinite(c.emd.mean) ? c.emd.mean : Infinity)));
    for (const c of cells) {
      c.bestMap = c.map.mean === minMap;
      c.bestEmd = c.emd.mean === minEmd;
    }
  }
  const sorted = [...rows.values()].sort((a, b) => a.domain.localeCompare(b.domain) || parseSize(a.size) - parseSize(b.size));
  return { methods: columns, rows: sorted };
}

function parseSize(s: string): number {
  const m = /^([\d.]+)([kM]?)$/.exec(s);
  if (!m) return 0;
  return Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1);
}
