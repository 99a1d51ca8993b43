/**
 * Issue 14, "Low" list: gc deletes only what nugan made and says all it deletes. It refuses a
 * directory that is not a store, lists temporary entries in --dry-run, and removes the job files and
 * temporary directories a killed run left behind — while every artifact a run recorded survives
 * (`nugan verify` passes).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Rig } from '../cli/rig.ts';

let rig: Rig;
afterEach(() => rig?.cleanup());

/** The pid of a process that has exited (so it is certainly not alive). */
function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
}

describe('nugan gc', () => {
  it('refuses a directory that is not a store and deletes nothing in it', async () => {
    rig = new Rig();
    const dir = join(rig.dir, 'build');
    mkdirSync(join(dir, 'artifacts', 'release'), { recursive: true });
    mkdirSync(join(dir, 'tmp'));
    writeFileSync(join(dir, 'artifacts', 'release', 'app.bin'), 'x');
    writeFileSync(join(dir, 'tmp', 'notes.txt'), 'y');
    const r = await rig.run(['gc', '--store', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`nugan gc: ${dir} is not a nugan artifact store (it has none of runs, last, leases, locks, hashes.json); gc removes nothing from it`);
    expect(readdirSync(join(dir, 'artifacts', 'release'))).toEqual(['app.bin']);
    expect(readdirSync(join(dir, 'tmp'))).toEqual(['notes.txt']);
  });

  it('lists the job files and temp dirs a killed run left in --dry-run, removes them, and keeps every recorded artifact intact', async () => {
    rig = new Rig();
    const p = rig.write('p.yaml', 'stages:\n  a:\n    uses: command\n    with: { run: "echo a > a.txt", outputs: [a.txt] }\n');
    const first = await rig.runJson(['run', p, '--store', rig.store]);
    expect(first.code, first.stderr).toBe(0);
    const key = first.doc.stages[0]!.key;
    const pid = deadPid();
    const jobFile = join(rig.store, 'tmp', `job-${key}.${pid}.0.json`);
    const stageDir = join(rig.store, 'tmp', `${key}.${pid}.k3x9`);
    writeFileSync(jobFile, '{}');
    mkdirSync(stageDir);

    const dry = await rig.run(['gc', '--store', rig.store, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`would remove temporary ${jobFile} (its process is gone)`);
    expect(dry.stdout).toContain(`would remove temporary ${stageDir} (its process is gone)`);
    expect(existsSync(jobFile) && existsSync(stageDir)).toBe(true);

    const gc = await rig.run(['gc', '--store', rig.store]);
    expect(gc.code, gc.stderr).toBe(0);
    expect(readdirSync(join(rig.store, 'tmp'))).toEqual([]);
    expect(rig.artifacts()).toEqual([key]);
    const verify = await rig.run(['verify', '--store', rig.store]);
    expect(verify.code, verify.stderr + verify.stdout).toBe(0);
  });
});
