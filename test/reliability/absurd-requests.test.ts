/**
 * Issue 14, "Low" list: requests that cannot succeed fail at once, through the real CLI, with a message
 * that says why (an estimate, the model's range, the missing directory), exit code 1, and nothing
 * written — instead of running for days, extrapolating silently, or ending in a stack trace.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ARCHITECTURE, initialWeights } from '../../src/gan/architecture.ts';
import { proxyInfo, saveModel } from '../../src/gan/model.ts';
import { Rig } from '../cli/rig.ts';

let rig: Rig;
afterEach(() => rig?.cleanup());

/** A small untrained generator trained (as its record says) on E_nu in [0.5, 3] GeV. */
async function model(dir: string): Promise<string> {
  const architecture = { ...DEFAULT_ARCHITECTURE, blocks: 2, width: 16, latent: 4 };
  await saveModel(dir, initialWeights(architecture, 5), { format: 'nugan-model', version: 1, architecture, proxy: proxyInfo(), E_range: [0.5, 3], backend: 'cpu', seed: 5, epoch: 1, select: 'map', domain: 'nu-carbon' });
  return dir;
}

function expectRefused(r: { code: number; stderr: string }, message: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('event counts no disk can hold', () => {
  it('nugan simulate --events 1e12 fails at once with the size it would need and the free space', async () => {
    rig = new Rig();
    const r = await rig.run(['simulate', '--domain', 'nu-carbon', '--events', '1e12', '--enu', '1', '--out', 'x.arrow']);
    expectRefused(r, /nugan simulate: x\.arrow: 1\.00e\+12 events would take at least 24 TB as a \.arrow table, but only [\d.]+ [kMGT]?B are free there; ask for fewer events/);
    expect(readdirSync(rig.dir)).toEqual([]);
  });

  it('a simulate stage of 1e12 events fails before it starts generating and leaves the store clean', async () => {
    rig = new Rig();
    const p = rig.write('p.yaml', 'stages:\n  sim:\n    uses: simulate\n    with: { domain: nu-carbon, events: 1000000000000, enu: 1 }\n');
    const r = await rig.runJson(['run', p, '--store', rig.store]);
    expect(r.code).toBe(1);
    expect(r.doc.stages[0]).toMatchObject({ id: 'sim', state: 'failed' });
    expect(JSON.stringify(r.doc)).toMatch(/1\.00e\+12 events would take at least 24 TB as a \.arrow table/);
    expect(rig.artifacts()).toEqual([]);
    expect(readdirSync(join(rig.store, 'tmp'))).toEqual([]);
  });
});

describe('nugan generate and evaluate', () => {
  it('generate refuses E_nu outside the range the model was trained on, and --events 1e12', async () => {
    rig = new Rig();
    const m = await model(join(rig.dir, 'model'));
    expectRefused(
      await rig.run(['generate', '--model', m, '--enu', '8', '--events', '10', '--out', 'g.arrow']),
      /nugan generate: .*model: E_nu = 8 GeV lies outside the E_nu range the model was trained on, 0\.500–3\.000 GeV; a conditional GAN does not extrapolate/,
    );
    expectRefused(
      await rig.run(['generate', '--model', m, '--enu-range', '0.3:3', '--events', '10', '--out', 'g.arrow']),
      /E_nu in \[0\.3, 3\] GeV lies outside the E_nu range the model was trained on/,
    );
    expectRefused(await rig.run(['generate', '--model', m, '--enu', '1', '--events', '1e12', '--out', 'g.csv']), /1\.00e\+12 events would take at least 50 TB as a \.csv table/);
    expect(readdirSync(rig.dir)).toEqual(['model']);
  });

  it('evaluate refuses a reference without events instead of reporting NaN metrics', async () => {
    rig = new Rig();
    const m = await model(join(rig.dir, 'model'));
    rig.write('empty.csv', 'E_nu,E_mu,theta\n');
    expectRefused(await rig.run(['evaluate', '--model', m, '--data', 'empty.csv']), /nugan evaluate: empty\.csv: .*holds no events/);
  });
});

describe('--out into a directory that does not exist', () => {
  it('is an error naming the directory, for simulate and ingest, with no stack trace', async () => {
    rig = new Rig();
    expectRefused(
      await rig.run(['simulate', '--domain', 'nu-carbon', '--events', '10', '--enu', '1', '--out', 'missing/x.arrow']),
      new RegExp(`nugan simulate: missing/x\\.arrow: cannot write here: the directory ${rig.dir}/missing does not exist; create it first`),
    );
    rig.write('t.csv', 'E_nu,E_mu,theta\n2,1,0.1\n');
    expectRefused(await rig.run(['ingest', 't.csv', '--out', 'missing/x.csv']), /nugan ingest: missing\/x\.csv: cannot write here: the directory .*\/missing does not exist/);
    expect(readdirSync(rig.dir)).toEqual(['t.csv']);
  });
});
