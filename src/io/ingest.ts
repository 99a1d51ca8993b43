/**
 * Ingestion: any supported input (NuWro ROOT, delimited text, NUANCE .kin, NuHepMC, Arrow) → one
 * event table, streamed. Used by the `ingest` stage kind and by `nugan ingest`.
 */
import path from 'node:path';
import { InputError } from '../util/errors.ts';
import { E_MAX, E_MIN } from '../physics/constants.ts';
import { countOutsideProxyDomain, countOutsideProxyEnergyRange } from '../physics/kinematics.ts';
import { detectFormat, INGEST_FORMATS, type IngestFormat } from './detect.ts';
import { batchLength, type EventBatch, type EventMeta } from './event-batch.ts';
import { openEventWriter, readEventBatches } from './event-table.ts';
import { readNuance } from './nuance.ts';
import { readNuHepMC } from './nuhepmc.ts';
import { readNuWroRoot, type ReadStats } from './nuwro-root.ts';
import { readTextEvents, type EnergyUnit } from './text.ts';
import { unreachable } from '../util/unreachable.ts';

export { INGEST_FORMATS, type IngestFormat } from './detect.ts';

export interface IngestOptions {
  /** Input format; `auto` (default) recognises each file from its content. */
  format?: 'auto' | IngestFormat;
  /** Energy unit of text tables that do not state one. */
  unit?: EnergyUnit;
  /** Domain name recorded in the table metadata (docs/reference-generator.md §5). */
  domain?: string;
  seed?: number;
  signal?: AbortSignal;
  /** Called with the number of events kept after each batch. */
  onBatch?(kept: number): void;
  batchSize?: number;
}

export interface FileSummary extends ReadStats {
  file: string;
  format: IngestFormat;
}

export interface IngestSummary {
  /** Events written. */
  count: number;
  /** Entries read, kept and dropped per reason, over all files. */
  read: number;
  kept: number;
  dropped: Record<string, number>;
  /** Kept events with omega < 9.8 MeV (outside the proxy domain, docs/formats.md §4): kept in the table. */
  outside_proxy_domain: number;
  /**
   * Kept events with E_nu outside the proxy energy range [0.3, 10] GeV (E'_nu outside [−1, 1]): kept
   * in the table, but a model trained on the table extrapolates there. `ingest` warns about them.
   */
  outside_energy_range: number;
  files: FileSummary[];
}

/** The warning `ingest` prints (CLI) or logs (stage) when events lie outside the proxy energy range. */
export function energyRangeWarning(n: number): string {
  return `warning: ${n} event${n === 1 ? '' : 's'} with E_nu outside the proxy energy range ${E_MIN}–${E_MAX} GeV (kept in the table; a model conditioned on E'_nu extrapolates there)`;
}

/**
 * Stream the events of one input file of a known format, filling `stats`. A file that holds no events
 * at all is an InputError: nothing can be learned from or compared with it, and an empty file among
 * many is usually a failed generator job.
 */
export async function* readInput(file: string, format: IngestFormat, stats: ReadStats, opts: { unit?: EnergyUnit; batchSize?: number } = {}): AsyncGenerator<EventBatch> {
  yield* formatReader(file, format, stats, opts);
  if (stats.read === 0) throw new InputError('holds no events (an event table needs at least one event)', file);
}

function formatReader(file: string, format: IngestFormat, stats: ReadStats, opts: { unit?: EnergyUnit; batchSize?: number }): AsyncGenerator<EventBatch> {
  switch (format) {
    case 'nuwro-root':
      return readNuWroRoot([file], { stats, batchSize: opts.batchSize });
    case 'nuhepmc':
      return readNuHepMC(file, { stats, batchSize: opts.batchSize });
    case 'nuance':
      return readNuance(file, { stats, batchSize: opts.batchSize });
    case 'csv':
      return counted(readTextEvents(file, { unit: opts.unit, batchSize: opts.batchSize }), stats);
    case 'arrow':
      return counted(readEventBatches(file, opts.batchSize), stats);
    default:
      unreachable(format);
  }
}

/** Table formats have no event selection: everything read is kept. */
async function* counted(source: AsyncIterable<EventBatch>, stats: ReadStats): AsyncGenerator<EventBatch> {
  for await (const b of source) {
    stats.read += batchLength(b);
    stats.kept += batchLength(b);
    yield b;
  }
}

/**
 * Read every input file (in order) into one event table at `out` (format by extension). On any
 * error the output is not created and the error is rethrown (InputError for bad input).
 */
export async function ingestFiles(files: readonly string[], out: string, opts: IngestOptions = {}): Promise<IngestSummary> {
  if (files.length === 0) throw new InputError('no input files given');
  const format = opts.format ?? 'auto';
  if (format !== 'auto' && !(INGEST_FORMATS as readonly string[]).includes(format)) {
    throw new InputError(`unknown format '${String(format)}': expected auto, ${INGEST_FORMATS.join(', ')}`);
  }
  const formats: IngestFormat[] = [];
  for (const f of files) formats.push(format === 'auto' ? await detectFormat(f) : format);
  const meta: EventMeta = {
    source: files.map((f) => path.basename(f)).join(', '),
    format: [...new Set(formats)].join(', '),
  };
  if (opts.domain !== undefined) meta.domain = opts.domain;
  if (opts.seed !== undefined) meta.seed = opts.seed;
  const writer = await openEventWriter(out, meta);
  const summary: IngestSummary = { count: 0, read: 0, kept: 0, dropped: {}, outside_proxy_domain: 0, outside_energy_range: 0, files: [] };
  let columns: string | undefined;
  try {
    for (let i = 0; i < files.length; i++) {
      const file = files[i]!;
      const stats: FileSummary = { file, format: formats[i]!, read: 0, kept: 0, dropped: {} };
      for await (const b of readInput(file, formats[i]!, stats, { unit: opts.unit, batchSize: opts.batchSize })) {
        if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
        const cols = `${b.channel ? 'channel ' : ''}${b.weight ? 'weight' : ''}`;
        if (columns === undefined) columns = cols;
        else if (cols !== columns) {
          throw new InputError(`has columns [${cols || 'none'}] beyond E_nu, E_mu, theta; earlier input had [${columns || 'none'}]: files of one table must agree`, file);
        }
        summary.outside_proxy_domain += countOutsideProxyDomain(b.E_nu, b.E_mu);
        summary.outside_energy_range += countOutsideProxyEnergyRange(b.E_nu);
        await writer.write(b);
        opts.onBatch?.(batchLength(b));
      }
      summary.files.push(stats);
      summary.read += stats.read;
      summary.kept += stats.kept;
      for (const [k, v] of Object.entries(stats.dropped)) summary.dropped[k] = (summary.dropped[k] ?? 0) + v;
    }
    // The Arrow writer serialises `meta` again into the file footer on close, so the counts land in
    // the table's metadata too.
    meta.ingest = {
      read: summary.read,
      kept: summary.kept,
      dropped: summary.dropped,
      outside_proxy_domain: summary.outside_proxy_domain,
      outside_energy_range: summary.outside_energy_range,
    };
    summary.count = (await writer.close()).count;
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return summary;
}
