/**
 * The report's figures as vega-lite specifications built from small histogram data (never events).
 * One colour per method everywhere (Okabe–Ito palette, safe for colour-blind readers and print):
 * reference black, transfer learning blue, from scratch vermillion; channels in the remaining hues.
 */
import type { Hist1DData } from '../metrics/compare.ts';
import { PERFECT_MAP, pulls } from '../metrics/map.ts';
import type { PlotSpec } from './render.ts';

export const COLORS = {
  reference: '#000000',
  TL: '#0072B2',
  scratch: '#D55E00',
  generated: '#009E73',
  channels: { QE: '#56B4E9', MEC: '#E69F00', RES: '#CC79A7', DIS: '#999999', COH: '#F0E442' } as Record<string, string>,
};

/** Colour of a method label ("TL", "scratch", anything else → the generic "generated" green). */
export function methodColor(method: string | undefined): string {
  if (method === 'TL' || method === 'scratch') return COLORS[method];
  return COLORS.generated;
}

/** Counts spanning more than two decades are shown on a log scale. */
export function spansDecades(values: readonly number[], decades = 2): boolean {
  let max = 0;
  let min = Number.POSITIVE_INFINITY;
  for (const v of values) {
    if (v > max) max = v;
    if (v > 0 && v < min) min = v;
  }
  return max > 0 && max / min > 10 ** decades;
}

interface Grid2D {
  bins: number;
  lo: number;
  hi: number;
}

const PROXY_AXES = { x: 'E′_μ proxy (−1: highest E_μ)', y: 'θ′ proxy (−1: forward)' };

function cells(grid: Grid2D, values: ArrayLike<number>, keep: (v: number) => boolean): Record<string, number>[] {
  const w = (grid.hi - grid.lo) / grid.bins;
  const out: Record<string, number>[] = [];
  for (let i = 0; i < grid.bins; i++) {
    for (let j = 0; j < grid.bins; j++) {
      const v = values[i * grid.bins + j]!;
      if (!keep(v)) continue;
      out.push({ x0: grid.lo + i * w, x1: grid.lo + (i + 1) * w, y0: grid.lo + j * w, y1: grid.lo + (j + 1) * w, v });
    }
  }
  return out;
}

function heatLayer(title: string, data: Record<string, number>[], color: Record<string, unknown>, size: number): PlotSpec {
  return {
    title,
    width: size,
    height: size,
    data: { values: data },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'x0', type: 'quantitative', title: PROXY_AXES.x, scale: { domain: [-1, 1], nice: false, padding: 0 } },
      x2: { field: 'x1' },
      y: { field: 'y0', type: 'quantitative', title: PROXY_AXES.y, scale: { domain: [-1, 1], nice: false, padding: 0 } },
      y2: { field: 'y1' },
      color,
    },
  };
}

/**
 * Reference, generated and pull maps of the 50×50 proxy histograms side by side. Counts share one log
 * colour scale (empty bins left white); pulls use a diverging scale clamped at ±5.
 */
export function proxyMapsSpec(hist: Grid2D & { reference: number[]; generated: number[] }, label: { generated: string; title: string }): PlotSpec {
  const size = 230;
  const ref = cells(hist, hist.reference, (v) => v > 0);
  const gen = cells(hist, hist.generated, (v) => v > 0);
  const pull = cells(hist, pulls(hist.reference, hist.generated), (v) => Number.isFinite(v));
  const maxCount = Math.max(1, ...hist.reference, ...hist.generated);
  const countColor = {
    field: 'v',
    type: 'quantitative',
    title: 'events / bin',
    scale: { type: 'log', scheme: 'viridis', domain: [1, maxCount] },
    legend: { orient: 'right', gradientLength: size - 40 },
  };
  return {
    title: { text: label.title, fontSize: 14 },
    hconcat: [
      heatLayer('Reference', ref, { ...countColor, legend: null }, size),
      heatLayer(label.generated, gen, countColor, size),
      heatLayer('Pull (ref − gen)/√(ref + gen)', pull, {
        field: 'v',
        type: 'quantitative',
        title: 'pull',
        scale: { scheme: 'redblue', domain: [-5, 5], clamp: true, reverse: true },
        legend: { orient: 'right', gradientLength: size - 40 },
      }, size),
    ],
    // Both count panels use the same explicit domain, so independent scales are identical: one legend suffices.
    resolve: { scale: { color: 'independent' } },
    spacing: 24,
  };
}

