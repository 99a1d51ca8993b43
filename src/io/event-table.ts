/**
 * The event table: nugan's one in-memory and on-disk representation of a sample of CC muon events
 * (DESIGN.md §1, §7). Columns: E_nu, E_mu (GeV, E_mu is the muon's total energy), theta (rad),
 * optional channel (index into CHANNELS) and weight.
 *
 * Files are picked by extension:
 * - `.arrow` (also `.feather`, `.ipc`): Apache Arrow IPC *file* format, one record batch per ≤ 64k
 *   events, so reads and writes stream and a multi-million-event file never sits in one JS array.
 *   Table metadata is JSON under the schema metadata key `nugan` (source, domain, seed, units, count);
 *   each column also carries its unit as field metadata `unit` so pandas/polars/ROOT users see it.
 *   `channel` is stored as uint8 codes; the names are listed in the metadata (`channels`).
 * - `.csv`: a header line naming the columns, then one event per line, GeV and radians, channel by
 *   name. Readable by any CSV tool; metadata other than the columns is not kept.
 * - `.hepmc3`: NuHepMC (HepMC3 ASCII), see src/io/nuhepmc.ts.
 *
 * Events with omega = E_nu − E_mu < 9.8 MeV are physical and are KEPT in every table; the proxy
 * domain is a property of the model, not of the data. `proxyDomainMask` / `countOutsideProxyDomain`
 * (src/physics/kinematics.ts) let train/evaluate drop and report them.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  Field,
  Float64,
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchReader,
  Schema,
  Struct,
  Uint8,
  makeData,
  type DataType,
} from 'apache-arrow';
import { InputError } from '../util/errors.ts';
import { commitTemp, discardTemp, tempSibling } from '../util/atomic.ts';

export const CHANNELS = ['QE', 'MEC', 'RES', 'DIS', 'COH'] as const; // channel code = index in CHANNELS
export type Channel = (typeof CHANNELS)[number];

/** One column per field, all of the same length. */
export interface EventBatch {
  /** Neutrino energy, GeV. */
  E_nu: Float64Array;
  /** Total muon energy, GeV. */
  E_mu: Float64Array;
  /** Muon angle to the beam, rad, in [0, pi]. */
  theta: Float64Array;
  /** Index into CHANNELS. */
  channel?: Uint8Array;
  weight?: Float64Array;
}

/** JSON-able table metadata; the writer adds `units` and `count`. */
export interface EventMeta {
  source: string;
  domain?: string;
  seed?: number;
  [key: string]: unknown;
}

/** Units recorded in every table (house rule 11). */
export const TABLE_UNITS = { energy: 'GeV', angle: 'rad' } as const;

/** Rows per Arrow record batch and default read batch size. */
export const DEFAULT_BATCH = 65536;

/** Number of events in a batch (the length of E_nu; all columns have that length). */
export function batchLength(b: EventBatch): number {
  return b.E_nu.length;
}

/** An empty batch with the optional columns of `like`. */
export function emptyBatch(like?: { channel?: unknown; weight?: unknown }): EventBatch {
  const b: EventBatch = { E_nu: new Float64Array(0), E_mu: new Float64Array(0), theta: new Float64Array(0) };
  if (like?.channel) b.channel = new Uint8Array(0);
  if (like?.weight) b.weight = new Float64Array(0);
  return b;
}

/** Rows [start, end) of a batch, as views (no copy). */
export function sliceBatch(b: EventBatch, start: number, end: number): EventBatch {
  const out: EventBatch = {
    E_nu: b.E_nu.subarray(start, end),
    E_mu: b.E_mu.subarray(start, end),
    theta: b.theta.subarray(start, end),
  };
  if (b.channel) out.channel = b.channel.subarray(start, end);
  if (b.weight) out.weight = b.weight.subarray(start, end);
  return out;
}

/** The rows of `b` whose index is listed in `idx` (a copy). */
export function takeRows(b: EventBatch, idx: ArrayLike<number>): EventBatch {
  const n = idx.length;
  const out: EventBatch = { E_nu: new Float64Array(n), E_mu: new Float64Array(n), theta: new Float64Array(n) };
  if (b.channel) out.channel = new Uint8Array(n);
  if (b.weight) out.weight = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const j = idx[i]!;
    out.E_nu[i] = b.E_nu[j]!;
    out.E_mu[i] = b.E_mu[j]!;
    out.theta[i] = b.theta[j]!;
    if (out.channel) out.channel[i] = b.channel![j]!;
    if (out.weight) out.weight[i] = b.weight![j]!;
  }
  return out;
}

