/**
 * Issue 14, items 6 and 8: event files that are wrong in ways a reader could miss — a CSV in MeV that
 * states no unit, hexadecimal numbers, a NuWro ROOT file with a damaged basket — are refused through the
 * real CLI with a message naming the file and the line or entry, exit code 1, no stack trace, and
 * nothing left behind: no output file, no hidden temporary, no artifact or temp dir in the store.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { hasNuwroSample, nuwroSample, SKIP_SHARED } from '../io/fixtures.ts';
import { Rig } from '../cli/rig.ts';

let rig: Rig;
afterEach(() => rig?.cleanup());

/** Files in the rig directory other than the inputs the test wrote: what a failed command left. */
function leftovers(inputs: string[]): string[] {
  return readdirSync(rig.dir).filter((f) => !inputs.includes(f) && f !== 'store');
}

function expectNoStack(text: string): void {
  expect(text).not.toMatch(/\n\s+at |RangeError|TypeError/);
}

/** The store after a failed run: no artifact, no temporary directory, no job file. */
function expectStoreClean(): void {
  expect(rig.artifacts()).toEqual([]);
  expect(readdirSync(join(rig.store, 'tmp'))).toEqual([]);
}

describe('a CSV table without a stated energy unit', () => {
  const mev = 'E_nu,E_mu,theta\n500,320,0.4\n9400,2100,0.1\n';

  it('in MeV is refused: the message names the file, the line and the way to state the unit', async () => {
    rig = new Rig();
    rig.write('mev.csv', mev);
    const r = await rig.run(['ingest', 'mev.csv', '--out', 'events.arrow']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/mev\.csv:2 \[E_nu\]: E_nu = 500 GeV, far above the 0\.3–10 GeV of nugan's models, and the table states no energy unit: is it in MeV\?/);
    expect(r.stderr).toMatch(/E_nu\[MeV\].*# unit: MeV.*--unit MeV/);
    expectNoStack(r.stderr);
    expect(leftovers(['mev.csv'])).toEqual([]);
  });

  it('in MeV is read as MeV with --unit MeV', async () => {
    rig = new Rig();
    rig.write('mev.csv', mev);
    const r = await rig.run(['ingest', 'mev.csv', '--out', 'events.arrow', '--unit', 'MeV', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).count).toBe(2);
  });

  it('given to inspect as a .csv table is refused the same way', async () => {
    rig = new Rig();
    rig.write('mev.csv', mev);
    const r = await rig.run(['inspect', 'mev.csv']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/mev\.csv:2 \[E_nu\]: E_nu = 500 GeV, far above/);
  });

  it('as the file of an ingest stage fails that stage and leaves the store clean', async () => {
    rig = new Rig();
    rig.write('mev.csv', mev);
    const p = rig.write('p.yaml', 'stages:\n  data:\n    uses: ingest\n    with: { file: mev.csv }\n');
    const r = await rig.runJson(['run', p, '--store', rig.store]);
    expect(r.code).toBe(1);
    expect(r.doc.stages[0]).toMatchObject({ id: 'data', state: 'failed' });
    expect(JSON.stringify(r.doc)).toMatch(/mev\.csv:2 \[E_nu\]: E_nu = 500 GeV/);
    expectStoreClean();
  });
});

describe('numbers in a CSV table', () => {
  it('0x10 is not a number: the message names file, line and column', async () => {
    rig = new Rig();
    rig.write('hex.csv', 'E_nu,E_mu,theta\n2,1,0.1\n0x10,1,0.1\n');
    const r = await rig.run(['ingest', 'hex.csv', '--out', 'hex.arrow']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hex\.csv:3 \[E_nu\]: field '0x10' is not a number/);
    expect(leftovers(['hex.csv'])).toEqual([]);
  });
});

/**
 * The NuWro sample with the `in.pdg` basket damaged: its entry offsets (the last bytes of the
 * decompressed basket) overwritten, then recompressed into place, so the file still opens and its
 * header is intact — the damage shows only when entry 51 is read. Offsets of the basket key from
 * the sample (key at 33346, 398 bytes, key header 76 bytes; ROOT's 9-byte compression header).
 */
function damagedBasketFile(to: string): void {
  const b = Buffer.from(readFileSync(nuwroSample));
  const [key, nbytes, keylen] = [33346, 398, 76];
  const at = key + keylen;
  const raw = Buffer.from(inflateSync(b.subarray(at + 9, key + nbytes)));
  raw.fill(0x7f, raw.length - 200);
  const z = deflateSync(raw, { level: 9 });
  if (z.length > nbytes - keylen - 9) throw new Error('the damaged basket no longer fits its key');
  b.writeUIntLE(z.length, at + 3, 3);
  z.copy(b, at + 9);
  writeFileSync(to, b);
}

describe.skipIf(!hasNuwroSample)(`a NuWro ROOT file with a damaged basket (${hasNuwroSample ? 'reads ../shared' : SKIP_SHARED})`, () => {
  it('is an input error naming the file and the entry, without a stack trace or a hidden .tmp file', async () => {
    rig = new Rig();
    damagedBasketFile(join(rig.dir, 'damaged.root'));
    const r = await rig.run(['ingest', 'damaged.root', '--out', 'events.arrow']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nugan ingest: damaged\.root \(entry 51\): cannot read entries from 'treeout' \(Offset is outside the bounds of the DataView\)/);
    expectNoStack(r.stderr);
    expect(leftovers(['damaged.root'])).toEqual([]);
  });

  it('fails its ingest stage with the same message and leaves the store clean', async () => {
    rig = new Rig();
    damagedBasketFile(join(rig.dir, 'damaged.root'));
    const p = rig.write('p.yaml', 'stages:\n  data:\n    uses: ingest\n    with: { file: damaged.root }\n');
    const r = await rig.runJson(['run', p, '--store', rig.store]);
    expect(r.code).toBe(1);
    expect(r.doc.stages[0]).toMatchObject({ id: 'data', state: 'failed' });
    expect(JSON.stringify(r.doc)).toMatch(/damaged\.root \(entry 51\): cannot read entries/);
    expectStoreClean();
  });
});