export interface DistributionLabel {
  /** Axis title with unit, e.g. "W (GeV)". */
  axis: string;
  title: string;
  /** Legend name of the generated sample ("TL (nu-argon, 10k)"). */
  generated: string;
  color: string;
  /** Overlay the reference split by interaction channel (stacked) when the data has it. */
  channels?: boolean;
  /** Vertical reference lines with a label (e.g. the nucleon and Delta(1232) masses on W). */
  markers?: { x: number; label: string }[];
}

/**
 * A 1D distribution, reference vs generated as step lines, with a generated/reference ratio panel
 * below (statistical error band of the reference: ±1/√n). Log y when counts span decades.
 */
export function distributionSpec(h: Hist1DData, label: DistributionLabel): PlotSpec {
  const w = (h.hi - h.lo) / h.bins;
  const showChannels = label.channels === true && h.referenceByChannel !== undefined;
  const logY = !showChannels && spansDecades([...h.reference, ...h.generated]);
  const rows: Record<string, unknown>[] = [];
  const ratio: Record<string, unknown>[] = [];
  for (let i = 0; i < h.bins; i++) {
    const x = h.lo + (i + 0.5) * w;
    const r = h.reference[i]!;
    const g = h.generated[i]!;
    if (!logY || r > 0) rows.push({ x, count: r, series: 'reference' });
    if (!logY || g > 0) rows.push({ x, count: g, series: label.generated });
    // Expected ±1σ scatter of the ratio of two equal-size samples of one distribution: sqrt(2/n).
    if (r > 0) ratio.push({ x, ratio: g / r, lo: 1 - Math.sqrt(2 / r), hi: 1 + Math.sqrt(2 / r) });
  }
  const domain = ['reference', label.generated];
  const range = [COLORS.reference, label.color];
  const layers: PlotSpec[] = [];
  if (showChannels) {
    const chRows: Record<string, unknown>[] = [];
    for (const [name, counts] of Object.entries(h.referenceByChannel!)) {
      counts.forEach((c, i) => chRows.push({ x: h.lo + (i + 0.5) * w, count: c, series: `ref: ${name}` }));
      domain.push(`ref: ${name}`);
      range.push(COLORS.channels[name] ?? '#777');
    }
    layers.push({
      data: { values: chRows },
      mark: { type: 'area', interpolate: 'step', opacity: 0.45 },
      encoding: {
        x: { field: 'x', type: 'quantitative' },
        y: { field: 'count', type: 'quantitative', stack: 'zero' },
        color: { field: 'series', type: 'nominal' },
        order: { field: 'series' },
      },
    });
  }
  layers.push({
    data: { values: rows },
    mark: { type: 'line', interpolate: 'step', strokeWidth: 1.8 },
    encoding: {
      x: { field: 'x', type: 'quantitative' },
      y: { field: 'count', type: 'quantitative' },
      color: { field: 'series', type: 'nominal' },
      strokeDash: { condition: { test: "datum.series === 'reference'", value: [1, 0] }, value: [5, 2] },
    },
  });
  const markers = (label.markers ?? []).filter((m) => m.x > h.lo && m.x < h.hi);
  if (markers.length) {
    layers.push(
      { data: { values: markers }, mark: { type: 'rule', color: '#555', strokeDash: [2, 3] }, encoding: { x: { field: 'x', type: 'quantitative' }, y: null, color: null } },
      { data: { values: markers }, mark: { type: 'text', align: 'center', baseline: 'bottom', y: -3, fontSize: 11, color: '#333' }, encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'label' }, y: null, color: null } },
    );
  }
  const xScale = { domain: [h.lo, h.hi], nice: false, zero: false };
  return {
    title: label.title,
    vconcat: [
      {
        width: 330,
        height: 200,
        layer: layers,
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: xScale, axis: { title: null, labels: false } },
          y: { field: 'count', type: 'quantitative', title: 'events / bin', scale: logY ? { type: 'log' } : { zero: true }, axis: logY ? { tickCount: 5, format: '~s' } : { format: ',d' } },
          color: { field: 'series', type: 'nominal', title: null, scale: { domain, range }, legend: { orient: 'top', direction: 'horizontal', columns: 2, labelLimit: 300, symbolType: 'stroke', symbolStrokeWidth: 3, symbolSize: 250, symbolOpacity: 1 } },
        },
      },
      {
        width: 330,
        height: 80,
        data: { values: ratio },
        layer: [
          { mark: { type: 'area', interpolate: 'step', color: '#bbbbbb', opacity: 0.6, clip: true }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
          { mark: { type: 'rule', color: '#444', strokeDash: [3, 3] }, encoding: { y: { datum: 1 }, x: null } },
          { mark: { type: 'line', interpolate: 'step', color: label.color, strokeWidth: 1.5, clip: true }, encoding: { y: { field: 'ratio', type: 'quantitative' } } },
        ],
        encoding: {
          x: { field: 'x', type: 'quantitative', title: label.axis, scale: xScale },
          y: { type: 'quantitative', title: 'gen / ref', scale: { domain: [0.5, 1.5], clamp: true } },
        },
      },
    ],
    spacing: 4,
  };
}