/** Concatenate batches that have the same optional columns (a copy). */
export function concatBatches(batches: readonly EventBatch[]): EventBatch {
  const n = batches.reduce((s, b) => s + batchLength(b), 0);
  const first = batches[0];
  const out: EventBatch = { E_nu: new Float64Array(n), E_mu: new Float64Array(n), theta: new Float64Array(n) };
  if (first?.channel) out.channel = new Uint8Array(n);
  if (first?.weight) out.weight = new Float64Array(n);
  let o = 0;
  for (const b of batches) {
    out.E_nu.set(b.E_nu, o);
    out.E_mu.set(b.E_mu, o);
    out.theta.set(b.theta, o);
    if (out.channel && b.channel) out.channel.set(b.channel, o);
    if (out.weight && b.weight) out.weight.set(b.weight, o);
    o += batchLength(b);
  }
  return out;
}

/** Throws (a bug, not bad input) when the columns of a batch differ in length. */
function checkBatchShape(b: EventBatch): void {
  const n = b.E_nu.length;
  if (b.E_mu.length !== n || b.theta.length !== n || (b.channel && b.channel.length !== n) || (b.weight && b.weight.length !== n)) {
    throw new Error('EventBatch columns have different lengths');
  }
}

type TableFormat = 'arrow' | 'csv' | 'hepmc3';

/** The file format of an event table path, from its extension. */
export function tableFormatOf(file: string): TableFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.arrow' || ext === '.feather' || ext === '.ipc') return 'arrow';
  if (ext === '.csv') return 'csv';
  if (ext === '.hepmc3' || ext === '.hepmc') return 'hepmc3';
  throw new InputError(`unknown event table extension '${ext}': expected .arrow, .csv or .hepmc3`, file);
}

/** Write a whole table at once (atomically). */
export async function writeEventTable(file: string, events: EventBatch, meta: EventMeta): Promise<void> {
  const w = await openEventWriter(file, meta);
  try {
    const n = batchLength(events);
    if (n === 0) await w.write(events);
    for (let i = 0; i < n; i += DEFAULT_BATCH) await w.write(sliceBatch(events, i, Math.min(n, i + DEFAULT_BATCH)));
    await w.close();
  } catch (e) {
    await w.abort();
    throw e;
  }
}

/** A streaming writer: batches go to a temporary file that becomes `path` on close. */
export interface EventWriter {
  write(batch: EventBatch): Promise<void>;
  /** Finish the file and rename it into place. */
  close(): Promise<{ count: number }>;
  /** Drop everything written so far; no file remains. */
  abort(): Promise<void>;
}

/** Open a streaming writer; the format follows the extension of `file`. */
export async function openEventWriter(file: string, meta: EventMeta): Promise<EventWriter> {
  const format = tableFormatOf(file);
  if (format === 'arrow') return openArrowWriter(file, meta);
  if (format === 'csv') return openCsvWriter(file);
  const { openNuHepMCWriter } = await import('./nuhepmc.ts');
  return openNuHepMCWriter(file, meta);
}

// ---------------------------------------------------------------------------------------- Arrow

function columnFields(hasChannel: boolean, hasWeight: boolean): Field[] {
  const unit = (u: string) => new Map([['unit', u]]);
  const fields: Field[] = [
    new Field('E_nu', new Float64(), false, unit('GeV')),
    new Field('E_mu', new Float64(), false, unit('GeV')),
    new Field('theta', new Float64(), false, unit('rad')),
  ];
  if (hasChannel) fields.push(new Field('channel', new Uint8(), false, new Map([['codes', CHANNELS.join(',')]])));
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
    return makeData({ type: f.type as DataType, length: n, nullCount: 0, data: values } as never);
  });
  const data = makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children });
  return new RecordBatch(schema, data);
}

