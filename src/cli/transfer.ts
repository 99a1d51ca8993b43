/**
 * `nugan push` and `nugan pull` (docs/cache.md §6): move the artifacts of a pipeline's stages (or of
 * the named stages and what they need) between the local store and the remote cache, by hand. The
 * same `RemoteCache` calls `run` makes, with a line per stage saying what happened.
 */
import { existsSync } from 'node:fs';
import { stageKinds } from '../../stages/index.ts';
import { cachedManifest } from '../runner/scheduler.ts';
import { pipelinePath, preparePipeline } from '../runner/prepare.ts';
import { selectStages } from '../runner/select.ts';
import { InputError } from '../util/errors.ts';
import { mapLimit } from '../util/pool.ts';
import { parseCommandArgs } from './args.ts';
import { failWithDiagnostics } from './problems.ts';
import { openRemote, remoteSettings } from './remote-options.ts';

type Direction = 'push' | 'pull';

/** What happened to one stage instance. */
type Outcome = 'pushed' | 'already on the remote' | 'pulled' | 'already local' | 'not in the local store' | 'not on the remote' | 'failed';

const help = (d: Direction) => `usage: nugan ${d} [PIPELINE] [STAGE…] [--remote URL] [--store DIR] [--set K=V]… [--json]

${
  d === 'push'
    ? 'Uploads the artifacts of PIPELINE\'s stages (default: every stage; with STAGE ids, those and what\nthey need) from the local store to the remote cache. What the remote holds already is not sent again.'
    : 'Downloads the artifacts of PIPELINE\'s stages (default: every stage; with STAGE ids, those and what\nthey need) from the remote cache into the local store, each file checked against its content hash.'
}
The remote is --remote URL, else $NUGAN_REMOTE, the pipeline's remote:, or remote: in
~/.config/nugan/config.yaml. Credentials: NUGAN_REMOTE_AUTH=user:password, NUGAN_REMOTE_TOKEN or ~/.netrc.
Exit code 0 when every stage ${d === 'push' ? 'that is in the local store is on the remote' : 'is in the local store'} afterwards.
`;

export async function transferCommand(direction: Direction, argv: string[]): Promise<number> {
  const args = parseCommandArgs(direction, argv, { remote: { type: 'string' }, store: { type: 'string' }, set: { type: 'string', multiple: true }, json: { type: 'boolean' } });
  if (args.values.help) {
    process.stdout.write(help(direction));
    return 0;
  }
  const json = args.values.json === true;
  // The first positional is the pipeline when it names a file; the rest are stage ids.
  const [first, ...rest] = args.positionals;
  const isPipeline = first !== undefined && (/\.ya?ml$/.test(first) || existsSync(first));
  const file = pipelinePath(isPipeline ? first : undefined);
  if (!file.ok) return failWithDiagnostics(file.error, json);
  const stages = isPipeline ? rest : args.positionals;
  const sets = args.values.set === undefined ? [] : [args.values.set].flat().map(String);
  const prepared = await preparePipeline(file.value, stageKinds, { sets, store: args.values.store as string | undefined });
  if (!prepared.ok) return failWithDiagnostics(prepared.error, json);
  const { plan, keys, store, memo } = prepared.value;
  memo.save();
  const selection = selectStages(plan, stages, []);
  if (!selection.ok) return failWithDiagnostics(selection.error, json);
  const settings = remoteSettings(args, plan.pipeline.remote, plan.pipeline.file);
  if (!settings) throw new InputError(`nugan ${direction} needs a remote cache: give --remote URL, set NUGAN_REMOTE, or add remote: to the pipeline or to ~/.config/nugan/config.yaml`);
  const remote = openRemote(settings);
  const warn = (m: string) => void process.stderr.write(`warning: ${m}\n`);
  const ids = selection.value.order.filter((id) => plan.byId.get(id)!.cacheable);
  const results: { id: string; key: string; outcome: Outcome; message?: string }[] = [];
  try {
    if (direction === 'push') {
      await mapLimit(ids, 2, async (id) => {
        const key = keys.get(id)!.key;
        if (!cachedManifest(store, key, warn)) return void results.push({ id, key, outcome: 'not in the local store' });
        const r = await remote.push(key, store);
        results.push(r.ok ? { id, key, outcome: r.value === 'uploaded' ? 'pushed' : 'already on the remote' } : { id, key, outcome: 'failed', message: r.error.message });
      });
    } else {
      const wanted = ids.filter((id) => !cachedManifest(store, keys.get(id)!.key, warn));
      for (const id of ids) if (!wanted.includes(id)) results.push({ id, key: keys.get(id)!.key, outcome: 'already local' });
      const found = await remote.lookupMany(wanted.map((id) => keys.get(id)!.key));
      await mapLimit(wanted, 2, async (id) => {
        const key = keys.get(id)!.key;
        const hit = found.get(key)!;
        if (!hit.ok) return void results.push({ id, key, outcome: 'failed', message: hit.error.message });
        if (!hit.value) return void results.push({ id, key, outcome: 'not on the remote' });
        const r = await remote.pull(hit.value, store);
        results.push(r.ok ? { id, key, outcome: 'pulled' } : { id, key, outcome: 'failed', message: r.error.message });
      });
    }
  } finally {
    remote.close();
  }
  const order = new Map(selection.value.order.map((id, i) => [id, i]));
  results.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const bad = results.filter((r) => r.outcome === 'failed' || (direction === 'pull' && r.outcome === 'not on the remote'));
  if (json) {
    process.stdout.write(`${JSON.stringify({ pipeline: plan.pipeline.file, store: store.dir, remote: remote.display, direction, stages: results })}\n`);
  } else {
    for (const r of results) process.stdout.write(`${r.outcome.padEnd(22)}  ${r.id}${r.message ? `\n${' '.repeat(24)}${r.message}` : ''}\n`);
    const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
    const moved = direction === 'push' ? `${count('pushed')} pushed, ${count('already on the remote')} already there` : `${count('pulled')} pulled, ${count('already local')} already local`;
    process.stdout.write(`${remote.display}: ${moved}, ${count(direction === 'push' ? 'not in the local store' : 'not on the remote')} ${direction === 'push' ? 'not in the local store' : 'not on the remote'}, ${count('failed')} failed\n`);
  }
  return bad.length ? 1 : 0;
}
