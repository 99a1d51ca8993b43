/**
 * Faults of the remote cache against a real nginx (docs/cache.md §6.5): each gives a clear message,
 * the run goes on locally (or fails with --remote-only), and the local store holds only whole,
 * correct artifacts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashOutput } from '../../../src/cache/hash.ts';
import { RemoteCache } from '../../../src/cache/remote/remote-cache.ts';
import { ArtifactStore } from '../../../src/cache/store.ts';
import { Rig, states } from '../../cli/rig.ts';
import { env, sharedPipeline, tree } from './fixtures.ts';
import { startNginx, type Nginx } from './nginx.ts';

const server = await startNginx();
const skip = 'skip' in server ? server.skip : undefined;
if (skip) console.warn(skip);

/** Every artifact of a store is whole: a valid manifest whose outputs hash to what it says. */
async function expectIntact(store: string): Promise<void> {
  const s = new ArtifactStore(store);
  for (const key of s.listArtifacts()) {
    const m = s.readManifest(key);
    if (!m || m instanceof Error) throw new Error(`artifact ${key}: ${m instanceof Error ? m.message : 'no manifest'}`);
    for (const out of Object.values(m.outputs)) expect((await hashOutput(join(s.artifactDir(key), out.path))).hash).toBe(out.hash);
  }
  // Nothing half-downloaded is left in the temporary area either.
  const tmp = join(store, 'tmp');
  expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
}

const rigs: Rig[] = [];
const newRig = () => {
  const r = new Rig();
  rigs.push(r);
  return r;
};

