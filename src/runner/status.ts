/**
 * `status` explains a rerun (house rule 6): each stage is cached, stale (with every cause: parameter
 * path old → new, upstream stage, external file, code, seed) or missing. Causes are data (DVC's
 * `changed deps/params` is the model); their wording is built from them in one place. Pure given the
 * store reads.
 */
import type { ArtifactStore } from '../cache/store.ts';
import { canonicalJson } from '../cache/canonical.ts';
import type { Plan, StageId } from './expand.ts';
import type { KeyData, KeyedStage } from '../cache/key-data.ts';
import { unreachable } from '../util/unreachable.ts';
import { pipelineTag } from './scheduler.ts';
import { checkArtifact, type VerifyMode } from '../cache/verify.ts';

/**
 * One reason a stage is not cached, as data: `status --json` prints these as `causes`, and `reasons`
 * are their wording (`describeCause`). A `param` cause without `old` (or `new`) means the parameter was
 * unset before (or is unset now).
 */
export type StaleCause =
  | { readonly type: 'cache-format'; readonly old: number; readonly new: number }
  | { readonly type: 'kind'; readonly old: string; readonly new: string }
  | { readonly type: 'code'; readonly kind: string }
  | { readonly type: 'param'; readonly path: string; readonly old?: unknown; readonly new?: unknown }
  | { readonly type: 'seed'; readonly old: number; readonly new: number }
  | { readonly type: 'upstream'; readonly id: string; readonly change: 'added' | 'removed' | 'changed' }
  | { readonly type: 'file'; readonly file: string; readonly change: 'added' | 'removed' | 'changed' | 'missing' }
  | { readonly type: 'uncacheable' }
  | { readonly type: 'never-run' }
  | { readonly type: 'artifact-removed' }
  /** Its artifact is stored but its files do not match its manifest (src/cache/verify.ts). */
  | { readonly type: 'corrupt'; readonly problem: string }
  | { readonly type: 'key-changed' };

/** What the remote cache records of a key only it holds: what `status` says of a remote hit. */
export interface RemoteHolding {
  /** The entry's URL (without credentials). */
  readonly url: string;
  readonly pushedAt: string;
  /** Host, stage kind, seconds and device from the artifact's manifest. */
  readonly madeOn: string;
  readonly kind: string;
  readonly seconds: number;
  readonly device?: string;
}

export type StageStatus =
  | { readonly id: StageId; readonly state: 'cached'; readonly key: string }
  /** Not in the local store, but the remote cache holds it: `run` pulls it and runs nothing. */
  | { readonly id: StageId; readonly state: 'remote'; readonly key: string; readonly remote: RemoteHolding; readonly reasons: readonly string[] }
  | { readonly id: StageId; readonly state: 'stale'; readonly key: string; readonly previousKey: string; readonly causes: readonly StaleCause[]; readonly reasons: readonly string[] }
  | { readonly id: StageId; readonly state: 'missing'; readonly key: string; readonly causes: readonly StaleCause[]; readonly reasons: readonly string[] };

type ParamChange = Extract<StaleCause, { type: 'param' }>;

const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));

/** Differences between two JSON values, down to single keys (`path` names the root). */
export function paramChanges(path: string, a: unknown, b: unknown, out: ParamChange[] = []): ParamChange[] {
  if (canonicalJson(a) === canonicalJson(b)) return out;
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) paramChanges(path ? `${path}.${k}` : k, a[k], b[k], out);
    return out;
  }
  out.push({ type: 'param', path, ...(a === undefined ? {} : { old: a }), ...(b === undefined ? {} : { new: b }) });
  return out;
}

/** `paramChanges` as `path: old → new` lines. */
export function diffValues(path: string, a: unknown, b: unknown): string[] {
  return paramChanges(path, a, b).map(describeParamChange);
}

function describeParamChange(c: ParamChange): string {
  return `${c.path}: ${show(c.old)} → ${show(c.new)}`;
}

/** Why `now` differs from `before` (both KeyData of one stage id), field by field. */
export function keyChanges(before: KeyData, now: KeyData): StaleCause[] {
  const causes: StaleCause[] = [];
  if (before.schema !== now.schema) causes.push({ type: 'cache-format', old: before.schema, new: now.schema });
  if (before.kind !== now.kind) causes.push({ type: 'kind', old: before.kind, new: now.kind });
  if (before.code !== now.code) causes.push({ type: 'code', kind: now.kind });
  causes.push(...paramChanges('with', before.params, now.params));
  if (before.seed !== now.seed) causes.push({ type: 'seed', old: before.seed, new: now.seed });
  const ups = [...new Set([...Object.keys(before.upstream ?? {}), ...Object.keys(now.upstream ?? {})])].sort();
  for (const u of ups) {
    const a = before.upstream?.[u];
    const b = now.upstream?.[u];
    if (a === b) continue;
    causes.push({ type: 'upstream', id: u, change: a === undefined ? 'added' : b === undefined ? 'removed' : 'changed' });
  }
  const files = [...new Set([...Object.keys(before.files ?? {}), ...Object.keys(now.files ?? {})])].sort();
  for (const f of files) {
    const a = before.files?.[f];
    const b = now.files?.[f];
    if (a === b) continue;
    causes.push({ type: 'file', file: f, change: a === undefined ? 'added' : b === undefined ? 'removed' : b === 'missing' ? 'missing' : 'changed' });
  }
  if (now.nonce !== undefined) causes.push({ type: 'uncacheable' });
  if (causes.length === 0) causes.push({ type: 'key-changed' });
  return causes;
}

