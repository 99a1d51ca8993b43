/**
 * Failures through the real CLI: the failing stage's log tail is shown, its dependents are named as
 * skipped, independent stages still run, and nothing of the failed stage is committed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Rig, states } from './rig.ts';

describe('failures', () => {
  let rig: Rig;
  afterEach(() => rig?.cleanup());

  it('a failing command shows its last log lines, skips its dependents by name and lets other stages finish', async () => {
    rig = new Rig();
    const p = rig.write(
      'p.yaml',
      `stages:
  broken:
    uses: command
    with: { run: "echo preparing; echo 'fatal: no cross-section table' >&2; exit 3", outputs: [x.txt] }
  after:
    uses: command
    needs: [broken]
    with: { run: "${rig.count()}; touch y", outputs: [y] }
  later:
    uses: command
    needs: [after]
    with: { run: "${rig.count()}; touch z", outputs: [z] }
  independent:
    uses: command
    with: { run: "${rig.count()}; touch w", outputs: [w] }
`,
    );
    const r = await rig.runJson(['run', p, '--store', rig.store]);
    expect(r.code).toBe(1);
    expect(states(r.doc)).toEqual({ broken: 'failed', after: 'skipped', later: 'skipped', independent: 'ran' });
    expect(rig.invocations()).toEqual(['independent']);
    expect(r.stderr).toContain("broken failed (stage-failed): command exited with code 3: echo preparing;");
    expect(r.stderr).toContain('| fatal: no cross-section table');
    expect(r.stderr).toContain('skipping its dependents: after, later');
    expect(r.stderr).toMatch(/1 ran, 0 cached, 1 failed, 2 skipped in [\d.]+ s/);
    expect(rig.artifacts()).toHaveLength(1);
  });

  it('a command that does not create a declared output fails with the missing path', async () => {
    rig = new Rig();
    const p = rig.write('p.yaml', `stages:\n  a:\n    uses: command\n    with: { run: "touch made.txt", outputs: [made.txt, forgotten.txt] }\n`);
    const r = await rig.runJson(['run', p, '--store', rig.store]);
    expect(r.code).toBe(1);
    expect(r.doc.stages[0]).toMatchObject({ id: 'a', state: 'failed' });
    expect(r.stderr).toContain('the stage did not create its declared output: forgotten.txt (forgotten.txt)');
    expect(rig.artifacts()).toEqual([]);
  });
});
