import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/contract/stage.ts';
import { concatBatches, type EventBatch } from '../../src/io/event-batch.ts';
import { readNuWroRoot, type ReadStats } from '../../src/io/nuwro-root.ts';
import { hasNuwroSample, nuwroSample, SKIP_SHARED, tempDir } from './fixtures.ts';

async function readAll(files: string[], stats?: ReadStats): Promise<EventBatch> {
  const parts: EventBatch[] = [];
  for await (const b of readNuWroRoot(files, { stats })) parts.push(b);
  return concatBatches(parts);
}

// The fixture is third-party data in ../shared (shared/data/nuwro-real/README.md); without it these
// tests are skipped, and the skip message says why.
describe.skipIf(!hasNuwroSample)(`NuWro ROOT reader (${hasNuwroSample ? 'reads ../shared' : SKIP_SHARED})`, () => {
  it('keeps exactly the 74 CC events of the ANL sample and reports the 26 NC ones as dropped', async () => {
    const stats: ReadStats = { read: 0, kept: 0, dropped: {} };
    const ev = await readAll([nuwroSample], stats);
    expect(ev.E_nu.length).toBe(74);
    expect(stats).toMatchObject({ read: 100, kept: 74, dropped: { NC: 26 } });
    // README: every event carries weight 9.48975491420314e-39 cm².
    expect(stats.xsec_cm2).toBeCloseTo(9.48975491420314e-39, 50);
  });

  it('reads the first kept event as E_nu 1.07878 GeV, E_mu 0.85807 GeV, cos(theta) 0.8130', async () => {
    const ev = await readAll([nuwroSample]);
    expect(ev.E_nu[0]).toBeCloseTo(1.07878, 5);
    expect(ev.E_mu[0]).toBeCloseTo(0.85807, 5);
    expect(Math.cos(ev.theta[0]!)).toBeCloseTo(0.813, 4);
  });

  it('labels channels from the NuWro flags with the counts of the README (dyn 0:41, 2:23, 4:3, 8:7)', async () => {
    const ev = await readAll([nuwroSample]);
    const counts = [0, 0, 0, 0, 0];
    for (const c of ev.channel!) counts[c]!++;
    expect(counts).toEqual([41, 7, 23, 3, 0]); // QE, MEC, RES, DIS, COH
  });

  it('keeps every event physical: 0 < E_mu < E_nu, theta in [0, pi], within the README energy range', async () => {
    const ev = await readAll([nuwroSample]);
    for (let i = 0; i < ev.E_nu.length; i++) {
      expect(ev.E_mu[i]!).toBeLessThan(ev.E_nu[i]!);
      expect(ev.theta[i]!).toBeGreaterThanOrEqual(0);
      expect(ev.theta[i]!).toBeLessThanOrEqual(Math.PI);
      expect(ev.E_nu[i]!).toBeGreaterThanOrEqual(0.173);
      expect(ev.E_nu[i]!).toBeLessThanOrEqual(5.429);
    }
  });

  it('joins several files into one sequence with summed counts', async () => {
    const stats: ReadStats = { read: 0, kept: 0, dropped: {} };
    const ev = await readAll([nuwroSample, nuwroSample], stats);
    expect(ev.E_nu.length).toBe(148);
    expect(ev.E_nu[74]).toBe(ev.E_nu[0]);
    expect(stats).toMatchObject({ read: 200, kept: 148, dropped: { NC: 52 } });
  });

  it('rejects a truncated file, naming the file and the missing bytes', async () => {
    const file = path.join(tempDir(), 'cut.root');
    writeFileSync(file, readFileSync(nuwroSample).subarray(0, 60_000));
    const err = await readAll([file]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).render()).toMatch(/cut\.root: file is truncated: the ROOT header says 160936 bytes, the file has 60000/);
  });

  it('rejects a ROOT file without a treeout tree and lists the keys it has', async () => {
    // Renaming every 'treeout' key (same length, so offsets stay valid) gives a valid ROOT file
    // whose tree is called something else.
    const file = path.join(tempDir(), 'other.root');
    const bytes = Buffer.from(readFileSync(nuwroSample).toString('latin1').replaceAll('treeout', 'treeoux'), 'latin1');
    writeFileSync(file, bytes);
    const err = await readAll([file]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).render()).toMatch(/other\.root: no tree 'treeout' in the file \(keys: treeoux/);
  });
});

describe('NuWro ROOT reader without the fixture', () => {
  it('rejects a file that is not ROOT at all', async () => {
    const file = path.join(tempDir(), 'fake.root');
    writeFileSync(file, 'E_nu,E_mu,theta\n1,0.5,0.1\n');
    const err = await readAll([file]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).render()).toMatch(/fake\.root: not a ROOT file/);
  });
});
