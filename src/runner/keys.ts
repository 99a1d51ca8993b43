/**
 * Cache keys of a plan (docs/cache.md, house rule 5): fills in each instance's `KeyData`
 * (src/cache/key-data.ts) from the plan — kind, code fingerprint, parameters, seed, upstream keys and
 * external file hashes — and hashes it.
 */
import { resolve } from 'node:path';
import type { StageKind } from '../contract/stage.ts';
import { fingerprintOf } from '../cache/fingerprint.ts';
import type { FileHashMemo, Hasher } from '../cache/hash.ts';
import { cacheKeyOf, KEYDATA_SCHEMA, type KeyData, type KeyedStage } from '../cache/key-data.ts';
import type { Plan, StageId } from './expand.ts';

/** `params` without the kind's execution-only parameters (device, threads): they decide where, not what. */
function withoutExecutionParams(params: Record<string, unknown>, execution: readonly string[] | undefined): Record<string, unknown> {
  if (!execution?.length) return params;
  return Object.fromEntries(Object.entries(params).filter(([k]) => !execution.includes(k)));
}

export async function computeKeys(plan: Plan, kinds: readonly StageKind[], hasher: Hasher, memo: FileHashMemo): Promise<Map<StageId, KeyedStage>> {
  const kindByName = new Map(kinds.map((k) => [k.kind, k]));
  const code = new Map<string, string>();
  for (const name of new Set(plan.nodes.map((n) => n.kind))) code.set(name, await fingerprintOf(kindByName.get(name)!));
  const nonce = `${process.pid}-${Date.now()}-${Math.random()}`;
  const out = new Map<StageId, KeyedStage>();
  for (const node of plan.nodes) {
    const upstream: Record<string, string> = {};
    for (const n of node.needs) upstream[n] = out.get(n)!.key;
    const files: Record<string, string> = {};
    for (const rel of node.externalInputs) {
      try {
        files[rel] = await memo.hash(resolve(plan.pipeline.dir, rel));
      } catch {
        files[rel] = 'missing';
      }
    }
    const keyData: KeyData = {
      schema: KEYDATA_SCHEMA,
      kind: node.kind,
      code: code.get(node.kind)!,
      params: withoutExecutionParams(node.params, kindByName.get(node.kind)!.executionParams),
      seed: node.seed,
      upstream,
      files,
      ...(node.cacheable ? {} : { nonce }),
    };
    out.set(node.id, { key: cacheKeyOf(keyData, hasher), keyData });
  }
  return out;
}
