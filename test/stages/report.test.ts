import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTinyStudy, type TinyStudy } from '../study-report/tiny-study.ts';

let study: TinyStudy;
let dir: string;
let index: string;
let domainPage: string;
let provenance: string;

beforeAll(async () => {
  study = await buildTinyStudy(await mkdtemp(path.join(os.tmpdir(), 'nugan-report-')), 3000);
  dir = path.dirname(study.report);
  index = await readFile(study.report, 'utf8');
  domainPage = await readFile(path.join(dir, 'domain-nu-argon.html'), 'utf8');
  provenance = await readFile(path.join(dir, 'provenance.html'), 'utf8');
});
afterAll(async () => rm(study.root, { recursive: true, force: true }));

function imageSources(html: string): string[] {
  return [...html.matchAll(/<img [^>]*src="([^"]+)"/g)].map((m) => m[1]!);
}

describe('the report stage', () => {
  it('writes an index, one page per domain and a provenance page, with no scripts and no external resources', () => {
    expect(study.reportResult.summary!.pages).toEqual(['report.html', 'domain-nu-argon.html', 'provenance.html']);
    for (const html of [index, domainPage, provenance]) {
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/(src|href)="https?:/);
      expect(html).not.toMatch(/<link[^>]+stylesheet/);
    }
    // Each page links the two others (its own name is shown, not linked).
    expect(index).toMatch(/href="domain-nu-argon.html"[\s\S]*href="provenance.html"/);
    expect(domainPage).toMatch(/href="report.html"[\s\S]*href="provenance.html"/);
    expect(provenance).toMatch(/href="report.html"[\s\S]*href="domain-nu-argon.html"/);
  });

  it('loads every figure lazily from its own file under plots/, never inlined', async () => {
    const files = await readdir(path.join(dir, 'plots'));
    const shown = [...imageSources(index), ...imageSources(domainPage)];
    expect(shown.length).toBe(Number(study.reportResult.summary!.figures));
    for (const html of [index, domainPage]) {
      expect(html).not.toContain('data:image');
      for (const img of html.match(/<img [^>]*>/g) ?? []) expect(img).toMatch(/loading="lazy".*width="\d+" height="\d+"/);
    }
    for (const src of shown) expect(files).toContain(src.replace(/^plots\//, ''));
    // Line figures as SVG, the 50×50 maps as PNG only (an SVG of 7500 rectangles weighs ~600 kB).
    expect(shown.filter((s) => s.endsWith('-proxy.png'))).toHaveLength(2);
    expect(files.filter((f) => f.endsWith('-proxy.svg'))).toEqual([]);
    const png = await readFile(path.join(dir, 'plots', 'nu-argon-enu-1-proxy.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(files.some((f) => f.startsWith('.'))).toBe(false); // no temporary files left behind
  });

  it('counts the bytes it wrote', async () => {
    let total = 0;
    for (const f of await readdir(path.join(dir, 'plots'))) total += (await stat(path.join(dir, 'plots', f))).size;
    for (const f of study.reportResult.summary!.pages as string[]) total += (await stat(path.join(dir, f))).size;
    expect(study.reportResult.summary!.bytes).toBe(total);
  });

  it('leads the index with verdict tables: TL, truly less distorted, never loses and wins where the distortion shows', () => {
    expect(index.indexOf('id="verdict-map"')).toBeGreaterThan(0);
    expect(index.indexOf('id="verdict-map"')).toBeLessThan(index.indexOf('id="study-table"'));
    const table = /<table class="verdicts" id="verdict-map">[\s\S]*?<\/table>/.exec(index)![0];
    const rows = table.split('<tr>').filter((r) => r.includes('nu-argon'));
    expect(rows).toHaveLength(2); // 10k and 100k
    for (const r of rows) {
      // 4 evaluation points and the mean over the fixed energies.
      expect((r.match(/<td class="verdict /g) ?? []).length).toBe(5);
      // The toy distorts Q²: at 3 GeV (wide Q² range) TL's advantage is far beyond the seed spread.
      expect(r).toContain('TL better');
      expect(r).not.toContain('scratch better');
    }
    expect(table).toContain('within spread'); // at 0.5 GeV the distortion hides in the statistical noise
    expect(table).toMatch(/p 0\.\d{3}, TL lower in 3\/3/);
    expect(index).toContain('id="verdict-emd"');
  });

  it('shows seed means ± spread in the study table, with the base model in every row of its domain', () => {
    const table = /<table class="study"[\s\S]*?<\/table>/.exec(index)![0];
    expect(table).toContain('>TL<');
    expect(table).toContain('>scratch<');
    expect(table).toContain('>base<');
    const rows = table.split('<tr>').filter((r) => r.includes('nu-argon'));
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r).toMatch(/\d\.\d{3} ± \d\.\d{3}/);
  });

  it('overlays TL, scratch and the base model on the same reference at the chosen energies and the spread point', async () => {
    const files = await readdir(path.join(dir, 'plots'));
    expect(files).toContain('nu-argon-enu-1-w.svg');
    expect(files).toContain('nu-argon-spread-w.svg');
    expect(files.some((f) => f.includes('enu-3-'))).toBe(false);
    const w = await readFile(path.join(dir, 'plots', 'nu-argon-enu-1-w.svg'), 'utf8');
    for (const series of ['reference', 'TL · 10k', 'scratch · 10k', 'TL · 100k', 'scratch · 100k', 'base']) expect(w).toContain(`>${series}<`);
    // 12 models with histories (2 sizes × 2 methods × 3 seeds) and the base model.
    expect(files.filter((f) => f.endsWith('training.svg'))).toHaveLength(13);
  });

  it('draws MAP against E_nu with every seed as a point', async () => {
    const svg = await readFile(path.join(dir, 'plots', 'map-vs-enu.svg'), 'utf8');
    // 4 groups (TL, scratch × 10k, 100k) × 3 fixed energies × 3 seeds: open circles (the base model has one seed: its line only).
    expect((svg.match(/<path transform="translate[^>]*stroke="#[0-9A-F]{6}" stroke-width="1" opacity="0.75"/g) ?? []).length).toBe(36);
    expect(svg).toContain('MAP vs E_ν');
  });

  it('records the provenance of every upstream stage', () => {
    for (const e of study.evaluations) expect(provenance).toContain(e.id);
    expect(provenance).toContain('tune@nu-argon-10000-TL-1'); // the model behind an evaluation
    expect(provenance).toContain('ref-uniform');
    expect(provenance).toContain('vega-lite');
    expect(provenance).toContain(process.version);
    expect(existsSync(study.report)).toBe(true);
  });
});
