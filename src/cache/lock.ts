/**
 * Per-key execution locks (house rule 7): a lock file created with O_EXCL records who holds it (pid,
 * host, command). A second `nugan run` that needs the same key waits for the holder, then finds the
 * artifact cached. A lock left by a dead process on this host is broken, with a warning.
 */
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly since: string;
}

export interface HeldLock {
  release(): void;
}

export type LockEvent = { type: 'waiting'; holder: LockHolder | undefined } | { type: 'broken'; holder: LockHolder };

/** Whether a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return typeof h.pid === 'number' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** Renders a holder for "busy" messages. */
export function describeHolder(h: LockHolder | undefined): string {
  return h ? `pid ${h.pid} on ${h.host} (${h.command}) since ${h.since}` : 'another process';
}

/**
 * Takes the lock for `key`, waiting (polling) while a live process holds it. Rejects with the abort
 * reason when `signal` fires while waiting.
 */
export async function acquireLock(lockDir: string, key: string, signal: AbortSignal, onEvent: (e: LockEvent) => void, pollMs = 50): Promise<HeldLock> {
  mkdirSync(lockDir, { recursive: true });
  const file = join(lockDir, `${key}.lock`);
  const me: LockHolder = { pid: process.pid, host: hostname(), command: process.argv.slice(1).join(' '), since: new Date().toISOString() };
  let announced = false;
  for (;;) {
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return { release: () => rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(file);
    if (holder && holder.host === me.host && !alive(holder.pid)) {
      // Move the stale file aside atomically so two breakers cannot both delete a fresh lock.
      const aside = `${file}.stale.${process.pid}`;
      try {
        renameSync(file, aside);
        const moved = readHolder(aside);
        if (moved && moved.pid !== holder.pid) {
          // We raced with another breaker and moved its fresh lock: put it back unless a newer one exists.
          try {
            linkSync(aside, file);
          } catch {
            // A newer lock is in place; the moved one's owner will find its lock gone only at release.
          }
        } else onEvent({ type: 'broken', holder });
        rmSync(aside, { force: true });
      } catch {
        // Someone else broke it first.
      }
      continue;
    }
    if (!announced) {
      onEvent({ type: 'waiting', holder });
      announced = true;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
