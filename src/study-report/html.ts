/**
 * The report's HTML: page frame, tables and figure elements as strings (no template engine, no
 * script). Figures are files under plots/ referenced by relative URL and loaded lazily, so a page
 * with hundreds of figures opens as fast as one with three and the HTML stays a few kilobytes.
 */
import type { Verdict, VerdictKind } from './paired.ts';
import type { ModelGroup, SeedSummary, StudyTable, VerdictRow } from './study.ts';

export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-|-$/g, '');
}

export function fmt(x: unknown, digits = 3): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–';
}

/** EMD shown in units of 10⁻³ (proxies are dimensionless, typical values 10⁻⁴–10⁻²). */
export function fmtEmd(x: unknown): string {
  return typeof x === 'number' && Number.isFinite(x) ? (x * 1e3).toFixed(2) : '–';
}

/** "1.234 ± 0.056" (n seeds), "1.234" for one seed. `scale` 1e3 for EMD. */
export function fmtSummary(s: SeedSummary | undefined, scale = 1, digits = scale === 1 ? 3 : 2): string {
  if (!s || !Number.isFinite(s.mean)) return '–';
  const m = (s.mean * scale).toFixed(digits);
  return s.n > 1 && Number.isFinite(s.sd) ? `${m} ± ${(s.sd * scale).toFixed(digits)}` : m;
}

export function pointTitle(label: string): string {
  return label.replace('E_nu', 'E_ν');
}

/** A figure as written under plots/: the file the page shows, its size, and the other formats. */
export interface FigureRef {
  name: string;
  caption: string;
  /** File the page loads, relative to the report directory ("plots/x.svg"). */
  file: string;
  width: number;
  height: number;
  /** Other formats of the same figure (for papers and talks), relative paths. */
  also: string[];
}

/** A lazily loaded figure with its caption and download links; width/height keep the layout still while it loads. */
export function figureHtml(f: FigureRef): string {
  const links = [f.file, ...f.also].map((p) => `<a href="${esc(p)}">${esc(p.slice(p.lastIndexOf('.') + 1).toUpperCase())}</a>`).join(' · ');
  // The figure is as wide as its image: a long caption wraps instead of widening it.
  return `<figure style="max-width:${f.width}px"><img loading="lazy" decoding="async" src="${esc(f.file)}" width="${f.width}" height="${f.height}" alt="${esc(f.caption)}"><figcaption>${esc(f.caption)} · ${links}</figcaption></figure>`;
}

export function figuresHtml(figs: readonly FigureRef[]): string {
  return figs.length ? `<div class="figs">${figs.map(figureHtml).join('\n')}</div>` : '';
}

const VERDICT_CLASS: Record<VerdictKind, string> = { 'TL better': 'v-tl', 'scratch better': 'v-scratch', 'within spread': 'v-none', 'one seed': 'v-one' };

function verdictText(v: Verdict): string {
  if (v.kind !== 'one seed') return v.kind;
  return v.lower ? `1 seed: ${v.lower} lower` : '1 seed: equal';
}

/** A verdict cell: the verdict, then scratch − TL (mean ± sd over seed pairs), p and how many seeds favour TL. */
function verdictCell(v: Verdict, scale: number): string {
  const digits = scale === 1 ? 3 : 2;
  const d = Number.isFinite(v.meanDiff) ? `Δ ${(v.meanDiff * scale).toFixed(digits)}${Number.isFinite(v.sdDiff) ? ` ± ${(v.sdDiff * scale).toFixed(digits)}` : ''}` : '';
  const detail = v.n > 1 ? `${d}, p ${v.p < 0.001 ? '< 0.001' : v.p.toFixed(3)}, TL lower in ${v.bLarger}/${v.n}` : d;
  const title = `scratch − TL${scale === 1 ? '' : ' (×10⁻³)'}: positive favours TL; paired t-test over ${v.n} seed(s)`;
  return `<td class="verdict ${VERDICT_CLASS[v.kind]}" title="${esc(title)}"><b>${esc(verdictText(v))}</b><br><small>${esc(detail)}</small></td>`;
}

/**
 * The verdict table of one metric: rows domain × size (× TL variant), one column per evaluation
 * point, then the mean over the fixed energies. `link` maps a domain to its page.
 */
