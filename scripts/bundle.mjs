// Builds dist/nugan.mjs: the whole CLI in one ESM file (esbuild), runnable with only Node 20 and the
// files copied beside it (tfjs-backend-wasm's .wasm files), e.g. on a GPU or cluster node without npm.
// Packages with native parts (webgpu/Dawn, @resvg/resvg-js) stay external: on a machine without them,
// `device: auto` falls back to the CPU and plots to SVG only.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Resolves `name` at run time through require(); a stand-in whose exports throw when it is missing. */
function optionalNative(name, exports) {
  return {
    name: `optional-${name}`,
    setup(b) {
      b.onResolve({ filter: new RegExp(`^${name.replace(/[/.]/g, '\\$&')}$`) }, () => ({ path: name, namespace: 'optional-native' }));
      b.onLoad({ filter: /.*/, namespace: 'optional-native' }, () => ({
        contents: `let m; try { m = require(${JSON.stringify(name)}); } catch { m = null; }\n` +
          exports.map((e) => `export const ${e} = m ? m.${e} : class { constructor() { throw new Error(${JSON.stringify(`${name} is not installed beside the bundle: PNG output is unavailable`)}); } };`).join('\n'),
        loader: 'js',
      }));
    },
  };
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
await mkdir(dist, { recursive: true });
const entry = path.join(dist, '.entry.mjs');
const { writeFile, rm } = await import('node:fs/promises');
// Needs tsx (npm run bundle runs node --import tsx) to import the TypeScript sources.
const { computeFingerprintTable } = await import('../src/cache/fingerprint.ts');
const { stageKinds } = await import('../stages/index.ts');
const fingerprints = await computeFingerprintTable(stageKinds);
// The same file is the CLI and, started as a worker thread with a role, that worker's module.
await writeFile(entry, [
  "import { isMainThread, workerData } from 'node:worker_threads';",
  'if (!isMainThread && workerData && workerData.nuganRole) {',
  "  await (await import('../src/cli/worker-roles.ts')).runWorkerRole(workerData.nuganRole);",
  '} else {',
  "  process.exitCode = await (await import('../src/cli/main.ts')).main(process.argv.slice(2));",
  '}',
  '',
].join('\n'));
const tmp = path.join(dist, `.nugan.mjs.tmp-${process.pid}`);
try {
  await build({
    entryPoints: [entry],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['webgpu', 'playwright-core', 'fsevents', 'canvas', '*.node'],
    // resvg is a native addon imported statically by src/plot: the bundle loads it when it is
    // installed beside the bundle and otherwise gets a stand-in that fails only when a PNG is asked for.
    plugins: [optionalNative('@resvg/resvg-js', ['Resvg'])],
    // CommonJS dependencies call require(): give the ESM bundle one.
    // The stage kinds' code fingerprints, computed from the sources now: inside the bundle there are no
    // sources to hash, and the same code must give the same cache keys in the bundle as in a checkout.
    banner: { js: `#!/usr/bin/env node\nimport { createRequire as __nuganCreateRequire } from 'node:module';\nconst require = __nuganCreateRequire(import.meta.url);\nglobalThis.__NUGAN_FINGERPRINTS__ = ${JSON.stringify(fingerprints)};` },
    logLevel: 'warning',
  });
  await rename(tmp, path.join(dist, 'nugan.mjs'));
} finally {
  await rm(entry, { force: true });
  await rm(tmp, { force: true });
}
const wasmDir = path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
for (const f of await readdir(wasmDir)) if (f.endsWith('.wasm')) await copyFile(path.join(wasmDir, f), path.join(dist, f));
// The native CPU kernels, when npm install built them (kernels.ts looks beside the bundle).
const { existsSync } = await import('node:fs');
const native = path.join(root, 'build/native/nugan_kernels.node');
if (existsSync(native)) await copyFile(native, path.join(dist, 'nugan_kernels.node'));
process.stdout.write(`wrote ${path.relative(root, path.join(dist, 'nugan.mjs'))}, the tfjs wasm files${existsSync(native) ? ' and the native CPU kernels' : ''} beside it\n`);
