/** `nugan gc [--dry-run] [--store DIR] [--json]`: removes artifacts no pipeline run references any more. */
import { InputError } from '../../util/errors.ts';
import { applyGc, planGc } from '../../cache/gc.ts';
import { ArtifactStore } from '../../cache/store.ts';
import { storeDirFor } from '../../runner/prepare.ts';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { parseCommandArgs } from '../args.ts';

const help = `usage: nugan gc [--dry-run] [--store DIR] [--json]

Keeps the artifacts of the latest run of every pipeline (and the last result of every stage id) and
removes the rest. --dry-run lists what would go.
`;

export default async function gcCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('gc', argv, { 'dry-run': { type: 'boolean' }, store: { type: 'string' }, json: { type: 'boolean' } }, false);
  if (args.values.help) {
    process.stdout.write(help);
    return 0;
  }
  const dir = storeDirFor(join(resolve('.'), 'x.yaml'), args.values.store as string | undefined);
  if (!existsSync(dir)) throw new InputError(`no artifact store at ${dir} (give one with --store DIR)`);
  const store = new ArtifactStore(dir);
  const plan = planGc(store);
  const dry = args.values['dry-run'] === true;
  if (!dry) applyGc(store, plan);
  const bytes = plan.remove.reduce((s, r) => s + r.bytes, 0);
  if (args.values.json) {
    process.stdout.write(`${JSON.stringify({ store: store.dir, dryRun: dry, removed: plan.remove, kept: plan.keep, bytes })}\n`);
  } else {
    for (const r of plan.remove) process.stdout.write(`${dry ? 'would remove' : 'removed'} ${r.key} (${(r.bytes / 1e6).toFixed(1)} MB)\n`);
    process.stdout.write(`${dry ? 'would remove' : 'removed'} ${plan.remove.length} artifacts (${(bytes / 1e6).toFixed(1)} MB), kept ${plan.keep}\n`);
  }
  return 0;
}
