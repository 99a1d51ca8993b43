import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTinyStudy, type TinyStudy } from '../study-report/tiny-study.ts';

let study: TinyStudy;
let html: string;

beforeAll(async () => {
  study = await buildTinyStudy(await mkdtemp(path.join(os.tmpdir(), 'nugan-report-')), 3000);
  html = await readFile(study.report, 'utf8');
});
afterAll(async () => rm(study.root, { recursive: true, force: true }));

describe('the report stage', () => {
  it('writes one self-contained HTML page: no scripts, no external resources', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).not.toMatch(/<link[^>]+stylesheet/);
  });

  it('embeds every figure and saves each as SVG and PNG', async () => {
    const figures = Number(study.reportResult.summary!.figures);
    expect((html.match(/<img src="data:image\/svg\+xml;base64,/g) ?? []).length).toBe(figures);
    const files = await readdir(path.join(path.dirname(study.report), 'plots'));
    expect(files.filter((f) => f.endsWith('.svg'))).toHaveLength(figures);
    expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(figures);
    const png = await readFile(path.join(path.dirname(study.report), 'plots', 'map-vs-enu.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(files.some((f) => f.startsWith('.'))).toBe(false); // no temporary files left behind
  });

  it('has the study table with TL and scratch columns and a best mark per row', () => {
    const table = /<table class="study"[\s\S]*?<\/table>/.exec(html)![0];
    expect(table).toContain('>TL<');
    expect(table).toContain('>scratch<');
    const rows = table.split('<tr>').filter((r) => r.includes('nu-argon'));
    expect(rows).toHaveLength(2);
    for (const r of rows) expect((r.match(/★/g) ?? []).length).toBeGreaterThanOrEqual(2);
  });

  it('shows detailed figures only for the chosen energies and the spread point', async () => {
    const files = await readdir(path.join(path.dirname(study.report), 'plots'));
    expect(files.some((f) => f.includes('enu-1-w'))).toBe(true);
    expect(files.some((f) => f.includes('spread-w'))).toBe(true);
    expect(files.some((f) => f.includes('enu-3-'))).toBe(false);
    expect(files.filter((f) => f.endsWith('training.svg'))).toHaveLength(4);
  });

  it('records the provenance of every upstream stage', () => {
    const prov = html.slice(html.indexOf('id="provenance"'));
    for (const e of study.evaluations) expect(prov).toContain(e.id);
    expect(prov).toContain('tune@nu-argon-10000-TL'); // the model behind an evaluation
    expect(prov).toContain('ref-uniform');
    expect(prov).toContain('vega-lite');
    expect(prov).toContain(process.version);
    expect(existsSync(study.report)).toBe(true);
  });
});
