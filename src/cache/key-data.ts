/**
 * What a cache key is made of (docs/cache.md, house rule 5): `KeyData` lists everything that decides a
 * stage instance's result, each field with the reason it is there; its canonical JSON, hashed, is the
 * key. It is stored verbatim in the manifest so `status` can say exactly what changed. The runner fills
 * it in from a plan (src/runner/keys.ts); this module owns its fields and their serialisation.
 */
import { canonicalJson } from './canonical.ts';
import type { CacheKey, Hasher } from './hash.ts';

export const KEYDATA_SCHEMA = 1;

export interface KeyData {
  /** Bumped when the meaning of KeyData changes, so old artifacts stop matching. */
  readonly schema: typeof KEYDATA_SCHEMA;
  /** Stage kind: two kinds with equal params do different things. */
  readonly kind: string;
  /** Fingerprint of the kind's source and its local imports: changed code reruns the stage. */
  readonly code: string;
  /**
   * Resolved parameters (defaults applied; upstream output references verbatim — the upstream key
   * covers them), without the kind's execution-only ones (`device`, `threads`): those choose where and
   * how fast a result is computed, not the result.
   */
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

/** The cache key of `keyData`: its canonical JSON (sorted keys, no `undefined`), hashed. */
export function cacheKeyOf(keyData: KeyData, hasher: Hasher): CacheKey {
  return hasher.key(canonicalJson(keyData));
}
