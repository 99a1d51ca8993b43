// Builds the native Node addon of the CPU engine's kernels (kernels.c + napi.c) into
// build/native/nugan_kernels.node. Runs at `npm install`/`npm ci` (package.json "install"): it needs a
// C compiler (cc, gcc or clang; $CC to choose) and Node's headers (node_api.h), which most Linux and
// macOS machines with Node.js have. Where either is missing, or the built addon fails its smoke test,
// it says so in one line and exits 0: training then uses the WebAssembly kernels, ~3× slower per core.
// `node scripts/build-native.mjs --strict` exits 1 instead (CI uses it to make sure the fast path is tested).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const strict = process.argv.includes('--strict');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src/gan/engines/cpu');
const outDir = path.join(root, 'build/native');
const target = path.join(outDir, 'nugan_kernels.node');

function skip(reason) {
  process.stdout.write(`nugan: native CPU kernels not built (${reason}); training will use the WebAssembly kernels\n`);
  process.exit(strict ? 1 : 0);
}

function nodeHeaders() {
  const candidates = [
    process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, 'include/node'),
    path.resolve(path.dirname(process.execPath), '../include/node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ].filter(Boolean);
  return candidates.find((d) => existsSync(path.join(d, 'node_api.h')));
}

function compiler() {
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
    try {
      execFileSync(cc, ['--version'], { stdio: 'ignore' });
      return cc;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

const headers = nodeHeaders();
if (!headers) skip("Node's headers (node_api.h) not found");
const cc = compiler();
if (!cc) skip('no C compiler (cc, gcc or clang) found');

const tmp = mkdtempSync(path.join(tmpdir(), 'nugan-native-'));
try {
  const common = ['-O3', '-fPIC', '-fno-math-errno', '-std=gnu11'];
  const objects = [];
  const compile = (file, flags, name) => {
    const obj = path.join(tmp, `${name}.o`);
    execFileSync(cc, [...common, ...flags, '-c', file, '-o', obj], { stdio: ['ignore', 'ignore', 'pipe'] });
    objects.push(obj);
  };
  const x64 = arch() === 'x64';
  // Baseline: 128-bit vectors (SSE2 on x86-64, NEON on arm64), what every CPU of the architecture has.
  compile(path.join(src, 'kernels.c'), ['-DNK_VB=16', '-DNK_PREFIX=nk_base_'], 'base');
  if (x64) compile(path.join(src, 'kernels.c'), ['-DNK_VB=32', '-DNK_PREFIX=nk_avx2_', '-mavx2', '-mfma'], 'avx2');
  compile(path.join(src, 'napi.c'), [`-I${headers}`, `-DNK_BASE_NAME="${x64 ? 'sse2' : arch() === 'arm64' ? 'neon' : arch()}"`, ...(x64 ? ['-DNK_HAVE_AVX2'] : [])], 'napi');
  const built = path.join(tmp, 'nugan_kernels.node');
  execFileSync(cc, ['-shared', '-o', built, ...objects, ...(platform() === 'darwin' ? ['-undefined', 'dynamic_lookup'] : []), '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Smoke test in a fresh process: the addon loads and a 2×3·3×4 product comes out right.
  const check = `
    const m = require(${JSON.stringify(built)});
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const u8 = new Uint8Array(mem.buffer), f = new Float32Array(mem.buffer);
    const x = 64, W = 128, y = 256;
    f.set([1, 2, 3, 4, 5, 6], x / 4);
    f.set(Array.from({ length: 12 }, (_, i) => i + 1), W / 4);
    m.dense_fwd(u8, x, 3, 2, 3, 0, W, 0, 4, y, 4);
    const want = [38, 44, 50, 56, 83, 98, 113, 128];
    const got = Array.from(f.subarray(y / 4, y / 4 + 8));
    if (got.some((v, i) => v !== want[i])) { console.error('wrong product ' + got); process.exit(1); }
    console.log(m.variant);`;
  const variant = execFileSync(process.execPath, ['-e', check], { encoding: 'utf8' }).trim();
  mkdirSync(outDir, { recursive: true });
  renameSync(built, target);
  process.stdout.write(`nugan: built native CPU kernels (${variant}) → ${path.relative(root, target)}\n`);
} catch (err) {
  const detail = String(err.stderr ?? err.message ?? err).split('\n').find((l) => l.trim()) ?? 'unknown error';
  skip(`build failed: ${detail.trim()}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
