/**
 * Cached artifacts are used only while their files match their manifests (issue 14, item 4;
 * docs/cache.md §7): a truncated, changed or deleted output file is reported, the artifact moved to
 * quarantine and rebuilt by the next run; damage that leaves size and time alone is found by
 * `nugan verify` / `nugan status --verify`. Every test ends with a `verify` of the whole store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rig, states } from '../cli/rig.ts';

/** Stages run inside the runner's process: these tests are about the store, not about stage processes. */
const inline = { NUGAN_INLINE: '1' };

/** Independent stages, one per kind of damage, and one that uses two of them. */
const pipeline = (rig: Rig) => `stages:
  truncated:
    uses: command
    with: { run: "${rig.count()}; echo alpha > a.txt", outputs: [a.txt] }
  deleted:
    uses: command
    with: { run: "${rig.count()}; mkdir -p d/e; echo hello > d/e/x.txt", outputs: [d] }
  edited:
    uses: command
    with: { run: "${rig.count()}; echo gamma > c.txt", outputs: [c.txt] }
  touched:
    uses: command
    with: { run: "${rig.count()}; echo delta > t.txt", outputs: [t.txt] }
  unreadable:
    uses: command
    with: { run: "${rig.count()}; echo eps > u.txt", outputs: [u.txt] }
  user:
    uses: command
    needs: [truncated, deleted]
    with: { run: "${rig.count()}; cat \${{ stages.truncated.outputs.a.txt }} \${{ stages.deleted.outputs.d }}/e/x.txt > b.txt", outputs: [b.txt] }
`;

interface Run {
  dirs: Record<string, string>;
  keys: Record<string, string>;
}

async function firstRun(rig: Rig, p: string): Promise<Run> {
  const r = await rig.runJson(['run', p, '--store', rig.store], inline);
  expect(r.code, r.stderr).toBe(0);
  const keys = Object.fromEntries(r.doc.stages.map((s) => [s.id, s.key]));
  return { keys, dirs: Object.fromEntries(Object.entries(keys).map(([id, k]) => [id, join(rig.store, 'artifacts', k)])) };
}

/** `nugan verify` of the whole store passes. */
async function expectStoreIntact(rig: Rig, artifacts: number): Promise<void> {
  const v = await rig.run(['verify', '--store', rig.store]);
  expect(v.code, v.stdout + v.stderr).toBe(0);
  expect(v.stdout).toMatch(new RegExp(`verified ${artifacts} artifacts .*: all intact`));
}

describe('corrupt artifacts', () => {
  let rig: Rig;
  afterEach(() => rig?.cleanup());

  it('truncated, deleted and edited files and an unreadable manifest are reported, moved to quarantine and rebuilt by the next run, never used; a touched file stays cached', async () => {
    rig = new Rig();
    const p = rig.write('p.yaml', pipeline(rig));
    const { dirs, keys } = await firstRun(rig, p);
    truncateSync(join(dirs.truncated!, 'a.txt'), 2);
    rmSync(join(dirs.deleted!, 'd', 'e', 'x.txt'));
    writeFileSync(join(dirs.edited!, 'c.txt'), 'gammA\n'); // same size, new time
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dirs.touched!, 't.txt'), later, later); // new time, same content
    writeFileSync(join(dirs.unreadable!, 'manifest.json'), '{"schema": 1, "id"');

    const r = await rig.runJson(['run', p, '--store', rig.store, '--force', 'user'], inline);
    expect(r.code, r.stderr).toBe(0);
    expect(states(r.doc)).toEqual({ truncated: 'ran', deleted: 'ran', edited: 'ran', touched: 'cached', unreadable: 'ran', user: 'ran' });
    const moved = (id: string) => `moved to ${join(rig.store, 'quarantine', keys[id]!)}.`;
    expect(r.stderr).toContain(`the artifact ${keys.truncated} of truncated is corrupt (a.txt is 2 bytes, its manifest says 6); ${moved('truncated')}`);
    expect(r.stderr).toContain(`the artifact ${keys.deleted} of deleted is corrupt (d/e/x.txt is missing); ${moved('deleted')}`);
    expect(r.stderr).toMatch(new RegExp(`the artifact ${keys.edited} of edited is corrupt \\(c\\.txt changed since the artifact was made \\(content xxh64:[0-9a-f]{16}, its manifest says xxh64:[0-9a-f]{16}\\)\\)`));
    expect(r.stderr).toContain(`the artifact ${keys.unreadable} of unreadable is corrupt (${join(dirs.unreadable!, 'manifest.json')}: not valid JSON`);
    expect(r.stderr).not.toContain(`of touched is corrupt`);
    // The dependent saw the rebuilt files, not the damaged ones.
    expect(readFileSync(join(dirs.user!, 'b.txt'), 'utf8')).toBe('alpha\nhello\n');
    expect(readFileSync(join(dirs.edited!, 'c.txt'), 'utf8')).toBe('gamma\n');
    // Moved aside, not deleted: the damaged copies are there to inspect.
    const quarantined = readdirSync(join(rig.store, 'quarantine'));
    expect(quarantined.map((n) => n.slice(0, 32)).sort()).toEqual([keys.truncated, keys.deleted, keys.edited, keys.unreadable].sort());
    expect(readFileSync(join(rig.store, 'quarantine', quarantined.find((n) => n.startsWith(keys.truncated!))!, 'a.txt'), 'utf8')).toBe('al');
    expect(rig.invocations().filter((id) => id === 'touched')).toEqual(['touched']);
    await expectStoreIntact(rig, 6);
  });

  it('a flipped bit that left size and time alone is reported by status --verify without moving anything, then moved aside by verify and rebuilt by run', async () => {
    rig = new Rig();
    const p = rig.write('p.yaml', pipeline(rig));
    const { dirs, keys } = await firstRun(rig, p);
    const file = join(dirs.truncated!, 'a.txt');
    const ref = join(rig.dir, 'times');
    copyFileSync(file, ref);
    execFileSync('touch', ['-r', file, ref]);
    const bytes = readFileSync(file);
    bytes[0]! ^= 0x01;
    writeFileSync(file, bytes);
    execFileSync('touch', ['-r', ref, file]); // as bit rot would: same size, same time

    const st = await rig.run(['status', p, '--store', rig.store, '--verify', '--json']);
    expect(st.code).toBe(1);
    const stage = (JSON.parse(st.stdout) as { stages: { id: string; state: string; causes: { type: string; problem: string }[] }[] }).stages.find((s) => s.id === 'truncated')!;
    expect(stage).toMatchObject({ state: 'missing', causes: [{ type: 'corrupt' }] });
    expect(stage.causes[0]!.problem).toContain('a.txt changed since the artifact was made');
    expect(existsSync(dirs.truncated!)).toBe(true); // status only reports

    const v = await rig.run(['verify', '--store', rig.store]);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain(`corrupt  truncated ${keys.truncated}: a.txt changed since the artifact was made`);
    expect(v.stdout).toMatch(/verified 6 artifacts .*: 1 corrupt, moved to .*quarantine; the next run rebuilds them/);
    expect(existsSync(dirs.truncated!)).toBe(false);

    const r = await rig.runJson(['run', p, '--store', rig.store], inline);
    expect(states(r.doc)).toMatchObject({ truncated: 'ran', deleted: 'cached', user: 'cached' });
    expect(readFileSync(file, 'utf8')).toBe('alpha\n');
    await expectStoreIntact(rig, 6);
  });
});
