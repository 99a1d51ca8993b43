/**
 * Sharing a cache across machines through a real nginx (docs/cache.md §6): store A runs and pushes,
 * a fresh store B with the same remote pulls every stage, runs nothing, and ends with byte-identical
 * artifacts; `status` explains what only the remote holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Rig, states } from '../../cli/rig.ts';
import { startNginx, type Nginx } from './nginx.ts';

/** Every file under `dir`, relative path → bytes. */
export function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/**
 * Counts invocations through an environment variable (NUGAN_TEST_COUNTER, set per rig by `env`), so the
 * pipeline's text — and so every key — is the same on both "machines".
 */
const COUNT = 'echo $NUGAN_STAGE_ID >> \\"$NUGAN_TEST_COUNTER\\"';
export const env = (rig: Rig, extra: Record<string, string> = {}) => ({ NUGAN_TEST_COUNTER: rig.counter, ...extra });

/** A three-stage pipeline: a random binary file (so a rerun could never reproduce it), a directory output, and a consumer. */
export function sharedPipeline(rig: Rig): string {
  return rig.write(
    'p.yaml',
    `name: shared
stages:
  data:
    uses: command
    with:
      run: "${COUNT}; head -c 300000 /dev/urandom > events.bin"
      outputs: [events.bin]
  model:
    uses: command
    needs: [data]
    with:
      run: "${COUNT}; mkdir -p m/w && cp \${{ stages.data.outputs.events.bin }} m/w/weights.bin && echo '{\\"layers\\": 2}' > m/model.json"
      outputs: { model: m }
  report:
    uses: command
    needs: [model]
    with:
      run: "${COUNT}; ls -R \${{ stages.model.outputs.model }} > report.txt"
      outputs: [report.txt]
`,
  );
}

const server = await startNginx();
const skip = 'skip' in server ? server.skip : undefined;
if (skip) console.warn(skip);

describe.skipIf(!!skip)('a remote cache shared through nginx', () => {
  const nginx = server as Nginx;
  let a: Rig;
  let b: Rig;
  let url: string;
  let auth: Record<string, string>;
  beforeAll(() => {
    a = new Rig();
    b = new Rig();
    url = `${nginx.base}/rw/share/`;
    auth = { NUGAN_REMOTE_AUTH: `${nginx.user}:${nginx.password}` };
  });
  afterAll(() => {
    a?.cleanup();
    b?.cleanup();
    nginx.stop();
  });

  it('store A pushes; a fresh store B pulls every stage, runs nothing, and holds byte-identical artifacts', async () => {
    const pa = sharedPipeline(a);
    const first = await a.run(['run', pa, '--store', a.store, '--remote', url, '--push', '--json'], env(a, auth));
    expect(first.code, first.stderr).toBe(0);
    expect(states(JSON.parse(first.stdout))).toEqual({ data: 'ran', model: 'ran', report: 'ran' });
    expect(first.stderr).not.toContain(nginx.password);

    // B: the same pipeline text in another directory, another store, the same remote.
    const pb = sharedPipeline(b);
    const status = await b.run(['status', pb, '--store', b.store, '--remote', url], env(b, auth));
    expect(status.stdout).toMatch(/cached \(remote\)\s+data/);
    expect(status.stdout).toMatch(/only the remote cache holds it: pushed .* made on .* by command/);
    expect(status.code).toBe(0);

    const second = await b.run(['run', pb, '--store', b.store, '--remote', url, '--json'], env(b, auth));
    expect(second.code, second.stderr).toBe(0);
    const doc = JSON.parse(second.stdout) as { stages: { id: string; state: string; from?: string }[]; summary: { ran: number; pulled: number } };
    expect(states(doc)).toEqual({ data: 'cached', model: 'cached', report: 'cached' });
    expect(doc.stages.every((s) => s.from === 'remote')).toBe(true);
    expect(doc.summary).toMatchObject({ ran: 0, pulled: 3 });
    expect(b.invocations()).toEqual([]);
    expect(b.artifacts().sort()).toEqual(a.artifacts().sort());
    for (const key of a.artifacts()) {
      const fromA = tree(join(a.store, 'artifacts', key));
      const fromB = tree(join(b.store, 'artifacts', key));
      expect([...fromB.keys()]).toEqual([...fromA.keys()]);
      for (const [f, bytes] of fromA) expect(fromB.get(f)!.equals(bytes), `${key}/${f}`).toBe(true);
    }
    // Nothing of the credentials reached the store.
    for (const key of b.artifacts()) expect(readFileSync(join(b.store, 'artifacts', key, 'manifest.json'), 'utf8')).not.toContain(nginx.password);

    const after = await b.run(['status', pb, '--store', b.store, '--remote', url], env(b, auth));
    expect(after.stdout).toContain('all 3 stages are up to date');
  });
});
