/**
 * `status` explains a rerun (house rule 6): each stage is cached, stale (with every cause: parameter
 * path old → new, upstream stage, external file, code, seed) or missing. Pure given the store reads.
 */
import type { ArtifactStore } from '../cache/store.ts';
import { canonicalJson } from '../cache/canonical.ts';
import type { Plan, StageId } from './expand.ts';
import type { KeyData, KeyedStage } from '../cache/key-data.ts';
import { cachedManifest, pipelineTag } from './scheduler.ts';

export type StageStatus =
  | { readonly id: StageId; readonly state: 'cached'; readonly key: string }
  | { readonly id: StageId; readonly state: 'stale'; readonly key: string; readonly previousKey: string; readonly reasons: readonly string[] }
  | { readonly id: StageId; readonly state: 'missing'; readonly key: string; readonly reasons: readonly string[] };

const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));

/** Differences between two JSON values, as `path: old → new` lines (down to single keys). */
export function diffValues(path: string, a: unknown, b: unknown, out: string[] = []): string[] {
  if (canonicalJson(a) === canonicalJson(b)) return out;
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) diffValues(path ? `${path}.${k}` : k, a[k], b[k], out);
    return out;
  }
  out.push(`${path}: ${show(a)} → ${show(b)}`);
  return out;
}

/** Why `now` differs from `before` (both KeyData of one stage id). */
export function explainKeyChange(before: KeyData, now: KeyData): string[] {
  const reasons: string[] = [];
  if (before.schema !== now.schema) reasons.push(`cache format changed (${before.schema} → ${now.schema})`);
  if (before.kind !== now.kind) reasons.push(`stage kind changed: ${before.kind} → ${now.kind}`);
  if (before.code !== now.code) reasons.push(`code of stage kind '${now.kind}' changed`);
  for (const line of diffValues('with', before.params, now.params)) reasons.push(`param ${line}`);
  if (before.seed !== now.seed) reasons.push(`seed: ${before.seed} → ${now.seed}`);
  const ups = [...new Set([...Object.keys(before.upstream ?? {}), ...Object.keys(now.upstream ?? {})])].sort();
  for (const u of ups) {
    const a = before.upstream?.[u];
    const b = now.upstream?.[u];
    if (a === b) continue;
    reasons.push(a === undefined ? `new upstream stage '${u}'` : b === undefined ? `no longer needs '${u}'` : `upstream stage '${u}' changed`);
  }
  const files = [...new Set([...Object.keys(before.files ?? {}), ...Object.keys(now.files ?? {})])].sort();
  for (const f of files) {
    const a = before.files?.[f];
    const b = now.files?.[f];
    if (a === b) continue;
    reasons.push(a === undefined ? `new input file ${f}` : b === undefined ? `input file ${f} no longer declared` : b === 'missing' ? `input file ${f} is missing` : `input file ${f} changed`);
  }
  if (now.nonce !== undefined) reasons.push('never cached: the stage does not declare all its inputs (cacheable: false)');
  if (reasons.length === 0) reasons.push('key changed');
  return reasons;
}

export function pipelineStatus(plan: Plan, keys: ReadonlyMap<StageId, KeyedStage>, store: ArtifactStore, warn: (m: string) => void): StageStatus[] {
  const tag = pipelineTag(plan.pipeline.file);
  return plan.nodes.map((node): StageStatus => {
    const { key, keyData } = keys.get(node.id)!;
    if (!node.cacheable) {
      return { id: node.id, state: 'missing', key, reasons: ['never cached: the stage does not declare all its inputs (cacheable: false)'] };
    }
    if (cachedManifest(store, key, warn)) return { id: node.id, state: 'cached', key };
    const last = store.readLast(tag, node.id);
    if (!last) return { id: node.id, state: 'missing', key, reasons: ['never run'] };
    if (last.key === key) return { id: node.id, state: 'missing', key, reasons: ['its artifact was removed from the store'] };
    return { id: node.id, state: 'stale', key, previousKey: last.key, reasons: explainKeyChange(last.keyData as KeyData, keyData) };
  });
}
