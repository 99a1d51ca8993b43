/**
 * NUANCE `.kin` text events, the format NuWro's `nuwro2nuance` writes (also read by Super-K/T2K
 * detector simulations). One event:
 *   $ begin
 *   $ nuance <reaction code>
 *   $ vertex x y z t
 *   $ track <pdg> <E MeV> <dcos x> <dcos y> <dcos z> <status>     (status −1: initial state, 0: final)
 *   …
 *   $ end
 * and the file ends with `$ stop`. Energies are total energies in MeV; directions are unit vectors.
 * Kept: events whose first initial-state track is a muon (anti)neutrino and that have a final-state
 * muon of the matching charge; theta is the angle between the two directions. The NUANCE reaction
 * codes have no MEC code, so no channel column is derived from them.
 */
import { InputError } from '../util/errors.ts';
import { angleBetween } from '../physics/kinematics.ts';
import { DEFAULT_BATCH, type EventBatch } from './event-batch.ts';
import { textLines } from './text-lines.ts';
import type { ReadStats } from './nuwro-root.ts';
import { BatchBuilder, eventProblem } from './rows.ts';
import { gevFromMeV } from './units.ts';

export interface NuanceReadOptions {
  batchSize?: number;
  stats?: ReadStats;
}

interface Track {
  pdg: number;
  E_MeV: number;
  dx: number;
  dy: number;
  dz: number;
  status: number;
}

/** Stream the CC muon events of a NUANCE `.kin` file; malformed lines are InputErrors with the line. */
export async function* readNuance(file: string, opts: NuanceReadOptions = {}): AsyncGenerator<EventBatch> {
  const stats = opts.stats ?? { read: 0, kept: 0, dropped: {} };
  const builder = new BatchBuilder(false, false, opts.batchSize ?? DEFAULT_BATCH);
  let tracks: Track[] | undefined;
  let beginLine = 0;
  let sawAny = false;
  let stopped = false;
  const drop = (reason: string) => (stats.dropped[reason] = (stats.dropped[reason] ?? 0) + 1);
  for await (const { line, no } of textLines(file)) {
    const t = line.trim();
    if (t === '') continue;
    const f = t.split(/\s+/);
    if (f[0] !== '$') throw new InputError(`expected a line starting with '$', found '${t.slice(0, 40)}'`, file, { line: no });
    if (stopped) throw new InputError(`data after '$ stop'`, file, { line: no });
    const bad = (what: string): never => {
      throw new InputError(what, file, { line: no });
    };
    switch (f[1]) {
      case 'begin':
        if (tracks) bad(`'$ begin' inside the event that began on line ${beginLine} (missing '$ end')`);
        tracks = [];
        beginLine = no;
        sawAny = true;
        break;
      case 'track': {
        if (!tracks) bad(`'$ track' outside an event`);
        if (f.length < 8) bad(`expected '$ track pdg E dcosx dcosy dcosz status' (8 fields), found ${f.length}`);
        const v = f.slice(2, 8).map(Number);
        if (v.some((x) => !Number.isFinite(x)) || f.slice(2, 8).some((x) => x === '')) bad(`non-numeric field in '$ track' line`);
        tracks!.push({ pdg: v[0]!, E_MeV: v[1]!, dx: v[2]!, dy: v[3]!, dz: v[4]!, status: v[5]! });
        break;
      }
      case 'end': {
        if (!tracks) bad(`'$ end' without '$ begin'`);
        stats.read++;
        const nu = tracks!.find((x) => x.status === -1);
        const ev = tracks!;
        tracks = undefined;
        if (!nu || Math.abs(nu.pdg) !== 14) {
          drop('other flavour (no nu_mu/anti-nu_mu initial state)');
          break;
        }
        const mu = ev.find((x) => x.status === 0 && x.pdg === (nu.pdg > 0 ? 13 : -13));
        if (!mu) {
          drop('no final-state muon (NC or other)');
          break;
        }
        const E_nu = gevFromMeV(nu.E_MeV);
        const E_mu = gevFromMeV(mu.E_MeV);
        const theta = angleBetween(mu.dx, mu.dy, mu.dz, nu.dx, nu.dy, nu.dz);
        const problem = eventProblem(E_nu, E_mu, theta);
        if (problem) throw new InputError(problem, file, { line: beginLine });
        builder.push(E_nu, E_mu, theta);
        stats.kept++;
        if (builder.full) yield builder.take();
        break;
      }
      case 'stop':
        if (tracks) bad(`'$ stop' inside the event that began on line ${beginLine}`);
        stopped = true;
        break;
      case 'nuance':
      case 'vertex':
      case 'info':
        if (!tracks) bad(`'$ ${f[1]}' outside an event`);
        break;
      default:
        bad(`unknown NUANCE line '$ ${f[1] ?? ''}'`);
    }
  }
  if (tracks) throw new InputError(`file is truncated: the event that began on line ${beginLine} has no '$ end'`, file);
  if (!sawAny) throw new InputError(`no NUANCE events ('$ begin' … '$ end') in the file`, file);
  if (builder.length > 0) yield builder.take();
}
