/**
 * `nugan gc` never races a run (issue 14, item 2; docs/cache.md §9): a run's lease keeps what it uses —
 * artifacts it found cached and those it has just made — until it ends, and the store verifies intact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rig } from '../cli/rig.ts';
import { until } from '../wait.ts';

describe('gc while a run uses the store', () => {
  let rig: Rig;
  afterEach(() => rig?.cleanup());

  it('gc during a run keeps the artifacts the run has made and the run completes', async () => {
    rig = new Rig();
    const started = join(rig.dir, 'started');
    const go = join(rig.dir, 'go');
    const p = rig.write(
      'p.yaml',
      `stages:
  a:
    uses: command
    with: { run: "echo alpha > a.txt", outputs: [a.txt] }
  b:
    uses: command
    needs: [a]
    with:
      run: "touch '${started}'; while [ ! -e '${go}' ]; do sleep 0.05; done; cat \${{ stages.a.outputs.a.txt }} > b.txt"
      outputs: [b.txt]
`,
    );
    const child = rig.spawn(['run', p, '--store', rig.store, '--json'], { NUGAN_INLINE: '1' });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await until(() => existsSync(started));
    // No run record references a's fresh artifact yet: only the run's lease keeps it.
    const gc = await rig.run(['gc', '--store', rig.store]);
    expect(gc.code, gc.stderr).toBe(0);
    expect(gc.stdout).toMatch(new RegExp(`kept 2 keys in use by the run of pid ${child.pid} on \\S+ since \\S+ \\(lease ${join(rig.store, 'leases')}/\\S+\\.json\\)`));
    expect(gc.stdout).toContain('removed 0 artifacts');
    writeFileSync(go, '');
    expect(await exited, stderr).toBe(0);
    const doc = JSON.parse(stdout) as { stages: { id: string; state: string; outputs: Record<string, string> }[] };
    expect(doc.stages.map((s) => s.state)).toEqual(['ran', 'ran']);
    expect(readFileSync(doc.stages[1]!.outputs['b.txt']!, 'utf8')).toBe('alpha\n');

    // The run is over: its lease is gone, its record keeps its artifacts.
    const after = await rig.run(['gc', '--store', rig.store]);
    expect(after.stdout).not.toContain('in use by the run');
    expect(after.stdout).toContain('removed 0 artifacts');
    const v = await rig.run(['verify', '--store', rig.store]);
    expect(v.code, v.stdout).toBe(0);
    expect(v.stdout).toMatch(/verified 2 artifacts .*: all intact/);
  });
});
