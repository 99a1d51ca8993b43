import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/contract/stage.ts';
import { concatBatches, type EventBatch } from '../../src/io/event-batch.ts';
import { readTextEvents, type TextReadOptions } from '../../src/io/text.ts';
import { M_MU } from '../../src/physics/constants.ts';
import { tempDir } from './fixtures.ts';

async function readText(content: string, opts?: TextReadOptions, name = 'in.csv'): Promise<EventBatch> {
  const file = path.join(tempDir(), name);
  writeFileSync(file, content);
  const parts: EventBatch[] = [];
  for await (const b of readTextEvents(file, opts)) parts.push(b);
  return concatBatches(parts);
}

async function failure(content: string, opts?: TextReadOptions): Promise<string> {
  const err = await readText(content, opts, 'bad.csv').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(InputError);
  return (err as InputError).render();
}

describe('text tables', () => {
  it('reads a CSV whose header states MeV and converts to GeV', async () => {
    const ev = await readText('E_nu[MeV],E_mu[MeV],theta\n1000,600,0.5\n2500,1000,1.5\n');
    expect(Array.from(ev.E_nu)).toEqual([1, 2.5]);
    expect(Array.from(ev.E_mu)).toEqual([0.6, 1]);
    expect(Array.from(ev.theta)).toEqual([0.5, 1.5]);
  });

  it('reads TSV and whitespace tables with the unit from a comment line', async () => {
    const tsv = await readText('# unit: MeV\nEnu\tEmu\tcos_theta\n1000\t500\t1\n', undefined, 'a.tsv');
    expect(Array.from(tsv.E_nu)).toEqual([1]);
    expect(tsv.theta[0]).toBe(0);
    const ws = await readText('  E_nu   T_mu  theta(deg)\n 2.0  0.5   90\n', { unit: 'GeV' }, 'b.txt');
    expect(ws.E_mu[0]).toBeCloseTo(0.5 + M_MU, 12);
    expect(ws.theta[0]).toBeCloseTo(Math.PI / 2, 12);
  });

  it('takes the unit from the caller when the file states none', async () => {
    const ev = await readText('E_nu,E_mu,theta\n800,300,0.2\n', { unit: 'MeV' });
    expect(ev.E_nu[0]).toBeCloseTo(0.8, 12);
  });

  it('reads channel names and weights and ignores unknown columns', async () => {
    const ev = await readText('id,E_nu,E_mu,theta,channel,weight\n7,1,0.5,0.1,RES,2.5\n8,1,0.4,0.2,qe,1\n');
    expect(Array.from(ev.channel!)).toEqual([2, 0]);
    expect(Array.from(ev.weight!)).toEqual([2.5, 1]);
  });

  it('rejects a row with a missing field, naming file and line', async () => {
    expect(await failure('E_nu,E_mu,theta\n1,0.5,0.1\n1,0.5\n')).toMatch(/bad\.csv:3: expected 3 fields, found 2/);
  });

  it('rejects an empty field and a non-numeric field, naming the column', async () => {
    expect(await failure('E_nu,E_mu,theta\n1,,0.1\n')).toMatch(/bad\.csv:2 \[E_mu\]: field '' is not a number/);
    expect(await failure('E_nu,E_mu,theta\n1,0.5,abc\n')).toMatch(/bad\.csv:2 \[theta\]: field 'abc' is not a number/);
  });

  it('rejects negative energies and a muon more energetic than the neutrino', async () => {
    expect(await failure('E_nu,E_mu,theta\n-1,0.5,0.1\n')).toMatch(/bad\.csv:2: negative neutrino energy/);
    expect(await failure('E_nu,E_mu,theta\n1,-0.5,0.1\n')).toMatch(/bad\.csv:2: negative muon energy/);
    expect(await failure('E_nu,E_mu,theta\n1,0.5,0.1\n1,1.5,0.1\n')).toMatch(/bad\.csv:3: muon energy E_mu = 1.5 GeV exceeds/);
  });

  it('rejects an unknown unit in the header, in a comment and from the caller', async () => {
    expect(await failure('E_nu[keV],E_mu,theta\n1,0.5,0.1\n')).toMatch(/bad\.csv:1 \[E_nu\[keV\]\]: unknown unit 'keV'/);
    expect(await failure('# unit: erg\nE_nu,E_mu,theta\n1,0.5,0.1\n')).toMatch(/bad\.csv:1: unknown energy unit 'erg'/);
    expect(await failure('E_nu,E_mu,theta\n1,0.5,0.1\n', { unit: 'TeV' as never })).toMatch(/unknown energy unit 'TeV'/);
  });

  it('rejects non-decimal numbers (0x10, 0b1, Infinity, 1_000) and accepts 1e-3, .5 and +2.', async () => {
    for (const bad of ['0x10', '0b1', 'Infinity', '1_000', '5e']) {
      expect(await failure(`E_nu,E_mu,theta\n3,1,${bad}\n`)).toMatch(new RegExp(`bad\\.csv:2 \\[theta\\]: field '${bad}' is not a number$`));
    }
    const ev = await readText('E_nu,E_mu,theta\n3,+2.,1e-3\n.5,0.25,.5\n');
    expect(Array.from(ev.E_mu)).toEqual([2, 0.25]);
    expect(Array.from(ev.theta)).toEqual([1e-3, 0.5]);
  });

  it('refuses E_nu above 100 GeV when no unit is stated (a table in MeV?), and reads it once one is', async () => {
    const mev = 'E_nu,E_mu,theta\n500,320,0.4\n';
    expect(await failure(mev)).toMatch(/bad\.csv:2 \[E_nu\]: E_nu = 500 GeV, far above the 0\.3–10 GeV of nugan's models, and the table states no energy unit: is it in MeV\?/);
    expect(Array.from((await readText(`# unit: MeV\n${mev}`)).E_nu)).toEqual([0.5]);
    expect(Array.from((await readText(mev.replace('E_nu,E_mu,', 'E_nu[MeV],E_mu[MeV],'))).E_nu)).toEqual([0.5]);
    expect(Array.from((await readText(mev, { unit: 'MeV' })).E_nu)).toEqual([0.5]);
    // Stated as GeV, a high energy is the user's word: no guess is made.
    expect(Array.from((await readText(mev, { unit: 'GeV' })).E_nu)).toEqual([500]);
    expect(Array.from((await readText('E_nu,E_mu,theta\n99,40,0.1\n')).E_nu)).toEqual([99]);
  });

  it('rejects a header without a muon angle column', async () => {
    expect(await failure('E_nu,E_mu\n1,0.5\n')).toMatch(/bad\.csv:1: header names no muon angle column/);
  });
});
