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

/** Colour of a method label ("TL", "scratch", anything else, the base model included → the generic "generated" green). */
export function methodColor(method: string | undefined): string {
  if (method === 'TL' || method === 'scratch') return COLORS[method];
  return COLORS.generated;
}

/** Shades of a method's colour for a few of its series (sizes); more series take the distinct hues below. */
const METHOD_SHADES: Record<string, string[]> = {
  TL: ['#0072B2', '#56B4E9', '#003A5C', '#9ACDEB'],
  scratch: ['#D55E00', '#E69F00', '#7A3500', '#F2B47E'],
};

/** Distinct hues for many series of one method (frozen depths …): Okabe–Ito without the base model's green, then greys. */
const VARIANT_PALETTE = ['#0072B2', '#56B4E9', '#CC79A7', '#E69F00', '#000000', '#D55E00', '#F0E442', '#999999'];

/**
 * One colour per series: the method's own colour while a method has one series, shades of it for up
 * to four (TL 10k, TL 100k), distinct hues beyond (TL at five frozen depths).
 */
export function seriesColors(series: readonly { name: string; method: string }[]): string[] {
  const perMethod = new Map<string, number>();
  for (const s of series) perMethod.set(s.method, (perMethod.get(s.method) ?? 0) + 1);
  const seen = new Map<string, number>();
  return series.map((s) => {
    const count = perMethod.get(s.method) ?? 0;
    const k = seen.get(s.method) ?? 0;
    seen.set(s.method, k + 1);
    if (count <= 1) return methodColor(s.method);
    const shades = METHOD_SHADES[s.method];
    if (shades && count <= shades.length) return shades[k]!;
    return VARIANT_PALETTE[k % VARIANT_PALETTE.length]!;
  });
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
  return proxyComparisonSpec(hist, [{ name: label.generated, counts: hist.generated }], label.title);
}

/**
 * The reference map and, for each generated sample, its map and its pull map: one row of counts
 * (reference first) and one row of pulls under the generated maps. Counts share one log colour scale
 * (empty bins left white); pulls a diverging scale clamped at ±5. With one sample: one row of three.
 */
