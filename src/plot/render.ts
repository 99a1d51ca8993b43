/**
 * Rendering of plot specifications: vega-lite → vega → SVG (vega's headless `View.toSVG`, no canvas
 * needed), and SVG → PNG through resvg (Rust, no browser). Fonts: the system's DejaVu/Liberation sans,
 * named in every spec's config so SVG viewers and the PNG agree.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';

/** A vega-lite specification (kept loose: vega-lite's own types are very deep). */
export type PlotSpec = Record<string, unknown>;

/** Font stack used in every plot (present on Debian; browsers fall back to their sans-serif). */
export const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

/** Shared configuration: readable in print (11–13 px text, no chart border, light grid). */
export const BASE_CONFIG = {
  font: FONT,
  background: 'white',
  view: { stroke: '#888' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e6e6', tickColor: '#555', domainColor: '#555', labelColor: '#222', titleColor: '#222' },
  legend: { labelFontSize: 11, titleFontSize: 12, symbolStrokeWidth: 2 },
  title: { fontSize: 13, anchor: 'start', color: '#111' },
  header: { labelFontSize: 12, titleFontSize: 12 },
} as const;

/** Renders a vega-lite spec to a standalone SVG string. */
export async function renderSvg(spec: PlotSpec): Promise<string> {
  const full = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...spec, config: { ...BASE_CONFIG, ...((spec.config as object) ?? {}) } };
  const compiled = vl.compile(full as unknown as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG to PNG at `scale` × its nominal size (2 gives ~190 dpi for slides and print). */
export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/** Nominal width and height (px) of a rendered SVG, from its root element. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg[^>]*>/.exec(svg)?.[0] ?? '';
  const num = (attr: string) => Number(new RegExp(`\\b${attr}="([\\d.]+)"`).exec(root)?.[1] ?? Number.NaN);
  return { width: Math.round(num('width')), height: Math.round(num('height')) };
}

/**
 * A smaller SVG that draws the same: vega's accessibility and class attributes dropped (a figure file
 * is an image, not a document), path and transform coordinates cut to 0.01 px. About 20 % fewer bytes.
 */
export function compactSvg(svg: string): string {
  return svg
    .replace(/ (?:aria-[a-z]+|role|class|pointer-events)="[^"]*"/g, '')
    .replace(/ (d|transform|points|x|y|x1|x2|y1|y2|width|height)="([^"]*)"/g, (_m, k: string, v: string) => ` ${k}="${v.replace(/(\d\.\d\d)\d+/g, '$1')}"`);
}
