/**
 * Issue 14, item 9: `kill -9` of `nugan run` leaves nothing running. Its stage processes see their
 * runner die and stop their stage (a `command` stage's program with it), commit nothing, and the next
 * run neither runs the same stage beside them nor finds debris in the store.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alive } from '../../src/cache/lock.ts';
import { Rig, states } from '../cli/rig.ts';
import { until } from '../wait.ts';

let rig: Rig;
afterEach(() => rig?.cleanup());

describe('kill -9 of nugan run', () => {
  it('stops its stage process and the program it ran; the next run runs the stage once, never beside them, into a clean store', async () => {
    rig = new Rig();
    const d = rig.dir;
    // The program notes its pid, and whether the previous one is still alive when it starts.
    const p = rig.write(
      'p.yaml',
      `stages:
  slow:
    uses: command
    with:
      run: "if [ -e '${d}/cmd.pid' ] && kill -0 $(cat '${d}/cmd.pid') 2>/dev/null; then echo overlap >> '${d}/log'; fi; echo $$ > '${d}/cmd.pid'; ${rig.count()}; touch '${d}/started'; [ -e '${d}/fast' ] || sleep 60; echo done > out.txt"
      outputs: [out.txt]
`,
    );
    const first = rig.spawn(['run', p, '--store', rig.store]);
    const exited = new Promise<void>((r) => first.on('exit', () => r()));
    await until(() => existsSync(join(d, 'started')));
    const stageLock = readdirSync(join(rig.store, 'locks')).find((f) => f.endsWith('.stage.lock'))!;
    const stagePid = (JSON.parse(readFileSync(join(rig.store, 'locks', stageLock), 'utf8')) as { pid: number }).pid;
    const programPid = Number(readFileSync(join(d, 'cmd.pid'), 'utf8'));
    expect(alive(stagePid) && alive(programPid)).toBe(true);

    first.kill('SIGKILL');
    await exited;
    writeFileSync(join(d, 'fast'), '');
    // At once, while the orphaned stage process may still be stopping.
    const again = await rig.runJson(['run', p, '--store', rig.store]);
    expect(again.code, again.stderr).toBe(0);
    expect(states(again.doc)).toEqual({ slow: 'ran' });
    expect(rig.invocations()).toEqual(['slow', 'slow']);
    expect(existsSync(join(d, 'log')), 'the second program started while the first still ran').toBe(false);
    expect(alive(stagePid), `stage process ${stagePid}`).toBe(false);
    expect(alive(programPid), `program ${programPid}`).toBe(false);
    expect(rig.artifacts()).toHaveLength(1);
    expect(readdirSync(join(rig.store, 'tmp'))).toEqual([]);
    expect(readdirSync(join(rig.store, 'locks'))).toEqual([]);
    const verify = await rig.run(['verify', '--store', rig.store]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('stops a stage process whose runner dies while nothing else runs, within seconds', async () => {
    rig = new Rig();
    const d = rig.dir;
    const p = rig.write(
      'p.yaml',
      `stages:\n  slow:\n    uses: command\n    with: { run: "echo $$ > '${d}/cmd.pid'; sleep 60", outputs: [] }\n`,
    );
    const first = rig.spawn(['run', p, '--store', rig.store]);
    await until(() => existsSync(join(d, 'cmd.pid')) && readFileSync(join(d, 'cmd.pid'), 'utf8').endsWith('\n'));
    const programPid = Number(readFileSync(join(d, 'cmd.pid'), 'utf8'));
    first.kill('SIGKILL');
    await until(() => !alive(programPid), 10_000);
    await until(() => readdirSync(join(rig.store, 'tmp')).length === 0, 10_000);
    expect(rig.artifacts()).toEqual([]);
  });
});
