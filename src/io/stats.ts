/**
 * Streaming summary of an event table (or any ingestible file): count, columns, min/max/mean per
 * column, channel counts and the number of events outside the proxy domain. Backs `nugan inspect`.
 */
import { countOutsideProxyDomain } from '../physics/kinematics.ts';
import { detectFormat } from './detect.ts';
import { CHANNELS, batchLength, type EventMeta } from './event-batch.ts';
import { readEventMeta } from './event-table.ts';
import { readInput } from './ingest.ts';

export interface ColumnStats {
  min: number;
  max: number;
  mean: number;
}

export interface TableSummary {
  events: number;
  columns: string[];
  stats: Record<string, ColumnStats>;
  /** Events per channel name (only when the table has a channel column). */
  channels?: Record<string, number>;
  /** Events with omega < 9.8 MeV or E_mu < m_mu (outside the proxy domain, docs/formats.md §4). */
  outside_proxy_domain: number;
  meta?: EventMeta;
}

/** Summarise `file` in one streaming pass. Empty columns report NaN min/max/mean (JSON: null). */
export async function summariseTable(file: string): Promise<TableSummary> {
  const format = await detectFormat(file);
  const acc = new Map<string, { min: number; max: number; sum: number }>();
  let columns: string[] = ['E_nu', 'E_mu', 'theta'];
  let channels: number[] | undefined;
  let events = 0;
  let outside = 0;
  const stats = { read: 0, kept: 0, dropped: {} };
  for await (const b of readInput(file, format, stats)) {
    if (events === 0) {
      columns = ['E_nu', 'E_mu', 'theta', ...(b.channel ? ['channel'] : []), ...(b.weight ? ['weight'] : [])];
    }
    for (const name of ['E_nu', 'E_mu', 'theta', 'weight'] as const) {
      const col = b[name];
      if (!col) continue;
      let a = acc.get(name);
      if (!a) acc.set(name, (a = { min: Infinity, max: -Infinity, sum: 0 }));
      for (let i = 0; i < col.length; i++) {
        const v = col[i]!;
        if (v < a.min) a.min = v;
        if (v > a.max) a.max = v;
        a.sum += v;
      }
    }
    if (b.channel) {
      channels ??= new Array<number>(CHANNELS.length + 1).fill(0);
      for (let i = 0; i < b.channel.length; i++) channels[Math.min(b.channel[i]!, CHANNELS.length)]!++;
    }
    outside += countOutsideProxyDomain(b.E_nu, b.E_mu);
    events += batchLength(b);
  }
  const out: TableSummary = { events, columns, stats: {}, outside_proxy_domain: outside };
  for (const name of ['E_nu', 'E_mu', 'theta', 'weight']) {
    const a = acc.get(name);
    if (a) out.stats[name] = { min: a.min, max: a.max, mean: a.sum / events };
    else if (name !== 'weight') out.stats[name] = { min: NaN, max: NaN, mean: NaN };
  }
  if (channels) {
    out.channels = {};
    CHANNELS.forEach((c, i) => (out.channels![c] = channels![i]!));
    if (channels[CHANNELS.length]) out.channels.unknown = channels[CHANNELS.length]!;
  }
  if (format === 'arrow') {
    const { count: _c, ...meta } = await readEventMeta(file);
    out.meta = meta;
  }
  return out;
}
