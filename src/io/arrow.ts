/**
 * Apache Arrow IPC *file* format event tables (`.arrow`, `.feather`, `.ipc`): one record batch per
 * ≤ 64k events, so reads and writes stream and a multi-million-event file never sits in one JS array.
 * Table metadata is JSON under the schema metadata key `nugan` (source, domain, seed, units, count);
 * each column also carries its unit as field metadata `unit` so pandas/polars/ROOT users see it.
 * `channel` is a dictionary-encoded string column (uint8 indices into QE, MEC, RES, DIS, COH), so
 * pandas shows a categorical of names; tables written before that stored bare uint8 codes with the
 * names in the metadata (`channels`), and are still read.
 */
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import {
  DataType,
  Dictionary,
  Field,
  Float64,
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchReader,
  Schema,
  Struct,
  Uint8,
  Utf8,
  makeData,
  vectorFromArray,
  type Data,
  type Vector,
} from 'apache-arrow';
import { commitTemp, discardTemp, tempSibling } from '../util/atomic.ts';
import { InputError } from '../util/errors.ts';
import { CHANNELS, DEFAULT_BATCH, TABLE_UNITS, batchLength, checkBatchShape, emptyBatch, sliceBatch, type EventBatch, type EventMeta, type EventWriter } from './event-batch.ts';
import { firstBadRow, parseChannel, probablyMeV } from './rows.ts';
import { gevFromMeV } from './units.ts';

/** Dictionary id of the `channel` column (the only dictionary of an event table). */
const CHANNEL_DICTIONARY_ID = 0;
/** The type of the `channel` column: strings QE, MEC, … indexed by uint8 codes (index = CHANNELS position). */
const channelType = () => new Dictionary(new Utf8(), new Uint8(), CHANNEL_DICTIONARY_ID, false);
let channelDictionary: Vector<Utf8> | undefined;

function columnFields(hasChannel: boolean, hasWeight: boolean): Field[] {
  const unit = (u: string) => new Map([['unit', u]]);
  const fields: Field[] = [
    new Field('E_nu', new Float64(), false, unit('GeV')),
    new Field('E_mu', new Float64(), false, unit('GeV')),
    new Field('theta', new Float64(), false, unit('rad')),
  ];
  if (hasChannel) fields.push(new Field('channel', channelType(), false));
  if (hasWeight) fields.push(new Field('weight', new Float64(), false));
  return fields;
}

function metaJson(meta: EventMeta, count: number | undefined, hasChannel: boolean): string {
  const full: Record<string, unknown> = { ...meta, units: TABLE_UNITS };
  if (hasChannel) full.channels = [...CHANNELS];
  if (count !== undefined) full.count = count;
  return JSON.stringify(full);
}

function toRecordBatch(schema: Schema, b: EventBatch): RecordBatch {
  const n = batchLength(b);
  const children = schema.fields.map((f) => {
    const values = (b as unknown as Record<string, Float64Array | Uint8Array>)[f.name]!;
    if (DataType.isDictionary(f.type)) {
      channelDictionary ??= vectorFromArray([...CHANNELS], new Utf8());
      return makeData({ type: f.type, length: n, nullCount: 0, data: values, dictionary: channelDictionary } as never);
    }
    return makeData({ type: f.type as DataType, length: n, nullCount: 0, data: values } as never);
  });
  const data = makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children });
  return new RecordBatch(schema, data);
}

