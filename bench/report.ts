/**
 * The study report: how long it takes to build, how large it is, and how fast its pages open in a
 * browser (issue target: the index in under 2 s). A tiny toy study (test/study-report/tiny-study.ts:
 * one domain, two sizes, TL and scratch × 3 seeds and the base model, 20k events per point) is built,
 * then headless Chromium (/usr/bin/chromium, skipped without it) opens the index and the domain page
 * from disk and reports the times to DOM ready and to the load event (navigation timing).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildTinyStudy } from '../test/study-report/tiny-study.ts';

const CHROMIUM = '/usr/bin/chromium';

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? await folderBytes(p) : (await stat(p)).size;
  }
  return total;
}

export async function bench(): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'nugan-bench-report-'));
  try {
    const t0 = performance.now();
    const study = await buildTinyStudy(root, 20_000);
    const built = (performance.now() - t0) / 1000;
    const dir = path.dirname(study.report);
    const s = study.reportResult.summary!;
    process.stdout.write(`tiny study (13 evaluations × 4 points, 20k events): evaluations + report ${built.toFixed(1)} s, report stage ${String(s.seconds)} s, ${String(s.figures)} figures, ${((await folderBytes(dir)) / 1e6).toFixed(2)} MB\n`);
    if (!existsSync(CHROMIUM)) {
      process.stdout.write(`${CHROMIUM} not found: page timings skipped\n`);
      return;
    }
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run'] });
    try {
      for (const file of ['report.html', 'domain-nu-argon.html']) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        const t1 = performance.now();
        await page.goto(pathToFileURL(path.join(dir, file)).href, { waitUntil: 'load' });
        const wall = performance.now() - t1;
        const nav = await page.evaluate(() => {
          const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
          return { dom: n?.domContentLoadedEventEnd ?? Number.NaN, load: n?.loadEventEnd ?? Number.NaN, images: document.images.length };
        });
        process.stdout.write(`${file}: DOM ready ${nav.dom.toFixed(0)} ms, load event ${nav.load.toFixed(0)} ms after navigation start (${wall.toFixed(0)} ms wall); ${nav.images} lazy images\n`);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
