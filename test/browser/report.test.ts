/**
 * The study report in a real browser: headless Chromium (Debian's package, driven by playwright-core)
 * opens a report built by a tiny pipeline from disk, and we check that the study table is there, every
 * figure decoded (no broken image), nothing was logged as an error, then save a full-page screenshot
 * (to $NUGAN_SCREENSHOT_DIR, default <tmpdir>/nugan-report-screenshot/report.png) for a human to look at.
 * Skipped, saying so, when /usr/bin/chromium is missing (CI installs it: .ci/run).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTinyStudy } from '../study-report/tiny-study.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) process.stderr.write(`test/browser: ${CHROMIUM} not found, skipping the browser test (apt-get install chromium)\n`);

describe('the HTML report in headless Chromium', () => {
  let root: string | undefined;
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it.skipIf(!haveChromium)('shows the study table and renders every plot without errors', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'nugan-browser-'));
    const study = await buildTinyStudy(root, 10_000);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('requestfailed', (r) => errors.push(`request failed: ${r.url().slice(0, 80)}`));
      await page.goto(pathToFileURL(study.report).href, { waitUntil: 'load' });

      const table = page.locator('#study-table');
      await expect(table.count()).resolves.toBe(1);
      const rows = await table.locator('tbody tr').count();
      expect(rows).toBe(2); // nu-argon × {10k, 100k}
      const headers = await table.locator('thead').innerText();
      expect(headers).toContain('TL');
      expect(headers).toContain('scratch');
      expect(await table.locator('td.best').count()).toBeGreaterThanOrEqual(2); // one best MAP and one best EMD per row at least

      const images = await page.$$eval('img', (imgs) => imgs.map((i) => ({ ok: i.complete && i.naturalWidth > 0 && i.naturalHeight > 0, alt: i.alt })));
      const figures = Number(study.reportResult.summary?.figures);
      expect(images.length).toBe(figures);
      expect(images.filter((i) => !i.ok).map((i) => i.alt)).toEqual([]);
      for (const heading of ['Study table', 'Metrics vs E_ν', 'Provenance']) {
        await expect(page.getByRole('heading', { name: heading }).count()).resolves.toBe(1);
      }
      expect(errors).toEqual([]);

      const dir = process.env.NUGAN_SCREENSHOT_DIR ?? path.join(os.tmpdir(), 'nugan-report-screenshot');
      await mkdir(dir, { recursive: true });
      const shot = path.join(dir, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(existsSync(shot)).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