async function openArrowWriter(file: string, meta: EventMeta): Promise<EventWriter> {
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
  if (ch) {
    const a = ch.toArray() as ArrayLike<number>;
    b.channel = a instanceof Uint8Array ? a : Uint8Array.from(a);
  }
  const w = f64('weight', false);
  if (w) b.weight = w;
  return b;
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

// ------------------------------------------------------------------------------------------ CSV

const CSV_HEADER = ['E_nu', 'E_mu', 'theta'];

async function openCsvWriter(file: string): Promise<EventWriter> {
  const tmp = tempSibling(file);
  const out = createWriteStream(tmp);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  let header: string[] | undefined;
  let count = 0;
  const put = (s: string) =>
    new Promise<void>((resolve, reject) => {
      if (out.write(s)) resolve();
      else {
        out.once('drain', resolve);
        failed.catch(reject);
      }
    });
  return {
    async write(b) {
      checkBatchShape(b);
      if (!header) {
        header = [...CSV_HEADER, ...(b.channel ? ['channel'] : []), ...(b.weight ? ['weight'] : [])];
        await put(header.join(',') + '\n');
      }
      const n = batchLength(b);
      const lines: string[] = [];
      for (let i = 0; i < n; i++) {
        let line = `${b.E_nu[i]},${b.E_mu[i]},${b.theta[i]}`;
        if (b.channel) line += `,${CHANNELS[b.channel[i]!] ?? b.channel[i]}`;
        if (b.weight) line += `,${b.weight[i]}`;
        lines.push(line);
        if (lines.length === 4096) {
          await put(lines.join('\n') + '\n');
          lines.length = 0;
        }
      }
      if (lines.length) await put(lines.join('\n') + '\n');
      count += n;
    },
    async close() {
      if (!header) await put(CSV_HEADER.join(',') + '\n');
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
      await commitTemp(tmp, file);
      return { count };
    },
    async abort() {
      out.destroy();
      await discardTemp(tmp);
    },
  };
}

// ----------------------------------------------------------------------------------------- Read

/** Read a whole table into memory. */
export async function readEventTable(file: string): Promise<{ events: EventBatch; meta: EventMeta }> {
  const parts: EventBatch[] = [];
  for await (const b of readEventBatches(file)) parts.push(b);
  const meta = await readEventMeta(file);
  const events = parts.length ? concatBatches(parts) : emptyBatch();
  const { count: _count, ...rest } = meta;
  return { events, meta: rest };
}

/** Stream a table in batches of at most `batchSize` events (the last may be shorter). */
export async function* readEventBatches(file: string, batchSize = DEFAULT_BATCH): AsyncGenerator<EventBatch> {
  const format = tableFormatOf(file);
  let source: AsyncIterable<EventBatch>;
  if (format === 'arrow') {
    source = (async function* () {
      for await (const { rb } of arrowBatches(file)) {
        const b = fromRecordBatch(rb, file);
        if (batchLength(b) > 0) yield b;
      }
    })();
  } else if (format === 'csv') {
    const { readTextEvents } = await import('./text.ts');
    source = readTextEvents(file, { unit: 'GeV', batchSize });
  } else {
    const { readNuHepMC } = await import('./nuhepmc.ts');
    source = readNuHepMC(file, { batchSize });
  }
  yield* rebatch(source, batchSize);
}

/** Re-cut a stream of batches into batches of exactly `size` events (the last may be shorter). */
export async function* rebatch(source: AsyncIterable<EventBatch>, size: number): AsyncGenerator<EventBatch> {
  if (!(size >= 1)) throw new Error(`batch size must be ≥ 1, got ${size}`);
  let pending: EventBatch[] = [];
  let pendingN = 0;
  for await (const b of source) {
    let off = 0;
    const n = batchLength(b);
    while (off < n) {
      const take = Math.min(size - pendingN, n - off);
      if (pendingN === 0 && take === size) {
        yield sliceBatch(b, off, off + take);
      } else {
        pending.push(sliceBatch(b, off, off + take));
        pendingN += take;
        if (pendingN === size) {
          yield concatBatches(pending);
          pending = [];
          pendingN = 0;
        }
      }
      off += take;
    }
  }
  if (pendingN > 0) yield concatBatches(pending);
}

/** Metadata and event count without reading the events (Arrow); other formats are counted. */
export async function readEventMeta(file: string): Promise<EventMeta & { count: number }> {
  const format = tableFormatOf(file);
  if (format === 'arrow') {
    const { reader, close } = await openArrowReader(file);
    try {
      const meta = parseNuganMeta(reader.schema, file);
      if (meta && typeof meta.count === 'number') return { ...meta, source: meta.source ?? file, count: meta.count };
      // A foreign Arrow file: count its rows.
      let count = 0;
      for await (const rb of reader) count += rb.numRows;
      return { source: file, ...(meta ?? {}), count };
    } finally {
      await close();
    }
  }
  let count = 0;
  for await (const b of readEventBatches(file)) count += batchLength(b);
  if (format === 'hepmc3') {
    const { readNuHepMCMeta } = await import('./nuhepmc.ts');
    return { ...(await readNuHepMCMeta(file)), count };
  }
  return { source: file, units: TABLE_UNITS, count };
}

/** Lines of a text file with their 1-based numbers, streamed. */
export async function* textLines(file: string): AsyncGenerator<{ line: string; no: number }> {
  let stream;
  try {
    stream = createReadStream(file, { encoding: 'utf8' });
    await new Promise<void>((resolve, reject) => {
      stream!.once('open', () => resolve());
      stream!.once('error', reject);
    });
  } catch (e) {
    throw new InputError(`cannot open: ${(e as Error).message}`, file);
  }
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let no = 0;
  try {
    for await (const line of rl) {
      no++;
      yield { line, no };
    }
  } finally {
    rl.close();
    stream.destroy();
  }
}
