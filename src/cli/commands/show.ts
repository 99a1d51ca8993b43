/**
 * `nugan show STAGE [PIPELINE] [--json]`: where a stage's results are — its artifact directory, the
 * path of each output and its manifest. The stage's cache key is computed as `run` and `status`
 * compute it; when that artifact is not in the store, the answer says why (stale or missing, as
 * `status` explains it) and points at the artifact the stage id last had, if it still exists.
 */
import { join } from 'node:path';
import { stageKinds } from '../../../stages/index.ts';
import { InputError } from '../../util/errors.ts';
import type { Manifest } from '../../cache/manifest.ts';
import type { ArtifactStore } from '../../cache/store.ts';
import { didYouMean, error } from '../../runner/diagnostics.ts';
import { artifactFromManifest } from '../../runner/execute.ts';
import { pipelinePath, preparePipeline } from '../../runner/prepare.ts';
import { pipelineTag } from '../../runner/scheduler.ts';
import { checkArtifact } from '../../cache/verify.ts';
import { pipelineStatus } from '../../runner/status.ts';
import { parseCommandArgs } from '../args.ts';
import { failWithDiagnostics } from '../problems.ts';

const help = `usage: nugan show STAGE [PIPELINE] [--set K=V]… [--store DIR] [--json]

Prints where the results of STAGE are: the artifact directory, the absolute path of each output,
and the manifest (parameters, inputs, seed, timings, versions, summary). STAGE is an instance id
(tl@nu-argon) or a matrix base id (tl: every instance). PIPELINE defaults to
pipelines/quickstart.yaml. When the stage is not cached, says why (as nugan status does) and shows
the artifact the stage last had, if the store still holds it.

  --json     one document: {"pipeline", "store", "stages": [{"id", "kind", "state", "key", "dir",
             "outputs", "manifest", "reasons", "last"}]}
Exit code 0 when every instance shown is cached, 1 otherwise.
`;

interface Artifact {
  key: string;
  dir: string;
  manifestFile: string;
  outputs: Record<string, string>;
  manifest: Manifest;
}

interface Shown {
  id: string;
  kind: string;
  state: 'cached' | 'stale' | 'missing';
  key: string;
  /** Present when cached: the artifact of the current key. */
  dir?: string;
  outputs?: Record<string, string>;
  manifest?: Manifest;
  /** Why the current key has no artifact (stale or missing). */
  reasons?: readonly string[];
  /** The artifact the stage id last had, when not cached and still in the store. */
  last?: Omit<Artifact, 'manifest'> & { finished: string };
}

function artifactOf(store: ArtifactStore, m: Manifest): Artifact {
  const a = artifactFromManifest(store.dir, m);
  return { key: m.key, dir: a.dir, manifestFile: join(a.dir, 'manifest.json'), outputs: { ...a.outputs }, manifest: m };
}

export default async function showCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('show', argv, { set: { type: 'string', multiple: true }, store: { type: 'string' }, json: { type: 'boolean' } });
  if (args.values.help) {
    process.stdout.write(help);
    return 0;
  }
  const json = args.values.json === true;
  const [stage, pipeline, ...extra] = args.positionals;
  if (stage === undefined) throw new InputError('name a stage: nugan show STAGE [PIPELINE]');
  if (extra.length) throw new InputError(`nugan show takes STAGE and at most one PIPELINE, got also ${extra.join(' ')}`);
  const file = pipelinePath(pipeline);
  if (!file.ok) return failWithDiagnostics(file.error, json);
  const sets = args.values.set === undefined ? [] : [args.values.set].flat().map(String);
  const prepared = await preparePipeline(file.value, stageKinds, { sets, store: args.values.store as string | undefined });
  if (!prepared.ok) return failWithDiagnostics(prepared.error, json);
  const { plan, keys, store } = prepared.value;
  const ids = plan.byId.has(stage) ? [stage] : [...(plan.groups.get(stage) ?? [])];
  if (ids.length === 0) {
    const candidates = [...plan.groups.keys(), ...(plan.nodes.length < 2000 ? plan.byId.keys() : [])];
    return failWithDiagnostics([error(`no stage '${stage}' in ${plan.pipeline.file}${didYouMean(stage, candidates)}`)], json);
  }
  const statusById = new Map(pipelineStatus(plan, keys, store).map((s) => [s.id, s]));
  const tag = pipelineTag(plan.pipeline.file);
  const shown: Shown[] = ids.map((id) => {
    const node = plan.byId.get(id)!;
    const { key } = keys.get(id)!;
    // Like status, show only looks: a corrupt artifact is reported (its status reasons), not moved.
    const check = node.cacheable ? checkArtifact(store, key, 'quick') : undefined;
    const m = check?.state === 'intact' ? check.manifest : undefined;
    if (m) {
      const a = artifactOf(store, m);
      return { id, kind: node.kind, state: 'cached', key, dir: a.dir, outputs: a.outputs, manifest: m };
    }
    const st = statusById.get(id)!;
    const out: Shown = { id, kind: node.kind, state: st.state === 'cached' || st.state === 'remote' ? 'missing' : st.state, key, reasons: st.state === 'cached' ? [] : st.reasons };
    const lastKey = store.readLast(tag, id)?.key;
    const lm = lastKey !== undefined && lastKey !== key ? store.readManifest(lastKey) : undefined;
    if (lm && !(lm instanceof Error)) {
      const { manifest, ...rest } = artifactOf(store, lm);
      out.last = { ...rest, finished: manifest.timings.finished };
    }
    return out;
  });

  if (json) {
    process.stdout.write(`${JSON.stringify({ pipeline: plan.pipeline.file, store: store.dir, stages: shown })}\n`);
  } else {
    const lines: string[] = [];
    for (const s of shown) {
      lines.push(`${s.id} (${s.kind}): ${s.state}`);
      if (s.state === 'cached') {
        const m = s.manifest!;
        const width = Math.max(8, ...Object.keys(s.outputs!).map((n) => n.length + 1));
        lines.push(`  ${'artifact'.padEnd(width)}  ${s.dir}`);
        for (const [name, p] of Object.entries(s.outputs!)) lines.push(`  ${`${name}`.padEnd(width)}  ${p}`);
        lines.push(`  ${'manifest'.padEnd(width)}  ${join(s.dir!, 'manifest.json')}`);
        lines.push(`  key ${m.key}, seed ${m.seed}, finished ${m.timings.finished} in ${m.timings.seconds.toFixed(2)} s, nugan ${m.versions.nugan}, node ${m.versions.node}`);
        lines.push(`  params  ${JSON.stringify(m.params)}`);
        if (Object.keys(m.inputs).length) lines.push(`  inputs  ${Object.entries(m.inputs).map(([k, v]) => `${k} ${v}`).join(', ')}`);
        lines.push(`  summary ${JSON.stringify(m.summary)}`);
      } else {
        for (const r of s.reasons ?? []) lines.push(`  ${r}`);
        if (s.last) {
          lines.push(`  last artifact (finished ${s.last.finished}, key ${s.last.key}): ${s.last.dir}`);
          for (const [name, p] of Object.entries(s.last.outputs)) lines.push(`    ${name}: ${p}`);
        }
      }
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return shown.every((s) => s.state === 'cached') ? 0 : 1;
}
