/** `nugan exec-stage --job FILE.json`: what a SLURM job runs. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commandJob } from '../runner/executor-suite.ts';
import { Rig } from './rig.ts';

describe('exec-stage', () => {
  let rig: Rig;
  afterEach(() => rig?.cleanup());

  it('runs one job spec into the store and exits 0, or exits 1 with the reason when the stage fails', async () => {
    rig = new Rig();
    mkdirSync(rig.store, { recursive: true });
    const good = commandJob(rig.store, rig.dir, { run: 'echo ok > o.txt', outputs: ['o.txt'] });
    const bad = commandJob(rig.store, rig.dir, { run: 'exit 9' });
    writeFileSync(join(rig.dir, 'good.json'), JSON.stringify(good));
    writeFileSync(join(rig.dir, 'bad.json'), JSON.stringify(bad));
    const [ok, fail] = await Promise.all([rig.run(['exec-stage', '--job', 'good.json']), rig.run(['exec-stage', '--job', 'bad.json'])]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, artifact: { key: good.key } });
    expect(existsSync(join(rig.store, 'artifacts', good.key, 'o.txt'))).toBe(true);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toContain('stage-failed: command exited with code 9: exit 9');
  });
});