/** A streaming Arrow IPC writer (atomic: a temporary sibling renamed on close). */
export async function openArrowWriter(file: string, meta: EventMeta): Promise<EventWriter> {
  const tmp = tempSibling(file);
  const writer = new RecordBatchFileWriter();
  const out = createWriteStream(tmp);
  const done = pipeline(writer.toNodeStream(), out);
  // Keep the rejection observed until close/abort awaits it.
  done.catch(() => undefined);
  let schema: Schema | undefined;
  let count = 0;
  let finished = false;
  const ensureSchema = (hasChannel: boolean, hasWeight: boolean): Schema => {
    if (!schema) {
      schema = new Schema(columnFields(hasChannel, hasWeight), new Map([['nugan', metaJson(meta, undefined, hasChannel)]]));
    }
    return schema;
  };
  return {
    async write(b) {
      checkBatchShape(b);
      const s = ensureSchema(!!b.channel, !!b.weight);
      const names = s.fields.map((f) => f.name);
      if (names.includes('channel') !== !!b.channel || names.includes('weight') !== !!b.weight) {
        throw new Error(`EventBatch columns changed within one table (table has ${names.join(', ')})`);
      }
      const n = batchLength(b);
      for (let i = 0; i < n || (i === 0 && n === 0 && count === 0); i += DEFAULT_BATCH) {
        writer.write(toRecordBatch(s, sliceBatch(b, i, Math.min(n, i + DEFAULT_BATCH))));
        if (n === 0) break;
      }
      count += n;
    },
    async close() {
      const s = ensureSchema(false, false);
      // The IPC file footer repeats the schema and is what file readers (arrow-js, pyarrow) use, so
      // the final count, unknown when the header was written, is put into the metadata here.
      if (count === 0) writer.write(toRecordBatch(s, emptyBatch({})));
      // The writer keeps the schema of the first record batch (RecordBatch copies it); arrow-js has
      // no public way to amend it, so the footer's copy is reached through the private field.
      const footerSchema = (writer as unknown as { _schema?: Schema })._schema ?? s;
      footerSchema.metadata.set('nugan', metaJson(meta, count, s.fields.some((f) => f.name === 'channel')));
      writer.close();
      finished = true;
      try {
        await done;
        await commitTemp(tmp, file);
      } catch (e) {
        await discardTemp(tmp);
        throw e;
      }
      return { count };
    },
    async abort() {
      if (!finished) {
        finished = true;
        // Destroying the file stream ends the pipeline; arrow-js's own abort() rejects a promise
        // nobody can observe, so the writer is only closed (its remaining bytes go nowhere).
        out.destroy();
        try {
          writer.close();
        } catch {
          // already closed
        }
      }
      await done.catch(() => undefined);
      await discardTemp(tmp);
    },
  };
}

/** Columns of an Arrow record batch as an EventBatch (views when the file already holds Float64). */
function fromRecordBatch(rb: RecordBatch, file: string): EventBatch {
  const f64 = (name: string, required: boolean): Float64Array | undefined => {
    const col = rb.getChild(name);
    if (!col) {
      if (required) throw new InputError(`column '${name}' is missing (have ${rb.schema.fields.map((f) => f.name).join(', ')})`, file);
      return undefined;
    }
    if (col.nullCount > 0) throw new InputError(`column '${name}' has ${col.nullCount} null values`, file);
    const a = col.toArray() as ArrayLike<number>;
    return a instanceof Float64Array ? a : Float64Array.from(a);
  };
  const b: EventBatch = { E_nu: f64('E_nu', true)!, E_mu: f64('E_mu', true)!, theta: f64('theta', true)! };
  const ch = rb.getChild('channel');
  if (ch) b.channel = channelCodes(ch, file);
  const w = f64('weight', false);
  if (w) b.weight = w;
  return b;
}

/**
 * Channel codes (indices into CHANNELS) of a `channel` column: a dictionary of names (written since
 * the column became a string column; a foreign file's dictionary may list the names in any order and
 * in any case) or bare integer codes (older nugan tables).
 */
function channelCodes(col: Vector, file: string): Uint8Array {
  if (col.nullCount > 0) throw new InputError(`column 'channel' has ${col.nullCount} null values`, file);
  if (!DataType.isDictionary(col.type)) {
    const a = col.toArray() as ArrayLike<number>;
    return a instanceof Uint8Array ? a : Uint8Array.from(a);
  }
  const out = new Uint8Array(col.length);
  let o = 0;
  for (const chunk of col.data as Data<Dictionary>[]) {
    const names = chunk.dictionary ? (chunk.dictionary.toArray() as unknown[]) : [];
    const codes = names.map((name) => {
      const k = parseChannel(String(name));
      if (k === undefined) throw new InputError(`column 'channel' holds '${String(name)}', not one of ${CHANNELS.join(', ')}`, file);
      return k;
    });
    const idx = chunk.values as ArrayLike<number>;
    for (let i = 0; i < chunk.length; i++) {
      const k = codes[Number(idx[i])];
      if (k === undefined) throw new InputError(`column 'channel' has an index outside its dictionary`, file);
      out[o++] = k;
    }
  }
  return out;
}

function parseNuganMeta(schema: Schema, file: string): (EventMeta & { count?: number }) | undefined {
  const raw = schema.metadata.get('nugan');
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as EventMeta & { count?: number };
  } catch {
    throw new InputError(`schema metadata 'nugan' is not valid JSON`, file);
  }
}

