/**
 * Locks that no one holds do not stop a run (issue 14, item 3): a 0-byte lock left by a full disk is
 * replaced with a warning, and a run that waits for a live holder says who it waits for, since when, and
 * how to clear the lock (docs/cache.md §8).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Rig, states } from '../cli/rig.ts';

/** Stages run in the runner's process: these tests are about the runner's locks. */
const inline = { NUGAN_INLINE: '1' };

const pipeline = (rig: Rig) => `stages:
  a:
    uses: command
    with: { run: "${rig.count()}; echo a > a.txt", outputs: [a.txt] }
  b:
    uses: command
    needs: [a]
    with: { run: "${rig.count()}; cat \${{ stages.a.outputs.a.txt }} > b.txt", outputs: [b.txt] }
`;

/** The keys the plan would run, by stage id (from `run --dry-run --json`). */
async function plannedKeys(rig: Rig, p: string): Promise<Record<string, string>> {
  const r = await rig.run(['run', p, '--store', rig.store, '--dry-run', '--json']);
  return Object.fromEntries((JSON.parse(r.stdout) as { stages: { id: string; key: string }[] }).stages.map((s) => [s.id, s.key]));
}

describe('locks on a store', () => {
  let rig: Rig;
  afterEach(() => rig?.cleanup());

  it('a run completes when the store holds 0-byte lock files for its stages, and names each lock it replaced', async () => {
    rig = new Rig();
    const p = rig.write('p.yaml', pipeline(rig));
    const keys = await plannedKeys(rig, p);
    mkdirSync(join(rig.store, 'locks'), { recursive: true });
    for (const key of Object.values(keys)) writeFileSync(join(rig.store, 'locks', `${key}.lock`), '');
    const r = await rig.runJson(['run', p, '--store', rig.store], inline);
    expect(r.code, r.stderr).toBe(0);
    expect(states(r.doc)).toEqual({ a: 'ran', b: 'ran' });
    for (const [id, key] of Object.entries(keys)) {
      expect(r.stderr).toContain(`replaced the broken lock of ${id} (the lock file is empty): ${join(rig.store, 'locks', `${key}.lock`)}`);
      expect(existsSync(join(rig.store, 'locks', `${key}.lock`))).toBe(false);
    }
  });

  it('a run waiting for a live holder says which process holds the lock, since when, and which file to delete if it is gone', async () => {
    rig = new Rig();
    const p = rig.write('p.yaml', pipeline(rig));
    const keys = await plannedKeys(rig, p);
    const lockFile = join(rig.store, 'locks', `${keys.a}.lock`);
    mkdirSync(join(rig.store, 'locks'), { recursive: true });
    // This test process is alive: the run must wait for it.
    writeFileSync(lockFile, JSON.stringify({ pid: process.pid, host: hostname(), command: 'nugan run other.yaml', since: '2026-12-01T10:00:00.000Z' }));
    const child = rig.spawn(['run', p, '--store', rig.store], inline);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const t0 = Date.now();
    while (!stderr.includes('waits for') && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 25));
    expect(stderr).toContain(`a waits for pid ${process.pid} on ${hostname()} (nugan run other.yaml) since 2026-12-01T10:00:00.000Z; if that process is gone, delete ${lockFile}`);
    rmSync(lockFile);
    expect(await exited, stderr).toBe(0);
    expect(rig.invocations().sort()).toEqual(['a', 'b']);
  });

  it('a lock that the store cannot hold fails the stage with the error and what to do, instead of calling it interrupted', async () => {
    rig = new Rig();
    const p = rig.write('p.yaml', pipeline(rig));
    mkdirSync(rig.store, { recursive: true });
    writeFileSync(join(rig.store, 'locks'), 'not a directory'); // as unusable as a full disk for lock files
    const r = await rig.runJson(['run', p, '--store', rig.store]);
    expect(r.code).toBe(1);
    expect(states(r.doc)).toEqual({ a: 'failed', b: 'skipped' });
    const a = r.doc.stages.find((s) => s.id === 'a') as { message?: string };
    expect(a.message).toMatch(/could not take the lock of 'a' in the store \(E[A-Z]+: .*locks.*\); the stage did not start: free disk space or repair the store's locks\/ directory, then run again/);
    expect(rig.invocations()).toEqual([]);
  });
});
