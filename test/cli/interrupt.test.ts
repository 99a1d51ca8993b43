/**
 * Ctrl-C and concurrent runs: nothing half-done is committed, the next run resumes, and two runs on
 * one store execute each stage once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rig, states } from './rig.ts';
import { until } from '../wait.ts';

function manifestIds(rig: Rig): string[] {
  return rig.artifacts().map((k) => (JSON.parse(readFileSync(join(rig.store, 'artifacts', k, 'manifest.json'), 'utf8')) as { id: string }).id).sort();
}

describe('interrupting a run', () => {
  let rig: Rig;
  afterEach(() => rig?.cleanup());

  it('SIGINT mid-stage leaves no artifact for that stage, exits 130, and the next run completes', async () => {
    rig = new Rig();
    const started = join(rig.dir, 'started');
    const fast = join(rig.dir, 'fast');
    const p = rig.write(
      'p.yaml',
      `stages:
  first:
    uses: command
    with: { run: "${rig.count()}; echo 1 > one.txt", outputs: [one.txt] }
  slow:
    uses: command
    needs: [first]
    with:
      run: "${rig.count()}; echo partial > out.txt; touch '${started}'; [ -e '${fast}' ] || sleep 60; echo done >> out.txt"
      outputs: [out.txt]
`,
    );
    const child = rig.spawn(['run', p, '--store', rig.store]);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await until(() => existsSync(started));
    const t0 = Date.now();
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stderr).toBe(130);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(manifestIds(rig)).toEqual(['first']);
    expect(readdirSync(join(rig.store, 'tmp'))).toEqual([]);

    // Resume: `first` is cached, `slow` runs to completion.
    (await import('node:fs')).writeFileSync(fast, '');
    const again = await rig.runJson(['run', p, '--store', rig.store]);
    expect(again.code).toBe(0);
    expect(states(again.doc)).toEqual({ first: 'cached', slow: 'ran' });
    expect(readFileSync(again.doc.stages[1]!.outputs['out.txt']!, 'utf8')).toBe('partial\ndone\n');
  });
});

describe('concurrent runs on one store', () => {
  let rig: Rig;
  afterEach(() => rig?.cleanup());

  it('two runs at once both succeed and execute each stage exactly once', async () => {
    rig = new Rig();
    const p = rig.write(
      'p.yaml',
      `stages:
  a:
    uses: command
    with: { run: "${rig.count()}; sleep 0.4; echo a > a.txt", outputs: [a.txt] }
  b:
    uses: command
    needs: [a]
    with: { run: "${rig.count()}; sleep 0.4; echo b > b.txt", outputs: [b.txt] }
  c:
    uses: command
    with: { run: "${rig.count()}; sleep 0.4; echo c > c.txt", outputs: [c.txt] }
`,
    );
    const [x, y] = await Promise.all([rig.runJson(['run', p, '--store', rig.store]), rig.runJson(['run', p, '--store', rig.store])]);
    expect([x.code, y.code]).toEqual([0, 0]);
    expect(rig.invocations().sort()).toEqual(['a', 'b', 'c']);
    for (const id of ['a', 'b', 'c']) {
      const seen = [states(x.doc)[id], states(y.doc)[id]].sort();
      expect(seen).toEqual(['cached', 'ran']);
    }
    expect(manifestIds(rig)).toEqual(['a', 'b', 'c']);
  });
});
