/**
 * Delimited text tables (CSV, TSV, whitespace-separated) of muon events: the reader of every such
 * table, and the writer of nugan's own `.csv` tables.
 *
 * The first non-comment line is a header naming the columns. Recognised names (case-insensitive):
 *   E_nu | Enu            neutrino energy
 *   E_mu | Emu            total muon energy
 *   T_mu | Tmu            muon kinetic energy (E_mu = T_mu + m_mu)
 *   theta | theta_mu      muon angle to the beam
 *   cos_theta | costheta  cosine of that angle
 *   channel | weight      optional (channel as QE/MEC/RES/DIS/COH or code 0–4)
 * Other columns are ignored. Units are stated in the header (`E_nu[MeV]`, `E_nu (GeV)`, `E_nu_MeV`,
 * `theta[deg]`), in a comment line before it (`# unit: MeV`), or by the caller (`unit` option, e.g.
 * `--unit MeV`); a unit stated in the header wins. Without any statement energies are GeV and angles
 * radians, the units of nugan's own `.csv` tables (docs/formats.md §2); a table without a stated unit
 * whose E_nu exceeds 100 GeV is rejected as probably MeV (UNSTATED_UNIT_E_NU_LIMIT, src/io/rows.ts). A stated unit
 * other than GeV/MeV (energy) or rad/deg (angle) is rejected. Numbers are decimal (`1.5`, `-2e-3`):
 * `0x10` or `Infinity` is not a number.
 */
import { M_MU } from '../physics/constants.ts';
import { createAtomicWriteStream } from '../util/atomic.ts';
import { InputError } from '../util/errors.ts';
import { unreachable } from '../util/unreachable.ts';
import { CHANNELS, DEFAULT_BATCH, batchLength, checkBatchShape, type EventBatch, type EventWriter } from './event-batch.ts';
import { BatchBuilder, eventProblem, parseChannel, probablyMeV } from './rows.ts';
import { textLines } from './text-lines.ts';

export type EnergyUnit = 'GeV' | 'MeV';

export interface TextReadOptions {
  /** Energy unit when the file does not state one. */
  unit?: EnergyUnit;
  batchSize?: number;
}

type Quantity = 'E_nu' | 'E_mu' | 'T_mu' | 'theta' | 'cos_theta' | 'channel' | 'weight';

const ALIASES: Record<string, Quantity> = {
  e_nu: 'E_nu', enu: 'E_nu', e_neutrino: 'E_nu',
  e_mu: 'E_mu', emu: 'E_mu', e_lep: 'E_mu', elep: 'E_mu',
  t_mu: 'T_mu', tmu: 'T_mu',
  theta: 'theta', theta_mu: 'theta', thetamu: 'theta',
  cos_theta: 'cos_theta', costheta: 'cos_theta', cos_theta_mu: 'cos_theta', costhetamu: 'cos_theta', costh: 'cos_theta',
  channel: 'channel', mode: 'channel',
  weight: 'weight', w: 'weight',
};

/** Divisors to GeV (division by 1000 rounds correctly; see src/io/units.ts). */
const ENERGY_UNITS: Record<string, number> = { gev: 1, mev: 1000 };
/** Divisors to rad. */
const ANGLE_UNITS: Record<string, number> = { rad: 1, deg: 180 / Math.PI };

interface Column {
  index: number;
  quantity: Quantity;
  /** Divisor to GeV or rad; undefined: take the default. */
  factor?: number;
}

/** Split a header cell into name and stated unit: `E_nu[MeV]`, `E_nu (MeV)`, `E_nu/MeV`, `E_nu_MeV`. */
function splitUnit(cell: string): { name: string; unit?: string } {
  const m = /^(.*?)\s*(?:\[([^\]]*)\]|\(([^)]*)\)|\/\s*(\w+))\s*$/.exec(cell);
  if (m) return { name: m[1]!.trim(), unit: (m[2] ?? m[3] ?? m[4] ?? '').trim() };
  const s = /^(.*)_(gev|mev|kev|tev|ev|rad|deg)$/i.exec(cell.trim());
  if (s && ALIASES[s[1]!.toLowerCase()]) return { name: s[1]!, unit: s[2]! };
  return { name: cell.trim() };
}

type Splitter = (line: string) => string[];

