/**
 * NuWro ROOT output (tree `treeout`, one split branch `e` of class `event`) read with jsroot's I/O
 * modules only (`jsroot/io`, `jsroot/tree`): the drawing half of jsroot, and its optional `canvas`
 * dependency, are never loaded.
 *
 * NuWro stores 4-momenta as (t, x, y, z) in MeV (NuWro src/vect.h, src/particle.h); `in[0]` is the
 * neutrino and `out[0]` the outgoing lepton (NuWro src/event1.h). Only the branches below are read.
 * Kept: CC events (`flag.cc`) of a muon (anti)neutrino (|in[0].pdg| = 14) whose lepton out[0] is the
 * matching charged muon (pdg 13 for nu_mu, −13 for anti-nu_mu). E_nu = in[0].t, E_mu = out[0].t
 * (total energies, MeV → GeV), theta = angle between the muon and neutrino 3-momenta.
 * Channel from NuWro's flags: qel → QE (hyp, CC hyperon production, is quasi-elastic too), mec → MEC,
 * res → RES, dis → DIS, coh → COH. NuWro events are unweighted (every `e.weight` is the total cross
 * section), so no weight column is written; the per-event cross section is reported instead.
 */
import { open } from 'node:fs/promises';
import { InputError } from '../util/errors.ts';
import { angleBetween } from '../physics/kinematics.ts';
import { DEFAULT_BATCH, type EventBatch } from './event-batch.ts';
import { BatchBuilder, eventProblem } from './rows.ts';
import { gevFromMeV } from './units.ts';

/** Branches read, and the member each lands in on the selector's target object. */
const BRANCHES: Record<string, string> = {
  'e.in.t': 'in_t', 'e.in.x': 'in_x', 'e.in.y': 'in_y', 'e.in.z': 'in_z', 'e.in.pdg': 'in_pdg',
  'e.out.t': 'out_t', 'e.out.x': 'out_x', 'e.out.y': 'out_y', 'e.out.z': 'out_z', 'e.out.pdg': 'out_pdg',
  'e.flag.cc': 'cc', 'e.flag.qel': 'qel', 'e.flag.mec': 'mec', 'e.flag.res': 'res', 'e.flag.dis': 'dis',
  'e.flag.coh': 'coh', 'e.flag.hyp': 'hyp', 'e.flag.lep': 'lep', 'e.weight': 'weight',
};

/** Reasons an entry is dropped, as reported in the stats. */
export const DROP_REASONS = {
  nc: 'NC',
  flavour: 'other flavour (|in[0].pdg| != 14)',
  lepton: 'out[0] is not the matching charged muon',
  lep: 'neutrino-electron scattering',
} as const;

/** Counts of a read, per file and over all files. */
export interface ReadStats {
  read: number;
  kept: number;
  dropped: Record<string, number>;
  /** Per-event cross section NuWro stored (cm²), mean over read entries (nuwro-root only). */
  xsec_cm2?: number;
}

export interface NuWroReadOptions {
  batchSize?: number;
  /** Filled in while reading (totals over all files). */
  stats?: ReadStats;
  /** Entries handed to jsroot per call; bounds memory held between yields. */
  chunkEntries?: number;
}

type Elem = Record<string, number> | ArrayLike<number>;

function at(v: Elem | undefined, i: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  return (v as Record<number, number>)[i];
}

interface JsrootTree {
  fEntries: number;
  $file: unknown;
}

/**
 * Check the TFile header before handing the file to jsroot: magic `root`, then fVersion, fBEGIN and
 * fEND (4-byte, or 8-byte when fVersion ≥ 1000000; ROOT TFile::Init). A file shorter than fEND was
 * cut off (an interrupted copy or a NuWro run that died) and is rejected with that diagnosis rather
 * than with whatever jsroot makes of the missing bytes.
 */
export async function checkRootHeader(file: string): Promise<void> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw new InputError(`cannot open: ${(e as Error).message}`, file);
  }
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(32);
    const { bytesRead } = await fh.read(head, 0, 32, 0);
    if (bytesRead < 4 || head.toString('latin1', 0, 4) !== 'root') {
      throw new InputError(`not a ROOT file (no 'root' magic at the start)`, file);
    }
    if (bytesRead < 20) throw new InputError(`file is truncated: ${size} bytes, shorter than a ROOT file header`, file);
    const version = head.readInt32BE(4);
    const end = version >= 1_000_000 ? Number(head.readBigInt64BE(12)) : head.readUInt32BE(12);
    if (size < end) {
      throw new InputError(`file is truncated: the ROOT header says ${end} bytes, the file has ${size}`, file);
    }
  } finally {
    await fh.close();
  }
}

async function openTree(file: string): Promise<JsrootTree> {
  await checkRootHeader(file);
  const { openFile } = await import('jsroot/io');
  let f;
  try {
    f = await openFile(file);
  } catch (e) {
    throw new InputError(`not a readable ROOT file (${(e as Error).message})`, file);
  }
  if (!f) throw new InputError('not a readable ROOT file', file);
  let tree: JsrootTree | null = null;
  try {
    tree = (await f.readObject('treeout')) as JsrootTree | null;
  } catch (e) {
    const keys = (f.fKeys as { fName: string }[] | undefined)?.map((k) => k.fName) ?? [];
    const msg = (e as Error).message;
    if (!keys.includes('treeout')) {
      throw new InputError(`no tree 'treeout' in the file (keys: ${keys.join(', ') || 'none'}); expected NuWro output`, file);
    }
    throw new InputError(`cannot read tree 'treeout' (${msg}); the file may be truncated`, file);
  }
  if (!tree || typeof tree.fEntries !== 'number') throw new InputError(`'treeout' is not a TTree`, file);
  return tree;
}