export interface CurvePoint {
  E_nu: number;
  value: number;
  method: string;
  /** Legend group: "nu-argon, 10k". */
  group: string;
  domain: string;
}

/**
 * A metric versus neutrino energy, TL vs scratch in their colours, one panel per domain, training size
 * by line dash. MAP plots also draw the sqrt(2/pi) line of a statistically perfect model.
 */
export function metricCurveSpec(points: CurvePoint[], metric: { name: string; axis: string; perfect?: number; log?: boolean }): PlotSpec {
  const methods = [...new Set(points.map((p) => p.method))];
  const layers: PlotSpec[] = [
    {
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x: { field: 'E_nu', type: 'quantitative', title: 'E_ν (GeV)', scale: { type: 'log', domain: [0.4, 11], nice: false }, axis: { values: [0.5, 1, 2, 3, 5, 7, 10], format: '~g' } },
        y: { field: 'value', type: 'quantitative', title: metric.axis, scale: metric.log ? { type: 'log' } : { zero: false }, axis: metric.log ? { tickCount: 4, format: '.1~e' } : {} },
        color: { field: 'method', type: 'nominal', title: 'method', scale: { domain: methods, range: methods.map(methodColor) }, legend: { symbolType: 'stroke', symbolStrokeWidth: 3, symbolSize: 300 } },
        strokeDash: { field: 'size', type: 'nominal', title: 'training events', legend: { symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 400, symbolStrokeColor: '#333' } },
        detail: { field: 'group' },
        tooltip: [{ field: 'group' }, { field: 'E_nu' }, { field: 'value', format: '.4g' }],
      },
    },
  ];
  layers.push({
    mark: { type: 'point', filled: true, size: 45, opacity: 1 },
    encoding: {
      x: { field: 'E_nu', type: 'quantitative' },
      y: { field: 'value', type: 'quantitative' },
      color: { field: 'method', type: 'nominal' },
      detail: { field: 'group' },
    },
  });
  if (metric.perfect !== undefined) {
    layers.push({ mark: { type: 'rule', color: '#666', strokeDash: [2, 2] }, encoding: { y: { datum: metric.perfect } } });
  }
  const domains = [...new Set(points.map((p) => p.domain))];
  const rows = points.map((p) => ({ ...p, size: p.group.split(', ').slice(1).join(', ') || p.group }));
  const panel = { width: 340, height: 230, layer: layers };
  if (domains.length <= 1) return { title: `${metric.name} vs E_ν`, data: { values: rows }, ...panel };
  return {
    title: `${metric.name} vs E_ν`,
    data: { values: rows },
    facet: { field: 'domain', type: 'nominal', title: null },
    columns: 3,
    spec: panel,
    resolve: { scale: { y: 'shared' } },
  };
}

