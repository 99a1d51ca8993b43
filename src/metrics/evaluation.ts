/**
 * One evaluation of a model against reference samples: for every evaluation point (a fixed E_nu, or
 * a spread of E_nu such as uniform in [0.3, 10] GeV) generate as many events as the reference holds,
 * with the reference's own E_nu values, and compare (src/metrics/compare.ts). The result is written as
 * metrics.json + metrics.csv (numbers) and histograms.json (what the report plots).
 *
 * Generators are injected (`EventGenerator`): the evaluate stage passes the trained model's sampler,
 * tests pass a fake. Nothing here knows about tfjs or the runner.
 */
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.ts';
import { InputError } from '../util/errors.ts';
import { batchLength, type EventBatch } from '../io/event-batch.ts';
import { compareSamples, PHYSICS_VAR_NAMES, type Comparison } from './compare.ts';

/** The trained model's sampler (the shape `loadGenerator` of src/gan/sampler.ts returns). */
export interface EventGenerator {
  sample(E_nu: Float64Array, seed: number): Promise<{ E_mu: Float64Array; theta: Float64Array }>;
  readonly backend: string;
  dispose(): void | Promise<void>;
}

/** A reference sample for one evaluation point. */
export interface ReferenceSample {
  /** Where it came from: the stage id or the file. */
  readonly source: string;
  readonly file?: string;
  readonly events: EventBatch;
}

/** Labels that place an evaluation in the study (domain × training size × method). */
export interface EvaluationLabels {
  domain?: string;
  size?: number | string;
  method?: string;
  [key: string]: unknown;
}

export interface EvaluationPoint {
  /** "E_nu = 1 GeV" or "E_nu uniform in [0.3, 10] GeV". */
  readonly label: string;
  /** The fixed energy (GeV), or null for a spread. */
  readonly E_nu: number | null;
  /** Smallest and largest E_nu of the reference (GeV). */
  readonly range: [number, number];
  readonly reference: { source: string; file?: string; events: number };
  readonly seconds: { generate: number; metrics: number };
  readonly comparison: Comparison;
}

export interface EvaluationResult {
  readonly labels: EvaluationLabels;
  readonly backend: string;
  readonly seed: number;
  readonly points: EvaluationPoint[];
}

export interface EvaluateOptions {
  /** Cap on the events per point (the first N reference events are used). */
  maxEvents?: number;
  seed: number;
  labels?: EvaluationLabels;
  /** Events per call to the generator (progress and abort checks happen between chunks). */
  chunk?: number;
  signal?: AbortSignal;
  onProgress?(events: number): void;
}

/** Relative spread below which a reference counts as a fixed-energy sample. */
const FIXED_TOLERANCE = 1e-9;

/** Classifies a reference: fixed E_nu (value in GeV) or a spread [min, max]. */
export function energyOf(E_nu: Float64Array): { fixed: number | null; range: [number, number] } {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < E_nu.length; i++) {
    const e = E_nu[i]!;
    if (e < lo) lo = e;
    if (e > hi) hi = e;
  }
  const fixed = hi - lo <= FIXED_TOLERANCE * Math.max(1, Math.abs(hi)) ? hi : null;
  return { fixed, range: [lo, hi] };
}

function round(x: number, digits = 4): number {
  return Number(x.toPrecision(digits));
}

/** Point label used in tables and plot titles. */
export function pointLabel(fixed: number | null, range: [number, number]): string {
  return fixed !== null ? `E_nu = ${round(fixed)} GeV` : `E_nu in [${round(range[0], 3)}, ${round(range[1], 3)}] GeV`;
}

function head(b: EventBatch, n: number): EventBatch {
  if (batchLength(b) <= n) return b;
  const out: EventBatch = { E_nu: b.E_nu.subarray(0, n), E_mu: b.E_mu.subarray(0, n), theta: b.theta.subarray(0, n) };
  if (b.channel) out.channel = b.channel.subarray(0, n);
  return out;
}

