/** Execution locks and the store's treatment of damaged artifacts. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock, type LockEvent } from '../../src/cache/lock.ts';
import { ArtifactStore } from '../../src/cache/store.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('locks', () => {
  it('a second taker waits for the holder and gets the lock once it is released', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-lock-'));
    const signal = new AbortController().signal;
    const events: LockEvent[] = [];
    const first = await acquireLock(dir, 'k', signal, () => {});
    let got = false;
    const second = acquireLock(dir, 'k', signal, (e) => events.push(e), 10).then((l) => ((got = true), l));
    await new Promise((r) => setTimeout(r, 60));
    expect(got).toBe(false);
    expect(events[0]).toMatchObject({ type: 'waiting', holder: { pid: process.pid, host: hostname() }, file: join(dir, 'k.lock') });
    first.release();
    (await second).release();
    expect(got).toBe(true);
  });

  it('a lock left by a dead process is broken with a warning event', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-lock-'));
    // pid 2^22+1 is above Linux's default pid_max, so no live process has it.
    writeFileSync(join(dir, 'k.lock'), JSON.stringify({ pid: 4194305, host: hostname(), command: 'nugan run old', since: 'then' }));
    const events: LockEvent[] = [];
    const lock = await acquireLock(dir, 'k', new AbortController().signal, (e) => events.push(e));
    expect(events).toEqual([{ type: 'broken', holder: { pid: 4194305, host: hostname(), command: 'nugan run old', since: 'then' }, file: join(dir, 'k.lock'), why: 'process 4194305 is gone' }]);
    lock.release();
    expect(existsSync(join(dir, 'k.lock'))).toBe(false);
  });

  it('a 0-byte lock file (a full disk while it was written) is replaced at once, with a warning event', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-lock-'));
    writeFileSync(join(dir, 'k.lock'), '');
    const events: LockEvent[] = [];
    const lock = await acquireLock(dir, 'k', new AbortController().signal, (e) => events.push(e));
    expect(events).toEqual([{ type: 'broken', holder: undefined, file: join(dir, 'k.lock'), why: 'the lock file is empty' }]);
    expect(JSON.parse(readFileSync(join(dir, 'k.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a lock file that is not a lock record is replaced too', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-lock-'));
    writeFileSync(join(dir, 'k.lock'), '\0\0\0garbage');
    const events: LockEvent[] = [];
    (await acquireLock(dir, 'k', new AbortController().signal, (e) => events.push(e))).release();
    expect(events).toMatchObject([{ type: 'broken', why: 'the lock file is not a lock record' }]);
  });

  it("releasing a lock that another run has since taken leaves that run's lock in place", async () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-lock-'));
    const mine = await acquireLock(dir, 'k', new AbortController().signal, () => {});
    const theirs = JSON.stringify({ pid: 1, host: 'elsewhere', command: 'nugan run', since: 'now' });
    writeFileSync(join(dir, 'k.lock'), theirs);
    mine.release();
    expect(readFileSync(join(dir, 'k.lock'), 'utf8')).toBe(theirs);
  });

  it('waiting stops when the run is aborted', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-lock-'));
    const held = await acquireLock(dir, 'k', new AbortController().signal, () => {});
    const ac = new AbortController();
    const waiting = acquireLock(dir, 'k', ac.signal, () => {}, 10);
    ac.abort(new Error('SIGINT'));
    await expect(waiting).rejects.toThrow('SIGINT');
    held.release();
  });
});

describe('artifact store', () => {
  it('a half-written manifest is reported as an error (a miss), never used', () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-store-'));
    const store = new ArtifactStore(dir);
    mkdirSync(store.artifactDir('abc'), { recursive: true });
    writeFileSync(join(store.artifactDir('abc'), 'manifest.json'), '{"schema": 1, "id": "a"');
    const m = store.readManifest('abc');
    expect(m).toBeInstanceOf(Error);
    expect((m as Error).message).toContain('not valid JSON');
    expect(store.readManifest('nope')).toBeUndefined();
  });
});
