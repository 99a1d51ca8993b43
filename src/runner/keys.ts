/**
 * Cache keys of a plan (DESIGN.md §5, house rule 5). `KeyData` is a plain object listing everything
 * that decides a stage instance's result; its canonical JSON, hashed, is the key. It is stored
 * verbatim in the manifest so `status` can say exactly what changed.
 */
import { resolve } from 'node:path';
import type { StageKind } from '../contract/stage.ts';
import { canonicalJson } from '../cache/canonical.ts';
import { fingerprintOf } from '../cache/fingerprint.ts';
import type { CacheKey, FileHashMemo, Hasher } from '../cache/hash.ts';
import type { Plan, StageId } from './expand.ts';

export const KEYDATA_SCHEMA = 1;

export interface KeyData {
  /** Bumped when the meaning of KeyData changes, so old artifacts stop matching. */
  readonly schema: typeof KEYDATA_SCHEMA;
  /** Stage kind: two kinds with equal params do different things. */
  readonly kind: string;
  /** Fingerprint of the kind's source and its local imports: changed code reruns the stage. */
  readonly code: string;
  /** Resolved parameters (defaults applied; upstream output references verbatim — the upstream key covers them). */
  readonly params: Record<string, unknown>;
  /** The seed decides every random draw of the stage. */
  readonly seed: number;
  /** Upstream stage id → key: a changed upstream result reruns its dependents. */
  readonly upstream: Record<string, string>;
  /** External input file (relative to the pipeline) → content hash, or 'missing'. */
  readonly files: Record<string, string>;
  /**
   * Present only for stages whose inputs are not fully declared (kind says `cacheable: false`): a value
   * unique to this run, so the stage and everything downstream always rerun.
   */
  readonly nonce?: string;
}

export interface KeyedStage {
  readonly key: CacheKey;
  readonly keyData: KeyData;
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
      params: node.params,
      seed: node.seed,
      upstream,
      files,
      ...(node.cacheable ? {} : { nonce }),
    };
    out.set(node.id, { key: hasher.key(canonicalJson(keyData)), keyData });
  }
  return out;
}