/** An open Arrow IPC reader of `file` and the function that closes the file; errors name the file. */
async function openArrowReader(file: string): Promise<{ reader: RecordBatchReader; close(): Promise<void> }> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new InputError(`cannot open event table: ${(e as Error).message}`, file);
  }
  const close = () => fh.close().catch(() => undefined);
  try {
    const reader = await RecordBatchReader.from(fh);
    await reader.open();
    return { reader, close };
  } catch (e) {
    await close();
    throw new InputError(`not an Arrow IPC file (${(e as Error).message})`, file);
  }
}

async function* arrowBatches(file: string): AsyncGenerator<{ rb: RecordBatch; schema: Schema }> {
  const { reader, close } = await openArrowReader(file);
  try {
    for await (const rb of reader) yield { rb, schema: reader.schema };
  } finally {
    await close();
  }
}

/**
 * The unit a column states: its field metadata `unit` (what nugan writes, and what pyarrow users can
 * set), else the table's `nugan` metadata `units`; undefined when neither says.
 */
function statedUnit(schema: Schema, name: string, kind: 'energy' | 'angle'): string | undefined {
  const field = schema.fields.find((f) => f.name === name);
  const own = field?.metadata.get('unit');
  if (own !== undefined) return own;
  const units = (parseNuganMeta(schema, '') as { units?: Record<string, unknown> } | undefined)?.units;
  const u = units?.[kind];
  return typeof u === 'string' ? u : undefined;
}

/**
 * Converts a batch to GeV and radians as its columns' units say (a foreign table may be in MeV or
 * degrees), and checks every row as the text readers do (src/io/rows.ts): the same refusals for NaN,
 * ±Inf, negative energies, E_mu > E_nu, theta outside [0, pi] and, in a table that states no energy
 * unit, E_nu values that look like MeV. `first` is the batch's first row number in the file (0-based).
 */
function checkedBatch(b: EventBatch, schema: Schema, file: string, first: number): EventBatch {
  const energyFactor = (name: 'E_nu' | 'E_mu'): ((x: number) => number) | undefined => {
    const u = statedUnit(schema, name, 'energy');
    if (u === undefined || u === 'GeV') return undefined;
    if (u === 'MeV') return gevFromMeV;
    throw new InputError(`column '${name}' has unit '${u}': expected GeV or MeV`, file);
  };
  for (const name of ['E_nu', 'E_mu'] as const) {
    const f = energyFactor(name);
    if (f) b[name] = Float64Array.from(b[name], f);
  }
  const angle = statedUnit(schema, 'theta', 'angle');
  if (angle === 'deg') b.theta = Float64Array.from(b.theta, (x) => (x * Math.PI) / 180);
  else if (angle !== undefined && angle !== 'rad') throw new InputError(`column 'theta' has unit '${angle}': expected rad or deg`, file);
  const bad = firstBadRow(b);
  if (bad) throw new InputError(bad.problem, file, { entry: first + bad.index });
  if (statedUnit(schema, 'E_nu', 'energy') === undefined) {
    const how = `give the E_nu and E_mu columns field metadata unit=MeV (or unit=GeV), as nugan's own tables carry`;
    for (let i = 0; i < b.E_nu.length; i++) {
      const mev = probablyMeV(b.E_nu[i]!, how);
      if (mev) throw new InputError(mev, file, { entry: first + i, column: 'E_nu' });
    }
  }
  return b;
}

/** The events of an Arrow table, one checked EventBatch (GeV, rad) per non-empty record batch. */
export async function* readArrowBatches(file: string): AsyncGenerator<EventBatch> {
  let row = 0;
  for await (const { rb, schema } of arrowBatches(file)) {
    const b = checkedBatch(fromRecordBatch(rb, file), schema, file, row);
    row += rb.numRows;
    if (batchLength(b) > 0) yield b;
  }
}

/** Metadata and event count from the schema (a foreign Arrow file without nugan's count is counted). */
export async function readArrowMeta(file: string): Promise<EventMeta & { count: number }> {
  const { reader, close } = await openArrowReader(file);
  try {
    const meta = parseNuganMeta(reader.schema, file);
    if (meta && typeof meta.count === 'number') return { ...meta, source: meta.source ?? file, count: meta.count };
    let count = 0;
    for await (const rb of reader) count += rb.numRows;
    return { source: file, ...(meta ?? {}), count };
  } finally {
    await close();
  }
}
