/**
 * The study report in a real browser: headless Chromium (Debian's package, driven by playwright-core)
 * opens a report built from a tiny study from disk: the index with its verdict and study tables, then,
 * following the navigation, the domain page and the provenance page. On every page each figure (loaded
 * lazily, so each is scrolled into view) must decode, and nothing may be logged as an error. Full-page
 * screenshots go to $NUGAN_SCREENSHOT_DIR (default <tmpdir>/nugan-report-screenshot/) for a human to
 * look at. Skipped, saying so, when /usr/bin/chromium is missing (CI installs it: .ci/run).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { PHYSICS_VAR_NAMES } from '../../src/metrics/compare.ts';
import { buildTinyStudy } from '../study-report/tiny-study.ts';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) process.stderr.write(`test/browser: ${CHROMIUM} not found, skipping the browser test (apt-get install chromium)\n`);

/** Scrolls every image into view (they load lazily) and returns the alt text of those that did not decode. */
async function brokenImages(page: Page): Promise<{ count: number; broken: string[] }> {
  const images = page.locator('img');
  const count = await images.count();
  for (let i = 0; i < count; i++) {
    const img = images.nth(i);
    await img.scrollIntoViewIfNeeded();
    await img.evaluate((el: HTMLImageElement) => (el.complete ? undefined : new Promise((r) => { el.addEventListener('load', r, { once: true }); el.addEventListener('error', r, { once: true }); })));
  }
  const state = await page.$$eval('img', (imgs) => imgs.map((i) => ({ ok: i.complete && i.naturalWidth > 0 && i.naturalHeight > 0, alt: i.alt, lazy: i.loading === 'lazy' })));
  expect(state.every((s) => s.lazy)).toBe(true);
  return { count, broken: state.filter((s) => !s.ok).map((s) => s.alt) };
}

describe('the HTML report in headless Chromium', () => {
  let root: string | undefined;
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it.skipIf(!haveChromium)('opens the index with its verdicts, navigates to the domain and provenance pages, and renders every figure without errors', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'nugan-browser-'));
    const study = await buildTinyStudy(root, 5_000);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const shots = process.env.NUGAN_SCREENSHOT_DIR ?? path.join(os.tmpdir(), 'nugan-report-screenshot');
    await mkdir(shots, { recursive: true });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('requestfailed', (r) => errors.push(`request failed: ${r.url().slice(-80)}`));
      await page.goto(pathToFileURL(study.report).href, { waitUntil: 'load' });

      // Index: the verdict tables lead, then the study table.
      const verdicts = page.locator('#verdict-map');
      await expect(verdicts.count()).resolves.toBe(1);
      expect(await verdicts.locator('tbody tr').count()).toBe(2); // nu-argon × {10k, 100k}
      expect(await verdicts.locator('td.v-tl').count()).toBeGreaterThanOrEqual(2);
      expect(await verdicts.locator('td.v-scratch').count()).toBe(0);
      const table = page.locator('#study-table');
      expect(await table.locator('tbody tr').count()).toBe(2);
      const headers = await table.locator('thead').innerText();
      for (const m of ['TL', 'scratch', 'base']) expect(headers).toContain(m);
      for (const heading of ['Verdicts: TL vs scratch', 'Study table', 'Metrics vs E_ν', 'Per domain']) {
        await expect(page.getByRole('heading', { name: heading }).count()).resolves.toBe(1);
      }
      const onIndex = await brokenImages(page);
      expect(onIndex.count).toBe(2); // MAP and EMD vs E_nu
      expect(onIndex.broken).toEqual([]);
      await page.screenshot({ path: path.join(shots, 'report.png'), fullPage: true });

      // Follow the navigation to the domain page.
      await Promise.all([page.waitForURL(/domain-nu-argon\.html$/), page.locator('nav a', { hasText: 'nu-argon' }).click()]);
      await expect(page.getByRole('heading', { name: 'E_ν = 1 GeV' }).count()).resolves.toBe(1);
      const onDomain = await brokenImages(page);
      // E_nu = 1 GeV and the spread point: one overlay per physics variable and one map each; 13 training curves.
      expect(onDomain.count).toBe(2 * (PHYSICS_VAR_NAMES.length + 1) + 13);
      expect(onDomain.broken).toEqual([]);
      expect(onIndex.count + onDomain.count).toBe(Number(study.reportResult.summary?.figures));
      await page.screenshot({ path: path.join(shots, 'domain-nu-argon.png'), fullPage: true });

      // And on to the provenance page.
      await Promise.all([page.waitForURL(/provenance\.html$/), page.locator('nav a', { hasText: 'provenance' }).click()]);
      const prov = await page.locator('#provenance-table').innerText();
      expect(prov).toContain('tune@nu-argon-10000-TL-1');
      expect(prov).toContain('base');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
