/**
 * Issue 14, "Low" list: an artifact holds its files itself. A stage whose output is a symbolic link out
 * of its directory fails (nothing committed); a manifest whose paths lead out of its artifact is never
 * followed: the artifact is treated as corrupt and rebuilt.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Rig, states } from '../cli/rig.ts';

let rig: Rig;
afterEach(() => rig?.cleanup());

describe('symbolic links in a stage directory', () => {
  it('to a file outside it fail the stage, naming the link and its target; links inside it are kept; the store stays clean', async () => {
    rig = new Rig();
    const outside = rig.write('outside.txt', "not the artifact's\n");
    const p = rig.write(
      'p.yaml',
      `stages:
  a:
    uses: command
    with: { run: "ln -s '${outside}' out.txt", outputs: [out.txt] }
  b:
    uses: command
    with: { run: "echo x > real.txt; ln -s real.txt out.txt", outputs: [out.txt] }
`,
    );
    const r = await rig.runJson(['run', p, '--store', rig.store]);
    expect(r.code).toBe(1);
    expect(states(r.doc)).toEqual({ a: 'failed', b: 'ran' });
    expect(JSON.stringify(r.doc)).toContain(`out.txt is a symbolic link to ${outside}, outside the stage's directory`);
    expect(readFileSync(r.doc.stages.find((s) => s.id === 'b')!.outputs['out.txt']!, 'utf8')).toBe('x\n');
    expect(rig.artifacts()).toHaveLength(1);
    expect(readdirSync(join(rig.store, 'tmp'))).toEqual([]);
  });
});

describe('a manifest whose output path leads out of its artifact', () => {
  it('is never followed: the artifact is reported corrupt and rebuilt', async () => {
    rig = new Rig();
    const p = rig.write('p.yaml', `stages:\n  a:\n    uses: command\n    with: { run: "${rig.count()}; echo mine > out.txt", outputs: { out: out.txt } }\n`);
    const first = await rig.runJson(['run', p, '--store', rig.store]);
    expect(first.code, first.stderr).toBe(0);
    const key = first.doc.stages[0]!.key;
    const manifestFile = join(rig.store, 'artifacts', key, 'manifest.json');
    const m = JSON.parse(readFileSync(manifestFile, 'utf8'));
    m.outputs.out.path = '../../../outside.txt';
    writeFileSync(manifestFile, JSON.stringify(m));
    rig.write('outside.txt', 'someone else\'s\n');
    const again = await rig.runJson(['run', p, '--store', rig.store]);
    expect(again.code, again.stderr).toBe(0);
    expect(states(again.doc)).toEqual({ a: 'ran' });
    expect(again.stderr).toMatch(/manifest output 'out' has the path "\.\.\/\.\.\/\.\.\/outside\.txt", which leads out of the artifact/);
    expect(rig.invocations()).toEqual(['a', 'a']);
    expect(readFileSync(again.doc.stages[0]!.outputs.out!, 'utf8')).toBe('mine\n');
    const verify = await rig.run(['verify', '--store', rig.store]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });
});
