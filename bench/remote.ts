/**
 * Remote-cache benchmarks (issue 16 targets), against a private nginx on loopback (skipped with a
 * message when nginx is absent):
 * - pull throughput of a 4M-event table (E_nu, E_mu, theta, channel: 100 MB of Arrow), every byte
 *   hashed and checked on the way in (target ≥ 200 MB/s); push throughput alongside;
 * - `nugan status` of a pipeline with 100 stage instances that only the remote holds (target < 2 s):
 *   the remote lookups alone, in process, and the whole CLI command, tsx start-up included.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stageKinds } from '../stages/index.ts';
import { hashOutput } from '../src/cache/hash.ts';
import { MANIFEST_SCHEMA, type Manifest } from '../src/cache/manifest.ts';
import { blobPath } from '../src/cache/remote/layout.ts';
import { RemoteCache } from '../src/cache/remote/remote-cache.ts';
import { ArtifactStore } from '../src/cache/store.ts';
import { writeEventTable } from '../src/io/event-table.ts';
import { preparePipeline } from '../src/runner/prepare.ts';
import { startNginx, type Nginx } from '../test/cache/remote/nginx.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = (line: string) => process.stdout.write(`${line}\n`);

/** Publishes `files` (name → content writer) as artifact `key` of `store`, with a valid manifest. */
async function makeArtifact(store: ArtifactStore, key: string, id: string, file: string, write: (path: string) => Promise<void>): Promise<number> {
  const dir = store.makeTempDir(key);
  await write(join(dir, file));
  const { hash, bytes } = await hashOutput(join(dir, file));
  const now = new Date().toISOString();
  const manifest: Manifest = {
    schema: MANIFEST_SCHEMA,
    id,
    kind: 'command',
    key,
    keyData: {},
    params: {},
    seed: 0,
    inputs: {},
    outputs: { [file]: { path: file, hash, bytes } },
    summary: {},
    timings: { started: now, finished: now, seconds: 0 },
    versions: { nugan: 'bench', node: process.version, platform: process.platform },
    executor: { executor: 'local', host: 'bench' },
    pipeline: 'bench.yaml',
  };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  store.commit(dir, key);
  return bytes;
}

async function pullThroughput(nginx: Nginx, work: string, env: NodeJS.ProcessEnv): Promise<void> {
  const n = 4_000_000;
  const a = new ArtifactStore(join(work, 'a'));
  const key = 'b0'.padEnd(32, '0');
  const bytes = await makeArtifact(a, key, 'base-data', 'events.arrow', async (path) => {
    const E_nu = new Float64Array(n);
    const E_mu = new Float64Array(n);
    const theta = new Float64Array(n);
    const channel = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      E_nu[i] = 0.3 + 9.7 * Math.random();
      E_mu[i] = 0.106 + (E_nu[i]! - 0.2) * Math.random();
      theta[i] = Math.PI * Math.random() ** 2;
      channel[i] = i % 4;
    }
    await writeEventTable(path, { E_nu, E_mu, theta, channel }, { source: 'bench', domain: 'nu-carbon' });
  });
  const remote = new RemoteCache(new URL(`${nginx.base}/rw/table/`), env);
  try {
    let t = performance.now();
    const pushed = await remote.push(key, a);
    if (!pushed.ok) throw pushed.error;
    const pushS = (performance.now() - t) / 1000;
    out(`push 4M-event table (${(bytes / 1e6).toFixed(1)} MB): ${pushS.toFixed(2)} s, ${(bytes / 1e6 / pushS).toFixed(0)} MB/s`);
    for (const attempt of [1, 2]) {
      const b = new ArtifactStore(join(work, `b${attempt}`));
      const cpu0 = process.cpuUsage();
      t = performance.now();
      const hit = await remote.lookup(key);
      if (!hit.ok || !hit.value) throw new Error('the pushed table is not on the remote');
      const pulled = await remote.pull(hit.value, b);
      if (!pulled.ok) throw pulled.error;
      const s = (performance.now() - t) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuS = (cpu.user + cpu.system) / 1e6;
      out(`pull 4M-event table (${(bytes / 1e6).toFixed(1)} MB, every byte hashed), run ${attempt}: ${s.toFixed(2)} s, ${(bytes / 1e6 / s).toFixed(0)} MB/s (target ≥ 200 MB/s); nugan's CPU time ${cpuS.toFixed(2)} s = ${(bytes / 1e6 / cpuS).toFixed(0)} MB per CPU-second`);
    }
    // The same object through curl: what loopback and nginx give at this moment (a loaded machine
    // lowers both numbers alike).
    const listed = await remote.lookup(key);
    const tableHash = listed.ok && listed.value ? listed.value.entry.files.find((f) => f.path === 'events.arrow')?.hash : undefined;
    try {
      if (!tableHash) throw new Error('no entry');
      t = performance.now();
      execFileSync('curl', ['-sf', '-u', `${nginx.user}:${nginx.password}`, '-o', '/dev/null', `${nginx.base}/rw/table/${blobPath(tableHash)}`]);
      const c = (performance.now() - t) / 1000;
      out(`curl of the same object to /dev/null, for reference: ${c.toFixed(2)} s, ${(bytes / 1e6 / c).toFixed(0)} MB/s`);
    } catch {
      out('(no curl for a reference transfer)');
    }
  } finally {
    remote.close();
  }
}

