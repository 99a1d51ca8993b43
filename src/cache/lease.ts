/**
 * Leases (docs/cache.md §9): a running `nugan run` registers the keys it uses — every instance of its
 * plan, whether cached, about to run or running — in `<store>/leases/<pid>.<n>.json`, so `nugan gc`
 * never removes an artifact, or the checkpoints of a key, that a live run still needs.
 *
 * Taking a lease and a gc exclude each other through one store-wide lock (`locks/store-gc.lock`): a
 * run's lease is either on disk before gc reads the leases, or written after gc has finished
 * deleting, when the run's own cache look-ups see what is gone and rebuild it. Either way nothing a
 * run has found cached disappears under it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../util/atomic.ts';
import { acquireLock, alive, type HeldLock, type LockEvent } from './lock.ts';
import type { ArtifactStore } from './store.ts';

/** Name of the store-wide lock that lease-taking and gc share (`locks/store-gc.lock`). */
export const STORE_GC_LOCK = 'store-gc';

export interface LeaseRecord {
  readonly schema: 1;
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly since: string;
  /** Every key the run uses. */
  readonly keys: readonly string[];
}

export interface Lease {
  readonly file: string;
  release(): void;
}

let counter = 0;

/** The store-wide gc lock: held by gc for its whole pass, by a run only while it writes its lease. */
export function acquireGcLock(store: ArtifactStore, signal: AbortSignal, onEvent: (e: LockEvent) => void): Promise<HeldLock> {
  return acquireLock(join(store.dir, 'locks'), STORE_GC_LOCK, signal, onEvent);
}

/** Registers `keys` as in use by this process until `release()`. Waits while a gc is running. */
export async function takeLease(store: ArtifactStore, keys: readonly string[], signal: AbortSignal, onEvent: (e: LockEvent) => void): Promise<Lease> {
  const dir = join(store.dir, 'leases');
  const file = join(dir, `${process.pid}.${(counter++).toString(36)}.json`);
  const record: LeaseRecord = { schema: 1, pid: process.pid, host: hostname(), command: process.argv.slice(1).join(' '), since: new Date().toISOString(), keys: [...new Set(keys)] };
  const lock = await acquireGcLock(store, signal, onEvent);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileAtomicSync(file, `${JSON.stringify(record)}\n`);
  } finally {
    lock.release();
  }
  return { file, release: () => rmSync(file, { force: true }) };
}

/**
 * The leases in the store: `live` ones (their process runs on this host, or they come from another
 * host, which cannot be checked) and `stale` files (a dead process on this host, or unreadable).
 */
export function readLeases(store: ArtifactStore): { live: (LeaseRecord & { file: string })[]; stale: string[] } {
  const dir = join(store.dir, 'leases');
  const live: (LeaseRecord & { file: string })[] = [];
  const stale: string[] = [];
  if (!existsSync(dir)) return { live, stale };
  const me = hostname();
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue; // a lease being written (atomic writes use hidden temporaries)
    const file = join(dir, name);
    let rec: LeaseRecord | undefined;
    try {
      rec = JSON.parse(readFileSync(file, 'utf8')) as LeaseRecord;
    } catch {
      rec = undefined;
    }
    if (!rec || typeof rec.pid !== 'number' || !Array.isArray(rec.keys)) stale.push(file);
    else if (rec.host === me && !alive(rec.pid)) stale.push(file);
    else live.push({ ...rec, file });
  }
  return { live, stale };
}