export function verdictTableHtml(rows: readonly VerdictRow[], metric: 'map' | 'emd', link: (domain: string) => string): string {
  // One column per fixed energy, and one for the spread point of every domain (its exact range is the
  // reference's own, e.g. [0.301, 9.99] GeV, and differs from domain to domain).
  const column = (c: { E_nu: number | null }) => (c.E_nu === null ? 'spread' : `fixed:${c.E_nu}`);
  const heads = new Map<string, { key: string; E_nu: number | null; labels: Set<string> }>();
  for (const r of rows) for (const c of r.cells) {
    const h = heads.get(column(c)) ?? { key: column(c), E_nu: c.E_nu, labels: new Set<string>() };
    h.labels.add(pointTitle(c.label));
    heads.set(h.key, h);
  }
  const cols = [...heads.values()].sort((a, b) => (a.E_nu ?? Number.POSITIVE_INFINITY) - (b.E_nu ?? Number.POSITIVE_INFINITY));
  const scale = metric === 'map' ? 1 : 1e3;
  const hasVariant = rows.some((r) => r.variant !== '');
  const body = rows
    .map((r) => {
      const cells = cols.map((c) => {
        const cell = r.cells.find((x) => column(x) === c.key);
        return cell ? verdictCell(cell[metric], scale) : '<td>–</td>';
      });
      const lead = `<td><a href="${esc(link(r.domain))}">${esc(r.domain)}</a></td><td class="num">${esc(r.size)}</td>${hasVariant ? `<td>${esc(r.variant || '–')}</td>` : ''}`;
      return `<tr>${lead}${cells.join('')}${verdictCell(r.overall[metric], scale)}</tr>`;
    })
    .join('\n');
  const head = `<tr><th>domain</th><th>training events</th>${hasVariant ? '<th>TL variant</th>' : ''}${cols.map((c) => (c.E_nu === null ? `<th title="${esc([...c.labels].join('; '))}">${esc(c.labels.size === 1 ? [...c.labels][0]! : 'E_ν spread')}</th>` : `<th>E_ν = ${c.E_nu} GeV</th>`)).join('')}<th>mean over fixed E_ν</th></tr>`;
  return `<table class="verdicts" id="verdict-${metric}"><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
}

/** Seed means per domain × size, one column pair per method (and variant); best (lowest) per row marked. */
export function studyTableHtml(t: StudyTable, color: (column: string) => string, link: (domain: string) => string): string {
  const head1 = t.methods.map((m) => `<th colspan="2" class="method" style="border-bottom:3px solid ${color(m)}">${esc(m)}</th>`).join('');
  const head2 = t.methods.map(() => '<th title="mean |pull| over bins with both counts > 0; a perfect model gives 0.80">MAP</th><th title="mean of the EMDs of E′_μ and θ′, ×10⁻³">EMD ×10³</th>').join('');
  const body = t.rows
    .map((r) => {
      const cells = t.methods
        .map((m) => {
          const c = r.cells[m];
          if (!c) return '<td class="num">–</td><td class="num">–</td>';
          const n = c.map.n > 1 ? ` title="${c.map.n} seeds: ${esc(c.map.values.map((v) => v.value.toFixed(3)).join(', '))}"` : '';
          const mark = (best: boolean, v: string, tip = '') => (best ? `<td class="num best"${tip}>${v}&nbsp;★</td>` : `<td class="num"${tip}>${v}</td>`);
          return mark(c.bestMap, fmtSummary(c.map), n) + mark(c.bestEmd, fmtSummary(c.emd, 1e3));
        })
        .join('');
      return `<tr><td><a href="${esc(link(r.domain))}">${esc(r.domain)}</a></td><td class="num">${esc(r.size)}</td>${cells}</tr>`;
    })
    .join('\n');
  return `<table class="study" id="study-table"><thead><tr><th rowspan="2">domain</th><th rowspan="2">training events</th>${head1}</tr><tr>${head2}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Per point of one domain and size: every group's MAP and EMD as mean ± sd over seeds, and the seeds' values. */
export function pointsTableHtml(groups: readonly ModelGroup[]): string {
  const points = new Map<string, { label: string; E_nu: number | null }>();
  for (const g of groups) for (const p of g.points) points.set(p.label, { label: p.label, E_nu: p.E_nu });
  const rows = [...points.values()].sort((a, b) => (a.E_nu ?? Number.POSITIVE_INFINITY) - (b.E_nu ?? Number.POSITIVE_INFINITY));
  const head = `<tr><th rowspan="2">point</th>${groups.map((g) => `<th colspan="2">${esc(g.column)} <small>(${g.members.length} seed${g.members.length === 1 ? '' : 's'})</small></th>`).join('')}</tr><tr>${groups.map(() => '<th>MAP</th><th>EMD ×10³</th>').join('')}</tr>`;
  const body = rows
    .map((r) => {
      const cells = groups
        .map((g) => {
          const p = g.points.find((q) => q.label === r.label);
          const seeds = p && p.map.n > 1 ? ` title="seeds ${esc(p.map.values.map((v) => `${v.seed}: ${v.value.toFixed(3)}`).join(', '))}"` : '';
          return `<td class="num"${seeds}>${fmtSummary(p?.map)}</td><td class="num">${fmtSummary(p?.emd, 1e3)}</td>`;
        })
        .join('');
      return `<tr><td>${esc(pointTitle(r.label))}</td>${cells}</tr>`;
    })
    .join('\n');
  return `<table class="points"><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
}

const CSS = `
body{font-family:"DejaVu Sans","Liberation Sans",Arial,sans-serif;color:#111;max-width:1400px;margin:0 auto;padding:16px 24px;line-height:1.4}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:3px;margin-top:32px}h3{font-size:15px;margin-top:22px}
nav{font-size:13px;margin:6px 0 12px}nav a{margin-right:10px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px}th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.best{font-weight:bold;background:#eef6ee}
td.verdict{text-align:center;font-size:12px}td.verdict small{color:#333;font-variant-numeric:tabular-nums}
td.v-tl{background:#d8e9f5}td.v-scratch{background:#f8dccb}td.v-none{background:#f1f1f1}td.v-one{background:#fff;color:#555}
.note{font-size:12px;color:#444;max-width:900px}
.figs{display:flex;flex-wrap:wrap;gap:14px;align-items:flex-start}
figure{margin:0;border:1px solid #e3e3e3;padding:6px;background:#fff}figure img{display:block;max-width:100%;height:auto}
figcaption{font-size:12px;color:#333;margin-top:3px}
pre{font-size:11px;background:#f7f7f7;padding:6px;overflow:auto;max-height:300px}
.legend-key span{display:inline-block;width:22px;height:3px;vertical-align:middle;margin:0 4px 0 12px}
@media print{figure{break-inside:avoid}}
`;

/** A whole page: title, navigation, body. No script, no external resource. */
export function page(title: string, nav: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><h1>${esc(title)}</h1>
<nav>${nav}</nav>
${body}
</body></html>
`;
}