async function remoteStatus(nginx: Nginx, work: string, env: NodeJS.ProcessEnv): Promise<void> {
  const dir = join(work, 'status');
  rmSync(dir, { recursive: true, force: true });
  execFileSync('mkdir', ['-p', dir]);
  const file = join(dir, 'p.yaml');
  writeFileSync(file, `name: bench-remote\nstages:\n  sweep:\n    uses: command\n    matrix: { i: [${Array.from({ length: 100 }, (_, i) => i).join(', ')}] }\n    with: { run: "echo \${{ matrix.i }} > r.txt", outputs: [r.txt] }\n`);
  const url = `${nginx.base}/rw/status/`;
  const prepared = await preparePipeline(file, stageKinds, { store: join(dir, 'a') });
  if (!prepared.ok) throw new Error(prepared.error.map((d) => d.message).join('\n'));
  const { plan, keys, store } = prepared.value;
  const remote = new RemoteCache(new URL(url), env);
  try {
    for (const node of plan.nodes) await makeArtifact(store, keys.get(node.id)!.key, node.id, 'r.txt', async (p) => writeFileSync(p, `${node.id}\n`));
    let t = performance.now();
    const pushed = await Promise.all(store.listArtifacts().map((k) => remote.push(k, store)));
    if (pushed.some((r) => !r.ok)) throw new Error('push failed');
    out(`push of 100 small artifacts: ${((performance.now() - t) / 1000).toFixed(2)} s`);
    const wanted = plan.nodes.map((n) => keys.get(n.id)!.key);
    t = performance.now();
    const found = await remote.lookupMany(wanted);
    const lookupS = (performance.now() - t) / 1000;
    const hits = [...found.values()].filter((r) => r.ok && r.value).length;
    out(`remote lookup of 100 stage instances, in process: ${lookupS.toFixed(3)} s (${hits} hits)`);
  } finally {
    remote.close();
  }
  const t = performance.now();
  let stdout = '';
  try {
    stdout = execFileSync(process.execPath, [join(root, 'bin', 'nugan.mjs'), 'status', file, '--store', join(dir, 'b'), '--remote', url, '--json'], { env, encoding: 'utf8' });
  } catch (err) {
    stdout = (err as { stdout?: string }).stdout ?? '';
  }
  const s = (performance.now() - t) / 1000;
  const doc = JSON.parse(stdout) as { stages: { state: string }[] };
  const remoteHits = doc.stages.filter((x) => x.state === 'remote').length;
  out(`nugan status of 100 stage instances held only by the remote (CLI, tsx start-up included): ${s.toFixed(2)} s, ${remoteHits} 'cached (remote)' (target < 2 s)`);
}

export async function bench(): Promise<void> {
  const nginx = await startNginx();
  if ('skip' in nginx) {
    out(nginx.skip);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'nugan-bench-remote-'));
  const env = { ...process.env, NUGAN_REMOTE_AUTH: `${nginx.user}:${nginx.password}` };
  try {
    await pullThroughput(nginx, work, env);
    await remoteStatus(nginx, work, env);
  } finally {
    nginx.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
