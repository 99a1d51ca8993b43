/**
 * Runner benchmarks (issue 2 targets): load + validate + expand + key a pipeline whose matrix expands
 * to 10,000 and 100,000 instances (target: 100k < 2 s); a fully cached no-op `nugan run` of a 50-stage
 * pipeline, tsx start-up and the quick verification of every cached artifact included (target < 1 s;
 * issue 14), with the verification's own share measured in-process, and `nugan verify`'s full re-hash
 * of the same store for comparison; hashing throughput of a 1 GB file, cold and memoised
 * (target: memoised re-hash < 10 ms).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stageKinds } from '../stages/index.ts';
import { createHasher, FileHashMemo, xxh } from '../src/cache/hash.ts';
import type { Manifest } from '../src/cache/manifest.ts';
import { ArtifactStore } from '../src/cache/store.ts';
import { checkArtifact, type VerifyMode } from '../src/cache/verify.ts';
import { expandPipeline } from '../src/runner/expand.ts';
import { computeKeys } from '../src/runner/keys.ts';
import { loadPipeline } from '../src/runner/load.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = (line: string) => process.stdout.write(`${line}\n`);

function matrixPipeline(axes: number[]): string {
  const matrix = axes.map((n, i) => `      a${i}: [${Array.from({ length: n }, (_, j) => j).join(', ')}]`).join('\n');
  const vars = axes.map((_, i) => `\${{ matrix.a${i} }}`).join(' ');
  return `name: bench
params: { seed: 1, tag: x }
stages:
  prep:
    uses: command
    with: { run: "echo prep > p.txt", outputs: [p.txt] }
  sweep:
    uses: command
    needs: [prep]
    matrix:
${matrix}
    with:
      run: "echo ${vars} \${{ params.tag }} \${{ stages.prep.outputs.p.txt }} > r.txt"
      outputs: { result: r.txt }
`;
}

async function timePlan(label: string, axes: number[], dir: string): Promise<void> {
  const file = join(dir, `${label}.yaml`);
  writeFileSync(file, matrixPipeline(axes));
  const hasher = await createHasher();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const loaded = loadPipeline(file);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  const t1 = performance.now();
  const plan = expandPipeline(loaded.value, stageKinds, { h32: hasher.h32 });
  if (!plan.ok) throw new Error(JSON.stringify(plan.error));
  const t2 = performance.now();
  const keys = await computeKeys(plan.value, stageKinds, hasher, new FileHashMemo());
  const t3 = performance.now();
  const cpu = process.cpuUsage(c0);
  out(`plan ${label}: ${keys.size} instances: load+validate ${(t1 - t0).toFixed(0)} ms, expand ${(t2 - t1).toFixed(0)} ms, key ${(t3 - t2).toFixed(0)} ms, total ${(t3 - t0).toFixed(0)} ms wall (${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU, GC threads included)`);
}

function noopRun(dir: string): void {
  const stages = Array.from({ length: 50 }, (_, i) => `  s${i}:\n    uses: command\n${i ? `    needs: [s${Math.floor((i - 1) / 2)}]\n` : ''}    with: { run: "echo ${i} > o.txt", outputs: [o.txt] }\n`).join('');
  const file = join(dir, 'fifty.yaml');
  writeFileSync(file, `name: fifty\nstages:\n${stages}`);
  const args = [join(root, 'bin', 'nugan.mjs'), 'run', file, '--store', join(dir, 'store')];
  const env = { ...process.env, CI: '1' };
  execFileSync(process.execPath, args, { env, stdio: 'ignore' });
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, args, { env, stdio: 'ignore' });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const base: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, [join(root, 'bin', 'nugan.mjs'), '--version'], { env, stdio: 'ignore' });
    base.push(performance.now() - t0);
  }
  base.sort((a, b) => a - b);
  const imp = execFileSync(process.execPath, ['--import', 'tsx', '-e', "const t = performance.now(); await import('./stages/index.ts'); process.stdout.write(String(performance.now() - t));"], { cwd: root, env }).toString();
  out(`no-op run of 50 cached stages, verification on (process start to exit, tsx included): median ${times[1]!.toFixed(0)} ms (min ${times[0]!.toFixed(0)}, max ${times[2]!.toFixed(0)}); target < 1000 ms: ${times[1]! < 1000 ? 'met' : 'MISSED'}`);
  out(`  of which: node + tsx start-up (nugan --version) ${base[1]!.toFixed(0)} ms; importing stages/index.ts (all stage kinds) ${Number(imp).toFixed(0)} ms`);
  // The same run from the single-file bundle (`npm run bundle`), the form a cluster or GPU node runs:
  // no TypeScript to compile at start-up, so it shows what the runner itself costs.
  const bundle = join(root, 'dist', 'nugan.mjs');
  if (!existsSync(bundle)) {
    out('no-op run from the bundle: skipped (run `npm run bundle` first)');
    return;
  }
  const bundled: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, [bundle, ...args.slice(1)], { env, stdio: 'ignore' });
    bundled.push(performance.now() - t0);
  }
  bundled.sort((a, b) => a - b);
  out(`no-op run of the same 50 cached stages from dist/nugan.mjs: median ${bundled[1]!.toFixed(0)} ms (min ${bundled[0]!.toFixed(0)}, max ${bundled[2]!.toFixed(0)}); target < 1000 ms: ${bundled[1]! < 1000 ? 'met' : 'MISSED'}`);
}

/** The verification's share of that run: the quick check of the 50 artifacts in-process, and the full re-hash. */
async function verification(dir: string): Promise<void> {
  await xxh();
  const store = new ArtifactStore(join(dir, 'store'));
  const keys = store.listArtifacts();
  const files = keys.reduce((n, k) => n + ((store.readManifest(k) as Manifest).files?.length ?? 0), 0);
  const time = (mode: VerifyMode) => {
    const t0 = performance.now();
    for (const k of keys) if (checkArtifact(store, k, mode).state !== 'intact') throw new Error(`artifact ${k} not intact`);
    return performance.now() - t0;
  };
  time('quick'); // warm the page cache and the JIT
  const quick = time('quick');
  const full = time('full');
  out(`verification of ${keys.length} cached artifacts (${files} files, manifests read included): quick (size + mtime) ${quick.toFixed(1)} ms, full re-hash ${full.toFixed(1)} ms`);
}