export function proxyComparisonSpec(grid: Grid2D & { reference: number[] }, samples: readonly { name: string; counts: number[] }[], title: string): PlotSpec {
  // Smaller panels when several models share the figure: it stays one screen wide and its PNG small.
  const size = samples.length > 1 ? 140 : 230;
  const maxCount = Math.max(1, ...grid.reference, ...samples.flatMap((s) => s.counts));
  const countColor = {
    field: 'v',
    type: 'quantitative',
    title: 'events / bin',
    scale: { type: 'log', scheme: 'viridis', domain: [1, maxCount] },
    legend: { orient: 'right', gradientLength: size - 40 },
  };
  const pullColor = {
    field: 'v',
    type: 'quantitative',
    title: 'pull',
    scale: { scheme: 'redblue', domain: [-5, 5], clamp: true, reverse: true },
    legend: { orient: 'right', gradientLength: size - 40 },
  };
  const ref = heatLayer('Reference', cells(grid, grid.reference, (v) => v > 0), { ...countColor, legend: null }, size);
  const gens = samples.map((s, i) => heatLayer(s.name, cells(grid, s.counts, (v) => v > 0), i === samples.length - 1 ? countColor : { ...countColor, legend: null }, size));
  const pullMaps = samples.map((s, i) =>
    heatLayer(samples.length > 1 ? `Pull: ${s.name}` : 'Pull (ref − gen)/√(ref + gen)', cells(grid, pulls(grid.reference, s.counts), (v) => Number.isFinite(v)), i === samples.length - 1 ? pullColor : { ...pullColor, legend: null }, size),
  );
  // Every count panel uses the same explicit domain, so independent scales are identical: one legend suffices.
  const resolve = { scale: { color: 'independent' } };
  if (samples.length === 1) return { title: { text: title, fontSize: 14 }, hconcat: [ref, gens[0]!, pullMaps[0]!], resolve, spacing: 24 };
  // Pulls sit under their generated map (a grid of n + 1 columns); an empty cell under the reference.
  const spacer = { width: size, height: size, data: { values: [{}] }, mark: { type: 'point', opacity: 0 }, encoding: { x: { datum: 0, type: 'quantitative', axis: null }, y: { datum: 0, type: 'quantitative', axis: null } }, view: { stroke: null } };
  return {
    title: { text: title, fontSize: 14 },
    concat: [ref, ...gens, spacer, ...pullMaps],
    columns: samples.length + 1,
    resolve,
    spacing: 20,
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
 * below (grey band: the ±1σ scatter expected for two equal samples of one distribution).
 */
export function distributionSpec(h: Hist1DData, label: DistributionLabel): PlotSpec {
  return overlaySpec(h, [{ name: label.generated, color: label.color, counts: h.generated }], label);
}

/** A generated sample drawn over the reference: legend name, colour, counts in the reference's bins. */
export interface OverlaySeries {
  name: string;
  color: string;
  counts: number[];
}

/**
 * Several generated samples (TL, scratch, the base model …) over one reference histogram, each as a
 * dashed step line in its colour, with a ratio panel of each to the reference (grey band: ±1σ
 * expected for two equal samples of one distribution, √(2/n)). Log y when counts span decades.
 */
export function overlaySpec(h: Omit<Hist1DData, 'generated'>, series: readonly OverlaySeries[], label: Omit<DistributionLabel, 'generated' | 'color'>): PlotSpec {
  const w = (h.hi - h.lo) / h.bins;
  const showChannels = label.channels === true && h.referenceByChannel !== undefined;
  const logY = !showChannels && spansDecades([...h.reference, ...series.flatMap((s) => s.counts)]);
  const rows: Record<string, unknown>[] = [];
  const ratio: Record<string, unknown>[] = [];
  const band: Record<string, unknown>[] = [];
  for (let i = 0; i < h.bins; i++) {
    const x = h.lo + (i + 0.5) * w;
    const r = h.reference[i]!;
    if (!logY || r > 0) rows.push({ x, count: r, series: 'reference' });
    for (const s of series) {
      const g = s.counts[i]!;
      if (!logY || g > 0) rows.push({ x, count: g, series: s.name });
      if (r > 0) ratio.push({ x, ratio: g / r, series: s.name });
    }
    // Expected ±1σ scatter of the ratio of two equal-size samples of one distribution: sqrt(2/n).
    if (r > 0) band.push({ x, lo: 1 - Math.sqrt(2 / r), hi: 1 + Math.sqrt(2 / r) });
  }
  const domain = ['reference', ...series.map((s) => s.name)];
  const range = [COLORS.reference, ...series.map((s) => s.color)];
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
  const ratioColor = { field: 'series', type: 'nominal', legend: null, scale: { domain: series.map((s) => s.name), range: series.map((s) => s.color) } };
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
        layer: [
          { data: { values: band }, mark: { type: 'area', interpolate: 'step', color: '#bbbbbb', opacity: 0.6, clip: true }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
          { data: { values: [{}] }, mark: { type: 'rule', color: '#444', strokeDash: [3, 3] }, encoding: { y: { datum: 1 }, x: null } },
          { data: { values: ratio }, mark: { type: 'line', interpolate: 'step', strokeWidth: 1.5, clip: true }, encoding: { y: { field: 'ratio', type: 'quantitative' }, color: ratioColor } },
        ],
        encoding: {
          x: { field: 'x', type: 'quantitative', title: label.axis, scale: xScale },
          y: { type: 'quantitative', title: 'gen / ref', scale: { domain: [0.5, 1.5], clamp: true } },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
    spacing: 4,
  };
}

export interface CurvePoint {
  E_nu: number;
  value: number;
  /** Legend entry: method, or method with its variant ("TL (freeze 2)"). */
  series: string;
  /** Training-size label ("10k"), drawn as the line dash. */
  size: string;
  domain: string;
  /** Seed label for a seed's point; undefined for the mean over seeds. */
  seed?: string;
}

/**
 * A metric versus neutrino energy: for each domain (one panel each), size (line dash) and method
 * (colour), the mean over seeds as a line and every seed as a small open point, so the spread is seen.
 * MAP plots also draw the √(2/π) line of a statistically perfect model.
 */
export function metricCurveSpec(means: CurvePoint[], seeds: CurvePoint[], colors: { domain: string[]; range: string[] }, metric: { name: string; axis: string; perfect?: number; log?: boolean }): PlotSpec {
  const x = { field: 'E_nu', type: 'quantitative', title: 'E_ν (GeV)', scale: { type: 'log', domain: [0.4, 11], nice: false }, axis: { values: [0.5, 1, 2, 3, 5, 7, 10], format: '~g' } };
  const y = { field: 'value', type: 'quantitative', title: metric.axis, scale: metric.log ? { type: 'log' } : { zero: false }, axis: metric.log ? { tickCount: 4, format: '.1~e' } : {} };
  const color = { field: 'series', type: 'nominal', title: 'method', scale: colors, legend: { symbolType: 'stroke', symbolStrokeWidth: 3, symbolSize: 300, labelLimit: 260 } };
  const rows = [...means.map((p) => ({ ...p, kind: 'mean' })), ...seeds.map((p) => ({ ...p, kind: 'seed' }))];
  const layers: PlotSpec[] = [
    {
      transform: [{ filter: "datum.kind === 'mean'" }],
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x,
        y,
        color,
        strokeDash: { field: 'size', type: 'nominal', title: 'training events', legend: { symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 400, symbolStrokeColor: '#333' } },
        detail: [{ field: 'series' }, { field: 'size' }],
        tooltip: [{ field: 'series' }, { field: 'size' }, { field: 'E_nu' }, { field: 'value', format: '.4g' }],
      },
    },
  ];
  // Points of the means as a layer of their own: on the line mark they would turn the dash legend into dots.
  layers.push({ transform: [{ filter: "datum.kind === 'mean'" }], mark: { type: 'point', filled: true, size: 40, opacity: 1 }, encoding: { x: { field: 'E_nu', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, color: { field: 'series', type: 'nominal' } } });
  if (seeds.length) {
    layers.push({
      transform: [{ filter: "datum.kind === 'seed'" }],
      mark: { type: 'point', filled: false, size: 28, opacity: 0.75, strokeWidth: 1 },
      encoding: { x: { field: 'E_nu', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, color: { field: 'series', type: 'nominal' }, tooltip: [{ field: 'series' }, { field: 'seed' }, { field: 'value', format: '.4g' }] },
    });
  }
  if (metric.perfect !== undefined) {
    layers.push({ data: { values: [{}] }, mark: { type: 'rule', color: '#666', strokeDash: [2, 2] }, encoding: { y: { datum: metric.perfect } } });
  }
  const domains = [...new Set(rows.map((p) => p.domain))];
  const panel = { width: 340, height: 230, layer: layers };
  if (domains.length <= 1) return { title: `${metric.name} vs E_ν`, data: { values: rows }, ...panel };
  if (metric.perfect !== undefined) {
    // Inside a facet a layer's own data would not be split by panel: the rule's datum rides on the facet's rows.
    layers[layers.length - 1] = { mark: { type: 'rule', color: '#666', strokeDash: [2, 2] }, encoding: { y: { datum: metric.perfect } } };
  }
  return {
    title: `${metric.name} vs E_ν`,
    data: { values: rows },
    facet: { field: 'domain', type: 'nominal', title: null },
    columns: 3,
    spec: panel,
    resolve: { scale: { y: 'shared' } },
  };
}

/** One point of the layer-wise transfer figure. */
export interface DepthPoint {
  /** Frozen blocks ("0" … "4") or a named variant ("all-lr"). */
  depth: string;
  value: number;
  size: string;
  domain: string;
  /** Seed label, or undefined for the mean over seeds (then `sd` is the seed-to-seed spread). */
  seed?: string;
  sd?: number;
}

/**
 * The layer-wise transfer figure: a metric against the number of frozen blocks, one panel per domain,
 * one colour per training size; the mean over seeds with ±1 sd bars, every seed as an open point, and
 * horizontal rules for the from-scratch and base models of the same domain and size where the study has them.
 */
export function freezeDepthSpec(points: DepthPoint[], rules: { domain: string; size: string; value: number; method: string }[], order: string[], metric: { name: string; axis: string; perfect?: number; log?: boolean }): PlotSpec {
  const rows = [
    ...points.map((p) => ({ ...p, kind: p.seed === undefined ? 'mean' : 'seed', lo: p.sd !== undefined && Number.isFinite(p.sd) ? p.value - p.sd : p.value, hi: p.sd !== undefined && Number.isFinite(p.sd) ? p.value + p.sd : p.value })),
    ...rules.map((r) => ({ ...r, kind: 'rule' })),
  ];
  const x = { field: 'depth', type: 'ordinal', title: 'frozen blocks of G and D', sort: order, scale: { domain: order }, axis: { labelAngle: 0 } };
  const y = { field: 'value', type: 'quantitative', title: metric.axis, scale: metric.log ? { type: 'log' } : { zero: false } };
  const sizeColor = { field: 'size', type: 'nominal', title: 'training events', scale: { range: ['#0072B2', '#009E73', '#CC79A7', '#E69F00'] } };
  const layers: PlotSpec[] = [
    { transform: [{ filter: "datum.kind === 'mean'" }], mark: { type: 'line', strokeWidth: 2, point: { filled: true, size: 45 } }, encoding: { x, y, color: sizeColor } },
    { transform: [{ filter: "datum.kind === 'mean'" }], mark: { type: 'rule', strokeWidth: 1.2 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: sizeColor } },
    { transform: [{ filter: "datum.kind === 'seed'" }], mark: { type: 'point', filled: false, size: 26, opacity: 0.75 }, encoding: { x, y: { field: 'value', type: 'quantitative' }, color: sizeColor } },
  ];
  const ruleMethods = [...new Set(rules.map((r) => r.method))];
  if (rules.length) {
    layers.push({
      transform: [{ filter: "datum.kind === 'rule'" }],
      mark: { type: 'rule', strokeDash: [5, 3], strokeWidth: 1.5 },
      // `stroke`, not `color`: a scale of its own, apart from the sizes' colours.
      encoding: { y: { field: 'value', type: 'quantitative' }, stroke: { field: 'method', type: 'nominal', title: 'reference lines', scale: { domain: ruleMethods, range: ruleMethods.map(methodColor) }, legend: { symbolType: 'stroke', symbolStrokeWidth: 2 } } },
    });
  }
  if (metric.perfect !== undefined) layers.push({ mark: { type: 'rule', color: '#666', strokeDash: [2, 2] }, encoding: { y: { datum: metric.perfect } } });
  return {
    title: `${metric.name} against frozen depth`,
    data: { values: rows },
    facet: { field: 'domain', type: 'nominal', title: null },
    columns: 3,
    spec: { width: 300, height: 220, layer: layers },
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
  /** Training events seen by the end of each epoch, when recorded. */
  eventsSeen?: number[];
  /** MAP of each monitor sample (e.g. 100k events at E_nu = 1 GeV) per epoch, when training had monitors. */
  monitors?: { label: string; map: number[] }[];
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
  // Quality per unit of compute: each monitor's MAP against the training events seen so far.
  const seen = h.eventsSeen;
  if (h.monitors?.length && seen) {
    const rows = h.monitors.flatMap((m) => m.map.map((v, i) => ({ events: seen[i]! / 1e6, value: v, series: m.label })).filter((r) => Number.isFinite(r.value) && Number.isFinite(r.events)));
    panels.push({
      width: 330,
      height: 130,
      layer: [
        {
          data: { values: rows },
          mark: { type: 'line', point: { size: 12 }, strokeWidth: 1.5 },
          encoding: {
            x: { field: 'events', type: 'quantitative', title: 'training events seen (millions)' },
            y: { field: 'value', type: 'quantitative', title: 'monitor MAP', scale: { type: 'log' } },
            color: { field: 'series', type: 'nominal', title: null, scale: { range: ['#0072B2', '#D55E00', '#009E73', '#CC79A7'] }, legend: { orient: 'top', symbolType: 'stroke', symbolStrokeWidth: 3, labelLimit: 300 } },
          },
        },
        { data: one, mark: { type: 'rule', color: '#666', strokeDash: [2, 2] }, encoding: { y: { datum: PERFECT_MAP } } },
      ],
    });
  }
  return { title: title + (h.chosenEpoch !== undefined ? ` (dashed: chosen epoch ${h.chosenEpoch})` : ''), vconcat: panels, spacing: 8, resolve: { scale: { color: 'independent' } } };
}
