/**
 * Arrow event tables get the same per-row checks as CSV and NuHepMC (issue 14, item 5): NaN, ±Inf,
 * negative energies, E_mu > E_nu, theta outside [0, pi], MeV-looking energies in a table that states no
 * unit, and empty tables are refused by ingest, inspect and evaluate with the file, the entry (0-based
 * row) and what was expected; exit code 1, no output written. Tables are written with apache-arrow
 * directly, as pyarrow or polars would write them.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Field, Float64, Schema, Table, makeVector, tableToIPC, RecordBatch, makeData, Struct } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEventTable } from '../../src/io/event-table.ts';
import { InputError } from '../../src/util/errors.ts';
import { Rig } from '../cli/rig.ts';

let rig: Rig;
beforeAll(() => (rig = new Rig()));
afterAll(() => rig.cleanup());

/** An Arrow IPC file with columns E_nu, E_mu, theta; `unit` adds field metadata unit=… to the energies. */
function arrowFile(name: string, rows: [number, number, number][], unit?: string): string {
  const meta = (u: string | undefined) => (u ? new Map([['unit', u]]) : new Map<string, string>());
  const fields = [new Field('E_nu', new Float64(), false, meta(unit)), new Field('E_mu', new Float64(), false, meta(unit)), new Field('theta', new Float64(), false)];
  const cols = [0, 1, 2].map((c) => Float64Array.from(rows.map((r) => r[c]!)));
  const schema = new Schema(fields);
  const data = makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children: cols.map((c) => makeVector(c).data[0]!) });
  const table = new Table(schema, [new RecordBatch(schema, data)]);
  const file = join(rig.dir, name);
  writeFileSync(file, tableToIPC(table, 'file'));
  return file;
}

const good: [number, number, number] = [1.5, 0.9, 0.4];

const cases: { name: string; rows: [number, number, number][]; unit?: string; message: string }[] = [
  { name: 'nan.arrow', rows: [good, [Number.NaN, 0.9, 0.4]], unit: 'GeV', message: 'nan.arrow (entry 1): non-finite value' },
  { name: 'inf.arrow', rows: [good, good, [Number.POSITIVE_INFINITY, 0.9, 0.4]], unit: 'GeV', message: 'inf.arrow (entry 2): non-finite value' },
  { name: 'minus-inf.arrow', rows: [[1.5, Number.NEGATIVE_INFINITY, 0.4]], unit: 'GeV', message: 'minus-inf.arrow (entry 0): non-finite value' },
  { name: 'negative.arrow', rows: [good, [-8.8, -9, 0.4]], unit: 'GeV', message: 'negative.arrow (entry 1): negative neutrino energy E_nu = -8.8 GeV' },
  { name: 'emu.arrow', rows: [[1, 1.2, 0.4]], unit: 'GeV', message: 'emu.arrow (entry 0): muon energy E_mu = 1.2 GeV exceeds the neutrino energy E_nu = 1 GeV' },
  { name: 'theta.arrow', rows: [good, [1.5, 0.9, 4]], unit: 'GeV', message: 'theta.arrow (entry 1): muon angle theta = 4 rad outside [0, pi]' },
  { name: 'mev.arrow', rows: [[800, 500, 0.4]], message: "mev.arrow (entry 0) [E_nu]: E_nu = 800 GeV, far above the 0.3–10 GeV of nugan's models, and the table states no energy unit: is it in MeV?" },
  { name: 'empty.arrow', rows: [], unit: 'GeV', message: 'empty.arrow: holds no events' },
];

/** The rendered InputError of reading a whole table through the readers' public API. */
async function readFailure(file: string): Promise<string> {
  try {
    await readEventTable(file);
  } catch (e) {
    if (e instanceof InputError) return e.render();
    throw e;
  }
  return 'read without error';
}

describe('bad rows in Arrow event tables', () => {
  it('the table reader refuses each kind of bad row and an empty table, naming the file and the row', async () => {
    for (const c of cases) expect(await readFailure(arrowFile(c.name, c.rows, c.unit))).toContain(c.message);
  });

  it('ingest refuses an infinite E_nu, MeV-looking energies and an empty table with exit code 1, and writes nothing', async () => {
    const picked = cases.filter((c) => ['inf.arrow', 'mev.arrow', 'empty.arrow'].includes(c.name));
    for (const c of picked) arrowFile(c.name, c.rows, c.unit);
    const results = await Promise.all(picked.map((c) => rig.run(['ingest', c.name, '--out', `out-${c.name}`])));
    results.forEach((r, i) => {
      expect(r.code, picked[i]!.name).toBe(1);
      expect(r.stderr).toContain(picked[i]!.message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(join(rig.dir, `out-${picked[i]!.name}`))).toBe(false);
    });
  });

  it('inspect and evaluate refuse the same rows with the same message', async () => {
    const picked = cases.filter((c) => ['inf.arrow'].includes(c.name));
    for (const c of picked) arrowFile(c.name, c.rows, c.unit);
    const results = await Promise.all(picked.flatMap((c) => [rig.run(['inspect', c.name]), rig.run(['evaluate', '--model', 'no-model-needed', '--data', c.name])]));
    results.forEach((r, i) => {
      expect(r.code, `${picked[i >> 1]!.name} ${i & 1 ? 'evaluate' : 'inspect'}`).toBe(1);
      expect(r.stderr).toContain(picked[i >> 1]!.message);
    });
  });

  it('an Arrow table in MeV that says so, or in GeV without saying, is read as GeV', async () => {
    const mev = await readEventTable(arrowFile('stated-mev.arrow', [[1500, 900, 0.4]], 'MeV'));
    expect([mev.events.E_nu[0], mev.events.E_mu[0]]).toEqual([1.5, 0.9]);
    const gev = await readEventTable(arrowFile('unstated-gev.arrow', [good]));
    expect([gev.events.E_nu[0], gev.events.E_mu[0], gev.events.theta[0]]).toEqual(good);
  });
});
