/** `nugan status [PIPELINE]`: cached / stale (and why) / missing, per stage instance. */
import { stageKinds } from '../../../stages/index.ts';
import { InputError } from '../../util/errors.ts';
import { pipelinePath, preparePipeline } from '../../runner/prepare.ts';
import { pipelineStatus, withRemoteHoldings, type RemoteHolding, type StageStatus } from '../../runner/status.ts';
import type { RemoteCache } from '../../cache/remote/remote-cache.ts';
import { openRemote, remoteSettings } from '../remote-options.ts';
import { parseCommandArgs } from '../args.ts';
import { failWithDiagnostics } from '../problems.ts';

const help = `usage: nugan status [PIPELINE] [--set K=V]… [--store DIR] [--remote URL] [--verify] [--json]

For each stage: cached, cached (remote) (only the remote cache holds it: \`run\` pulls it), stale
(with every cause: param path old → new, upstream stage, input file, code) or missing. Exit code 0
when everything is cached (locally or remotely), 1 otherwise. With --json each stale or
missing stage carries its \`causes\` as records ({type: param, path, old, new}, {type: upstream, id},
{type: file, file}, {type: code}, {type: seed}, {type: corrupt, problem}, …) and \`reasons\`, the same
in words; a remote hit has state "remote" and a \`remote\` record (url, pushedAt, madeOn, kind,
seconds, device).

Cached artifacts are checked quickly (each file's size, and its content when its modification time
changed); --verify re-hashes every file of every cached artifact (docs/cache.md §7). status only
reports: \`nugan verify\` moves corrupt artifacts aside, and the next run rebuilds them.

options:
  --remote URL   also look up, on this remote cache, what the local store lacks (default: $NUGAN_REMOTE,
                 the pipeline's remote:, or remote: in ~/.config/nugan/config.yaml; 'none' for none)
  --verify       re-hash every file of the cached artifacts against their manifests
`;

export default async function statusCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('status', argv, { set: { type: 'string', multiple: true }, store: { type: 'string' }, json: { type: 'boolean' }, remote: { type: 'string' }, verify: { type: 'boolean' } });
  if (args.values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (args.positionals.length > 1) throw new InputError(`nugan status takes one PIPELINE, got ${args.positionals.length}`);
  const json = args.values.json === true;
  const file = pipelinePath(args.positionals[0]);
  if (!file.ok) return failWithDiagnostics(file.error, json);
  const sets = args.values.set === undefined ? [] : [args.values.set].flat().map(String);
  const prepared = await preparePipeline(file.value, stageKinds, { sets, store: args.values.store as string | undefined });
  if (!prepared.ok) return failWithDiagnostics(prepared.error, json);
  const { plan, keys, store, memo } = prepared.value;
  memo.save();
  const warn = (m: string) => void process.stderr.write(`warning: ${m}\n`);
  let statuses: StageStatus[] = pipelineStatus(plan, keys, store, args.values.verify === true ? 'full' : 'quick');
  const settings = remoteSettings(args, plan.pipeline.remote, plan.pipeline.file);
  if (settings) {
    const remote = openRemote(settings);
    try {
      statuses = await withRemoteHoldings(plan, statuses, (k) => remoteHoldings(remote, k, warn));
    } finally {
      remote.close();
    }
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ pipeline: plan.pipeline.file, store: store.dir, stages: statuses })}\n`);
  } else {
    const width = Math.min(40, Math.max(...statuses.map((s) => s.id.length)));
    const label = (s: StageStatus) => (s.state === 'remote' ? 'cached (remote)' : s.state);
    const labelWidth = statuses.some((s) => s.state === 'remote') ? 15 : 7;
    for (const s of statuses) {
      process.stdout.write(`${label(s).padEnd(labelWidth)}  ${s.id.padEnd(width)}\n`);
      if (s.state !== 'cached') for (const r of s.reasons) process.stdout.write(`${' '.repeat(labelWidth + 4)}${r}\n`);
    }
    const n = (st: string) => statuses.filter((s) => s.state === st).length;
    const remote = n('remote') ? `, ${n('remote')} cached on the remote only` : '';
    process.stdout.write(n('cached') === statuses.length ? `all ${statuses.length} stages are up to date\n` : `${n('cached')} cached${remote}, ${n('stale')} stale, ${n('missing')} missing\n`);
  }
  // A remote hit counts as cached: `run` would execute nothing for it.
  return statuses.every((s) => s.state === 'cached' || s.state === 'remote') ? 0 : 1;
}

/** Remote lookups for `status`: hits described from their manifests; an unusable remote is one warning. */
async function remoteHoldings(remote: RemoteCache, keys: readonly string[], warn: (m: string) => void): Promise<Map<string, RemoteHolding>> {
  const out = new Map<string, RemoteHolding>();
  let warned = false;
  for (const [key, r] of await remote.lookupMany(keys)) {
    if (!r.ok) {
      if (!warned || r.error.kind === 'corrupt') warn(`remote cache ${remote.display}: ${r.error.message}`);
      warned = true;
      continue;
    }
    if (!r.value) continue;
    const m = r.value.manifest;
    const device = m.summary.device ?? m.summary.backend;
    out.set(key, {
      url: remote.entryUrl(key),
      pushedAt: r.value.entry.pushed.at,
      madeOn: String(m.executor.host ?? 'an unnamed host'),
      kind: m.kind,
      seconds: m.timings.seconds,
      ...(typeof device === 'string' ? { device } : {}),
    });
  }
  return out;
}