/** PERFECT_MAP re-exported for callers that draw the reference line. */
export const MAP_PERFECT = PERFECT_MAP;

export interface TrainingCurves {
  epochs: number[];
  /** Loss series by name (per epoch, NaN where missing). */
  losses: Record<string, number[]>;
  /** Validation MAP per epoch, when recorded. */
  valMap?: number[];
  /** The epoch kept as the model. */
  chosenEpoch?: number;
}

/** "loss_g" → "generator loss", "d_loss" → "discriminator loss"; others unchanged. */
export function lossName(key: string): string {
  const parts = key.toLowerCase().split(/[_\s-]+/).filter((w) => w !== 'loss' && w !== 'train');
  const who = parts.find((w) => ['g', 'gen', 'generator'].includes(w)) ? 'generator' : parts.find((w) => ['d', 'disc', 'discriminator'].includes(w)) ? 'discriminator' : undefined;
  if (!who) return key;
  const rest = parts.filter((w) => !['g', 'gen', 'generator', 'd', 'disc', 'discriminator'].includes(w));
  return [...rest, who, 'loss'].join(' ');
}

/** Training losses and validation MAP against epoch, the chosen epoch marked by a vertical rule. */
export function trainingCurvesSpec(h: TrainingCurves, title: string): PlotSpec {
  const lossRows: Record<string, unknown>[] = [];
  for (const [name, values] of Object.entries(h.losses)) {
    const series = lossName(name);
    values.forEach((v, i) => { if (Number.isFinite(v)) lossRows.push({ epoch: h.epochs[i], value: v, series }); });
  }
  // Rules carry one empty datum: a layer without data of its own (and none inherited) draws nothing.
  const one = { values: [{}] };
  const chosen = h.chosenEpoch !== undefined ? [{ data: one, mark: { type: 'rule', color: '#000', strokeDash: [4, 3], strokeWidth: 1.5 }, encoding: { x: { datum: h.chosenEpoch } } }] : [];
  const xEnc = { field: 'epoch', type: 'quantitative', title: 'epoch' };
  const panels: PlotSpec[] = [
    {
      width: 330,
      height: 150,
      layer: [
        { data: { values: lossRows }, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x: xEnc, y: { field: 'value', type: 'quantitative', title: 'BCE loss', scale: { zero: false } }, color: { field: 'series', type: 'nominal', title: null, scale: { range: ['#0072B2', '#D55E00', '#009E73', '#CC79A7'] }, legend: { orient: 'top', symbolType: 'stroke', symbolStrokeWidth: 3, labelLimit: 300 } } } },
        ...chosen,
      ],
    },
  ];
  if (h.valMap && h.valMap.some((v) => Number.isFinite(v))) {
    const mapRows = h.valMap.map((v, i) => ({ epoch: h.epochs[i], value: v })).filter((r) => Number.isFinite(r.value));
    panels.push({
      width: 330,
      height: 110,
      layer: [
        { data: { values: mapRows }, mark: { type: 'line', point: { size: 12 }, color: '#333', strokeWidth: 1.5 }, encoding: { x: xEnc, y: { field: 'value', type: 'quantitative', title: 'validation MAP', scale: { zero: false } } } },
        { data: one, mark: { type: 'rule', color: '#666', strokeDash: [2, 2] }, encoding: { y: { datum: PERFECT_MAP } } },
        ...chosen,
      ],
    });
  }
  return { title: title + (h.chosenEpoch !== undefined ? ` (dashed: chosen epoch ${h.chosenEpoch})` : ''), vconcat: panels, spacing: 8 };
}
