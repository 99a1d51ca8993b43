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