/** `keyChanges` in words, one line per cause. */
export function explainKeyChange(before: KeyData, now: KeyData): string[] {
  return keyChanges(before, now).map(describeCause);
}

/** The wording of a cause, as `status` prints it under the stage. */
export function describeCause(c: StaleCause): string {
  switch (c.type) {
    case 'cache-format':
      return `cache format changed (${c.old} → ${c.new})`;
    case 'kind':
      return `stage kind changed: ${c.old} → ${c.new}`;
    case 'code':
      return `code of stage kind '${c.kind}' changed`;
    case 'param':
      return `param ${describeParamChange(c)}`;
    case 'seed':
      return `seed: ${c.old} → ${c.new}`;
    case 'upstream':
      return c.change === 'added' ? `new upstream stage '${c.id}'` : c.change === 'removed' ? `no longer needs '${c.id}'` : `upstream stage '${c.id}' changed`;
    case 'file':
      return c.change === 'added' ? `new input file ${c.file}` : c.change === 'removed' ? `input file ${c.file} no longer declared` : c.change === 'missing' ? `input file ${c.file} is missing` : `input file ${c.file} changed`;
    case 'uncacheable':
      return 'never cached: the stage does not declare all its inputs (cacheable: false)';
    case 'never-run':
      return 'never run';
    case 'artifact-removed':
      return 'its artifact was removed from the store';
    case 'corrupt':
      return `its artifact is corrupt: ${c.problem} (nugan verify moves it aside; the next run rebuilds it)`;
    case 'key-changed':
      return 'key changed';
    default:
      return unreachable(c);
  }
}

/**
 * The status of every instance of a plan. Read-only: a corrupt artifact is reported as missing (cause
 * `corrupt`), not moved; `verify: 'full'` (`status --verify`) re-hashes every file of cached artifacts.
 */
export function pipelineStatus(plan: Plan, keys: ReadonlyMap<StageId, KeyedStage>, store: ArtifactStore, verify: VerifyMode = 'quick'): StageStatus[] {
  const tag = pipelineTag(plan.pipeline.file);
  const explained = (causes: StaleCause[]) => ({ causes, reasons: causes.map(describeCause) });
  return plan.nodes.map((node): StageStatus => {
    const { key, keyData } = keys.get(node.id)!;
    if (!node.cacheable) return { id: node.id, state: 'missing', key, ...explained([{ type: 'uncacheable' }]) };
    const check = checkArtifact(store, key, verify);
    if (check.state === 'intact') return { id: node.id, state: 'cached', key };
    if (check.state === 'corrupt') return { id: node.id, state: 'missing', key, ...explained([{ type: 'corrupt', problem: check.problem }]) };
    const last = store.readLast(tag, node.id);
    if (!last) return { id: node.id, state: 'missing', key, ...explained([{ type: 'never-run' }]) };
    if (last.key === key) return { id: node.id, state: 'missing', key, ...explained([{ type: 'artifact-removed' }]) };
    return { id: node.id, state: 'stale', key, previousKey: last.key, ...explained(keyChanges(last.keyData as KeyData, keyData)) };
  });
}

/** The wording of a remote hit, as `status` prints it under the stage. */
export function describeHolding(h: RemoteHolding): string {
  const device = h.device ? ` on ${h.device}` : '';
  return `only the remote cache holds it: pushed ${h.pushedAt}, made on ${h.madeOn} by ${h.kind}${device} in ${h.seconds.toFixed(1)} s (${h.url}); run pulls it`;
}

/**
 * `pipelineStatus` with a remote cache: every stage that is not cached locally (and may be cached) is
 * looked up remotely — `lookup` does them all at once, in parallel — and becomes `remote` where found.
 */
export async function withRemoteHoldings(plan: Plan, statuses: readonly StageStatus[], lookup: (keys: readonly string[]) => Promise<ReadonlyMap<string, RemoteHolding>>): Promise<StageStatus[]> {
  const wanted = statuses.filter((s) => s.state !== 'cached' && plan.byId.get(s.id)!.cacheable).map((s) => s.key);
  const held = wanted.length ? await lookup(wanted) : new Map<string, RemoteHolding>();
  return statuses.map((s): StageStatus => {
    const h = s.state !== 'cached' ? held.get(s.key) : undefined;
    return h ? { id: s.id, state: 'remote', key: s.key, remote: h, reasons: [describeHolding(h)] } : s;
  });
}
