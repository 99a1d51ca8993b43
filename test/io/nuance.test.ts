import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/contract/stage.ts';
import { concatBatches, type EventBatch } from '../../src/io/event-batch.ts';
import { readNuance } from '../../src/io/nuance.ts';
import type { ReadStats } from '../../src/io/nuwro-root.ts';
import { tempDir } from './fixtures.ts';

/** One NUANCE event: neutrino along z, lepton at angle theta in the x–z plane (energies in MeV). */
function kinEvent(nuPdg: number, E_nu: number, lepPdg: number, E_l: number, theta: number): string {
  return [
    '$ begin',
    '$ nuance 1',
    '$ vertex 0.0 0.0 0.0 0.0',
    `$ track ${nuPdg} ${E_nu} 0.0 0.0 1.0 -1`,
    '$ track 2112 939.565 0.0 0.0 1.0 -1',
    '$ info 0 0 0',
    `$ track ${lepPdg} ${E_l} ${Math.sin(theta)} 0.0 ${Math.cos(theta)} 0`,
    '$ track 2212 1100.0 0.6 0.0 0.8 0',
    '$ end',
  ].join('\n');
}

async function read(content: string, stats?: ReadStats): Promise<EventBatch> {
  const file = path.join(tempDir(), 'ev.kin');
  writeFileSync(file, content);
  const parts: EventBatch[] = [];
  for await (const b of readNuance(file, { stats })) parts.push(b);
  return concatBatches(parts);
}

describe('NUANCE .kin reader', () => {
  it('keeps CC nu_mu and anti-nu_mu events and drops NC and other flavours, by reason', async () => {
    const stats: ReadStats = { read: 0, kept: 0, dropped: {} };
    const ev = await read(
      [kinEvent(14, 1000, 13, 700, 0.3), kinEvent(14, 1000, 14, 700, 0.3), kinEvent(12, 800, 11, 500, 0.2), kinEvent(-14, 2000, -13, 1500, 1.2), '$ stop', ''].join('\n'),
      stats,
    );
    expect(Array.from(ev.E_nu)).toEqual([1, 2]);
    expect(Array.from(ev.E_mu)).toEqual([0.7, 1.5]);
    expect(ev.theta[0]).toBeCloseTo(0.3, 12);
    expect(ev.theta[1]).toBeCloseTo(1.2, 12);
    expect(stats.read).toBe(4);
    expect(stats.kept).toBe(2);
    expect(Object.values(stats.dropped).reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('rejects a file cut inside an event, naming the line where the event began', async () => {
    const cut = kinEvent(14, 1000, 13, 700, 0.3) + '\n' + kinEvent(14, 1000, 13, 700, 0.3).split('\n').slice(0, 5).join('\n');
    const err = await read(cut).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).render()).toMatch(/ev\.kin: file is truncated: the event that began on line 10 has no '\$ end'/);
  });

  it('rejects a non-numeric track field with its line number', async () => {
    const bad = kinEvent(14, 1000, 13, 700, 0.3).replace('$ track 14 1000', '$ track 14 lots');
    const err = await read(bad).catch((e: unknown) => e);
    expect((err as InputError).render()).toMatch(/ev\.kin:4: non-numeric field/);
  });

  it('rejects a muon with more energy than the neutrino', async () => {
    const err = await read(kinEvent(14, 1000, 13, 1200, 0.3)).catch((e: unknown) => e);
    expect((err as InputError).render()).toMatch(/ev\.kin:1: muon energy E_mu = 1\.2 GeV exceeds/);
  });
});