function splitterFor(header: string): Splitter {
  if (header.includes(',')) return (l) => l.split(',').map((s) => s.trim());
  if (header.includes('\t')) return (l) => l.split('\t').map((s) => s.trim());
  return (l) => l.trim().split(/\s+/);
}

/** A decimal number as tables write it: sign, digits, point, exponent. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parse a number strictly: empty, partly numeric or non-decimal text (`0x10`, `0b1`, `Infinity`,
 * which JavaScript's Number() would accept) is NaN, which the caller reports.
 */
function num(text: string | undefined): number {
  if (text === undefined || !DECIMAL.test(text)) return Number.NaN;
  return Number(text);
}

/**
 * Stream the events of a delimited text table. Every malformed row is an InputError naming the file,
 * the line and the column.
 */
export async function* readTextEvents(file: string, opts: TextReadOptions = {}): AsyncGenerator<EventBatch> {
  let commentUnit: string | undefined;
  let columns: Column[] | undefined;
  let split: Splitter = (l) => l.split(',');
  let width = 0;
  let builder: BatchBuilder | undefined;
  let energyFactor = 1;
  /** Whether anything (header cell, comment line, caller) says what unit E_nu is in. */
  let E_nuUnitStated = opts.unit !== undefined;
  const defaultEnergy = opts.unit ?? 'GeV';
  if (!(defaultEnergy in { GeV: 1, MeV: 1 })) throw new InputError(`unknown energy unit '${String(defaultEnergy)}': expected GeV or MeV`, file);
  for await (const { line, no } of textLines(file)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      const m = /^#\s*(?:energy[_ ]?)?units?\s*[:=]\s*(\S+)/i.exec(trimmed);
      if (m && !columns) {
        commentUnit = m[1]!;
        if (!(commentUnit.toLowerCase() in ENERGY_UNITS)) {
          throw new InputError(`unknown energy unit '${commentUnit}': expected GeV or MeV`, file, { line: no });
        }
      }
      continue;
    }
    const cells = (columns ? split : splitterFor(trimmed))(trimmed);
    if (!columns) {
      split = splitterFor(trimmed);
      width = cells.length;
      energyFactor = ENERGY_UNITS[(commentUnit ?? defaultEnergy).toLowerCase()]!;
      if (commentUnit !== undefined) E_nuUnitStated = true;
      columns = [];
      const seen = new Set<Quantity>();
      cells.forEach((cell, index) => {
        const { name, unit } = splitUnit(cell);
        const quantity = ALIASES[name.toLowerCase()];
        if (!quantity) return;
        if (seen.has(quantity)) throw new InputError(`column '${quantity}' appears twice in the header`, file, { line: no, column: cell });
        seen.add(quantity);
        let factor: number | undefined;
        if (unit !== undefined) {
          const isEnergy = quantity === 'E_nu' || quantity === 'E_mu' || quantity === 'T_mu';
          const isAngle = quantity === 'theta';
          const table = isEnergy ? ENERGY_UNITS : isAngle ? ANGLE_UNITS : undefined;
          if (!table || !(unit.toLowerCase() in table)) {
            const expected = isEnergy ? 'GeV or MeV' : isAngle ? 'rad or deg' : 'no unit';
            throw new InputError(`unknown unit '${unit}' for column ${name}: expected ${expected}`, file, { line: no, column: cell });
          }
          factor = table[unit.toLowerCase()];
        }
        if (quantity === 'E_nu' && unit !== undefined) E_nuUnitStated = true;
        columns!.push({ index, quantity, factor });
      });
      const need = (q: Quantity[], what: string) => {
        if (!q.some((x) => seen.has(x))) {
          throw new InputError(`header names no ${what} column (expected one of ${q.join(', ')}; found ${cells.join(', ')})`, file, { line: no });
        }
      };
      need(['E_nu'], 'neutrino energy');
      need(['E_mu', 'T_mu'], 'muon energy');
      need(['theta', 'cos_theta'], 'muon angle');
      builder = new BatchBuilder(seen.has('channel'), seen.has('weight'), opts.batchSize ?? DEFAULT_BATCH);
      continue;
    }
    if (cells.length !== width) {
      throw new InputError(`expected ${width} fields, found ${cells.length}`, file, { line: no });
    }
    let E_nu = 0, E_mu = 0, theta = 0, channel = 0, weight = 1;
    for (const c of columns) {
      const text = cells[c.index];
      if (c.quantity === 'channel') {
        const k = parseChannel(text ?? '');
        if (k === undefined) throw new InputError(`channel '${text}' is not one of QE, MEC, RES, DIS, COH or 0–4`, file, { line: no, column: 'channel' });
        channel = k;
        continue;
      }
      const v = num(text);
      if (!Number.isFinite(v)) {
        throw new InputError(`field '${text ?? ''}' is not a number`, file, { line: no, column: c.quantity });
      }
      switch (c.quantity) {
        case 'E_nu': E_nu = v / (c.factor ?? energyFactor); break;
        case 'E_mu': E_mu = v / (c.factor ?? energyFactor); break;
        case 'T_mu': E_mu = v / (c.factor ?? energyFactor) + M_MU; break;
        case 'theta': theta = c.factor === undefined || c.factor === 1 ? v : (v * Math.PI) / 180; break;
        case 'cos_theta':
          if (v < -1 || v > 1) throw new InputError(`cos(theta) = ${v} outside [-1, 1]`, file, { line: no, column: c.quantity });
          theta = Math.acos(v);
          break;
        case 'weight': weight = v; break;
        default:
          unreachable(c.quantity);
      }
    }
    const mev = E_nuUnitStated ? undefined : probablyMeV(E_nu, `a header cell E_nu[MeV] (or E_nu[GeV]), a line '# unit: MeV' before the header, or --unit MeV`);
    if (mev) throw new InputError(mev, file, { line: no, column: 'E_nu' });
    const problem = eventProblem(E_nu, E_mu, theta);
    if (problem) throw new InputError(problem, file, { line: no });
    builder!.push(E_nu, E_mu, theta, channel, weight);
    if (builder!.full) yield builder!.take();
  }
  if (!columns) throw new InputError('no header line naming the columns (E_nu, E_mu, theta)', file);
  if (builder!.length > 0) yield builder!.take();
}

