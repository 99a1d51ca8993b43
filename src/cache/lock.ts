/**
 * Per-key execution locks (house rule 7): a lock file records who holds it (pid, host, command, since).
 * A second `nugan run` that needs the same key waits for the holder, then finds the artifact cached.
 *
 * A lock file is written whole under a temporary name and then hard-linked to its final name (link
 * fails with EEXIST when the lock is taken, atomically, like O_EXCL). So a lock file that exists is
 * never half-written by a live taker, and one that cannot be read (0 bytes after a full disk, not JSON,
 * written by something else) is broken: it is replaced with a warning instead of being waited on forever
 * (docs/cache.md §8). A lock left by a dead process on this host is broken the same way.
 */
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { tempSibling } from '../util/atomic.ts';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly since: string;
}

export interface HeldLock {
  release(): void;
}

/**
 * `waiting`: a live (or remote) holder has it; `broken`: a lock that no one can be holding was replaced
 * (`holder` undefined when the file could not be read, `why` says what was wrong).
 */
export type LockEvent =
  | { type: 'waiting'; holder: LockHolder | undefined; file: string }
  | { type: 'broken'; holder: LockHolder | undefined; file: string; why: string };

/** Whether a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The raw text of a lock file, or undefined when it is gone. */
function readRaw(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as LockHolder;
    return h && typeof h.pid === 'number' && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** Renders a holder for "busy" messages. */
export function describeHolder(h: LockHolder | undefined): string {
  return h ? `pid ${h.pid} on ${h.host} (${h.command}) since ${h.since}` : 'an unreadable lock';
}

/** What a waiting run tells the user: who holds the lock, since when, and how to clear it if that holder is gone. */
export function describeWait(h: LockHolder | undefined, file: string): string {
  const clear = h && h.host !== hostname()
    ? `if that process no longer runs on ${h.host}, delete ${file}`
    : `if that process is gone, delete ${file}`;
  return `${describeHolder(h)}; ${clear}`;
}

/** Why the lock in `text` cannot be held by anyone, or undefined when its holder may be alive. */
function brokenBecause(text: string, me: string): { holder: LockHolder | undefined; why: string } | undefined {
  const holder = parseHolder(text);
  if (!holder) return { holder: undefined, why: text.length === 0 ? 'the lock file is empty' : 'the lock file is not a lock record' };
  if (holder.host === me && !alive(holder.pid)) return { holder, why: `process ${holder.pid} is gone` };
  return undefined;
}

/** Creates `file` holding `text` only if it does not exist; false when it does. Throws other errors (ENOSPC …). */
function createExclusive(file: string, text: string): boolean {
  const tmp = tempSibling(file);
  try {
    writeFileSync(tmp, text);
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Takes the lock `<lockDir>/<name>.lock`, waiting (polling) while a live process holds it. Rejects with
 * the abort reason when `signal` fires while waiting.
 */
export async function acquireLock(lockDir: string, name: string, signal: AbortSignal, onEvent: (e: LockEvent) => void, pollMs = 50): Promise<HeldLock> {
  mkdirSync(lockDir, { recursive: true });
  const file = join(lockDir, `${name}.lock`);
  const me: LockHolder = { pid: process.pid, host: hostname(), command: process.argv.slice(1).join(' '), since: new Date().toISOString() };
  const record = JSON.stringify(me);
  let announced = false;
  for (;;) {
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    if (createExclusive(file, record)) {
      return {
        // Remove only our own lock: one broken by mistake and retaken by another run stays.
        release: () => {
          if (readRaw(file) === record) rmSync(file, { force: true });
        },
      };
    }
    const text = readRaw(file);
    if (text === undefined) continue; // released between our attempt and the read
    const broken = brokenBecause(text, me.host);
    if (broken) {
      breakLock(file, text, () => onEvent({ type: 'broken', file, ...broken }));
      continue;
    }
    if (!announced) {
      onEvent({ type: 'waiting', holder: parseHolder(text), file });
      announced = true;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Moves a broken lock aside atomically, so two breakers cannot both remove a fresh lock: if what was
 * moved is not what was judged broken (another run took the lock in between), it is put back.
 */
function breakLock(file: string, judged: string, onBroken: () => void): void {
  const aside = `${file}.stale.${process.pid}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // someone else broke it first
  }
  if (readRaw(aside) === judged) onBroken();
  else {
    try {
      linkSync(aside, file);
    } catch {
      // A newer lock is in place already.
    }
  }
  rmSync(aside, { force: true });
}
