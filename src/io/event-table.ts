/**
 * Event tables on disk: reads and writes a sample of CC muon events (src/io/event-batch.ts) in the
 * format its file extension names (docs/formats.md §2). This module only dispatches; each format lives in its
 * own module, none of which imports this one:
 * - `.arrow` (also `.feather`, `.ipc`): Apache Arrow IPC, streamed in record batches — src/io/arrow.ts.
 * - `.csv`: a header line naming the columns with their units (`E_nu[GeV],E_mu[GeV],theta[rad]`), then
 *   one event per line, channel by name, every number written as a float (`1.0`, never `1`). Readable
 *   by any CSV tool; metadata other than the columns is not kept — src/io/text.ts.
 * - `.hepmc3`: NuHepMC (HepMC3 ASCII) — src/io/nuhepmc.ts.
 *
 * Events with omega = E_nu − E_mu < 9.8 MeV are physical and are KEPT in every table; the proxy
 * domain is a property of the model, not of the data. `proxyDomainMask` / `countOutsideProxyDomain`
 * (src/physics/kinematics.ts) let train/evaluate drop and report them.
 */
import { statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../util/errors.ts';
import { openArrowWriter, readArrowBatches, readArrowMeta } from './arrow.ts';
import {
  DEFAULT_BATCH,
  TABLE_UNITS,
  batchLength,
  concatBatches,
  rebatch,
  sliceBatch,
  type EventBatch,
  type EventMeta,
  type EventWriter,
} from './event-batch.ts';
import { openNuHepMCWriter, readNuHepMC, readNuHepMCMeta } from './nuhepmc.ts';
import { openCsvWriter, readTextEvents } from './text.ts';

type TableFormat = 'arrow' | 'csv' | 'hepmc3';

/** The file format of an event table path, from its extension. */
export function tableFormatOf(file: string): TableFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.arrow' || ext === '.feather' || ext === '.ipc') return 'arrow';
  if (ext === '.csv') return 'csv';
  if (ext === '.hepmc3' || ext === '.hepmc') return 'hepmc3';
  throw new InputError(`unknown event table extension '${ext}': expected .arrow, .csv or .hepmc3`, file);
}

/**
 * Fewest bytes an event takes in each format (measured on simulated tables: Arrow 25, CSV 60,
 * NuHepMC 429 bytes per event), rounded down: an estimate that never overstates.
 */
const MIN_BYTES_PER_EVENT: Record<TableFormat, number> = { arrow: 24, csv: 50, hepmc3: 400 };

/**
 * Refuses, before anything is computed, a table of `events` events that cannot fit on the filesystem
 * of `file` (`events: 1e12` would otherwise run for days and then fail, or fill the disk): the error
 * gives the estimated size and the free space. A directory that does not exist is reported too.
 */
export function checkRoomForTable(file: string, events: number): void {
  const dir = path.dirname(path.resolve(file));
  checkDirectoryOf(file);
  let free: number;
  try {
    const st = statfsSync(dir);
    free = st.bavail * st.bsize;
  } catch {
    return; // no statfs here: nothing to estimate against
  }
  const need = events * MIN_BYTES_PER_EVENT[tableFormatOf(file)];
  if (need > free) {
    throw new InputError(`${events.toExponential(2)} events would take at least ${formatBytes(need)} as a ${path.extname(file)} table, but only ${formatBytes(free)} are free there; ask for fewer events`, file);
  }
}

/** An output's directory must exist: writing into a missing one would end in ENOENT on a hidden temporary name. */
function checkDirectoryOf(file: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new InputError(`cannot write here: the directory ${dir} does not exist; create it first`, file);
}

function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
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

/** Open a streaming writer; the format follows the extension of `file`. */
export async function openEventWriter(file: string, meta: EventMeta): Promise<EventWriter> {
  const format = tableFormatOf(file);
  checkDirectoryOf(file);
  if (format === 'arrow') return openArrowWriter(file, meta);
  if (format === 'csv') return openCsvWriter(file);
  return openNuHepMCWriter(file, meta);
}

/** Read a whole table into memory; a table without events is an InputError (train and evaluate need events). */
export async function readEventTable(file: string): Promise<{ events: EventBatch; meta: EventMeta }> {
  const parts: EventBatch[] = [];
  for await (const b of readEventBatches(file)) parts.push(b);
  if (parts.length === 0) throw new InputError('holds no events (an event table needs at least one event)', file);
  const meta = await readEventMeta(file);
  const events = concatBatches(parts);
  const { count: _count, ...rest } = meta;
  return { events, meta: rest };
}

/** Stream a table in batches of at most `batchSize` events (the last may be shorter). */
export async function* readEventBatches(file: string, batchSize = DEFAULT_BATCH): AsyncGenerator<EventBatch> {
  const format = tableFormatOf(file);
  const source =
    format === 'arrow' ? readArrowBatches(file)
    : format === 'csv' ? readTextEvents(file, { batchSize })
    : readNuHepMC(file, { batchSize });
  yield* rebatch(source, batchSize);
}

/** Metadata and event count without reading the events (Arrow); other formats are counted. */
export async function readEventMeta(file: string): Promise<EventMeta & { count: number }> {
  const format = tableFormatOf(file);
  if (format === 'arrow') return readArrowMeta(file);
  let count = 0;
  for await (const b of readEventBatches(file)) count += batchLength(b);
  if (format === 'hepmc3') return { ...(await readNuHepMCMeta(file)), count };
  return { source: file, units: TABLE_UNITS, count };
}
