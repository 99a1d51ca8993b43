/**
 * Configuration errors through the real CLI: each names file:line:col, shows the source line with an
 * underline, says what was expected, and all problems come in one pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rig } from './rig.ts';

describe('configuration errors', () => {
  let rig: Rig;
  beforeAll(() => {
    rig = new Rig();
  });
  afterAll(() => rig.cleanup());

  it('a dependency cycle is named stage by stage, each edge with its line', async () => {
    const p = rig.write(
      'cycle.yaml',
      `stages:
  a:
    uses: command
    needs: [c]
    with: { run: "true" }
  b:
    uses: command
    needs: [a]
    with: { run: "true" }
  c:
    uses: command
    needs:
      - b
    with: { run: "true" }
`,
    );
    const r = await rig.run(['run', p, '--store', rig.store]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cycle.yaml:4:13 dependency cycle: a → c → b → a');
    expect(r.stderr).toContain(`  cycle.yaml:4:13 'a' needs 'c'\n          needs: [c]\n                  ^`);
    expect(r.stderr).toContain(`  cycle.yaml:13:9 'c' needs 'b'\n            - b\n              ^`);
    expect(r.stderr).toContain(`  cycle.yaml:8:13 'b' needs 'a', closing the cycle`);
    expect(rig.artifacts()).toEqual([]);
  });

  it('an unknown key gets a did-you-mean and the list of valid keys, underlined where it is, and other stages are still checked', async () => {
    const p = rig.write(
      'unknown.yaml',
      `stages:
  a:
    uses: command
    nedds: [b]
    with: { run: "true" }
  p:
    uses: command
    with: { run: "true", ouputs: [x] }
  b:
    uses: command
    needs: [b2]
    with: { run: "true" }
  b2:
    uses: command
    needs: [b]
    with: { run: "true" }
`,
    );
    const r = await rig.run(['run', p, '--store', rig.store]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "unknown.yaml:4:5 unknown key 'nedds' in stages.a (did you mean 'needs'?); expected one of: uses, description, needs, with, matrix\n        nedds: [b]\n        ^~~~~",
    );
    expect(r.stderr).toContain("unknown.yaml:8:26 unknown key 'ouputs' in stages.p.with (did you mean 'outputs'?)");
    expect(r.stderr).toContain('unknown.yaml:11:13 dependency cycle: b → b2 → b');
    expect(r.stderr).toContain('3 problems found.');
  });

  it('a missing needs target, an unknown kind and an interpolation that names nothing and an empty matrix are all reported in one pass', async () => {
    const p = rig.write(
      'missing.yaml',
      `params: { size: 10 }
stages:
  data:
    uses: command
    with: { run: "echo \${{ params.szie }}" }
  train:
    uses: comand
  eval:
    uses: command
    needs: [dta]
    with: { run: "true" }
  t:
    uses: command
    matrix:
      x: [1]
      exclude: [{ x: 1 }]
    with: { run: "echo \${{ matrix.x }}" }
`,
    );
    const r = await rig.run(['run', p, '--store', rig.store]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("missing.yaml:10:13 stage 'eval' needs 'dta', which is not a stage of this pipeline (did you mean 'data'?)\n        needs: [dta]\n                ^~~");
    expect(r.stderr).toContain("missing.yaml:7:11 unknown stage kind 'comand' in stage 'train' (did you mean 'command'?)");
    expect(r.stderr).toContain("missing.yaml:5:18 ${{ params.szie }} names nothing: params has no 'szie' (did you mean 'size'?)");
    expect(r.stderr).toContain("missing.yaml:14:5 the matrix of stage 't' expands to nothing");
    expect(r.stderr).toContain('4 problems found.');
  });


  it('freezing more blocks than the network has is an error at its line, before anything runs', async () => {
    const p = rig.write(
      'freeze.yaml',
      `stages:
  data:
    uses: simulate
    with: { domain: nu-carbon, events: 100, enu: 1 }
  tune:
    uses: train
    with:
      data: data
      architecture: { blocks: 2 }
      freeze: { generator: 9, discriminator: [block0, block5] }
`,
    );
    const r = await rig.run(['run', p, '--store', rig.store]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('freeze.yaml:10:28 stages.tune.with.freeze.generator: 9 blocks, but the generator has 2 (freeze 0…2, or name blocks: block0…, out)');
    expect(r.stderr).toContain("freeze.yaml:10:55 stages.tune.with.freeze.discriminator.1: no block 'block5' in a discriminator of 2 blocks (block0…block1, out)");
    expect(rig.artifacts()).toEqual([]);
  });
});
