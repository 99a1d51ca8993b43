/**
 * Issue 14, item 11: a store on a read-only filesystem (a collaboration's results mounted read-only, a
 * DVD-like archive). A fully cached run reads what it needs and says that it is not recorded; a run
 * that would have to write says "store … is read-only" and which stages, exit 1, no EROFS stack trace;
 * `status` works. The store is left exactly as it was.
 *
 * The read-only store is real: as root, each command runs in its own mount namespace with the store
 * bind-mounted read-only (EROFS); as another user, the store's permissions are removed (EACCES).
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Rig, repoRoot, type CliResult } from '../cli/rig.ts';

const isRoot = process.getuid?.() === 0;

/** Whether this machine lets root make a private read-only bind mount (unshare -m). */
function canMountReadOnly(): boolean {
  try {
    execFileSync('unshare', ['-m', 'sh', '-c', 'mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp /tmp && ! touch /tmp/.nugan-ro-probe'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const mode = isRoot ? (canMountReadOnly() ? 'mount' : undefined) : 'chmod';

let rig: Rig;
afterEach(() => {
  if (mode === 'chmod') execFileSync('chmod', ['-R', 'u+w', rig.store]);
  rig?.cleanup();
});

/** Runs the CLI with the rig's store read-only. */
function runReadOnly(args: string[]): Promise<CliResult> {
  const node = [process.execPath, join(repoRoot, 'bin', 'nugan.mjs'), ...args];
  const [cmd, ...argv] = mode === 'mount'
    ? ['unshare', '-m', 'sh', '-c', 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"', rig.store, ...node]
    : node;
  return new Promise((res) => {
    execFile(cmd!, argv, { cwd: rig.dir, env: { ...process.env, CI: '1' } }, (e, stdout, stderr) => res({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr }));
  });
}

/** Every file and directory under the store, with its size: what "left exactly as it was" compares. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).map((d) => join(d.parentPath, d.name).slice(dir.length)).sort();
}

describe.skipIf(!mode)(`a read-only store (${mode ?? 'skipped: root without unshare -m and mount'})`, () => {
  it('serves a fully cached run, says the run is not recorded, and refuses a run that would write, naming the stages', async () => {
    rig = new Rig();
    const p = rig.write(
      'p.yaml',
      `params: { n: 1 }
stages:
  a:
    uses: command
    with: { run: "${rig.count()}; echo \${{ params.n }} > a.txt", outputs: [a.txt] }
  b:
    uses: command
    with: { run: "${rig.count()}; cat \${{ stages.a.outputs.a.txt }} > b.txt", outputs: [b.txt] }
`,
    );
    const first = await rig.runJson(['run', p, '--store', rig.store]);
    expect(first.code, first.stderr).toBe(0);
    const before = snapshot(rig.store);
    if (mode === 'chmod') execFileSync('chmod', ['-R', 'a-w', rig.store]);

    const cached = await runReadOnly(['run', p, '--store', rig.store, '--json']);
    expect(cached.code, cached.stderr).toBe(0);
    expect(JSON.parse(cached.stdout).stages.map((s: { state: string }) => s.state)).toEqual(['cached', 'cached']);
    expect(cached.stderr).toContain(`the store ${rig.store} is read-only: this run is not recorded`);

    const stale = await runReadOnly(['run', p, '--store', rig.store, '--set', 'n=2']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(new RegExp(`nugan run: store ${rig.store} is read-only \\((read-only file system|no permission to write)\\): 2 stages would have to run \\(a, b\\) and write there; give --store DIR`));
    expect(stale.stderr).not.toMatch(/EROFS|EACCES|\n\s+at /);

    const status = await runReadOnly(['status', p, '--store', rig.store, '--set', 'n=2']);
    expect(status.code).toBe(1);
    expect(status.stderr + status.stdout).toMatch(/stale\s+a/);

    expect(rig.invocations()).toEqual(['a', 'b']);
    expect(snapshot(rig.store)).toEqual(before);
  });
});
