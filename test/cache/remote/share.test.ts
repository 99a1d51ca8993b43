/**
 * Sharing a cache across machines through a real nginx (docs/cache.md §6): store A runs and pushes,
 * a fresh store B with the same remote pulls every stage, runs nothing, and ends with byte-identical
 * artifacts; `status` explains what only the remote holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rig, states } from '../../cli/rig.ts';
import { env, sharedPipeline, tree } from './fixtures.ts';
import { startNginx, type Nginx } from './nginx.ts';

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
    // A names the remote and asks to push through the environment.
    const pa = sharedPipeline(a);
    const first = await a.run(['run', pa, '--store', a.store, '--json'], env(a, { ...auth, NUGAN_REMOTE: url, NUGAN_PUSH: '1' }));
    expect(first.code, first.stderr).toBe(0);
    const firstDoc = JSON.parse(first.stdout) as { stages: { id: string; state: string }[]; summary: { pushed: unknown } };
    expect(states(firstDoc)).toEqual({ data: 'ran', model: 'ran', report: 'ran' });
    expect(firstDoc.summary.pushed).toEqual({ uploaded: 3, present: 0, failed: 0 });
    expect(first.stderr).not.toContain(nginx.password);

    // B: the same stages in another directory, another store; the remote named by the pipeline's remote:.
    const pb = sharedPipeline(b, '', url);
    const status = await b.run(['status', pb, '--store', b.store], env(b, auth));
    expect(status.stdout).toMatch(/cached \(remote\)\s+data/);
    expect(status.stdout).toMatch(/only the remote cache holds it: pushed .* made on .* by command/);
    expect(status.code).toBe(0);

    const second = await b.run(['run', pb, '--store', b.store, '--json'], env(b, auth));
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

    const after = await b.run(['status', pb, '--store', b.store], env(b, auth));
    expect(after.stdout).toContain('all 3 stages are up to date');
  });

  it('nugan pull STAGE fetches that stage and what it needs, nothing else, and runs nothing', async () => {
    const c = new Rig();
    try {
      const pc = sharedPipeline(c);
      const r = await c.run(['pull', pc, 'model', '--store', c.store, '--remote', url], env(c, auth));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/pulled\s+data\npulled\s+model\n.*: 2 pulled, 0 already local, 0 not on the remote, 0 failed/);
      expect(c.artifacts()).toHaveLength(2);
      expect(c.invocations()).toEqual([]);
    } finally {
      c.cleanup();
    }
  });
});
