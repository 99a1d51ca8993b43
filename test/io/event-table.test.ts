import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DataType, Dictionary, Field, Float64, Int32, RecordBatch, Schema, Struct, Table, Uint8, Utf8, makeData, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/contract/stage.ts';
import { batchLength, type EventBatch } from '../../src/io/event-batch.ts';
import { openEventWriter, readEventBatches, readEventMeta, readEventTable, writeEventTable } from '../../src/io/event-table.ts';
import { csvFloat } from '../../src/io/text.ts';
import { listDir, tempDir } from './fixtures.ts';

function sample(n: number, withOptional = true): EventBatch {
  const b: EventBatch = { E_nu: new Float64Array(n), E_mu: new Float64Array(n), theta: new Float64Array(n) };
  if (withOptional) {
    b.channel = new Uint8Array(n);
    b.weight = new Float64Array(n);
  }
  for (let i = 0; i < n; i++) {
    b.E_nu[i] = 0.3 + (i % 977) * 0.01 + i * 1e-7;
    b.E_mu[i] = b.E_nu[i]! * (0.2 + 0.7 * ((i * 7919) % 1000) / 1000);
    b.theta[i] = (Math.PI * ((i * 104729) % 1000)) / 999;
    if (b.channel) b.channel[i] = i % 5;
    if (b.weight) b.weight[i] = 1 + (i % 3);
  }
  return b;
}

