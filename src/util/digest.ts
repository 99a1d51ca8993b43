/**
 * Small digests that are not cache keys (those are xxhash, in src/cache/hash.ts): a 32-bit FNV-1a for
 * short tags, sha1/sha256 hex digests for on-disk identities (channel tables, training checkpoints),
 * and a seed mixer that derives independent 32-bit seeds from (seed, index).
 */
import { createHash } from 'node:crypto';

/** FNV-1a, 32 bits, over the UTF-16 code units of `text` (an unsigned integer). */
export function fnv1a32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Hex digest of the concatenation of `parts` (fed in order, so large buffers are not copied). */
export function hexDigest(algorithm: 'sha1' | 'sha256', ...parts: readonly (string | Uint8Array)[]): string {
  const h = createHash(algorithm);
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** An unsigned 32-bit seed derived from (seed, k): distinct k give unrelated seeds (e.g. one per batch). */
export function mixSeed(seed: number, k: number): number {
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35);
  h ^= h >>> 15;
  return h >>> 0;
}
