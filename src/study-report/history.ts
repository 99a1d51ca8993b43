/**
 * Reads a training history (the train stage's history.json) defensively: the report must not break on
 * a format change, so several shapes are accepted and anything unrecognised yields `undefined`.
 *
 * Accepted: `{ epochs: [{ epoch, <loss fields>, <val MAP field> }, …], chosen_epoch? | best_epoch? }`,
 * a bare array of such records, or columns `{ epoch: [...], loss_g: [...], val_map: [...] }`.
 * A field whose name contains "map" (any case) is the validation MAP; other numeric fields whose name
 * contains "loss" (or is g/d/gen/disc) are losses; `events_seen` and per-epoch `monitor` lists
 * ({ label, map }) give the monitor curves; everything else is ignored.
 */
import type { TrainingCurves } from '../plot/charts.ts';

type Row = Record<string, unknown>;

const CHOSEN_KEYS = ['chosen_epoch', 'chosenEpoch', 'best_epoch', 'bestEpoch', 'selected_epoch', 'epoch_selected'];

function isRecord(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function rowsOf(raw: unknown): Row[] | undefined {
  if (Array.isArray(raw)) return raw.filter(isRecord);
  if (!isRecord(raw)) return undefined;
  for (const key of ['epochs', 'history', 'records']) {
    const v = raw[key];
    if (Array.isArray(v) && v.some(isRecord)) return v.filter(isRecord);
  }
  // Columnar: every array of numbers is a column.
  const cols = Object.entries(raw).filter(([, v]) => Array.isArray(v) && v.every((x) => typeof x === 'number' || x === null)) as [string, number[]][];
  if (!cols.length) return undefined;
  const n = Math.max(...cols.map(([, v]) => v.length));
  return Array.from({ length: n }, (_, i) => Object.fromEntries(cols.map(([k, v]) => [k, v[i]])));
}

function isLossKey(k: string): boolean {
  const s = k.toLowerCase();
  return s.includes('loss') || ['g', 'd', 'gen', 'disc', 'generator', 'discriminator'].includes(s);
}

/** Training curves of a history document, or undefined when it has no per-epoch numbers. */
export function normalizeHistory(raw: unknown): TrainingCurves | undefined {
  const rows = rowsOf(raw);
  if (!rows || rows.length === 0) return undefined;
  const epochs = rows.map((r, i) => (typeof r.epoch === 'number' ? r.epoch : i + 1));
  const keys = new Set<string>();
  for (const r of rows) for (const [k, v] of Object.entries(r)) if (typeof v === 'number' && k !== 'epoch') keys.add(k);
  const series = (k: string) => rows.map((r) => (typeof r[k] === 'number' ? (r[k] as number) : Number.NaN));
  const losses: Record<string, number[]> = {};
  let valMap: number[] | undefined;
  for (const k of keys) {
    if (k.toLowerCase().includes('map')) valMap ??= series(k);
    else if (isLossKey(k)) losses[k] = series(k);
  }
  if (!valMap && Object.keys(losses).length === 0) return undefined;
  let chosenEpoch: number | undefined;
  if (isRecord(raw)) {
    for (const k of CHOSEN_KEYS) if (typeof raw[k] === 'number') { chosenEpoch = raw[k] as number; break; }
  }
  if (chosenEpoch === undefined && valMap) {
    // No recorded choice: mark the epoch of lowest validation MAP (how the study picks its model).
    let best = Number.POSITIVE_INFINITY;
    valMap.forEach((v, i) => { if (v < best) { best = v; chosenEpoch = epochs[i]; } });
  }
  const eventsSeen = keys.has('events_seen') ? series('events_seen') : undefined;
  const monitors = monitorSeries(rows);
  return {
    epochs,
    losses,
    ...(valMap ? { valMap } : {}),
    ...(chosenEpoch !== undefined ? { chosenEpoch } : {}),
    ...(eventsSeen && monitors.length ? { eventsSeen, monitors } : {}),
  };
}

/** Per-monitor MAP series from the rows' `monitor: [{ label, map }, …]` lists (NaN where an epoch lacks one). */
function monitorSeries(rows: Row[]): { label: string; map: number[] }[] {
  const byLabel = new Map<string, number[]>();
  rows.forEach((r, i) => {
    if (!Array.isArray(r.monitor)) return;
    for (const m of r.monitor) {
      if (!isRecord(m) || typeof m.label !== 'string' || typeof m.map !== 'number') continue;
      let series = byLabel.get(m.label);
      if (!series) byLabel.set(m.label, (series = new Array<number>(rows.length).fill(Number.NaN)));
      series[i] = m.map;
    }
  });
  return [...byLabel].map(([label, map]) => ({ label, map }));
}