describe.skipIf(!!skip)('remote cache faults', () => {
  const nginx = server as Nginx;
  let auth: Record<string, string>;
  let seeded: Rig;
  beforeAll(async () => {
    auth = { NUGAN_REMOTE_AUTH: `${nginx.user}:${nginx.password}` };
    seeded = newRig();
    const r = await seeded.run(['run', sharedPipeline(seeded), '--store', seeded.store, '--remote', `${nginx.base}/rw/share/`, '--push'], env(seeded, auth));
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);
  afterAll(() => {
    for (const r of rigs) r.cleanup();
    nginx.stop();
  });

  it('a server killed mid-download: a warning, the stage is built here, and no partial file is kept', async () => {
    // A second, slow door onto the same files, to be killed while it sends the 300 kB events file.
    const slow = (await startNginx({ data: nginx.data, slowRate: 60_000 })) as Nginx;
    const b = newRig();
    try {
      const child = b.spawn(['run', sharedPipeline(b), '--only', 'data', '--store', b.store, '--remote', `${slow.base}/slow/share/`, '--json']);
      let stderr = '';
      let stdout = '';
      child.stderr!.on('data', (c) => (stderr += c));
      child.stdout!.on('data', (c) => (stdout += c));
      const done = new Promise<number>((res) => child.on('close', (code) => res(code ?? 1)));
      // Kill the server once the events file's download has begun (its file is opened in the store's
      // temporary area when the 200 arrives; at 60 kB/s the 300 kB body takes 5 s).
      const tmp = join(b.store, 'tmp');
      const partial = () => existsSync(tmp) && readdirSync(tmp).some((d) => existsSync(join(tmp, d, 'events.bin')));
      for (let i = 0; i < 400 && !partial(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(partial()).toBe(true);
      slow.kill();
      const code = await done;
      expect(code, stderr).toBe(0);
      expect(stderr).toMatch(/could not pull it from the remote cache \(GET .*\/slow\/share\/v1\/cas\/.*(broke off|closed after)/);
      expect(stderr).toMatch(/is not usable .*; working with the local store only/);
      expect(states(JSON.parse(stdout))).toEqual({ data: 'ran' });
      await expectIntact(b.store);
    } finally {
      slow.stop();
    }
  }, 60_000);

  it('an object corrupted on the server is refused by hash: --remote-only fails, a plain run rebuilds', async () => {
    // A copy of the shared remote whose events file has the same size but other bytes.
    cpSync(join(nginx.data, 'share'), join(nginx.data, 'corrupt'), { recursive: true });
    const blobs = join(nginx.data, 'corrupt', 'v1', 'cas', 'xxh64');
    const biggest = readdirSync(blobs, { recursive: true })
      .map((f) => join(blobs, String(f)))
      .filter((f) => statSync(f).isFile())
      .sort((x, y) => statSync(y).size - statSync(x).size)[0]!;
    const bytes = readFileSync(biggest);
    bytes[1000] ^= 0xff;
    writeFileSync(biggest, bytes);
    const b = newRig();
    const p = sharedPipeline(b);
    const url = `${nginx.base}/rw/corrupt/`;
    const only = await b.run(['run', p, '--store', b.store, '--remote', url, '--remote-only', '--json'], env(b, auth));
    expect(only.code).toBe(1);
    const doc = JSON.parse(only.stdout) as { stages: { id: string; state: string; reason?: string; message?: string }[] };
    const data = doc.stages.find((s) => s.id === 'data')!;
    expect(data).toMatchObject({ state: 'failed', reason: 'remote-miss' });
    expect(data.message).toMatch(/--remote-only: .*the object on the remote is corrupt/);
    expect(b.invocations()).toEqual([]);
    expect(b.artifacts()).toEqual([]);

    const plain = await b.run(['run', p, '--only', 'data', '--store', b.store, '--remote', url, '--json'], env(b, auth));
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).toMatch(/data: could not pull it .*got 300000 bytes hashing to xxh64:[0-9a-f]{16}, expected 300000 bytes, xxh64:[0-9a-f]{16} — the object on the remote is corrupt/);
    expect(b.invocations()).toContain('data');
    await expectIntact(b.store);
  }, 60_000);

  it('a 500 from the server: a warning naming the status, the stages are built here', async () => {
    const b = newRig();
    const r = await b.run(['run', sharedPipeline(b), '--only', 'model', '--store', b.store, '--remote', `${nginx.base}/err/share/`, '--json'], env(b));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/could not pull it from the remote cache \(GET .*\/err\/share\/v1\/cas\/\S+: 500 Internal Server Error while downloading \S+\); building it here/);
    expect(states(JSON.parse(r.stdout))).toEqual({ data: 'ran', model: 'ran' });
    await expectIntact(b.store);
  }, 60_000);

  it('a server that answers 500 to every lookup: one warning for all the keys, the plan runs them here', async () => {
    const b = newRig();
    const r = await b.run(['run', sharedPipeline(b), '--store', b.store, '--remote', `${nginx.base}/broken/share/`, '--dry-run'], env(b));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/warning:/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/remote lookup failed for 3 of 3 keys, those stages will be built here: GET .*\/broken\/share\/v1\/keys\/\S+: 500 Internal Server Error while looking up a cache key \(and 2 more\)/);
    expect(r.stdout).toMatch(/3 would run, 0 cached/);
  }, 60_000);

  it('a read-only remote with --push: one warning, results stay local; nugan push then fails with 403', async () => {
    const b = newRig();
    const p = sharedPipeline(b, 'read-only');
    const url = `${nginx.base}/ro/share/`;
    const r = await b.run(['run', p, '--only', 'model', '--store', b.store, '--remote', url, '--push', '--json'], env(b));
    expect(r.code, r.stderr).toBe(0);
    expect(states(JSON.parse(r.stdout))).toEqual({ data: 'ran', model: 'ran' });
    expect(r.stderr.match(/refused an upload/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/403 Forbidden — the remote does not allow creating a directory .*results stay in the local store only/);
    await expectIntact(b.store);
    const push = await b.run(['push', p, '--store', b.store, '--remote', url], env(b));
    expect(push.code).toBe(1);
    expect(push.stdout).toMatch(/failed\s+data\n\s+MKCOL .*403 Forbidden/);
  }, 60_000);

  it('wrong credentials or an unreachable remote: one warning, the run works locally, the password is never shown', async () => {
    const b = newRig();
    const p = sharedPipeline(b);
    const wrong = await b.run(['run', p, '--only', 'data', '--store', b.store, '--remote', `${nginx.base}/rw/share/`, '--json'], env(b, { NUGAN_REMOTE_AUTH: 'alice:not-the-password-7q' }));
    expect(wrong.code, wrong.stderr).toBe(0);
    expect(wrong.stderr.match(/warning:/g)).toHaveLength(1);
    expect(wrong.stderr).toMatch(/401 Unauthorized — the remote refused the credentials .*working with the local store only/);
    expect(wrong.stderr + wrong.stdout).not.toContain('not-the-password-7q');
    expect(states(JSON.parse(wrong.stdout))).toEqual({ data: 'ran' });

    const c = newRig();
    const gone = await c.run(['run', sharedPipeline(c), '--only', 'data', '--store', c.store], env(c, { NUGAN_REMOTE: 'http://user:secret-9z@127.0.0.1:9/cache/' }));
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stderr.match(/warning:/g)).toHaveLength(1);
    expect(gone.stderr).toMatch(/remote cache http:\/\/127\.0\.0\.1:9\/cache\/ is not usable \(GET .*ECONNREFUSED\)/);
    expect(gone.stderr).not.toContain('secret-9z');
    await expectIntact(c.store);
  }, 60_000);

  it('two uploaders of one key at once are harmless: both succeed and a pull gets the same bytes', async () => {
    const store = new ArtifactStore(seeded.store);
    const url = new URL(`${nginx.base}/rw/twice/`);
    const e = { NUGAN_REMOTE_AUTH: `${nginx.user}:${nginx.password}` };
    const [one, two] = [new RemoteCache(url, e), new RemoteCache(url, e)];
    try {
      for (const key of store.listArtifacts()) {
        const results = await Promise.all([one.push(key, store), two.push(key, store)]);
        for (const r of results) expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
      }
      const fresh = newRig();
      const target = new ArtifactStore(fresh.store);
      for (const key of store.listArtifacts()) {
        const hit = await one.lookup(key);
        if (!hit.ok || !hit.value) throw new Error(`no entry for ${key}`);
        const pulled = await one.pull(hit.value, target);
        expect(pulled.ok).toBe(true);
        const a = tree(store.artifactDir(key));
        const b = tree(target.artifactDir(key));
        for (const [f, bytes] of a) expect(b.get(f)?.equals(bytes), f).toBe(true);
      }
    } finally {
      one.close();
      two.close();
    }
  }, 60_000);
});