/** Header cells of nugan's CSV tables: names with units (the reader also accepts names without). */
const CSV_HEADER = ['E_nu[GeV]', 'E_mu[GeV]', 'theta[rad]'];

/**
 * A number as CSV text that every reader takes for a float: shortest round-trip form, with `.0` added
 * to integral values (`1` → `1.0`, so pandas infers float64 for a column of fixed E_nu). Exponent forms
 * (`1e-7`) are already floats to pandas and numpy; -0 keeps its sign.
 */
export function csvFloat(v: number): string {
  if (Object.is(v, -0)) return '-0.0';
  const s = String(v);
  return /^-?\d+$/.test(s) ? `${s}.0` : s;
}

/**
 * A streaming writer of nugan's own `.csv` tables: a header line naming the columns with their units
 * (`E_nu[GeV],E_mu[GeV],theta[rad]`), then one event per line, channel by name, every number written as
 * a float (atomic: a temporary sibling renamed on close).
 */
export async function openCsvWriter(file: string): Promise<EventWriter> {
  const out = createAtomicWriteStream(file);
  let header: string[] | undefined;
  let count = 0;
  return {
    async write(b) {
      checkBatchShape(b);
      if (!header) {
        header = [...CSV_HEADER, ...(b.channel ? ['channel'] : []), ...(b.weight ? ['weight'] : [])];
        await out.write(header.join(',') + '\n');
      }
      const n = batchLength(b);
      const lines: string[] = [];
      for (let i = 0; i < n; i++) {
        let line = `${csvFloat(b.E_nu[i]!)},${csvFloat(b.E_mu[i]!)},${csvFloat(b.theta[i]!)}`;
        if (b.channel) line += `,${CHANNELS[b.channel[i]!] ?? b.channel[i]}`;
        if (b.weight) line += `,${csvFloat(b.weight[i]!)}`;
        lines.push(line);
        if (lines.length === 4096) {
          await out.write(lines.join('\n') + '\n');
          lines.length = 0;
        }
      }
      if (lines.length) await out.write(lines.join('\n') + '\n');
      count += n;
    },
    async close() {
      if (!header) await out.write(CSV_HEADER.join(',') + '\n');
      await out.commit();
      return { count };
    },
    abort: () => out.discard(),
  };
}
