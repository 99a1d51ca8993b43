/**
 * The study as data: evaluations read back from evaluate artifacts, grouped domain × training size ×
 * method, and the summary table (mean MAP and EMD over the fixed-energy points, best per row marked).
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../util/errors.ts';
import type { Hist1DData, PhysicsVar } from '../metrics/compare.ts';
import type { EvaluationLabels } from '../metrics/evaluation.ts';
import type { TrainingCurves } from '../plot/charts.ts';
import { normalizeHistory } from './history.ts';

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

export interface StudyCell {
  evaluation: string;
  /** Mean over the fixed-energy points (all points when there is none). */
  map: number;
  emd: number;
  /** At the spread (uniform E_nu) point, when evaluated. */
  mapSpread?: number;
  emdSpread?: number;
  bestMap: boolean;
  bestEmd: boolean;
}

export interface StudyRow {
  domain: string;
  size: string;
  cells: Record<string, StudyCell>;
}

export interface StudyTable {
  methods: string[];
  rows: StudyRow[];
}

const METHOD_ORDER = ['TL', 'scratch'];

/** Groups evaluations domain × size, one column per method; best (lowest) MAP and EMD per row marked. */
export function studyTable(evals: readonly LoadedEvaluation[]): StudyTable {
  const methods = [...new Set(evals.map((e) => String(e.labels.method ?? 'model')))].sort(
    (a, b) => (METHOD_ORDER.indexOf(a) + 1 || 99) - (METHOD_ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
  const rows = new Map<string, StudyRow>();
  for (const e of evals) {
    const domain = String(e.labels.domain ?? e.id);
    const size = sizeLabel(e.labels.size);
    const key = `${domain}\u0000${size}`;
    const row = rows.get(key) ?? { domain, size, cells: {} };
    rows.set(key, row);
    const fixed = e.points.filter((p) => p.E_nu !== null);
    const use = fixed.length ? fixed : e.points;
    const spread = e.points.find((p) => p.E_nu === null);
    row.cells[String(e.labels.method ?? 'model')] = {
      evaluation: e.id,
      map: mean(use.map((p) => p.map_nonzero)),
      emd: mean(use.map((p) => p.emd_mean)),
      ...(spread ? { mapSpread: spread.map_nonzero ?? Number.NaN, emdSpread: spread.emd_mean ?? Number.NaN } : {}),
      bestMap: false,
      bestEmd: false,
    };
  }
  for (const row of rows.values()) {
    const cells = Object.values(row.cells);
    if (cells.length < 2) continue;
    const minMap = Math.min(...cells.map((c) => (Number.isFinite(c.map) ? c.map : Infinity)));
    const minEmd = Math.min(...cells.map((c) => (Number.isFinite(c.emd) ? c.emd : Infinity)));
    for (const c of cells) {
      c.bestMap = c.map === minMap;
      c.bestEmd = c.emd === minEmd;
    }
  }
  const sorted = [...rows.values()].sort((a, b) => a.domain.localeCompare(b.domain) || parseSize(a.size) - parseSize(b.size));
  return { methods, rows: sorted };
}

function parseSize(s: string): number {
  const m = /^([\d.]+)([kM]?)$/.exec(s);
  if (!m) return 0;
  return Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1);
}
