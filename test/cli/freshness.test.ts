/**
 * Freshness of a 3-stage `command` pipeline run through the real CLI: what reruns, and what does not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { utimesSync } from 'node:fs';
import { Rig, states } from './rig.ts';

function threeStages(rig: Rig, opts: { bParam?: string; withInput?: boolean } = {}): string {
  return rig.write(
    'p.yaml',
    `name: three
params: { greeting: hello }
stages:
  a:
    uses: command
    with:
      run: "${rig.count()}; echo \${{ params.greeting }} > a.txt"
      outputs: [a.txt]
  b:
    uses: command
    needs: [a]
    with:
      run: "${rig.count()}; cat \${{ stages.a.outputs.a.txt }} > b.txt; echo ${opts.bParam ?? 'one'} >> b.txt${opts.withInput ? '; cat data.txt >> b.txt' : ''}"
      outputs: { result: b.txt }${opts.withInput ? '\n      inputs: [data.txt]' : ''}
  c:
    uses: command
    needs: [b]
    with:
      run: "${rig.count()}; cat \${{ stages.b.outputs.result }} > c.txt"
      outputs: [c.txt]
  side:
    uses: command
    with:
      run: "${rig.count()}; echo side > s.txt"
      outputs: [s.txt]
`,
  );
}

describe('freshness', () => {
  let rig: Rig;
  afterEach(() => rig?.cleanup());

  it('runs each stage once, and a second run executes nothing and reports every stage cached', async () => {
    rig = new Rig();
    const p = threeStages(rig);
    const first = await rig.runJson([ 'run', p, '--store', rig.store]);
    expect(first.code).toBe(0);
    expect(states(first.doc)).toEqual({ a: 'ran', b: 'ran', c: 'ran', side: 'ran' });
    expect(rig.invocations().sort()).toEqual(['a', 'b', 'c', 'side']);
    const second = await rig.runJson(['run', p, '--store', rig.store]);
    expect(second.code).toBe(0);
    expect(states(second.doc)).toEqual({ a: 'cached', b: 'cached', c: 'cached', side: 'cached' });
    expect(rig.invocations()).toHaveLength(4);
    expect(second.stderr).toMatch(/0 ran, 4 cached, 0 failed in [\d.]+ s/);
    // Outputs are absolute paths into the store, carried from upstream to downstream.
    const c = second.doc.stages.find((s) => s.id === 'c')!;
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(c.outputs['c.txt']!, 'utf8')).toBe('hello\none\n');
  });

  it("changing one stage's parameter reruns that stage and its dependents only", async () => {
    rig = new Rig();
    await rig.runJson(['run', threeStages(rig), '--store', rig.store]);
    const again = await rig.runJson(['run', threeStages(rig, { bParam: 'two' }), '--store', rig.store]);
    expect(states(again.doc)).toEqual({ a: 'cached', b: 'ran', c: 'ran', side: 'cached' });
    expect(rig.invocations().slice(4).sort()).toEqual(['b', 'c']);
  });

  it('--set of a pipeline param reruns the stages that use it and their dependents', async () => {
    rig = new Rig();
    const p = threeStages(rig);
    await rig.runJson(['run', p, '--store', rig.store]);
    const again = await rig.runJson(['run', p, '--store', rig.store, '--set', 'greeting=bonjour']);
    expect(states(again.doc)).toEqual({ a: 'ran', b: 'ran', c: 'ran', side: 'cached' });
    expect(rig.invocations().slice(4).sort()).toEqual(['a', 'b', 'c']);
  });

  it("changing an input file's content reruns its consumers; touching it without a change does not", async () => {
    rig = new Rig();
    const data = rig.write('data.txt', 'v1\n');
    const p = threeStages(rig, { withInput: true });
    expect((await rig.runJson(['run', p, '--store', rig.store])).code).toBe(0);
    const later = new Date(Date.now() + 5000);
    utimesSync(data, later, later);
    const touched = await rig.runJson(['run', p, '--store', rig.store]);
    expect(states(touched.doc)).toEqual({ a: 'cached', b: 'cached', c: 'cached', side: 'cached' });
    rig.write('data.txt', 'v2\n');
    const changed = await rig.runJson(['run', p, '--store', rig.store]);
    expect(states(changed.doc)).toEqual({ a: 'cached', b: 'ran', c: 'ran', side: 'cached' });
    expect(rig.invocations().slice(4).sort()).toEqual(['b', 'c']);
  });
});
