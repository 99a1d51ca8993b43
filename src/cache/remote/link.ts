/**
 * What a run sees of the remote cache (docs/cache.md §6): which keys it holds (looked up in parallel
 * before the run), a pull per key, and background pushes that the run waits for at the end. The
 * scheduler knows only this interface, nothing of HTTP.
 *
 * Faults degrade, once: an unreachable remote or refused credentials switch the remote off for the
 * rest of the run with one warning (the run works locally); a refused upload (read-only remote) stops
 * pushing with one warning; a damaged entry or object is one warning for that key, which is then
 * rebuilt. Nothing here ever writes into `artifacts/` except through `RemoteCache.pull`'s checked rename.
 */
import type { Result } from '../../util/result.ts';
import type { Manifest } from '../manifest.ts';
import type { ArtifactStore } from '../store.ts';
import type { RemoteError } from './http.ts';
import type { RemoteCache, RemoteHit } from './remote-cache.ts';

export interface RemoteLink {
  /** The remote's URL, without credentials. */
  readonly display: string;
  /** `--remote-only`: a stage neither local nor remote fails instead of running. */
  readonly only: boolean;
  /** Looks `keys` up on the remote, in parallel (before the run starts). */
  lookup(keys: readonly string[]): Promise<void>;
  /** Whether the lookup found `key` (false once the remote is switched off). */
  holds(key: string): boolean;
  /** Why `key` cannot come from the remote (for `--remote-only` failures). */
  whyNot(key: string): string;
  /** Downloads `key` into the store: its manifest, or what went wrong (in words). */
  pull(key: string): Promise<Result<Manifest, string>>;
  /** Queues an upload of a freshly made artifact when pushing is on. */
  pushLater(key: string): void;
  /** Waits for queued uploads: how many went up, were there already, or failed. */
  drain(): Promise<{ uploaded: number; present: number; failed: number }>;
  close(): void;
}

/** Uploads in flight at once (each moves up to 4 files at a time). */
const PUSH_PARALLELISM = 2;

export function createRemoteLink(cache: RemoteCache, store: ArtifactStore, opts: { push: boolean; only: boolean; warn: (message: string) => void }): RemoteLink {
  const hits = new Map<string, RemoteHit>();
  const misses = new Map<string, string>();
  let offline: string | undefined;
  let pushRefused: string | undefined;
  const queue: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const counts = { uploaded: 0, present: 0, failed: 0 };

  /** Unreachable or refused credentials: the remote is off for this run, said once. */
  const takeOffline = (e: Pick<RemoteError, 'kind' | 'message'>): boolean => {
    if (e.kind !== 'unreachable' && e.kind !== 'auth') return false;
    if (!offline) {
      offline = e.message;
      opts.warn(`remote cache ${cache.display} is not usable (${e.message}); working with the local store only`);
    }
    return true;
  };

  const pumpPushes = () => {
    while (inFlight.size < PUSH_PARALLELISM && queue.length) {
      const key = queue.shift()!;
      const p = (async () => {
        if (offline || pushRefused) return;
        const r = await cache.push(key, store);
        if (r.ok) {
          counts[r.value]++;
          return;
        }
        counts.failed++;
        if (takeOffline(r.error)) return;
        if (r.error.kind === 'forbidden') {
          if (!pushRefused) {
            pushRefused = r.error.message;
            opts.warn(`remote cache ${cache.display} refused an upload (${r.error.message}); results stay in the local store only — push them later with 'nugan push' and credentials that may write`);
          }
          return;
        }
        opts.warn(`could not push ${key} to ${cache.display}: ${r.error.message}`);
      })().finally(() => {
        inFlight.delete(p);
        pumpPushes();
      });
      inFlight.add(p);
    }
  };

  return {
    display: cache.display,
    only: opts.only,
    async lookup(keys) {
      if (offline || keys.length === 0) return;
      const results = await cache.lookupMany(keys);
      const failed: string[] = [];
      for (const [key, r] of results) {
        if (r.ok) {
          if (r.value) hits.set(key, r.value);
          else misses.set(key, `the remote ${cache.display} does not hold key ${key}`);
        } else if (!takeOffline(r.error)) {
          misses.set(key, r.error.message);
          failed.push(r.error.message);
        }
      }
      // One warning however many lookups failed (a broken server fails them all alike).
      if (failed.length) opts.warn(`remote lookup failed for ${failed.length} of ${keys.length} keys, those stages will be built here: ${failed[0]}${failed.length > 1 ? ` (and ${failed.length - 1} more)` : ''}`);
    },
    holds: (key) => !offline && hits.has(key),
    whyNot: (key) => (offline ? `the remote ${cache.display} is not usable: ${offline}` : (misses.get(key) ?? `the remote ${cache.display} does not hold key ${key}`)),
    async pull(key) {
      const hit = hits.get(key);
      if (!hit || offline) return { ok: false, error: this.whyNot(key) };
      const r = await cache.pull(hit, store);
      if (r.ok) return r;
      hits.delete(key);
      misses.set(key, r.error.message);
      // A server that went away mid-download is gone for the other stages too.
      takeOffline(r.error.kind === 'interrupted' ? { kind: 'unreachable', message: r.error.message } : r.error);
      return { ok: false, error: r.error.message };
    },
    pushLater(key) {
      if (!opts.push || offline || pushRefused) return;
      queue.push(key);
      pumpPushes();
    },
    async drain() {
      while (inFlight.size) await Promise.all([...inFlight]);
      return { ...counts };
    },
    close: () => cache.close(),
  };
}
