/**
 * Issue 14, item 7 and the pipeline items of its "Low" list: pipelines and `--set` values that used to
 * run the wrong thing or end in a stack trace are refused at plan time, through the real CLI, with a
 * diagnostic at the offending line, exit code 1, and nothing run or written to the store.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Rig } from '../cli/rig.ts';

let rig: Rig;
afterEach(() => rig?.cleanup());

/** `nugan run` of `yaml` (plus args): refused with exit 1, no stack trace, nothing run, no store made. */
async function refused(yaml: string, args: string[] = []): Promise<string> {
  const p = rig.write('p.yaml', yaml);
  const r = await rig.run(['run', p, '--store', rig.store, ...args]);
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
  expect(rig.invocations()).toEqual([]);
  expect(existsSync(rig.store)).toBe(false);
  return r.stderr;
}

describe('matrix instance ids', () => {
  it('that two combinations would share are a plan-time error naming both combinations', async () => {
    rig = new Rig();
    const stderr = await refused(`stages:
  a:
    uses: command
    matrix: { p: [x-y, x], q: [z, y-z] }
    with: { run: "${rig.count()}; echo > o", outputs: [o] }
`);
    expect(stderr).toMatch(/p\.yaml:4:5 matrix instances \{"p":"x-y","q":"z"\} and \{"p":"x","q":"y-z"\} of stage 'a' both get the id 'a@x-y-z'/);
    expect(stderr).toContain('1 problem found.');
  });

  it('of a matrix of ten million combinations are never built: the error gives the axis sizes', async () => {
    rig = new Rig();
    const ten = '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]';
    const axes = ['p', 'q', 'r', 's', 't', 'u', 'v'].map((a) => `${a}: ${ten}`).join(', ');
    const stderr = await refused(`stages:
  a:
    uses: command
    matrix: { ${axes} }
    with: { run: "${rig.count()}", outputs: [] }
`);
    expect(stderr).toMatch(/the matrix of stage 'a' has 1\.00e\+7 combinations \(p: 10 × q: 10 × r: 10 × s: 10 × t: 10 × u: 10 × v: 10\), more than the 1,000,000 instances a pipeline may plan/);
  });
});

describe('YAML that no parameter can mean', () => {
  it('an alias bomb is refused before it is expanded', async () => {
    rig = new Rig();
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 7; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const stderr = await refused(`params:\n  ${levels.join('\n  ')}\nstages:\n  s: { uses: command, with: { run: "${rig.count()}" } }\n`);
    expect(stderr).toMatch(/p\.yaml:1:1 YAML: the document's aliases \(\*name\) expand to more than 10,000 nodes/);
  });

  it('.inf and .nan are refused where they are written', async () => {
    rig = new Rig();
    const stderr = await refused(`params: { n: .nan }
stages:
  sim:
    uses: simulate
    with: { domain: nu-carbon, events: .inf, enu: 1 }
`);
    expect(stderr).toMatch(/p\.yaml:1:14 YAML: \.nan is not a finite number/);
    expect(stderr).toMatch(/p\.yaml:5:40 YAML: \.inf is not a finite number/);
    expect(stderr).toContain('2 problems found.');
  });
});

describe('--set', () => {
  const pipeline = (rig: Rig) => `params: { name: x }\nstages:\n  a:\n    uses: command\n    with: { run: "${rig.count()}", outputs: [] }\n`;

  it('refuses __proto__, constructor and prototype as names instead of polluting Object.prototype, and .inf as a value', async () => {
    rig = new Rig();
    const stderr = await refused(pipeline(rig), ['--set', 'params.__proto__.polluted=1', '--set', 'constructor.prototype.x=1', '--set', 'a.__proto__=1', '--set', 'params.name=.inf']);
    expect(stderr).toContain("--set params.__proto__.polluted: '__proto__' cannot be a parameter name");
    expect(stderr).toContain("--set constructor.prototype.x: 'constructor' cannot be a parameter name");
    expect(stderr).toContain("--set a.__proto__: '__proto__' cannot be a parameter name");
    expect(stderr).toContain('--set params.name=.inf: .inf is not a finite number');
    expect(stderr).toContain('4 problems found.');
  });
});
