/**
 * The single-file bundle (npm run bundle → dist/nugan.mjs) runs with only Node and the files beside
 * it: copied to a directory outside the checkout (no node_modules to fall back on), it runs a small
 * pipeline (simulate → train → generate), and it computes the same cache keys as the checkout does.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './cli/rig.ts';

const PIPELINE = `name: bundle-check
params: { seed: 3 }
stages:
  data:
    uses: simulate
    with: { domain: nu-carbon, events: 3000, enu: { uniform: [0.3, 10] } }
  model:
    uses: train
    with: { data: data, epochs: 1, batch: 256, architecture: { blocks: 1, width: 8 }, val_events: 200 }
  events:
    uses: generate
    with: { model: model, enu: 1, events: 500 }
`;

interface RunDoc {
  stages: { id: string; state: string; key: string; outputs: Record<string, string> }[];
}

const dir = mkdtempSync(join(tmpdir(), 'nugan-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('single-file bundle', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts/bundle.mjs')], { cwd: repoRoot, stdio: 'pipe' });
    cpSync(join(repoRoot, 'dist'), join(dir, 'nugan'), { recursive: true });
    writeFileSync(join(dir, 'pipeline.yaml'), PIPELINE);
  }, 120_000);

  it('runs a pipeline from a directory with no node_modules, with the same keys as the checkout', () => {
    const bundle = join(dir, 'nugan', 'nugan.mjs');
    const store = join(dir, 'store');
    const out = execFileSync(process.execPath, [bundle, 'run', join(dir, 'pipeline.yaml'), '--store', store, '--json'], { cwd: dir, env: { ...process.env, CI: '1' } }).toString();
    const doc = JSON.parse(out) as RunDoc;
    expect(doc.stages.map((s) => [s.id, s.state])).toEqual([['data', 'ran'], ['model', 'ran'], ['events', 'ran']]);
    const events = doc.stages.find((s) => s.id === 'events')!.outputs;
    expect(Object.values(events).some((p) => existsSync(p))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(store, 'artifacts', doc.stages[1]!.key, 'manifest.json'), 'utf8')) as { versions: { nugan: string } };
    expect(manifest.versions.nugan).toMatch(/\d+\.\d+\.\d+/);

    // The checkout, on the same store, finds every stage cached: identical keys.
    const fromCheckout = execFileSync(process.execPath, [join(repoRoot, 'bin/nugan.mjs'), 'run', join(dir, 'pipeline.yaml'), '--store', store, '--json'], { cwd: dir, env: { ...process.env, CI: '1' } }).toString();
    const again = JSON.parse(fromCheckout) as RunDoc;
    expect(again.stages.map((s) => [s.id, s.state])).toEqual([['data', 'cached'], ['model', 'cached'], ['events', 'cached']]);
    expect(again.stages.map((s) => s.key)).toEqual(doc.stages.map((s) => s.key));
  }, 180_000);
});
