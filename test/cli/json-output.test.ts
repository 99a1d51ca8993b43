/** The CLI's machine-readable side: one JSON document on stdout with --json, errors included; usage on stderr. */
import { afterEach, describe, expect, it } from 'vitest';
import { Rig } from './rig.ts';

describe('--json documents and usage', () => {
  let rig: Rig;
  afterEach(() => rig?.cleanup());

  it('a bare nugan prints usage on stderr only and exits 2; --help prints it on stdout and exits 0', async () => {
    rig = new Rig();
    const bare = await rig.run([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toMatch(/^usage: nugan <command>/);
    expect(bare.stderr).toMatch(/\n {2}show +print a stage's artifact directory/);
    const help = await rig.run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: nugan <command>/);
  });

  it('an input error with --json prints one error document naming the file and line, and exits non-zero', async () => {
    rig = new Rig();
    const csv = rig.write('bad.csv', 'E_nu,E_mu,theta\n1,0.5,0.1\n1,0.5,x\n');
    const r = await rig.run(['ingest', csv, '--out', 'o.arrow', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ error: { message: "field 'x' is not a number", file: csv, line: 3, column: 'theta' } });
    expect(r.stderr).toMatch(/bad\.csv:3 \[theta\]: field 'x' is not a number/);
    // The same failure without --json leaves stdout empty.
    expect((await rig.run(['ingest', csv, '--out', 'o.arrow'])).stdout).toBe('');
  });

  it('an unknown option and an unknown command with --json are error documents too', async () => {
    rig = new Rig();
    const opt = await rig.run(['inspect', 'x.arrow', '--bogus', '--json']);
    expect(opt.code).toBe(1);
    expect(JSON.parse(opt.stdout).error.message).toMatch(/Unknown option '--bogus'.*nugan inspect accepts: --json/);
    const cmd = await rig.run(['frobnicate', '--json']);
    expect(cmd.code).toBe(2);
    expect(JSON.parse(cmd.stdout)).toEqual({ error: { message: "unknown command 'frobnicate'" } });
  });

  it('a pipeline with problems gives, with --json, the first one with file, line and column and all of them under problems', async () => {
    rig = new Rig();
    const p = rig.write('p.yaml', 'name: x\nstages:\n  a:\n    uses: comand\n    with: { run: "true" }\n  b:\n    uses: command\n    needs: [c]\n    with: { run: "true" }\n');
    for (const cmd of ['run', 'status', 'dag']) {
      const r = await rig.run([cmd, p, ...(cmd === 'dag' ? [] : ['--store', rig.store]), '--json']);
      expect(r.code, cmd).toBe(1);
      const doc = JSON.parse(r.stdout);
      expect(doc.error).toMatchObject({ file: p, line: 4, column: 11 });
      expect(doc.error.message).toMatch(/comand/);
      expect(doc.error.problems.length).toBe(2);
      expect(doc.error.problems[1]).toMatchObject({ file: p, line: 8 });
      expect(r.stderr).toMatch(/2 problems found/);
    }
  });

  it('dag --json lists every instance with its kind, needs and matrix values in dependency order', async () => {
    rig = new Rig();
    const p = rig.write('p.yaml', 'name: g\nparams: { seed: 2 }\nstages:\n  a:\n    uses: command\n    with: { run: "true" }\n  b:\n    uses: command\n    needs: [a]\n    matrix: { n: [1, 2] }\n    with: { run: "echo ${{ matrix.n }}" }\n');
    const r = await rig.run(['dag', p, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ pipeline: p, name: 'g' });
    expect(doc.stages.map((s: { id: string; base: string; kind: string; needs: string[]; matrix?: unknown }) => [s.id, s.base, s.kind, s.needs, s.matrix])).toEqual([
      ['a', 'a', 'command', [], undefined],
      ['b@1', 'b', 'command', ['a'], { n: 1 }],
      ['b@2', 'b', 'command', ['a'], { n: 2 }],
    ]);
    expect(doc.stages.every((s: { seed: unknown; cacheable: unknown }) => Number.isInteger(s.seed) && s.cacheable === true)).toBe(true);
    expect((await rig.run(['dag', p, '--json', '--format', 'dot'])).stderr).toMatch(/cannot be combined with --format dot/);
  });
});