describe('event table', () => {
  it('writes and reads back an Arrow table with every column and the metadata', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'a.arrow');
    const events = sample(70_000);
    await writeEventTable(file, events, { source: 'unit test', domain: 'nu-argon', seed: 42 });
    const back = await readEventTable(file);
    expect(back.events.E_nu).toEqual(events.E_nu);
    expect(back.events.E_mu).toEqual(events.E_mu);
    expect(back.events.theta).toEqual(events.theta);
    expect(back.events.channel).toEqual(events.channel);
    expect(back.events.weight).toEqual(events.weight);
    expect(back.meta).toMatchObject({ source: 'unit test', domain: 'nu-argon', seed: 42, units: { energy: 'GeV', angle: 'rad' } });
    const meta = await readEventMeta(file);
    expect(meta.count).toBe(70_000);
    expect(listDir(dir)).toEqual(['a.arrow']);
  });

  it('streams batches of the requested size in file order', async () => {
    const file = path.join(tempDir(), 'b.arrow');
    const events = sample(10_000, false);
    await writeEventTable(file, events, { source: 't' });
    const sizes: number[] = [];
    const firsts: number[] = [];
    for await (const b of readEventBatches(file, 3000)) {
      sizes.push(batchLength(b));
      firsts.push(b.E_nu[0]!);
      expect(b.channel).toBeUndefined();
    }
    expect(sizes).toEqual([3000, 3000, 3000, 1000]);
    expect(firsts).toEqual([events.E_nu[0], events.E_nu[3000], events.E_nu[6000], events.E_nu[9000]]);
  });

  it('a streaming writer leaves no file behind when aborted and only the final file when closed', async () => {
    const dir = tempDir();
    const w = await openEventWriter(path.join(dir, 'x.arrow'), { source: 't' });
    await w.write(sample(100));
    await w.abort();
    expect(listDir(dir)).toEqual([]);
    const w2 = await openEventWriter(path.join(dir, 'y.arrow'), { source: 't' });
    await w2.write(sample(100));
    await w2.write(sample(50));
    expect(listDir(dir).some((n) => n === 'y.arrow')).toBe(false);
    expect(await w2.close()).toEqual({ count: 150 });
    expect(listDir(dir)).toEqual(['y.arrow']);
    expect((await readEventMeta(path.join(dir, 'y.arrow'))).count).toBe(150);
  });

  it('writes an empty table whose metadata counts zero events, and refuses to read it as a whole, naming the file', async () => {
    const file = path.join(tempDir(), 'empty.arrow');
    await writeEventTable(file, sample(0, false), { source: 't' });
    expect((await readEventMeta(file)).count).toBe(0);
    await expect(readEventTable(file)).rejects.toThrow('holds no events');
    await expect(readEventTable(file)).rejects.toMatchObject({ file });
  });

  it('round-trips a CSV table with channel names', async () => {
    const file = path.join(tempDir(), 'c.csv');
    const events = sample(500);
    await writeEventTable(file, events, { source: 't' });
    const back = await readEventTable(file);
    expect(back.events.E_nu).toEqual(events.E_nu);
    expect(back.events.theta).toEqual(events.theta);
    expect(back.events.channel).toEqual(events.channel);
    expect((await readEventMeta(file)).count).toBe(500);
  });

  it('stores channel as a dictionary-encoded string column that other Arrow readers decode to names', async () => {
    const file = path.join(tempDir(), 'dict.arrow');
    await writeEventTable(file, sample(700), { source: 't' });
    // An independent decode through apache-arrow's own table reader, as pyarrow/pandas would see it.
    const table = tableFromIPC(readFileSync(file));
    const field = table.schema.fields.find((f) => f.name === 'channel')!;
    expect(DataType.isDictionary(field.type)).toBe(true);
    expect(DataType.isUtf8((field.type as Dictionary).dictionary)).toBe(true);
    const names = table.getChild('channel')!.toArray() as string[];
    expect(names.slice(0, 6)).toEqual(['QE', 'MEC', 'RES', 'DIS', 'COH', 'QE']);
  });

  it('still reads the older uint8 channel column and a foreign dictionary in another order and case', async () => {
    const dir = tempDir();
    const E_nu = new Float64Array([1, 2, 3]);
    const E_mu = new Float64Array([0.5, 1, 2]);
    const theta = new Float64Array([0.1, 0.2, 0.3]);
    // Older nugan tables: uint8 codes, names in the field metadata.
    const oldFields = [new Field('E_nu', new Float64()), new Field('E_mu', new Float64()), new Field('theta', new Float64()), new Field('channel', new Uint8(), false, new Map([['codes', 'QE,MEC,RES,DIS,COH']]))];
    const oldSchema = new Schema(oldFields, new Map([['nugan', JSON.stringify({ source: 'old', channels: ['QE', 'MEC', 'RES', 'DIS', 'COH'] })]]));
    const oldData = makeData({ type: new Struct(oldFields), length: 3, nullCount: 0, children: [
      makeData({ type: new Float64(), length: 3, data: E_nu }), makeData({ type: new Float64(), length: 3, data: E_mu }), makeData({ type: new Float64(), length: 3, data: theta }),
      makeData({ type: new Uint8(), length: 3, data: new Uint8Array([3, 1, 2]) }),
    ] });
    writeFileSync(path.join(dir, 'old.arrow'), tableToIPC(new Table(new RecordBatch(oldSchema, oldData)), 'file'));
    expect(Array.from((await readEventTable(path.join(dir, 'old.arrow'))).events.channel!)).toEqual([3, 1, 2]);
    // A table written elsewhere (e.g. pandas categories): its own dictionary order, int32 indices, lower case.
    const dictType = new Dictionary(new Utf8(), new Int32());
    const fields = [new Field('E_nu', new Float64()), new Field('E_mu', new Float64()), new Field('theta', new Float64()), new Field('channel', dictType)];
    const data = makeData({ type: new Struct(fields), length: 3, nullCount: 0, children: [
      makeData({ type: new Float64(), length: 3, data: E_nu }), makeData({ type: new Float64(), length: 3, data: E_mu }), makeData({ type: new Float64(), length: 3, data: theta }),
      makeData({ type: dictType, length: 3, data: new Int32Array([1, 0, 1]), dictionary: vectorFromArray(['dis', 'mec'], new Utf8()) }),
    ] });
    writeFileSync(path.join(dir, 'foreign.arrow'), tableToIPC(new Table(new RecordBatch(new Schema(fields), data)), 'file'));
    expect(Array.from((await readEventTable(path.join(dir, 'foreign.arrow'))).events.channel!)).toEqual([1, 3, 1]);
  });

  it('writes CSV headers with units and every number as a float, and reads them back exactly', async () => {
    const file = path.join(tempDir(), 'units.csv');
    const ev: EventBatch = { E_nu: new Float64Array([1, 1, 2.5]), E_mu: new Float64Array([0.5, 1e-7 + 0.2, 2]), theta: new Float64Array([0, Math.PI, 1e-7]), weight: new Float64Array([1, 2, 0.5]) };
    await writeEventTable(file, ev, { source: 't' });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('E_nu[GeV],E_mu[GeV],theta[rad],weight');
    expect(lines[1]).toBe('1.0,0.5,0.0,1.0');
    expect(lines[3]).toBe('2.5,2.0,1e-7,0.5');
    const back = (await readEventTable(file)).events;
    expect(back.E_nu).toEqual(ev.E_nu);
    expect(back.E_mu).toEqual(ev.E_mu);
    expect(back.theta).toEqual(ev.theta);
    expect(back.weight).toEqual(ev.weight);
  });

  it('formats CSV floats so that integral values carry a decimal point', () => {
    expect([1, -2, 0, -0, 0.25, 1e21, 1e-7, 123456789].map(csvFloat)).toEqual(['1.0', '-2.0', '0.0', '-0.0', '0.25', '1e+21', '1e-7', '123456789.0']);
  });

  it('rejects a file that is not an Arrow table with an InputError naming it', async () => {
    const file = path.join(tempDir(), 'junk.arrow');
    writeFileSync(file, 'not arrow at all');
    await expect(readEventMeta(file)).rejects.toThrow(InputError);
    await expect(readEventMeta(file)).rejects.toThrow(/junk\.arrow|Arrow/);
  });

  it('rejects an unknown table extension', async () => {
    await expect(writeEventTable(path.join(tempDir(), 'x.parquet'), sample(1), { source: 't' })).rejects.toThrow(/\.parquet/);
  });
});