/**
 * `work`, or the first error jsroot throws while it runs. jsroot reads baskets in promise chains it
 * does not return to the caller (`readBaskets(…).then(processBaskets)` in its tree.mjs), so a damaged
 * basket (an entry offset past the end of its buffer) ends in an unhandled rejection — which would
 * kill the process with a stack trace and leave the output's temporary file behind — instead of a
 * rejection of `work`. While `work` runs, such a rejection coming from jsroot's code is taken as the
 * failure of the read; any other one is rethrown untouched.
 */
async function guarded<T>(work: Promise<T>): Promise<T> {
  let onUnhandled: ((reason: unknown) => void) | undefined;
  const fromJsroot = new Promise<never>((_, reject) => {
    onUnhandled = (reason: unknown) => {
      if (reason instanceof Error && /[\\/]jsroot[\\/]/.test(reason.stack ?? '')) reject(reason);
      else throw reason;
    };
    process.on('unhandledRejection', onUnhandled);
  });
  try {
    return await Promise.race([work, fromJsroot]);
  } finally {
    process.off('unhandledRejection', onUnhandled!);
  }
}

/**
 * Stream the kept events of NuWro ROOT files, one file after another, as one sequence of batches.
 * Malformed input (truncated file, no `treeout`, missing branches, unphysical kinematics) is an
 * InputError naming the file and the entry.
 */
export async function* readNuWroRoot(files: readonly string[], opts: NuWroReadOptions = {}): AsyncGenerator<EventBatch> {
  const { TSelector, treeProcess } = await import('jsroot/tree');
  const stats = opts.stats ?? { read: 0, kept: 0, dropped: {} };
  const size = opts.batchSize ?? DEFAULT_BATCH;
  const chunk = opts.chunkEntries ?? 200_000;
  let builder = new BatchBuilder(true, false, size);
  let xsecSum = 0;
  for (const file of files) {
    const tree = await openTree(file);
    const total = tree.fEntries;
    for (let first = 0; first < total; first += chunk) {
      const ready: EventBatch[] = [];
      let failure: InputError | undefined;
      let entry = first;
      const sel = new TSelector();
      for (const [branch, member] of Object.entries(BRANCHES)) sel.addBranch(branch, member);
      sel.Process = function (this: { tgtobj: Record<string, Elem & number & boolean>; Abort(): void }) {
        const o = this.tgtobj;
        const here = entry++;
        stats.read++;
        xsecSum += Number(o.weight) || 0;
        const drop = (reason: string) => (stats.dropped[reason] = (stats.dropped[reason] ?? 0) + 1);
        const nuPdg = at(o.in_pdg, 0);
        const E_nu_MeV = at(o.in_t, 0);
        if (nuPdg === undefined || E_nu_MeV === undefined) {
          failure = new InputError('event has no incoming particle in[0]', file, { entry: here });
          return this.Abort();
        }
        if (Math.abs(nuPdg) !== 14) return void drop(DROP_REASONS.flavour);
        if (o.lep) return void drop(DROP_REASONS.lep);
        if (!o.cc) return void drop(DROP_REASONS.nc);
        const lPdg = at(o.out_pdg, 0);
        if (lPdg !== (nuPdg > 0 ? 13 : -13)) return void drop(DROP_REASONS.lepton);
        const E_mu_MeV = at(o.out_t, 0)!;
        const theta = angleBetween(at(o.out_x, 0)!, at(o.out_y, 0)!, at(o.out_z, 0)!, at(o.in_x, 0)!, at(o.in_y, 0)!, at(o.in_z, 0)!);
        const E_nu = gevFromMeV(E_nu_MeV);
        const E_mu = gevFromMeV(E_mu_MeV);
        const problem = eventProblem(E_nu, E_mu, theta);
        if (problem) {
          failure = new InputError(problem, file, { entry: here });
          return this.Abort();
        }
        const channel = o.qel || o.hyp ? 0 : o.mec ? 1 : o.res ? 2 : o.dis ? 3 : o.coh ? 4 : 255;
        if (channel === 255) {
          failure = new InputError('CC event with no channel flag (qel, mec, res, dis, coh, hyp) set', file, { entry: here });
          return this.Abort();
        }
        builder.push(E_nu, E_mu, theta, channel);
        stats.kept++;
        if (builder.full) {
          ready.push(builder.take());
        }
      };
      let processed: unknown;
      try {
        processed = await guarded(treeProcess(tree, sel, { firstentry: first, numentries: Math.min(chunk, total - first) }));
      } catch (e) {
        if (failure) throw failure;
        throw new InputError(`cannot read entries from 'treeout' (${(e as Error).message}); the file may be truncated or not NuWro output`, file, { entry });
      }
      if (failure) throw failure;
      const expected = Math.min(chunk, total - first);
      if (entry - first !== expected) {
        throw new InputError(`read ${entry - first} of ${expected} entries from 'treeout'${processed === false ? '' : ''}; the file is truncated or damaged`, file, { entry });
      }
      yield* ready;
    }
  }
  if (builder.length > 0) {
    const last = builder.take();
    builder = new BatchBuilder(true, false, size);
    yield last;
  }
  if (stats.read > 0) stats.xsec_cm2 = xsecSum / stats.read;
}
