/** `nugan show`: where a stage's results are, for cached, stale and unknown stages. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Rig } from './rig.ts';

const pipeline = (text: string) => `name: sh
params: { seed: 3 }
stages:
  prep:
    uses: command
    with: { run: "echo ${text} > d.txt", outputs: [d.txt] }
  fit:
    uses: command
    needs: [prep]
    matrix: { n: [1, 2] }
    with: { run: "echo \${{ matrix.n }} > m.txt", outputs: { model: m.txt } }
`;

describe('nugan show', () => {
  let rig: Rig;
  afterEach(() => rig?.cleanup());

  it('prints the artifact directory, output paths and manifest of a cached stage, the same key that run used', async () => {
    rig = new Rig();
    const p = rig.write('p.yaml', pipeline('one'));
    const run = await rig.runJson(['run', p, '--store', rig.store]);
    expect(run.code).toBe(0);
    const ran = Object.fromEntries(run.doc.stages.map((s) => [s.id, s]));
    const r = await rig.run(['show', 'fit@2', p, '--store', rig.store, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.stages.length).toBe(1);
    const s = doc.stages[0];
    expect(s).toMatchObject({ id: 'fit@2', kind: 'command', state: 'cached', key: ran['fit@2']!.key, dir: join(rig.store, 'artifacts', ran['fit@2']!.key) });
    expect(s.outputs).toEqual(ran['fit@2']!.outputs);
    expect(readFileSync(s.outputs.model, 'utf8')).toBe('2\n');
    expect(s.manifest).toMatchObject({ id: 'fit@2', key: s.key, seed: expect.any(Number), inputs: { prep: ran.prep!.key } });
    expect(JSON.parse(readFileSync(join(s.dir, 'manifest.json'), 'utf8'))).toEqual(s.manifest);
    // Human form: the paths, one per line.
    const human = await rig.run(['show', 'prep', p, '--store', rig.store]);
    expect(human.stdout).toContain(`prep (command): cached\n  artifact  ${join(rig.store, 'artifacts', ran.prep!.key)}\n`);
    expect(human.stdout).toContain(`manifest  ${join(rig.store, 'artifacts', ran.prep!.key, 'manifest.json')}`);
  });

  it('a matrix base id shows every instance', async () => {
    rig = new Rig();
    const p = rig.write('p.yaml', pipeline('one'));
    expect((await rig.run(['run', p, '--store', rig.store])).code).toBe(0);
    const doc = JSON.parse((await rig.run(['show', 'fit', p, '--store', rig.store, '--json'])).stdout);
    expect(doc.stages.map((s: { id: string; state: string }) => `${s.id} ${s.state}`)).toEqual(['fit@1 cached', 'fit@2 cached']);
  });

  it('says why a stale stage is not cached and points at the artifact it last had', async () => {
    rig = new Rig();
    const p = rig.write('p.yaml', pipeline('one'));
    const first = await rig.runJson(['run', p, '--store', rig.store]);
    const oldKey = first.doc.stages.find((s) => s.id === 'prep')!.key;
    rig.write('p.yaml', pipeline('two'));
    const r = await rig.run(['show', 'prep', p, '--store', rig.store, '--json']);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout).stages[0];
    expect(s.state).toBe('stale');
    expect(s.key).not.toBe(oldKey);
    expect(s.reasons).toEqual(['param with.run: "echo one > d.txt" → "echo two > d.txt"']);
    expect(s.last).toMatchObject({ key: oldKey, dir: join(rig.store, 'artifacts', oldKey) });
    expect(existsSync(s.last.outputs['d.txt'])).toBe(true);
    const human = await rig.run(['show', 'prep', p, '--store', rig.store]);
    expect(human.stdout).toMatch(/^prep \(command\): stale\n {2}param with\.run: .*\n {2}last artifact \(finished .*, key [0-9a-f]{32}\): /);
  });

  it('names an unknown stage with a did-you-mean, as a JSON error with --json', async () => {
    rig = new Rig();
    const p = rig.write('p.yaml', pipeline('one'));
    const r = await rig.run(['show', 'fitt', p, '--store', rig.store, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toMatch(/no stage 'fitt' in .*p\.yaml \(did you mean 'fit'\?\)/);
    expect((await rig.run(['show'])).stderr).toMatch(/name a stage: nugan show STAGE \[PIPELINE\]/);
  });
});
