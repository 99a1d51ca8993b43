/** `nugan gc [--dry-run] [--store DIR] [--json]`: removes artifacts no pipeline run references any more. */
import { InputError } from '../../util/errors.ts';
import { applyGc, notAStore, planGc } from '../../cache/gc.ts';
import { acquireGcLock } from '../../cache/lease.ts';
import { describeWait } from '../../cache/lock.ts';
import { ArtifactStore } from '../../cache/store.ts';
import { storeDirFor } from '../../runner/prepare.ts';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { parseCommandArgs } from '../args.ts';

const help = `usage: nugan gc [--dry-run] [--store DIR] [--json]

Keeps the artifacts of the latest run of every pipeline (and the last result of every stage id), and
everything a run in progress uses (its lease), and removes the rest, including quarantined corrupt
artifacts. Safe while runs are using the store (docs/cache.md §9). --dry-run lists what would go.
`;

export default async function gcCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('gc', argv, { 'dry-run': { type: 'boolean' }, store: { type: 'string' }, json: { type: 'boolean' } }, false);
  if (args.values.help) {
    process.stdout.write(help);
    return 0;
  }
  const dir = storeDirFor(join(resolve('.'), 'x.yaml'), args.values.store as string | undefined);
  if (!existsSync(dir)) throw new InputError(`no artifact store at ${dir} (give one with --store DIR)`);
  const foreign = notAStore(dir);
  if (foreign) throw new InputError(foreign);
  const store = new ArtifactStore(dir);
  const dry = args.values['dry-run'] === true;
  // Runs take their leases under the same lock: none can start using an artifact while gc decides.
  const lock = await acquireGcLock(store, new AbortController().signal, (e) => {
    if (e.type === 'waiting') process.stderr.write(`waiting for the store's gc lock, held by ${describeWait(e.holder, e.file)}\n`);
    else process.stderr.write(`warning: replaced the broken gc lock (${e.why}): ${e.file}\n`);
  });
  let plan;
  try {
    plan = planGc(store);
    if (!dry) applyGc(store, plan);
  } finally {
    lock.release();
  }
  const bytes = plan.remove.reduce((s, r) => s + r.bytes, 0);
  if (args.values.json) {
    process.stdout.write(`${JSON.stringify({ store: store.dir, dryRun: dry, removed: plan.remove, kept: plan.keep, bytes, runsInProgress: plan.leases, quarantined: plan.quarantined, temporary: plan.tempDirs, scratch: plan.scratchDirs, runRecords: plan.staleRunRecords })}\n`);
  } else {
    for (const l of plan.leases) process.stdout.write(`kept ${l.keys} keys in use by the run of pid ${l.pid} on ${l.host} since ${l.since} (lease ${l.file})\n`);
    for (const x of plan.quarantined) process.stdout.write(`${dry ? 'would remove' : 'removed'} quarantined ${x.dir} (${(x.bytes / 1e6).toFixed(1)} MB)\n`);
    for (const r of plan.remove) process.stdout.write(`${dry ? 'would remove' : 'removed'} ${r.key} (${(r.bytes / 1e6).toFixed(1)} MB)\n`);
    for (const t of plan.tempDirs) process.stdout.write(`${dry ? 'would remove' : 'removed'} temporary ${t} (its process is gone)\n`);
    for (const s of plan.scratchDirs) process.stdout.write(`${dry ? 'would remove' : 'removed'} checkpoints ${s} (their result is stored)\n`);
    process.stdout.write(`${dry ? 'would remove' : 'removed'} ${plan.remove.length} artifacts (${(bytes / 1e6).toFixed(1)} MB), kept ${plan.keep}\n`);
  }
  return 0;
}