/** Runs the generator at the reference's E_nu values and compares, for every reference. */
export async function evaluateModel(generator: EventGenerator, references: readonly ReferenceSample[], opts: EvaluateOptions): Promise<EvaluationResult> {
  const chunk = opts.chunk ?? 100_000;
  // An empty reference would give a point of 0 events with NaN metrics and an exit code of success.
  const empty = references.find((r) => batchLength(r.events) === 0);
  if (empty) throw new InputError(`the reference ${empty.source} holds no events: there is nothing to compare the model with`, empty.file);
  const points: EvaluationPoint[] = [];
  for (const [index, ref] of references.entries()) {
    const events = head(ref.events, opts.maxEvents ?? Number.POSITIVE_INFINITY);
    const n = batchLength(events);
    const { fixed, range } = energyOf(events.E_nu);
    const t0 = performance.now();
    const E_mu = new Float64Array(n);
    const theta = new Float64Array(n);
    for (let start = 0, c = 0; start < n; start += chunk, c++) {
      opts.signal?.throwIfAborted();
      const end = Math.min(n, start + chunk);
      // One seed per (reference, chunk): reproducible, and independent between points.
      const out = await generator.sample(events.E_nu.slice(start, end), opts.seed + 1_000_003 * index + c);
      if (out.E_mu.length !== end - start || out.theta.length !== end - start) {
        throw new Error(`generator returned ${out.E_mu.length}/${out.theta.length} events for ${end - start} requested`);
      }
      E_mu.set(out.E_mu, start);
      theta.set(out.theta, start);
      opts.onProgress?.(end - start);
    }
    const t1 = performance.now();
    const comparison = compareSamples(events, { E_nu: events.E_nu, E_mu, theta });
    const t2 = performance.now();
    points.push({
      label: pointLabel(fixed, range),
      E_nu: fixed,
      range,
      reference: { source: ref.source, ...(ref.file ? { file: ref.file } : {}), events: n },
      seconds: { generate: (t1 - t0) / 1000, metrics: (t2 - t1) / 1000 },
      comparison,
    });
  }
  // Fixed energies ascending, spreads last: the order of the paper's tables.
  points.sort((a, b) => (a.E_nu ?? Number.POSITIVE_INFINITY) - (b.E_nu ?? Number.POSITIVE_INFINITY));
  return { labels: opts.labels ?? {}, backend: generator.backend, seed: opts.seed, points };
}

/** The numbers of one point, flat: a row of metrics.csv and an entry of metrics.json. */
export function pointMetrics(p: EvaluationPoint): Record<string, number | string | null> {
  const c = p.comparison;
  const row: Record<string, number | string | null> = {
    point: p.label,
    E_nu: p.E_nu,
    E_nu_min: p.range[0],
    E_nu_max: p.range[1],
    events: c.events.reference,
    map_nonzero: c.map.nonzero.map,
    bins_nonzero: c.map.nonzero.bins,
    map_gt5: c.map.gt5.map,
    bins_gt5: c.map.gt5.bins,
    emd_E_mu_proxy: c.emd.E_mu_proxy,
    emd_theta_proxy: c.emd.theta_proxy,
    emd_mean: c.emd.mean,
    outside_reference: c.outsideProxyDomain.reference,
    outside_generated: c.outsideProxyDomain.generated,
  };
  for (const v of PHYSICS_VAR_NAMES) {
    row[`emd_${v}`] = c.physics[v].emd;
    row[`map_${v}`] = c.physics[v].map;
    row[`mean_ref_${v}`] = c.physics[v].meanReference;
    row[`mean_gen_${v}`] = c.physics[v].meanGenerated;
  }
  return row;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** metrics.csv: one header line, one row per evaluation point (GeV, rad, GeV²; empty cell = undefined). */
export function metricsCsv(result: EvaluationResult): string {
  const rows = result.points.map(pointMetrics);
  const cols = Object.keys(rows[0] ?? pointMetricsHeader());
  return [cols.join(','), ...rows.map((r) => cols.map((k) => csvCell(r[k])).join(','))].join('\n') + '\n';
}

function pointMetricsHeader(): Record<string, null> {
  const keys = ['point', 'E_nu', 'events', 'map_nonzero', 'bins_nonzero', 'map_gt5', 'bins_gt5', 'emd_E_mu_proxy', 'emd_theta_proxy', 'emd_mean'];
  return Object.fromEntries(keys.map((k) => [k, null]));
}

/** Content of metrics.json (schema 1). */
export function metricsJson(result: EvaluationResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema: 1,
    units: { energy: 'GeV', angle: 'rad', Q2: 'GeV^2', proxies: 'dimensionless' },
    labels: result.labels,
    backend: result.backend,
    seed: result.seed,
    ...extra,
    points: result.points.map((p) => ({ ...pointMetrics(p), reference: p.reference, seconds: p.seconds })),
  };
}

/** Content of histograms.json: per point, the proxy 2D and the 1D histograms (schema 1). */
export function histogramsJson(result: EvaluationResult): Record<string, unknown> {
  return { schema: 1, labels: result.labels, points: result.points.map((p) => ({ label: p.label, E_nu: p.E_nu, range: p.range, ...p.comparison.histograms })) };
}

/** Writes metrics.json, metrics.csv and histograms.json into `dir`; returns their names. */
export async function writeEvaluation(dir: string, result: EvaluationResult, extra: Record<string, unknown> = {}): Promise<{ metrics: string; csv: string; histograms: string }> {
  const names = { metrics: 'metrics.json', csv: 'metrics.csv', histograms: 'histograms.json' };
  await writeFileAtomic(path.join(dir, names.metrics), JSON.stringify(metricsJson(result, extra), null, 1) + '\n');
  await writeFileAtomic(path.join(dir, names.csv), metricsCsv(result));
  await writeFileAtomic(path.join(dir, names.histograms), JSON.stringify(histogramsJson(result)) + '\n');
  return names;
}
