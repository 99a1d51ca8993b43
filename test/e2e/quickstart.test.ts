/**
 * The quickstart pipeline end to end, at tiny sizes: the same file and the same stages that
 * `nugan run` runs by default, shrunk with --set so it takes about a minute. Checks that every stage
 * runs, that the metrics are sane numbers at every evaluation point, that the report exists with its
 * verdicts, pages, figure files and provenance, and that a second run takes everything from the cache.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rig, repoRoot } from '../cli/rig.ts';

const TINY = [
  'base_events=4000',
  'small_events=1500',
  'reference_events=3000',
  'base_epochs=2',
  'tune_epochs=3',
  'architecture.blocks=2',
  'architecture.width=16',
  'base.val_events=400',
  'tl.val_events=150',
  'scratch.val_events=150',
];
const DOMAINS = ['nu-argon', 'antinu-carbon', 'nu-carbon-alt'];

interface MetricsPoint {
  E_nu: number | null;
  events: number;
  map_nonzero: number;
  bins_nonzero: number;
  emd_mean: number;
  emd_W: number;
}

const rig = new Rig();
afterAll(() => rig.cleanup());
const quickstart = join(repoRoot, 'pipelines', 'quickstart.yaml');
const args = ['run', quickstart, '--store', rig.store, ...TINY.flatMap((s) => ['--set', s])];

describe('quickstart pipeline, tiny sizes', () => {
  let first: Awaited<ReturnType<Rig['runJson']>>;

  it('runs every stage of the default pipeline', async () => {
    first = await rig.runJson(args);
    expect(first.code, first.stderr.slice(-3000)).toBe(0);
    const ids = first.doc.stages.map((s) => s.id);
    for (const d of DOMAINS) {
      for (const id of [`small-data@${d}`, `tl@${d}`, `scratch@${d}`, `eval-tl@${d}`, `eval-scratch@${d}`, `eval-base@${d}`]) expect(ids).toContain(id);
    }
    expect(ids).toContain('base');
    expect(ids).toContain('report');
    expect(first.doc.stages.every((s) => s.state === 'ran'), JSON.stringify(first.doc.stages.map((s) => [s.id, s.state]))).toBe(true);
  }, 300_000);

  it('writes sane metrics for every model at every evaluation point', () => {
    for (const s of first.doc.stages.filter((x) => x.id.startsWith('eval-'))) {
      const m = JSON.parse(readFileSync(s.outputs.metrics!, 'utf8')) as { labels: { method: string; domain: string }; points: MetricsPoint[]; units: Record<string, string> };
      expect(m.labels.method).toBe(s.id.startsWith('eval-tl') ? 'TL' : s.id.startsWith('eval-base') ? 'base' : 'scratch');
      expect(DOMAINS).toContain(m.labels.domain);
      expect(m.units.energy).toBe('GeV');
      expect(m.points.map((p) => p.E_nu)).toEqual([0.5, 1, 3, null]);
      for (const p of m.points) {
        expect(p.events).toBe(3000);
        // A MAP is a mean |pull|: positive, and for any model that learned something far below the
        // ~sqrt(N/bins) of disjoint samples; EMDs of proxies in [-1, 1] lie in [0, 2].
        expect(p.map_nonzero).toBeGreaterThan(0);
        expect(p.map_nonzero).toBeLessThan(20);
        expect(p.bins_nonzero).toBeGreaterThan(10);
        expect(p.emd_mean).toBeGreaterThanOrEqual(0);
        expect(p.emd_mean).toBeLessThan(1);
        expect(Number.isFinite(p.emd_W)).toBe(true);
      }
      const csv = readFileSync(s.outputs.csv!, 'utf8').trim().split('\n');
      expect(csv).toHaveLength(1 + 4);
    }
  });

  it('writes the report: an index with the verdicts, a page per domain, every figure a file of its own, the whole under 5 MB', () => {
    const report = first.doc.stages.find((s) => s.id === 'report')!;
    const dir = dirname(report.outputs.report!);
    const index = readFileSync(report.outputs.report!, 'utf8');
    expect(index).toContain('id="verdict-map"');
    expect(index).toContain('id="study-table"');
    // One seed per model: every cell says which was lower, none claims a verdict.
    expect(index).toMatch(/1 seed: (TL|scratch) lower/);
    expect(index).not.toMatch(/<b>(TL|scratch) better<\/b>/);
    for (const d of DOMAINS) expect(existsSync(join(dir, `domain-${d}.html`)), d).toBe(true);
    const plots = readdirSync(report.outputs.plots!);
    const shown = new Set<string>();
    for (const page of ['report.html', 'provenance.html', ...DOMAINS.map((d) => `domain-${d}.html`)]) {
      const html = readFileSync(join(dir, page), 'utf8');
      expect(html).not.toContain('data:image');
      for (const m of html.matchAll(/<img [^>]*src="plots\/([^"]+)"/g)) shown.add(m[1]!);
    }
    // One file per figure (line figures SVG, maps PNG), each shown on a page.
    expect([...shown].sort()).toEqual([...plots].sort());
    const byExt: Record<string, { n: number; bytes: number }> = {};
    const count = (file: string) => {
      const ext = file.slice(file.lastIndexOf('.') + 1);
      const e = (byExt[ext] ??= { n: 0, bytes: 0 });
      e.n++;
      e.bytes += statSync(file).size;
    };
    for (const f of plots) count(join(report.outputs.plots!, f));
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.html'))) count(join(dir, f));
    const bytes = Object.values(byExt).reduce((a, e) => a + e.bytes, 0);
    expect(bytes).toBeLessThan(5e6);
    // The numbers behind the README's size estimates.
    process.stderr.write(`quickstart (tiny) report: ${(bytes / 1e6).toFixed(2)} MB; ${Object.entries(byExt).map(([k, e]) => `${e.n} ${k} ${(e.bytes / 1e3).toFixed(0)} kB`).join(', ')}\n`);
    // Provenance: every stage behind the report, the base model and its data included, with seeds.
    const prov = readFileSync(join(dir, 'provenance.html'), 'utf8');
    for (const id of ['base', 'base-data', 'tl@nu-argon', 'small-data@nu-argon', 'reference@nu-argon-1']) expect(prov).toContain(`<td>${id}</td>`);
    const baseRow = /<tr><td>base<\/td>.*?<\/tr>/.exec(prov)![0];
    expect(baseRow).toMatch(/<td class="num">\d+<\/td><td>\d{4}-\d\d-\d\d /); // seed, then start time
  });

  it('a second run is fully cached and gives the same artifacts', async () => {
    const again = await rig.runJson(args);
    expect(again.code, again.stderr.slice(-2000)).toBe(0);
    expect(again.doc.stages.filter((s) => s.state !== 'cached').map((s) => s.id)).toEqual([]);
    expect(again.doc.stages.map((s) => s.key)).toEqual(first.doc.stages.map((s) => s.key));
  });
});
