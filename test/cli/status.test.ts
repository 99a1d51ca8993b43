/** `nugan status`, `nugan dag` and `nugan gc` on a real store. */
import { afterEach, describe, expect, it } from 'vitest';
import { Rig } from './rig.ts';

const pipeline = (rig: Rig, epochs: number, data = 'data.txt') => `name: st
params: { seed: 3 }
stages:
  prep:
    uses: command
    with: { run: "cat ${data} > d.txt", inputs: [${data}], outputs: [d.txt] }
  train:
    uses: command
    needs: [prep]
    matrix: { size: [10, 20] }
    with: { run: "echo \${{ matrix.size }} ${epochs} > m.txt", outputs: [m.txt] }
  eval:
    uses: command
    needs: [train]
    with: { run: "true" }
`;

describe('status, dag and gc', () => {
  let rig: Rig;
  afterEach(() => rig?.cleanup());

  it('status says missing before a run, cached after it, and stale with the changed param path and upstream after an edit', async () => {
    rig = new Rig();
    rig.write('data.txt', 'one\n');
    const p = rig.write('p.yaml', pipeline(rig, 5));
    const before = await rig.run(['status', p, '--store', rig.store, '--json']);
    expect(before.code).toBe(1);
    expect(JSON.parse(before.stdout).stages.map((s: { state: string }) => s.state)).toEqual(['missing', 'missing', 'missing', 'missing']);
    expect((await rig.run(['run', p, '--store', rig.store])).code).toBe(0);
    const after = await rig.run(['status', p, '--store', rig.store]);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('all 4 stages are up to date');

    rig.write('p.yaml', pipeline(rig, 6));
    rig.write('data.txt', 'two\n');
    const stale = await rig.run(['status', p, '--store', rig.store, '--json']);
    const byId = Object.fromEntries(JSON.parse(stale.stdout).stages.map((s: { id: string }) => [s.id, s]));
    expect(byId.prep).toMatchObject({ state: 'stale', reasons: ['input file data.txt changed'] });
    expect(byId['train@10'].reasons).toEqual(['param with.run: "echo \'10\' 5 > m.txt" → "echo \'10\' 6 > m.txt"', "upstream stage 'prep' changed"]);
    expect(byId.eval.reasons).toEqual(["upstream stage 'train@10' changed", "upstream stage 'train@20' changed"]);
  });

  it('dag prints the expanded graph (dot and mermaid are unit-tested in test/runner/dag.test.ts)', async () => {
    rig = new Rig();
    const p = rig.write('p.yaml', pipeline(rig, 5));
    expect((await rig.run(['dag', p])).stdout).toBe('prep (command)\ntrain@10 (command) ← prep\ntrain@20 (command) ← prep\neval (command) ← train@10, train@20\n');
  });

  it('gc removes artifacts no run references any more and keeps the current ones', async () => {
    rig = new Rig();
    rig.write('data.txt', 'one\n');
    const p = rig.write('p.yaml', pipeline(rig, 5));
    await rig.run(['run', p, '--store', rig.store]);
    rig.write('p.yaml', pipeline(rig, 6));
    await rig.run(['run', p, '--store', rig.store]);
    expect(rig.artifacts()).toHaveLength(7);
    const dry = await rig.run(['gc', '--store', rig.store, '--dry-run', '--json']);
    expect(JSON.parse(dry.stdout).removed).toHaveLength(3);
    expect(rig.artifacts()).toHaveLength(7);
    await rig.run(['gc', '--store', rig.store]);
    const kept = rig.artifacts();
    expect(kept).toHaveLength(4);
    expect(kept.sort()).not.toContain(JSON.parse(dry.stdout).removed[0].key);
  });
});
