/**
 * `npm run bench`: runs every bench/<area>.ts that exports `bench()` and prints its numbers.
 * `npm run bench -- runner physics` runs only the named areas.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = new Set(process.argv.slice(2));
const areas = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -3))
  .filter((a) => wanted.size === 0 || wanted.has(a))
  .sort();

for (const area of areas) {
  process.stdout.write(`\n== ${area} ==\n`);
  const mod = (await import(pathToFileURL(join(here, `${area}.ts`)).href)) as { bench?: () => Promise<void> };
  if (typeof mod.bench !== 'function') {
    process.stdout.write(`(bench/${area}.ts exports no bench())\n`);
    continue;
  }
  const t0 = performance.now();
  await mod.bench();
  process.stdout.write(`(${area}: ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
}
