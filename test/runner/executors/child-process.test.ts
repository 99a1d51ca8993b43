/**
 * A stage process always dies with its runner (issue 14, item 1): one that does not stop on SIGTERM (a
 * stage stuck in a synchronous loop) is killed after the grace period, and one still running when the
 * runner exits is killed with it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive } from '../../../src/cache/lock.ts';
import { runInChildProcess } from '../../../src/runner/executors/child-process.ts';
import type { StageJobSpec } from '../../../src/runner/executor.ts';
import { repoRoot } from '../../cli/rig.ts';
import { until } from '../../wait.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A "stage process" that ignores SIGTERM, then writes its pid, and spins on its event loop forever. The
 * handler goes first: a SIGTERM that arrived between the pid file and the handler would kill it at once.
 */
const stubborn = (pidFile: string) => [process.execPath, '-e', `process.on('SIGTERM', () => {}); require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000);`];

function job(storeDir: string): StageJobSpec {
  return { schema: 1, id: 'stuck', kind: 'command', key: 'k', keyData: {}, params: {}, inputs: {}, pipelineFile: 'p.yaml', pipelineDir: '.', seed: 1, resources: { cpus: 1, gpus: 0 }, storeDir } as unknown as StageJobSpec;
}

describe('stage processes', () => {
  it('a stage process that ignores SIGTERM is killed with SIGKILL once the grace period after an abort has passed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-child-'));
    const pidFile = join(dir, 'pid');
    const ac = new AbortController();
    const outcome = runInChildProcess(job(dir), { signal: ac.signal, gpus: [], onProgress: () => {} }, stubborn(pidFile), 300);
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '');
    await new Promise((r) => setTimeout(r, 100)); // insurance: the child is past its first tick, its handler surely live
    const t0 = Date.now();
    ac.abort(new Error('SIGINT'));
    const o = await outcome;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(o).toMatchObject({ ok: false, reason: 'aborted' });
    expect((o as { message: string }).message).toContain('was killed by SIGKILL');
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('a stage process still running when its runner exits is killed with it', () => {
    dir = mkdtempSync(join(tmpdir(), 'nugan-child-'));
    const pidFile = join(dir, 'pid');
    // A runner that starts a stage process, waits until it is up, then leaves at once (a second Ctrl-C).
    const runner = `
      import { existsSync, readFileSync } from 'node:fs';
      import { runInChildProcess } from ${JSON.stringify(join(repoRoot, 'src/runner/executors/child-process.ts'))};
      void runInChildProcess(${JSON.stringify(job(dir))}, { signal: new AbortController().signal, gpus: [], onProgress: () => {} }, ${JSON.stringify(stubborn(pidFile))});
      const t = setInterval(() => { if (existsSync(${JSON.stringify(pidFile)}) && readFileSync(${JSON.stringify(pidFile)}, 'utf8')) { clearInterval(t); process.exit(130); } }, 20);
    `;
    try {
      execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', runner], { cwd: repoRoot, stdio: 'pipe', timeout: 30_000 });
    } catch (err) {
      expect((err as { status: number }).status).toBe(130);
    }
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    // SIGKILL is delivered at once; the zombie is reaped by init shortly after.
    const t0 = Date.now();
    while (alive(pid) && Date.now() - t0 < 2000) execFileSync('sleep', ['0.05']);
    expect(alive(pid)).toBe(false);
  });
});
