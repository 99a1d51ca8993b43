/**
 * Issue 14, item 10: values interpolated into a `command` stage's shell string are data. A store path
 * with a space, a `--set` value holding `;`, `$( )`, backquotes and quotes: every one reaches the
 * program as the one word it is, in plain text, in '…' and in "…", and nothing in it is executed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Rig, states } from '../cli/rig.ts';

let rig: Rig;
afterEach(() => rig?.cleanup());

describe('a command stage with interpolated values', () => {
  it('gets a --set value with ; $( ) and quotes, and an upstream path in a store with a space, as exact words; nothing in them runs', async () => {
    rig = new Rig();
    const p = rig.write(
      'p.yaml',
      `params: { name: world }
stages:
  a:
    uses: command
    with:
      run: "echo \${{ params.name }} > out.txt; echo \\"\${{ params.name }}\\" >> out.txt; echo '\${{ params.name }}' >> out.txt"
      outputs: { out: out.txt }
  b:
    uses: command
    with:
      run: "cat \${{ stages.a.outputs.out }} > copy.txt; cat '\${{ stages.a.outputs.out }}' \\"\${{ stages.a.outputs.out }}\\" >> copy.txt"
      outputs: [copy.txt]
`,
    );
    const value = `x; touch F $(touch G) \`touch H\` "q" 'q' $HOME`;
    const store = join(rig.dir, 'my store');
    const r = await rig.runJson(['run', p, '--store', store, '--set', `name=${value}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(states(r.doc)).toEqual({ a: 'ran', b: 'ran' });
    const out = r.doc.stages.find((s) => s.id === 'a')!.outputs.out!;
    expect(out.startsWith(store)).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe(`${value}\n`.repeat(3));
    expect(readFileSync(r.doc.stages.find((s) => s.id === 'b')!.outputs['copy.txt']!, 'utf8')).toBe(`${value}\n`.repeat(9));
    const verify = await rig.run(['verify', '--store', store]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    for (const f of ['F', 'G', 'H']) {
      expect(existsSync(join(rig.dir, f)), f).toBe(false);
      expect(existsSync(join(store, 'artifacts', r.doc.stages[0]!.key, f)), f).toBe(false);
    }
  });
});