async function hashing(dir: string): Promise<void> {
  const file = join(dir, 'big.bin');
  const block = Buffer.alloc(8 << 20);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
  const fd = openSync(file, 'w');
  for (let i = 0; i < 128; i++) {
    block.writeUInt32LE(i, 0);
    writeSync(fd, block);
  }
  closeSync(fd);
  const gb = (128 * block.length) / 1e6;
  const memoFile = join(dir, 'hashes.json');
  const memo = new FileHashMemo(memoFile);
  let t0 = performance.now();
  await memo.hash(file);
  const cold = performance.now() - t0;
  memo.save();
  t0 = performance.now();
  await memo.hash(file);
  const warm = performance.now() - t0;
  // A later process: the memo comes from disk.
  t0 = performance.now();
  const again = new FileHashMemo(memoFile);
  await again.hash(file);
  const reloaded = performance.now() - t0;
  out(`hash 1 GB file: cold ${cold.toFixed(0)} ms (${(gb / (cold / 1000)).toFixed(0)} MB/s, page cache warm from writing), memoised ${warm.toFixed(3)} ms, memo reloaded from disk ${reloaded.toFixed(3)} ms`);
  rmSync(file, { force: true });
}

export async function bench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nugan-bench-'));
  try {
    await timePlan('10k', [100, 100], dir);
    await timePlan('100k', [100, 100, 10], dir);
    noopRun(dir);
    await verification(dir);
    await hashing(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
